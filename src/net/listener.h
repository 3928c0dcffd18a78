// The TCP side shared by Renkei's servers (the MLLP listener, the HTTP API): one bound address,
// an io_context run on threads of its own (started with signals blocked), accepting with a
// limit on open connections (one more is closed at once and logged), and a clean stop that
// closes the acceptor, shuts every open connection down and joins the threads. The protocol
// lives in the Connection objects the server's factory makes.
//
// Log events are prefixed with ListenerOptions::name: "<name>.accept_failed",
// "<name>.connection_refused" and "<name>.stopped".
//
// Thread-safety: stopping(), Forget() and Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/status.h"
#include "log/log.h"

namespace renkei::net {

using tcp = boost::asio::ip::tcp;

// "127.0.0.1:53422", "[::1]:53422".
std::string FormatEndpoint(const tcp::endpoint& endpoint);

// What the listener needs of an accepted connection.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void Start() = 0;     // begin serving (the connection posts onto its own strand)
  virtual void Shutdown() = 0;  // from any thread: close now if idle, else after the reply in progress
};

struct ListenerOptions {
  std::string name;  // "mllp", "http": the prefix of log events and error messages
  boost::asio::ip::address address;
  uint16_t port = 0;  // 0 picks a free port
  int threads = 1;
  size_t max_connections = 1024;
};

class Listener {
 public:
  // Makes connection `id` for a socket just accepted from `remote`.
  using Factory = std::function<std::shared_ptr<Connection>(tcp::socket socket, uint64_t id, std::string remote)>;

  // Binds and listens; accepts nothing until Run(). Unavailable when the address cannot be bound.
  static StatusOr<std::unique_ptr<Listener>> Bind(const ListenerOptions& options, std::shared_ptr<log::Logger> logger);
  ~Listener();  // stops

  boost::asio::io_context& io() { return io_; }
  uint16_t port() const { return port_; }
  bool stopping() const { return stopping_; }

  // Starts accepting and the I/O threads.
  void Run(Factory factory);
  // A connection says it is gone (from its destructor).
  void Forget(uint64_t id);
  // Connection `id` is now served by `replacement` (an HTTP connection upgraded to a
  // WebSocket), which Stop() shuts down and which calls Forget(id) when it is gone.
  void Track(uint64_t id, std::weak_ptr<Connection> replacement);
  // Idempotent; returns once every I/O thread has finished.
  void Stop();

 private:
  Listener(const ListenerOptions& options, std::shared_ptr<log::Logger> logger);
  void DoAccept();
  void OnAccept(boost::system::error_code ec, tcp::socket socket);

  const ListenerOptions options_;
  const std::shared_ptr<log::Logger> logger_;
  Factory factory_;
  // Declared before io_: handlers destroyed with the io_context may still Forget().
  std::mutex mutex_;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections_;  // guarded by mutex_
  uint64_t next_id_ = 1;                                                  // guarded by mutex_
  std::atomic<bool> stopping_{false};  // set once by Stop(), under mutex_
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;  // on its own strand
  boost::asio::steady_timer retry_timer_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  std::mutex stop_mutex_;  // serialises Stop()
};

}  // namespace renkei::net
