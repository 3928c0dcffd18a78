// Certificates of the regional CA: the list (GET /v1/certificates), issuing one
// (POST /v1/certificates {"name","role","facility","days"} → the certificate, its private key
// and the CA's certificate — the key is shown this once, offered as a file made in the page),
// and revoking one with a reason (POST /v1/certificates/{serial}/revoke). A hub running without
// its CA answers 409; an older hub without these routes is told apart and said so.

import {get, post, seg, noRoute} from '../api.js';
import {h, replace, field, select} from '../dom.js';
import {t, formatInstant} from '../i18n.js';
import {facilityName} from '../facilities.js';
import {pageHeading, errorBox, notice, loading, table, downloadLink, announce, reasonForm} from '../ui.js';

const ROLES = ['edge', 'user', 'operator', 'service'];

export async function renderCertificates(ctx) {
  const issued = h('div', {class: 'issued-area', 'aria-live': 'polite'});
  const list = h('div', {});
  replace(ctx.main, h('div', {class: 'op-page'},
    pageHeading(t('op.certs_title')),
    h('p', {class: 'lead'}, t('op.certs_lead')),
    issued,
    issueForm(issued, () => load(list)),
    h('h2', {}, t('op.certs_list')),
    list));
  await load(list);
}

function issueForm(issued, reload) {
  const name = h('input', {type: 'text', name: 'name', required: true, autocomplete: 'off'});
  const role = select(ROLES.map((r) => [r, t(`cert.role_${r}`)]), 'user', {name: 'role'});
  const facility = h('input', {type: 'text', name: 'facility', inputmode: 'numeric', autocomplete: 'off'});
  const days = h('input', {type: 'number', name: 'days', min: '1', max: '3650', value: '365'});
  const status = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'cert-form', 'aria-labelledby': 'cert-new'},
    h('h2', {id: 'cert-new'}, t('op.cert_issue')),
    h('div', {class: 'form-grid'},
      field(t('op.cert_name'), name).field,
      field(t('op.role'), role).field,
      field(t('op.facility_code'), facility, t('op.cert_facility_hint')).field,
      field(t('op.cert_days'), days).field),
    h('button', {type: 'submit', class: 'primary'}, t('op.cert_issue')),
    status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {name: name.value.trim(), role: role.value, days: Number(days.value) || 365};
    if (facility.value.trim()) body.facility = facility.value.trim();
    const r = await post('/certificates', body);
    if (!r.ok) {
      replace(status, noRoute(r) ? notice(t('op.certs_no_route'), 'warn') : errorBox(r));
      return;
    }
    replace(status);
    const c = r.data.certificate || {};
    const base = c.name || body.name;
    replace(issued, h('div', {class: 'notice ok', role: 'status'},
      h('span', {class: 'icon', 'aria-hidden': 'true'}, '✓'),
      h('div', {},
        h('strong', {}, t('op.cert_issued', {name: base, serial: c.serial || ''})),
        h('p', {}, t('op.cert_key_once')),
        h('p', {class: 'downloads'},
          downloadLink(t('op.cert_download_cert'), `${base}.crt`, r.data.certificate_pem || ''), ' ',
          r.data.private_key_pem ? downloadLink(t('op.cert_download_key'), `${base}.key`, r.data.private_key_pem) : null, ' ',
          r.data.ca_pem ? downloadLink(t('op.cert_download_ca'), 'ca.crt', r.data.ca_pem) : null))));
    announce(t('op.cert_issued', {name: base, serial: c.serial || ''}));
    reload();
  });
  return form;
}

async function load(list) {
  replace(list, loading());
  const r = await get('/certificates');
  if (!r.ok) {
    replace(list, noRoute(r) ? notice(t('op.certs_no_route'), 'warn') : errorBox(r));
    return;
  }
  const certs = r.data.certificates || [];
  const rows = certs.map((c) => {
    let action = '';
    if (!c.revoked_at) {
      action = reasonForm({name: 'reason', placeholder: t('op.reason'), label: t('op.revoke_reason_for', {name: c.name}),
        submit: t('op.revoke'), danger: true,
        send: (reason) => post(`/certificates/${seg(c.serial)}/revoke`, {reason}),
        done: () => {
          announce(t('op.revoked', {name: c.name}));
          load(list);
        }});
    }
    return {attrs: {class: c.revoked_at ? 'revoked' : null, 'data-serial': c.serial}, cells: [
      c.name, t(`cert.role_${c.role}`), c.facility ? facilityName(c.facility) : '', h('code', {}, c.serial), formatInstant(c.not_after),
      c.revoked_at ? t('op.revoked_at', {at: formatInstant(c.revoked_at), reason: c.reason || ''}) : t('op.valid'), action,
    ]};
  });
  replace(list, table({caption: t('op.certs_list'), captionHidden: true, rows, attrs: {class: 'certs'}, empty: t('op.none'),
    columns: [t('op.cert_name'), t('op.role'), t('op.facility'), t('op.serial'), t('op.not_after'), t('op.state'), t('op.actions')]
      .map((label) => ({label}))}));
}
