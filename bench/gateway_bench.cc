// The service gateway's figures (seed 000, issue 8): how long a change takes from the hub's
// taking it (an edge's "changes" push: the decision point for every subscribed service, the
// decisions on the durable audit trail, the notifications in the fsync'd outbox — what the edge
// waits for) until every one of N subscribed services has it at its webhook, signed; and how
// many notifications per second the hub sustains. Everything is the hub's own code
// (hub::TakeChanges, gateway::Deliverer, hub::WebhookSender) over SQLite with durable commits;
// the services are webhook receivers on loopback in this process.
//
// Usage: gateway_bench [--services 100] [--changes 200] [--burst 300] [--dir DIR]
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "audit/log.h"
#include "base/time.h"
#include "gateway/deliverer.h"
#include "http/server.h"
#include "hub/patient_index.h"
#include "hub/service_gateway.h"
#include "identity/user_store.h"
#include "policy/consent_store.h"

namespace {

using namespace renkei;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr char kFacility[] = "1310000001";

// Arrivals per change seq, and when the last service had it.
struct Tally {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<int64_t, int> count;
  std::map<int64_t, Clock::time_point> complete;
  int64_t total = 0;
  Clock::time_point last;
};

template <typename T>
T Must(StatusOr<T> s, std::string_view what) {
  if (!s.ok()) {
    fmt::print(stderr, "{}: {}\n", what, s.status().ToString());
    std::exit(1);
  }
  return std::move(s).value();
}

json ChangesOf(int64_t first, int64_t n, int patients) {
  json list = json::array();
  for (int64_t seq = first; seq < first + n; ++seq) {
    list.push_back({{"seq", seq}, {"kind", "created"}, {"patient_id", fmt::format("P{}", seq % patients)}, {"record_id", seq},
                    {"data_type", "FHIR-Encounter"}, {"event_type", "visit"}, {"resource_types", {"Encounter"}},
                    {"at", NowUtcIso8601()}});
  }
  return {{"changes", list}};
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("The service gateway's change-to-delivered latency and notification throughput");
  int services = 100, changes = 200, burst = 300;
  std::string dir = (std::filesystem::temp_directory_path() / fmt::format("renkei-gateway-bench-{}", ::getpid())).string();
  app.add_option("--services", services, "subscribed services (default 100)");
  app.add_option("--changes", changes, "changes timed one by one (default 200)");
  app.add_option("--burst", burst, "changes pushed at once for the throughput (default 300)");
  app.add_option("--dir", dir, "where the databases go (removed afterwards)");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string url = "sqlite:" + dir + "/hub.db";
  auto logger = log::Logger::Null();

  // The services' webhooks.
  Tally tally;
  http::Router router(logger);
  router.Add("POST", "/hook/{n}", [&](http::Request& r) {
    const json body = json::parse(r.body, nullptr, false);
    const int64_t seq = body["change"]["seq"];
    const auto now = Clock::now();
    std::lock_guard lock(tally.mutex);
    if (++tally.count[seq] == services) tally.complete[seq] = now;
    ++tally.total;
    tally.last = now;
    tally.changed.notify_all();
    return http::Json(200, {{"ok", true}});
  });
  http::ServerOptions server_options;
  server_options.threads = 2;
  server_options.handler_threads = 16;
  auto receiver = Must(http::Server::Start(server_options, std::move(router), logger), "receiver");

  // The hub's parts, as `hub serve` puts them together.
  hub::PatientIndexOptions index_options;
  index_options.store_url = url;
  auto index = Must(hub::PatientIndex::Open(index_options), "index");
  auto trail = Must(audit::Log::Open("sqlite:" + dir + "/audit.db"), "audit trail");
  auto consents = Must(policy::ConsentStore::Open(url), "consents");
  auto users = Must(identity::UserStore::Open(url), "users");
  auto facilities = Must(hub::FacilityDirectory::Open(url), "facility directory");
  auto registry = Must(gateway::Registry::Open(url), "registry");
  auto outbox = Must(gateway::Outbox::Open(url), "outbox");
  const auto credentials = Must(hub::Credentials::Load(dir + "/none.json"), "credentials");
  hub::EdgeRegistry edges(*index, {}, logger);
  gateway::DelivererOptions options;
  options.now_ms = NowUnixMs;
  options.send = hub::WebhookSender(nullptr);
  options.threads = 16;
  gateway::Deliverer deliverer(*outbox, *registry, options, logger);
  const hub::HubServices hub{.index = *index,
                            .credentials = credentials,
                            .edges = edges,
                            .audit = *trail,
                            .consents = *consents,
                            .users = *users,
                            .facilities = *facilities,
                            .services = *registry,
                            .outbox = *outbox,
                            .deliverer = deliverer};
  for (int i = 0; i < services; ++i) {
    auto issued = Must(registry->Add({fmt::format("svc-{}", i), "",
                                      fmt::format("http://127.0.0.1:{}/hook/{}", receiver->port(), i), true}),
                       "service");
    if (Status s = registry->PutGrant({kFacility, issued.service.id, gateway::NotifyMode::kSignal, {{"Encounter", {}}}, "", "bench"});
        !s.ok()) {
      fmt::print(stderr, "grant: {}\n", s.ToString());
      return 1;
    }
  }
  deliverer.Start();

  // Latency: one change at a time, each to every service.
  std::vector<double> latency_ms, ack_ms;
  int64_t seq = 1;
  for (int i = 0; i < changes; ++i, ++seq) {
    const auto start = Clock::now();
    Must(hub::TakeChanges(hub, kFacility, ChangesOf(seq, 1, changes)), "changes");
    ack_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    std::unique_lock lock(tally.mutex);
    if (!tally.changed.wait_for(lock, std::chrono::seconds(30), [&] { return tally.complete.contains(seq); })) {
      fmt::print(stderr, "change {} did not reach every service within 30 s\n", seq);
      return 1;
    }
    latency_ms.push_back(std::chrono::duration<double, std::milli>(tally.complete[seq] - start).count());
  }
  fmt::print("change → delivered at all {} services ({} changes, one at a time):\n", services, changes);
  fmt::print("  p50 {:.1f} ms   p90 {:.1f} ms   p99 {:.1f} ms   max {:.1f} ms\n", Percentile(latency_ms, 0.5),
             Percentile(latency_ms, 0.9), Percentile(latency_ms, 0.99), Percentile(latency_ms, 1.0));
  fmt::print("  the edge's acknowledgement (decisions audited, outbox fsync'd): p50 {:.1f} ms   p99 {:.1f} ms\n",
             Percentile(ack_ms, 0.5), Percentile(ack_ms, 0.99));

  // Throughput: a burst of changes pushed as an edge pushes a backlog (batches of 50).
  int64_t before = 0;
  {
    std::lock_guard lock(tally.mutex);
    before = tally.total;
  }
  const int64_t expected = static_cast<int64_t>(burst) * services;
  const auto start = Clock::now();
  for (int pushed = 0; pushed < burst; pushed += 50) {
    const int n = std::min(50, burst - pushed);
    Must(hub::TakeChanges(hub, kFacility, ChangesOf(seq, n, 50)), "changes");
    seq += n;
  }
  const double acked_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::unique_lock lock(tally.mutex);
  if (!tally.changed.wait_for(lock, std::chrono::minutes(10), [&] { return tally.total - before >= expected; })) {
    fmt::print(stderr, "only {} of {} notifications arrived\n", tally.total - before, expected);
    return 1;
  }
  const double delivered_s = std::chrono::duration<double>(tally.last - start).count();
  fmt::print("sustained: {} changes × {} services = {} notifications in {:.2f} s: {:.0f} notifications/s delivered, signed, "
             "over HTTP; fan-out took them in {:.2f} s ({:.0f} notifications/s into the fsync'd outbox)\n",
             burst, services, expected, delivered_s, static_cast<double>(expected) / delivered_s, acked_s,
             static_cast<double>(expected) / acked_s);
  lock.unlock();
  deliverer.Stop();
  receiver->Stop();
  (void)trail->Close();
  std::filesystem::remove_all(dir);
  return 0;
}
