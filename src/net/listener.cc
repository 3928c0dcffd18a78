#include "net/listener.h"

#include <sstream>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <fmt/format.h>

#include "base/signals.h"

namespace renkei::net {
namespace {

namespace asio = boost::asio;

// Pause before accepting again after accept() failed (e.g. out of file descriptors).
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

}  // namespace

std::string FormatEndpoint(const tcp::endpoint& endpoint) {
  std::ostringstream out;
  out << endpoint;
  return out.str();
}

Listener::Listener(const ListenerOptions& options, std::shared_ptr<log::Logger> logger)
    : options_(options),
      logger_(std::move(logger)),
      io_(options.threads),
      acceptor_(asio::make_strand(io_)),
      retry_timer_(acceptor_.get_executor()) {}

StatusOr<std::unique_ptr<Listener>> Listener::Bind(const ListenerOptions& options,
                                                   std::shared_ptr<log::Logger> logger) {
  std::unique_ptr<Listener> l(new Listener(options, std::move(logger)));
  const tcp::endpoint endpoint(options.address, options.port);
  boost::system::error_code ec;
  tcp::acceptor& acceptor = l->acceptor_;
  if (acceptor.open(endpoint.protocol(), ec) || acceptor.set_option(asio::socket_base::reuse_address(true), ec) ||
      acceptor.bind(endpoint, ec) || acceptor.listen(asio::socket_base::max_listen_connections, ec)) {
    return Unavailable(
        fmt::format("{} server: cannot listen on {}: {}", options.name, FormatEndpoint(endpoint), ec.message()));
  }
  l->port_ = acceptor.local_endpoint(ec).port();
  if (ec) return Unavailable(fmt::format("{} server: cannot read the bound port: {}", options.name, ec.message()));
  return l;
}

Listener::~Listener() { Stop(); }

void Listener::Run(Factory factory) {
  factory_ = std::move(factory);
  DoAccept();
  BlockSignals blocked;
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { io_.run(); });
}

void Listener::DoAccept() {
  acceptor_.async_accept(asio::make_strand(io_), boost::beast::bind_front_handler(&Listener::OnAccept, this));
}

void Listener::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    logger_->Error(options_.name + ".accept_failed", {{"error", ec.message()}});
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([this](boost::system::error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open()) DoAccept();
    });
    return;
  }
  boost::system::error_code remote_ec;
  socket.set_option(tcp::no_delay(true), remote_ec);  // answers are small: send them at once
  const tcp::endpoint endpoint = socket.remote_endpoint(remote_ec);
  const std::string remote = remote_ec ? "unknown" : FormatEndpoint(endpoint);
  std::shared_ptr<Connection> connection;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;  // the socket closes as it goes out of scope
    if (connections_.size() >= options_.max_connections) {
      logger_->Warn(options_.name + ".connection_refused",
                    {{"remote", remote}, {"reason", "max_connections"}, {"max_connections", options_.max_connections}});
      boost::system::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
    } else {
      const uint64_t id = next_id_++;
      connection = factory_(std::move(socket), id, remote);
      connections_.emplace(id, connection);
    }
  }
  if (connection) connection->Start();
  DoAccept();
}

void Listener::Forget(uint64_t id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
}

void Listener::Track(uint64_t id, std::weak_ptr<Connection> replacement) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      connections_[id] = std::move(replacement);
      return;
    }
  }
  if (auto connection = replacement.lock()) connection->Shutdown();
}

void Listener::Stop() {
  std::lock_guard stop_lock(stop_mutex_);
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [id, weak] : connections_) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
  });
  for (auto& connection : open) connection->Shutdown();
  open.clear();  // the I/O threads own the connections from here
  // The io_context runs out of work once the acceptor and every connection have closed.
  for (std::thread& t : threads_) t.join();
  if (threads_.empty()) {
    // Never run: nothing else will close the acceptor.
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }
  logger_->Info(options_.name + ".stopped", {{"port", port_}});
}

}  // namespace renkei::net
