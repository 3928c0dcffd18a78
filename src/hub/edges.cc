#include "hub/edges.h"

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/time.h"
#include "hub/api.h"

namespace renkei::hub {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxRegistrationsPerRequest = 500;
constexpr size_t kMaxCertificateBytes = 16 << 10;

}  // namespace

struct EdgeRegistry::Edge {
  EdgePresence presence;                // guarded by the registry's mutex_
  std::shared_ptr<relay::Peer> peer;    // the live connection's; guarded by mutex_
  std::string certificate;              // from hello; guarded by mutex_
};

EdgeRegistry::EdgeRegistry(PatientIndex& index, EdgeRegistryOptions options, std::shared_ptr<log::Logger> logger)
    : index_(index),
      options_(std::move(options)),
      logger_(std::move(logger)),
      workers_(static_cast<size_t>(std::max(1, options_.workers))),
      heartbeat_([this] { Heartbeat(); }) {}

EdgeRegistry::~EdgeRegistry() {
  std::vector<std::shared_ptr<relay::Peer>> peers;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [facility, edge] : edges_) {
      if (edge->peer) peers.push_back(edge->peer);
    }
  }
  stop_cv_.notify_all();
  heartbeat_.join();
  for (auto& peer : peers) peer->Close("hub stopping");
  workers_.join();
}

StatusOr<std::shared_ptr<http::ChannelHandler>> EdgeRegistry::Admit(const Principal& who, const std::string& remote) {
  if (who.role != Role::kFacility || who.facility.empty()) {
    return PermissionDenied(fmt::format("{} is not a facility's edge", who.name));
  }
  const std::string facility = who.facility;
  auto peer = std::make_shared<relay::Peer>(
      options_.peer,
      [this, facility, actor = who.name](const relay::Incoming& request, relay::Done reply) {
        Serve(facility, actor, request, std::move(reply));
      },
      [this](std::function<void()> work) { boost::asio::post(workers_, std::move(work)); });
  std::weak_ptr<relay::Peer> weak = peer;
  peer->on_close = [this, facility, weak](const Status& why) {
    std::lock_guard lock(mutex_);
    auto it = edges_.find(facility);
    if (it == edges_.end() || it->second->peer != weak.lock()) return;  // replaced already
    it->second->peer.reset();
    it->second->presence.connected = false;
    it->second->presence.last_disconnect = why.ok() ? "closed by the hub" : why.message();
    logger_->Info("edge.disconnected", {{"facility", facility}, {"reason", it->second->presence.last_disconnect}});
  };
  std::shared_ptr<relay::Peer> replaced;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Unavailable("the hub is stopping");
    auto& edge = edges_[facility];
    if (!edge) edge = std::make_shared<Edge>();
    replaced = std::move(edge->peer);
    edge->peer = peer;
    EdgePresence& p = edge->presence;
    p.facility = facility;
    p.name = who.name;
    p.connected = true;
    p.remote = remote;
    p.connected_since = NowUtcIso8601();
    p.last_heartbeat.clear();
    p.rtt_ms = -1;
    ++p.connections;
  }
  if (replaced) replaced->Close("replaced by a new connection");
  logger_->Info("edge.connected", {{"facility", facility}, {"name", who.name}, {"remote", remote}});
  return std::shared_ptr<http::ChannelHandler>(peer);
}

std::shared_ptr<relay::Peer> EdgeRegistry::PeerOf(const std::string& facility) {
  std::lock_guard lock(mutex_);
  auto it = edges_.find(facility);
  return it == edges_.end() ? nullptr : it->second->peer;
}

std::string EdgeRegistry::CertificateOf(const std::string& facility) {
  std::lock_guard lock(mutex_);
  auto it = edges_.find(facility);
  return it == edges_.end() ? "" : it->second->certificate;
}

void EdgeRegistry::AddOp(std::string op, EdgeOp handler) {
  std::lock_guard lock(mutex_);
  ops_[std::move(op)] = std::move(handler);
}

std::vector<EdgePresence> EdgeRegistry::List() {
  std::lock_guard lock(mutex_);
  std::vector<EdgePresence> out;
  for (const auto& [facility, edge] : edges_) {
    out.push_back(edge->presence);
    out.back().in_flight = edge->peer ? edge->peer->outgoing() : 0;
  }
  return out;
}

