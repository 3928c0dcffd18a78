// The portals end to end, in headless Chromium against a demo region the test starts itself:
// each role signs in; a clinician finds a patient by local ID with the keyboard alone and sees
// every holding facility's events (as the API itself answers), filters the timeline, opens a
// lab trend (one series per facility that has the test), a document and "request latest";
// the patient unlinks the clinician's facility and the clinician is refused, then declares an
// emergency; the operator sees the edges, makes a user, resolves a review item, reviews the
// emergency, searches the audit trail and verifies it; then the service gateway's pages
// (services.e2e.js: a service registered, connected in the permission matrix, its receiver
// notified, disconnected and disabled). Every page: no console errors,
// axe-core clean, no sideways scrolling at tablet sizes; screenshots of the main pages.
//
//   RENKEI_BINARY=build/src/cli/renkei node --test tests/e2e/   (ctest -L e2e sets it)

import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {Region} from './lib/region.js';
import {launch, Person, SCREENSHOTS} from './lib/browser.js';
import {serviceGatewayTests} from './services.e2e.js';


let region;
let chromium;
const people = {};
const ctx = {};  // what one test finds for the next

before(async () => {
  region = await new Region().up();
  chromium = await launch();
  console.log(`# region up in ${region.upSeconds.toFixed(1)} s at ${region.url}; screenshots in ${SCREENSHOTS}`);
  // The example patient with lab results at the most facilities, and as the clinician one of
  // a facility holding them that also holds a patient with a document (a discharge summary).
  const labs = (p) => Object.entries(p.local_ids).filter(([f, id]) => region.hasRecords(f, id, 'OML-11')).length;
  const patient = [...region.demo.patients].sort((a, b) => labs(b) - labs(a))[0];
  const facilities = Object.keys(patient.local_ids);
  const withDocs = facilities.map((f) => ({f, docs: region.patientsWithDocuments(f)})).find((x) => x.docs.length);
  ctx.patient = patient;
  ctx.facility = withDocs ? withDocs.f : facilities[0];
  ctx.localId = patient.local_ids[ctx.facility];
  ctx.documentPatient = withDocs ? withDocs.docs[0] : null;
  ctx.clinician = `dr-${ctx.facility}`;
  ctx.patientLogin = region.demo.sign_ins.find((s) => s.role === 'patient' && s.regional_ids.includes(patient.regional_id)).login;
}, {timeout: 600000});

after(async () => {
  for (const p of Object.values(people)) await p.close().catch(() => {});
  if (chromium) await chromium.close().catch(() => {});
  if (region) await region.down();
}, {timeout: 180000});

async function person(login, options) {
  if (!people[login]) people[login] = await new Person(chromium.context, region, login, options).open();
  return people[login];
}

const text = (page, selector) => page.locator(selector).allInnerTexts();

test('sign-in page: accessible, a wrong code is refused with a clear message, reception sees no clinical data', async () => {
  const desk = await person(`desk-${ctx.facility}`);
  const p = desk.page;
  assert.equal(await p.getAttribute('html', 'lang'), 'ja');
  assert.match(await p.title(), /サインイン/);
  await desk.assertAccessible('sign-in');
  await desk.assertFitsTablets('sign-in');
  await desk.screenshot('01-sign-in');
  // A wrong code: 401, said in words, the account not yet locked.
  desk.expectHttpError(401, /^\/v1\/sessions$/);
  await p.fill('input[name=login]', desk.login);
  await p.fill('input[name=password]', region.signIn(desk.login).password);
  const right = await region.code(desk.login);
  await p.fill('input[name=code]', right === '000000' ? '000001' : '000000');
  await p.click('form.signin-form button[type=submit]');
  await p.waitForSelector('.signin-form .notice.error');
  assert.match((await text(p, '.signin-form .notice.error')).join(), /正しくありません/);
  await desk.signIn();
  await p.waitForSelector('.staff');
  assert.match(await p.innerText('main'), /診療情報.*表示されません/s);
  await desk.assertAccessible('reception');
  await desk.screenshot('02-reception');
  // Reception staff get no chart: the API refuses it too.
  assert.equal((await region.api(desk.login, 'GET', `/chart?patient=${ctx.localId}`)).status, 403);
  await desk.assertNoConsoleErrors('sign-in');
});

