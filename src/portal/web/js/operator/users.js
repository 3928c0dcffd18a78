// People and their roles: the list (GET /v1/users, paged by `after`), a new account
// (POST /v1/users → its TOTP secret, shown once), and disable / enable / reset-totp
// (POST /v1/users/{id}/{change}; a reset shows the new secret once).

import {get, post, seg} from '../api.js';
import {h, replace, field, select} from '../dom.js';
import {t, formatInstant} from '../i18n.js';
import {href} from '../router.js';
import {facilityName} from '../facilities.js';
import {pageHeading, errorBox, notice, loading, table, busyButton, announce} from '../ui.js';

const ROLES = ['clinician', 'staff', 'operator', 'patient', 'proxy'];

export async function renderUsers(ctx, params, query) {
  const list = h('div', {});
  const secret = h('div', {class: 'secret-area', 'aria-live': 'polite'});
  replace(ctx.main, h('div', {class: 'op-page'},
    pageHeading(t('op.users_title')),
    secret,
    createForm(secret, () => load(list, query)),
    h('h2', {}, t('op.users_list')),
    list));
  await load(list, query);
}

function secretBox(title, totp) {
  return h('div', {class: 'notice ok secret', role: 'status'},
    h('span', {class: 'icon', 'aria-hidden': 'true'}, '✓'),
    h('div', {},
      h('strong', {}, title),
      h('p', {}, t('op.secret_once')),
      h('p', {}, t('op.secret'), ' ', h('code', {class: 'totp-secret'}, totp.secret_base32)),
      h('p', {class: 'muted break'}, totp.uri)));
}

function createForm(secret, reload) {
  const login = h('input', {type: 'text', name: 'login', required: true, autocomplete: 'off'});
  const display = h('input', {type: 'text', name: 'display_name', required: true, autocomplete: 'off'});
  const role = select(ROLES.map((r) => [r, t(`role.${r}`)]), 'clinician', {name: 'role'});
  const facility = h('input', {type: 'text', name: 'facility', inputmode: 'numeric', autocomplete: 'off'});
  const regional = h('input', {type: 'text', name: 'regional_ids', autocomplete: 'off'});
  const password = h('input', {type: 'password', name: 'password', required: true, autocomplete: 'new-password', minlength: 12});
  const status = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'user-form', 'aria-labelledby': 'new-user'},
    h('h2', {id: 'new-user'}, t('op.new_user')),
    h('div', {class: 'form-grid'},
      field(t('op.login'), login).field,
      field(t('op.display_name'), display).field,
      field(t('op.role'), role).field,
      field(t('op.facility_code'), facility, t('op.facility_hint')).field,
      field(t('op.regional_ids'), regional, t('op.regional_ids_hint')).field,
      field(t('op.password'), password, t('op.password_hint')).field),
    h('button', {type: 'submit', class: 'primary'}, t('op.create')),
    status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {login: login.value.trim(), display_name: display.value.trim(), role: role.value, password: password.value};
    if (facility.value.trim()) body.facility = facility.value.trim();
    const ids = regional.value.split(/[\s,、]+/).filter(Boolean);
    if (ids.length) body.regional_ids = ids;
    const r = await post('/users', body);
    if (!r.ok) {
      replace(status, errorBox(r));
      return;
    }
    password.value = '';
    replace(status);
    replace(secret, secretBox(t('op.user_created', {login: r.data.user.login}), r.data.totp));
    announce(t('op.user_created', {login: r.data.user.login}));
    form.reset();
    reload();
  });
  return form;
}

async function load(list, query) {
  replace(list, loading());
  const after = query && query.get('after');
  const r = await get('/users', {limit: 100, after});
  if (!r.ok) {
    replace(list, errorBox(r));
    return;
  }
  const users = r.data.users || [];
  const rows = users.map((u) => {
    const out = h('div', {class: 'row-result', 'aria-live': 'polite'});
    const change = (what) => busyButton(t(`op.user_${what.replace('-', '_')}`), async () => {
      const c = await post(`/users/${seg(u.id)}/${what}`);
      if (!c.ok) {
        replace(out, errorBox(c));
        return;
      }
      if (c.data.totp) {
        const area = document.querySelector('.secret-area');
        replace(area, secretBox(t('op.totp_reset', {login: u.login}), c.data.totp));
        area.scrollIntoView({block: 'nearest'});
      }
      announce(t('op.user_changed', {login: u.login}));
      if (what !== 'reset-totp') load(list, query);
    }, {class: 'small secondary', 'aria-label': `${t(`op.user_${what.replace('-', '_')}`)}: ${u.login}`});
    return {attrs: {class: u.disabled ? 'disabled' : null, 'data-login': u.login}, cells: [
      u.login, u.display_name, t(`role.${u.role}`), u.facility ? facilityName(u.facility) : '',
      (u.regional_ids || []).join(', '), u.disabled ? t('op.disabled') : t('op.active'), formatInstant(u.created_ms),
      h('div', {class: 'row-actions'}, u.disabled ? change('enable') : change('disable'), change('reset-totp'), out),
    ]};
  });
  const last = users.length ? users[users.length - 1].id : null;
  replace(list, table({caption: t('op.users_list'), captionHidden: true, rows, attrs: {class: 'users'}, empty: t('op.none'),
    columns: [t('op.login'), t('op.display_name'), t('op.role'), t('op.facility'), t('op.regional_ids'), t('op.state'), t('op.created'),
      t('op.actions')].map((label) => ({label}))}),
  h('div', {class: 'pager'},
    after ? h('a', {href: '#/op/users', class: 'button secondary'}, t('common.first_page')) : null,
    users.length === 100 && last ? h('a', {href: href(['op', 'users'], {after: last}), class: 'button secondary'}, t('common.next_page')) : null));
}
