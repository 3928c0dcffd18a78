// One chart line opened: its entities fetched from the facility that holds them
// (GET /v1/entities/{facility}/{type}/{id}?patient=… | regional_id=…) and shown by kind —
// prescriptions as a table, a lab report's results as a table with a link to each test's trend,
// a diagnosis, an allergy (highlighted), a document opened in the page (text as text, PDF in a
// frame of a blob: URL made here, images as images), an encounter, an imaging order or study.

import {get, seg} from '../api.js';
import {h, replace} from '../dom.js';
import {t, formatDate, flagText} from '../i18n.js';
import {errorBox, notice, loading, table, facts} from '../ui.js';
import * as F from './fhir.js';

// Blob URLs made for documents, released when the next document is opened.
let blobUrls = [];

function entityPath(facility, ref) {
  const [type, ...rest] = String(ref).split('/');
  return `/entities/${seg(facility)}/${seg(type)}/${seg(rest.join('/'))}`;
}

export async function renderEventDetail(body, {facility, refs, subject, signal, trendHref}) {
  for (const url of blobUrls) URL.revokeObjectURL(url);
  blobUrls = [];
  replace(body, loading(t('detail.loading')));
  if (!refs.length) {
    replace(body, notice(t('detail.no_entities')));
    return;
  }
  const answers = await Promise.all(refs.map((ref) => get(entityPath(facility, ref), subject, signal)));
  if (answers.some((r) => r.code === 'aborted')) return;
  const byType = new Map();
  const parts = [];
  answers.forEach((r, i) => {
    if (!r.ok) {
      parts.push(errorBox(r));
      return;
    }
    const resource = r.data.resource || {};
    const type = resource.resourceType || refs[i].split('/')[0];
    if (!byType.has(type)) byType.set(type, []);
    byType.get(type).push(resource);
  });
  for (const [type, resources] of byType) {
    switch (type) {
      case 'MedicationRequest':
      case 'MedicationAdministration':
        parts.push(medicationTable(resources));
        break;
      case 'DiagnosticReport':
        parts.push(await labReports(resources, {facility, subject, signal, trendHref}));
        break;
      case 'Observation':
        parts.push(observationTable(resources.map((o) => ({resource: o})), trendHref));
        break;
      case 'Condition':
        for (const r of resources) parts.push(conditionView(r));
        break;
      case 'AllergyIntolerance':
        for (const r of resources) parts.push(allergyView(r));
        break;
      case 'DocumentReference':
        for (const r of resources) parts.push(await documentView(r, {facility, subject, signal}));
        break;
      case 'Encounter':
        for (const r of resources) parts.push(encounterView(r));
        break;
      default:
        for (const r of resources) parts.push(genericView(r));
    }
  }
  replace(body, ...parts);
  body.dataset.loaded = 'true';
}

function medicationTable(resources) {
  const rows = resources.map((r) => {
    const m = F.medication(r);
    return [m.name, m.dose, m.usage, m.duration, m.quantity, m.route];
  });
  return table({caption: t('meds.caption', {n: rows.length}), rows, attrs: {class: 'meds'},
    columns: [t('meds.drug'), t('meds.dose'), t('meds.usage'), t('meds.duration'), t('meds.quantity'), t('meds.route')]
      .map((label) => ({label}))});
}

async function labReports(reports, {facility, subject, signal, trendHref}) {
  const refs = reports.flatMap((r) => F.arr(r.result).map((x) => F.str(x.reference)).filter((x) => x.startsWith('Observation/')));
  const answers = await Promise.all(refs.map((ref) => get(entityPath(facility, ref), subject, signal)));
  const observations = answers.filter((r) => r.ok).map((r) => ({resource: r.data.resource}));
  const failed = answers.filter((r) => !r.ok);
  return h('div', {class: 'lab-report'},
    h('p', {class: 'report-kind'}, reports.map((r) => F.conceptText(r.code)).filter(Boolean).join('・')),
    observationTable(observations, trendHref),
    failed.length ? errorBox(failed[0]) : null);
}

// Lab results: test, value, unit, reference range, flag (as text and a mark, not colour
// alone), and a link to the test's trend across facilities.
export function observationTable(items, trendHref, {withDate = false, withFacility = null} = {}) {
  const rows = items.map(({resource: o, occurred_at: at, facility}) => {
    const v = F.observationValue(o);
    const range = F.referenceRange(o);
    const flag = F.interpretation(o);
    const abnormal = F.isAbnormalFlag(flag);
    const code = F.testKey(o);
    const cells = [];
    if (withDate) cells.push(h('time', {datetime: at}, formatDate(at || F.effectiveTime(o), true)));
    if (withFacility) cells.push(withFacility(facility));
    cells.push(F.conceptText(o.code),
      h('span', {class: ['value', abnormal && 'abnormal']}, v.text),
      range.text,
      abnormal ? h('span', {class: 'flag abnormal'}, h('span', {'aria-hidden': 'true'}, flag.startsWith('L') ? '▼ ' : '▲ '), flagText(flag)) : (flag ? flagText(flag) : ''));
    if (trendHref) cells.push(code ? h('a', {href: trendHref(code), class: 'trend-link'}, t('labs.trend')) : '');
    return {attrs: {class: abnormal ? 'abnormal' : null, 'data-code': code}, cells};
  });
  const columns = [];
  if (withDate) columns.push({label: t('timeline.date')});
  if (withFacility) columns.push({label: t('timeline.facility')});
  columns.push({label: t('labs.test')}, {label: t('labs.value'), class: 'num'}, {label: t('labs.range')}, {label: t('labs.flag')});
  if (trendHref) columns.push({label: t('labs.trend')});
  return table({caption: t('labs.results', {n: rows.length}), rows, columns, attrs: {class: 'labs'}, empty: t('labs.none')});
}

