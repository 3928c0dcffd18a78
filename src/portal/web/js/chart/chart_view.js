// The one chart of a patient, as a clinician (by their own facility's patient ID) or the
// patient themself (by regional ID) sees it: the header (names, age, sex, allergies, which
// facilities hold data and whether each answered), the timeline across facilities with its
// filters and paging, and the drill-downs (prescriptions, lab results with trend plots,
// diagnoses, allergies, documents, image studies, one event's details).
//
// Speed: the chart's first page (limit=100) and the person lookup are asked at once when the
// view is made, and each part is drawn as soon as its answer is in; allergies and drill-downs
// come after, lazily. The view lives as long as the route names the same patient, so moving
// between tabs, opening an event and coming back does not ask the hub again.

import {get, post, seg} from '../api.js';
import {h, replace, field, select, uid} from '../dom.js';
import {t, lang, eventTypeLabel, EVENT_TYPES, formatDate, formatInstant, age, sexLabel, errorText, number} from '../i18n.js';
import {href, go} from '../router.js';
import {facilityName} from '../facilities.js';
import {errorBox, notice, loading, table, tabs, busyButton, facts, announce} from '../ui.js';
import {loadResources} from './resources.js';
import {renderEventDetail} from './detail.js';
import {renderLabs} from './labs.js';
import * as F from './fhir.js';

const TABS = ['timeline', 'meds', 'labs', 'diagnoses', 'allergies', 'documents', 'images'];
const PAGE = 100;

export class ChartView {
  // subject: {patient: LOCAL_ID} | {regional_id: RK…}; base: the route's segments before the
  // tab (["chart", "0012345"]); mode: "clinician" | "patient"; person(): the header's lookup.
  constructor({subject, base, mode, person}) {
    this.subject = subject;
    this.base = base;
    this.mode = mode;
    this.personLoader = person;
    this.person = null;
    this.personResult = null;
    this.timeline = null;  // {key, filters, events, next, sources, partial, access, error, loading}
    this.allergies = null;
    this.resourceCache = new Map();
    this.abort = new AbortController();
    this.events = new Map();  // "facility:record_id" → event
    this.tab = 'timeline';
    this.query = new URLSearchParams();
    this.denied = null;
    this.refreshedAt = null;
    this.focusOnPaint = false;
  }

  key() {
    return JSON.stringify(this.subject);
  }

  href(tab, params) {
    return href([...this.base, tab === 'timeline' ? '' : tab], params);
  }

  destroy() {
    this.abort.abort();
    if (this.dialog && this.dialog.open) this.dialog.close();
  }

  // Builds the page's frame in `container` and starts the first requests.
  mount(container, {tab, query, focus = false}) {
    this.container = container;
    this.focusOnPaint = focus;
    this.headerEl = h('section', {class: 'patient-header', 'aria-labelledby': uid('ph'), 'aria-busy': 'true'});
    this.sourcesEl = h('div', {class: 'sources-wrap'});
    this.accessEl = h('div', {class: 'access-wrap'});
    this.tabsEl = h('div', {class: 'tabs-wrap'});
    this.bodyEl = h('div', {class: 'chart-body', 'aria-live': 'polite'});
    this.dialog = h('dialog', {class: 'event-dialog', 'aria-labelledby': uid('dlg')});
    this.dialog.addEventListener('close', () => this.onDialogClosed());
    replace(container, h('div', {class: 'chart', 'data-state': 'loading'},
      this.headerEl, this.accessEl, this.sourcesEl, this.tabsEl, this.bodyEl, this.dialog));
    this.root = container.firstChild;
    this.renderHeader();
    // The two requests of the first paint, at once.
    this.loadPerson();
    const filters = tab === 'timeline' ? filtersOf(query) : {};
    this.loadTimeline(filters);
    this.route(tab, query);
  }

  // ---- the person (header) ----

