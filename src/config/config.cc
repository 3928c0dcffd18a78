#include "config/config.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace renkei::config {
namespace {

Status CheckKeys(const toml::table& table, std::string_view where, const std::set<std::string_view>& allowed) {
  for (const auto& [key, value] : table) {
    if (!allowed.contains(key.str())) {
      return InvalidArgument(fmt::format("unknown configuration key '{}{}'", where, key.str()));
    }
  }
  return Status::Ok();
}

template <typename T>
Status Read(const toml::table& table, std::string_view where, std::string_view key, T* out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Status::Ok();
  auto value = node->value<T>();
  if (!value) return InvalidArgument(fmt::format("configuration key '{}{}' has the wrong type", where, key));
  *out = *value;
  return Status::Ok();
}

}  // namespace

StatusOr<Config> ParseConfig(std::string_view text) {
  // Debian's toml++ reports syntax errors by exception; they stop here.
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& err) {
    return InvalidArgument(fmt::format("configuration line {}, column {}: {}", err.source().begin.line,
                                       err.source().begin.column, err.description()));
  }
  Config config;
  RENKEI_RETURN_IF_ERROR(CheckKeys(root, "", {"edge", "log"}));
  if (const toml::table* edge = root["edge"].as_table()) {
    RENKEI_RETURN_IF_ERROR(CheckKeys(*edge, "edge.", {"store", "ssmix2_root", "batch_size", "max_message_bytes",
                                                      "watch_interval_seconds", "severity", "facility_id",
                                                      "mllp_listen"}));
    RENKEI_RETURN_IF_ERROR(Read(*edge, "edge.", "facility_id", &config.edge.facility_id));
    RENKEI_RETURN_IF_ERROR(Read(*edge, "edge.", "mllp_listen", &config.edge.mllp_listen));
    if (config.edge.facility_id.size() > 64 ||
        config.edge.facility_id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._") !=
            std::string::npos) {
      return InvalidArgument("edge.facility_id must be 1-64 letters, digits, '-', '.' or '_' (the 10-digit 医療機関コード)");
    }
    RENKEI_RETURN_IF_ERROR(Read(*edge, "edge.", "store", &config.edge.store));
    RENKEI_RETURN_IF_ERROR(Read(*edge, "edge.", "ssmix2_root", &config.edge.ssmix2_root));
    int64_t batch = static_cast<int64_t>(config.edge.batch_size);
    int64_t max_bytes = static_cast<int64_t>(config.edge.max_message_bytes);
    int64_t interval = config.edge.watch_interval_seconds;
    RENKEI_RETURN_IF_ERROR(Read(*edge, "edge.", "batch_size", &batch));
    RENKEI_RETURN_IF_ERROR(Read(*edge, "edge.", "max_message_bytes", &max_bytes));
    RENKEI_RETURN_IF_ERROR(Read(*edge, "edge.", "watch_interval_seconds", &interval));
    if (batch < 1 || batch > 1'000'000) return InvalidArgument("edge.batch_size must be between 1 and 1000000");
    if (max_bytes < 1024 || max_bytes > (int64_t{1} << 30)) {
      return InvalidArgument("edge.max_message_bytes must be between 1024 and 1073741824");
    }
    if (interval < 1 || interval > 86400) return InvalidArgument("edge.watch_interval_seconds must be 1..86400");
    config.edge.batch_size = static_cast<size_t>(batch);
    config.edge.max_message_bytes = static_cast<size_t>(max_bytes);
    config.edge.watch_interval_seconds = static_cast<int>(interval);
    if (config.edge.store.empty()) return InvalidArgument("edge.store must not be empty");
    if (const toml::node* sev = edge->get("severity")) {
      const toml::table* t = sev->as_table();
      if (t == nullptr) return InvalidArgument("edge.severity must be a table of defect kind = \"warning\"|\"quarantine\"");
      for (const auto& [key, value] : *t) {
        auto kind = ssmix2::DefectKindFromName(key.str());
        if (!kind) return InvalidArgument(fmt::format("edge.severity: unknown defect kind '{}'", key.str()));
        auto name = value.value<std::string>();
        auto severity = name ? ssmix2::SeverityFromName(*name) : std::nullopt;
        if (!severity) {
          return InvalidArgument(fmt::format("edge.severity.{} must be \"warning\" or \"quarantine\"", key.str()));
        }
        config.edge.severity.Set(*kind, *severity);
      }
    }
  } else if (root.contains("edge")) {
    return InvalidArgument("'edge' must be a table");
  }
  if (const toml::table* log = root["log"].as_table()) {
    RENKEI_RETURN_IF_ERROR(CheckKeys(*log, "log.", {"level", "format", "file"}));
    RENKEI_RETURN_IF_ERROR(Read(*log, "log.", "level", &config.log.level));
    RENKEI_RETURN_IF_ERROR(Read(*log, "log.", "format", &config.log.format));
    RENKEI_RETURN_IF_ERROR(Read(*log, "log.", "file", &config.log.file));
    static const std::set<std::string_view> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
    if (!kLevels.contains(config.log.level)) {
      return InvalidArgument("log.level must be one of trace, debug, info, warn, error, off");
    }
    if (config.log.format != "json" && config.log.format != "text") {
      return InvalidArgument("log.format must be json or text");
    }
  } else if (root.contains("log")) {
    return InvalidArgument("'log' must be a table");
  }
  return config;
}

StatusOr<Config> LoadConfig(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound(fmt::format("configuration file '{}' not found", path));
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto config = ParseConfig(ss.str());
  if (!config.ok()) return config.status().Annotate(path);
  return config;
}

}  // namespace renkei::config
