#include "http/router.h"

#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace renkei::http {
namespace {

// The segments of a path or pattern that begins with '/': "/a/b" → {"a", "b"}, "/" → {""}.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t begin = 1;
  for (;;) {
    const size_t slash = path.find('/', begin);
    segments.push_back(path.substr(begin, slash == std::string_view::npos ? std::string_view::npos : slash - begin));
    if (slash == std::string_view::npos) return segments;
    begin = slash + 1;
  }
}

}  // namespace

Router::Router(std::shared_ptr<log::Logger> logger) : logger_(std::move(logger)) {
  if (!logger_) logger_ = log::Logger::Null();
}

void Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  const auto bad = [&](std::string_view why) {
    return std::invalid_argument(fmt::format("http route {} {}: {}", method, pattern, why));
  };
  if (method.empty()) throw bad("no method");
  if (!handler) throw bad("no handler");
  if (pattern.empty() || pattern[0] != '/') throw bad("the pattern must begin with '/'");
  Route route{std::string(method), std::string(pattern), {}, std::move(handler), {}};
  std::set<std::string_view> names;
  for (const std::string_view text : SplitPath(pattern)) {
    Segment segment{std::string(text), false};
    if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
      segment = {std::string(text.substr(1, text.size() - 2)), true};
      if (segment.text.empty()) throw bad("a parameter without a name");
      if (!names.insert(text).second) throw bad(fmt::format("parameter {} appears twice", text));
    }
    if (segment.text.find_first_of("{}") != std::string::npos) {
      throw bad("'{' and '}' may only enclose a whole segment's parameter name");
    }
    route.segments.push_back(std::move(segment));
  }
  for (const Route& other : routes_) {
    if (other.method != route.method || other.segments.size() != route.segments.size()) continue;
    bool same_shape = true;
    for (size_t i = 0; i < route.segments.size() && same_shape; ++i) {
      const Segment& a = route.segments[i];
      const Segment& b = other.segments[i];
      same_shape = a.is_param == b.is_param && (a.is_param || a.text == b.text);
    }
    if (same_shape) throw bad(fmt::format("the same route as {} {}", other.method, other.pattern));
  }
  routes_.push_back(std::move(route));
}

std::variant<const Router::Route*, Response> Router::Match(Request& request) const {
  const std::vector<std::string_view> path = SplitPath(request.path);
  const auto matches = [&](const Route& route) {
    if (route.segments.size() != path.size()) return false;
    for (size_t i = 0; i < path.size(); ++i) {
      const Segment& segment = route.segments[i];
      if (segment.is_param ? path[i].empty() : segment.text != path[i]) return false;
    }
    return true;
  };
  // Whether `a` is more specific than `b` (both match the same path, so same length).
  const auto more_specific = [](const Route& a, const Route& b) {
    for (size_t i = 0; i < a.segments.size(); ++i) {
      if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
    }
    return false;
  };

  const Route* best = nullptr;
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    if (!matches(route)) continue;
    if (route.method != request.method) {
      allowed.insert(route.method);
    } else if (best == nullptr || more_specific(route, *best)) {
      best = &route;
    }
  }
  if (best == nullptr) {
    if (allowed.empty()) return Error(NotFound("no route matches the path"));
    const std::string allow = fmt::format("{}", fmt::join(allowed, ", "));
    Response response =
        Error(405, InvalidArgument(fmt::format("method {} is not allowed here; allowed: {}", request.method, allow)));
    response.headers.emplace_back("Allow", allow);
    return response;
  }

  request.route = best->pattern;
  request.params.clear();
  for (size_t i = 0; i < path.size(); ++i) {
    if (best->segments[i].is_param) request.params[best->segments[i].text] = std::string(path[i]);
  }
  return best;
}

template <typename Call>
auto Router::Guarded(const Request& request, Call call) const -> decltype(call()) {
  std::string failure;
  try {
    return call();
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "an exception not derived from std::exception";
  }
  logger_->Error("http.handler_failed",
                 {{"request", request.id}, {"method", request.method}, {"route", request.route}, {"error", failure}});
  return Error(Internal("the server failed to handle the request"));
}

Response Router::Dispatch(Request& request) const {
  auto match = Match(request);
  if (Response* answer = std::get_if<Response>(&match)) return std::move(*answer);
  const Route& route = *std::get<const Route*>(match);
  return Guarded(request, [&] { return route.handler(request); });
}

void Router::AddWebSocket(std::string_view pattern, WebSocketAccept accept) {
  if (!accept) throw std::invalid_argument(fmt::format("http websocket route {}: no handler", pattern));
  Add("GET", pattern, [](Request&) {
    Response r = Error(426, InvalidArgument("this is a WebSocket endpoint: send an upgrade request"));
    r.headers.emplace_back("Upgrade", "websocket");
    return r;
  });
  routes_.back().accept = std::move(accept);
}

std::variant<std::shared_ptr<ChannelHandler>, Response> Router::Upgrade(Request& request) const {
  auto match = Match(request);
  if (Response* answer = std::get_if<Response>(&match)) return std::move(*answer);
  const Route& route = *std::get<const Route*>(match);
  if (!route.accept) return Error(NotFound("no WebSocket endpoint at this path"));
  return Guarded(request, [&]() -> std::variant<std::shared_ptr<ChannelHandler>, Response> {
    StatusOr<std::shared_ptr<ChannelHandler>> handler = route.accept(request);
    if (!handler.ok()) return Error(handler.status());
    return std::move(handler).value();
  });
}

}  // namespace renkei::http