  async loadPerson() {
    const r = await this.personLoader(this.abort.signal);
    if (r.code === 'aborted') return;
    this.personResult = r;
    this.person = r.ok ? r.data : null;
    this.renderHeader();
    this.maybePainted();
  }

  renderHeader() {
    const titleId = this.headerEl.getAttribute('aria-labelledby');
    const p = this.person;
    const r = this.personResult;
    if (!r) {
      replace(this.headerEl, h('h2', {id: titleId, class: 'patient-name'}, t('chart.patient_loading')), loading());
      return;
    }
    this.headerEl.removeAttribute('aria-busy');
    if (!r.ok) {
      replace(this.headerEl, h('h2', {id: titleId, class: 'patient-name', tabindex: '-1'}, t('chart.patient_unknown')), errorBox(r));
      return;
    }
    const d = p.demographics || {};
    const name = [d.family_kanji, d.given_kanji].filter(Boolean).join(' ') || t('chart.no_name');
    const kana = [d.family_kana, d.given_kana].filter(Boolean).join(' ');
    const years = age(d.birth_date);
    const actions = h('div', {class: 'header-actions'},
      busyButton(t('chart.refresh'), () => this.refresh(), {class: 'refresh-button', 'data-action': 'refresh'}),
      this.refreshedAt ? h('span', {class: 'refreshed'}, t('chart.refreshed_at', {time: formatInstant(this.refreshedAt)})) : null);
    replace(this.headerEl,
      h('div', {class: 'patient-title'},
        h('h2', {id: titleId, class: 'patient-name', tabindex: '-1'}, h('span', {class: 'kanji'}, name),
          kana ? h('span', {class: 'kana', lang: 'ja'}, kana) : null),
        actions),
      facts([
        [t('chart.age'), years === null ? '' : t('chart.years', {n: years})],
        [t('chart.sex'), sexLabel(d.sex)],
        [t('chart.birth_date'), formatDate(d.birth_date)],
        [t('chart.regional_id'), p.regional_id],
        [this.mode === 'clinician' ? t('chart.local_id') : null, this.mode === 'clinician' ? this.subject.patient : ''],
      ].filter(([k]) => k), {class: 'patient-facts'}),
      this.allergyBanner());
  }

  allergyBanner() {
    const a = this.allergies;
    if (a === null) return h('p', {class: 'allergy-banner pending'}, t('chart.allergies_loading'));
    if (a.error) return h('p', {class: 'allergy-banner unknown'}, t('chart.allergies_unknown'));
    if (a.items.length === 0) return h('p', {class: 'allergy-banner none'}, t('chart.allergies_none'));
    const names = [...new Map(a.items.map((e) => [e.title, e])).values()];
    return h('div', {class: 'allergy-banner present', role: 'note', 'aria-label': t('chart.allergies')},
      h('span', {class: 'icon', 'aria-hidden': 'true'}, '⚠'),
      h('strong', {}, `${t('chart.allergies')}: `),
      h('span', {}, names.map((e) => e.title.replace(/^アレルギー:\s*/, '')).join('、')),
      ' ', h('a', {href: this.href('allergies')}, t('chart.allergies_details')));
  }

  async loadAllergies() {
    if (this.allergiesRequested) return;
    this.allergiesRequested = true;
    const r = await get('/chart', {...this.subject, type: 'allergy', limit: PAGE}, this.abort.signal);
    if (r.code === 'aborted') return;
    this.allergies = r.ok ? {items: r.data.events || []} : {error: r, items: []};
    this.renderHeader();
    this.root.dataset.allergies = 'loaded';
    performance.mark('rk-chart-complete');
  }

  // ---- the timeline ----