test('clinician: keyboard-only lookup by local ID, header and every holding facility as the API answers, first paint timed', async () => {
  const dr = await person(ctx.clinician);
  await dr.signIn();
  const p = dr.page;
  await p.bringToFront();  // a background tab gets no animation frames, and the paint is marked on one
  await p.waitForSelector('#patient-id');
  assert.match(await p.title(), /患者を探す/);
  await dr.assertAccessible('find');
  // Keyboard only: from the top of the page, Tab to the patient field, type, Enter.
  await p.evaluate(() => document.activeElement && document.activeElement.blur());
  for (let i = 0; i < 30 && !(await p.evaluate(() => document.activeElement && document.activeElement.id === 'patient-id')); i += 1) {
    await p.keyboard.press('Tab');
  }
  assert.equal(await p.evaluate(() => document.activeElement.id), 'patient-id', 'Tab reaches the patient field');
  await p.keyboard.type(ctx.localId);
  await p.keyboard.press('Enter');
  await p.waitForSelector('.chart[data-state=ready]', {timeout: 20000});
  await p.waitForFunction(() => performance.getEntriesByName('rk-chart-painted').length > 0);
  const paint = await p.evaluate(() => performance.getEntriesByName('rk-chart-painted')[0].startTime - performance.getEntriesByName('rk-lookup')[0].startTime);
  // Reported, not asserted: a test checks behaviour, bench/portal.sh measures speed.
  assert.ok(paint > 0);
  console.log(`# first useful paint of the chart: ${paint.toFixed(0)} ms (Enter → patient header and first timeline rows)`);

  // The header: the names of the clinician's own registration, as the API gives them.
  const reg = await region.api(ctx.clinician, 'GET', `/registrations/${ctx.facility}/${ctx.localId}`);
  assert.equal(reg.status, 200);
  const own = reg.body.identifiers.find((i) => i.facility === ctx.facility);
  assert.equal(await p.innerText('.patient-name .kanji'), `${own.demographics.family_kanji} ${own.demographics.given_kanji}`);
  assert.equal(await p.innerText('.patient-name .kana'), `${own.demographics.family_kana} ${own.demographics.given_kana}`);
  assert.match(await p.innerText('.patient-facts'), new RegExp(reg.body.regional_id));

  // Every source and every facility whose events are on the first page, as the chart route answers.
  const chart = await region.api(ctx.clinician, 'GET', `/chart?patient=${ctx.localId}&limit=100`);
  assert.equal(chart.status, 200);
  const shownSources = await p.$$eval('.sources li.source', (els) => els.map((e) => `${e.dataset.facility}:${e.dataset.status}`).sort());
  assert.deepEqual(shownSources, chart.body.sources.map((s) => `${s.facility}:${s.status}`).sort());
  const apiFacilities = [...new Set(chart.body.events.map((e) => e.facility))].sort();
  const shownFacilities = await p.$$eval('.timeline tbody tr.event', (rows) => [...new Set(rows.map((r) => r.dataset.facility))].sort());
  assert.deepEqual(shownFacilities, apiFacilities);
  assert.ok(apiFacilities.length >= 2, `the example patient has events at several facilities (${apiFacilities})`);
  assert.equal(await p.locator('.timeline tbody tr.event').count(), chart.body.events.length);
  ctx.chartEvents = chart.body.events;

  // Keyboard: Tab to a timeline row's link, Enter opens it in the page; Escape closes it.
  for (let i = 0; i < 60 && !(await p.evaluate(() => document.activeElement && document.activeElement.classList.contains('event-link'))); i += 1) {
    await p.keyboard.press('Tab');
  }
  assert.ok(await p.evaluate(() => document.activeElement.classList.contains('event-link')), 'Tab reaches a timeline row');
  const opened = await p.evaluate(() => document.activeElement.textContent);
  await p.keyboard.press('Enter');
  await p.waitForSelector('dialog.event-dialog[open] .dialog-body[data-loaded=true]');
  assert.equal(await p.innerText('dialog.event-dialog h2'), opened);
  await dr.assertAccessible('event detail');
  await p.keyboard.press('Escape');
  await p.waitForSelector('dialog.event-dialog[open]', {state: 'detached'});
  assert.ok(!p.url().includes('/event'), 'closing goes back to the timeline');
  await p.waitForFunction((title) => document.activeElement && document.activeElement.textContent === title, opened);

  await dr.assertAccessible('chart');
  await dr.assertFitsTablets('chart');
  await dr.screenshot('03-chart');
  await dr.assertNoConsoleErrors('chart');
});