function conditionView(r) {
  const c = F.condition(r);
  return h('div', {class: 'entity condition'}, facts([
    [t('dx.name'), h('span', {}, c.name, c.main ? h('span', {class: 'badge main'}, t('dx.main')) : null)],
    ['ICD-10', c.icd10],
    [t('dx.onset'), formatDate(c.onset)],
    [t('dx.status'), c.clinical],
    [t('dx.verification'), c.verification],
    [t('dx.abatement'), formatDate(c.abatement)],
  ]));
}

function allergyView(r) {
  const a = F.allergy(r);
  return h('div', {class: 'entity allergy-detail', role: 'note'},
    h('p', {class: 'allergy-banner present'}, h('span', {class: 'icon', 'aria-hidden': 'true'}, '⚠'), h('strong', {}, `${t('chart.allergies')}: ${a.substance}`)),
    facts([
      [t('allergy.category'), a.category],
      [t('allergy.reaction'), a.manifestation],
      [t('allergy.severity'), a.severity ? t(`allergy.${a.severity}`) : ''],
      [t('allergy.status'), [a.clinical, a.verification].filter(Boolean).join(' / ')],
      [t('allergy.onset'), formatDate(a.onset)],
    ]));
}

function encounterView(r) {
  const period = r.period || {};
  return h('div', {class: 'entity encounter'}, facts([
    [t('enc.kind'), F.conceptText(F.arr(r.type)[0]) || F.str(r.class && r.class.display)],
    [t('enc.department'), F.conceptText(r.serviceType)],
    [t('enc.start'), formatDate(period.start, true)],
    [t('enc.end'), formatDate(period.end, true)],
    [t('enc.location'), F.arr(r.location).map((l) => F.str(l.location && l.location.display)).filter(Boolean).join(', ')],
    [t('detail.practitioner'), [...new Set(F.arr(r.participant).map((p) => F.str(p.individual && p.individual.display)).filter(Boolean))].join(', ')],
    [t('enc.status'), F.str(r.status)],
  ]));
}

function genericView(r) {
  const pairs = [
    [t('generic.type'), F.str(r.resourceType)],
    [t('generic.what'), F.conceptText(r.code) || F.conceptText(F.arr(r.category)[0])],
    [t('generic.when'), formatDate(F.effectiveTime(r), true)],
    [t('generic.status'), F.str(r.status)],
    [t('generic.requester'), F.str(r.requester && r.requester.display)],
  ];
  if (r.resourceType === 'ImagingStudy') {
    pairs.push([t('images.modality'), F.arr(r.modality).map((m) => F.str(m.code)).join(', ')],
      [t('images.series'), String(F.arr(r.series).length || r.numberOfSeries || '')],
      [t('images.instances'), String(r.numberOfInstances || '')],
      [t('images.description'), F.str(r.description)]);
  }
  return h('div', {class: 'entity generic'}, facts(pairs),
    h('details', {class: 'raw'}, h('summary', {}, t('generic.raw')), h('pre', {}, JSON.stringify(r, null, 2))));
}

// A document shown in the page. Its content is the attachment's data, or the Binary the
// attachment's url names (fetched from the facility like any entity).
async function documentView(r, {facility, subject, signal}) {
  const a = F.attachment(r);
  const head = h('div', {class: 'document-head'}, facts([
    [t('doc.kind'), F.conceptText(r.type)],
    [t('doc.title'), a.title],
    [t('doc.date'), formatDate(F.str(r.date) || a.creation, true)],
    [t('doc.type'), a.contentType],
    [t('doc.size'), a.size === null ? '' : t('doc.bytes', {n: a.size})],
  ]));
  let data = a.data;
  let contentType = a.contentType;
  let problem = null;
  if (!data && a.url.startsWith('Binary/')) {
    const b = await get(entityPath(facility, a.url), subject, signal);
    if (b.ok && b.data.resource && F.str(b.data.resource.data)) {
      data = b.data.resource.data;
      contentType = F.str(b.data.resource.contentType) || contentType;
    } else {
      problem = b;
    }
  }
  const viewer = h('div', {class: 'document-viewer', 'data-content-type': contentType || ''});
  if (!data) {
    viewer.appendChild(problem && !problem.ok
      ? errorBox(t('doc.unavailable', {message: problem.message || problem.code}))
      : notice(t('doc.no_content'), 'warn'));
    return h('div', {class: 'entity document'}, head, viewer);
  }
  const bytes = F.base64Bytes(data);
  const type = (contentType || 'application/octet-stream').toLowerCase();
  if (type.startsWith('text/') || type === 'application/json' || type.endsWith('+xml') || type === 'application/xml') {
    const charset = /charset=([^;]+)/.exec(type);
    let text;
    try {
      text = new TextDecoder(charset ? charset[1].trim() : 'utf-8').decode(bytes);
    } catch {
      text = new TextDecoder('utf-8').decode(bytes);
    }
    viewer.appendChild(h('pre', {class: 'document-text', tabindex: '0', 'aria-label': a.title || t('doc.content')}, text));
  } else {
    const url = URL.createObjectURL(new Blob([bytes], {type}));
    blobUrls.push(url);
    if (type === 'application/pdf') {
      viewer.appendChild(h('iframe', {class: 'document-frame', src: url, title: a.title || t('doc.content')}));
    } else if (type.startsWith('image/')) {
      viewer.appendChild(h('img', {class: 'document-image', src: url, alt: a.title || t('doc.content')}));
    }
    viewer.appendChild(h('p', {}, h('a', {href: url, download: a.title || 'document'}, t('doc.download'))));
  }
  return h('div', {class: 'entity document'}, head, viewer);
}
