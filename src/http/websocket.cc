#include "http/websocket.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "http/address.h"
#include "http/websocket_session.h"
#include "pki/tls.h"

namespace renkei::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using internal::TlsStream;
using internal::WebSocketSession;
using tcp = asio::ip::tcp;

// The refusal a server sent instead of upgrading: its Renkei error message when there is one.
std::string Refusal(const websocket::response_type& response) {
  const nlohmann::json body = nlohmann::json::parse(response.body(), nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_object() && body["error"].contains("message") &&
      body["error"]["message"].is_string()) {
    return fmt::format("HTTP {}: {}", response.result_int(), body["error"]["message"].get<std::string>());
  }
  return fmt::format("HTTP {}", response.result_int());
}

// One connection attempt: TCP connect, the TLS handshake for wss://, the upgrade.
template <typename Stream>
class Connector : public std::enable_shared_from_this<Connector<Stream>> {
 public:
  Connector(Stream stream, Url url, const WebSocketClientOptions& options, std::shared_ptr<ChannelHandler> handler,
            std::function<void(Status)> on_failed)
      : session_(std::make_shared<WebSocketSession<Stream>>(std::move(stream), options.channel, url.authority,
                                                            std::move(handler))),
        url_(std::move(url)),
        options_(options),
        on_failed_(std::move(on_failed)) {}

  void Run(std::vector<tcp::endpoint> endpoints) {
    auto& tcp_stream = beast::get_lowest_layer(session_->ws());
    tcp_stream.expires_after(options_.channel.handshake_timeout);
    tcp_stream.async_connect(endpoints, [self = this->shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return self->Fail("cannot connect to", ec);
      self->AfterConnect();
    });
  }

 private:
  void AfterConnect() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      auto& tls = session_->ws().next_layer();
      if (Status named = pki::SetHostName(tls.native_handle(), url_.host); !named.ok()) return on_failed_(named);
      tls.async_handshake(asio::ssl::stream_base::client, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return self->Fail("TLS handshake failed with", ec);
        self->Upgrade();
      });
    } else {
      Upgrade();
    }
  }

  void Upgrade() {
    auto& ws = session_->ws();
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::decorator([headers = options_.headers](websocket::request_type& r) {
      r.set(beast::http::field::user_agent, "renkei");
      for (const auto& [name, value] : headers) r.set(name, value);
    }));
    ws.async_handshake(response_, url_.host_header, url_.target, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec == websocket::error::upgrade_declined) {
        return self->on_failed_(Unavailable(fmt::format("{} refused the connection: {}", self->url_.authority,
                                                        Refusal(self->response_))));
      }
      if (ec) return self->Fail("websocket handshake failed with", ec);
      self->session_->Opened();
    });
  }

  // `what` is "cannot connect to" or "... failed with": the URL's authority follows.
  void Fail(std::string_view what, beast::error_code ec) {
    const std::string why = ec == beast::error::timeout ? "timed out" : ec.message();
    on_failed_(Unavailable(fmt::format("{} {}: {}", what, url_.authority, why)));
  }

  std::shared_ptr<WebSocketSession<Stream>> session_;
  const Url url_;
  const WebSocketClientOptions options_;
  const std::function<void(Status)> on_failed_;
  websocket::response_type response_;
};

}  // namespace

void ConnectWebSocket(asio::io_context& io, std::string_view url_text, const WebSocketClientOptions& options,
                      std::shared_ptr<ChannelHandler> handler, std::function<void(Status)> on_failed) {
  StatusOr<Url> url = ParseUrl(url_text);
  if (url.ok() && url->scheme != "ws" && url->scheme != "wss") url = InvalidArgument("the URL must begin with ws:// or wss://");
  if (url.ok() && url->tls() && !options.tls) url = InvalidArgument("a wss:// URL needs a TLS context (certificates)");
  if (!url.ok()) {
    asio::post(io, [on_failed, s = url.status()] { on_failed(s); });
    return;
  }
  // Resolving a name blocks (the system resolver); addresses, as Renkei's configurations use, do not.
  std::vector<tcp::endpoint> endpoints;
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(url->host, ec);
  if (!ec) {
    endpoints.emplace_back(address, url->port);
  } else {
    tcp::resolver resolver(io);
    const auto results = resolver.resolve(url->host, std::to_string(url->port), ec);
    if (ec) {
      asio::post(io, [on_failed, s = Unavailable(fmt::format("cannot resolve {}: {}", url->host, ec.message()))] {
        on_failed(s);
      });
      return;
    }
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }
  auto strand = asio::make_strand(io);
  if (url->tls()) {
    auto c = std::make_shared<Connector<TlsStream>>(TlsStream(beast::tcp_stream(strand), *options.tls), *url, options,
                                                    std::move(handler), std::move(on_failed));
    c->Run(std::move(endpoints));
  } else {
    auto c = std::make_shared<Connector<beast::tcp_stream>>(beast::tcp_stream(strand), *url, options,
                                                            std::move(handler), std::move(on_failed));
    c->Run(std::move(endpoints));
  }
}

}  // namespace renkei::http
