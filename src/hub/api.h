// The hub's patient-index API: JSON over HTTP, every request authenticated (bearer token,
// hub/access.h) and authorised by hub::Authorize.
//
//   POST /v1/registrations                        register or update a patient (a facility)
//   GET  /v1/registrations/{facility}/{local_id}  PIX by a local ID: the regional ID and the
//                                                 local IDs of the facilities the policy lets
//                                                 the caller see (all for operators)
//   GET  /v1/patients/{regional_id}               PIX by a regional ID
//   GET  /v1/patients?family_kana=…&birth_date=…  PDQ: ranked persons (family, given, family_kana,
//                                                 given_kana, birth_date, sex, phone, postal_code,
//                                                 address, limit)
//   GET  /v1/patients/{regional_id}/locations     the record locator: facilities holding data
//   GET  /v1/patients/{regional_id}/history       the link history, newest first (limit, before)
//   POST /v1/links | /v1/unlinks | /v1/merges     operator corrections, with a reason
//   POST /v1/changes/{change}/revert              undo a correction
//   GET  /v1/reviews?status=open                  the review queue (limit, after)
//   GET  /v1/reviews/{id}                         both records side by side, with the score breakdown
//   POST /v1/reviews/{id}/resolve                 {"decision": "link" | "keep_apart", "reason": …}
//
// The relay and the one chart (hub/edges.h, hub/chart.h):
//   GET  /v1/edges/connect        an edge's WebSocket (authenticated as its facility)
//   GET  /v1/edges                the edges' presence (operators: all; a facility: its own)
//   GET  /v1/chart?patient=LOCAL_ID | regional_id=RK…  [&type=…&from=…&to=…&facility=…
//                 &department=…&limit=…&cursor=…&deadline_ms=…&refresh=true&signed=true]
//   GET  /v1/entities/{facility}/{type}/{id}?patient=… | regional_id=… [&version=N]
//
// Consent and the policy (policy/decide.h decides every chart and entity, through DecideView):
//   GET  /v1/access/explain?patient=… | regional_id=…  the caller's decision: effect, rule, reason,
//                                                      basis, facilities, withheld
//   GET  /v1/access/explain?regional_id=…&as=LOGIN     the same for that user (operators)
//   GET  /v1/patients/{regional_id}/consent   the consent in force and every recorded change
//   POST /v1/patients/{regional_id}/consent   {"state": "active"|"withdrawn", "linked": [...],
//                                             "proxy", "document_base64", "document_type"}
//   GET  /v1/patients/{regional_id}/consent/{id}/document   the signed form, as uploaded
//   POST /v1/breakglass                       {"patient" | "regional_id", "reason", "minutes"}
//   POST /v1/breakglass/{id}/stop             the requester ends it early
//   GET  /v1/breakglass?status=unreviewed|all the operators' review list
//   POST /v1/breakglass/{id}/review           {"note"} (operators)
//   GET  /v1/patients/{regional_id}/accesses  who accessed the record (the audit trail, newest
//                                             first; before, limit) and the emergencies declared
//                                             on it: the patient, their proxy, operators
//   GET  /v1/audit?patient=&principal=&facility=&action=&from=&to=&before=&limit=
//                                             the operators' audit search, newest first
//
// Service providers, the permission matrix and their exchange: hub/service_api.h.
//
// People (identity/):
//   POST   /v1/sessions           {"login", "password", "code"} → {"token", "session", "user"};
//                                 the one route without credentials (401 wrong or locked, 429)
//   DELETE /v1/sessions/current   sign out
//   GET    /v1/me                 the caller as the hub sees it
//   POST   /v1/users              {"login", "display_name", "role", "facility", "regional_ids",
//                                 "password"} → the user and the TOTP secret, once (operators)
//   GET    /v1/users              (operators; after, limit)
//   POST   /v1/users/{id}/{change}  disable | enable | reset-totp (operators)
//
// Callers authenticate with a client certificate of the regional CA (over TLS: an edge is its
// facility's principal, a user of a facility a clinician, an operator an operator) or a bearer
// token: a facility's credential or a person's session. hub::Authorize (access.h) decides every
// route; every access and change is put on the audit trail (audit_trail.h) before the answer.
//
// The shapes follow IHE PIXm/PDQm so that a FHIR facade can map onto them: a person is
// {"regional_id", "identifiers": [{"facility", "local_id"}...]}.
#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "http/router.h"
#include "hub/services.h"
#include "log/log.h"

namespace renkei::hub {

// A registration's demographics from JSON members named as in the records CSV (family_kanji,
// given_kanji, family_kana, given_kana, birth_date, sex, postal_code, address, phone,
// identifier; each a string, all optional). InvalidArgument for another member or type.
StatusOr<mpi::Demographics> DemographicsFrom(const nlohmann::json& j);

// The routes above.
http::Router MakeApi(const HubServices& hub, std::shared_ptr<log::Logger> logger);

}  // namespace renkei::hub
