#include "http/client.h"

#include <openssl/err.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "http/address.h"
#include "http/beast_fields.h"
#include "http/message.h"
#include "pki/tls.h"

namespace renkei::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr uint32_t kMaxResponseHeaderBytes = 64 << 10;
constexpr uint64_t kMaxResponseBodyBytes = 64 << 20;

// RFC 9110 token: a method or a header name.
bool IsToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

std::string FormatSeconds(std::chrono::milliseconds timeout) {
  return fmt::format("{:g} s", static_cast<double>(timeout.count()) / 1000);
}

// OpenSSL's reason ("certificate verify failed", "wrong version number") without its codes.
std::string TlsReason(const beast::error_code& ec) {
  if (ec.category() == net::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    if (reason != nullptr) return reason;
  }
  return ec.message();
}

}  // namespace

struct Client::Impl {
  explicit Impl(std::shared_ptr<net::ssl::context> c) : tls(std::move(c)) {}

  const std::shared_ptr<net::ssl::context> tls;
  net::io_context io;
  std::optional<beast::tcp_stream> plain;  // the connection: one of these two, or neither
  std::optional<TlsStream> secure;
  beast::flat_buffer buffer;  // bytes received beyond the last response
  std::string connected_to;   // "scheme://authority" of the open connection; empty when none

  beast::tcp_stream& Tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // Calls `f` with the open connection's stream, whichever kind it is.
  template <typename F>
  auto WithStream(F&& f) {
    return secure ? f(*secure) : f(*plain);
  }

  // Starts an asynchronous operation with a handler that records its error, and runs the
  // io_context until it completes (with the stream's expiry as its deadline).
  template <typename Initiate>
  beast::error_code Run(Initiate initiate) {
    beast::error_code result;
    initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    return result;
  }

  void Disconnect() {
    if (plain || secure) {
      beast::error_code ignored;
      Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
      Tcp().close();
    }
    secure.reset();
    plain.reset();
    buffer.clear();
    connected_to.clear();
  }

