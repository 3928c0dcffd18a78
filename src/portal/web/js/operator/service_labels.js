// Words for the service gateway's pages (services.js, matrix.js): notification modes, delivery
// states, and the FHIR resource types a service may be granted — the types the edges make
// (src/fhir/map.cc, uploads, write-backs) with what each holds, so that an operator ticks
// "receptions and visits" rather than typing "Encounter". Type information is as
// gateway/types.h has it: [{"type", "elements"?}], no elements meaning every element.

import {h} from '../dom.js';
import {t, lang} from '../i18n.js';

export const NOTIFY_MODES = ['none', 'signal', 'data'];
export const DELIVERY_STATES = ['pending', 'delivered', 'dead', 'withheld'];

// [type, Japanese, English, a few of its top-level elements (for the hint)]
export const KNOWN_TYPES = [
  ['Patient', '患者の基本情報', 'Patient demographics', 'name, birthDate, gender, address, telecom'],
  ['Encounter', '受診・受付・予約', 'Visits, receptions, reservations', 'status, class, period, reasonCode, serviceType'],
  ['QuestionnaireResponse', '問診票の回答', 'Questionnaire answers', 'questionnaire, status, authored, item'],
  ['AllergyIntolerance', 'アレルギー', 'Allergies', 'code, criticality, reaction'],
  ['Condition', '病名', 'Diagnoses', 'code, clinicalStatus, onsetDateTime'],
  ['MedicationRequest', '処方', 'Prescriptions', 'medicationCodeableConcept, dosageInstruction, authoredOn'],
  ['MedicationAdministration', '注射・投薬の実施', 'Administrations', 'medicationCodeableConcept, effectiveDateTime, dosage'],
  ['ServiceRequest', '検査・処置のオーダ', 'Orders', 'code, status, authoredOn'],
  ['Specimen', '検体', 'Specimens', 'type, collection'],
  ['Observation', '検査結果', 'Observations (lab results)', 'code, valueQuantity, effectiveDateTime, interpretation'],
  ['DiagnosticReport', '検査レポート', 'Diagnostic reports', 'code, effectiveDateTime, result, conclusion'],
  ['ImagingStudy', '画像検査', 'Imaging studies', 'modality, started, description'],
  ['NutritionOrder', '食事オーダ', 'Nutrition orders', 'oralDiet, dateTime'],
  ['DocumentReference', '文書', 'Documents', 'type, date, description, content'],
];

export function typeLabel(type) {
  const known = KNOWN_TYPES.find((k) => k[0] === type);
  if (!known) return type;
  return lang() === 'en' ? known[2] : known[1];
}

export function typeExamples(type) {
  const known = KNOWN_TYPES.find((k) => k[0] === type);
  return known ? known[3] : '';
}

export function notifyLabel(mode) {
  return NOTIFY_MODES.includes(mode) ? t(`notify.${mode}`) : String(mode || '');
}

export function deliveryStateLabel(state) {
  return DELIVERY_STATES.includes(state) ? t(`delivery.${state}`) : String(state || '');
}

// A delivery's state as a mark and a word (not colour alone).
export function deliveryStateCell(state) {
  const mark = {pending: '◷', delivered: '✓', dead: '✕', withheld: '⊘'}[state] || '';
  return h('span', {class: ['delivery-state', `state-${state}`]}, h('span', {'aria-hidden': 'true'}, `${mark} `), deliveryStateLabel(state));
}

// "Encounter: every element; Patient: name, birthDate" as a list, or "none".
export function typesList(types) {
  if (!types || types.length === 0) return h('span', {class: 'muted'}, t('matrix.no_types'));
  return h('ul', {class: 'types-summary'}, types.map((x) => h('li', {},
    h('code', {}, x.type), ' ', h('span', {class: 'muted'}, `(${typeLabel(x.type)})`), ': ',
    x.elements && x.elements.length ? x.elements.join(', ') : t('matrix.all_elements'))));
}
