// Break-glass reviews: the emergencies clinicians declared (GET /v1/breakglass?status=
// unreviewed|all), each reviewed afterwards with a note (POST /v1/breakglass/{id}/review).

import {get, post, seg} from '../api.js';
import {h, replace} from '../dom.js';
import {t, formatInstant} from '../i18n.js';
import {href} from '../router.js';
import {facilityName} from '../facilities.js';
import {pageHeading, errorBox, loading, table, announce, reasonForm} from '../ui.js';

export async function renderBreakGlass(ctx, params, query) {
  const status = query.get('status') === 'all' ? 'all' : 'unreviewed';
  const list = h('div', {});
  replace(ctx.main, h('div', {class: 'op-page'},
    pageHeading(t('op.bg_title')),
    h('p', {class: 'lead'}, t('op.bg_lead')),
    h('nav', {class: 'filter-links', 'aria-label': t('op.review_status')}, h('ul', {},
      ['unreviewed', 'all'].map((s) => h('li', {}, h('a', {href: href(['op', 'breakglass'], {status: s === 'all' ? 'all' : ''}),
        'aria-current': s === status ? 'page' : null}, t(`bg.${s}`)))))),
    list));
  await load(list, status);
}

async function load(list, status) {
  replace(list, loading());
  const r = await get('/breakglass', {status});
  if (!r.ok) {
    replace(list, errorBox(r));
    return;
  }
  const rows = (r.data.overrides || []).map((o) => {
    let review = o.reviewed_by ? t('bg.reviewed_by', {by: o.reviewed_by, note: o.review_note || ''}) : null;
    if (!review) {
      review = reasonForm({name: 'note', placeholder: t('bg.note'), label: t('bg.note_for', {id: o.id}), submit: t('bg.review_submit'),
        send: (note) => post(`/breakglass/${seg(o.id)}/review`, {note}),
        done: () => {
          announce(t('bg.reviewed', {id: o.id}));
          load(list, status);
        }});
    }
    return {attrs: {'data-override': o.id}, cells: [o.id, o.requester, facilityName(o.facility), o.regional_id, o.reason,
      formatInstant(o.started_ms), formatInstant(o.stopped_ms || o.until_ms), review]};
  });
  replace(list, table({caption: t('op.bg_title'), captionHidden: true, rows, attrs: {class: 'overrides'}, empty: t('bg.none'),
    columns: ['ID', t('bg.requester'), t('bg.facility'), t('chart.regional_id'), t('bg.reason'), t('bg.start'), t('bg.until'),
      t('bg.review')].map((label) => ({label}))}));
}
