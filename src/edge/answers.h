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

  const std::string facility_;
  const std::optional<pki::Signer> signer_;
  const std::optional<ImportOptions> rescan_;
  const std::shared_ptr<log::Logger> logger_;
};

}  // namespace renkei::edge
