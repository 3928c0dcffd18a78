// HTTP messages as Renkei's JSON API sees them: the Request a handler receives, the Response
// it returns, and the helpers that build JSON responses and read JSON request bodies.
//
// Every error a handler or the server answers with goes through Error(), so the mapping from
// a Status to an HTTP status code lives in one place (HttpStatusFor) and every error body has
// one shape: {"error":{"code":"invalid_argument","message":"..."}}, `code` being the
// StatusCodeName. The client side (client.h) reads that shape back into a Status.
//
// Plain value types; thread-compatible.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "pki/identity.h"

namespace renkei::http {

struct Request {
  std::string method;  // as sent, e.g. "GET", "POST" (methods are case-sensitive)
  // The percent-decoded path without the query, e.g. "/v1/patients/123" (see target.h for
  // what a path may hold: UTF-8, no control characters, no encoded '/', no dot segments).
  std::string path;
  std::multimap<std::string, std::string> query;  // decoded query parameters, in order per name
  // Header names in lower case; a header sent several times has its values joined by ", ".
  std::map<std::string, std::string> headers;
  std::string body;
  std::string remote;  // the peer's address, "127.0.0.1:53422" or "[::1]:53422"
  // Over TLS, who the client's certificate names (verified by the server's TLS context, see
  // pki/tls.h); nullopt over plain HTTP or without a client certificate.
  std::optional<pki::Identity> peer;
  // Filled by the Router: the path parameters ({"id", "123"} for "/v1/patients/{id}") and the
  // pattern of the route that matched ("/v1/patients/{id}"; empty when none did). The pattern,
  // unlike the path, holds no patient data and is what the server logs.
  std::map<std::string, std::string> params;
  std::string route;
  // Set by the server: "<connection>-<request on it>", e.g. "12-3", unique for the server's
  // life; it is in the server's log line for the request, for handlers to log with theirs.
  std::string id;

  // The first value of query parameter `name`, nullopt when absent.
  std::optional<std::string> Query1(std::string_view name) const;
  // The value of header `lower_case_name`, nullopt when absent.
  std::optional<std::string> Header(std::string_view lower_case_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra response headers. Content-Type, Content-Length and Connection are the server's;
  // a name or value holding CR, LF or NUL makes the server answer 500 instead (header
  // injection), see server.h.
  std::vector<std::pair<std::string, std::string>> headers;
};

// The HTTP status for an error code, the one place where Renkei's codes meet HTTP's:
//   invalid_argument → 400, not_found → 404, already_exists → 409, failed_precondition → 409,
//   permission_denied → 403, resource_exhausted → 413 (Renkei uses it for size limits: a body,
//   a batch, a page too large; there is no rate limiting that would call for 429),
//   unavailable → 503, everything else (data_loss, internal, and ok, which is not an error) → 500.
int HttpStatusFor(StatusCode code);

// A response with `body` serialised as JSON (invalid UTF-8 in strings is replaced by U+FFFD,
// never thrown about).
Response Json(int status, const nlohmann::json& body);

// The error response for `status`: HttpStatusFor(status.code()) and
// {"error":{"code":"<StatusCodeName>","message":"<status.message()>"}}. An OK status is a bug
// in the caller: it gives a 500 with code "internal".
Response Error(const Status& status);

// The same body with an HTTP status the mapping does not produce (405, 408, 431...).
Response Error(int http_status, const Status& status);

// Parses the request body as a JSON object. InvalidArgument when:
//   the Content-Type is not application/json (parameters such as charset are allowed);
//   the body is empty;
//   the body is not JSON: "... at line L, column C (byte B)", B counting from 1;
//   the JSON is not an object ("... not an array").
StatusOr<nlohmann::json> JsonBody(const Request& request);

}  // namespace renkei::http
