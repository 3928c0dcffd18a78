// Server: an HTTP/1.1 server for a JSON API (the hub's), on Boost.Beast.
//
// It reads requests, hands each complete one to a Router (router.h) and writes back what the
// route's handler returns, in the request's version: HTTP/1.1 or 1.0 (Beast refuses any other
// as unparseable: 400). Connections are kept alive (by default in 1.1, when the client asks in
// 1.0) and serve their requests one at a time, in order; pipelined requests wait in the socket.
// "Expect: 100-continue" is answered before the body is read. A Response that cannot be sent
// as it is (a status outside 200-599, a body on a 204 or 304, CR, LF or NUL in a header, a
// header the server sets itself) is replaced by a 500 and logged.
//
// Threads. The server owns an io_context and `threads` I/O threads that run it; each
// connection is one object on its own strand. Handlers run on a separate pool of
// `handler_threads`, so at most that many run at once and the rest wait for a free one; a
// handler may block (a database call, a wait for other connections' messages), holding its
// pool thread meanwhile, while the I/O threads go on reading and writing every connection,
// WebSocket channels included (a handler that waits for a channel's message cannot starve the
// thread that would read it). All threads block every signal, so SIGINT and SIGTERM go to the
// caller's threads (see base/signals.h).
//
// Hostile and broken input is answered, then the connection is closed (its bytes can no
// longer be trusted to frame the next request):
//   a request line or header that does not parse            → 400
//   a target that does not decode (target.h)                → 400 (the connection stays open:
//                                                              the request was read in full)
//   a header section over max_header_bytes                  → 431
//   a body over max_body_bytes                              → 413, as soon as Content-Length
//                                                              says so, before reading it
//   a body shorter than Content-Length when the peer closes → no answer, the connection closes
// Error answers are JSON (message.h's Error) and never echo the request. After the last
// response on a connection the server stops sending and discards what still arrives for up to
// a second (a "lingering close"), so the peer reads the response instead of a reset.
//
// Timeouts: one `idle_timeout` bounds, each on its own, the wait for a request's header (from
// the end of the previous response, so it is also the keep-alive timeout, and it closes
// clients that send a header slowly: slowloris), the arrival of its body, and the write of its
// response. On expiry the connection is closed without an answer.
//
// Connections beyond `max_connections` are closed on accept, with a log line.
//
// Stop() closes the listener and every connection: a connection waiting for a request closes
// at once; one whose handler is running finishes the handler and writes the response first
// (within idle_timeout, like any write).
// Stop() returns when every thread has exited; the destructor stops.
//
// Logs (events; never a path, query, header value or body — they can hold patient data):
//   http.listening, http.request (request ID, method, route pattern, status, duration_ms,
//   remote), http.bad_request (remote, HTTP status, the parser's or target.h's error, which
//   names byte offsets only), http.bad_response_header, http.connection_refused,
//   http.accept_failed, http.connection_closed (reason, requests served), http.stopped;
//   and the Router's http.handler_failed.
//
// TLS: with ServerOptions::tls, every connection starts with a TLS handshake (bounded by
// idle_timeout; a failed one is logged as http.tls_failed and closed); the context decides
// whether clients must present a certificate (pki/tls.h). Without it, plain HTTP: for
// localhost development and tests only.
//
// WebSocket: an upgrade request to a Router WebSocket route (router.h AddWebSocket) that its
// accept function admits becomes a Channel (websocket.h) with ServerOptions::channel; the
// listener tracks it like any connection, so Stop() closes it too (http.upgrade is logged).
//
// Thread-safety: port() from any thread; Stop() from any thread but a handler's (it waits for
// handlers to return).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "http/router.h"
#include "http/websocket.h"
#include "log/log.h"

namespace renkei::http {

struct ServerOptions {
  // "host:port" (address.h), the host an IP address literal: "0.0.0.0:8443" for every IPv4
  // interface, "[::1]:0" for IPv6 loopback; port 0 picks a free port, see Server::port().
  std::string listen = "127.0.0.1:0";
  int threads = 2;                              // I/O threads
  int handler_threads = 4;                      // threads running handlers, see "Threads" above
  size_t max_body_bytes = 1 << 20;              // larger bodies get 413
  size_t max_header_bytes = 16 << 10;           // request line and header fields; larger get 431
  // See "Timeouts" above; milliseconds so that tests can use short ones.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  size_t max_connections = 1024;                // open connections; more are closed on accept
  std::shared_ptr<boost::asio::ssl::context> tls;  // see "TLS" above; null for plain HTTP
  ChannelOptions channel;                       // for upgraded WebSocket connections
};

class Server {
 public:
  // Binds, listens and starts the threads. Errors:
  //   kInvalidArgument — a bad option (listen not host:port with an IP address, threads or
  //                      handler_threads < 1,
  //                      a zero limit or timeout) or a null logger;
  //   kUnavailable     — the address cannot be bound (in use, not local, no permission).
  static StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options, Router router,
                                                 std::shared_ptr<log::Logger> logger);

  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port actually bound (the picked one when the listen port was 0).
  uint16_t port() const;

  // Stops as described above. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace renkei::http
