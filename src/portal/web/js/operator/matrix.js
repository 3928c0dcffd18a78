// The connection permission matrix and its type information (seed 000: which facility may
// exchange with which service, and which data each service may receive from each facility;
// routes in src/hub/service_api.h, decided by src/policy/service_decide.h):
//
//   #/op/matrix                              facilities (GET /v1/facilities) × services
//                                            (GET /v1/services), each cell from GET /v1/matrix
//   #/op/matrix?service=S1                   the same, that service's column marked
//   #/op/matrix?facility=F&service=S1        the same, with that cell's editor open
//
// A cell opens its editor (a modal dialog): connect or change (PUT /v1/matrix/{facility}/
// {service} {"notify", "types"}), disconnect (DELETE, confirmed first), the notification mode,
// and the type information — which FHIR resource types the service may receive there and, per
// type, every element or only those listed. The hub's validation errors are shown as it words
// them, on the type they are about ("'types'[1]: …" names the second type sent).
//
// The grid scrolls inside its own frame (never the page sideways); its row and column headers
// are <th scope> so that a screen reader names "facility × service" for each cell; every cell
// is a button in the tab order, and the arrow keys, Home and End move between cells.

import {get, put, del, seg, noRoute} from '../api.js';
import {h, replace, field, uid} from '../dom.js';
import {t, formatInstant} from '../i18n.js';
import {href} from '../router.js';
import {allFacilities, facilityName, loadFacilities} from '../facilities.js';
import {pageHeading, errorBox, notice, loading, announce, confirmDialog} from '../ui.js';
import {KNOWN_TYPES, NOTIFY_MODES, notifyLabel, typeLabel, typeExamples} from './service_labels.js';

const cellKey = (facility, service) => `${facility}\u0000${service}`;

export async function renderMatrix(ctx, params, query) {
  const status = h('div', {class: 'matrix-status', 'aria-live': 'polite'});
  const frame = h('div', {class: 'matrix-frame'});
  const filter = h('input', {type: 'search', name: 'facility-filter', autocomplete: 'off'});
  const shown = h('span', {class: 'filter-count muted', 'aria-live': 'polite'});
  const page = h('div', {class: 'op-page matrix-page'},
    pageHeading(t('matrix.title')),
    h('p', {class: 'lead'}, t('matrix.lead')),
    h('div', {class: 'matrix-tools'},
      field(t('matrix.filter'), filter, t('matrix.filter_hint')).field, shown,
      h('p', {class: 'matrix-legend hint'}, t('matrix.legend'))),
    status,
    frame);
  replace(ctx.main, page);
  replace(frame, loading());
  const [services, matrix] = await Promise.all([get('/services'), get('/matrix'), loadFacilities()]);
  for (const r of [services, matrix]) {
    if (!r.ok) {
      replace(frame, noRoute(r) ? notice(t('svc.no_route'), 'warn') : errorBox(r));
      return;
    }
  }
  const grid = new Grid(page, frame, status, services.data.services || [], matrix.data.grants || []);
  grid.draw();
  const applyFilter = () => {
    const n = grid.filter(filter.value);
    shown.textContent = t('matrix.shown', {n, total: grid.facilities.length});
  };
  filter.addEventListener('input', applyFilter);
  applyFilter();
  const facility = query.get('facility');
  const service = query.get('service');
  if (service) grid.mark(service);
  if (facility && service) grid.open(facility, service);
}

class Grid {
  constructor(page, frame, status, services, grants) {
    this.page = page;
    this.frame = frame;
    this.status = status;
    this.services = services;
    this.grants = new Map(grants.map((g) => [cellKey(g.facility, g.service), g]));
    // The directory's facilities, and any the matrix names that the directory does not.
    const codes = new Set(allFacilities().map((f) => String(f.facility)));
    for (const g of grants) codes.add(g.facility);
    this.facilities = [...codes].sort().map((code) => ({code, name: facilityName(code)}));
  }

  service(id) {
    return this.services.find((s) => s.id === id) || null;
  }

