// Sign-in: login, password and the authenticator app's 6-digit code → POST /v1/sessions.
// The token goes to sessionStorage (api.js); the caller then asks /v1/me which portal to show.

import {post, setToken} from './api.js';
import {h, field} from './dom.js';
import {t, errorText} from './i18n.js';
import {pageHeading, errorBox, notice, announce} from './ui.js';

export function renderSignIn(main, {onSignedIn, message}) {
  const status = h('div', {class: 'form-status', 'aria-live': 'polite'});
  const login = h('input', {name: 'login', type: 'text', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false'});
  const password = h('input', {name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  const code = h('input', {name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}',
    maxlength: '6', required: true});
  const submit = h('button', {type: 'submit', class: 'primary'}, t('signin.submit'));
  const form = h('form', {class: 'signin-form', novalidate: true},
    field(t('signin.login'), login).field,
    field(t('signin.password'), password).field,
    field(t('signin.code'), code, t('signin.code_hint')).field,
    submit, status);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = {login: login.value.trim(), password: password.value, code: code.value.replace(/\s/g, '')};
    if (!values.login || !values.password || !/^[0-9]{6}$/.test(values.code)) {
      status.replaceChildren(errorBox(t('signin.incomplete')));
      (values.login ? (values.password ? code : password) : login).focus();
      return;
    }
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    status.replaceChildren(h('p', {class: 'loading'}, t('signin.signing_in')));
    const r = await post('/sessions', values);
    submit.disabled = false;
    submit.removeAttribute('aria-busy');
    if (!r.ok) {
      const text = r.status === 401 ? t('signin.failed') : errorText(r);
      status.replaceChildren(errorBox(text));
      announce(text, {assertive: true});
      password.value = '';
      code.value = '';
      password.focus();
      return;
    }
    setToken(r.data.token);
    password.value = '';
    onSignedIn(r.data);
  });

  main.replaceChildren(h('div', {class: 'signin'},
    pageHeading(t('signin.title')),
    h('p', {class: 'lead'}, t('signin.lead')),
    message ? notice(message, 'warn') : null,
    form));
  login.focus();
}