  async loadTimeline(filters, {refresh = false} = {}) {
    const key = JSON.stringify(filters);
    const tl = {key, filters, events: [], next: null, sources: [], partial: false, loading: true, error: null};
    this.timeline = tl;
    const r = await get('/chart', {...this.subject, ...filters, limit: PAGE, refresh: refresh ? 'true' : null}, this.abort.signal);
    if (r.code === 'aborted' || this.timeline !== tl) return;
    tl.loading = false;
    if (!r.ok) {
      tl.error = r;
      this.denied = r.status === 403 ? r : null;
    } else {
      this.denied = null;
      this.takePage(tl, r.data);
      tl.access = r.data.access;
    }
    this.renderSources();
    this.renderAccess();
    this.renderTabs();
    if (this.tab === 'timeline') this.renderTimeline();
    this.maybePainted();
    if (r.ok) this.loadAllergies();
    else if (!this.allergies) {
      this.allergies = {error: r, items: []};
      this.renderHeader();
    }
  }

  takePage(tl, data) {
    for (const e of data.events || []) {
      tl.events.push(e);
      this.events.set(`${e.facility}:${e.record_id}`, e);
    }
    tl.next = data.next_cursor || null;
    tl.sources = data.sources || [];
    tl.partial = Boolean(data.partial);
  }

  async more(button) {
    const tl = this.timeline;
    if (!tl || !tl.next) return;
    const r = await get('/chart', {...this.subject, ...tl.filters, limit: PAGE, cursor: tl.next}, this.abort.signal);
    if (this.timeline !== tl) return;
    if (!r.ok) {
      button.after(errorBox(r));
      return;
    }
    const before = tl.events.length;
    this.takePage(tl, r.data);
    this.renderSources();
    this.renderTimeline();
    announce(t('timeline.more_loaded', {n: tl.events.length - before}));
    // Keep the keyboard where it was: on the first new row.
    const rows = this.bodyEl.querySelectorAll('.timeline tbody tr a.event-link');
    if (rows[before]) rows[before].focus();
  }

  async refresh() {
    const filters = this.timeline ? this.timeline.filters : {};
    this.allergiesRequested = false;
    this.resourceCache.clear();
    announce(t('chart.refreshing'));
    await this.loadTimeline(filters, {refresh: true});
    if (this.timeline && !this.timeline.error) {
      this.refreshedAt = Date.now();
      this.root.dataset.refreshed = String(this.refreshedAt);
      this.renderHeader();
      announce(t('chart.refreshed'));
      if (this.tab !== 'timeline' && this.tab !== 'event') this.route(this.tab, this.query);
    } else if (this.timeline) {
      announce(errorText(this.timeline.error), {assertive: true});
    }
  }

  // First useful paint: the header and the first rows (or the refusal) are on the page.
  maybePainted() {
    const tl = this.timeline;
    if (!this.personResult || !tl || tl.loading) return;
    if (this.root.dataset.state === 'ready') return;
    this.root.dataset.state = tl.error ? (tl.error.status === 403 ? 'denied' : 'error') : 'ready';
    requestAnimationFrame(() => {
      performance.mark('rk-chart-painted');
      if (this.focusOnPaint) {
        const heading = this.headerEl.querySelector('.patient-name');
        if (heading) heading.focus();
        this.focusOnPaint = false;
      }
    });
  }

  renderAccess() {
    const tl = this.timeline;
    replace(this.accessEl);
    if (!tl || tl.loading) return;
    if (tl.error) {
      this.accessEl.appendChild(this.refusal(tl.error));
      return;
    }
    if (tl.access && tl.access.rule === 'break-glass') {
      this.accessEl.appendChild(notice(t('chart.breakglass_active', {reason: tl.access.reason || ''}), 'warn'));
    }
    if (tl.partial) {
      this.accessEl.appendChild(notice(t('chart.partial'), 'warn',
        ' ', busyButton(t('chart.retry'), () => this.loadTimeline(tl.filters), {class: 'small'})));
    }
  }

