// The audit trail: search (GET /v1/audit?patient=&principal=&facility=&action=&from=&to=
// &before=&limit=, newest first, paged by `before`) and verification of the hash chain
// (POST /v1/audit/verify → intact, or the first bad entry).

import {get, post, noRoute} from '../api.js';
import {h, replace, field} from '../dom.js';
import {t, formatInstant} from '../i18n.js';
import {href, go} from '../router.js';
import {facilityName} from '../facilities.js';
import {pageHeading, errorBox, notice, loading, table, busyButton, announce} from '../ui.js';
import {actionLabel, decisionCell} from './audit_labels.js';

const FILTERS = ['patient', 'principal', 'facility', 'action', 'from', 'to'];

export async function renderAudit(ctx, params, query) {
  const results = h('div', {'aria-live': 'polite'});
  const verifyOut = h('div', {class: 'verify-result', 'aria-live': 'polite'});
  const inputs = {};
  for (const name of FILTERS) {
    const type = name === 'from' || name === 'to' ? 'date' : 'text';
    inputs[name] = h('input', {type, name, value: query.get(name) || '', autocomplete: 'off'});
  }
  const form = h('form', {class: 'audit-form', role: 'search', 'aria-labelledby': 'audit-search'},
    h('h2', {id: 'audit-search'}, t('audit.search')),
    h('div', {class: 'form-grid'}, FILTERS.map((name) => field(t(`audit.f_${name}`), inputs[name], t(`audit.h_${name}`)).field)),
    h('button', {type: 'submit', class: 'primary'}, t('audit.search_submit')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = {};
    for (const name of FILTERS) q[name] = inputs[name].value.trim();
    go(href(['op', 'audit'], {...q, searched: '1'}));
  });
  const verify = busyButton(t('audit.verify'), async () => {
    replace(verifyOut, loading(t('audit.verifying')));
    const r = await post('/audit/verify');
    if (!r.ok) {
      replace(verifyOut, noRoute(r) ? notice(t('audit.verify_no_route'), 'warn') : errorBox(r));
      return;
    }
    // {"intact", "first_bad": seq | null, "reason", "message", "entries", "heads", "signatures", "signer", ...}
    const v = r.data;
    const bad = v.first_bad && typeof v.first_bad === 'object' ? v.first_bad : {seq: v.first_bad, problem: v.reason};
    const text = v.intact ? t('audit.intact', {entries: v.entries, heads: v.heads})
      : t('audit.broken', {seq: bad.seq ?? '?', problem: bad.problem || v.reason || ''});
    replace(verifyOut, h('div', {class: ['notice', v.intact ? 'ok' : 'error', 'verify'], role: v.intact ? 'status' : 'alert', 'data-intact': String(v.intact)},
      h('span', {class: 'icon', 'aria-hidden': 'true'}, v.intact ? '✓' : '⚠'), h('span', {}, text),
      v.message ? h('span', {class: 'muted'}, ` ${v.message}`) : null));
    announce(text, {assertive: !v.intact});
  }, {class: 'secondary verify-button'});
  replace(ctx.main, h('div', {class: 'op-page'},
    pageHeading(t('op.audit_title')),
    h('section', {'aria-labelledby': 'verify-title', class: 'verify-section'},
      h('h2', {id: 'verify-title'}, t('audit.verify_title')), h('p', {class: 'hint'}, t('audit.verify_hint')), verify, verifyOut),
    form,
    results));
  await search(results, query);
}

function toTime(date, end) {
  if (!date) return null;
  return end ? `${date}T23:59:59Z` : `${date}T00:00:00Z`;
}

async function search(results, query) {
  replace(results, loading());
  const params = {
    patient: query.get('patient'), principal: query.get('principal'), facility: query.get('facility'), action: query.get('action'),
    from: toTime(query.get('from'), false), to: toTime(query.get('to'), true), before: query.get('before'), limit: 100,
  };
  const r = await get('/audit', params);
  if (!r.ok) {
    replace(results, errorBox(r));
    return;
  }
  const entries = r.data.entries || [];
  const rows = entries.map((e) => ({attrs: {class: e.decision === 'deny' ? 'denied' : null, 'data-seq': e.seq}, cells: [
    String(e.seq), formatInstant(e.time),
    h('span', {}, h('span', {class: 'audit-who'}, e.who), h('br'),
      h('span', {class: 'muted'}, [t(`role.${e.role}`), e.facility ? facilityName(e.facility) : ''].filter(Boolean).join(' · '))),
    e.patient, actionLabel(e.action), decisionCell(e.decision),
    h('span', {}, e.reason, h('br'), h('span', {class: 'muted'}, [e.purpose, e.remote].filter(Boolean).join(' · '))),
  ]}));
  const base = {};
  for (const name of FILTERS) if (query.get(name)) base[name] = query.get(name);
  replace(results,
    h('h2', {id: 'audit-results'}, t('audit.results', {n: entries.length})),
    table({caption: t('audit.results', {n: entries.length}), captionHidden: true, rows, attrs: {class: 'audit'}, empty: t('audit.none'),
      columns: ['#', t('audit.time'), t('audit.who_where'), t('audit.patient'), t('audit.action'),
        t('audit.decision'), t('audit.reason_purpose')].map((label) => ({label}))}),
    h('div', {class: 'pager'},
      query.get('before') ? h('a', {href: href(['op', 'audit'], base), class: 'button secondary'}, t('common.newest')) : null,
      r.data.next_before ? h('a', {href: href(['op', 'audit'], {...base, before: r.data.next_before}), class: 'button secondary'}, t('common.older')) : null));
  if (query.get('searched')) announce(t('audit.results', {n: entries.length}));
}
