// The hub's patient-index API: JSON over HTTP, every request authenticated (bearer token,
// hub/access.h) and authorised by hub::Authorize.
//
//   POST /v1/registrations                        register or update a patient (a facility)
//   GET  /v1/registrations/{facility}/{local_id}  PIX by a local ID: the regional ID and the
//                                                 other facilities' local IDs
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
// The shapes follow IHE PIXm/PDQm so that a FHIR facade can map onto them: a person is
// {"regional_id", "identifiers": [{"facility", "local_id"}...]}.
#pragma once

#include <memory>

#include "http/router.h"
#include "hub/access.h"
#include "hub/patient_index.h"
#include "log/log.h"

namespace renkei::hub {

// The routes above over `index`, authenticating against `credentials`. Both must outlive the router.
http::Router MakeApi(PatientIndex& index, const Credentials& credentials, std::shared_ptr<log::Logger> logger);

}  // namespace renkei::hub
