// The service-provider gateway's services (seed 000; routes in src/hub/service_api.h):
//
//   #/op/services         the list (GET /v1/services, and each one's grants and deliveries by
//                         state from GET /v1/services/{id}); registering one (POST /v1/services →
//                         its client secret and signing secret, shown this once, offered to copy
//                         and as files made in the page, and gone on reload); enabling and
//                         disabling (POST /v1/services/{id}/enable|disable — a disable is
//                         confirmed first: the service's tokens end at once)
//   #/op/services/S1?state=dead&before=120
//                         one service: its settings and webhook URL (POST …/webhook), its grants
//                         (the matrix's cells of the service, edited on the matrix page), its
//                         deliveries (GET …/deliveries?state=&before=&limit=, newest first, paged),
//                         retrying one (POST …/deliveries/{d}/retry) and replaying every delivery
//                         since a time (POST …/replay?since=, within 30 days)

import {get, post, seg, noRoute} from '../api.js';
import {h, replace, field, uid} from '../dom.js';
import {t, lang, formatInstant} from '../i18n.js';
import {STRINGS} from '../strings.js';
import {href} from '../router.js';
import {facilityName} from '../facilities.js';
import {pageHeading, errorBox, notice, loading, table, busyButton, announce, downloadLink, confirmDialog, facts} from '../ui.js';
import {DELIVERY_STATES, deliveryStateCell, deliveryStateLabel, notifyLabel, typesList} from './service_labels.js';

const PAGE_SIZE = 50;
const REPLAY_DAYS = 30;

// ---- the list ----

export async function renderServices(ctx) {
  const secrets = h('div', {class: 'secret-area'});
  const list = h('div', {class: 'services-list'});
  replace(ctx.main, h('div', {class: 'op-page'},
    pageHeading(t('svc.title')),
    h('p', {class: 'lead'}, t('svc.lead')),
    secrets,
    registerForm(secrets, () => loadList(list)),
    h('h2', {id: 'services-list-title', tabindex: '-1'}, t('svc.list')),
    list));
  await loadList(list);
}

function registerForm(secrets, reload) {
  const name = h('input', {type: 'text', name: 'name', required: true, autocomplete: 'off', maxlength: '64'});
  const webhook = h('input', {type: 'url', name: 'webhook_url', autocomplete: 'off', inputmode: 'url'});
  const cert = h('input', {type: 'text', name: 'cert_name', autocomplete: 'off', maxlength: '64'});
  const credentials = h('input', {type: 'checkbox', name: 'client_credentials', checked: true, id: uid('cc')});
  const status = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'service-form', 'aria-labelledby': 'svc-new', novalidate: true},
    h('h2', {id: 'svc-new'}, t('svc.register')),
    h('div', {class: 'form-grid'},
      field(t('svc.name'), name, t('svc.name_hint')).field,
      field(t('svc.webhook'), webhook, t('svc.webhook_hint')).field,
      field(t('svc.cert_name'), cert, t('svc.cert_hint')).field),
    h('div', {class: 'check'}, credentials, h('label', {for: credentials.id}, t('svc.client_credentials'))),
    h('p', {class: 'hint'}, t('svc.client_credentials_hint')),
    h('button', {type: 'submit', class: 'primary'}, t('svc.register_submit')),
    status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const input of [name, webhook, cert]) input.removeAttribute('aria-invalid');
    if (!name.value.trim()) {
      name.setAttribute('aria-invalid', 'true');
      replace(status, errorBox(t('svc.name_required')));
      name.focus();
      return;
    }
    const body = {name: name.value.trim(), client_credentials: credentials.checked};
    if (webhook.value.trim()) body.webhook_url = webhook.value.trim();
    if (cert.value.trim()) body.cert_name = cert.value.trim();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    const r = await post('/services', body);
    button.disabled = false;
    if (!r.ok) {
      // The hub names what is wrong; mark the field it is about.
      const m = r.message || '';
      const about = /webhook/i.test(m) ? webhook : /service named|service's name/i.test(m) ? name : /certificate/i.test(m) ? cert : null;
      if (about) about.setAttribute('aria-invalid', 'true');
      replace(status, noRoute(r) ? notice(t('svc.no_route'), 'warn') : errorBox(r));
      if (about) about.focus();
      return;
    }
    replace(status);
    form.reset();
    credentials.checked = true;
    showSecrets(secrets, r.data);
    reload();
  });
  return form;
}