  draw() {
    if (!this.services.length) {
      replace(this.frame, notice(t('matrix.no_services'), 'info', ' ', h('a', {href: '#/op/services'}, t('matrix.register_first'))));
      return;
    }
    const captionId = uid('cap');
    this.table = h('table', {class: 'data matrix'},
      h('caption', {id: captionId}, t('matrix.caption', {facilities: this.facilities.length, services: this.services.length})),
      h('thead', {}, h('tr', {},
        h('th', {scope: 'col', class: 'corner'}, t('matrix.facility_service')),
        this.services.map((s) => h('th', {scope: 'col', 'data-service': s.id, class: s.enabled ? null : 'disabled'},
          h('a', {href: href(['op', 'services', s.id])}, s.name),
          h('span', {class: 'sub muted'}, s.id),
          s.enabled ? null : h('span', {class: 'sub service-off'}, t('svc.disabled')))))),
      h('tbody', {}, this.facilities.map((f) => h('tr', {'data-facility': f.code},
        h('th', {scope: 'row'}, f.name, f.name !== f.code ? h('span', {class: 'sub muted'}, f.code) : null),
        this.services.map((s) => this.cell(f.code, s.id))))));
    this.table.addEventListener('keydown', (event) => this.onKey(event));
    // The grid scrolls inside this frame; the frame is a named region a keyboard can scroll.
    replace(this.frame, h('div', {class: 'table-wrap matrix-wrap', role: 'region', 'aria-labelledby': captionId}, this.table));
  }

  cell(facility, service) {
    const g = this.grants.get(cellKey(facility, service));
    const s = this.service(service);
    const sep = h('span', {class: 'visually-hidden'}, '、');
    const parts = g ? [
      h('span', {class: 'cell-state'}, h('span', {'aria-hidden': 'true'}, '● '), t('matrix.connected')), sep,
      h('span', {class: 'cell-notify'}, t('matrix.notify_short', {mode: notifyLabel(g.notify)})), sep.cloneNode(true),
      h('span', {class: 'cell-types'}, t('matrix.n_types', {n: g.types.length})),
    ] : [h('span', {class: 'cell-state'}, h('span', {'aria-hidden': 'true'}, '○ '), t('matrix.not_connected'))];
    const button = h('button', {type: 'button', class: ['cell-button', g ? 'on' : 'off'], 'aria-haspopup': 'dialog',
      dataset: {facility, service}},
    h('span', {class: 'visually-hidden'}, `${facilityName(facility)} × ${s ? s.name : service}: `), parts);
    button.addEventListener('click', () => this.open(facility, service));
    return h('td', {class: ['cell', g ? 'connected' : 'not-connected'], 'data-facility': facility, 'data-service': service,
      'data-notify': g ? g.notify : null, 'data-types': g ? String(g.types.length) : null}, button);
  }

  redrawCell(facility, service) {
    const old = this.table && this.table.querySelector(`td[data-facility="${CSS.escape(facility)}"][data-service="${CSS.escape(service)}"]`);
    if (old) old.replaceWith(this.cell(facility, service));
  }

  cellButton(facility, service) {
    return this.table ? this.table.querySelector(`button.cell-button[data-facility="${CSS.escape(facility)}"][data-service="${CSS.escape(service)}"]`) : null;
  }

  // Shows the facilities whose name or code holds `text`; returns how many.
  filter(text) {
    if (!this.table) return this.facilities.length;
    const q = text.trim().toLowerCase();
    let n = 0;
    for (const row of this.table.tBodies[0].rows) {
      const f = this.facilities.find((x) => x.code === row.dataset.facility);
      const match = !q || f.code.toLowerCase().includes(q) || f.name.toLowerCase().includes(q);
      row.hidden = !match;
      if (match) n += 1;
    }
    return n;
  }

  // Marks a service's column (coming from its page) and puts the keyboard on its first cell.
  mark(service) {
    if (!this.table) return;
    for (const el of this.table.querySelectorAll(`[data-service="${CSS.escape(service)}"]`)) el.classList.add('marked');
    const first = this.table.querySelector(`button.cell-button[data-service="${CSS.escape(service)}"]`);
    if (first) first.focus();
  }

