// The edges connected to the hub: each facility's edge keeps one WebSocket to
// /v1/edges/connect (relay/peer.h runs requests both ways over it). The registry admits an
// edge (authenticated as its facility), keeps its presence — connected since, last heartbeat,
// round-trip time, version — pings every edge on a heartbeat, serves what edges ask of the hub
// (hello, patient registrations) and hands the chart the peer of a facility to ask.
//
// A facility has at most one live connection: a new one replaces the old (closed with
// "replaced by a new connection"), so an edge that reconnects after a network cut is reachable
// at once even before the hub notices the old connection is dead.
//
// Requests edges make (op, args → answer body):
//   hello    {"version"}                               → {"hub":"renkei", "facility"}
//   register {"registrations":[{"local_id","consent","demographics"}...]} (≤ 500)
//            → {"results":[{"local_id","regional_id","outcome"} | {"local_id","error"}...]}
//   and the ops added with AddOp (the service gateway's "changes", hub/service_gateway.h)
//
// Thread-safety: every function from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "hub/access.h"
#include "hub/patient_index.h"
#include "log/log.h"
#include "relay/peer.h"

namespace renkei::hub {

struct EdgePresence {
  std::string facility;
  std::string name;             // the edge's principal
  bool connected = false;
  std::string version;          // what the edge said in hello
  std::string remote;           // its address as the hub sees it
  std::string connected_since;  // UTC ISO 8601 of the current (or last) connection
  std::string last_heartbeat;   // last answered ping
  double rtt_ms = -1;           // round trip of the last ping; -1 before the first
  int64_t connections = 0;      // connections since the hub started
  std::string last_disconnect;  // why the last connection ended
  size_t in_flight = 0;         // hub requests waiting for this edge's answers
};

struct EdgeRegistryOptions {
  std::chrono::milliseconds heartbeat{std::chrono::seconds(10)};
  int workers = 2;  // threads serving the edges' requests (registrations write to the index)
  relay::PeerOptions peer;
};

class EdgeRegistry {
 public:
  EdgeRegistry(PatientIndex& index, EdgeRegistryOptions options, std::shared_ptr<log::Logger> logger);
  ~EdgeRegistry();  // closes every edge's connection and stops the heartbeat
  EdgeRegistry(const EdgeRegistry&) = delete;
  EdgeRegistry& operator=(const EdgeRegistry&) = delete;

  // The handler for an edge's WebSocket, once authenticated as `who`. PermissionDenied unless
  // `who` is a facility's principal.
  StatusOr<std::shared_ptr<http::ChannelHandler>> Admit(const Principal& who, const std::string& remote);

  // The live peer of `facility`'s edge, or null when it is not connected.
  std::shared_ptr<relay::Peer> PeerOf(const std::string& facility);
  // The certificate the edge of `facility` signs with, as it said in hello ("" when unsigned).
  std::string CertificateOf(const std::string& facility);

  // Every edge seen since the hub started, by facility.
  std::vector<EdgePresence> List();

  // Serves edges' requests `op` with `handler` (on the registry's workers): what a layer above
  // the index answers. Call before edges connect.
  using EdgeOp = std::function<StatusOr<nlohmann::json>(const std::string& facility, const nlohmann::json& args)>;
  void AddOp(std::string op, EdgeOp handler);

 private:
  struct Edge;
  void Heartbeat();
  void Serve(const std::string& facility, const std::string& actor, const relay::Incoming& request, relay::Done reply);

  PatientIndex& index_;
  const EdgeRegistryOptions options_;
  const std::shared_ptr<log::Logger> logger_;
  boost::asio::thread_pool workers_;

  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;                                 // guarded by mutex_
  std::map<std::string, std::shared_ptr<Edge>> edges_;    // by facility; guarded by mutex_
  std::map<std::string, EdgeOp> ops_;                     // guarded by mutex_
  std::thread heartbeat_;
};

}  // namespace renkei::hub
