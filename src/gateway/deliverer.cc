#include "gateway/deliverer.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#include <fmt/format.h>

#include "gateway/filter.h"
#include "gateway/signature.h"

namespace renkei::gateway {
namespace {

using nlohmann::json;

constexpr int64_t kPruneEveryMs = 3'600'000;

}  // namespace

Deliverer::Deliverer(Outbox& outbox, Registry& registry, DelivererOptions options, std::shared_ptr<log::Logger> logger)
    : outbox_(outbox),
      registry_(registry),
      options_(std::move(options)),
      logger_(std::move(logger)),
      random_(options_.seed ? options_.seed : std::random_device{}()) {}

Deliverer::~Deliverer() { Stop(); }

int64_t Deliverer::Backoff(int64_t attempts) {
  const int shift = static_cast<int>(std::clamp<int64_t>(attempts - 1, 0, 40));
  const int64_t window = std::min(options_.max_backoff_ms, options_.first_backoff_ms << std::min(shift, 30));
  std::lock_guard lock(mutex_);
  return std::uniform_int_distribution<int64_t>(window / 2, window)(random_);
}

Attempt Deliverer::Fail(const Delivery& d, const std::string& error) {
  const int64_t now = options_.now_ms();
  const bool dead = now - d.retry_from_ms >= options_.retry_for_ms;
  logger_->Warn(dead ? "gateway.delivery_dead" : "gateway.delivery_failed",
                {{"delivery", d.id}, {"service", d.service_id}, {"attempts", d.attempts + 1}, {"error", error}});
  return {d.id, dead ? DeliveryState::kDead : DeliveryState::kPending, now + Backoff(d.attempts + 1), error};
}

Attempt Deliverer::Deliver(const Delivery& d, const Round& round) {
  const auto service = round.services.find(d.service_id);
  if (service == round.services.end()) return Fail(d, "the service is not registered");
  const auto grant = round.grants.find({d.change.facility, d.service_id});
  policy::ServiceQuestion q;
  q.service = service->second.name;
  q.enabled = service->second.enabled;
  q.facility = d.change.facility;
  if (grant != round.grants.end() && grant->second.notify != NotifyMode::kNone) q.row = grant->second.types;
  q.purpose = policy::ServicePurpose::kNotify;
  q.changed_type = d.change.resource_type;
  const policy::ServiceDecision decision = policy::DecideService(q);
  if (!decision.allowed) {
    if (options_.audit) options_.audit(d, service->second, decision);
    return {d.id, DeliveryState::kWithheld, 0, decision.reason};
  }
  if (service->second.webhook_url.empty()) return Fail(d, "the service has no webhook URL");
  json body = DeliveryJson(d);
  for (const char* member : {"id", "service", "state", "attempts", "created_at", "next_attempt_at", "delivered_at", "last_error"}) {
    body.erase(member);
  }
  body["type"] = "renkei.change";
  body["delivery"] = d.id;
  if (d.mode == NotifyMode::kData) {
    if (!options_.fetch) return Fail(d, "no way to fetch the change's data");
    auto entries = options_.fetch(d);
    if (!entries.ok()) return Fail(d, fmt::format("fetching the data from facility {}: {}", d.change.facility, entries.status().message()));
    body["resources"] = FilterEntries(*entries, decision.types).entries;
  }
  const auto secret = round.secrets.find(d.service_id);
  if (secret == round.secrets.end()) return Fail(d, "the service has no signing secret");
  WebhookRequest request;
  request.url = service->second.webhook_url;
  request.body = body.dump();
  request.headers = {{"Idempotency-Key", d.key},
                     {std::string(kSignatureHeader), SignWebhook(secret->second, options_.now_ms() / 1000, request.body)},
                     {"Renkei-Delivery", std::to_string(d.id)}};
  auto status = options_.send(request);
  if (!status.ok()) return Fail(d, status.status().message());
  if (*status < 200 || *status > 299) return Fail(d, fmt::format("the webhook answered HTTP {}", *status));
  // The data reached the service: that disclosure goes on the audit trail (a signal's was,
  // when it was fanned out).
  if (d.mode == NotifyMode::kData && options_.audit) options_.audit(d, service->second, decision);
  return {d.id, DeliveryState::kDelivered, options_.now_ms(), ""};
}

StatusOr<DeliveryRound> Deliverer::RunOnce() {
  RENKEI_ASSIGN_OR_RETURN(std::vector<Delivery> due, outbox_.Due(options_.now_ms(), options_.batch));
  if (due.empty()) return DeliveryRound{};
  Round round;
  RENKEI_ASSIGN_OR_RETURN(auto services, registry_.List());
  for (Service& s : services) round.services[s.id] = std::move(s);
  RENKEI_ASSIGN_OR_RETURN(auto grants, registry_.Grants());
  for (Grant& g : grants) round.grants[{g.facility, g.service_id}] = std::move(g);
  RENKEI_ASSIGN_OR_RETURN(round.secrets, registry_.SigningSecrets());
  std::vector<Attempt> attempts(due.size());
  std::atomic<size_t> next{0};
  const auto work = [&] {
    for (size_t i = next++; i < due.size(); i = next++) attempts[i] = Deliver(due[i], round);
  };
  std::vector<std::thread> helpers;
  const size_t extra = std::min<size_t>(due.size(), static_cast<size_t>(std::max(1, options_.threads))) - 1;
  for (size_t i = 0; i < extra; ++i) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
  RENKEI_RETURN_IF_ERROR(outbox_.Record(attempts));
  DeliveryRound counts;
  for (const Attempt& a : attempts) {
    switch (a.state) {
      case DeliveryState::kDelivered: ++counts.delivered; break;
      case DeliveryState::kPending: ++counts.failed; break;
      case DeliveryState::kDead: ++counts.dead; break;
      case DeliveryState::kWithheld: ++counts.withheld; break;
    }
  }
  return counts;
}

void Deliverer::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Deliverer::Wake() {
  std::lock_guard lock(mutex_);
  woken_ = true;
  wake_.notify_all();
}

void Deliverer::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void Deliverer::Loop() {
  int64_t next_prune = 0;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      woken_ = false;
    }
    const int64_t now = options_.now_ms();
    if (now >= next_prune) {
      next_prune = now + kPruneEveryMs;
      if (auto pruned = outbox_.Prune(now - options_.replay_window_ms); !pruned.ok()) {
        logger_->Error("gateway.prune_failed", {{"error", pruned.status().message()}});
      }
    }
    auto round = RunOnce();
    if (!round.ok()) logger_->Error("gateway.round_failed", {{"error", round.status().message()}});
    if (round.ok() && round->total() > 0) continue;  // more may be due at once
    // Nothing was due: sleep until the next delivery is, or a new one is enqueued (Wake).
    int64_t wait_ms = 1000;
    if (auto due = outbox_.NextDue(); due.ok() && *due) wait_ms = std::clamp<int64_t>(**due - options_.now_ms(), 0, 1000);
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return woken_ || stopping_; });
  }
}

}  // namespace renkei::gateway
