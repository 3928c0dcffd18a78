// A tiny element builder. Every piece of data goes in as text (textContent, attribute values),
// never as markup: there is no innerHTML anywhere in the portals.
//
//   h('button', {class: 'primary', type: 'button', onclick: go}, t('chart.refresh'))
//   h('td', {class: ['num', abnormal && 'abnormal']}, value)
//
// attrs: `class` (string or array, falsy entries dropped), `text`, `dataset` (object),
// `on<event>` (a listener), `hidden`/`disabled`/`checked`/`selected`/`value` (properties), and
// any other attribute (null/undefined/false leave it out, true sets it empty).
// children: nodes, strings and numbers (as text), arrays (flattened); null/false/undefined skipped.

const SVG_NS = 'http://www.w3.org/2000/svg';
const PROPERTIES = new Set(['hidden', 'disabled', 'checked', 'selected', 'value', 'multiple', 'required']);

function apply(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') {
      const names = (Array.isArray(value) ? value : [value]).filter(Boolean).join(' ');
      if (names) el.setAttribute('class', names);
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (PROPERTIES.has(key) && !(el instanceof SVGElement)) {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

// The same for SVG elements (the trend plot).
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

// Replaces the children of `el` with `children`.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A fresh id for label/aria references.
let nextId = 0;
export function uid(prefix = 'rk') {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// A labelled form field: <div class="field"><label for=…>…</label><input id=…></div>.
// Returns {field, input}.
export function field(label, input, hint) {
  if (!input.id) input.id = uid('f');
  let hintEl = null;
  if (hint) {
    hintEl = h('p', {class: 'hint', id: uid('h')}, hint);
    input.setAttribute('aria-describedby', hintEl.id);
  }
  return {field: h('div', {class: 'field'}, h('label', {for: input.id}, label), input, hintEl), input};
}

// A <select> of [value, label] pairs.
export function select(options, value, attrs = {}) {
  const el = h('select', attrs);
  for (const [v, label] of options) el.appendChild(h('option', {value: v, selected: v === value}, label));
  return el;
}