test('clinician: the timeline filtered by type and facility, as the chart route filters it', async () => {
  const dr = people[ctx.clinician];
  const p = dr.page;
  const type = ctx.chartEvents.some((e) => e.type === 'prescription') ? 'prescription' : ctx.chartEvents[0].type;
  await p.selectOption('.filters select[name=type]', type);
  await p.click('.filters button[type=submit]');
  await p.waitForFunction((t) => location.hash.includes(`type=${t}`), type);
  await p.waitForSelector('.timeline');
  const api = await region.api(ctx.clinician, 'GET', `/chart?patient=${ctx.localId}&limit=100&type=${type}`);
  const rows = await p.$$eval('.timeline tbody tr.event', (r) => r.map((x) => x.dataset.type));
  assert.equal(rows.length, api.body.events.length);
  assert.ok(rows.every((x) => x === type));
  // And one facility.
  const facility = api.body.events[0].facility;
  await p.selectOption('.filters select[name=facility]', facility);
  await p.click('.filters button[type=submit]');
  await p.waitForFunction((f) => location.hash.includes(`facility=${f}`), facility);
  await p.waitForSelector('.timeline');
  const both = await region.api(ctx.clinician, 'GET', `/chart?patient=${ctx.localId}&limit=100&type=${type}&facility=${facility}`);
  const filtered = await p.$$eval('.timeline tbody tr.event', (r) => r.map((x) => `${x.dataset.type}@${x.dataset.facility}`));
  assert.deepEqual(filtered, both.body.events.map((e) => `${e.type}@${e.facility}`));
  // The back button undoes the filter.
  await p.goBack();
  await p.waitForFunction(() => !location.hash.includes('facility='));
  await dr.assertNoConsoleErrors('filters');
  await p.goto(`${region.url}/#/chart/${encodeURIComponent(ctx.localId)}`);
  await p.waitForSelector('.chart[data-state=ready]');
});

// The facilities holding numeric results of each test (JLAC10 code), as /v1/resources answers.
async function labFacilitiesByTest(login, subject) {
  const byCode = new Map();
  const resources = await region.api(login, 'GET', `/resources?${subject}&type=Observation&limit=2000`);
  assert.equal(resources.status, 200, JSON.stringify(resources.body));
  for (const {facility, resource: o} of resources.body.resources) {
    const coding = ((o.code || {}).coding || []).find((c) => c.system === 'urn:oid:1.2.392.200119.4.504') || ((o.code || {}).coding || [])[0];
    if (!coding || !o.valueQuantity || typeof o.valueQuantity.value !== 'number') continue;
    if (!byCode.has(coding.code)) byCode.set(coding.code, new Set());
    byCode.get(coding.code).add(facility);
  }
  return byCode;
}

test('clinician: lab results with a trend plot per test, one series per facility that has the test', async () => {
  const dr = people[ctx.clinician];
  const p = dr.page;
  const byCode = await labFacilitiesByTest(ctx.clinician, `patient=${encodeURIComponent(ctx.localId)}`);
  assert.ok(byCode.size > 0, 'the example patient has lab results');
  const [code, facilities] = [...byCode.entries()].sort((a, b) => b[1].size - a[1].size)[0];
  console.log(`# trend of ${code}: ${facilities.size} facilities`);
  await p.click('.tabs a[href$="/labs"]');
  await p.waitForSelector('.labs-view', {timeout: 30000});
  await p.click(`.lab-tests tr[data-code="${code}"] a.test-link`);
  await p.waitForSelector(`.trend-section[data-code="${code}"] svg.trend-svg`);
  const series = await p.$$eval(`.trend-section[data-code="${code}"] svg.trend-svg g.series`, (g) => g.map((x) => x.dataset.facility).sort());
  assert.deepEqual(series, [...facilities].sort(), 'one series per facility that has the test');
  // Accessible text: the plot has a title and a description; each point is named.
  assert.ok((await p.textContent('svg.trend-svg > title')).length > 0);
  assert.ok((await p.textContent('svg.trend-svg > desc')).length > 0);
  assert.ok(await p.locator('svg.trend-svg g.point title').count() > 0);
  assert.equal(await p.locator('.trend .legend li.legend-item').count() >= facilities.size, true);
  await dr.assertAccessible('lab trend');
  await dr.assertFitsTablets('lab trend');
  await dr.screenshot('04-lab-trend');
  // Prescriptions as a table.
  await p.click('.tabs a[href$="/meds"]');
  await p.waitForSelector('table.meds', {timeout: 30000});
  await dr.assertAccessible('prescriptions');
  await dr.screenshot('05-prescriptions');
  await dr.assertNoConsoleErrors('labs');
});

