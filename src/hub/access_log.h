// The record of every decision the hub's authorisation point takes on patient data (who asked,
// for what, about which person, allowed or denied and why), one JSON object per line in a file
// of its own — not the operational log, which never holds patient identifiers.
//
// Until the tamper-evident audit trail (the consent issue) replaces it, this is a plain
// append-only file, flushed after each line. Thread-safe.
#pragma once

#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "hub/access.h"

namespace renkei::hub {

struct AccessDecision {
  std::string action;       // "chart", "entity"
  std::string regional_id;  // the person, when resolved
  std::vector<std::string> facilities;  // the facilities the data would come from
  Status decision;          // OK: allowed; otherwise why not
  std::string request_id;   // the HTTP request's ID, to join with the server's log
  std::string rule;         // the policy rule that decided (policy/decide.h), when one did
  std::string basis;        // the consent or override it rested on
};

class AccessLog {
 public:
  // Appends to `path` (created with mode 0600); "" keeps no record (tests, benchmarks).
  static StatusOr<std::unique_ptr<AccessLog>> Open(const std::string& path);
  void Record(const Principal& who, const AccessDecision& d);

 private:
  std::mutex mutex_;
  std::ofstream out_;  // guarded by mutex_; closed when keeping no record
};

}  // namespace renkei::hub