// The new service's secrets: shown here this once (the hub keeps only the client secret's hash,
// and shows the signing secret never again), to copy or save as files, until dismissed.
function showSecrets(area, data) {
  const s = data.service || {};
  const titleId = uid('secrets');
  const title = h('h2', {id: titleId, tabindex: '-1'}, t('svc.registered', {name: s.name, id: s.id}));
  const files = [];
  const download = (label, filename, text, type = 'text/plain') => {
    const a = downloadLink(label, filename, text, type);
    a.classList.add('secondary', 'small');
    files.push(a);
    return a;
  };
  const secretRow = (label, value, cls, filename) => {
    const code = h('code', {class: ['secret-value', cls]}, value);
    const result = h('span', {class: 'copy-result', role: 'status'});
    const copy = h('button', {type: 'button', class: 'small secondary', 'aria-label': t('svc.copy_named', {what: label})}, t('svc.copy'));
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(value);
        result.textContent = t('svc.copied');
      } catch {
        // No clipboard (permissions, an insecure origin): select the text for the person to copy.
        const range = document.createRange();
        range.selectNodeContents(code);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        result.textContent = t('svc.copy_failed');
      }
    });
    return h('div', {class: 'secret-row'}, h('dt', {}, label),
      h('dd', {}, code, h('span', {class: 'secret-actions'}, copy, download(t('svc.save_file'), filename, `${value}\n`), result)));
  };
  const base = s.name || s.id || 'service';
  const rows = [h('div', {class: 'secret-row'}, h('dt', {}, t('svc.client_id')), h('dd', {}, h('code', {class: 'client-id'}, s.client_id || t('svc.none'))))];
  if (data.client_secret) rows.push(secretRow(t('svc.client_secret'), data.client_secret, 'client-secret', `${base}.client-secret`));
  else rows.push(h('div', {class: 'secret-row'}, h('dt', {}, t('svc.client_secret')), h('dd', {}, t('svc.no_client_secret'))));
  rows.push(secretRow(t('svc.signing_secret'), data.signing_secret, 'signing-secret', `${base}.signing-secret`));
  const everything = JSON.stringify({service: s.id, name: s.name, hub: location.origin, token_endpoint: `${location.origin}/v1/oauth/token`,
    client_id: s.client_id || null, client_secret: data.client_secret || null, signing_secret: data.signing_secret}, null, 2);
  const example = ['renkei example-service reception', `--hub ${location.origin}`, s.client_id ? `--client-id ${s.client_id}` : null,
    data.client_secret ? `--client-secret-file ${base}.client-secret` : null, `--signing-secret-file ${base}.signing-secret`,
    '--listen 127.0.0.1:9100 --json'].filter(Boolean).join(' \\\n    ');
  const dismiss = h('button', {type: 'button', class: 'secondary'}, t('svc.secrets_saved'));
  const box = h('section', {class: 'notice warn secrets', 'aria-labelledby': titleId, 'data-service': s.id},
    h('span', {class: 'icon', 'aria-hidden': 'true'}, '⚠'),
    h('div', {class: 'secrets-body'},
      title,
      h('p', {class: 'once'}, h('strong', {}, t('svc.secrets_once'))),
      h('dl', {class: 'secret-list'}, rows),
      h('p', {class: 'downloads'}, download(t('svc.save_all'), `${base}-credentials.json`, `${everything}\n`, 'application/json')),
      h('p', {class: 'hint'}, t('svc.example_hint')),
      h('pre', {class: 'example-command'}, example),
      dismiss));
  dismiss.addEventListener('click', () => {
    for (const a of files) URL.revokeObjectURL(a.href);
    replace(area);
    const next = document.getElementById('services-list-title');
    if (next) next.focus();
  });
  replace(area, box);
  title.focus();
  announce(t('svc.registered', {name: s.name, id: s.id}));
}

function deliveryCounts(id, counts) {
  const states = DELIVERY_STATES.filter((state) => counts && counts[state]);
  if (!states.length) return h('span', {class: 'muted'}, t('svc.none'));
  return h('ul', {class: 'counts'}, states.map((state) => h('li', {'data-state': state},
    h('a', {href: href(['op', 'services', id], {state})}, `${deliveryStateLabel(state)} ${counts[state]}`))));
}