test('clinician: a document opened in the page', async () => {
  assert.ok(ctx.documentPatient, 'the region holds a patient with a document at the clinician\'s facility');
  const dr = people[ctx.clinician];
  const p = dr.page;
  await p.goto(`${region.url}/#/chart/${encodeURIComponent(ctx.documentPatient)}/documents`);
  await p.waitForSelector('.chart-body[data-tab=documents] table.list-documents', {timeout: 20000});
  const first = p.locator('table.list-documents a.event-link').first();
  await first.click();
  await p.waitForSelector('dialog.event-dialog[open] .dialog-body[data-loaded=true]', {timeout: 20000});
  await p.waitForSelector('dialog .document-viewer');
  // The page shows the document's content as the hub relays it from the edge (its Binary).
  const href = new URLSearchParams((await p.evaluate(() => location.hash)).split('?')[1]);
  const ref = href.getAll('ref').find((r) => r.startsWith('DocumentReference/'));
  const doc = await region.api(ctx.clinician, 'GET', `/entities/${href.get('f')}/DocumentReference/${encodeURIComponent(ref.slice(18))}?patient=${ctx.documentPatient}`);
  const attachment = doc.body.resource.content[0].attachment;
  let data = attachment.data;
  if (!data) {
    assert.match(attachment.url, /^Binary\//);
    const binary = await region.api(ctx.clinician, 'GET', `/entities/${href.get('f')}/Binary/${encodeURIComponent(attachment.url.slice(7))}?patient=${ctx.documentPatient}`);
    assert.equal(binary.status, 200, 'the hub relays the document\'s bytes');
    data = binary.body.resource.data;
  }
  const content = Buffer.from(data, 'base64');
  assert.ok(content.length > 0);
  if (attachment.contentType.startsWith('text/')) {
    assert.equal((await p.textContent('dialog pre.document-text')).trim(), content.toString('utf8').trim());
  } else {
    assert.match(await p.getAttribute('dialog iframe.document-frame', 'src'), /^blob:/);
  }
  await dr.assertAccessible('document');
  await dr.screenshot('06-document');
  await p.keyboard.press('Escape');
  await dr.assertNoConsoleErrors('document');
});

test('clinician: "request latest" asks every facility again (refresh=true) and redraws', async () => {
  const dr = people[ctx.clinician];
  const p = dr.page;
  await p.goto(`${region.url}/#/chart/${encodeURIComponent(ctx.localId)}`);
  await p.waitForSelector('.chart[data-state=ready]');
  dr.requests = [];
  await p.click('button[data-action=refresh]');
  await p.waitForSelector('.chart[data-refreshed]', {timeout: 20000});
  assert.ok(dr.requests.some((u) => u.includes('/v1/chart') && u.includes('refresh=true')), 'the chart was asked with refresh=true');
  assert.ok(await p.locator('.timeline tbody tr.event').count() > 0);
  assert.match(await p.innerText('.patient-header'), /に取得/);
  await dr.assertNoConsoleErrors('refresh');
});

test('patient: own chart, access log, unlinking the clinician\'s facility; the clinician is refused, then declares an emergency', async () => {
  const me = await person(ctx.patientLogin);
  await me.signIn();
  const p = me.page;
  const rid = ctx.patient.regional_id;
  await p.waitForSelector('.chart[data-state=ready]', {timeout: 20000});
  assert.ok(p.url().includes(`#/my/${rid}/chart`));
  const own = await region.api(ctx.patientLogin, 'GET', `/chart?regional_id=${rid}&limit=100`);
  assert.equal(await p.locator('.timeline tbody tr.event').count(), own.body.events.length);
  await me.assertAccessible('patient chart');
  await me.assertFitsTablets('patient chart');
  await me.screenshot('07-patient-chart');

  // Who accessed the record: the clinician's chart views are there.
  await p.click('.tabs a[href$="/accesses"]');
  await p.waitForSelector('table.access-log');
  const whos = await p.$$eval('table.access-log tbody tr[data-action="chart.view"] td:nth-child(2)', (c) => c.map((x) => x.textContent));
  assert.ok(whos.includes(ctx.clinician), `the access log shows ${ctx.clinician}'s chart views`);
  await me.assertAccessible('access log');
  await me.screenshot('08-patient-accesses');

  // Consent: unlink the clinician's facility.
  await p.click('.tabs a[href$="/consent"]');
  await p.waitForSelector('form.consent-form');
  await me.assertAccessible('consent');
  const box = p.locator(`form.consent-form input[value="${ctx.facility}"]`);
  assert.ok(await box.isChecked(), 'the clinician\'s facility is linked');
  await box.uncheck();
  await p.click('form.consent-form button[type=submit]');
  await p.waitForFunction((f) => {
    const el = document.querySelector(`form.consent-form input[value="${f}"]`);
    return el && !el.checked && document.querySelector('table.consent-history tbody tr');
  }, ctx.facility);
  const consent = await region.api(ctx.patientLogin, 'GET', `/patients/${rid}/consent`);
  assert.equal(consent.body.consent.state, 'active');
  assert.ok(!consent.body.consent.linked.includes(ctx.facility), 'the hub has the facility unlinked');
  await me.screenshot('09-patient-consent');
  await me.assertNoConsoleErrors('patient');

  // The clinician opens the chart again: refused, with the hub's reason.
  const dr = people[ctx.clinician];
  const q = dr.page;
  dr.expectHttpError(403, /^\/v1\/chart$/);
  await q.goto(`${region.url}/#/find`);
  await q.waitForSelector('#patient-id');
  await q.fill('#patient-id', ctx.localId);
  await q.press('#patient-id', 'Enter');
  await q.waitForSelector('.chart[data-state=denied]', {timeout: 20000});
  const refused = await region.api(ctx.clinician, 'GET', `/chart?patient=${ctx.localId}`);
  assert.equal(refused.status, 403);
  assert.equal((await q.innerText('.notice.denied .reason')).trim(), refused.body.error.message);
  assert.equal(await q.locator('.timeline tbody tr').count(), 0, 'no events shown');
  await dr.assertAccessible('refusal');
  await dr.screenshot('10-clinician-refused');
  // Break-glass: the reason is required.
  await q.click('form.breakglass-form button[type=submit]');
  await q.waitForSelector('form.breakglass-form .notice.error');
  await q.fill('form.breakglass-form textarea[name=reason]', '救急搬送、意識障害のため既往歴と処方の確認が必要');
  await q.click('form.breakglass-form button[type=submit]');
  await q.waitForSelector('.chart[data-state=ready]', {timeout: 20000});
  assert.match(await q.innerText('.access-wrap'), /緊急閲覧/);
  await dr.screenshot('11-clinician-breakglass');
  await dr.assertNoConsoleErrors('refused and break-glass');

  // The patient is told, prominently.
  await p.goto(`${region.url}/#/my/${rid}/accesses`);
  await p.reload();
  await p.waitForSelector('.breakglass-banner', {timeout: 20000});
  assert.match(await p.innerText('.breakglass-banner'), new RegExp(ctx.clinician));
  await me.assertNoConsoleErrors('break-glass notice');
});

test('proxy: sees the patient they act for', async () => {
  const proxy = region.demo.sign_ins.find((s) => s.role === 'proxy');
  const g = await person(proxy.login);
  await g.signIn();
  await g.page.waitForSelector('.chart[data-state=ready], .chart[data-state=denied]', {timeout: 20000});
  assert.ok(g.page.url().includes(`#/my/${proxy.regional_ids[0]}/chart`));
  assert.match(await g.page.innerText('main'), /代理人として表示/);
  await g.assertAccessible('proxy');
  await g.assertNoConsoleErrors('proxy');
});

test('operator: edges, users, a review item resolved, the emergency reviewed, audit search and verify', async () => {
  const op = await person('operator', {viewport: {width: 1280, height: 900}});
  await op.signIn();
  const p = op.page;
  // Facilities and edges, as /v1/edges answers.
  await p.waitForSelector('table.edges');
  const edges = await region.api('operator', 'GET', '/edges');
  for (const e of edges.body.edges) {
    assert.equal(await p.getAttribute(`table.edges tr[data-facility="${e.facility}"]`, 'class'), e.connected ? 'connected' : 'disconnected');
  }
  await op.assertAccessible('edges');
  await op.assertFitsTablets('edges');
  await op.screenshot('12-operator-edges');

  // A new user: the TOTP secret is shown once.
  await p.click('a[href="#/op/users"]');
  await p.waitForSelector('table.users');
  await p.fill('form.user-form input[name=login]', 'e2e-nurse');
  await p.fill('form.user-form input[name=display_name]', '看護 花子');
  await p.selectOption('form.user-form select[name=role]', 'clinician');
  await p.fill('form.user-form input[name=facility]', ctx.facility);
  await p.fill('form.user-form input[name=password]', 'e2e-password-123456');
  await p.click('form.user-form button[type=submit]');
  await p.waitForSelector('.secret code.totp-secret');
  assert.match(await p.textContent('.secret code.totp-secret'), /^[A-Z2-7]{16,}$/);
  await p.waitForSelector('table.users tr[data-login="e2e-nurse"]');
  await op.assertAccessible('users');
  await op.screenshot('13-operator-users');

  // A review item made honestly: two registrations of one invented person at two facilities,
  // the second with a different given name, birth date, address and phone — scored between
  // the thresholds, so the index asks an operator.
  const [fa, fb] = Object.keys(region.state.tokens);
  const base = {family_kanji: '検証試験', given_kanji: '花子', family_kana: 'ケンショウシケン', given_kana: 'ハナコ', birth_date: '19800115',
    sex: 'F', postal_code: '420-0031', address: '静岡県静岡市葵区呉服町1-2-3', phone: '054-000-1111'};
  const first = await region.api(`facility:${fa}`, 'POST', '/registrations', {local_id: 'E2E-A-1', consent: true, demographics: base});
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const second = await region.api(`facility:${fb}`, 'POST', '/registrations', {local_id: 'E2E-B-1', consent: true, demographics: {...base,
    given_kanji: '華子', birth_date: '19800511', postal_code: '430-0946', address: '静岡県浜松市中区元城町100', phone: '090-9999-8888'}});
  assert.equal(second.body.outcome, 'review', `the near-duplicate goes to review: ${JSON.stringify(second.body)}`);
  const reviewId = second.body.review_id;
  await p.click('a[href="#/op/reviews"]');
  await p.waitForSelector(`table.reviews tr[data-review="${reviewId}"]`);
  await p.click(`table.reviews tr[data-review="${reviewId}"] a`);
  await p.waitForSelector('table.side-by-side');
  const page = await p.innerText('table.side-by-side');
  assert.match(page, /花子/);
  assert.match(page, /華子/);
  const detail = await region.api('operator', 'GET', `/reviews/${reviewId}`);
  assert.ok(detail.body.breakdown.fields.every((f) => f.level === 'missing' || page.includes((f.weight >= 0 ? '+' : '') + String(Math.round(f.weight * 100) / 100))),
    'every field weight of the breakdown is shown');
  await op.assertAccessible('review');
  await op.assertFitsTablets('review');
  await op.screenshot('14-operator-review');
  await p.check('form.resolve-form input[value=keep_apart]');
  await p.fill('form.resolve-form textarea[name=reason]', '生年月日・住所・電話番号が異なり別人と判断');
  await p.click('form.resolve-form button[type=submit]');
  await p.waitForSelector('.review-state.status-kept_apart');
  assert.equal((await region.api('operator', 'GET', `/reviews/${reviewId}`)).body.status, 'kept_apart');

  // The clinician's emergency, reviewed.
  await p.click('a[href="#/op/breakglass"]');
  await p.waitForSelector('table.overrides tbody tr[data-override]');
  const row = p.locator('table.overrides tbody tr[data-override]').first();
  await row.locator('input[name=note]').fill('救急外来の記録と照合し妥当');
  await row.locator('button[type=submit]').click();
  await p.waitForFunction(() => !document.querySelector('table.overrides tbody tr[data-override] input'));
  const overrides = await region.api('operator', 'GET', '/breakglass?status=all');
  assert.ok(overrides.body.overrides.every((o) => o.reviewed_by === 'operator'));
  await op.assertAccessible('break-glass reviews');
  await op.screenshot('15-operator-breakglass');

  // Audit search for the patient: what /v1/audit answers.
  const rid = ctx.patient.regional_id;
  await p.click('a[href="#/op/audit"]');
  await p.waitForSelector('form.audit-form');
  await p.fill('form.audit-form input[name=patient]', rid);
  await p.click('form.audit-form button[type=submit]');
  await p.waitForFunction((r) => location.hash.includes(r) && document.querySelector('table.audit tbody tr[data-seq]'), rid);
  const audit = await region.api('operator', 'GET', `/audit?patient=${rid}&limit=100`);
  const seqs = await p.$$eval('table.audit tbody tr[data-seq]', (r) => r.map((x) => Number(x.dataset.seq)));
  assert.deepEqual(seqs, audit.body.entries.map((e) => e.seq));
  const patients = await p.$$eval('table.audit tbody tr[data-seq] td:nth-child(4)', (c) => [...new Set(c.map((x) => x.textContent))]);
  assert.deepEqual(patients, [rid]);
  // Verify: intact (a hub without the route is told apart and said so).
  await p.click('button.verify-button');
  await p.waitForSelector('.verify-result .notice');
  const verify = await region.api('operator', 'POST', '/audit/verify');
  if (verify.status === 200) {
    assert.equal(await p.getAttribute('.verify-result .notice', 'data-intact'), 'true');
  } else {
    assert.match(await p.innerText('.verify-result'), /audit\/verify/);
  }
  await op.assertAccessible('audit');
  await op.assertFitsTablets('audit');
  await op.screenshot('16-operator-audit');

  // Certificates: issue and revoke when the hub has the routes.
  await p.click('a[href="#/op/certificates"]');
  await p.waitForSelector('.op-page .notice, table.certs');
  const certs = await region.api('operator', 'GET', '/certificates');
  if (certs.status === 200) {
    await p.fill('form.cert-form input[name=name]', 'dr-e2e');
    await p.selectOption('form.cert-form select[name=role]', 'user');
    await p.fill('form.cert-form input[name=facility]', ctx.facility);
    await p.click('form.cert-form button[type=submit]');
    await p.waitForSelector('.issued-area a[download$=".key"]');
    assert.match(await p.getAttribute('.issued-area a[download$=".key"]', 'href'), /^blob:/, 'the key is offered as a file made in the page');
    const issued = (await region.api('operator', 'GET', '/certificates')).body.certificates.find((c) => c.name === 'dr-e2e');
    assert.ok(issued && !issued.revoked_at);
    const row = p.locator(`table.certs tr[data-serial="${issued.serial}"]`);
    await row.locator('input[name=reason]').fill('端末の紛失');
    await row.locator('button[type=submit]').click();
    await p.waitForSelector(`table.certs tr.revoked[data-serial="${issued.serial}"]`);
    const revoked = (await region.api('operator', 'GET', '/certificates')).body.certificates.find((c) => c.serial === issued.serial);
    assert.ok(revoked.revoked_at, 'the hub has it revoked');
  } else {
    assert.match(await p.innerText('main'), /certificates/);
  }
  await op.assertAccessible('certificates');
  await op.screenshot('17-operator-certificates');
  await op.assertNoConsoleErrors('operator');
});

serviceGatewayTests({region: () => region, person, ctx});

test('language: English on the toggle, remembered, <html lang> follows', async () => {
  const op = people.operator;
  const p = op.page;
  await p.click('button.lang-toggle');
  await p.waitForFunction(() => document.documentElement.lang === 'en');
  assert.match(await p.innerText('header'), /Sign out/);
  await p.reload();
  await p.waitForSelector('.who-name');
  assert.equal(await p.getAttribute('html', 'lang'), 'en');
  assert.match(await p.innerText('main'), /Audit|Facilities|Certificates/);
  await op.assertAccessible('English');
  await p.click('button.lang-toggle');
  await p.waitForFunction(() => document.documentElement.lang === 'ja');
  await op.assertNoConsoleErrors('language');
});

test('sign-out ends the session: the API refuses the token, the page shows the sign-in', async () => {
  const op = people.operator;
  const p = op.page;
  const token = await p.evaluate(() => sessionStorage.getItem('renkei.session'));
  assert.ok(token && !(await p.evaluate(() => JSON.stringify(localStorage))).includes(token), 'the token is in sessionStorage only');
  await p.click('header .who button');
  await p.waitForSelector('form.signin-form');
  const r = await fetch(`${region.url}/v1/me`, {headers: {Authorization: `Bearer ${token}`}});
  assert.equal(r.status, 401);
  await op.assertNoConsoleErrors('sign-out');
});
