// The clinician viewer: find a patient by the patient ID of your own facility (or by name,
// kana and birth date: PDQ, GET /v1/patients), then the one chart (chart/chart_view.js).
//
//   #/find                          the patient ID field and the search form
//   #/search?family_kana=…          search results: pick one
//   #/chart/LOCAL_ID[/tab][?…]      the chart; tabs: meds, labs, diagnoses, allergies,
//                                   documents, images, event (one line opened)

import {get} from '../api.js';
import {h, replace, field, select} from '../dom.js';
import {t, formatDate, sexLabel, age} from '../i18n.js';
import {href, go} from '../router.js';
import {facilityName} from '../facilities.js';
import {pageHeading, errorBox, loading, table, announce} from '../ui.js';
import {ChartView, clinicianPerson} from '../chart/chart_view.js';

let view = null;

function lookupForm(me, value = '', {compact = false} = {}) {
  const input = h('input', {type: 'text', name: 'patient', id: 'patient-id', value, autocomplete: 'off', spellcheck: 'false',
    inputmode: 'text', required: true, class: 'patient-id-input', enterkeyhint: 'search'});
  const form = h('form', {class: ['lookup', compact && 'compact'], role: 'search', 'aria-label': t('lookup.label'), novalidate: true},
    field(t('lookup.patient_id', {facility: facilityName(me.facility)}), input).field,
    h('button', {type: 'submit', class: 'primary'}, t('lookup.open')),
    compact ? h('a', {href: '#/find', class: 'button secondary'}, t('lookup.by_name')) : null);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = input.value.trim();
    if (!id) {
      input.setAttribute('aria-invalid', 'true');
      announce(t('lookup.required'), {assertive: true});
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    performance.clearMarks('rk-lookup');
    performance.clearMarks('rk-chart-painted');
    performance.clearMarks('rk-chart-complete');
    performance.mark('rk-lookup');
    pendingFocus = true;
    go(href(['chart', id]));
  });
  return {form, input};
}

let pendingFocus = false;

function searchForm(query) {
  const familyKana = h('input', {type: 'text', name: 'family_kana', value: query.get('family_kana') || '', lang: 'ja'});
  const givenKana = h('input', {type: 'text', name: 'given_kana', value: query.get('given_kana') || '', lang: 'ja'});
  const family = h('input', {type: 'text', name: 'family', value: query.get('family') || '', lang: 'ja'});
  const birth = h('input', {type: 'date', name: 'birth_date', value: toIsoDate(query.get('birth_date') || '')});
  const sex = select([['', t('search.any_sex')], ['M', t('sex.male')], ['F', t('sex.female')]], query.get('sex') || '', {name: 'sex'});
  const form = h('form', {class: 'search-form', role: 'search', 'aria-labelledby': 'search-title'},
    h('h2', {id: 'search-title'}, t('search.title')),
    h('div', {class: 'form-grid'},
      field(t('search.family_kana'), familyKana).field,
      field(t('search.given_kana'), givenKana).field,
      field(t('search.family'), family).field,
      field(t('search.birth_date'), birth).field,
      field(t('search.sex'), sex).field),
    h('button', {type: 'submit'}, t('search.submit')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go(href(['search'], {family_kana: familyKana.value.trim(), given_kana: givenKana.value.trim(), family: family.value.trim(),
      birth_date: birth.value.replaceAll('-', ''), sex: sex.value}));
  });
  return form;
}

function toIsoDate(compact) {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(compact);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : compact;
}

function findPage(ctx, query, {results = false} = {}) {
  if (view) {
    view.destroy();
    view = null;
  }
  ctx.setCurrentNav('find');
  const {form, input} = lookupForm(ctx.me);
  const resultsEl = h('div', {class: 'search-results', 'aria-live': 'polite'});
  replace(ctx.main, h('div', {class: 'find'},
    pageHeading(t('find.title')),
    h('p', {class: 'lead'}, t('find.lead')),
    form,
    searchForm(query),
    resultsEl));
  if (results) {
    runSearch(ctx.me, query, resultsEl);
  } else {
    input.focus();
  }
}

async function runSearch(me, query, el) {
  const params = {};
  for (const name of ['family_kana', 'given_kana', 'family', 'birth_date', 'sex']) {
    if (query.get(name)) params[name] = query.get(name);
  }
  if (Object.keys(params).length === 0) {
    replace(el, errorBox(t('search.empty_query')));
    return;
  }
  replace(el, loading(t('search.searching')));
  const r = await get('/patients', {...params, limit: 20});
  if (!r.ok) {
    replace(el, errorBox(r));
    return;
  }
  const persons = r.data.persons || [];
  const rows = persons.map((p) => {
    const own = (p.identifiers || []).find((i) => i.facility === me.facility);
    const d = (own && own.demographics) || {};
    const name = [d.family_kanji, d.given_kanji].filter(Boolean).join(' ');
    const kana = [d.family_kana, d.given_kana].filter(Boolean).join(' ');
    const years = age(d.birth_date);
    return [
      own ? h('a', {href: href(['chart', own.local_id])}, name || own.local_id) : name,
      kana,
      formatDate(d.birth_date),
      years === null ? '' : t('chart.years', {n: years}),
      sexLabel(d.sex),
      own ? own.local_id : '',
      String((p.identifiers || []).length),
    ];
  });
  replace(el, table({caption: t('search.results', {n: rows.length}), rows, empty: t('search.none'), attrs: {class: 'search-table'},
    columns: [t('search.name'), t('search.kana'), t('chart.birth_date'), t('chart.age'), t('chart.sex'), t('chart.local_id'),
      t('search.facilities')].map((label) => ({label}))}));
  announce(t('search.results', {n: rows.length}));
}

function chartPage(ctx, params, query) {
  ctx.setCurrentNav('find');
  const id = params.id;
  const tab = params.tab || 'timeline';
  const subject = {patient: id};
  if (view && view.key() === JSON.stringify(subject) && ctx.main.contains(view.container)) {
    view.route(tab, query);
    return;
  }
  if (view) view.destroy();
  const {form} = lookupForm(ctx.me, id, {compact: true});
  const container = h('div', {class: 'chart-container'});
  replace(ctx.main, h('div', {class: 'viewer'}, h('h1', {class: 'visually-hidden page-title', tabindex: '-1'}, t('viewer.title')), form, container));
  document.title = `${t('viewer.title')} ${id} — Renkei`;
  view = new ChartView({subject, base: ['chart', id], mode: 'clinician', person: clinicianPerson(ctx.me.facility, id)});
  view.mount(container, {tab, query, focus: pendingFocus});
  pendingFocus = false;
}

export default {
  title: () => t('portal.clinician'),
  nav: () => [{id: 'find', href: '#/find', label: t('nav.find')}],
  home: () => '#/find',
  routes(router, ctx) {
    view = null;
    router.add('/find', (params, query) => findPage(ctx, query));
    router.add('/search', (params, query) => findPage(ctx, query, {results: true}));
    router.add('/chart/:id/:tab?', (params, query) => chartPage(ctx, params, query));
  },
};
