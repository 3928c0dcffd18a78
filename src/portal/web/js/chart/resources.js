// A patient's FHIR resources of some types from every facility the policy allows, newest
// first, for the drill-down tables and the trend plot:
//   GET /v1/resources?patient=L | regional_id=R &type=Observation&type=… [&from&to&facility&limit]
//   → {regional_id, access, partial, sources, resources: [{facility, reference, record_id,
//      event_type, occurred_at, status, resource}]}
//
// A hub without that route gets the same answer made from the routes it has: the chart's
// events of the matching types (all pages) and each event's entities (GET /v1/entities/...),
// a DiagnosticReport's Observations fetched by its result references. Slower (one request per
// resource, six at a time), but the same policy decides each, and it is what the page shows
// until the hub has /v1/resources.

import {get, noRoute, seg} from '../api.js';
import {str, arr, effectiveTime} from './fhir.js';

// Which chart event types hold each resource type.
const EVENT_TYPES_OF = {
  Observation: ['lab_result'],
  DiagnosticReport: ['lab_result'],
  MedicationRequest: ['prescription', 'injection'],
  MedicationAdministration: ['administration'],
  Condition: ['diagnosis'],
  AllergyIntolerance: ['allergy'],
  DocumentReference: ['document'],
  ServiceRequest: ['imaging', 'endoscopy', 'physiology'],
  ImagingStudy: ['imaging'],
  Encounter: ['visit', 'admission', 'discharge', 'transfer'],
};

const PARALLEL = 6;
const MAX_FALLBACK_PAGES = 10;

export async function loadResources(subject, {types, from, to, facility, limit = 1000, signal} = {}) {
  const params = {...subject, type: types, from, to, facility, limit};
  const r = await get('/resources', params, signal);
  if (!noRoute(r)) return r;
  return fromEntities(subject, {types, from, to, facility, limit, signal});
}

async function fromEntities(subject, {types, from, to, facility, limit, signal}) {
  const eventTypes = [...new Set(types.flatMap((t) => EVENT_TYPES_OF[t] || []))];
  const events = [];
  let chart = null;
  let cursor = null;
  for (let page = 0; page < MAX_FALLBACK_PAGES; page += 1) {
    const r = await get('/chart', {...subject, type: eventTypes, from, to, facility, limit: 1000, cursor}, signal);
    if (!r.ok) return r;
    chart = chart || r.data;
    if (r.data.partial) chart.partial = true;
    events.push(...arr(r.data.events));
    cursor = r.data.next_cursor;
    if (!cursor) break;
  }
  // The entities to fetch: those of the wanted types, and the reports whose observations are wanted.
  const wanted = new Set(types);
  const jobs = [];
  for (const e of events) {
    for (const ref of arr(e.entity_refs)) {
      const type = str(ref).split('/')[0];
      if (wanted.has(type) || (type === 'DiagnosticReport' && wanted.has('Observation'))) jobs.push({event: e, ref});
    }
  }
  const resources = [];
  const failures = [];
  const fetchEntity = async (facilityCode, ref) => {
    const [type, ...rest] = ref.split('/');
    return get(`/entities/${seg(facilityCode)}/${seg(type)}/${seg(rest.join('/'))}`, subject, signal);
  };
  const push = (event, ref, resource) => {
    resources.push({
      facility: event.facility,
      reference: ref,
      record_id: event.record_id,
      event_type: event.type,
      occurred_at: effectiveTime(resource) || event.occurred_at,
      status: event.status,
      resource,
    });
  };
  const followUps = [];
  await inParallel(jobs, async ({event, ref}) => {
    const r = await fetchEntity(event.facility, ref);
    if (!r.ok) {
      failures.push({facility: event.facility, ref, error: r});
      return;
    }
    const resource = r.data.resource;
    const type = ref.split('/')[0];
    if (wanted.has(type)) push(event, ref, resource);
    if (type === 'DiagnosticReport' && wanted.has('Observation')) {
      for (const result of arr(resource && resource.result)) {
        if (str(result.reference).startsWith('Observation/')) followUps.push({event, ref: result.reference});
      }
    }
  });
  await inParallel(followUps, async ({event, ref}) => {
    const r = await fetchEntity(event.facility, ref);
    if (r.ok) push(event, ref, r.data.resource);
    else failures.push({facility: event.facility, ref, error: r});
  });
  resources.sort((a, b) => (a.occurred_at < b.occurred_at ? 1 : a.occurred_at > b.occurred_at ? -1 : 0));
  return {
    ok: true,
    status: 200,
    fallback: true,
    data: {
      regional_id: chart && chart.regional_id,
      access: chart && chart.access,
      partial: Boolean(chart && chart.partial) || failures.length > 0,
      sources: chart ? chart.sources : [],
      resources: resources.slice(0, limit),
      failures,
    },
  };
}

async function inParallel(items, worker) {
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await worker(item);
    }
  };
  await Promise.all(Array.from({length: Math.min(PARALLEL, items.length)}, run));
}
