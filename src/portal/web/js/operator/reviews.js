// The patient index's review queue: uncertain matches (GET /v1/reviews?status=…), one item
// with both registrations side by side and the score breakdown (GET /v1/reviews/{id}), and the
// decision — link or keep apart, with a reason (POST /v1/reviews/{id}/resolve).

import {get, post, seg} from '../api.js';
import {h, replace, field, uid} from '../dom.js';
import {t, formatInstant, formatDate, number, sexLabel} from '../i18n.js';
import {href} from '../router.js';
import {facilityName} from '../facilities.js';
import {pageHeading, errorBox, notice, loading, table, announce} from '../ui.js';

const STATUSES = ['open', 'linked', 'kept_apart', 'obsolete', 'all'];
const FIELDS = ['family_kanji', 'given_kanji', 'family_kana', 'given_kana', 'birth_date', 'sex', 'postal_code', 'address', 'phone', 'identifier'];

export async function renderReviews(ctx, params, query) {
  const status = STATUSES.includes(query.get('status')) ? query.get('status') : 'open';
  const list = h('div', {});
  replace(ctx.main, h('div', {class: 'op-page'},
    pageHeading(t('op.reviews_title')),
    h('p', {class: 'lead'}, t('op.reviews_lead')),
    h('nav', {class: 'filter-links', 'aria-label': t('op.review_status')}, h('ul', {}, STATUSES.map((s) => h('li', {},
      h('a', {href: href(['op', 'reviews'], {status: s === 'open' ? '' : s}), 'aria-current': s === status ? 'page' : null}, t(`review.${s}`)))))),
    list));
  replace(list, loading());
  const r = await get('/reviews', {status, limit: 200});
  if (!r.ok) {
    replace(list, errorBox(r));
    return;
  }
  const rows = (r.data.reviews || []).map((x) => ({attrs: {'data-review': x.id}, cells: [
    h('a', {href: href(['op', 'reviews', x.id])}, t('op.review_n', {id: x.id})),
    number(x.score, 2),
    x.breakdown && typeof x.breakdown.probability === 'number' ? `${number(x.breakdown.probability * 100, 1)}%` : '',
    t(`review.${x.status}`),
    formatInstant(x.created_at),
    x.resolved_by ? `${x.resolved_by}: ${x.reason || ''}` : '',
  ]}));
  replace(list, table({caption: t('op.reviews_title'), captionHidden: true, rows, attrs: {class: 'reviews'}, empty: t('op.reviews_none'),
    columns: [t('op.review'), t('op.score'), t('op.probability'), t('op.state'), t('op.created'), t('op.resolution')].map((label) => ({label}))}));
}

function demographicValue(name, d) {
  const v = (d || {})[name] || '';
  if (name === 'birth_date') return formatDate(v);
  if (name === 'sex') return v ? `${sexLabel(v)} (${v})` : '';
  return v;
}

