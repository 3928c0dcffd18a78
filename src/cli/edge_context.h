// What every `renkei edge` command sets up: the configuration (file and flags), the logger
// and the repository; and how a failure becomes a message and an exit code.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "cli/edge_commands.h"
#include "config/config.h"
#include "edge/importer.h"
#include "log/log.h"
#include "store/store.h"

namespace renkei::cli {

struct EdgeContext {
  config::Config config;
  std::shared_ptr<log::Logger> logger;
  std::unique_ptr<store::Store> store;
};

// Loads the configuration, applies --log-level, opens the store (`store_flag` overrides
// edge.store).
StatusOr<EdgeContext> Setup(const GlobalOptions& global, const std::string& store_flag);

// The facility this command acts for: --facility, else edge.facility_id, else the one the
// repository belongs to, else "local".
StatusOr<std::string> ResolveFacility(EdgeContext& ctx, const std::string& flag);

// Import options from the configuration: the facility (ResolveFacility), the root (`root`, else
// edge.ssmix2_root; "" when neither), batch size, severity policy and message size limit.
StatusOr<edge::ImportOptions> ImportOptionsFrom(EdgeContext& ctx, const GlobalOptions& g, const std::string& root);

// Prints "renkei: <message>" to standard error and returns the exit code: 2 bad input,
// 3 not found, 4 store unavailable, 1 otherwise.
int Fail(const Status& s);

// An event's time for a chart line: "2011-07-01T10:30:45+09:00" → "2011-07-01 10:30".
std::string DisplayTime(std::string_view occurred_at);

// A connection URL with its password hidden, for printing.
std::string RedactUrl(const std::string& url);

}  // namespace renkei::cli
