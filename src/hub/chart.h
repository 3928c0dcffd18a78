// The one chart: a patient's events from every facility that holds them, merged newest first,
// fetched live from the facilities' edges (the hub keeps no clinical data).
//
// Chart() resolves the person (by the viewer's own local patient ID, or a regional ID), asks
// the policy decision point (policy/decide.h, through DecideView: the one place every path to
// clinical data passes) whether the viewer may see them and from which facilities, records the
// decision, and asks every facility the decision allows in parallel for one page of events. Within the deadline it merges what came back; a facility that did not
// answer in time (or is offline, or failed) is listed with why, and the chart is marked
// partial, never waited for longer.
//
// Order and paging: events are ordered by (sort_key, facility, record_id), all descending. A
// cursor is the position of a page's last event ("YYYYMMDDHHMMSS:record_id:facility"); each
// facility is asked for its events after that position, so pages neither repeat nor skip an
// event however many facilities answer, as long as every facility answers. A partial page may
// miss the silent facilities' events in its range: ask for the same cursor again to fill it.
//
// Every answer an edge gives is signed by it (relay/peer.h's Answer); each source carries its
// edge's signed answer and certificate so that the viewer can check every event against it
// (pki/signature.h VerifySigned; `renkei chart --verify`).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "hub/audit_trail.h"
#include "hub/services.h"
#include "policy/decide.h"

namespace renkei::hub {

// What a chart and a resources request share: whose data, from which facilities, of which
// dates, how long to wait for the edges.
struct PatientQuery {
  std::string local_id;     // the viewer's own facility's patient ID, or
  std::string regional_id;  // a regional ID
  std::vector<std::string> types;       // the chart's event types (fhir/event.h names) or FHIR resource types; empty: all
  std::string from, to;                 // YYYY-MM-DD, inclusive
  std::vector<std::string> facilities;  // only these facilities; empty: all
  std::chrono::milliseconds deadline{std::chrono::seconds(5)};
  bool include_signed = false;  // each source with its edge's signed answer, to verify what it sent
  RequestContext origin;  // the HTTP request, for the audit trail
};

struct ChartRequest : PatientQuery {
  std::string department;  // code or name
  int64_t limit = 100;     // events per page, 1..1000
  std::string cursor;      // from the previous page's next_cursor
  bool refresh = false;    // "request the latest information": each edge re-scans the patient first
};

// A decision on a person's clinical data, with the person it is about and its audit entry.
struct Viewing {
  CrossReference person;
  policy::Decision decision;
  // The entry of an allowed decision, committed meanwhile: Recorded(*entry, ...) before disclosing.
  std::optional<audit::Log::Pending> entry;
};
// The policy's decision on `viewer` seeing `person`'s data, with the facts gathered from the
// consent store (the consent in force, the viewer's running override). Records nothing.
StatusOr<policy::Decision> DecideFor(const HubServices& hub, const Principal& viewer, const CrossReference& person);

// Resolves the person named by the viewer's local ID or a regional ID (one of them), gathers
// the facts (the consent, the viewer's running break-glass override) and asks policy::Decide;
// puts the decision on the audit trail under `action` ("chart.view", "entity.read",
// "access.explain"): a denial before returning, an allowed decision in Viewing::entry, to be
// waited for before disclosing. A denial is returned as a Viewing too (decision.allowed false);
// errors are for bad requests, an unknown local ID (NotFound), an unreadable store and a denial
// the trail could not record (Unavailable). An unknown regional ID
// is a denial, so that whether it exists is not disclosed.
StatusOr<Viewing> DecideView(const HubServices& hub, const Principal& viewer, const std::string& local_id,
                             const std::string& regional_id, std::string_view action, const RequestContext& from,
                             std::vector<std::string> resources = {});

// The chart as JSON text (events as their edges signed them, byte for byte):
//   {"regional_id", "patient": {"identifiers": [{"facility","local_id"}...]} (the allowed
//    facilities' only), "access": {"rule", "basis", "reason"},
//    "events": [...store::EventJson...], "next_cursor": "..." | null, "partial": bool,
//    "sources": [{"facility", "local_ids", "status": "answered"|"offline"|"timeout"|"error",
//                 "reason", "took_ms", "events" (on this page), "answered_events" (in its answer),
//                 "signed": {"body","signature","certificate"} (with include_signed)}
//                 ... and {"facility", "status": "withheld", "reason"} for each holder the
//                 decision left out (not a partial chart: the patient's choice)]}
// Errors: InvalidArgument for a bad request (both or neither of local_id and regional_id, a bad
// cursor, limit, date or type); NotFound from the index; PermissionDenied with the decision's reason.
StatusOr<std::string> Chart(const HubServices& hub, const Principal& viewer, const ChartRequest& request);

// One entity (a FHIR resource, documents included) relayed from the facility that holds it:
// {"facility", "reference", "resource", "signed": {"body","signature","certificate"}}.
// The viewer names the patient as for Chart; the facility must hold a record of that person.
struct EntityRequest {
  std::string local_id, regional_id;
  std::string facility;
  std::string reference;  // "Observation/ID"
  int64_t version = 0;    // 0: the current version
  std::chrono::milliseconds deadline{std::chrono::seconds(10)};
  RequestContext origin;
};
StatusOr<nlohmann::json> Entity(const HubServices& hub, const Principal& viewer, const EntityRequest& request);

// A person's FHIR resources of some types from every facility the decision allows — the chart's
// drill-downs (prescriptions, lab results for a trend across facilities, diagnoses, allergies,
// documents, image studies) — asked of the edges in parallel like the chart, under the same
// decision (audited as "resources.read"):
//   {"regional_id", "access": {"rule","basis","reason"}, "partial": bool,
//    "resources": [{"facility","reference","record_id","event_type","occurred_at","status",
//                   "resource"}...] newest first, "more": bool (a facility had more than limit),
//    "sources": [as in the chart, with "resources" instead of "events"]}
struct ResourcesRequest : PatientQuery {
  int64_t limit = 1000;  // resources in all, 1..5000
};
// Errors as for Chart.
StatusOr<nlohmann::json> Resources(const HubServices& hub, const Principal& viewer, const ResourcesRequest& request);

}  // namespace renkei::hub
