#include "identity/attempt_limiter.h"

#include <algorithm>
#include <cassert>

namespace renkei::identity {

AttemptLimiter::AttemptLimiter(const AttemptLimits& limits)
    : limits_(limits), cost_ms_(limits.window_ms / std::max(limits.attempts, 1)) {
  assert(limits.attempts >= 1 && limits.window_ms >= limits.attempts && limits.max_addresses >= 1);
}

int64_t AttemptLimiter::Take(std::string_view address, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto found = whole_at_ms_.find(std::string(address));
  if (found == whole_at_ms_.end()) {
    if (whole_at_ms_.size() >= limits_.max_addresses) {
      std::erase_if(whole_at_ms_, [&](const auto& entry) { return entry.second <= now_ms; });
      if (whole_at_ms_.size() >= limits_.max_addresses) return cost_ms_;
    }
    found = whole_at_ms_.emplace(address, now_ms).first;
  }
  const int64_t whole_at = std::max(found->second, now_ms) + cost_ms_;
  // The budget is spent when taking one more would put the whole budget more than a window away.
  if (whole_at - now_ms > limits_.window_ms) return whole_at - now_ms - limits_.window_ms;
  found->second = whole_at;
  return 0;
}

void AttemptLimiter::GiveBack(std::string_view address) {
  std::lock_guard lock(mutex_);
  const auto found = whole_at_ms_.find(std::string(address));
  if (found != whole_at_ms_.end()) found->second -= cost_ms_;
}

}  // namespace renkei::identity
