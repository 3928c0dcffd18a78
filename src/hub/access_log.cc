#include "hub/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/time.h"

namespace renkei::hub {

StatusOr<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& path) {
  auto log = std::make_unique<AccessLog>();
  if (path.empty()) return log;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable(fmt::format("cannot open the access log {}: {}", path, std::strerror(errno)));
  ::close(fd);
  log->out_.open(path, std::ios::app);
  if (!log->out_) return Unavailable(fmt::format("cannot open the access log {}", path));
  return log;
}

void AccessLog::Record(const Principal& who, const AccessDecision& d) {
  nlohmann::json line = {{"at", NowUtcIso8601()},
                         {"actor", who.name},
                         {"role", RoleName(who.role)},
                         {"actor_facility", who.facility},
                         {"action", d.action},
                         {"regional_id", d.regional_id},
                         {"facilities", d.facilities},
                         {"allowed", d.decision.ok()},
                         {"request", d.request_id}};
  if (!d.decision.ok()) line["reason"] = d.decision.message();
  if (!d.rule.empty()) line["rule"] = d.rule;
  if (!d.basis.empty()) line["basis"] = d.basis;
  std::lock_guard lock(mutex_);
  if (!out_.is_open()) return;
  out_ << line.dump() << '\n';
  out_.flush();
}

}  // namespace renkei::hub
