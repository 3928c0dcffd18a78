// Router: the table of a JSON API's routes, from "METHOD /pattern/{param}" to a handler.
//
// A pattern is a path whose segments are literals or parameters: "/v1/patients/{id}/links".
// A parameter matches one whole non-empty segment of the decoded path and is handed to the
// handler in Request::params. Matching is exact (no prefix matching, a trailing '/' matters).
// When several patterns match a path, the most specific one wins: the first segment where they
// differ is a literal in the winner ("/v1/patients/search" beats "/v1/patients/{id}").
//
// Dispatch answers, without calling any handler:
//   no pattern matches the path                   → 404, code not_found;
//   patterns match but none for the method        → 405, code invalid_argument, with an Allow
//                                                    header listing the methods that would do.
// A handler that throws gets a 500 with a generic message for the client and an
// http.handler_failed log line (method, route pattern, request ID, the exception's what()) —
// never the path, query or body, which can hold patient data; handlers must not put patient
// data in exception messages either.
//
// Thread-safety: build the table with Add() first, then Dispatch() may run concurrently on any
// number of threads (handlers must themselves be thread-safe).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/message.h"
#include "http/websocket.h"
#include "log/log.h"

namespace renkei::http {

using Handler = std::function<Response(Request& request)>;
// Decides on a WebSocket upgrade request: the handler of the new channel, or why not (answered
// as an HTTP error, e.g. 401 or 403, instead of upgrading).
using WebSocketAccept = std::function<StatusOr<std::shared_ptr<ChannelHandler>>(Request& request)>;

class Router {
 public:
  // `logger` receives the http.handler_failed lines; Logger::Null() drops them.
  explicit Router(std::shared_ptr<log::Logger> logger = log::Logger::Null());

  // Adds a route. `method` is matched exactly ("GET"), `pattern` as described above.
  // A route table is part of the program, not input: a pattern that does not begin with '/',
  // has an empty parameter name or a '{' or '}' outside a whole-segment parameter, repeats a
  // parameter name, or duplicates an existing route of the same method (same literals,
  // parameters in the same places), and a null handler, are bugs: Add throws
  // std::invalid_argument, so that the server cannot start with an ambiguous table.
  void Add(std::string_view method, std::string_view pattern, Handler handler);

  // Finds the route for request.method and request.path, fills request.params and
  // request.route, and returns what its handler returns (or the errors above).
  Response Dispatch(Request& request) const;

  // A WebSocket endpoint at `pattern`: an upgrade request there goes to `accept` (see
  // Upgrade); a plain GET gets 426 Upgrade Required. Same rules as Add for the pattern.
  void AddWebSocket(std::string_view pattern, WebSocketAccept accept);

  // For a request that asks for a WebSocket upgrade: the route's accept decision, or the error
  // response (404 or 405 as in Dispatch; 404 for a route that is not a WebSocket endpoint; 500
  // when accept throws).
  std::variant<std::shared_ptr<ChannelHandler>, Response> Upgrade(Request& request) const;

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool is_param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
    WebSocketAccept accept;  // set for a WebSocket endpoint
  };

  // The route for request.method and request.path, with request.params and .route filled; or
  // the 404 / 405 answer.
  std::variant<const Route*, Response> Match(Request& request) const;
  // call(), or a 500 (logged) when it throws.
  template <typename Call>
  auto Guarded(const Request& request, Call call) const -> decltype(call());

  std::shared_ptr<log::Logger> logger_;
  std::vector<Route> routes_;
};

}  // namespace renkei::http
