#include "mllp/server.h"

#include <array>
#include <atomic>
#include <optional>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <fmt/format.h>

#include "base/signals.h"
#include "hl7/ack.h"
#include "hl7/charset.h"
#include "mllp/frame.h"
#include "net/listener.h"

namespace renkei::mllp {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

class Connection;

// How much one read may take from the socket.
constexpr size_t kReadChunkBytes = 64 * 1024;
// What the server and its connections share. Constant after Start() unless noted.
struct ServerState {
  explicit ServerState(const ServerOptions& o, Handler h, std::shared_ptr<log::Logger> l)
      : options(o), handler(std::move(h)), logger(std::move(l)) {}

  const ServerOptions options;
  const Handler handler;
  const std::shared_ptr<log::Logger> logger;
  net::Listener* listener = nullptr;  // set by Start(), before the first connection
  // The one thread that runs the Handler (created by Start with signals blocked).
  std::unique_ptr<asio::thread_pool> handler_thread;
  // Makes the control IDs of the ACKs the server writes itself unique across restarts.
  int64_t start_seconds = 0;
  std::atomic<uint64_t> rejects_sent{0};

  // The AR for a frame over max_frame_bytes, from the head the decoder kept.
  std::string RejectOversized(std::string_view head);
};

std::string ServerState::RejectOversized(std::string_view head) {
  hl7::AckDetails details;
  details.control_id = fmt::format("RK{}-{}", start_seconds, ++rejects_sent);
  details.time = std::chrono::system_clock::now();
  details.errors.push_back({hl7::ErrorCode::kApplicationInternalError,
                            {},
                            fmt::format("message exceeds the receiver's limit of {} bytes", options.max_frame_bytes)});
  // Only a complete first line is a header: a cut one could hold a cut control ID.
  const size_t line_end = head.find_first_of("\r\n");
  if (line_end != std::string_view::npos) {
    auto line = hl7::DecodeMessageText(head.substr(0, line_end));
    if (line.ok()) {
      auto header = hl7::ParseMsh(*line);
      if (header.ok()) {
        auto ack = hl7::BuildEncodedAck(*header, hl7::AckCode::kReject, details);
        if (ack.ok()) return std::move(ack).value();
      }
    }
  }
  return hl7::BuildRejectWithoutHeader(details);
}

// One accepted TCP connection. Every member function runs on the connection's strand (the
// executor of stream_), except Shutdown(), which posts onto it.
class Connection : public net::Connection, public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, ServerState& server, uint64_t id, std::string peer)
      : stream_(std::move(socket)),
        server_(server),
        id_(id),
        peer_(std::move(peer)),
        decoder_(server.options.max_frame_bytes) {}

  ~Connection() override { server_.listener->Forget(id_); }

  void Start() override {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->server_.logger->Info("mllp.connection_opened", {{"connection", self->id_}, {"peer", self->peer_}});
      self->DoRead();
    });
  }

  // From any thread: close now if waiting for input, else once the current ACK is written.
  void Shutdown() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      if (self->phase_ == Phase::kReading) self->Close("server stopping");
    });
  }

 private:
  enum class Phase {
    kReading,   // waiting for bytes
    kHandling,  // a message is with the Handler
    kWriting,   // an ACK is being written
    kClosed,
  };

  void DoRead() {
    if (stopping_) return Close("server stopping");
    phase_ = Phase::kReading;
    if (decoder_.in_frame()) {
      if (!frame_deadline_) frame_deadline_ = std::chrono::steady_clock::now() + server_.options.read_timeout;
      stream_.expires_at(*frame_deadline_);
    } else {
      frame_deadline_.reset();
      stream_.expires_after(server_.options.idle_timeout);
    }
    stream_.async_read_some(asio::buffer(buffer_), beast::bind_front_handler(&Connection::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t n) {
    if (phase_ == Phase::kClosed) return;
    if (ec == asio::error::eof) {
      decoder_.Finish();
      peer_closed_ = true;
      return ProcessEvents();
    }
    if (ec == beast::error::timeout) return Close(decoder_.in_frame() ? "read timeout" : "idle timeout");
    if (ec) return Close(ec == asio::error::operation_aborted ? "server stopping" : ec.message());
    bytes_read_ += n;
    decoder_.Feed(std::string_view(buffer_.data(), n));
    ProcessEvents();
  }

  // Takes the decoder's events in order until one needs a reply; reads more when none is left.
  void ProcessEvents() {
    while (std::optional<FrameEvent> event = decoder_.Next()) {
      if (event->status.ok()) return Dispatch(std::move(event->bytes));
      server_.logger->Warn("mllp.frame_error", {{"connection", id_},
                                                {"code", StatusCodeName(event->status.code())},
                                                {"offset", event->offset},
                                                {"error", event->status.message()}});
      if (event->status.code() == StatusCode::kResourceExhausted) {
        ++rejected_;
        return DoWrite(server_.RejectOversized(event->bytes));
      }
    }
    if (peer_closed_) return Close("peer closed");
    DoRead();
  }

  // Hands the message to the Handler thread; the ACK comes back to this strand.
  void Dispatch(std::string message) {
    phase_ = Phase::kHandling;
    ++messages_;
    asio::post(*server_.handler_thread, [self = shared_from_this(), message = std::move(message),
                                        work = asio::make_work_guard(server_.listener->io())]() mutable {
      std::optional<std::string> ack;  // nullopt: the Handler did not run or failed
      std::string failure;
      if (!self->server_.listener->stopping()) {
        try {
          ack = self->server_.handler(message);
        } catch (const std::exception& e) {
          failure = e.what();
        } catch (...) {
          failure = "unknown exception";
        }
      }
      asio::post(self->stream_.get_executor(), [self, ack = std::move(ack), failure = std::move(failure)]() mutable {
        self->OnHandled(std::move(ack), failure);
      });
    });
  }

  void OnHandled(std::optional<std::string> ack, const std::string& failure) {
    if (phase_ == Phase::kClosed) return;
    if (!failure.empty()) {
      server_.logger->Error("mllp.handler_failed", {{"connection", id_}, {"error", failure}});
      return Close("handler failed");
    }
    if (!ack) return Close("server stopping");
    if (ack->empty()) {
      server_.logger->Warn("mllp.handler_declined", {{"connection", id_}});
      return Close("handler declined");
    }
    DoWrite(std::move(*ack));
  }

  void DoWrite(std::string ack) {
    phase_ = Phase::kWriting;
    write_buffer_ = Encode(ack);
    stream_.expires_after(server_.options.write_timeout);
    asio::async_write(stream_, asio::buffer(write_buffer_),
                     beast::bind_front_handler(&Connection::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t) {
    if (phase_ == Phase::kClosed) return;
    if (ec == beast::error::timeout) return Close("write timeout");
    if (ec) return Close(ec.message());
    ++acks_sent_;
    if (stopping_) return Close("server stopping");
    ProcessEvents();
  }

  void Close(std::string_view reason) {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    server_.logger->Info("mllp.connection_closed", {{"connection", id_},
                                                    {"reason", reason},
                                                    {"messages", messages_},
                                                    {"acks", acks_sent_},
                                                    {"rejected_oversized", rejected_},
                                                    {"bytes_read", bytes_read_}});
  }

  beast::tcp_stream stream_;  // its executor is this connection's strand
  ServerState& server_;
  const uint64_t id_;
  const std::string peer_;
  FrameDecoder decoder_;
  std::array<char, kReadChunkBytes> buffer_;
  std::string write_buffer_;
  Phase phase_ = Phase::kReading;
  bool stopping_ = false;
  bool peer_closed_ = false;
  // When the frame being received must be complete (read_timeout after it began).
  std::optional<std::chrono::steady_clock::time_point> frame_deadline_;
  uint64_t messages_ = 0;
  uint64_t acks_sent_ = 0;
  uint64_t rejected_ = 0;
  uint64_t bytes_read_ = 0;
};

}  // namespace

struct MllpServer::Impl {
  Impl(const ServerOptions& options, Handler handler, std::shared_ptr<log::Logger> logger)
      : state(options, std::move(handler), std::move(logger)) {}

  ServerState state;
  std::unique_ptr<net::Listener> listener;  // destroyed first: its connections use `state`
};

MllpServer::MllpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MllpServer::~MllpServer() { Stop(); }

uint16_t MllpServer::port() const { return impl_->listener->port(); }

StatusOr<std::unique_ptr<MllpServer>> MllpServer::Start(const ServerOptions& options, Handler handler,
                                                        std::shared_ptr<log::Logger> logger) {
  if (!handler) return InvalidArgument("mllp server: no handler");
  if (!logger) return InvalidArgument("mllp server: no logger");
  if (options.max_frame_bytes == 0) return InvalidArgument("mllp server: max_frame_bytes must be positive");
  if (options.max_connections == 0) return InvalidArgument("mllp server: max_connections must be positive");
  if (options.idle_timeout.count() <= 0 || options.read_timeout.count() <= 0 || options.write_timeout.count() <= 0) {
    return InvalidArgument("mllp server: timeouts must be positive");
  }
  if (options.io_threads < 1) return InvalidArgument("mllp server: io_threads must be at least 1");
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (ec) return InvalidArgument(fmt::format("mllp server: host '{}' is not an IP address", options.host));

  auto impl = std::make_unique<Impl>(options, std::move(handler), std::move(logger));
  auto listener = net::Listener::Bind({"mllp", address, options.port, options.io_threads, options.max_connections},
                                      impl->state.logger);
  if (!listener.ok()) return listener.status();
  impl->listener = std::move(listener).value();
  ServerState& state = impl->state;
  state.listener = impl->listener.get();
  state.start_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  {
    BlockSignals blocked;
    state.handler_thread = std::make_unique<asio::thread_pool>(1);
  }
  impl->listener->Run([&state](tcp::socket socket, uint64_t id, std::string peer) {
    return std::make_shared<Connection>(std::move(socket), state, id, std::move(peer));
  });
  state.logger->Info("mllp.listening",
                     {{"address", net::FormatEndpoint(tcp::endpoint(address, impl->listener->port()))},
                      {"io_threads", options.io_threads},
                      {"max_connections", options.max_connections},
                      {"max_frame_bytes", options.max_frame_bytes}});
  return std::unique_ptr<MllpServer>(new MllpServer(std::move(impl)));
}

void MllpServer::Stop() {
  impl_->listener->Stop();
  impl_->state.handler_thread->join();
}

}  // namespace renkei::mllp
