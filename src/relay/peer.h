// Requests both ways over one WebSocket channel (http/websocket.h), multiplexed by ID: how the
// hub asks an edge for a chart and how an edge registers its patients with the hub.
//
// Every message is one compact JSON object, the header, followed for answers by a newline and
// the body's bytes as they are (a body is not escaped into a JSON string, so neither side
// escapes or unescapes large answers):
//   {"t":"req","id":7,"op":"events","args":{...}}            a request
//   {"t":"res","id":7,"ok":true,"sig":"..."}\n<body>         its answer: body is JSON text, sig
//                                                            the answerer's signature over it
//                                                            ("" when unsigned)
//   {"t":"res","id":7,"ok":false,"code":"not_found","message":"..."}
//   {"t":"part","id":7}\n<piece>                             a piece of a large body: pieces
//                                                            come before the "res", which holds
//                                                            the last one, so other answers can
//                                                            pass between them
//   {"t":"cancel","id":7}                                    the asker no longer waits
// IDs are chosen by the side that asks; each side has its own ID space.
//
// Bounds: at most max_outgoing requests wait for answers (Call refuses more: backpressure on the
// asker) and at most max_serving incoming requests are served at once (more are answered
// "unavailable: busy" at once); a body is at most max_body_bytes; a message that is not one of
// the above closes the channel (a peer that speaks garbage is not trusted to frame the next).
//
// Thread-safety: Call, Cancel and Close from any thread. `serve` runs on the `run` executor
// given at construction (a thread pool), never on the channel's strand.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "http/websocket.h"

namespace renkei::relay {

// What an answer carries.
struct Answer {
  std::string body;       // JSON text
  std::string signature;  // base64, or "" when the answerer does not sign
};

using Done = std::function<void(StatusOr<Answer>)>;

// A request being served: what was asked and whether the asker gave up.
struct Incoming {
  std::string op;
  nlohmann::json args;
  std::shared_ptr<const std::atomic<bool>> cancelled;
};

struct PeerOptions {
  size_t max_outgoing = 1024;
  size_t max_serving = 64;
  size_t max_body_bytes = 64 << 20;
  size_t part_bytes = 256 << 10;  // bodies larger than this travel in pieces of this size
};

class Peer : public http::ChannelHandler, public std::enable_shared_from_this<Peer> {
 public:
  // Answers one incoming request; calls `reply` exactly once, from any thread.
  using Serve = std::function<void(const Incoming& request, Done reply)>;
  // Runs work off the channel's strand.
  using Run = std::function<void(std::function<void()>)>;

  Peer(PeerOptions options, Serve serve, Run run);

  // Sends a request; `done` gets the answer, or an error: ResourceExhausted when max_outgoing
  // requests wait already or the channel's send queue is full, Unavailable when the channel is
  // not open or closes before the answer, Cancelled-like Unavailable after Cancel, or the
  // error the peer answered. Returns the request's ID (0 when refused at once).
  uint64_t Call(std::string_view op, nlohmann::json args, Done done);
  // Stops waiting for request `id`: its `done` gets Unavailable("cancelled") and the peer is told.
  void Cancel(uint64_t id);
  void Close(std::string_view reason);

  bool open() const;
  size_t outgoing() const;  // requests waiting for an answer
  // Set before the channel opens: called once, on the strand, when it closes.
  std::function<void(const Status&)> on_close;

  // http::ChannelHandler
  void OnOpen(std::shared_ptr<http::Channel> channel) override;
  void OnMessage(std::string message) override;
  void OnClose(const Status& why) override;

 private:
  void Protocol(std::string_view why);  // the peer broke the protocol: close
  void Answered(uint64_t id, StatusOr<Answer> answer);
  void SendAnswer(uint64_t id, const StatusOr<Answer>& answer);

  const PeerOptions options_;
  const Serve serve_;
  const Run run_;

  mutable std::mutex mutex_;
  std::shared_ptr<http::Channel> channel_;  // guarded by mutex_; null until open and after close
  bool closed_ = false;                     // guarded by mutex_
  uint64_t next_id_ = 1;                    // guarded by mutex_
  struct Pending {
    Done done;
    std::string parts;  // pieces received so far
  };
  std::map<uint64_t, Pending> pending_;                                // guarded by mutex_
  std::map<uint64_t, std::shared_ptr<std::atomic<bool>>> serving_;     // guarded by mutex_
};

}  // namespace renkei::relay