  onKey(event) {
    const button = event.target.closest && event.target.closest('button.cell-button');
    if (!button) return;
    const td = button.parentElement;
    const tr = td.parentElement;
    const column = [...tr.children].indexOf(td);
    const rowOf = (from, step) => {
      let r = step > 0 ? from.nextElementSibling : from.previousElementSibling;
      while (r && r.hidden) r = step > 0 ? r.nextElementSibling : r.previousElementSibling;
      return r;
    };
    let target = null;
    switch (event.key) {
      case 'ArrowRight': target = td.nextElementSibling; break;
      case 'ArrowLeft': target = td.previousElementSibling; break;
      case 'ArrowDown': target = rowOf(tr, 1) && rowOf(tr, 1).children[column]; break;
      case 'ArrowUp': target = rowOf(tr, -1) && rowOf(tr, -1).children[column]; break;
      case 'Home': target = tr.children[1]; break;
      case 'End': target = tr.lastElementChild; break;
      default: return;
    }
    const next = target && target.querySelector('button.cell-button');
    if (!next) return;
    event.preventDefault();
    next.focus();
  }

  // The editor of one cell, in a modal dialog; the route remembers it (a reload reopens it).
  open(facility, service) {
    const s = this.service(service);
    if (!s) {
      replace(this.status, errorBox(t('matrix.unknown_service', {id: service})));
      return;
    }
    history.replaceState(null, '', href(['op', 'matrix'], {facility, service}));
    const editor = new Editor(this, facility, s);
    this.page.appendChild(editor.dialog);
    editor.dialog.showModal();
    editor.title.focus();
  }

  closed(facility, service) {
    history.replaceState(null, '', '#/op/matrix');
    const button = this.cellButton(facility, service);
    if (button) button.focus();
  }

  saved(facility, service, grant, text) {
    if (grant) this.grants.set(cellKey(facility, service), grant);
    else this.grants.delete(cellKey(facility, service));
    this.redrawCell(facility, service);
    replace(this.status, notice(text, 'ok'));
    announce(text);
  }
}

// One type's row of the editor: ticked or not, every element or only those listed.
function typeRow(type, rule) {
  const listed = Boolean(rule && rule.elements && rule.elements.length);
  const box = h('input', {type: 'checkbox', id: uid('type'), name: 'type', value: type, checked: Boolean(rule)});
  const scope = uid('scope');
  const all = h('input', {type: 'radio', name: scope, value: 'all', id: `${scope}-all`, checked: !listed});
  const some = h('input', {type: 'radio', name: scope, value: 'some', id: `${scope}-some`, checked: listed});
  const elements = h('input', {type: 'text', name: 'elements', autocomplete: 'off', spellcheck: 'false',
    value: listed ? rule.elements.join(', ') : ''});
  const {field: elementsField} = field(t('matrix.elements_of', {type}), elements,
    t('matrix.elements_hint', {examples: typeExamples(type) || 'status'}));
  elementsField.hidden = !listed;
  const error = h('p', {class: 'row-error', id: uid('err'), hidden: true});
  const detail = h('fieldset', {class: 'type-scope', hidden: !rule},
    h('legend', {class: 'visually-hidden'}, t('matrix.scope_of', {type})),
    h('div', {class: 'check'}, all, h('label', {for: all.id}, t('matrix.all_elements'))),
    h('div', {class: 'check'}, some, h('label', {for: some.id}, t('matrix.some_elements'))),
    elementsField);
  const li = h('li', {class: 'type-row', 'data-type': type},
    h('div', {class: 'check'}, box, h('label', {for: box.id}, typeLabel(type), ' ', h('code', {}, type))),
    detail, error);
  const row = {
    type, li, box, some, elements,
    clearError() {
      error.hidden = true;
      error.textContent = '';
      for (const el of [box, elements]) {
        el.removeAttribute('aria-invalid');
        const described = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== error.id);
        if (described.length) el.setAttribute('aria-describedby', described.join(' '));
        else el.removeAttribute('aria-describedby');
      }
      li.classList.remove('invalid');
    },
    // Marks the row with `message`; returns the control to put the keyboard on.
    showError(message, aboutElements) {
      error.textContent = message;
      error.hidden = false;
      requestAnimationFrame(() => error.scrollIntoView({block: 'center'}));
      li.classList.add('invalid');
      const target = aboutElements && !elementsField.hidden ? elements : box;
      target.setAttribute('aria-invalid', 'true');
      target.setAttribute('aria-describedby', [target.getAttribute('aria-describedby'), error.id].filter(Boolean).join(' '));
      return target;
    },
    // {type, elements?}, or null (with the row marked) when "only these" lists none.
    value() {
      if (!some.checked) return {type};
      const names = elements.value.split(/[\s,、，]+/).filter(Boolean);
      return names.length ? {type, elements: names} : null;
    },
  };
  box.addEventListener('change', () => {
    detail.hidden = !box.checked;
    row.clearError();
  });
  const scopeChanged = () => {
    elementsField.hidden = !some.checked;
    row.clearError();
    if (some.checked) elements.focus();
  };
  elements.addEventListener('input', () => row.clearError());
  all.addEventListener('change', scopeChanged);
  some.addEventListener('change', scopeChanged);
  return row;
}