export async function renderReview(ctx, params) {
  const body = h('div', {});
  replace(ctx.main, h('div', {class: 'op-page'}, pageHeading(t('op.review_n', {id: params.id})),
    h('p', {}, h('a', {href: '#/op/reviews'}, t('op.back_to_reviews'))), body));
  replace(body, loading());
  const r = await get(`/reviews/${seg(params.id)}`);
  if (!r.ok) {
    replace(body, errorBox(r));
    return;
  }
  const x = r.data;
  const a = x.registration || {};
  const b = x.candidate || {};
  const breakdown = x.breakdown || {};
  const weights = new Map((breakdown.fields || []).map((f) => [f.field, f]));
  const fieldOfDemographic = {family_kanji: 'family_name', given_kanji: 'given_name', family_kana: 'family_kana', given_kana: 'given_kana',
    birth_date: 'birth_date', sex: 'sex', postal_code: 'postal_code', address: 'address', phone: 'phone', identifier: 'identifier'};
  const side = table({
    caption: t('op.side_by_side'),
    attrs: {class: 'side-by-side'},
    columns: [{label: t('op.field'), rowHeader: true}, {label: t('op.registration_side', {facility: facilityName(a.facility)})},
      {label: t('op.candidate_side', {facility: facilityName(b.facility)})}, {label: t('op.level')}, {label: t('op.weight'), class: 'num'}],
    rows: [
      {cells: [t('op.facility'), `${facilityName(a.facility)} (${a.facility})`, `${facilityName(b.facility)} (${b.facility})`, '', '']},
      {cells: [t('chart.local_id'), a.local_id, b.local_id, '', '']},
      {cells: [t('chart.regional_id'), a.regional_id, b.regional_id, '', '']},
      ...FIELDS.map((name) => {
        const w = weights.get(fieldOfDemographic[name]);
        const same = demographicValue(name, a.demographics) === demographicValue(name, b.demographics);
        return {attrs: {class: w ? `level-${w.level}` : null}, cells: [t(`demo.${name}`), demographicValue(name, a.demographics),
          demographicValue(name, b.demographics), w ? h('span', {}, h('span', {'aria-hidden': 'true'}, same ? '＝ ' : '≠ '), t(`level.${w.level}`, {}) ) : '',
          w ? h('span', {class: w.weight >= 0 ? 'plus' : 'minus'}, (w.weight >= 0 ? '+' : '') + number(w.weight, 2)) : '']};
      }),
      {attrs: {class: 'prior'}, cells: [t('op.prior'), '', '', '', number(breakdown.prior, 2)]},
      {attrs: {class: 'total'}, cells: [t('op.total'), '', '', `${t('op.probability')} ${number((breakdown.probability || 0) * 100, 1)}%`,
        number(breakdown.weight ?? x.score, 2)]},
    ],
  });
  const resolved = x.status !== 'open';
  const status = h('div', {'aria-live': 'polite'});
  let form = null;
  if (!resolved) {
    const name = uid('decision');
    const link = h('input', {type: 'radio', name, value: 'link', id: `${name}-link`});
    const apart = h('input', {type: 'radio', name, value: 'keep_apart', id: `${name}-apart`});
    const reason = h('textarea', {name: 'reason', rows: 2, required: true});
    form = h('form', {class: 'resolve-form', 'aria-labelledby': 'resolve-title', novalidate: true},
      h('h2', {id: 'resolve-title'}, t('op.resolve')),
      h('fieldset', {}, h('legend', {}, t('op.decision')),
        h('div', {class: 'check'}, link, h('label', {for: link.id}, t('op.decide_link'))),
        h('div', {class: 'check'}, apart, h('label', {for: apart.id}, t('op.decide_apart')))),
      field(t('op.reason'), reason).field,
      h('button', {type: 'submit', class: 'primary'}, t('op.resolve_submit')),
      status);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const decision = link.checked ? 'link' : apart.checked ? 'keep_apart' : '';
      if (!decision || !reason.value.trim()) {
        replace(status, errorBox(t('op.resolve_incomplete')));
        return;
      }
      const res = await post(`/reviews/${seg(params.id)}/resolve`, {decision, reason: reason.value.trim()});
      if (!res.ok) {
        replace(status, errorBox(res));
        return;
      }
      announce(t('op.resolved', {id: params.id}));
      renderReview(ctx, params).then(() => {
        const s = ctx.main.querySelector('.review-state');
        if (s) s.focus();
      });
    });
  }
  replace(body,
    h('p', {class: ['review-state', `status-${x.status}`], tabindex: '-1'}, t('op.review_status_line', {status: t(`review.${x.status}`),
      created: formatInstant(x.created_at)}), x.resolved_by ? ` — ${t('op.resolved_by', {by: x.resolved_by, at: formatInstant(x.resolved_at), reason: x.reason || ''})}` : ''),
    side,
    form || notice(t('op.review_closed'), 'info'));
}
