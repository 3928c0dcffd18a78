#include "log/log.h"

#include "base/time.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>

namespace renkei::log {

StatusOr<std::shared_ptr<Logger>> Logger::Create(std::string_view level, std::string_view format,
                                                 const std::string& file) {
  spdlog::sink_ptr sink;
  try {
    if (file.empty()) sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    else sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file);
  } catch (const spdlog::spdlog_ex& e) {
    return Unavailable(fmt::format("cannot open log file: {}", e.what()));
  }
  // Not registered in spdlog's global registry: each Logger has one owner.
  auto logger = std::make_shared<spdlog::logger>("renkei", sink);
  const bool json = format == "json";
  logger->set_pattern(json ? "%v" : "%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  return std::shared_ptr<Logger>(new Logger(std::move(logger), json));
}

std::shared_ptr<Logger> Logger::Null() {
  auto logger = std::make_shared<spdlog::logger>("null", std::make_shared<spdlog::sinks::null_sink_mt>());
  logger->set_level(spdlog::level::off);
  return std::shared_ptr<Logger>(new Logger(std::move(logger), true));
}

void Logger::Log(Level level, std::string_view event, const nlohmann::json& fields) {
  const spdlog::level::level_enum l = level == Level::kDebug  ? spdlog::level::debug
                                      : level == Level::kInfo ? spdlog::level::info
                                      : level == Level::kWarn ? spdlog::level::warn
                                                              : spdlog::level::err;
  if (!sink_->should_log(l)) return;
  if (json_) {
    nlohmann::json line = {{"ts", NowUtcIso8601()},
                           {"level", spdlog::level::to_string_view(l).data()},
                           {"event", event}};
    for (const auto& [k, v] : fields.items()) line[k] = v;
    sink_->log(l, line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    std::string text(event);
    for (const auto& [k, v] : fields.items()) {
      text += fmt::format(" {}={}", k, v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    sink_->log(l, text);
  }
}

}  // namespace renkei::log