  // The hub's refusal (403 with its reason), and for a clinician the break-glass form.
  refusal(error) {
    const box = h('div', {class: 'refusal'});
    if (error.status !== 403) {
      box.appendChild(errorBox(error));
      return box;
    }
    box.appendChild(h('div', {class: 'notice error denied', role: 'alert'},
      h('span', {class: 'icon', 'aria-hidden': 'true'}, '✕'),
      h('div', {}, h('strong', {}, t('chart.denied')), h('p', {class: 'reason'}, error.message))));
    if (this.mode !== 'clinician') return box;
    const reason = h('textarea', {name: 'reason', required: true, rows: 3, maxlength: 1000});
    const minutes = select([['15', t('breakglass.minutes', {n: 15})], ['30', t('breakglass.minutes', {n: 30})],
      ['60', t('breakglass.minutes', {n: 60})], ['120', t('breakglass.minutes', {n: 120})]], '30', {name: 'minutes'});
    const status = h('div', {'aria-live': 'polite'});
    const form = h('form', {class: 'breakglass-form', 'aria-labelledby': 'bg-title', novalidate: true},
      h('h3', {id: 'bg-title'}, t('breakglass.title')),
      h('p', {class: 'hint'}, t('breakglass.explain')),
      field(t('breakglass.reason'), reason).field,
      field(t('breakglass.duration'), minutes).field,
      h('button', {type: 'submit', class: 'danger'}, t('breakglass.submit')),
      status);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!reason.value.trim()) {
        status.replaceChildren(errorBox(t('breakglass.reason_required')));
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
        return;
      }
      const r = await post('/breakglass', {patient: this.subject.patient, reason: reason.value.trim(), minutes: Number(minutes.value)});
      if (!r.ok) {
        status.replaceChildren(errorBox(r));
        return;
      }
      announce(t('breakglass.started'));
      this.allergiesRequested = false;
      this.allergies = null;
      this.root.dataset.state = 'loading';
      this.loadTimeline(this.timeline ? this.timeline.filters : {});
    });
    box.appendChild(form);
    return box;
  }

  renderSources() {
    const tl = this.timeline;
    if (!tl || tl.loading || tl.error) {
      replace(this.sourcesEl);
      return;
    }
    const items = tl.sources.map((src) => {
      const status = src.status || 'error';
      const icon = {answered: '✓', offline: '✕', timeout: '△', error: '✕', withheld: '－'}[status] || '?';
      const detail = [];
      if (status === 'answered') {
        detail.push(t('sources.took', {ms: number(src.took_ms, 0)}));
      } else if (src.reason) {
        detail.push(src.reason);
      }
      return h('li', {class: ['source', `status-${status}`], 'data-facility': src.facility, 'data-status': status},
        h('span', {class: 'source-name'}, facilityName(src.facility)),
        h('span', {class: 'source-status'}, h('span', {class: 'icon', 'aria-hidden': 'true'}, icon), ' ', t(`sources.${status}`)),
        detail.length ? h('span', {class: 'source-detail'}, detail.join(' · ')) : null,
        src.local_ids && src.local_ids.length ? h('span', {class: 'source-ids'}, `ID ${src.local_ids.join(', ')}`) : null);
    });
    replace(this.sourcesEl, h('section', {class: 'sources', 'aria-labelledby': 'sources-title'},
      h('h3', {id: 'sources-title'}, t('sources.title', {n: tl.sources.filter((x) => x.status !== 'withheld').length})),
      h('ul', {}, items)));
  }

  renderTabs() {
    if (this.timeline && this.timeline.error) {
      replace(this.tabsEl);
      return;
    }
    replace(this.tabsEl, tabs(t('chart.sections'), TABS.map((id) => ({id, href: this.href(id, id === 'timeline' ? this.timelineParams() : null),
      label: t(`tab.${id}`)})), this.tab === 'event' ? this.lastTab : this.tab));
  }

  timelineParams() {
    return this.timeline ? this.timeline.filters : {};
  }

  // ---- routing inside the chart ----

  route(tab, query) {
    tab = tab || 'timeline';
    this.query = query;
    if (this.renderedLang && this.renderedLang !== lang()) {
      // The language changed: everything is drawn again in it.
      this.renderHeader();
      this.renderSources();
      this.renderAccess();
      delete this.bodyEl.dataset.tab;
    }
    this.renderedLang = lang();
    // Closing an event goes back in history only when it was opened from this page.
    if (tab === 'event') {
      this.openedFromList = this.tab !== 'event' && Boolean(this.routed);
      if (this.tab !== 'event') this.returnFocus = document.activeElement;
    }
    this.routed = true;
    // Back from an event to the list it was opened from, with the same filters: the list is
    // still on the page, and the keyboard goes back to the line that was opened.
    const backToList = this.tab === 'event' && tab === this.lastTab && this.bodyEl.dataset.tab === tab &&
      (tab !== 'timeline' || (this.timeline && this.timeline.key === JSON.stringify(filtersOf(query))));
    if (tab !== 'event') {
      this.lastTab = tab;
      if (this.dialog.open) {
        this.closingByRoute = true;
        this.dialog.close();
      }
    }
    this.tab = tab;
    this.renderTabs();
    if (this.timeline && this.timeline.error) {
      replace(this.bodyEl);
      return;
    }
    if (backToList) {
      if (this.returnFocus && this.returnFocus.isConnected) this.returnFocus.focus();
      return;
    }
    switch (tab) {
      case 'timeline': {
        const filters = filtersOf(query);
        if (!this.timeline || this.timeline.key !== JSON.stringify(filters)) this.loadTimeline(filters);
        this.renderTimeline();
        break;
      }
      case 'event':
        if (!this.bodyEl.firstChild) this.renderTimeline();
        this.openEvent(query);
        break;
      case 'meds':
        this.renderResourceTab('meds', ['MedicationRequest', 'MedicationAdministration'], (res) => this.medsTable(res));
        break;
      case 'labs':
        this.renderResourceTab('labs', ['Observation'], (res) => renderLabs(res, {
          selected: query.get('code'), hrefFor: (code) => this.href('labs', {code}),
        }));
        break;
      case 'diagnoses':
        this.renderResourceTab('diagnoses', ['Condition'], (res) => this.diagnosesTable(res));
        break;
      case 'allergies':
        this.renderResourceTab('allergies', ['AllergyIntolerance'], (res) => this.allergiesTable(res));
        break;
      case 'documents':
        this.renderEventList('documents', ['document'], t('tab.documents'));
        break;
      case 'images':
        this.renderEventList('images', ['imaging', 'endoscopy', 'physiology'], t('tab.images'));
        break;
      default:
        go(this.href('timeline'), {replace: true});
    }
  }

  renderTimeline() {
    const tl = this.timeline;
    if (!tl || tl.loading) {
      delete this.bodyEl.dataset.tab;
      replace(this.bodyEl, this.filterForm(tl ? tl.filters : {}), loading(t('timeline.loading')));
      return;
    }
    if (tl.error) {
      replace(this.bodyEl);
      return;
    }
    const columns = [
      {label: t('timeline.date'), class: 'col-date'},
      {label: t('timeline.facility_dept'), class: 'col-facility'},
      {label: t('timeline.type'), class: 'col-type'},
      {label: t('timeline.title'), class: 'col-title'},
      {label: t('timeline.flag'), class: 'col-flag'},
    ];
    const rows = tl.events.map((e) => this.timelineRow(e));
    const caption = t('timeline.caption', {n: tl.events.length, more: tl.next ? t('timeline.has_more') : ''});
    const tableEl = table({caption, columns, rows, empty: t('timeline.empty'), attrs: {class: 'timeline'}});
    tableEl.addEventListener('click', (event) => {
      // A tap anywhere on a row opens it, as its link does.
      const row = event.target.closest('tr[data-href]');
      if (row && !event.target.closest('a')) go(row.dataset.href);
    });
    replace(this.bodyEl, this.filterForm(tl.filters), tableEl,
      tl.next ? h('p', {class: 'more'}, busyButton(t('timeline.more'), (b) => this.more(b), {class: 'more-button'})) : null);
    this.bodyEl.dataset.tab = 'timeline';
  }

  timelineRow(e) {
    const link = this.href('event', {f: e.facility, rec: e.record_id, ref: e.entity_refs});
    const allergyRow = e.type === 'allergy';
    return {
      attrs: {class: ['event', `type-${e.type}`, e.abnormal && 'abnormal', allergyRow && 'allergy'], 'data-href': link,
        'data-facility': e.facility, 'data-type': e.type},
      cells: [
        h('time', {datetime: e.occurred_at}, formatDate(e.occurred_at, true)),
        h('span', {}, facilityName(e.facility), e.department ? h('span', {class: 'dept'}, e.department) : null),
        h('span', {class: ['type-label', `type-${e.type}`]}, allergyRow ? h('span', {'aria-hidden': 'true'}, '⚠ ') : null,
          eventTypeLabel(e.type, e.type_label)),
        h('a', {href: link, class: 'event-link'}, e.title || eventTypeLabel(e.type, e.type_label),
          e.status && e.status !== 'valid' ? h('span', {class: 'event-status'}, ` (${e.status})`) : null),
        e.abnormal ? h('span', {class: 'flag abnormal'}, h('span', {'aria-hidden': 'true'}, '▲ '), t('timeline.abnormal')) : '',
      ],
    };
  }

  filterForm(filters) {
    const tl = this.timeline;
    const facilitiesSeen = tl ? tl.sources.filter((src) => src.status !== 'withheld').map((src) => src.facility) : [];
    const departments = new Set();
    if (tl) for (const e of tl.events) if (e.department) departments.add(e.department);
    if (filters.department) departments.add(filters.department);
    const type = select([['', t('filter.all_types')], ...EVENT_TYPES.map(([id]) => [id, eventTypeLabel(id)])], filters.type || '', {name: 'type'});
    const fac = select([['', t('filter.all_facilities')], ...facilitiesSeen.map((f) => [f, facilityName(f)])], filters.facility || '', {name: 'facility'});
    const dept = select([['', t('filter.all_departments')], ...[...departments].sort().map((d) => [d, d])], filters.department || '', {name: 'department'});
    const from = h('input', {type: 'date', name: 'from', value: filters.from || ''});
    const to = h('input', {type: 'date', name: 'to', value: filters.to || ''});
    const form = h('form', {class: 'filters', role: 'search', 'aria-label': t('filter.label')},
      field(t('filter.type'), type).field,
      field(t('filter.facility'), fac).field,
      field(t('filter.department'), dept).field,
      field(t('filter.from'), from).field,
      field(t('filter.to'), to).field,
      h('div', {class: 'filter-actions'},
        h('button', {type: 'submit'}, t('filter.apply')),
        Object.keys(filters).length ? h('a', {href: this.href('timeline'), class: 'button secondary'}, t('filter.clear')) : null));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      go(this.href('timeline', {type: type.value, facility: fac.value, department: dept.value, from: from.value, to: to.value}));
    });
    return form;
  }

  // ---- one event ----

  openEvent(query) {
    const facility = query.get('f');
    const refs = query.getAll('ref');
    const event = this.events.get(`${facility}:${query.get('rec')}`) || null;
    const titleId = this.dialog.getAttribute('aria-labelledby');
    const body = h('div', {class: 'dialog-body'});
    const close = h('button', {type: 'button', class: 'close-button', 'aria-label': t('common.close')}, '×');
    close.addEventListener('click', () => this.dialog.close());
    const title = event ? event.title : refs.join(', ');
    replace(this.dialog,
      h('div', {class: 'dialog-head'},
        h('h2', {id: titleId}, title),
        close),
      event ? facts([
        [t('timeline.date'), formatDate(event.occurred_at, true)],
        [t('timeline.facility'), facilityName(event.facility)],
        [t('timeline.department'), event.department],
        [t('detail.practitioner'), event.practitioner],
        [t('timeline.type'), eventTypeLabel(event.type, event.type_label)],
      ], {class: 'event-facts'}) : null,
      body);
    if (!this.dialog.open) this.dialog.showModal();
    close.focus();
    renderEventDetail(body, {facility, refs, event, subject: this.subject, signal: this.abort.signal,
      trendHref: (code) => this.href('labs', {code})});
  }

  onDialogClosed() {
    if (this.closingByRoute) {
      this.closingByRoute = false;
      return;
    }
    if (this.tab !== 'event') return;
    // Closing the dialog is going back to where it was opened from.
    if (history.length > 1 && this.openedFromList) history.back();
    else go(this.href(this.lastTab || 'timeline', this.lastTab === 'timeline' || !this.lastTab ? this.timelineParams() : null), {replace: true});
  }

  // ---- drill-down tabs from /v1/resources ----

  async resources(types) {
    const key = types.join(',');
    if (!this.resourceCache.has(key)) {
      this.resourceCache.set(key, loadResources(this.subject, {types, signal: this.abort.signal}));
    }
    return this.resourceCache.get(key);
  }

  async renderResourceTab(tab, types, render) {
    replace(this.bodyEl, loading(t('drill.loading')));
    delete this.bodyEl.dataset.tab;
    const r = await this.resources(types);
    if (this.tab !== tab) return;
    if (!r.ok) {
      if (r.code !== 'aborted') replace(this.bodyEl, errorBox(r));
      return;
    }
    replace(this.bodyEl,
      r.data.partial ? notice(t('drill.partial'), 'warn') : null,
      r.data.more ? notice(t('drill.more', {n: (r.data.resources || []).length}), 'info') : null,
      render(r.data.resources || []));
    this.bodyEl.dataset.tab = tab;
  }

  medsTable(resources) {
    const rows = resources.map((x) => {
      const m = F.medication(x.resource || {});
      return {attrs: {'data-facility': x.facility}, cells: [
        h('time', {datetime: x.occurred_at}, formatDate(x.occurred_at)),
        facilityName(x.facility),
        eventTypeLabel(x.event_type),
        m.name, m.dose, m.usage, m.duration, m.quantity,
      ]};
    });
    return table({caption: t('meds.caption', {n: rows.length}), rows, empty: t('meds.empty'), attrs: {class: 'meds'},
      columns: [t('timeline.date'), t('timeline.facility'), t('meds.kind'), t('meds.drug'), t('meds.dose'), t('meds.usage'),
        t('meds.duration'), t('meds.quantity')].map((label) => ({label}))});
  }

  diagnosesTable(resources) {
    const rows = resources.map((x) => {
      const c = F.condition(x.resource || {});
      return {attrs: {'data-facility': x.facility}, cells: [
        h('span', {}, c.name, c.main ? h('span', {class: 'badge main'}, t('dx.main')) : null),
        c.icd10, formatDate(c.onset), c.clinical, facilityName(x.facility),
      ]};
    });
    return table({caption: t('dx.caption', {n: rows.length}), rows, empty: t('dx.empty'), attrs: {class: 'diagnoses'},
      columns: [t('dx.name'), 'ICD-10', t('dx.onset'), t('dx.status'), t('timeline.facility')].map((label) => ({label}))});
  }

  allergiesTable(resources) {
    const rows = resources.map((x) => {
      const a = F.allergy(x.resource || {});
      return {attrs: {class: 'allergy', 'data-facility': x.facility}, cells: [
        h('strong', {}, h('span', {'aria-hidden': 'true'}, '⚠ '), a.substance),
        a.category, a.manifestation, a.severity ? t(`allergy.${a.severity}`) : '', a.clinical || a.verification,
        formatDate(x.occurred_at), facilityName(x.facility),
      ]};
    });
    return table({caption: t('allergy.caption', {n: rows.length}), rows, empty: t('allergy.empty'), attrs: {class: 'allergies'},
      columns: [t('allergy.substance'), t('allergy.category'), t('allergy.reaction'), t('allergy.severity'), t('allergy.status'),
        t('timeline.date'), t('timeline.facility')].map((label) => ({label}))});
  }

  // Documents and image studies: the chart's events of those types, each opened in the page.
  async renderEventList(tab, types, caption) {
    replace(this.bodyEl, loading(t('drill.loading')));
    delete this.bodyEl.dataset.tab;
    const key = `events:${types.join(',')}`;
    if (!this.resourceCache.has(key)) {
      this.resourceCache.set(key, get('/chart', {...this.subject, type: types, limit: 1000}, this.abort.signal));
    }
    const r = await this.resourceCache.get(key);
    if (this.tab !== tab) return;
    if (!r.ok) {
      replace(this.bodyEl, errorBox(r));
      return;
    }
    const events = r.data.events || [];
    for (const e of events) this.events.set(`${e.facility}:${e.record_id}`, e);
    const rows = events.map((e) => {
      const link = this.href('event', {f: e.facility, rec: e.record_id, ref: e.entity_refs});
      return {attrs: {class: ['event', `type-${e.type}`], 'data-href': link, 'data-facility': e.facility}, cells: [
        h('time', {datetime: e.occurred_at}, formatDate(e.occurred_at, true)),
        facilityName(e.facility), e.department || '', eventTypeLabel(e.type, e.type_label),
        h('a', {href: link, class: 'event-link'}, e.title),
      ]};
    });
    const tableEl = table({caption: `${caption} (${rows.length})`, rows, empty: t('drill.none'), attrs: {class: `list-${tab}`},
      columns: [t('timeline.date'), t('timeline.facility'), t('timeline.department'), t('timeline.type'), t('timeline.title')].map((label) => ({label}))});
    replace(this.bodyEl, r.data.partial ? notice(t('drill.partial'), 'warn') : null, tableEl);
    this.bodyEl.dataset.tab = tab;
  }
}

