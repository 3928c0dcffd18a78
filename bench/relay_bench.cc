// The relay's figures (bench/relay.sh runs them against real `renkei hub serve` and `renkei edge
// connect` processes):
//
//   relay_bench latency --hub URL --token T --patient ID [--limit N] [--requests N]
//       GETs the patient's chart over one keep-alive connection and prints, as JSON, the
//       end-to-end latency (p50/p99/max) and the hub's own overhead above the slowest edge: the
//       end-to-end time minus the longest time the hub waited for a facility's answer.
//   relay_bench backend --store URL --facility F [--cert C --key K] [--listen HOST:PORT]
//       An HTTP server answering GET /v1/chart?patient=ID&limit=N exactly as that facility's edge
//       answers the hub (edge/answers.h, signed the same way): the backend that nginx proxies to
//       when the relay is compared with nginx.
//   relay_bench tokens --credentials FILE --count N --out FILE
//       Issues N facility tokens (facilities 9000000000, 9000000001, ...) for `idle`.
//   relay_bench idle --hub ws://HOST:PORT --tokens FILE
//       Connects one WebSocket per token as an idle edge would (hello, then only heartbeats) and
//       holds them until SIGINT or SIGTERM; prints "connected N" once all are open.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "edge/answers.h"
#include "http/client.h"
#include "http/server.h"
#include "http/websocket.h"
#include "hub/access.h"
#include "relay/peer.h"
#include "store/store.h"

namespace {

using namespace renkei;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t at = std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())));
  return values[at];
}

double Round(double v) { return std::round(v * 1000) / 1000; }

int Latency(const std::string& hub, const std::string& token, const std::string& patient, int limit, int requests) {
  http::Client client;
  const std::string url = fmt::format("{}/v1/chart?patient={}&limit={}", hub, patient, limit);
  std::vector<double> total, overhead, slowest;
  int partial = 0;
  size_t events = 0, facilities = 0, bytes = 0;
  for (int i = -20; i < requests; ++i) {  // 20 to warm up
    const auto start = Clock::now();
    auto response = client.Fetch("GET", url, {}, "application/json", std::chrono::seconds(30),
                                 {{"Authorization", "Bearer " + token}});
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!response.ok() || response->status != 200) {
      std::cerr << "relay_bench: " << (response.ok() ? response->body : response.status().ToString()) << "\n";
      return 1;
    }
    const json chart = json::parse(response->body);
    double slowest_ms = 0;
    for (const json& s : chart["sources"]) slowest_ms = std::max(slowest_ms, s.value("took_ms", 0.0));
    if (i < 0) continue;
    partial += chart["partial"].get<bool>() ? 1 : 0;
    events = chart["events"].size();
    facilities = chart["sources"].size();
    bytes = response->body.size();
    total.push_back(ms);
    slowest.push_back(slowest_ms);
    overhead.push_back(ms - slowest_ms);
  }
  std::cout << json{{"requests", requests},
                    {"limit", limit},
                    {"facilities", facilities},
                    {"events_per_answer", events},
                    {"answer_bytes", bytes},
                    {"partial_answers", partial},
                    {"chart_p50_ms", Round(Percentile(total, 0.5))},
                    {"chart_p99_ms", Round(Percentile(total, 0.99))},
                    {"chart_max_ms", Round(Percentile(total, 1.0))},
                    {"slowest_edge_p50_ms", Round(Percentile(slowest, 0.5))},
                    {"slowest_edge_p99_ms", Round(Percentile(slowest, 0.99))},
                    {"hub_overhead_p50_ms", Round(Percentile(overhead, 0.5))},
                    {"hub_overhead_p99_ms", Round(Percentile(overhead, 0.99))}}
                   .dump()
            << "\n";
  return partial == 0 ? 0 : 1;
}

int WaitForSignal(boost::asio::io_context& io) {
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  io.run();
  return 0;
}

// The edge's answers over plain HTTP, one store connection per handler thread.
int Backend(const std::string& store_url, const std::string& facility, const std::string& cert, const std::string& key,
            const std::string& listen, int threads) {
  std::optional<pki::Signer> signer;
  if (!key.empty()) {
    auto loaded = pki::Signer::Load(key, cert);
    if (!loaded.ok()) {
      std::cerr << "relay_bench: " << loaded.status().ToString() << "\n";
      return 2;
    }
    signer = std::move(loaded).value();
  }
  auto answers = std::make_shared<edge::Answers>(facility, signer, std::nullopt, log::Logger::Null());
  struct Pool {
    std::mutex mutex;
    std::vector<std::unique_ptr<store::Store>> free;
  };
  auto pool = std::make_shared<Pool>();
  for (int i = 0; i < threads; ++i) {
    auto s = store::Store::Open(store_url);
    if (!s.ok()) {
      std::cerr << "relay_bench: " << s.status().ToString() << "\n";
      return 2;
    }
    pool->free.push_back(std::move(s).value());
  }
  http::Router router;
  router.Add("GET", "/v1/chart", [answers, pool](http::Request& request) {
    const auto patient = request.query.find("patient");
    const auto limit = request.query.find("limit");
    if (patient == request.query.end()) return http::Error(InvalidArgument("patient= is required"));
    json args = {{"patient_ids", {patient->second}},
                 {"limit", limit == request.query.end() ? 100 : std::stoi(limit->second)},
                 {"nonce", "bench"}};
    std::unique_ptr<store::Store> s;
    {
      std::lock_guard lock(pool->mutex);
      s = std::move(pool->free.back());
      pool->free.pop_back();
    }
    std::atomic<bool> cancelled{false};
    auto answer = answers->Answer(*s, "events", args, cancelled);
    {
      std::lock_guard lock(pool->mutex);
      pool->free.push_back(std::move(s));
    }
    if (!answer.ok()) return http::Error(answer.status());
    http::Response response;
    response.status = 200;
    response.body = std::move(answer->body);
    response.headers.emplace_back("X-Signature", answer->signature);
    return response;
  });
  http::ServerOptions options;
  options.listen = listen;
  options.threads = threads;
  options.handler_threads = threads;  // as many as there are store connections
  auto server = http::Server::Start(options, std::move(router), log::Logger::Null());
  if (!server.ok()) {
    std::cerr << "relay_bench: " << server.status().ToString() << "\n";
    return 2;
  }
  std::cout << "backend listening on 127.0.0.1:" << (*server)->port() << std::endl;
  boost::asio::io_context io;
  return WaitForSignal(io);
}

