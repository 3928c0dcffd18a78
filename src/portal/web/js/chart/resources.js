// A patient's FHIR resources of some types from every facility the policy allows, newest
// first, for the drill-down tables and the trend plot (src/hub/chart.h, Resources):
//   GET /v1/resources?patient=L | regional_id=R &type=Observation&type=… [&from&to&facility&limit]
//   → {regional_id, access, partial, more, sources, resources: [{facility, reference, record_id,
//      event_type, occurred_at, status, resource}]}
// One request however many facilities hold the patient; the hub asks them in parallel under
// the same policy decision as the chart.

import {get} from '../api.js';

export const RESOURCES_LIMIT = 2000;

export function loadResources(subject, {types, from, to, facility, limit = RESOURCES_LIMIT, signal} = {}) {
  return get('/resources', {...subject, type: types, from, to, facility, limit}, signal);
}
