#include "http/server.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "base/signals.h"
#include "net/listener.h"
#include "http/address.h"
#include "http/beast_fields.h"
#include "http/target.h"
#include "http/websocket_session.h"
#include "pki/identity.h"

namespace renkei::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

// How long, at most, a connection discards what the peer still sends after its last response.
constexpr std::chrono::milliseconds kLingerTime{1000};
// How much one read of a lingering connection may take from the socket.
constexpr size_t kLingerReadBytes = 16 * 1024;
// Room in a connection's read buffer beyond the header limit: bytes of the body or of the next
// pipelined request that arrive together with a header, and chunk headers of a chunked body.
constexpr size_t kReadBufferSlackBytes = 64 * 1024;
const beast::error_category& ParserErrors() { return bhttp::make_error_code(bhttp::error::bad_method).category(); }

bool HasForbiddenByte(std::string_view text) { return text.find_first_of(std::string_view("\r\n\0", 3)) != text.npos; }

// Why a handler's Response cannot be sent as it is, or OK.
Status CheckResponse(const Response& response) {
  if (response.status < 200 || response.status > 599) {
    return Internal(fmt::format("status {} is outside 200-599", response.status));
  }
  if ((response.status == 204 || response.status == 304) && !response.body.empty()) {
    return Internal(fmt::format("a {} response cannot have a body", response.status));
  }
  if (HasForbiddenByte(response.content_type)) return Internal("the content type holds CR, LF or NUL");
  for (const auto& [name, value] : response.headers) {
    if (name.empty() || HasForbiddenByte(name) || HasForbiddenByte(value)) {
      return Internal("a header name or value is empty or holds CR, LF or NUL");
    }
    for (const std::string_view reserved : {"content-type", "content-length", "transfer-encoding", "connection"}) {
      if (beast::iequals(ToBeast(name), ToBeast(reserved))) {
        return Internal(fmt::format("header {} is set by the server", reserved));
      }
    }
  }
  return Status::Ok();
}

// What the server and its connections share. Constant after Start() unless noted.
struct ServerState {
  ServerState(const ServerOptions& o, Router r, std::shared_ptr<log::Logger> l)
      : options(o), router(std::move(r)), logger(std::move(l)), handlers(StartPool(o.handler_threads)) {}

  static std::unique_ptr<asio::thread_pool> StartPool(int threads) {
    BlockSignals blocked;
    return std::make_unique<asio::thread_pool>(threads);
  }

  const ServerOptions options;
  const Router router;
  const std::shared_ptr<log::Logger> logger;
  net::Listener* listener = nullptr;  // set by Start(), before the first connection
  // Runs the handlers. Joined after the listener has stopped: a handler's task holds work on
  // its connection's strand, so the I/O threads wait for it and write its response first.
  std::unique_ptr<asio::thread_pool> handlers;
};

