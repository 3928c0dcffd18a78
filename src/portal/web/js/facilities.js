// The region's facilities by code (GET /v1/facilities), loaded once per sign-in. A hub without
// that route, or a code it does not list, shows the code itself.

import {get, noRoute} from './api.js';

let byCode = new Map();
let loading = null;
let available = false;

export function loadFacilities() {
  if (!loading) {
    loading = get('/facilities').then((r) => {
      if (r.ok && r.data && Array.isArray(r.data.facilities)) {
        byCode = new Map(r.data.facilities.map((f) => [String(f.facility), f]));
        available = true;
      } else if (!noRoute(r)) {
        loading = null;  // try again next time
      }
      return byCode;
    });
  }
  return loading;
}

export function resetFacilities() {
  byCode = new Map();
  loading = null;
  available = false;
}

export function facilitiesAvailable() {
  return available;
}

export function facility(code) {
  return byCode.get(String(code)) || null;
}

// The facility's name, or its code when the hub does not name it.
export function facilityName(code) {
  const f = byCode.get(String(code));
  return f && f.name ? f.name : String(code);
}

export function allFacilities() {
  return [...byCode.values()];
}