async function loadList(list, focusService) {
  replace(list, loading());
  const r = await get('/services');
  if (!r.ok) {
    replace(list, noRoute(r) ? notice(t('svc.no_route'), 'warn') : errorBox(r));
    return;
  }
  const services = r.data.services || [];
  const details = await Promise.all(services.map((s) => get(`/services/${seg(s.id)}`)));
  const rows = services.map((s, i) => {
    const d = details[i];
    const out = h('div', {class: 'row-result', 'aria-live': 'polite'});
    const action = s.enabled ? 'disable' : 'enable';
    const button = h('button', {type: 'button', class: ['small', s.enabled ? 'danger secondary' : 'secondary'], dataset: {action},
      'aria-label': `${t(`svc.${action}`)}: ${s.name}`}, t(`svc.${action}`));
    button.addEventListener('click', async () => {
      if (!(await changeEnabled(s, action, out))) return;
      loadList(list, s.id);
    });
    return {attrs: {class: s.enabled ? null : 'disabled', 'data-service': s.id}, cells: [
      h('a', {href: href(['op', 'services', s.id])}, s.name),
      s.id,
      s.client_id ? h('code', {}, s.client_id) : h('span', {class: 'muted'}, t('svc.none')),
      s.webhook_url ? h('span', {class: 'break'}, s.webhook_url) : h('span', {class: 'muted'}, t('svc.no_webhook')),
      s.cert_name || h('span', {class: 'muted'}, t('svc.none')),
      enabledCell(s.enabled),
      d.ok ? String((d.data.grants || []).length) : '',
      d.ok ? deliveryCounts(s.id, d.data.deliveries) : errorBox(d),
      h('div', {class: 'row-actions'}, button, out),
    ]};
  });
  replace(list, table({caption: t('svc.list'), captionHidden: true, rows, attrs: {class: 'services'}, empty: t('svc.none_registered'),
    columns: [t('svc.name'), 'ID', t('svc.client_id'), t('svc.webhook'), t('svc.cert_name'), t('op.state'), t('svc.facilities'),
      t('svc.deliveries'), t('op.actions')].map((label) => ({label}))}));
  if (focusService) {
    const again = list.querySelector(`tr[data-service="${CSS.escape(focusService)}"] button[data-action]`);
    if (again) again.focus();
  }
}

function enabledCell(enabled) {
  return h('span', {class: ['presence', enabled ? 'on' : 'off']}, h('span', {'aria-hidden': 'true'}, enabled ? '● ' : '○ '),
    t(enabled ? 'svc.enabled' : 'svc.disabled'));
}

// Enables, or (after the operator confirms) disables, a service; says what became of it in `out`.
async function changeEnabled(s, action, out) {
  if (action === 'disable') {
    const yes = await confirmDialog({title: t('svc.disable_title', {name: s.name}), text: t('svc.disable_text'),
      confirmLabel: t('svc.disable'), danger: true});
    if (!yes) return false;
  }
  const r = await post(`/services/${seg(s.id)}/${action}`);
  if (!r.ok) {
    replace(out, errorBox(r));
    return false;
  }
  announce(t(action === 'disable' ? 'svc.disabled_done' : 'svc.enabled_done', {name: s.name}));
  return true;
}

// ---- one service ----

