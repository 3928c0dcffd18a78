// The portals' single page: signs a person in, asks the hub who they are (GET /v1/me) and shows
// the portal of their role — the clinician viewer, the patient portal (patients and proxies),
// the operator portal, or the reception page — under one header (language, who is signed in,
// sign-out). Each portal adds its routes to the hash router (router.js).

import {get, del, token, setToken, onSessionEnded} from './api.js';
import {h, replace} from './dom.js';
import {t, lang, setLang, onLangChange} from './i18n.js';
import {Router, go} from './router.js';
import {loadFacilities, resetFacilities} from './facilities.js';
import {renderSignIn} from './signin.js';
import {errorBox, loading, announce} from './ui.js';
import clinician from './clinician/viewer.js';
import patient from './patient/portal.js';
import operator from './operator/portal.js';
import staff from './staff.js';

const PORTALS = {clinician, patient, operator, staff};

const state = {
  me: null,
  portal: null,
  router: null,
  currentNav: null,
};

const main = () => document.getElementById('main');
const header = () => document.getElementById('top');

function renderHeader() {
  const langButton = h('button', {type: 'button', class: 'link-button lang-toggle', lang: lang() === 'ja' ? 'en' : 'ja',
    onclick: () => setLang(lang() === 'ja' ? 'en' : 'ja')}, lang() === 'ja' ? 'English' : '日本語');
  const brand = h('a', {class: 'brand', href: '#/'}, h('span', {class: 'brand-mark', 'aria-hidden': 'true'}, '連'),
    h('span', {}, 'Renkei'), state.portal ? h('span', {class: 'brand-portal'}, state.portal.title()) : null);
  let nav = null;
  let who = null;
  if (state.me && state.portal) {
    const items = state.portal.nav(state.me);
    if (items.length) {
      nav = h('nav', {class: 'top-nav', 'aria-label': t('nav.main')}, h('ul', {}, items.map((it) => h('li', {},
        h('a', {href: it.href, 'aria-current': it.id === state.currentNav ? 'page' : null}, it.label)))));
    }
    who = h('div', {class: 'who'},
      h('span', {class: 'who-name'}, state.me.name),
      h('span', {class: 'who-role'}, t(`role.${state.me.proxy ? 'proxy' : state.me.role}`)),
      h('button', {type: 'button', class: 'link-button', onclick: signOut}, t('nav.signout')));
  }
  replace(header(), h('div', {class: 'top-inner'}, brand, nav, h('div', {class: 'top-tools'}, langButton, who)));
  document.getElementById('skip').textContent = t('nav.skip');
}

// Called by a portal when its page changes, so the header marks the current section.
export function setCurrentNav(id) {
  if (state.currentNav === id) return;
  state.currentNav = id;
  for (const a of header().querySelectorAll('.top-nav a')) {
    const current = a.getAttribute('href').split('?')[0] === `#/${id}` || a.dataset.id === id;
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function showSignIn(message) {
  state.me = null;
  state.portal = null;
  if (state.router) state.router.stop();
  state.router = null;
  renderHeader();
  if (!location.hash.startsWith('#/signin')) history.replaceState(null, '', '#/signin');
  renderSignIn(main(), {message, onSignedIn: () => enter({fresh: true})});
}

async function signOut() {
  await del('/sessions/current');
  setToken(null);
  resetFacilities();
  announce(t('signin.signed_out'));
  showSignIn(t('signin.signed_out'));
}

// Asks /v1/me who signed in and starts their portal.
async function enter({fresh = false} = {}) {
  replace(main(), loading());
  const [me] = await Promise.all([get('/me'), loadFacilities()]);
  if (!me.ok) {
    if (me.status === 401 || !token()) return showSignIn();
    replace(main(), errorBox(me));
    return;
  }
  state.me = me.data;
  const role = me.data.role;
  state.portal = PORTALS[role] || null;
  if (!state.portal) {
    replace(main(), errorBox(t('app.unknown_role', {role})));
    return;
  }
  renderHeader();
  const router = new Router();
  state.router = router;
  state.portal.routes(router, {me: state.me, main: main(), setCurrentNav});
  if (fresh || location.hash === '' || location.hash.startsWith('#/signin') || location.hash === '#/') {
    history.replaceState(null, '', state.portal.home(state.me));
  }
  router.start(() => go(state.portal.home(state.me), {replace: true}));
}

function boot() {
  document.documentElement.lang = lang();
  onSessionEnded(() => showSignIn(t('signin.expired')));
  onLangChange(() => {
    renderHeader();
    if (state.router) state.router.dispatch();
    else if (!state.me) showSignIn();
  });
  // The skip link moves focus to the page's main content without changing the route.
  document.getElementById('skip').addEventListener('click', (event) => {
    event.preventDefault();
    main().focus();
  });
  if (token()) enter();
  else showSignIn();
}

boot();
