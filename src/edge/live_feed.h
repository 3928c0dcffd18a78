// The edge's live feed: HL7 v2 messages arriving one by one (over MLLP, see mllp/server.h)
// instead of as SS-MIX2 files. Each message is given the SS-MIX2 identity it would have in
// a standardized storage (data type from MSH-9 and its content, patient from PID-3, date and
// order number from the fields SS-MIX2 names them by, timestamp from MSH-7), checked exactly
// like a file (ssmix2::Inspect on that path), and stored through RecordWriter in its own
// transaction. The ACK says what happened: AA only after the commit; AE when the message was
// read but is defective (it is quarantined, with the reason in ERR); AR when it cannot be
// read or its type is not one the edge keeps (quarantined too: nothing is lost). When the
// store cannot keep a message at all, no ACK is sent, and the sender sends it again.
//
// Not thread-safe: one LiveFeed per store connection; MllpServer calls its handler on one
// thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "hl7/message.h"
#include "log/log.h"
#include "ssmix2/defect.h"
#include "store/store.h"

namespace renkei::edge {

struct LiveFeedOptions {
  std::string facility_id = "local";
  ssmix2::SeverityPolicy severity;
  size_t max_message_bytes = 16u << 20;
};

// What happened to one message.
struct LiveResult {
  enum class Outcome { kStored, kUnchanged, kQuarantined, kRejected };
  Outcome outcome = Outcome::kStored;
  std::string path;      // the SS-MIX2 path the message was kept under ("" when rejected unread)
  std::string detail;    // the reason, for AE/AR
  bool kept = true;      // false when not even the quarantine could store it (no ACK is sent)
};

// The SS-MIX2 data type a message of this type carries, e.g. RDE^O11 with an injection
// route → "OMP-02"; "" when the edge does not keep such messages.
std::string DataTypeOfMessage(const hl7::Message& message);

class LiveFeed {
 public:
  LiveFeed(store::Store& store, std::shared_ptr<log::Logger> logger, LiveFeedOptions options);

  // Handles one message as received (in its own character set) and returns the ACK bytes, or
  // "" (no ACK: the sender resends) when the store could keep it nowhere.
  std::string Accept(std::string_view bytes);
  // What happened to the last message Accept() handled.
  const LiveResult& last() const { return last_; }

  int64_t stored() const { return stored_; }
  int64_t quarantined() const { return quarantined_; }

 private:
  std::string NextControlId();
  LiveResult Keep(std::string_view bytes, const hl7::Message& message, std::vector<ssmix2::Defect>* errors);
  // Keeps a defective message in the quarantine; false (logged) when the store failed, and
  // then the message must not be acknowledged, so that its sender sends it again.
  bool Quarantine(std::string_view path, const std::vector<ssmix2::Defect>& defects, std::string_view bytes);

  store::Store& store_;
  std::shared_ptr<log::Logger> log_;
  LiveFeedOptions options_;
  int64_t stored_ = 0;
  int64_t quarantined_ = 0;
  int64_t acks_ = 0;
  LiveResult last_;
};

}  // namespace renkei::edge