export async function renderService(ctx, params, query) {
  const id = params.id;
  // Within one service's page only the deliveries follow the route (filters, pages): the rest
  // stays, and so does the keyboard.
  const page = ctx.main.querySelector(`.service-page[data-service="${CSS.escape(id)}"]`);
  if (page && page.deliveries && page.dataset.lang === lang()) {
    await page.deliveries.show(query, {keepFocus: true});
    return;
  }
  const body = h('div', {});
  replace(ctx.main, h('div', {class: 'op-page service-page', 'data-service': id, 'data-lang': lang()},
    pageHeading(t('svc.service_title', {id})),
    h('p', {}, h('a', {href: '#/op/services'}, t('svc.back'))),
    body));
  replace(body, loading());
  const r = await get(`/services/${seg(id)}`);
  if (!r.ok) {
    replace(body, errorBox(r));
    return;
  }
  const root = ctx.main.querySelector('.service-page');
  const heading = root.querySelector('h1');
  const settings = h('section', {'aria-labelledby': 'svc-settings', class: 'service-settings'});
  const grants = h('section', {'aria-labelledby': 'svc-grants', class: 'service-grants'});
  const deliveries = new Deliveries(id);
  const replay = replayForm(id, () => deliveries.show(deliveries.query, {keepFocus: false}));
  root.deliveries = deliveries;
  let current = r.data;
  const drawHeader = () => {
    const s = current.service;
    document.title = `${s.name} — Renkei`;
    replace(heading, s.name, ' ', h('span', {class: 'subtitle muted'}, `(${s.id})`), ' ', enabledCell(s.enabled));
  };
  const drawSettings = () => {
    const s = current.service;
    const out = h('div', {'aria-live': 'polite'});
    const action = s.enabled ? 'disable' : 'enable';
    const toggle = h('button', {type: 'button', class: s.enabled ? 'danger secondary' : 'primary', dataset: {action}}, t(`svc.${action}`));
    toggle.addEventListener('click', async () => {
      if (!(await changeEnabled(s, action, out))) return;
      await refresh();
      const again = settings.querySelector('button[data-action]');
      if (again) again.focus();
    });
    replace(settings,
      h('h2', {id: 'svc-settings'}, t('svc.settings')),
      facts([
        ['ID', s.id],
        [t('svc.client_id'), s.client_id ? h('code', {}, s.client_id) : t('svc.none')],
        [t('svc.cert_name'), s.cert_name || t('svc.none')],
        [t('svc.webhook'), s.webhook_url ? h('span', {class: 'break webhook-now'}, s.webhook_url) : t('svc.no_webhook')],
        [t('op.state'), t(s.enabled ? 'svc.enabled' : 'svc.disabled')],
        [t('op.created'), formatInstant(s.created_at)],
      ], {class: 'service-facts'}),
      s.enabled ? null : notice(t('svc.disabled_note'), 'warn'),
      webhookForm(s, async () => {
        await refresh();
        const input = settings.querySelector('input[name=webhook_url]');
        if (input) input.focus();
      }),
      h('div', {class: 'row-actions'}, toggle, out));
  };
  const drawGrants = () => {
    const s = current.service;
    const rows = (current.grants || []).map((g) => ({attrs: {'data-facility': g.facility}, cells: [
      h('span', {}, facilityName(g.facility), h('br'), h('span', {class: 'muted'}, g.facility)),
      notifyLabel(g.notify),
      typesList(g.types),
      h('span', {}, formatInstant(g.updated_at), g.updated_by ? h('span', {class: 'muted'}, ` ${g.updated_by}`) : null),
      h('a', {href: href(['op', 'matrix'], {facility: g.facility, service: s.id}), 'aria-label': `${t('svc.edit_grant')}: ${facilityName(g.facility)}`},
        t('svc.edit_grant')),
    ]}));
    replace(grants,
      h('h2', {id: 'svc-grants'}, t('svc.grants')),
      h('p', {class: 'hint'}, t('svc.grants_hint')),
      table({caption: t('svc.grants'), captionHidden: true, rows, attrs: {class: 'grants'}, empty: t('svc.no_grants'),
        columns: [t('op.facility'), t('matrix.notify'), t('matrix.types'), t('svc.updated'), t('op.actions')].map((label) => ({label}))}),
      h('p', {}, h('a', {href: href(['op', 'matrix'], {service: s.id})}, t('svc.open_matrix'))));
  };
  const refresh = async () => {
    const again = await get(`/services/${seg(id)}`);
    if (!again.ok) {
      replace(settings, h('h2', {id: 'svc-settings'}, t('svc.settings')), errorBox(again));
      return;
    }
    current = again.data;
    drawHeader();
    drawSettings();
    drawGrants();
  };
  drawHeader();
  drawSettings();
  drawGrants();
  deliveries.counts = current.deliveries || {};
  replace(body, settings, grants, deliveries.el, replay);
  await deliveries.show(query, {keepFocus: false});
}

