// Renkei's configuration: one typed struct, read from a TOML file, with defaults for
// everything and validation of every value. Unknown keys are errors (a typo must not
// silently fall back to a default).
//
//   [edge]
//   facility_id = "1234567890"           # the facility's 10-digit 医療機関コード (names its FHIR identifiers)
//   store = "sqlite:renkei-edge.db"      # or postgresql://user@host/db
//   mllp_listen = "127.0.0.1:2575"       # HL7 v2 MLLP live feed of `renkei edge listen`
//   ssmix2_root = "/srv/ssmix2"           # default --root of `renkei edge import|watch`
//   batch_size = 2000                     # files per transaction
//   max_message_bytes = 16777216          # larger files are quarantined as too_large
//   watch_interval_seconds = 5
//   [edge.severity]                       # per defect kind: "warning" or "quarantine"
//   patient_id_mismatch = "quarantine"
//   [log]
//   level = "info"                        # trace, debug, info, warn, error, off
//   format = "json"                       # json or text
//   file = ""                             # empty: standard error
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"
#include "ssmix2/defect.h"

namespace renkei::config {

struct EdgeConfig {
  std::string facility_id;  // "" : the repository's own (set by its first import), else "local"
  std::string store = "sqlite:renkei-edge.db";
  std::string mllp_listen = "127.0.0.1:2575";
  std::string ssmix2_root;
  size_t batch_size = 2000;
  size_t max_message_bytes = 16u << 20;
  int watch_interval_seconds = 5;
  ssmix2::SeverityPolicy severity;
};

struct LogConfig {
  std::string level = "info";
  std::string format = "json";
  std::string file;
};

struct Config {
  EdgeConfig edge;
  LogConfig log;
};

// Parses TOML text. Errors (kInvalidArgument) name the key and, for syntax errors, the
// line and column.
StatusOr<Config> ParseConfig(std::string_view toml_text);
// Reads and parses a file. kNotFound when it does not exist.
StatusOr<Config> LoadConfig(const std::string& path);

}  // namespace renkei::config
