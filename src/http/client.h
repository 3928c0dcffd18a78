// A blocking HTTP/1.1 client for the CLI and for tests: http:// and https://host[:port]/path?query
// URLs, one request at a time, every step bounded by a timeout.
//
// https:// needs the TLS context the Client was made with (pki/tls.h ClientContext: the CA
// that the server's certificate must chain to, and the client's own certificate, if any); the
// server's certificate must name the URL's host.
//
// Fetch() makes one request on a fresh connection. A Client keeps its connection open between
// requests to the same host and port (keep-alive) and reconnects when the server has closed it
// in the meantime. It does not resend a request whose connection broke mid-exchange (a POST
// may have been acted on): that request gets kUnavailable.
//
// Errors (StatusOr's status):
//   kInvalidArgument   — a bad URL (not http:// or https://, https:// without a TLS context, a
//                        bad host or port, a space, control or non-ASCII byte that should have
//                        been percent-encoded, see target.h's PercentEncode), a bad method or
//                        header (a name that is not a token, a value with CR, LF or NUL), a
//                        timeout that is not positive;
//   kUnavailable       — "cannot resolve <host>: ...", "cannot connect to 127.0.0.1:9: Connection
//                        refused", "TLS handshake with 127.0.0.1:8443 failed: certificate verify
//                        failed", "... timed out after 2 s" when the deadline passes (connect,
//                        send and receive share one deadline; resolving a host name, done by
//                        the system resolver, is not bounded by it), the connection breaking,
//                        or a response that is not HTTP;
//   kResourceExhausted — a response whose header or body exceeds the client's limits
//                        (64 KiB, 64 MiB).
// Any HTTP status, 4xx and 5xx included, is a successful Fetch: see ResponseStatus() to turn
// it into a Status.
//
// Thread-compatible: one Client per thread (or guard it); Fetch() is thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace boost::asio::ssl {
class context;
}

namespace renkei::http {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names; repeated ones joined by ", "
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class Client {
 public:
  // `tls` is needed for https:// URLs only.
  explicit Client(std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `method` to `url` with `body` (and, when the body is not empty, `content_type`) plus
  // `headers`, and returns the response. See above for errors.
  StatusOr<ClientResponse> Fetch(std::string_view method, std::string_view url, std::string_view body = {},
                                 std::string_view content_type = "application/json",
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30),
                                 const HeaderList& headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Client().Fetch(...): one request on a connection of its own.
StatusOr<ClientResponse> Fetch(std::string_view method, std::string_view url, std::string_view body = {},
                               std::string_view content_type = "application/json",
                               std::chrono::milliseconds timeout = std::chrono::seconds(30),
                               const HeaderList& headers = {});

// OK for a 2xx response. Otherwise the error a Renkei server sent (message.h's Error body:
// its code and message), or, for a body of another shape (a proxy's error page), the message
// "HTTP <status>" (the body left out) with the code HttpStatusFor maps to that status (409 →
// failed_precondition), or when none does: invalid_argument for another 4xx, unavailable for
// 502 and 504, internal for anything else.
Status ResponseStatus(const ClientResponse& response);

}  // namespace renkei::http
