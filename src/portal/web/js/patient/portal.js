// The patient portal: a patient's own record, or — for a proxy (guardian) — the record of each
// patient they act for (GET /v1/me → acts_for).
//
//   #/my                         a proxy picks the patient (a patient goes straight on)
//   #/my/RK…/chart[/tab]         the own chart across facilities (chart/chart_view.js)
//   #/my/RK…/consent             consent status and linked facilities, changed here
//   #/my/RK…/accesses            who accessed the record and when; break-glass notices
// Emergencies declared on the record (break-glass) are shown on every page, prominently.

import {get, post, seg} from '../api.js';
import {h, replace, uid} from '../dom.js';
import {t, formatDate, formatInstant} from '../i18n.js';
import {href, go} from '../router.js';
import {facilityName} from '../facilities.js';
import {pageHeading, errorBox, notice, loading, table, tabs, busyButton, announce} from '../ui.js';
import {ChartView, patientPerson} from '../chart/chart_view.js';
import {actionLabel, decisionCell} from '../operator/audit_labels.js';

let view = null;
const people = new Map();  // regional ID → person lookup (a promise)
const notices = new Map();  // regional ID → break-glass notices (a promise)

function person(rid) {
  if (!people.has(rid)) people.set(rid, patientPerson(rid)());
  return people.get(rid);
}

function breakglassNotices(rid) {
  if (!notices.has(rid)) notices.set(rid, get(`/patients/${seg(rid)}/accesses`, {limit: 1}));
  return notices.get(rid);
}

function personName(p) {
  const d = (p && p.demographics) || {};
  return [d.family_kanji, d.given_kanji].filter(Boolean).join(' ');
}

async function picker(ctx) {
  const ids = ctx.me.acts_for || [];
  if (ids.length === 1) {
    go(href(['my', ids[0], 'chart']), {replace: true});
    return;
  }
  ctx.setCurrentNav('my');
  const list = h('ul', {class: 'patient-picker'});
  replace(ctx.main, h('div', {}, pageHeading(t('patient.pick_title')), h('p', {class: 'lead'}, t('patient.pick_lead')), list));
  if (ids.length === 0) {
    list.replaceWith(notice(t('patient.nobody'), 'warn'));
    return;
  }
  for (const rid of ids) {
    const item = h('li', {}, h('a', {href: href(['my', rid, 'chart']), class: 'card-link'}, rid));
    list.appendChild(item);
    person(rid).then((r) => {
      if (!r.ok) return;
      const d = r.data.demographics || {};
      replace(item, h('a', {href: href(['my', rid, 'chart']), class: 'card-link'},
        h('strong', {}, personName(r.data) || rid), ' ', h('span', {class: 'kana'}, [d.family_kana, d.given_kana].filter(Boolean).join(' ')),
        h('span', {class: 'muted'}, ` ${formatDate(d.birth_date)} · ${rid}`)));
    });
  }
}

// The frame of a patient's pages: whose record, the break-glass banner, the sections.
function frame(ctx, rid, section) {
  ctx.setCurrentNav('my');
  const nameEl = h('span', {}, rid);
  const banner = h('div', {class: 'breakglass-banner-wrap'});
  const content = h('div', {class: 'patient-content'});
  const sections = [
    {id: 'chart', href: href(['my', rid, 'chart']), label: t('patient.tab_chart')},
    {id: 'consent', href: href(['my', rid, 'consent']), label: t('patient.tab_consent')},
    {id: 'accesses', href: href(['my', rid, 'accesses']), label: t('patient.tab_accesses')},
  ];
  replace(ctx.main, h('div', {class: 'patient-portal'},
    pageHeading(t(`patient.title_${section}`), h('span', {class: 'subtitle'}, ' — ', nameEl)),
    ctx.me.proxy ? h('p', {class: 'proxy-note'}, t('patient.proxy_note'), ' ', (ctx.me.acts_for || []).length > 1 ? h('a', {href: '#/my'}, t('patient.switch')) : null) : null,
    banner,
    tabs(t('patient.sections'), sections, section),
    content));
  person(rid).then((r) => {
    if (r.ok && personName(r.data)) nameEl.textContent = personName(r.data);
  });
  breakglassNotices(rid).then((r) => {
    if (!r.ok || !(r.data.breakglass || []).length) return;
    replace(banner, breakglassBanner(r.data.breakglass, rid));
  });
  return content;
}

