// WebSocket channels (RFC 6455, on Boost.Beast): a message-oriented, full-duplex connection that
// stays open — how an edge, behind a facility's firewall, keeps one outbound connection to the
// hub and the hub sends requests back over it.
//
// Either end sees a Channel (to send and close) and supplies a ChannelHandler (to receive).
// The server end is a WebSocket route of a Router (router.h), upgraded from an HTTP request on
// the server's port; the client end is made by ConnectWebSocket. Both run over TCP or TLS.
//
// Liveness: a side that has received nothing for `idle_timeout / 2` sends a ping; a peer that
// stays silent for `idle_timeout` is dropped (Beast's keep-alive pings), so a cut network is
// noticed within idle_timeout even when no message is due.
//
// Backpressure: messages to send wait in a queue bounded by max_queued_bytes; Send() refuses a
// message that would overflow it, so a slow peer cannot grow the sender's memory. Received
// messages are handed to the handler one at a time; the next is read only when OnMessage
// returns, so a handler that hands work to a bounded pool applies backpressure to the peer
// through TCP's window.
//
// Thread-safety: Channel's functions may be called from any thread. The handler's functions are
// called on the channel's strand, never concurrently for one channel.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "http/client.h"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace renkei::http {

class Channel {
 public:
  virtual ~Channel() = default;
  // Queues a message, sent as a binary frame: its bytes arrive as they are, unchecked (a text
  // frame would make both ends check that it is UTF-8; the relay's readers are JSON parsers that
  // check it themselves). ResourceExhausted (the message dropped) when the queue would exceed
  // max_queued_bytes; Unavailable once the channel is closing or closed.
  virtual Status Send(std::string message) = 0;
  // Bytes queued and not yet written.
  virtual size_t queued_bytes() const = 0;
  // Sends a close frame with `reason` (cut to 120 bytes) and closes; OnClose follows. Idempotent.
  virtual void Close(std::string_view reason) = 0;
  // The peer's address, "127.0.0.1:53422".
  virtual const std::string& remote() const = 0;
};

class ChannelHandler {
 public:
  virtual ~ChannelHandler() = default;
  // The channel is open; keep the pointer to send on it.
  virtual void OnOpen(std::shared_ptr<Channel> channel) = 0;
  // A complete message (text or binary). Keep it short: the next is read when it returns.
  virtual void OnMessage(std::string message) = 0;
  // Called once, after OnOpen, when the channel has closed: OK for a close the local side asked
  // for, otherwise why (the peer closed with its reason, a timeout, a broken connection).
  virtual void OnClose(const Status& why) = 0;
};

struct ChannelOptions {
  size_t max_message_bytes = 8 << 20;   // larger received messages close the channel (1009)
  size_t max_queued_bytes = 32 << 20;   // see "Backpressure"
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};  // see "Liveness"
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
};

struct WebSocketClientOptions {
  ChannelOptions channel;
  HeaderList headers;  // added to the upgrade request, e.g. Authorization
  // For wss:// URLs: the context that presents the client's certificate and verifies the
  // server's (pki/tls.h); the server's name is checked against the URL's host.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

// Connects to `url` (ws://host[:port]/path or wss://...), on `io`'s threads, and upgrades.
// On success the handler's OnOpen follows; otherwise `on_failed` is called (on an io thread)
// with why: InvalidArgument for a bad URL or a wss:// URL without options.tls; Unavailable for a
// connection, TLS or handshake failure ("the hub answered HTTP 403: ..." when the server
// refused the upgrade, with its error message).
void ConnectWebSocket(boost::asio::io_context& io, std::string_view url, const WebSocketClientOptions& options,
                      std::shared_ptr<ChannelHandler> handler, std::function<void(Status)> on_failed);

}  // namespace renkei::http
