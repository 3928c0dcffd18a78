// Reading the FHIR R4 resources (JP Core) the edges relay: the few fields each drill-down
// shows. Every function takes any JSON and returns '' / null / [] for what is missing or
// malformed — a facility's data is never trusted to be well formed.

export function str(v) {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

export function arr(v) {
  return Array.isArray(v) ? v : [];
}

// The text of a CodeableConcept: its text, else its first coding's display, else the code.
export function conceptText(cc) {
  if (!cc || typeof cc !== 'object') return '';
  if (str(cc.text)) return cc.text;
  for (const c of arr(cc.coding)) {
    if (str(c.display)) return c.display;
  }
  const first = arr(cc.coding)[0];
  return first ? str(first.code) : '';
}

export function codingOf(cc, systemPrefix) {
  for (const c of arr(cc && cc.coding)) {
    if (!systemPrefix || str(c.system).startsWith(systemPrefix)) return c;
  }
  return null;
}

// JLAC10 is the laboratory code of Japanese lab results (urn:oid:1.2.392.200119.4.504); the
// test a trend plot follows across facilities.
export const JLAC10 = 'urn:oid:1.2.392.200119.4.504';

// The key a lab test is followed by across facilities: its JLAC10 code, else its first code.
export function testKey(observation) {
  const c = codingOf(observation && observation.code, JLAC10) || codingOf(observation && observation.code);
  return c ? str(c.code) : conceptText(observation && observation.code);
}

export function quantityText(q) {
  if (!q || typeof q !== 'object') return '';
  const v = typeof q.value === 'number' ? q.value : str(q.value);
  return [v, str(q.unit) || str(q.code)].filter((x) => x !== '').join(' ');
}

// An observation's value as text, and as a number when it is one.
export function observationValue(o) {
  if (!o) return {text: '', number: null, unit: ''};
  if (o.valueQuantity) {
    const q = o.valueQuantity;
    return {text: quantityText(q), number: typeof q.value === 'number' ? q.value : null, unit: str(q.unit) || str(q.code),
      comparator: str(q.comparator)};
  }
  if (str(o.valueString)) {
    const n = Number(o.valueString);
    return {text: o.valueString, number: Number.isFinite(n) ? n : null, unit: ''};
  }
  if (o.valueCodeableConcept) return {text: conceptText(o.valueCodeableConcept), number: null, unit: ''};
  if (typeof o.valueInteger === 'number') return {text: String(o.valueInteger), number: o.valueInteger, unit: ''};
  if (typeof o.valueBoolean === 'boolean') return {text: String(o.valueBoolean), number: null, unit: ''};
  return {text: '', number: null, unit: ''};
}

// The reference range: {low, high, text}.
export function referenceRange(o) {
  const r = arr(o && o.referenceRange)[0];
  if (!r) return {low: null, high: null, text: ''};
  const low = r.low && typeof r.low.value === 'number' ? r.low.value : null;
  const high = r.high && typeof r.high.value === 'number' ? r.high.value : null;
  const text = str(r.text) || (low !== null || high !== null ? `${low ?? ''}–${high ?? ''}` : '');
  return {low, high, text};
}

// H, L, HH, LL, A, N ... of Observation.interpretation, or '' — with the flag computed from the
// range when the facility sent none.
export function interpretation(o) {
  for (const i of arr(o && o.interpretation)) {
    const c = arr(i.coding)[0];
    if (c && str(c.code)) return c.code;
    if (str(i.text)) return i.text;
  }
  return '';
}

export function isAbnormalFlag(flag) {
  return Boolean(flag) && flag !== 'N';
}

export function effectiveTime(r) {
  if (!r) return '';
  return str(r.effectiveDateTime) || str(r.issued) || str(r.authoredOn) || str(r.recordedDate) || str(r.onsetDateTime) ||
    str(r.date) || str(r.occurrenceDateTime) || str(r.started) || (r.effectivePeriod && str(r.effectivePeriod.start)) ||
    (r.period && str(r.period.start)) || '';
}

// A MedicationRequest / MedicationAdministration as a table row's fields.
export function medication(r) {
  const dosage = arr(r.dosageInstruction)[0] || r.dosage || {};
  const doseRate = arr(dosage.doseAndRate)[0];
  const dose = doseRate ? quantityText(doseRate.doseQuantity) : quantityText(dosage.dose);
  const timing = dosage.timing && dosage.timing.code ? conceptText(dosage.timing.code) : '';
  const duration = r.dispenseRequest && r.dispenseRequest.expectedSupplyDuration ? quantityText(r.dispenseRequest.expectedSupplyDuration) : '';
  const quantity = r.dispenseRequest ? quantityText(r.dispenseRequest.quantity) : '';
  const route = dosage.route ? conceptText(dosage.route) : '';
  return {
    name: conceptText(r.medicationCodeableConcept) || (r.medicationReference && str(r.medicationReference.display)) || '',
    dose,
    usage: timing || str(dosage.text),
    duration,
    quantity,
    route,
    status: str(r.status),
    requester: r.requester ? str(r.requester.display) : '',
    category: conceptText(arr(r.category)[0]),
  };
}

export function condition(r) {
  const icd = codingOf(r.code, 'http://hl7.org/fhir/sid/icd-10');
  const main = arr(r.extension).some((e) => /main-diagnosis/.test(str(e.url)) && e.valueBoolean === true);
  return {
    name: conceptText(r.code),
    icd10: icd ? str(icd.code) : '',
    onset: str(r.onsetDateTime) || str(r.recordedDate),
    clinical: conceptText(r.clinicalStatus),
    verification: conceptText(r.verificationStatus),
    main,
    abatement: str(r.abatementDateTime),
  };
}

export function allergy(r) {
  const reaction = arr(r.reaction)[0] || {};
  return {
    substance: conceptText(r.code),
    category: arr(r.category).map(str).join(', '),
    manifestation: arr(reaction.manifestation).map(conceptText).filter(Boolean).join(', '),
    severity: str(reaction.severity),
    clinical: conceptText(r.clinicalStatus),
    verification: conceptText(r.verificationStatus),
    onset: str(r.onsetDateTime) || str(r.onsetString),
  };
}

// A DocumentReference's first attachment: {title, contentType, data (base64) | url, size}.
export function attachment(r) {
  const a = (arr(r && r.content)[0] || {}).attachment || {};
  return {
    title: str(a.title) || conceptText(r && r.type),
    contentType: str(a.contentType),
    data: str(a.data),
    url: str(a.url),
    size: typeof a.size === 'number' ? a.size : null,
    creation: str(a.creation),
  };
}

// base64 → bytes.
export function base64Bytes(b64) {
  const binary = atob(b64.replace(/\s/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