function webhookForm(s, done) {
  const input = h('input', {type: 'url', name: 'webhook_url', value: s.webhook_url || '', autocomplete: 'off', inputmode: 'url'});
  const status = h('div', {'aria-live': 'polite'});
  const {field: f} = field(t('svc.webhook_change'), input, t('svc.webhook_change_hint'));
  const form = h('form', {class: 'inline-form webhook-form', novalidate: true}, f, h('button', {type: 'submit', class: 'secondary'}, t('svc.webhook_save')), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    input.removeAttribute('aria-invalid');
    const r = await post(`/services/${seg(s.id)}/webhook`, {webhook_url: input.value.trim()});
    if (!r.ok) {
      input.setAttribute('aria-invalid', 'true');
      replace(status, errorBox(r));
      input.focus();
      return;
    }
    announce(t('svc.webhook_changed', {url: r.data.service.webhook_url}));
    await done();
    const again = document.querySelector('.webhook-form [aria-live]');
    if (again) replace(again, notice(t('svc.webhook_changed', {url: r.data.service.webhook_url}), 'ok'));
  });
  return form;
}

// The service's deliveries: filter links by state (with the counts), the table, retrying one,
// and pages of PAGE_SIZE by `before` — all from the route's query.
class Deliveries {
  constructor(id) {
    this.id = id;
    this.counts = {};
    this.query = new URLSearchParams();
    this.filters = h('div', {});
    this.list = h('div', {class: 'deliveries-list'});
    this.el = h('section', {'aria-labelledby': 'svc-deliveries', class: 'service-deliveries'},
      h('h2', {id: 'svc-deliveries', tabindex: '-1'}, t('svc.deliveries')),
      h('p', {class: 'hint'}, t('svc.deliveries_hint')),
      this.filters, this.list);
  }

  async show(query, {keepFocus}) {
    // Only the latest route's answer is drawn (filters followed quickly answer out of order).
    this.shown = (this.shown || 0) + 1;
    const mine = this.shown;
    this.query = query;
    const state = DELIVERY_STATES.includes(query.get('state')) ? query.get('state') : '';
    const before = /^\d+$/.test(query.get('before') || '') ? query.get('before') : '';
    this.drawFilters(state, keepFocus && !before);
    replace(this.list, loading());
    const [r, summary] = await Promise.all([get(`/services/${seg(this.id)}/deliveries`, {state, before, limit: PAGE_SIZE}),
      get(`/services/${seg(this.id)}`)]);
    if (mine !== this.shown) return;
    if (summary.ok) {
      this.counts = summary.data.deliveries || {};
      this.drawFilters(state, false);
    }
    if (!r.ok) {
      replace(this.list, errorBox(r));
      return;
    }
    const list = r.data.deliveries || [];
    const rows = list.map((d) => this.row(d));
    const last = list.length ? list[list.length - 1].id : null;
    replace(this.list,
      table({caption: t('svc.deliveries_caption', {state: state ? deliveryStateLabel(state) : t('svc.all_states')}), captionHidden: true, rows,
        attrs: {class: 'deliveries'}, empty: state ? t('svc.no_deliveries_state', {state: deliveryStateLabel(state)}) : t('svc.no_deliveries'),
        columns: ['ID', t('svc.created'), t('op.state'), t('svc.attempts'), t('svc.facility_patient'), t('svc.change'), t('svc.last_error'),
          t('svc.idempotency_key'), t('op.actions')].map((label, i) => ({label, class: i === 3 ? 'num' : null}))}),
      h('div', {class: 'pager'},
        before ? h('a', {href: href(['op', 'services', this.id], {state}), class: 'button secondary'}, t('common.newest')) : null,
        list.length === PAGE_SIZE && last ? h('a', {href: href(['op', 'services', this.id], {state, before: last}), class: 'button secondary'},
          t('common.older')) : null));
    if (keepFocus && before) this.el.querySelector('h2').focus();
  }