function breakglassBanner(list, rid) {
  return h('div', {class: 'notice warn breakglass-banner', role: 'alert'},
    h('span', {class: 'icon', 'aria-hidden': 'true'}, '⚠'),
    h('div', {},
      h('strong', {}, t('patient.breakglass_title', {n: list.length})),
      h('ul', {}, list.map((o) => h('li', {},
        t('patient.breakglass_item', {who: o.requester, facility: facilityName(o.facility), reason: o.reason,
          start: formatInstant(o.started_ms), until: formatInstant(o.stopped_ms || o.until_ms)}),
        o.reviewed_by ? h('span', {class: 'muted'}, ` ${t('patient.breakglass_reviewed', {by: o.reviewed_by})}`) : null))),
      h('a', {href: href(['my', rid, 'accesses'])}, t('patient.see_accesses'))));
}

function chartPage(ctx, rid, tab, query) {
  const subject = {regional_id: rid};
  if (view && view.key() === JSON.stringify(subject) && ctx.main.contains(view.container)) {
    view.route(tab || 'timeline', query);
    return;
  }
  if (view) view.destroy();
  const content = frame(ctx, rid, 'chart');
  const container = h('div', {class: 'chart-container'});
  content.appendChild(container);
  view = new ChartView({subject, base: ['my', rid, 'chart'], mode: 'patient', person: (signal) => person(rid)});
  view.mount(container, {tab: tab || 'timeline', query});
}

async function consentPage(ctx, rid) {
  if (view) {
    view.destroy();
    view = null;
  }
  const content = frame(ctx, rid, 'consent');
  replace(content, loading());
  const [consent, p] = await Promise.all([get(`/patients/${seg(rid)}/consent`), person(rid)]);
  if (!consent.ok) {
    replace(content, errorBox(consent));
    return;
  }
  const c = consent.data.consent || {};
  const linked = new Set(c.linked || []);
  // The facilities holding the patient's records, and any the consent names besides.
  const holders = [...new Set([...(p.ok ? p.data.identifiers.map((i) => i.facility) : []), ...linked])];
  const status = h('div', {class: 'form-status', 'aria-live': 'polite'});
  const boxes = holders.map((f) => {
    const id = uid('link');
    const box = h('input', {type: 'checkbox', id, name: 'linked', value: f, checked: c.state === 'active' && linked.has(f)});
    return {f, box, el: h('div', {class: 'check'}, box, h('label', {for: id}, facilityName(f), h('span', {class: 'muted'}, ` (${f})`)))};
  });
  const save = h('button', {type: 'submit', class: 'primary'}, t('consent.save'));
  const form = h('form', {class: 'consent-form'},
    h('fieldset', {},
      h('legend', {}, t('consent.linked_legend')),
      h('p', {class: 'hint'}, t('consent.linked_hint')),
      boxes.map((b) => b.el)),
    save, status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = boxes.filter((b) => b.box.checked).map((b) => b.f);
    save.disabled = true;
    const r = await post(`/patients/${seg(rid)}/consent`, {state: 'active', linked: chosen});
    save.disabled = false;
    if (!r.ok) {
      replace(status, errorBox(r));
      return;
    }
    replace(status, notice(t('consent.saved', {n: chosen.length}), 'ok'));
    announce(t('consent.saved', {n: chosen.length}));
    consentPage(ctx, rid).then(() => {
      const s = ctx.main.querySelector('.consent-state');
      if (s) s.focus();
    });
  });
  const withdrawArea = h('div', {class: 'withdraw'});
  const askWithdraw = h('button', {type: 'button', class: 'danger secondary'}, t('consent.withdraw'));
  askWithdraw.addEventListener('click', () => {
    const confirmButton = busyButton(t('consent.withdraw_confirm'), async () => {
      const r = await post(`/patients/${seg(rid)}/consent`, {state: 'withdrawn', linked: []});
      if (!r.ok) {
        withdrawArea.appendChild(errorBox(r));
        return;
      }
      announce(t('consent.withdrawn_done'));
      consentPage(ctx, rid);
    }, {class: 'danger'});
    const cancel = h('button', {type: 'button', class: 'secondary', onclick: () => replace(withdrawArea, askWithdraw)}, t('common.cancel'));
    replace(withdrawArea, notice(t('consent.withdraw_warning'), 'warn'), confirmButton, ' ', cancel);
    confirmButton.focus();
  });
  withdrawArea.appendChild(askWithdraw);
  const history = consent.data.history || [];
  replace(content,
    h('section', {'aria-labelledby': 'consent-now'},
      h('h2', {id: 'consent-now'}, t('consent.now')),
      h('p', {class: ['consent-state', `state-${c.state}`], tabindex: '-1'},
        h('span', {class: 'icon', 'aria-hidden': 'true'}, c.state === 'active' ? '✓' : '✕'), ' ',
        t(`consent.state_${c.state || 'none'}`),
        c.state === 'active' ? ` — ${t('consent.linked_count', {n: linked.size})}` : '')),
    form,
    c.state === 'active' ? withdrawArea : null,
    h('section', {'aria-labelledby': 'consent-history'},
      h('h2', {id: 'consent-history'}, t('consent.history')),
      table({caption: t('consent.history'), captionHidden: true, attrs: {class: 'consent-history'}, empty: t('consent.history_none'),
        columns: [t('consent.when'), t('consent.state'), t('consent.linked'), t('consent.by')].map((label) => ({label})),
        rows: history.map((x) => [formatInstant(x.recorded_at), t(`consent.state_${x.state}`),
          (x.linked || []).map(facilityName).join('、'), [x.recorded_by, x.proxy ? `(${t('role.proxy')}: ${x.proxy})` : ''].filter(Boolean).join(' ')])})));
}

