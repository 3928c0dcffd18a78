// MllpServer: the listener for HL7 v2 messages over MLLP (the edge's live feed).
//
// Senders connect over TCP, send one framed message (frame.h), wait for its ACK, then send the
// next. For each complete message the server calls the Handler, which stores the message and
// returns the ACK (AA only once the message is durably stored; AE/AR with the reason
// otherwise, see hl7/ack.h); the server frames the ACK and writes it back. One message at a
// time per connection: read -> handler -> write ACK -> read the next. A sender that pipelines
// is served in order, its further frames waiting in the socket.
//
// Threads. The server owns its threads: `io_threads` run Boost.Asio's io_context (each
// connection is one object on its own strand, so its steps never run concurrently), and one
// more thread runs the Handler. Every Handler call happens on that one thread, one call at a
// time, in the order messages complete: the store behind it may be single-threaded, and the
// Handler may block (on fsync, a transaction) without stalling network I/O. All server
// threads block every signal, so SIGINT and SIGTERM go to the caller's threads; handle them
// there (sigwait, or a flag set by a signal handler) and call Stop() from a normal thread.
//
// Irregular input (see FrameDecoder): bytes outside frames, interrupted and truncated frames
// are logged and skipped (no reply: only a complete frame is answered); a frame over
// max_frame_bytes is answered with an AR built from its MSH when its head holds one (an AR
// without MSA-2 otherwise), and the connection reads on from the next frame. Timeouts close
// the connection: `idle_timeout` between messages, `read_timeout` for a frame to arrive in
// full once it has begun, `write_timeout` for an ACK to be taken by a peer that does not read.
// Connections over `max_connections` are closed on accept, with a log line.
//
// Stop() closes the acceptor and every connection. A Handler call that is running finishes and
// its ACK is written (within write_timeout) before that connection closes; messages waiting
// for the Handler thread are dropped unacknowledged (their senders resend them: MLLP is
// at-least-once). Stop() returns when every thread has exited.
//
// Logs (no message content, no patient data): mllp.listening, mllp.connection_opened (peer
// address), mllp.connection_refused, mllp.accept_failed, mllp.frame_error (status with stream
// byte offsets), mllp.handler_declined, mllp.handler_failed, mllp.connection_closed (reason,
// counts), mllp.stopped.
//
// Thread-safety: port() may be called from any thread; Stop() from any thread except the
// Handler's (it waits for the Handler to return).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "log/log.h"

namespace renkei::mllp {

struct ServerOptions {
  std::string host = "127.0.0.1";      // an IP address literal (IPv4 or IPv6); "0.0.0.0" for all
  uint16_t port = 2575;                // the HL7 port; 0: an ephemeral one, see MllpServer::port()
  size_t max_frame_bytes = 16u << 20;  // message bytes of one frame; larger ones get an AR
  size_t max_connections = 32;         // open connections; more are closed on accept
  // No frame begun for this long: the connection is closed (senders reconnect to send again).
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};
  // A frame begun must have arrived in full this long after it began.
  std::chrono::milliseconds read_timeout{std::chrono::seconds(60)};
  // An ACK must have been taken by the peer this long after its write began.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  int io_threads = 1;                  // threads running network I/O (the Handler has its own)
};

// Given the bytes of one message as received (still in the sender's character set, e.g.
// ISO-2022-JP: see hl7::DecodeMessageText), returns the complete ACK message bytes, unframed.
// Returning an empty string closes the connection without an ACK (the sender will resend);
// an exception thrown does the same and is logged. Called on the server's Handler thread only.
using Handler = std::function<std::string(std::string_view message_bytes)>;

class MllpServer {
 public:
  // Binds, listens and starts the threads. Errors:
  //   kInvalidArgument — a bad option (host not an IP address, a zero limit or timeout,
  //                      io_threads < 1) or a null handler or logger;
  //   kUnavailable     — the address cannot be bound (in use, not local, no permission).
  static StatusOr<std::unique_ptr<MllpServer>> Start(const ServerOptions& options, Handler handler,
                                                     std::shared_ptr<log::Logger> logger);

  // Stops (see above) if still running.
  ~MllpServer();
  MllpServer(const MllpServer&) = delete;
  MllpServer& operator=(const MllpServer&) = delete;

  // The port actually bound (the ephemeral one when options.port was 0).
  uint16_t port() const;

  // Stops accepting, closes connections after their running Handler call, joins the threads.
  // Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit MllpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace renkei::mllp
