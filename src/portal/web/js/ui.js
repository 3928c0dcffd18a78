// Pieces every portal page uses: the page heading and title, announcements for screen readers,
// error and notice boxes, tables, tabs and the spinner.

import {h, replace, uid} from './dom.js';
import {t, errorText} from './i18n.js';

// The page's <h1> and document.title.
export function pageHeading(text, ...extra) {
  document.title = `${text} — Renkei`;
  return h('h1', {tabindex: '-1', class: 'page-title'}, text, ...extra);
}

// Says `text` through the polite live region (loading, done), or the assertive one (errors).
export function announce(text, {assertive = false} = {}) {
  const region = document.getElementById(assertive ? 'alert' : 'status');
  if (!region) return;
  region.textContent = '';
  // A change after a tick is announced even when the text is the same as before.
  setTimeout(() => {
    region.textContent = text;
  }, 30);
}

// An error box for a failed call (api.js value) or a message; role=alert so it is read out.
export function errorBox(resultOrText, ...extra) {
  const text = typeof resultOrText === 'string' ? resultOrText : errorText(resultOrText);
  return h('div', {class: 'notice error', role: 'alert'}, h('span', {class: 'icon', 'aria-hidden': 'true'}, '⚠'), h('span', {}, text), ...extra);
}

export function notice(text, kind = 'info', ...extra) {
  const icon = {info: 'ℹ', ok: '✓', warn: '⚠', error: '⚠'}[kind] || 'ℹ';
  return h('div', {class: ['notice', kind], role: kind === 'error' ? 'alert' : 'status'},
    h('span', {class: 'icon', 'aria-hidden': 'true'}, icon), h('span', {}, text), ...extra);
}

export function loading(text = t('common.loading')) {
  return h('p', {class: 'loading', role: 'status'}, h('span', {class: 'spinner', 'aria-hidden': 'true'}), text);
}

// A table with a caption (visible or for screen readers only), headers and rows of cells.
// columns: [{label, class}]; rows: arrays of cell contents (node/string) or {cells, attrs}.
export function table({caption, captionHidden = false, columns, rows, empty, attrs = {}}) {
  const head = h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col', class: c.class}, c.label))));
  const body = h('tbody', {});
  for (const row of rows) body.appendChild(tableRow(row, columns));
  const {class: extraClass, ...otherAttrs} = attrs;
  const tableEl = h('table', {...otherAttrs, class: ['data', extraClass]},
    caption ? h('caption', {class: captionHidden ? 'visually-hidden' : null}, caption) : null, head, body);
  const wrap = h('div', {class: 'table-wrap'}, tableEl);
  if (rows.length === 0 && empty) wrap.appendChild(h('p', {class: 'empty'}, empty));
  return wrap;
}

export function tableRow(row, columns) {
  const cells = Array.isArray(row) ? row : row.cells;
  const attrs = Array.isArray(row) ? {} : row.attrs || {};
  return h('tr', attrs, cells.map((c, i) => h(i === 0 && columns[0].rowHeader ? 'th' : 'td',
    {class: columns[i] && columns[i].class, scope: i === 0 && columns[0].rowHeader ? 'row' : null}, c)));
}

// Tabs as a nav of links (each a route), the current one marked aria-current.
export function tabs(label, items, current) {
  return h('nav', {class: 'tabs', 'aria-label': label},
    h('ul', {}, items.map((it) => h('li', {},
      h('a', {href: it.href, 'aria-current': it.id === current ? 'page' : null, class: it.id === current ? 'current' : null}, it.label,
        it.badge ? h('span', {class: 'badge'}, it.badge) : null)))));
}

// A one-line form asking for a required text (a reason, a note) and sending it with `send(text)`
// (an api.js call); the hub's refusal, or the missing text, is shown beside it, and `done()`
// runs once the hub took it.
export function reasonForm({name, placeholder, label, submit, danger = false, send, done}) {
  const out = h('div', {'aria-live': 'polite'});
  const input = h('input', {type: 'text', name, required: true, placeholder, 'aria-label': label});
  const form = h('form', {class: 'inline-form', novalidate: true}, input,
    h('button', {type: 'submit', class: danger ? 'small danger' : 'small'}, submit), out);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      replace(out, errorBox(t('op.reason_required')));
      input.focus();
      return;
    }
    const r = await send(text);
    if (!r.ok) {
      replace(out, errorBox(r));
      return;
    }
    done();
  });
  return form;
}

// A button that shows it is working while `action` runs and cannot be pressed twice meanwhile.
export function busyButton(label, action, attrs = {}) {
  const button = h('button', {type: 'button', ...attrs}, label);
  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-busy') === 'true') return;
    button.setAttribute('aria-busy', 'true');
    button.disabled = true;
    try {
      await action(button);
    } finally {
      button.removeAttribute('aria-busy');
      button.disabled = false;
    }
  });
  return button;
}

// A definition list of [term, value] pairs (values left out when empty).
export function facts(pairs, attrs = {}) {
  return h('dl', {class: ['facts', attrs.class]}, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
}

// A section with its heading, labelled by it.
export function section(title, level, ...children) {
  const id = uid('sec');
  return h('section', {'aria-labelledby': id}, h(`h${level}`, {id}, title), ...children);
}

// Shows the content of a region, replacing what was there.
export function show(el, ...children) {
  return replace(el, ...children);
}

// Asks a yes/no question in a modal dialog: resolves true for `confirmLabel`, false for
// "cancel", Escape or closing; the keyboard starts on "cancel" (the safe answer) and goes back
// to where it was.
export function confirmDialog({title, text, confirmLabel, danger = false}) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleId = uid('dlg');
    const textId = uid('dlg');
    const yes = h('button', {type: 'button', class: danger ? 'danger' : 'primary', dataset: {answer: 'yes'}}, confirmLabel);
    const no = h('button', {type: 'button', class: 'secondary', dataset: {answer: 'no'}}, t('common.cancel'));
    const dialog = h('dialog', {class: 'confirm-dialog', 'aria-labelledby': titleId, 'aria-describedby': textId},
      h('h2', {id: titleId}, title), h('p', {id: textId}, text), h('div', {class: 'dialog-actions'}, no, yes));
    let answer = false;
    yes.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    no.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
      resolve(answer);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    no.focus();
  });
}

// Offers `text` as a file the browser saves (a certificate's key, shown once).
export function downloadLink(label, filename, text, type = 'application/x-pem-file') {
  const url = URL.createObjectURL(new Blob([text], {type}));
  return h('a', {href: url, download: filename, class: 'button'}, label);
}
