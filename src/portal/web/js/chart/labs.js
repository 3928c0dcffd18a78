// Lab results across facilities: the tests the patient had (each with its latest value and the
// facilities that measured it) and, for the chosen test, its trend plot — one series per
// facility, e.g. HbA1c from three hospitals on one chart — and every result of it as a table.
// Tests are matched across facilities by their JLAC10 code (Observation.code.coding).

import {h} from '../dom.js';
import {t, formatDate, flagText} from '../i18n.js';
import {facilityName} from '../facilities.js';
import {trendPlot} from '../trend.js';
import {table, notice} from '../ui.js';
import {observationTable} from './detail.js';
import * as F from './fhir.js';

// Groups Observation entries (/v1/resources items) by test.
export function groupTests(resources) {
  const tests = new Map();
  for (const item of resources) {
    const o = item.resource;
    if (!o || o.resourceType !== 'Observation') continue;
    const code = F.testKey(o);
    if (!code) continue;
    if (!tests.has(code)) tests.set(code, {code, name: F.conceptText(o.code), items: [], facilities: new Set()});
    const test = tests.get(code);
    test.items.push(item);
    test.facilities.add(item.facility);
  }
  for (const test of tests.values()) {
    test.items.sort((a, b) => timeOf(b) - timeOf(a));
  }
  return [...tests.values()].sort((a, b) => b.facilities.size - a.facilities.size || b.items.length - a.items.length ||
    a.name.localeCompare(b.name));
}

function timeOf(item) {
  const text = F.effectiveTime(item.resource) || item.occurred_at || '';
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? 0 : ms;
}

export function renderLabs(resources, {selected, hrefFor}) {
  const tests = groupTests(resources);
  if (tests.length === 0) return h('p', {class: 'empty'}, t('labs.none'));
  const current = tests.find((x) => x.code === selected) || tests[0];

  const overview = table({
    caption: t('labs.tests', {n: tests.length}),
    attrs: {class: 'lab-tests'},
    columns: [{label: t('labs.test')}, {label: t('labs.latest'), class: 'num'}, {label: t('labs.flag')}, {label: t('labs.latest_date')},
      {label: t('labs.facilities')}, {label: t('labs.count'), class: 'num'}],
    rows: tests.map((test) => {
      const latest = test.items[0];
      const v = F.observationValue(latest.resource);
      const flag = F.interpretation(latest.resource);
      const abnormal = F.isAbnormalFlag(flag);
      return {attrs: {class: [test === current && 'selected', abnormal && 'abnormal'], 'data-code': test.code}, cells: [
        h('a', {href: hrefFor(test.code), 'aria-current': test === current ? 'true' : null, class: 'test-link'}, test.name),
        h('span', {class: ['value', abnormal && 'abnormal']}, v.text),
        abnormal ? h('span', {class: 'flag abnormal'}, h('span', {'aria-hidden': 'true'}, flag.startsWith('L') ? '▼ ' : '▲ '), flagText(flag)) : '',
        formatDate(F.effectiveTime(latest.resource) || latest.occurred_at),
        [...test.facilities].map(facilityName).join('、'),
        String(test.items.length),
      ]};
    }),
  });

  // The chosen test: a series per facility of its numeric results.
  const series = [...current.facilities].map((facility) => ({
    key: facility,
    name: facilityName(facility),
    points: current.items.filter((x) => x.facility === facility).map((x) => {
      const v = F.observationValue(x.resource);
      return {time: timeOf(x), value: v.number, text: v.text, flag: F.interpretation(x.resource)};
    }).filter((p) => p.value !== null && p.time > 0),
  })).filter((se) => se.points.length > 0);
  const ranges = current.items.map((x) => F.referenceRange(x.resource));
  const range = ranges.find((r) => r.low !== null || r.high !== null) || {low: null, high: null};
  const unit = current.items.map((x) => F.observationValue(x.resource).unit).find(Boolean) || '';
  const units = new Set(current.items.map((x) => F.observationValue(x.resource).unit).filter(Boolean));

  const plot = series.length
    ? trendPlot({title: current.name, unit, low: range.low, high: range.high, series})
    : notice(t('labs.not_numeric'));

  return h('div', {class: 'labs-view'},
    h('section', {class: 'trend-section', 'aria-labelledby': 'trend-heading', 'data-code': current.code},
      h('h3', {id: 'trend-heading'}, t('labs.trend_of', {test: current.name})),
      units.size > 1 ? notice(t('labs.mixed_units', {units: [...units].join(', ')}), 'warn') : null,
      plot,
      observationTable(current.items, null, {withDate: true, withFacility: facilityName})),
    overview);
}
