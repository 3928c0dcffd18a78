// Every string a person sees, in Japanese (the default) and English. The choice is remembered
// in localStorage ("renkei.lang": a preference, not a secret) and <html lang> follows it.
//
//   t('chart.refresh')                   → "最新情報を取得" | "Request latest"
//   t('chart.events', {n: 12})           → "12件" | "12 events"
//   eventTypeLabel('lab_result')         → "検査結果" (src/fhir/event.cc) | "Lab result"

import {STRINGS} from './strings.js';

const LANG_KEY = 'renkei.lang';
const listeners = new Set();
let current = 'ja';

try {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'ja') current = saved;
} catch {
  // storage disabled: Japanese
}

export function lang() {
  return current;
}

export function setLang(value) {
  if (value !== 'ja' && value !== 'en') return;
  current = value;
  try {
    localStorage.setItem(LANG_KEY, value);
  } catch {
    // not remembered
  }
  document.documentElement.lang = value;
  for (const listener of listeners) listener(value);
}

export function onLangChange(listener) {
  listeners.add(listener);
}

export function t(key, params) {
  const entry = STRINGS[key];
  let text = entry ? entry[current === 'en' ? 1 : 0] : key;
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (m, name) => (params[name] === undefined ? m : String(params[name])));
  }
  return text;
}

// An Observation.interpretation code as words ("H" → "高値" | "High"), else the code.
export function flagText(flag) {
  return STRINGS[`flag.${flag}`] ? t(`flag.${flag}`) : String(flag || '');
}

// The event types of src/fhir/event.h, in their order, with the labels of src/fhir/event.cc.
export const EVENT_TYPES = [
  ['visit', '外来受診', 'Outpatient visit'],
  ['admission', '入院', 'Admission'],
  ['discharge', '退院', 'Discharge'],
  ['transfer', '転科・転棟', 'Transfer'],
  ['leave', '外出・外泊', 'Leave'],
  ['care_team', '担当医', 'Care team'],
  ['diagnosis', '病名', 'Diagnosis'],
  ['prescription', '処方', 'Prescription'],
  ['injection', '注射', 'Injection'],
  ['administration', '実施', 'Administration'],
  ['lab_order', '検査オーダ', 'Lab order'],
  ['lab_result', '検査結果', 'Lab result'],
  ['imaging', '放射線検査', 'Radiology'],
  ['endoscopy', '内視鏡検査', 'Endoscopy'],
  ['physiology', '生理検査', 'Physiological test'],
  ['document', '文書', 'Document'],
  ['allergy', 'アレルギー', 'Allergy'],
  ['meal', '食事', 'Meal'],
];

export function eventTypeLabel(type, fallback) {
  const entry = EVENT_TYPES.find((e) => e[0] === type);
  if (!entry) return fallback || type;
  return current === 'en' ? entry[2] : entry[1];
}

// "20260814" or "2026-08-14T11:14:00+09:00" → "2026-08-14" (and " 11:14" with time).
export function formatDate(text, withTime = false) {
  if (!text) return '';
  const s = String(text);
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (compact) return `${compact[1]}-${compact[2]}-${compact[3]}`;
  const iso = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?/.exec(s);
  if (!iso) return s;
  return withTime && iso[2] ? `${iso[1]} ${iso[2]}` : iso[1];
}

// A UTC instant ("2026-12-07T19:31:50.407Z" or milliseconds) in the browser's time zone.
export function formatInstant(value) {
  if (value === null || value === undefined || value === '') return '';
  const d = typeof value === 'number' ? new Date(value) : new Date(String(value));
  if (Number.isNaN(d.getTime())) return String(value);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// Whole years from a birth date ("19590125" or "1959-01-25") to today.
export function age(birthDate, today = new Date()) {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(String(birthDate || ''));
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let years = today.getFullYear() - y;
  if (today.getMonth() + 1 < mo || (today.getMonth() + 1 === mo && today.getDate() < d)) years -= 1;
  return years;
}

export function sexLabel(sex) {
  const key = {M: 'sex.male', F: 'sex.female', O: 'sex.other', U: 'sex.unknown'}[String(sex || '').toUpperCase()];
  return key ? t(key) : String(sex || '');
}

export function number(value, digits) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value ?? '');
  return value.toLocaleString(current === 'en' ? 'en-US' : 'ja-JP', {maximumFractionDigits: digits ?? 3});
}

// What a person reads for a failed call (api.js's error value): the hub's reason for a 403,
// a plain sentence for the statuses a person can act on.
export function errorText(result) {
  if (!result || result.ok) return '';
  switch (result.status) {
    case 0:
      return t('error.network');
    case 400:
      return t('error.bad_request', {message: result.message});
    case 401:
      return t('error.session');
    case 403:
      return t('error.forbidden', {message: result.message});
    case 404:
      return t('error.not_found', {message: result.message});
    case 409:
      return t('error.conflict', {message: result.message});
    case 429:
      return t('error.rate_limited');
    case 503:
      return t('error.unavailable', {message: result.message});
    default:
      return t('error.other', {status: result.status, message: result.message});
  }
}
