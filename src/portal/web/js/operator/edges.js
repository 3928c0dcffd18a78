// Facilities and their edges: each facility of the region (GET /v1/facilities) with its edge's
// presence (GET /v1/edges: connected, last heartbeat, version, round trip) — an edge without a
// facility entry and a facility without an edge are both listed.

import {get} from '../api.js';
import {h, replace} from '../dom.js';
import {t, formatInstant, number} from '../i18n.js';
import {allFacilities, facilityName, loadFacilities, facilitiesAvailable} from '../facilities.js';
import {pageHeading, errorBox, notice, loading, table, busyButton} from '../ui.js';

export async function renderEdges(ctx) {
  const body = h('div', {});
  const refresh = busyButton(t('op.reload'), () => load(body), {class: 'secondary'});
  replace(ctx.main, h('div', {class: 'op-page'}, pageHeading(t('op.edges_title')), h('p', {class: 'lead'}, t('op.edges_lead')), refresh, body));
  await load(body);
}

async function load(body) {
  replace(body, loading());
  const [edges] = await Promise.all([get('/edges'), loadFacilities()]);
  if (!edges.ok) {
    replace(body, errorBox(edges));
    return;
  }
  const byFacility = new Map((edges.data.edges || []).map((e) => [e.facility, e]));
  const codes = [...new Set([...allFacilities().map((f) => f.facility), ...byFacility.keys()])].sort();
  const rows = codes.map((code) => {
    const f = allFacilities().find((x) => x.facility === code) || {};
    const e = byFacility.get(code);
    const connected = e && e.connected;
    return {attrs: {class: connected ? 'connected' : 'disconnected', 'data-facility': code}, cells: [
      h('span', {}, facilityName(code), h('br'), h('span', {class: 'muted'}, code)),
      f.kind ? t(`op.kind_${f.kind}`) : '',
      [f.prefecture, f.city].filter(Boolean).join(' '),
      h('span', {class: ['presence', connected ? 'on' : 'off']}, h('span', {'aria-hidden': 'true'}, connected ? '● ' : '○ '),
        e ? t(connected ? 'op.connected' : 'op.disconnected') : t('op.no_edge')),
      e ? formatInstant(e.last_heartbeat) : '',
      e ? e.version : '',
      e && e.rtt_ms !== null && e.rtt_ms !== undefined ? `${number(e.rtt_ms, 1)} ms` : '',
      e ? String(e.connections) : '',
      e ? formatInstant(e.connected_since) : '',
      e && e.last_disconnect ? formatInstant(e.last_disconnect) : '',
    ]};
  });
  const up = codes.filter((c) => byFacility.get(c) && byFacility.get(c).connected).length;
  replace(body,
    facilitiesAvailable() ? null : notice(t('op.no_facilities_route'), 'info'),
    h('p', {class: 'summary'}, t('op.edges_summary', {up, n: codes.length})),
    table({caption: t('op.edges_title'), captionHidden: true, rows, attrs: {class: 'edges'}, empty: t('op.none'),
      columns: [t('op.facility'), t('op.kind'), t('op.place'), t('op.presence'), t('op.heartbeat'), t('op.version'), t('op.rtt'),
        t('op.connections'), t('op.since'), t('op.last_disconnect')].map((label) => ({label}))}));
}
