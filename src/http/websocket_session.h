// The Channel over one WebSocket stream, shared by the server's upgraded connections
// (server.cc) and ConnectWebSocket (websocket.cc). Internal to http/.
//
// Everything but Send(), queued_bytes(), Close(), remote() and Shutdown() runs on the stream's
// strand.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <fmt/format.h>

#include "http/websocket.h"
#include "net/listener.h"

namespace renkei::http::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

// How long a closing channel waits for the peer's close frame before dropping the connection.
constexpr std::chrono::milliseconds kCloseGrace{1000};

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <typename Stream>
class WebSocketSession : public Channel,
                         public net::Connection,
                         public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  // `on_destroy` runs in the destructor (the server forgets the connection there).
  WebSocketSession(Stream stream, const ChannelOptions& options, std::string remote,
                   std::shared_ptr<ChannelHandler> handler, std::function<void()> on_destroy = {})
      : ws_(std::move(stream)),
        options_(options),
        remote_(std::move(remote)),
        handler_(std::move(handler)),
        on_destroy_(std::move(on_destroy)) {
    beast::get_lowest_layer(ws_).expires_never();  // the websocket's own timeouts take over
    ws_.set_option(websocket::stream_base::timeout{options_.handshake_timeout, options_.idle_timeout, true});
    ws_.read_message_max(options_.max_message_bytes);
  }

  ~WebSocketSession() override {
    if (on_destroy_) on_destroy_();
  }

  websocket::stream<Stream>& ws() { return ws_; }

  // Server side: accepts `upgrade` (the request that asked for it) when started.
  void SetUpgradeRequest(beast::http::request<beast::http::string_body> upgrade) { upgrade_ = std::move(upgrade); }

  // net::Connection: the server starts the accept handshake.
  void Start() override {
    asio::dispatch(ws_.get_executor(), [self = this->shared_from_this()] {
      self->ws_.set_option(websocket::stream_base::decorator(
          [](websocket::response_type& r) { r.set(beast::http::field::server, "renkei"); }));
      self->ws_.async_accept(*self->upgrade_, [self](beast::error_code ec) {
        self->upgrade_.reset();
        if (ec) return self->Finish(Unavailable(fmt::format("websocket handshake failed: {}", ec.message())), false);
        self->Opened();
      });
    });
  }

  // net::Connection: the server is stopping.
  void Shutdown() override { Close("server stopping"); }

  // The handshake is done (either side): tells the handler and starts reading. On the strand.
  void Opened() {
    open_ = true;
    // Small messages go out at once: Nagle's algorithm against the peer's delayed ACK would add
    // tens of milliseconds to every request and answer.
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    handler_->OnOpen(this->shared_from_this());
    Read();
    if (closed_locally_) SendClose();
  }

  Status Send(std::string message) override {
    {
      std::lock_guard lock(mutex_);
      if (closing_) return Unavailable("the channel is closed");
      if (queued_ + message.size() > options_.max_queued_bytes) {
        return ResourceExhausted(fmt::format("the send queue is full ({} bytes waiting)", queued_));
      }
      queued_ += message.size();
    }
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), m = std::move(message)]() mutable {
      self->outbox_.push_back(std::move(m));
      if (self->outbox_.size() == 1) self->WriteFront();
    });
    return Status::Ok();
  }

  size_t queued_bytes() const override {
    std::lock_guard lock(mutex_);
    return queued_;
  }

  void Close(std::string_view reason) override {
    {
      std::lock_guard lock(mutex_);
      if (closing_) return;
      closing_ = true;
    }
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), r = std::string(reason.substr(0, 120))] {
      self->closed_locally_ = true;
      self->close_reason_ = r;
      if (self->open_) self->SendClose();  // else Opened() does, once the handshake is over
    });
  }

  const std::string& remote() const override { return remote_; }

 private:
  void SendClose() {
    if (finished_) return;
    // Beast bounds the closing handshake by the handshake timeout.
    ws_.set_option(websocket::stream_base::timeout{kCloseGrace, options_.idle_timeout, true});
    ws_.async_close(websocket::close_reason(websocket::close_code::normal, close_reason_),
                    [self = this->shared_from_this()](beast::error_code) { beast::get_lowest_layer(self->ws_).close(); });
  }

  void Read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->OnReadError(ec);
      std::string message = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      self->handler_->OnMessage(std::move(message));
      self->Read();
    });
  }

  void OnReadError(beast::error_code ec) {
    if (closed_locally_) return Finish(Status::Ok(), true);
    if (ec == websocket::error::closed) {
      const auto& reason = ws_.reason();
      return Finish(Unavailable(fmt::format("the peer closed the connection (code {}{}{})",
                                            static_cast<int>(reason.code), reason.reason.empty() ? "" : ": ",
                                            std::string(reason.reason.data(), reason.reason.size()))),
                    true);
    }
    if (ec == beast::error::timeout) return Finish(Unavailable("the peer stopped answering (heartbeat timeout)"), true);
    if (ec == websocket::error::message_too_big) {
      return Finish(ResourceExhausted(fmt::format("a message exceeded {} bytes", options_.max_message_bytes)), true);
    }
    Finish(Unavailable(fmt::format("the connection broke: {}", ec.message())), true);
  }

  void WriteFront() {
    ws_.binary(true);  // opaque bytes: no UTF-8 check of every frame on either side
    ws_.async_write(asio::buffer(outbox_.front()), [self = this->shared_from_this()](beast::error_code ec, size_t) {
      {
        std::lock_guard lock(self->mutex_);
        self->queued_ -= self->outbox_.front().size();
      }
      self->outbox_.pop_front();
      if (ec) {
        // The read side reports the broken connection; drop what waits.
        std::lock_guard lock(self->mutex_);
        for (const auto& m : self->outbox_) self->queued_ -= m.size();
        self->outbox_.clear();
        return;
      }
      if (!self->outbox_.empty()) self->WriteFront();
    });
  }

  // The channel is over: tells the handler once (when it was opened) and releases the socket.
  void Finish(const Status& why, bool was_open) {
    if (finished_) return;
    finished_ = true;
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close();
    if (was_open) handler_->OnClose(why);
  }

  websocket::stream<Stream> ws_;  // its executor is this channel's strand
  const ChannelOptions options_;
  const std::string remote_;
  const std::shared_ptr<ChannelHandler> handler_;
  const std::function<void()> on_destroy_;
  std::optional<beast::http::request<beast::http::string_body>> upgrade_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;  // front() is being written
  bool open_ = false;
  bool finished_ = false;
  bool closed_locally_ = false;
  std::string close_reason_;
  mutable std::mutex mutex_;
  bool closing_ = false;  // guarded by mutex_
  size_t queued_ = 0;     // guarded by mutex_
};

}  // namespace renkei::http::internal
