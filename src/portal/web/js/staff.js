// Reception staff: they register their facility's patients (through the facility's systems,
// POST /v1/registrations) and see no clinical data. The page says so, and what to do instead.

import {h, replace} from './dom.js';
import {t} from './i18n.js';
import {facilityName} from './facilities.js';
import {pageHeading, notice} from './ui.js';

function home(ctx) {
  ctx.setCurrentNav('home');
  replace(ctx.main, h('div', {class: 'staff'},
    pageHeading(t('staff.title')),
    h('p', {class: 'lead'}, t('staff.lead', {facility: facilityName(ctx.me.facility)})),
    h('h2', {}, t('staff.can')),
    h('ul', {class: 'plain-list'},
      h('li', {}, t('staff.can_register')),
      h('li', {}, t('staff.can_consent'))),
    h('h2', {}, t('staff.cannot')),
    notice(t('staff.no_clinical'), 'info')));
}

export default {
  title: () => t('portal.staff'),
  nav: () => [],
  home: () => '#/home',
  routes(router, ctx) {
    router.add('/home', () => home(ctx));
  },
};
