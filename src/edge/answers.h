// What an edge answers to the hub's requests (relay/peer.h), from its repository:
//   events {"patient_ids","types","from","to","department","limit","cursor","nonce","refresh"}
//          → {"facility","nonce","patient_ids","events":[store::EventJson...],"more","at"}
//   entity {"patient_ids","reference" ("Binary/ID": a stored document's bytes),"version","nonce"}
//          → {"facility","nonce","reference","patient_id","resource"}
//   resources {"patient_ids","types" (FHIR resource types; none: all),"from","to" (YYYY-MM-DD, by
//              the record's event time),"limit" (1..5000, default 1000),"nonce"}
//          → {"facility","nonce","patient_ids","resources":[{"reference","record_id","patient_id",
//             "event_type","occurred_at","sort_key","status","resource"}...] newest first,"more","at"}
//          the current content of the patients' valid records: a chart's drill-downs, a service's
//          extract
//   record {"patient_ids","record_id","nonce"}                   (a change's data, for data mode)
//          → {"facility","nonce","patient_ids","resources":[as above...],"at"}: that record's
//          resources as they are now (deleted or superseded ones marked so; event fields ""),
//          or with record_id 0 the patient's demographics (their Patient resources)
//   write  {"patient_id","service","key","resource","types","from","to","limit","nonce"}
//          → {"facility","nonce","patient_id","outcome","record_id","reference",
//             "resources":[as above...],"more","at"}: a service's write-back. `resource` (a FHIR R4
//          Encounter — a reception or, with status "planned", a reservation — or a
//          QuestionnaireResponse) is stored as a record of the patient through the same path as
//          an uploaded FHIR Bundle (upload.h): its subject set to the patient, its ID derived from
//          (service, key), so the same write sent again is one record ("unchanged"); then the
//          patient's resources are extracted for the service as for "resources" (seed 000 S35)
//   ping   {} → {}
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