async function accessesPage(ctx, rid, query) {
  if (view) {
    view.destroy();
    view = null;
  }
  const content = frame(ctx, rid, 'accesses');
  replace(content, loading());
  const before = query.get('before');
  const r = await get(`/patients/${seg(rid)}/accesses`, {limit: 50, before});
  if (!r.ok) {
    replace(content, errorBox(r));
    return;
  }
  const entries = r.data.entries || [];
  const overrides = r.data.breakglass || [];
  replace(content,
    h('section', {'aria-labelledby': 'bg-title', class: 'breakglass-list'},
      h('h2', {id: 'bg-title'}, t('patient.breakglass_heading')),
      overrides.length
        ? table({caption: t('patient.breakglass_heading'), captionHidden: true, attrs: {class: 'breakglass-table'},
          columns: [t('bg.requester'), t('bg.facility'), t('bg.reason'), t('bg.start'), t('bg.until'), t('bg.review')].map((label) => ({label})),
          rows: overrides.map((o) => ({attrs: {class: 'breakglass-row'}, cells: [o.requester, facilityName(o.facility), o.reason, formatInstant(o.started_ms),
            formatInstant(o.stopped_ms || o.until_ms), o.reviewed_by ? t('bg.reviewed_by', {by: o.reviewed_by, note: o.review_note || ''}) : t('bg.not_reviewed')]}))})
        : h('p', {class: 'empty'}, t('patient.breakglass_none'))),
    h('section', {'aria-labelledby': 'acc-title'},
      h('h2', {id: 'acc-title'}, t('patient.accesses_heading')),
      h('p', {class: 'hint'}, t('patient.accesses_hint')),
      table({caption: t('patient.accesses_heading'), captionHidden: true, attrs: {class: 'access-log'}, empty: t('patient.accesses_none'),
        columns: [t('audit.time'), t('audit.who'), t('audit.role'), t('audit.facility'), t('audit.action'), t('audit.decision'), t('audit.reason')]
          .map((label) => ({label})),
        rows: entries.map((e) => ({attrs: {class: e.decision === 'deny' ? 'denied' : null, 'data-action': e.action}, cells: [
          formatInstant(e.time), e.who, t(`role.${e.role}`), e.facility ? facilityName(e.facility) : '', actionLabel(e.action),
          decisionCell(e.decision), e.reason]}))}),
      h('div', {class: 'pager'},
        before ? h('a', {href: href(['my', rid, 'accesses']), class: 'button secondary'}, t('common.newest')) : null,
        r.data.next_before ? h('a', {href: href(['my', rid, 'accesses'], {before: r.data.next_before}), class: 'button secondary'}, t('common.older')) : null)));
}

export default {
  title: () => t('portal.patient'),
  nav: (me) => [{id: 'my', href: '#/my', label: me.proxy ? t('nav.patients_of_proxy') : t('nav.my_record')}],
  home: () => '#/my',
  routes(router, ctx) {
    view = null;
    people.clear();
    notices.clear();
    const own = (rid) => (ctx.me.acts_for || []).includes(rid);
    const guard = (rid, fn) => (own(rid) ? fn() : go('#/my', {replace: true}));
    router.add('/my', () => picker(ctx));
    router.add('/my/:rid', (p) => go(href(['my', p.rid, 'chart']), {replace: true}));
    router.add('/my/:rid/chart/:tab?', (p, q) => guard(p.rid, () => chartPage(ctx, p.rid, p.tab, q)));
    router.add('/my/:rid/consent', (p) => guard(p.rid, () => consentPage(ctx, p.rid)));
    router.add('/my/:rid/accesses', (p, q) => guard(p.rid, () => accessesPage(ctx, p.rid, q)));
  },
};