class Editor {
  constructor(grid, facility, service) {
    this.grid = grid;
    this.facility = facility;
    this.service = service;
    this.grant = grid.grants.get(cellKey(facility, service.id)) || null;
    const titleId = uid('dlg');
    this.title = h('h2', {id: titleId, tabindex: '-1'}, t('matrix.editor_title', {facility: facilityName(facility), service: service.name}));
    this.dialog = h('dialog', {class: 'matrix-editor', 'aria-labelledby': titleId, 'data-facility': facility, 'data-service': service.id});
    const close = h('button', {type: 'button', class: 'close-button', 'aria-label': t('common.close')}, '×');
    close.addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('close', () => {
      this.dialog.remove();
      grid.closed(facility, service.id);
    });
    replace(this.dialog,
      h('div', {class: 'dialog-head'}, this.title, close),
      h('div', {class: 'dialog-body'}, this.body()));
  }

  body() {
    const g = this.grant;
    const s = this.service;
    const state = g
      ? t('matrix.now_connected', {mode: notifyLabel(g.notify), n: g.types.length, at: formatInstant(g.updated_at), by: g.updated_by || ''})
      : t('matrix.now_not_connected');
    this.problems = h('div', {class: 'form-problems'});
    // The notification mode.
    const notifyName = uid('notify');
    this.notify = NOTIFY_MODES.map((m) => h('input', {type: 'radio', name: notifyName, value: m, id: `${notifyName}-${m}`,
      checked: (g ? g.notify : 'none') === m}));
    const notify = h('fieldset', {class: 'notify-modes'}, h('legend', {}, t('matrix.notify')),
      this.notify.map((input) => h('div', {class: 'check'}, input, h('label', {for: input.id},
        h('span', {class: 'mode-name'}, notifyLabel(input.value)), h('span', {class: 'hint mode-hint'}, t(`notify.${input.value}_hint`))))));
    // The type information: every known type, and those of the grant the list does not know.
    const rules = new Map((g ? g.types : []).map((x) => [x.type, x]));
    const names = [...KNOWN_TYPES.map((k) => k[0]), ...[...rules.keys()].filter((x) => !KNOWN_TYPES.some((k) => k[0] === x))];
    this.rows = names.map((type) => typeRow(type, rules.get(type)));
    this.list = h('ul', {class: 'type-list'}, this.rows.map((r) => r.li));
    const other = h('input', {type: 'text', name: 'other-type', autocomplete: 'off', spellcheck: 'false'});
    const add = h('button', {type: 'button', class: 'small secondary'}, t('matrix.add_type'));
    add.addEventListener('click', () => {
      const type = other.value.trim();
      if (!type) {
        other.focus();
        return;
      }
      let row = this.rows.find((r) => r.type === type);
      if (!row) {
        row = typeRow(type, {type});
        this.rows.push(row);
        this.list.appendChild(row.li);
      } else if (!row.box.checked) {
        row.box.click();
      }
      other.value = '';
      row.box.focus();
    });
    other.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        add.click();
      }
    });
    const types = h('fieldset', {class: 'type-info'}, h('legend', {}, t('matrix.types')),
      h('p', {class: 'hint'}, t('matrix.types_hint')),
      this.list,
      h('div', {class: 'inline-form other-type'}, field(t('matrix.other_type'), other, t('matrix.other_type_hint')).field, add));
    // What can be done.
    const save = h('button', {type: 'submit', class: 'primary', dataset: {action: 'save'}}, g ? t('matrix.save') : t('matrix.connect'));
    const cancel = h('button', {type: 'button', class: 'secondary'}, t('common.cancel'));
    cancel.addEventListener('click', () => this.dialog.close());
    let disconnect = null;
    if (g) {
      disconnect = h('button', {type: 'button', class: 'danger secondary', dataset: {action: 'disconnect'}}, t('matrix.disconnect'));
      disconnect.addEventListener('click', () => this.disconnect(disconnect));
    }
    this.form = h('form', {class: 'grant-form', novalidate: true}, this.problems, notify, types,
      h('div', {class: 'dialog-actions'}, save, cancel, disconnect));
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save(save);
    });
    return [
      h('p', {class: ['cell-now', g ? 'connected' : 'not-connected']}, state),
      s.enabled ? null : notice(t('matrix.service_disabled'), 'warn'),
      this.form,
    ];
  }

  async save(button) {
    replace(this.problems);
    for (const r of this.rows) r.clearError();
    const chosen = this.rows.filter((r) => r.box.checked);
    const types = [];
    for (const r of chosen) {
      const v = r.value();
      if (!v) {
        const target = r.showError(t('matrix.elements_required', {type: r.type}), true);
        replace(this.problems, errorBox(t('matrix.elements_required', {type: r.type})));
        target.focus();
        return;
      }
      types.push(v);
    }
    const notify = (this.notify.find((x) => x.checked) || {}).value || 'none';
    button.disabled = true;
    const r = await put(`/matrix/${seg(this.facility)}/${seg(this.service.id)}`, {notify, types});
    button.disabled = false;
    if (!r.ok) {
      replace(this.problems, errorBox(r));
      // "'types'[i]: …" is about the i-th type sent: say it on that row too.
      const m = /'types'\[(\d+)\]/.exec(r.message || '');
      const row = m ? chosen[Number(m[1])] : null;
      if (row) {
        // The row names the type; the hub's words follow without the index.
        const message = r.message.replace(/^'types'\[\d+\]:\s*/, '');
        row.showError(t('matrix.row_error', {type: row.type, message}), /element/.test(message)).focus();
      } else {
        const alert = this.problems.firstElementChild;
        alert.tabIndex = -1;
        alert.focus();
      }
      return;
    }
    const g = r.data;
    const text = t(this.grant ? 'matrix.saved' : 'matrix.connected_done', {facility: facilityName(this.facility), service: this.service.name,
      mode: notifyLabel(g.notify), n: g.types.length});
    this.grid.saved(this.facility, this.service.id, g, text);
    this.dialog.close();
  }

  async disconnect(button) {
    const yes = await confirmDialog({title: t('matrix.disconnect_title', {facility: facilityName(this.facility), service: this.service.name}),
      text: t('matrix.disconnect_text'), confirmLabel: t('matrix.disconnect'), danger: true});
    if (!yes) return;
    button.disabled = true;
    const r = await del(`/matrix/${seg(this.facility)}/${seg(this.service.id)}`);
    button.disabled = false;
    if (!r.ok) {
      replace(this.problems, errorBox(r));
      return;
    }
    this.grid.saved(this.facility, this.service.id, null, t('matrix.disconnected_done', {facility: facilityName(this.facility), service: this.service.name}));
    this.dialog.close();
  }
}