function filtersOf(query) {
  const out = {};
  for (const name of ['type', 'facility', 'department', 'from', 'to']) {
    const v = query.get(name);
    if (v) out[name] = v;
  }
  return out;
}

// A clinician's lookup of their own patient: GET /v1/registrations/{facility}/{local_id} →
// the regional ID and the demographics of the clinician's own registration.
export function clinicianPerson(facility, localId) {
  return async (signal) => {
    const r = await get(`/registrations/${seg(facility)}/${seg(localId)}`, null, signal);
    if (!r.ok) return r;
    const own = (r.data.identifiers || []).find((i) => i.facility === facility && i.local_id === localId) ||
      (r.data.identifiers || []).find((i) => i.demographics);
    return {ok: true, data: {regional_id: r.data.regional_id, identifiers: r.data.identifiers || [],
      demographics: own ? own.demographics || {} : {}}};
  };
}

// The patient's (or proxy's) own record: GET /v1/patients/{regional_id}.
export function patientPerson(regionalId) {
  return async (signal) => {
    const r = await get(`/patients/${seg(regionalId)}`, null, signal);
    if (!r.ok) return r;
    const withDemographics = (r.data.identifiers || []).filter((i) => i.demographics);
    withDemographics.sort((a, b) => String(b.updated_at || '').localeCompare(String(a.updated_at || '')));
    return {ok: true, data: {regional_id: r.data.regional_id, identifiers: r.data.identifiers || [],
      demographics: withDemographics.length ? withDemographics[0].demographics : {}}};
  };
}