  // Whether the kept connection can carry another request: the server has neither closed it
  // (an idle timeout) nor sent anything unasked. (A TLS server's post-handshake messages, such
  // as session tickets, count as unasked: the next request then takes a new connection.)
  bool StillOpen() {
    char byte;
    const ssize_t n = ::recv(Tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && buffer.size() == 0;
  }

  Status Connect(const Url& url, std::chrono::steady_clock::time_point deadline, std::chrono::milliseconds timeout) {
    std::vector<tcp::endpoint> endpoints;
    beast::error_code ec;
    const net::ip::address address = net::ip::make_address(url.host, ec);
    if (!ec) {
      endpoints.emplace_back(address, url.port);
    } else {
      tcp::resolver resolver(io);
      const auto results = resolver.resolve(url.host, std::to_string(url.port), ec);
      if (ec) return Unavailable(fmt::format("cannot resolve {}: {}", url.host, ec.message()));
      for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    }
    plain.emplace(io);
    plain->expires_at(deadline);
    ec = Run([&](auto handler) { plain->async_connect(endpoints, std::move(handler)); });
    if (ec) {
      Disconnect();
      if (ec == beast::error::timeout) {
        return Unavailable(
            fmt::format("cannot connect to {}: timed out after {}", url.authority, FormatSeconds(timeout)));
      }
      return Unavailable(fmt::format("cannot connect to {}: {}", url.authority, ec.message()));
    }
    if (url.tls()) {
      secure.emplace(std::move(*plain), *tls);
      plain.reset();
      if (Status named = pki::SetHostName(secure->native_handle(), url.host); !named.ok()) {
        Disconnect();
        return named;
      }
      ec = Run([&](auto handler) { secure->async_handshake(net::ssl::stream_base::client, std::move(handler)); });
      if (ec) {
        Disconnect();
        if (ec == beast::error::timeout) {
          return Unavailable(
              fmt::format("TLS handshake with {} timed out after {}", url.authority, FormatSeconds(timeout)));
        }
        return Unavailable(fmt::format("TLS handshake with {} failed: {}", url.authority, TlsReason(ec)));
      }
    }
    connected_to = url.scheme + "://" + url.authority;
    return Status::Ok();
  }

  // The Status for a failed send or receive; the connection is dropped.
  Status Failed(beast::error_code ec, std::string_view method, const Url& url, std::chrono::milliseconds timeout) {
    Disconnect();
    if (ec == beast::error::timeout) {
      return Unavailable(fmt::format("{} to {} timed out after {}", method, url.authority, FormatSeconds(timeout)));
    }
    if (ec == bhttp::error::header_limit) {
      return ResourceExhausted(fmt::format("the response header from {} exceeds {} bytes", url.authority,
                                           kMaxResponseHeaderBytes));
    }
    if (ec == bhttp::error::body_limit) {
      return ResourceExhausted(fmt::format("the response body from {} exceeds {} bytes", url.authority,
                                           kMaxResponseBodyBytes));
    }
    if (ec == bhttp::error::end_of_stream || ec == net::ssl::error::stream_truncated) {
      return Unavailable(fmt::format("{} closed the connection without a response", url.authority));
    }
    if (ec == bhttp::error::partial_message) {
      return Unavailable(fmt::format("{} closed the connection in the middle of the response", url.authority));
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category()) {
      return Unavailable(fmt::format("the response from {} is not valid HTTP: {}", url.authority, ec.message()));
    }
    return Unavailable(fmt::format("{} to {} failed: {}", method, url.authority, ec.message()));
  }
};

Client::Client(std::shared_ptr<net::ssl::context> tls) : impl_(std::make_unique<Impl>(std::move(tls))) {}

Client::~Client() = default;

StatusOr<ClientResponse> Client::Fetch(std::string_view method, std::string_view url_text, std::string_view body,
                                       std::string_view content_type, std::chrono::milliseconds timeout,
                                       const HeaderList& headers) {
  if (!IsToken(method)) return InvalidArgument("the method is not an HTTP token");
  if (timeout.count() <= 0) return InvalidArgument("the timeout must be positive");
  const auto bad_value = [](std::string_view v) { return v.find_first_of(std::string_view("\r\n\0", 3)) != v.npos; };
  if (bad_value(content_type)) return InvalidArgument("the content type holds CR, LF or NUL");
  for (const auto& [name, value] : headers) {
    if (!IsToken(name)) return InvalidArgument("a header name is not an HTTP token");
    if (bad_value(value)) return InvalidArgument(fmt::format("the value of header {} holds CR, LF or NUL", name));
  }
  RENKEI_ASSIGN_OR_RETURN(const Url url, ParseUrl(url_text));
  if (url.scheme != "http" && url.scheme != "https") return InvalidArgument("the URL must begin with http:// or https://");
  if (url.tls() && !impl_->tls) return InvalidArgument("an https:// URL needs a TLS context (the regional CA's certificate)");

  Impl& impl = *impl_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string origin = url.scheme + "://" + url.authority;
  if (!impl.connected_to.empty() && (impl.connected_to != origin || !impl.StillOpen())) impl.Disconnect();
  if (impl.connected_to.empty()) RENKEI_RETURN_IF_ERROR(impl.Connect(url, deadline, timeout));

  bhttp::request<bhttp::string_body> request;
  request.method_string(ToBeast(method));
  request.target(ToBeast(url.target));
  request.version(11);
  request.set(bhttp::field::host, url.host_header);
  request.set(bhttp::field::user_agent, "renkei");
  if (!body.empty()) request.set(bhttp::field::content_type, ToBeast(content_type));
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.body() = std::string(body);
  request.prepare_payload();

  impl.Tcp().expires_at(deadline);
  beast::error_code ec = impl.WithStream(
      [&](auto& stream) { return impl.Run([&](auto handler) { bhttp::async_write(stream, request, std::move(handler)); }); });
  if (ec) return impl.Failed(ec, method, url, timeout);

  // Interim responses (100 Continue, 103 Early Hints) precede the real one.
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  do {
    parser.emplace();
    parser->header_limit(kMaxResponseHeaderBytes);
    parser->body_limit(kMaxResponseBodyBytes);
    parser->skip(method == "HEAD");
    ec = impl.WithStream([&](auto& stream) {
      return impl.Run([&](auto handler) { bhttp::async_read(stream, impl.buffer, *parser, std::move(handler)); });
    });
    if (ec) return impl.Failed(ec, method, url, timeout);
  } while (parser->get().result_int() / 100 == 1 && parser->get().result_int() != 101);

  auto& message = parser->get();
  ClientResponse response;
  response.status = static_cast<int>(message.result_int());
  response.headers = LowerCaseHeaders(message);
  response.body = std::move(message.body());
  if (!message.keep_alive()) impl.Disconnect();
  return response;
}

StatusOr<ClientResponse> Fetch(std::string_view method, std::string_view url, std::string_view body,
                               std::string_view content_type, std::chrono::milliseconds timeout,
                               const HeaderList& headers) {
  return Client().Fetch(method, url, body, content_type, timeout, headers);
}

Status ResponseStatus(const ClientResponse& response) {
  if (response.status / 100 == 2) return Status::Ok();
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const nlohmann::json& error = body["error"];
    if (error.contains("code") && error["code"].is_string() && error.contains("message") &&
        error["message"].is_string()) {
      const std::optional<StatusCode> code = StatusCodeFromName(error["code"].get<std::string>());
      if (code && *code != StatusCode::kOk) return Status(*code, error["message"].get<std::string>());
    }
  }
  std::string message = fmt::format("HTTP {}", response.status);
  for (const StatusCode code : {StatusCode::kInvalidArgument, StatusCode::kNotFound, StatusCode::kFailedPrecondition,
                                StatusCode::kPermissionDenied, StatusCode::kResourceExhausted,
                                StatusCode::kUnavailable, StatusCode::kInternal}) {
    if (HttpStatusFor(code) == response.status) return Status(code, std::move(message));
  }
  if (response.status / 100 == 4) return InvalidArgument(std::move(message));
  if (response.status == 502 || response.status == 504) return Unavailable(std::move(message));
  return Internal(std::move(message));
}

}  // namespace renkei::http