  // The filter links with the counts by state; the keyboard stays on the current one when
  // `focus` (it was the link followed).
  drawFilters(state, focus) {
    const had = this.filters.contains(document.activeElement);
    const total = Object.values(this.counts).reduce((a, b) => a + b, 0);
    replace(this.filters, h('nav', {class: 'filter-links', 'aria-label': t('svc.filter_state')}, h('ul', {},
      ['', ...DELIVERY_STATES].map((s) => h('li', {}, h('a', {href: href(['op', 'services', this.id], {state: s}), 'data-state': s || 'all',
        'aria-current': s === state ? 'page' : null}, s ? `${deliveryStateLabel(s)} (${this.counts[s] || 0})` : `${t('svc.all_states')} (${total})`))))));
    if (focus || had) {
      const link = this.filters.querySelector(`a[data-state="${state || 'all'}"]`);
      if (link) link.focus();
    }
  }

  row(d) {
    const out = h('div', {'aria-live': 'polite'});
    let action = null;
    if (d.state !== 'pending') {
      action = busyButton(t('svc.retry'), async () => {
        const r = await post(`/services/${seg(this.id)}/deliveries/${seg(d.id)}/retry`);
        if (!r.ok) {
          replace(out, errorBox(r));
          return;
        }
        announce(t('svc.retried', {id: d.id}));
        await this.show(this.query, {keepFocus: false});
        const heading = this.el.querySelector('h2');
        if (heading) heading.focus();
      }, {class: 'small secondary', 'aria-label': t('svc.retry_named', {id: d.id})});
    }
    const patient = d.patient || {};
    const change = d.change || {};
    const when = d.state === 'delivered' && d.delivered_at ? t('svc.delivered_at', {at: formatInstant(d.delivered_at)})
      : d.state === 'pending' && d.next_attempt_at ? t('svc.next_attempt', {at: formatInstant(d.next_attempt_at)}) : '';
    return {attrs: {'data-delivery': d.id, 'data-state': d.state, class: `delivery-${d.state}`}, cells: [
      String(d.id),
      formatInstant(d.created_at),
      h('span', {}, deliveryStateCell(d.state), when ? h('span', {class: 'sub muted'}, when) : null),
      String(d.attempts),
      h('span', {}, facilityName(d.facility), h('span', {class: 'sub muted'}, [patient.local_id, patient.regional_id].filter(Boolean).join(' / '))),
      h('span', {}, `${STRINGS[`change.${change.kind}`] ? t(`change.${change.kind}`) : change.kind || ''} ${change.resource_type || ''}`,
        h('span', {class: 'sub muted'}, [change.data_type, notifyLabel(d.mode)].filter(Boolean).join(' · '))),
      d.last_error ? h('span', {class: 'last-error break'}, d.last_error) : '',
      h('code', {class: 'break'}, d.idempotency_key),
      h('div', {class: 'row-actions'}, action, out),
    ]};
  }
}

// "YYYY-MM-DDTHH:MM" in the browser's time zone for `date`, as <input type=datetime-local> wants.
function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function replayForm(id, done) {
  const now = new Date();
  const since = h('input', {type: 'datetime-local', name: 'since', required: true, value: localInputValue(new Date(now.getTime() - 3600e3)),
    min: localInputValue(new Date(now.getTime() - REPLAY_DAYS * 86400e3 + 60e3)), max: localInputValue(now)});
  const status = h('div', {'aria-live': 'polite', class: 'replay-result'});
  const form = h('form', {class: 'replay-form', 'aria-labelledby': 'svc-replay', novalidate: true},
    h('h2', {id: 'svc-replay'}, t('svc.replay')),
    h('p', {class: 'hint'}, t('svc.replay_hint')),
    h('div', {class: 'inline-form'}, field(t('svc.replay_since'), since, t('svc.replay_since_hint')).field,
      h('button', {type: 'submit', class: 'secondary'}, t('svc.replay_submit'))),
    status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    since.removeAttribute('aria-invalid');
    const at = since.value ? new Date(since.value) : null;
    if (!at || Number.isNaN(at.getTime())) {
      since.setAttribute('aria-invalid', 'true');
      replace(status, errorBox(t('svc.replay_since_required')));
      since.focus();
      return;
    }
    const utc = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const r = await post(`/services/${seg(id)}/replay`, {}, {since: utc});
    if (!r.ok) {
      since.setAttribute('aria-invalid', 'true');
      replace(status, errorBox(r));
      since.focus();
      return;
    }
    const text = t('svc.replayed', {n: r.data.replayed, since: formatInstant(utc)});
    replace(status, notice(text, 'ok'));
    announce(text);
    await done();
  });
  return form;
}