// One accepted connection over `Stream`: beast::tcp_stream, or an ssl_stream over it, which
// adds a handshake before the first ReadHeader().
// Every member function runs on the connection's strand (the stream's executor), except
// Shutdown(), which posts onto it.
template <typename Stream>
class Session : public net::Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, ServerState& server, uint64_t id, std::string remote)
      : stream_(std::move(stream)),
        server_(server),
        id_(id),
        remote_(std::move(remote)),
        buffer_(server.options.max_header_bytes + kReadBufferSlackBytes) {}

  ~Session() override {
    if (!upgraded_) server_.listener->Forget(id_);
  }

  void Start() override {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (std::is_same_v<Stream, internal::TlsStream>) {
        self->Socket().expires_after(self->server_.options.idle_timeout);
        self->stream_.async_handshake(asio::ssl::stream_base::server, [self](beast::error_code ec) {
          if (self->phase_ == Phase::kClosed) return;
          if (ec) {
            self->server_.logger->Warn("http.tls_failed", {{"connection", self->id_},
                                                           {"remote", self->remote_},
                                                           {"error", ec == beast::error::timeout ? "timed out" : ec.message()}});
            return self->Close("TLS handshake failed");
          }
          if (X509* cert = SSL_get0_peer_certificate(self->stream_.native_handle())) {
            if (auto identity = pki::IdentityOf(cert); identity.ok()) self->peer_ = *std::move(identity);
          }
          self->ReadHeader();
        });
      } else {
        self->ReadHeader();
      }
    });
  }

  void Shutdown() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stopping_ = true;
      if (self->phase_ == Phase::kReading || self->phase_ == Phase::kLingering) self->Close("server stopping");
    });
  }

 private:
  enum class Phase {
    kReading,    // waiting for a request, or for the rest of one
    kHandling,   // a handler runs on the pool for the request just read
    kWriting,    // writing a response (or a 100 Continue)
    kLingering,  // the last response is sent; discarding what the peer still sends
    kClosed,
  };

  auto& Socket() { return beast::get_lowest_layer(stream_); }

  void ReadHeader() {
    if (stopping_) return Close("server stopping");
    phase_ = Phase::kReading;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(server_.options.max_header_bytes, UINT32_MAX)));
    parser_->body_limit(server_.options.max_body_bytes);
    Socket().expires_after(server_.options.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, this->shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (phase_ == Phase::kClosed) return;
    if (ec) return OnReadError(ec);
    received_ = std::chrono::steady_clock::now();
    const auto& header = parser_->get();
    if (!parser_->is_done() && header.version() >= 11 && beast::iequals(header[bhttp::field::expect], "100-continue")) {
      phase_ = Phase::kWriting;
      continue_.emplace(bhttp::status::continue_, header.version());
      Socket().expires_after(server_.options.idle_timeout);
      return bhttp::async_write(stream_, *continue_,
                                beast::bind_front_handler(&Session::OnContinueWritten, this->shared_from_this()));
    }
    ReadBody();
  }

  void OnContinueWritten(beast::error_code ec, size_t) {
    if (phase_ == Phase::kClosed) return;
    continue_.reset();
    if (ec) return Close(ec == beast::error::timeout ? "write timeout" : ec.message());
    if (stopping_) return Close("server stopping");
    ReadBody();
  }

  void ReadBody() {
    phase_ = Phase::kReading;
    Socket().expires_after(server_.options.idle_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnBody, this->shared_from_this()));
  }

  void OnBody(beast::error_code ec, size_t) {
    if (phase_ == Phase::kClosed) return;
    if (ec) return OnReadError(ec);
    Handle();
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream) return Close("peer closed");
    if (ec == bhttp::error::partial_message) return Close("peer closed in the middle of a request");
    if (ec == beast::error::timeout) return Close(parser_->got_some() ? "read timeout" : "idle timeout");
    if (ec == asio::error::operation_aborted) return Close("server stopping");
    if (ec == bhttp::error::header_limit) {
      return Reject(431, ResourceExhausted(fmt::format("the request header exceeds the limit of {} bytes",
                                                       server_.options.max_header_bytes)));
    }
    if (ec == bhttp::error::body_limit) {
      return Reject(413, ResourceExhausted(fmt::format("the request body exceeds the limit of {} bytes",
                                                       server_.options.max_body_bytes)));
    }
    if (ec.category() == ParserErrors()) {
      return Reject(400, InvalidArgument(fmt::format("the request cannot be parsed: {}", ec.message())));
    }
    Close(ec.message());
  }

  // Answers a request that could not be read in full, then closes: the rest of its bytes
  // cannot be told apart from a next request.
  void Reject(int http_status, const Status& status) {
    server_.logger->Warn("http.bad_request", {{"connection", id_},
                                              {"remote", remote_},
                                              {"status", http_status},
                                              {"error", status.message()}});
    Write(Error(http_status, status), 11, /*keep_alive=*/false);
  }

  void Handle() {
    auto& message = parser_->get();
    Request request;
    request.method = std::string(FromBeast(message.method_string()));
    request.remote = remote_;
    request.peer = peer_;
    request.id = fmt::format("{}-{}", id_, ++requests_);
    request.headers = LowerCaseHeaders(message);
    request.body = std::move(message.body());
    StatusOr<Target> target = ParseTarget(FromBeast(message.target()));
    if (target.ok() && beast::websocket::is_upgrade(message)) {
      request.path = std::move(target->path);
      request.query = std::move(target->query);
      auto decision = server_.router.Upgrade(request);
      if (auto* handler = std::get_if<std::shared_ptr<ChannelHandler>>(&decision)) return Upgrade(request, *handler);
      return Write(std::move(std::get<Response>(decision)), message.version(), /*keep_alive=*/false);
    }
    if (!target.ok()) {
      server_.logger->Warn("http.bad_request", {{"request", request.id},
                                                {"remote", remote_},
                                                {"status", 400},
                                                {"error", target.status().message()}});
      Log(request, 400);
      return Write(Error(target.status()), message.version(), message.keep_alive());
    }
    request.path = std::move(target->path);
    request.query = std::move(target->query);
    // The handler runs on the pool; the work guard keeps the I/O threads (and so Stop()) waiting
    // for its response, which is written back on this connection's strand.
    phase_ = Phase::kHandling;
    asio::post(*server_.handlers, [self = this->shared_from_this(), request = std::move(request),
                                   strand = asio::make_work_guard(stream_.get_executor()),
                                   version = message.version(), keep_alive = message.keep_alive()]() mutable {
      Response response = self->server_.router.Dispatch(request);
      if (Status bad = CheckResponse(response); !bad.ok()) {
        self->server_.logger->Error("http.bad_response_header", {{"request", request.id},
                                                                {"route", request.route},
                                                                {"error", bad.message()}});
        response = Error(Internal("the server made an invalid response"));
      }
      self->Log(request, response.status);
      asio::post(strand.get_executor(), [self, response = std::move(response), version, keep_alive]() mutable {
        if (self->phase_ == Phase::kClosed) return;
        self->Write(std::move(response), version, keep_alive);
      });
    });
  }

  // The request's access line. Reads only what no other thread writes meanwhile.
  void Log(const Request& request, int status) const {
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - received_;
    server_.logger->Info("http.request", {{"request", request.id},
                                          {"method", request.method},
                                          {"route", request.route},
                                          {"status", status},
                                          {"duration_ms", std::round(took.count() * 100) / 100},
                                          {"remote", remote_}});
  }

  // Hands the connection to a WebSocket channel, which the listener tracks from now on.
  void Upgrade(const Request& request, std::shared_ptr<ChannelHandler> handler) {
    server_.logger->Info("http.upgrade", {{"request", request.id}, {"route", request.route}, {"remote", remote_}});
    upgraded_ = true;
    phase_ = Phase::kClosed;
    net::Listener* listener = server_.listener;
    const uint64_t id = id_;
    auto channel = std::make_shared<internal::WebSocketSession<Stream>>(
        std::move(stream_), server_.options.channel, remote_, std::move(handler), [listener, id] { listener->Forget(id); });
    channel->SetUpgradeRequest(parser_->release());
    listener->Track(id, channel);
    channel->Start();
  }

  void Write(Response response, unsigned version, bool keep_alive) {
    phase_ = Phase::kWriting;
    keep_alive_ = keep_alive && !server_.listener->stopping();
    auto& out = response_.emplace();
    out.version(version);
    out.result(static_cast<unsigned>(response.status));
    if (!response.content_type.empty()) out.set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) out.insert(name, value);
    out.body() = std::move(response.body);
    out.keep_alive(keep_alive_);
    out.prepare_payload();
    Socket().expires_after(server_.options.idle_timeout);
    bhttp::async_write(stream_, out, beast::bind_front_handler(&Session::OnWrite, this->shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t) {
    if (phase_ == Phase::kClosed) return;
    response_.reset();
    if (ec) return Close(ec == beast::error::timeout ? "write timeout" : ec.message());
    if (stopping_) return Close("server stopping");
    if (!keep_alive_) return Linger();
    ReadHeader();
  }

  // Sends FIN, then reads and discards until the peer closes too or kLingerTime is over: a
  // close with unread input would send a reset, which can destroy the response in the peer's
  // receive buffer before it is read.
  void Linger() {
    phase_ = Phase::kLingering;
    beast::error_code ignored;
    Socket().socket().shutdown(tcp::socket::shutdown_send, ignored);
    drain_ = std::make_unique<char[]>(kLingerReadBytes);
    Socket().expires_after(std::min<std::chrono::milliseconds>(kLingerTime, server_.options.idle_timeout));
    DrainSome();
  }

  void DrainSome() {
    Socket().async_read_some(asio::buffer(drain_.get(), kLingerReadBytes),
                             [self = this->shared_from_this()](beast::error_code ec, size_t) {
                               if (self->phase_ == Phase::kClosed) return;
                               if (ec) return self->Close("closed after the last response");
                               self->DrainSome();
                             });
  }

  void Close(std::string_view reason) {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    beast::error_code ignored;
    Socket().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Socket().close();
    server_.logger->Info("http.connection_closed",
                         {{"connection", id_}, {"remote", remote_}, {"reason", reason}, {"requests", requests_}});
  }

  Stream stream_;  // its executor is this connection's strand
  ServerState& server_;
  const uint64_t id_;
  const std::string remote_;
  beast::flat_buffer buffer_;  // bytes read but not parsed yet; bounded, see kReadBufferSlackBytes
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;  // a fresh one per request
  std::optional<bhttp::response<bhttp::empty_body>> continue_;        // while a 100 is written
  std::optional<bhttp::response<bhttp::string_body>> response_;       // while it is written
  std::unique_ptr<char[]> drain_;                                     // while lingering
  Phase phase_ = Phase::kReading;
  bool stopping_ = false;
  bool upgraded_ = false;   // stream_ moved to a WebSocket channel
  std::optional<pki::Identity> peer_;  // from the client's certificate, over TLS
  bool keep_alive_ = true;  // of the response being written
  std::chrono::steady_clock::time_point received_;  // when the current request's header arrived
  uint64_t requests_ = 0;
};


}  // namespace