int Tokens(const std::string& credentials, int count, const std::string& out) {
  std::ofstream file(out);
  for (int i = 0; i < count; ++i) {
    const std::string facility = std::to_string(9'000'000'000LL + i);
    auto token = hub::Credentials::Issue(credentials, hub::MakePrincipal("edge-" + facility, hub::Role::kFacility, facility));
    if (!token.ok()) {
      std::cerr << "relay_bench: " << token.status().ToString() << "\n";
      return 1;
    }
    file << *token << "\n";
  }
  return file ? 0 : 1;
}

// Forwards a channel to its peer; counts it open and says hello.
class IdleEdge : public http::ChannelHandler {
 public:
  IdleEdge(std::shared_ptr<relay::Peer> peer, std::function<void()> opened)
      : peer_(std::move(peer)), opened_(std::move(opened)) {}
  void OnOpen(std::shared_ptr<http::Channel> channel) override {
    peer_->OnOpen(std::move(channel));
    peer_->Call("hello", {{"version", "relay_bench idle"}}, [](StatusOr<relay::Answer>) {});
    opened_();
  }
  void OnMessage(std::string message) override { peer_->OnMessage(std::move(message)); }
  void OnClose(const Status& why) override {
    peer_->OnClose(why);
    std::cerr << "relay_bench: an idle edge was closed: " << why.ToString() << "\n";
  }

 private:
  std::shared_ptr<relay::Peer> peer_;
  std::function<void()> opened_;
};

int Idle(const std::string& hub, const std::string& tokens_file) {
  std::ifstream in(tokens_file);
  std::vector<std::string> tokens;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) tokens.push_back(line);
  }
  boost::asio::io_context io;
  boost::asio::thread_pool serving(1);
  size_t open = 0, failed = 0;  // on the io thread
  const std::string url = hub + "/v1/edges/connect";
  // One at a time, as edges arriving over a second or two would; the next starts once this one opened or failed.
  std::function<void(size_t)> connect = [&](size_t i) {
    if (i == tokens.size()) {
      std::cout << "connected " << open << " failed " << failed << std::endl;
      return;
    }
    auto peer = std::make_shared<relay::Peer>(
        relay::PeerOptions{}, [](const relay::Incoming&, relay::Done reply) { reply(relay::Answer{"{}", ""}); },
        [&serving](std::function<void()> f) { boost::asio::post(serving, std::move(f)); });
    http::WebSocketClientOptions options;
    options.headers = {{"Authorization", "Bearer " + tokens[i]}};
    auto next = [&, i] { boost::asio::post(io, [&, i] { connect(i + 1); }); };
    http::ConnectWebSocket(io, url, options, std::make_shared<IdleEdge>(peer, [&open, next] { ++open; next(); }),
                           [&failed, next](Status why) {
                             if (failed++ == 0) std::cerr << "relay_bench: " << why.ToString() << "\n";
                             next();
                           });
  };
  boost::asio::post(io, [&] { connect(0); });
  const int code = WaitForSignal(io);
  serving.join();
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("The relay's figures (see bench/relay.sh)");
  app.require_subcommand(1);
  std::string hub, token, patient, store, facility, cert, key, listen = "127.0.0.1:0", credentials, out, tokens;
  int limit = 100, requests = 500, threads = 2, count = 1000;
  int code = 0;
  CLI::App* latency = app.add_subcommand("latency", "chart latency and the hub's overhead");
  latency->add_option("--hub", hub)->required();
  latency->add_option("--token", token)->required();
  latency->add_option("--patient", patient)->required();
  latency->add_option("--limit", limit);
  latency->add_option("--requests", requests);
  latency->callback([&] { code = Latency(hub, token, patient, limit, requests); });
  CLI::App* backend = app.add_subcommand("backend", "an edge's answers over HTTP, for nginx to proxy");
  backend->add_option("--store", store)->required();
  backend->add_option("--facility", facility)->required();
  backend->add_option("--cert", cert);
  backend->add_option("--key", key);
  backend->add_option("--listen", listen);
  backend->add_option("--threads", threads);
  backend->callback([&] { code = Backend(store, facility, cert, key, listen, threads); });
  CLI::App* issue = app.add_subcommand("tokens", "facility tokens for idle edges");
  issue->add_option("--credentials", credentials)->required();
  issue->add_option("--count", count);
  issue->add_option("--out", out)->required();
  issue->callback([&] { code = Tokens(credentials, count, out); });
  CLI::App* idle = app.add_subcommand("idle", "hold idle edge connections");
  idle->add_option("--hub", hub)->required();
  idle->add_option("--tokens", tokens)->required();
  idle->callback([&] { code = Idle(hub, tokens); });
  CLI11_PARSE(app, argc, argv);
  return code;
}
