// Structured logs. A Logger writes one JSON object per line (or readable text) with a
// timestamp, a level, an event name and fields. Callers pass only operational facts
// (counts, durations, record and quarantine IDs, error codes) — never patient data:
// no names, no patient IDs, no file paths (SS-MIX2 paths contain the patient ID).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace spdlog {
class logger;
}

namespace renkei::log {

enum class Level { kDebug, kInfo, kWarn, kError };

class Logger {
 public:
  // Creates a logger writing to standard error, or to `file` when not empty.
  // `level` is trace|debug|info|warn|error|off, `format` json|text.
  static StatusOr<std::shared_ptr<Logger>> Create(std::string_view level, std::string_view format,
                                                  const std::string& file);
  // A logger that drops everything (tests, quiet tools).
  static std::shared_ptr<Logger> Null();

  void Log(Level level, std::string_view event, const nlohmann::json& fields = nlohmann::json::object());
  void Info(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) {
    Log(Level::kInfo, event, fields);
  }
  void Warn(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) {
    Log(Level::kWarn, event, fields);
  }
  void Error(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) {
    Log(Level::kError, event, fields);
  }

 private:
  Logger(std::shared_ptr<spdlog::logger> sink, bool json) : sink_(std::move(sink)), json_(json) {}
  std::shared_ptr<spdlog::logger> sink_;
  bool json_;
};

}  // namespace renkei::log
