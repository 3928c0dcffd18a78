// Slows password spraying: a budget of failed sign-in attempts per source address, kept in
// memory (a restart forgets it; the per-account lockout, which the store keeps, does not).
//
// Each address may make `attempts` attempts at once and then one every window/attempts (GCRA,
// a token bucket kept as one time per address). An attempt takes its share before the password
// is checked, so that many attempts in flight at once cannot all pass; a sign-in that succeeds
// gives it back, so that the many people of a hospital behind one NAT address are limited only
// by their mistakes. The caller chooses what an address is (an IPv6 client is best limited by
// its /64).
//
// Addresses with their whole budget are forgotten when the table fills; when it is full of
// addresses still in debt (a spray from very many addresses), new addresses are refused until
// some recover.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace renkei::identity {

struct AttemptLimits {
  int attempts = 20;          // at once, and per window
  int64_t window_ms = 60'000;
  size_t max_addresses = 100'000;
};

class AttemptLimiter {
 public:
  // `limits` must have attempts >= 1, window_ms >= attempts and max_addresses >= 1.
  explicit AttemptLimiter(const AttemptLimits& limits);

  // Takes one attempt from `address`'s budget: 0 when it may go ahead, else how many
  // milliseconds until it may.
  int64_t Take(std::string_view address, int64_t now_ms);
  // Gives back the attempt Take took for a sign-in that succeeded.
  void GiveBack(std::string_view address);

 private:
  // Constant after construction.
  const AttemptLimits limits_;
  const int64_t cost_ms_;  // window_ms / attempts: how long an attempt takes to earn back

  std::mutex mutex_;
  // Guarded by mutex_: each address's "theoretical arrival time" — the time at which its budget
  // is whole again; an address at or before now has its whole budget.
  std::unordered_map<std::string, int64_t> whole_at_ms_;
};

}  // namespace renkei::identity
