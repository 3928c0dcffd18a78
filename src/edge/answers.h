// What an edge answers to the hub's requests (relay/peer.h), from its repository:
//   events {"patient_ids","types","from","to","department","limit","cursor","nonce","refresh"}
//          → {"facility","nonce","patient_ids","events":[store::EventJson...],"more","at"}
//   entity {"patient_ids","reference","version","nonce"}
//          → {"facility","nonce","reference","patient_id","resource"}
//   resources {"patient_ids","types","from","to","limit","nonce"}   (a service's request, seed 000 S105)
//          → {"facility","nonce","patient_ids","resources":[entry...],"more","at"}: the patients'
//          FHIR resources as they are now, newest first; "types" FHIR resource types (empty:
//          all), "from"/"to" YYYY-MM-DD on the record's event date (a resource without an event,
//          such as the Patient, only when no dates are given), "limit" 1-1000 (default 100)
//   record {"patient_ids","record_id","nonce"}                   (a change's data, for data mode)
//          → {"facility","nonce","patient_ids","resources":[entry...],"at"}: that record's
//          resources; record_id 0: the patient's demographics (their Patient resources)
//   write  {"patient_id","service","key","resource","types","limit","nonce"}   (a write-back)
//          → {"facility","nonce","patient_id","outcome","record_id","reference",
//             "resources":[entry...],"more","at"}: `resource` (a FHIR R4 Encounter — a reception
//          or, with status "planned", a reservation — or QuestionnaireResponse) is stored as a
//          record of the patient through the same path as an uploaded FHIR Bundle (upload.h):
//          its subject set to the patient, its ID derived from (service, key), so the same
//          write sent again is one record ("unchanged"); then the patient's resources of
//          "types" are extracted for the service (seed 000 S35), as for "resources"
//   ping   {} → {}
// An entry: {"reference", "record_id", "event_type", "occurred_at", "status", "resource"}
// (event_type and occurred_at null for a resource without an event line).
// Every answer but ping's is signed with the edge's key (pki/signature.h) when it has one, and
// carries the hub's nonce and the time it was made, so that a signed answer cannot be replayed
// for another request unnoticed. With "refresh", the patients' SS-MIX2 folders are re-scanned
// first ("request the latest information", seed 004).
//
// An entity of a patient the request does not name is answered exactly like one that does not
// exist (NotFound). Bad arguments are InvalidArgument naming the argument.
//
// Thread-safe: Answer() may run on many threads at once, each with its own Store.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "edge/importer.h"
#include "log/log.h"
#include "pki/signature.h"
#include "relay/peer.h"
#include "store/store.h"

namespace renkei::edge {

class Answers {
 public:
  // `rescan`: the SS-MIX2 tree to re-scan on "refresh" (none: refresh answers from the store).
  Answers(std::string facility, std::optional<pki::Signer> signer, std::optional<ImportOptions> rescan,
          std::shared_ptr<log::Logger> logger);

  // The answer to `op` with `args` from `store`; `cancelled` is set when the hub no longer waits.
  StatusOr<relay::Answer> Answer(store::Store& store, std::string_view op, const nlohmann::json& args,
                                 const std::atomic<bool>& cancelled) const;

 private:
  StatusOr<nlohmann::json> Events(store::Store& s, const nlohmann::json& args, const std::atomic<bool>& cancelled) const;
  StatusOr<nlohmann::json> EntityOf(store::Store& s, const nlohmann::json& args) const;
  StatusOr<nlohmann::json> Resources(store::Store& s, const nlohmann::json& args) const;
  StatusOr<nlohmann::json> Record(store::Store& s, const nlohmann::json& args) const;
  StatusOr<nlohmann::json> Write(store::Store& s, const nlohmann::json& args) const;

  const std::string facility_;
  const std::optional<pki::Signer> signer_;
  const std::optional<ImportOptions> rescan_;
  const std::shared_ptr<log::Logger> logger_;
};

}  // namespace renkei::edge