struct Server::Impl {
  Impl(const ServerOptions& options, Router router, std::shared_ptr<log::Logger> logger)
      : state(options, std::move(router), std::move(logger)) {}

  ServerState state;
  std::unique_ptr<net::Listener> listener;  // destroyed first: its connections use `state`
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

uint16_t Server::port() const { return impl_->listener->port(); }

StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Router router,
                                                std::shared_ptr<log::Logger> logger) {
  if (!logger) return InvalidArgument("http server: no logger");
  if (options.threads < 1 || options.handler_threads < 1) {
    return InvalidArgument("http server: threads and handler_threads must be at least 1");
  }
  if (options.max_body_bytes == 0 || options.max_header_bytes == 0 || options.max_connections == 0) {
    return InvalidArgument("http server: max_body_bytes, max_header_bytes and max_connections must be positive");
  }
  if (options.idle_timeout.count() <= 0) return InvalidArgument("http server: idle_timeout must be positive");
  StatusOr<HostPort> listen = ParseHostPort(options.listen);
  if (!listen.ok()) return listen.status().Annotate(fmt::format("http server: listen address '{}'", options.listen));
  if (!listen->port) {
    return InvalidArgument(fmt::format("http server: listen address '{}' has no port", options.listen));
  }
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(listen->host, ec);
  if (ec) return InvalidArgument(fmt::format("http server: '{}' is not an IP address", listen->host));

  auto impl = std::make_unique<Impl>(options, std::move(router), std::move(logger));
  auto listener =
      net::Listener::Bind({"http", address, *listen->port, options.threads, options.max_connections}, impl->state.logger);
  if (!listener.ok()) return listener.status();
  impl->listener = std::move(listener).value();
  ServerState& state = impl->state;
  state.listener = impl->listener.get();
  impl->listener->Run([&state](tcp::socket socket, uint64_t id, std::string remote) -> std::shared_ptr<net::Connection> {
    if (state.options.tls) {
      return std::make_shared<Session<internal::TlsStream>>(
          internal::TlsStream(beast::tcp_stream(std::move(socket)), *state.options.tls), state, id, std::move(remote));
    }
    return std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), state, id, std::move(remote));
  });
  state.logger->Info("http.listening", {{"address", net::FormatEndpoint(tcp::endpoint(address, impl->listener->port()))},
                                        {"tls", options.tls != nullptr},
                                        {"threads", options.threads},
                                        {"handler_threads", options.handler_threads},
                                        {"max_connections", options.max_connections},
                                        {"max_body_bytes", options.max_body_bytes},
                                        {"max_header_bytes", options.max_header_bytes},
                                        {"idle_timeout_ms", options.idle_timeout.count()}});
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

void Server::Stop() {
  impl_->listener->Stop();
  impl_->state.handlers->join();
}

}  // namespace renkei::http
