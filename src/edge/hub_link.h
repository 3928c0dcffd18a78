// The edge's one outbound connection to the hub (a WebSocket, wss:// with the edge's client
// certificate; ws:// with a token for localhost development), kept open: no inbound port is
// opened at the facility.
//
// Once connected, the edge says hello (its version and the certificate it signs with), then
// registers with the hub every patient it has not registered yet — following its store's
// change feed from where the hub last acknowledged (the store setting
// "hub.registered_through"), so registrations resume after a reconnect — and serves the hub's
// requests over the same connection (relay/peer.h) as edge/answers.h says.
//
// It also pushes every change of its repository to the hub (seed 000 S1-S2: created, updated,
// superseded and deleted records, changed demographics), following the change feed from its
// own acknowledged cursor (the store setting "hub.pushed_through"), which advances only once
// the hub has answered — after the hub's outbox has durably taken the changes — so that after
// a reconnect, or a crash of either side, the push resumes where the hub last acknowledged
// and nothing is lost (a change pushed twice is written once by the hub). On its very first
// connection the cursor starts at the end of the feed: the records it held before are history,
// not changes to announce. Request to the hub:
//   changes {"changes":[{"seq","kind","patient_id","record_id","data_type","event_type",
//            "resource_types":[...],"at"}...]} (≤ 500) → {"through": the last seq taken}
// New registrations and changes are looked for every poll_interval while connected, and at
// once after the hub's write-back (answers.h "write").
//
// A dropped connection is retried with exponential backoff (backoff_min doubling up to
// backoff_max) with full jitter, so that a hub restart is not met by every edge at once.
//
// Thread-safety: state() from any thread; Stop() once.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "edge/importer.h"
#include "log/log.h"
#include "pki/signature.h"

namespace boost::asio::ssl {
class context;
}

namespace renkei::edge {

struct HubLinkOptions {
  std::string url;                                   // wss://hub.example:8443/v1/edges/connect
  std::shared_ptr<boost::asio::ssl::context> tls;    // pki::ClientContext, for wss://
  std::string token;                                 // a bearer token instead of a certificate (ws://)
  std::string store_url;                             // the edge's repository
  std::string facility;                              // this facility's code
  std::optional<pki::Signer> signer;                 // signs every answer; none: answers unsigned
  std::optional<ImportOptions> rescan;               // the SS-MIX2 tree to re-scan on "refresh"
  bool consent = true;  // registers patients as consenting to sharing (until consent is recorded per patient)
  int workers = 2;      // threads (each with its own store connection) answering the hub
  std::chrono::milliseconds backoff_min{500}, backoff_max{std::chrono::seconds(30)};
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};  // heartbeat: a silent hub is dropped
  std::chrono::milliseconds poll_interval{50};  // how often new patients and changes are looked for
  std::string version;  // reported in hello
};

struct HubLinkState {
  bool connected = false;
  int64_t connections = 0;   // successful connections so far
  std::string last_error;    // why the last attempt or connection failed
  int64_t registered = 0;    // patients registered with the hub since start
  int64_t answered = 0;      // hub requests answered
  int64_t pushed = 0;        // changes the hub has acknowledged since start
  int64_t pushed_through = 0;  // the store's acknowledged change cursor
};

class HubLink {
 public:
  // Opens the store connections and starts connecting in the background.
  static StatusOr<std::unique_ptr<HubLink>> Start(HubLinkOptions options, std::shared_ptr<log::Logger> logger);
  ~HubLink();  // stops
  void Stop();
  HubLinkState state() const;

  struct Impl;

 private:
  explicit HubLink(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace renkei::edge
