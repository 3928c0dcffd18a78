// The policy decision point's cost: policy::Decide alone (the rule, facts in hand) and with the
// facts read from the consent store as the hub does for every chart (the patient's consent and
// the requester's running override, SQLite on a temporary file). Prints p50/p99 per decision.
// Usage: build/bench/policy_bench [DECISIONS]   (default 200,000; the store part does a tenth)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "policy/consent_store.h"
#include "policy/decide.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace renkei;

struct Percentiles {
  double p50_us, p99_us, max_us;
};

Percentiles Of(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100], us.back()};
}

}  // namespace

int main(int argc, char** argv) {
  const int decisions = argc > 1 ? std::max(1000, std::atoi(argv[1])) : 200'000;
  // A person registered at 5 facilities, 3 of them linked; the requester at a linked one.
  policy::Question q{{"dr-sato", policy::RequesterRole::kClinician, "1310000003"},
                     "RK00000000307",
                     {"1310000001", "1310000002", "1310000003", "1310000004", "1310000005"},
                     1'800'000'000'000};
  const policy::Facts facts{{policy::Consent::State::kActive, "C12", {"1310000001", "1310000003", "1310000005"}}, {}};
  std::vector<double> alone;
  alone.reserve(decisions);
  size_t allowed = 0;
  for (int i = 0; i < decisions; ++i) {
    const auto start = Clock::now();
    const policy::Decision d = policy::Decide(q, facts);
    alone.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    allowed += d.allowed;
  }
  const Percentiles a = Of(alone);

  const std::string path = (std::filesystem::temp_directory_path() / fmt::format("policy-bench-{}.db", getpid())).string();
  auto store = policy::ConsentStore::Open("sqlite:" + path);
  if (!store.ok()) {
    std::fprintf(stderr, "policy_bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  // 10,000 persons with a consent each, and some overrides, so that lookups use the indexes.
  for (int p = 0; p < 10'000; ++p) {
    policy::ConsentRecord r;
    r.regional_id = fmt::format("RK{:011}", p);
    r.linked = facts.consent.linked;
    r.recorded_by = "clerk";
    if (!(*store)->Record(r, "").ok()) return 1;
    if (p % 100 == 0 && !(*store)->StartOverride("dr-ito", "1310000002", r.regional_id, "bench", 30, q.now_ms).ok()) return 1;
  }
  std::vector<double> with_store;
  const int lookups = decisions / 10;
  for (int i = 0; i < lookups; ++i) {
    const std::string person = fmt::format("RK{:011}", i % 10'000);
    const auto start = Clock::now();
    auto consent = (*store)->Current(person);
    auto running = (*store)->RunningOverride(q.who.name, person, q.now_ms);
    if (!consent.ok() || !running.ok()) return 1;
    policy::Question qi = q;
    qi.regional_id = person;
    const policy::Decision d = policy::Decide(qi, {policy::EffectiveConsent(*consent, {}), *running});
    with_store.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    allowed += d.allowed;
  }
  store->reset();
  std::filesystem::remove(path);
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(path + suffix);
  const Percentiles s = Of(with_store);
  std::printf(
      "{\"decisions\":%d,\"decide_p50_us\":%.3f,\"decide_p99_us\":%.3f,\"decide_max_us\":%.1f,"
      "\"with_store_lookups\":%d,\"with_store_p50_us\":%.1f,\"with_store_p99_us\":%.1f,\"allowed\":%zu}\n",
      decisions, a.p50_us, a.p99_us, a.max_us, lookups, s.p50_us, s.p99_us, allowed);
  return 0;
}