void EdgeRegistry::Heartbeat() {
  std::unique_lock lock(mutex_);
  while (!stop_cv_.wait_for(lock, options_.heartbeat, [&] { return stopping_; })) {
    for (auto& [facility, edge] : edges_) {
      if (!edge->peer) continue;
      const auto sent = Clock::now();
      std::weak_ptr<Edge> weak_edge = edge;
      std::weak_ptr<relay::Peer> weak_peer = edge->peer;
      // Answered on the peer's strand; the registry's mutex is not held there.
      auto done = [this, sent, weak_edge, weak_peer](StatusOr<relay::Answer> answer) {
        if (!answer.ok()) return;
        const double rtt = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
        std::lock_guard inner(mutex_);
        auto e = weak_edge.lock();
        if (!e || e->peer != weak_peer.lock()) return;
        e->presence.rtt_ms = std::round(rtt * 1000) / 1000;
        e->presence.last_heartbeat = NowUtcIso8601();
      };
      auto peer = edge->peer;
      lock.unlock();
      peer->Call("ping", json::object(), done);
      lock.lock();
      if (stopping_) return;
    }
  }
}

void EdgeRegistry::Serve(const std::string& facility, const std::string& actor, const relay::Incoming& request,
                         relay::Done reply) {
  if (request.op == "hello") {
    const auto version = request.args.find("version");
    const auto certificate = request.args.find("certificate");
    if (version == request.args.end() || !version->is_string() || version->get_ref<const std::string&>().size() > 100) {
      return reply(InvalidArgument("hello: 'version' (a string of at most 100 characters) is required"));
    }
    if (certificate != request.args.end() &&
        (!certificate->is_string() || certificate->get_ref<const std::string&>().size() > kMaxCertificateBytes)) {
      return reply(InvalidArgument("hello: 'certificate' must be a PEM string"));
    }
    {
      std::lock_guard lock(mutex_);
      auto it = edges_.find(facility);
      if (it != edges_.end()) {
        it->second->presence.version = version->get<std::string>();
        it->second->certificate = certificate == request.args.end() ? "" : certificate->get<std::string>();
      }
    }
    return reply(relay::Answer{json{{"hub", "renkei"}, {"facility", facility}}.dump(), ""});
  }
  if (request.op == "register") {
    const auto list = request.args.find("registrations");
    if (list == request.args.end() || !list->is_array()) return reply(InvalidArgument("register: 'registrations' must be an array"));
    if (list->size() > kMaxRegistrationsPerRequest) {
      return reply(ResourceExhausted(fmt::format("register: at most {} registrations per request", kMaxRegistrationsPerRequest)));
    }
    json results = json::array();
    for (const json& item : *list) {
      if (request.cancelled->load()) return reply(Unavailable("cancelled"));
      const auto local_id = item.is_object() ? item.find("local_id") : item.end();
      if (local_id == item.end() || !local_id->is_string()) {
        results.push_back({{"local_id", nullptr}, {"error", "'local_id' (a string) is required"}});
        continue;
      }
      json result = {{"local_id", *local_id}};
      RegisterRequest r;
      r.id = {facility, local_id->get<std::string>()};
      r.actor = actor;
      const auto consent = item.find("consent");
      r.consent = consent != item.end() && consent->is_boolean() && consent->get<bool>();
      StatusOr<mpi::Demographics> demographics =
          item.contains("demographics") ? DemographicsFrom(item["demographics"]) : InvalidArgument("'demographics' is required");
      StatusOr<RegisterResult> registered = demographics.ok() ? [&] {
        r.demographics = *demographics;
        return index_.Register(r);
      }() : StatusOr<RegisterResult>(demographics.status());
      if (registered.ok()) {
        result["regional_id"] = registered->regional_id;
        result["outcome"] = registered->outcome;
      } else {
        result["error"] = registered.status().ToString();
      }
      results.push_back(std::move(result));
    }
    return reply(relay::Answer{json{{"results", results}}.dump(), ""});
  }
  if (request.op == "ping") return reply(relay::Answer{"{}", ""});
  EdgeOp op;
  {
    std::lock_guard lock(mutex_);
    if (auto it = ops_.find(request.op); it != ops_.end()) op = it->second;
  }
  if (op) {
    StatusOr<json> answer = op(facility, request.args);
    if (!answer.ok()) return reply(answer.status());
    return reply(relay::Answer{answer->dump(), ""});
  }
  reply(InvalidArgument(fmt::format("unknown op '{}'", request.op.substr(0, 40))));
}

}  // namespace renkei::hub
