// First useful paint of the clinician's chart, in Debian's Chromium against a demo region:
// for each example patient, a clinician of a facility holding them types the local ID and
// presses Enter, RUNS times; printed are p50/p95 of
//   first paint  Enter → the patient header and the first timeline rows on the screen
//   full page    Enter → the whole first page (100 events, sources) and the allergy summary
// as the page itself marks them (performance marks rk-lookup, rk-chart-painted, rk-chart-complete).
//
//   bench/portal.sh [--runs 20] [--patients 3000] [--years 5]

import {Region} from '../tests/e2e/lib/region.js';
import {launch, Person} from '../tests/e2e/lib/browser.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = opt('runs', 20);
const region = new Region({patients: opt('patients', 3000), years: opt('years', 5), facilities: opt('facilities', 5), hospitals: opt('hospitals', 3)});

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

let chromium;
try {
  const started = Date.now();
  await region.up();
  console.log(`region of ${region.flags.patients} patients, ${region.flags.facilities} facilities up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  chromium = await launch();
  const paint = [];
  const full = [];
  const clinicians = new Map();
  for (const patient of region.demo.patients) {
    const [facility, localId] = Object.entries(patient.local_ids)[0];
    const login = `dr-${facility}`;
    if (!clinicians.has(login)) clinicians.set(login, await (await new Person(chromium.context, region, login).open()).signIn());
    const p = clinicians.get(login).page;
    await p.bringToFront();  // a background tab gets no animation frames: the paint mark waits for one
    const mine = {paint: [], full: [], events: 0};
    for (let i = 0; i < RUNS + 1; i += 1) {
      await p.goto(`${region.url}/#/find`);
      await p.waitForSelector('#patient-id');
      await p.fill('#patient-id', localId);
      await p.press('#patient-id', 'Enter');
      await p.waitForSelector('.chart[data-state=ready][data-allergies=loaded]', {timeout: 30000});
      await p.waitForFunction(() => performance.getEntriesByName('rk-chart-painted').length > 0);
      const m = await p.evaluate(() => {
        const at = (name) => performance.getEntriesByName(name)[0].startTime;
        // The full page: every part in, the first paint included.
        return {paint: at('rk-chart-painted') - at('rk-lookup'),
          full: Math.max(at('rk-chart-complete'), at('rk-chart-painted')) - at('rk-lookup'),
          events: document.querySelectorAll('.timeline tbody tr.event').length};
      });
      if (i === 0) continue;  // the first load warms the hub's and the edges' caches
      mine.paint.push(m.paint);
      mine.full.push(m.full);
      mine.events = m.events;
    }
    paint.push(...mine.paint);
    full.push(...mine.full);
    console.log(`${patient.regional_id} (${Object.keys(patient.local_ids).length} facilities, ${mine.events} events on the first page): ` +
      `first paint p50 ${percentile(mine.paint, 50).toFixed(0)} ms p95 ${percentile(mine.paint, 95).toFixed(0)} ms; ` +
      `full page p50 ${percentile(mine.full, 50).toFixed(0)} ms p95 ${percentile(mine.full, 95).toFixed(0)} ms`);
  }
  console.log(`all ${paint.length} loads: first useful paint p50 ${percentile(paint, 50).toFixed(0)} ms, p95 ${percentile(paint, 95).toFixed(0)} ms; ` +
    `full first page p50 ${percentile(full, 50).toFixed(0)} ms, p95 ${percentile(full, 95).toFixed(0)} ms (goal: first paint ≤ 1000 ms)`);
} finally {
  if (chromium) await chromium.close();
  await region.down();
}
