// The deliverer: takes due deliveries from the outbox (outbox.h) and sends each to its
// service's webhook — at least once, signed (signature.h) with the service's signing secret,
// with its idempotency key in the header Idempotency-Key and in the body — retrying failures
// with exponential backoff and full jitter (first_backoff doubling up to max_backoff) for at
// least retry_for (72 hours) before the delivery is marked dead (kept for operators, who may
// retry it; the service may replay it for replay_window, 30 days).
//
// Each delivery asks the decision point again (policy/service_decide.h) with the matrix as it
// is now: a service disabled or disconnected since the change was fanned out gets nothing (the
// delivery is withheld). In data mode the change's data is fetched from its edge at delivery
// time (`fetch`: the hub keeps no clinical content at rest), filtered to the types and
// elements the decision allows (filter.h), and that decision is put on the audit trail
// (`audit`, once the service has it); an edge that is offline then is a failure like any other, retried.
//
// The webhook's body (JSON):
//   {"type": "renkei.change", "idempotency_key", "delivery", "mode": "signal"|"data",
//    "facility", "patient": {"local_id", "regional_id"},
//    "change": {"seq", "kind", "record_id", "resource_type", "data_type", "event_type", "at"},
//    "resources": [...filter.h entries...] (data mode)}
// A 2xx answer is delivery; anything else, or no answer within the timeout, is a failure.
//
// The clock, the HTTP sender and the edge fetch are injected, so a test can take a service
// down for an hour of simulated time. RunOnce() is one round (deterministic, for tests);
// Start() runs rounds on a thread of its own whenever something is due or Wake() is called,
// in parallel over `threads` (never two deliveries of one patient to one service at once:
// outbox.h's order).
//
// A round reads the register once and records what became of its deliveries in one
// transaction of the outbox (a delivery whose record is lost goes again: the service
// de-duplicates by its key).
//
// Thread-safety: Wake() from any thread; RunOnce() from one thread at a time (not while
// started); Start() and Stop() once each.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "gateway/outbox.h"
#include "gateway/registry.h"
#include "log/log.h"
#include "policy/service_decide.h"

namespace renkei::gateway {

struct WebhookRequest {
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type, Idempotency-Key, Renkei-Signature, ...
};

struct DelivererOptions {
  std::function<int64_t()> now_ms;  // the clock (Unix ms); required
  // POSTs a webhook; the HTTP status, or an error when there was no answer. Required.
  std::function<StatusOr<int>(const WebhookRequest&)> send;
  // Data mode: the change's entries (filter.h's shape) from its edge. Required for data mode.
  std::function<StatusOr<nlohmann::json>(const Delivery&)> fetch;
  // Each decision taken at delivery (a data disclosure, or a withholding). Optional.
  std::function<void(const Delivery&, const Service&, const policy::ServiceDecision&)> audit;
  int64_t first_backoff_ms = 1'000;
  int64_t max_backoff_ms = 3'600'000;
  int64_t retry_for_ms = 72 * 3'600'000LL;
  int64_t replay_window_ms = 30 * 24 * 3'600'000LL;
  int64_t batch = 256;  // deliveries per round
  int threads = 8;      // deliveries sent at once
  uint64_t seed = 0;    // the jitter's; 0: random
};

struct DeliveryRound {
  int64_t delivered = 0, failed = 0, dead = 0, withheld = 0;
  int64_t total() const { return delivered + failed + dead + withheld; }
};

class Deliverer {
 public:
  // `outbox` and `registry` must outlive it.
  Deliverer(Outbox& outbox, Registry& registry, DelivererOptions options, std::shared_ptr<log::Logger> logger);
  ~Deliverer();  // stops
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;

  // Sends every delivery due now (up to `batch`) once. Errors: the outbox's.
  StatusOr<DeliveryRound> RunOnce();
  void Start();
  void Wake();
  void Stop();

  // The wait before attempt `attempts` + 1 after `attempts` failures, with jitter.
  int64_t Backoff(int64_t attempts);

 private:
  // What a round knows of the register: read once, for every delivery of the round.
  struct Round {
    std::map<std::string, Service> services;                           // by ID
    std::map<std::pair<std::string, std::string>, Grant> grants;       // by (facility, service)
    std::map<std::string, std::string> secrets;                        // signing secrets by service
  };
  Attempt Deliver(const Delivery& d, const Round& round);
  Attempt Fail(const Delivery& d, const std::string& error);
  void Loop();

  Outbox& outbox_;
  Registry& registry_;
  const DelivererOptions options_;
  const std::shared_ptr<log::Logger> logger_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;     // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::mt19937_64 random_;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace renkei::gateway
