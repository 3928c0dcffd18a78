#include "http/message.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace renkei::http {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view JsonTypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::null: return "null";
    default: return "a number";
  }
}

}  // namespace

std::optional<std::string> Request::Query1(std::string_view name) const {
  const auto found = query.find(std::string(name));
  if (found == query.end()) return std::nullopt;
  return found->second;
}

std::optional<std::string> Request::Header(std::string_view lower_case_name) const {
  const auto found = headers.find(std::string(lower_case_name));
  if (found == headers.end()) return std::nullopt;
  return found->second;
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kResourceExhausted: return 413;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kOk:
    case StatusCode::kDataLoss:
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

Response Json(int status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response Error(const Status& status) { return Error(HttpStatusFor(status.code()), status); }

Response Error(int http_status, const Status& status) {
  if (status.ok()) return Error(Internal("an error response was made from an OK status"));
  return Json(http_status, {{"error", {{"code", StatusCodeName(status.code())}, {"message", status.message()}}}});
}

StatusOr<nlohmann::json> JsonBody(const Request& request) {
  const std::optional<std::string> content_type = request.Header("content-type");
  const std::string_view media_type =
      content_type ? Trim(std::string_view(*content_type).substr(0, content_type->find(';'))) : std::string_view();
  if (!EqualsIgnoringCase(media_type, "application/json")) {
    return InvalidArgument("the request body must be sent with Content-Type application/json");
  }
  if (request.body.empty()) return InvalidArgument("the request body is empty; a JSON object is expected");
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& e) {
    // Our own words, not e.what(): that quotes the body, which can hold patient data.
    const size_t end = std::min<size_t>(e.byte == 0 ? 0 : e.byte - 1, request.body.size());
    const std::string_view before = std::string_view(request.body).substr(0, end);
    const size_t line = 1 + std::count(before.begin(), before.end(), '\n');
    const size_t last_newline = before.rfind('\n');
    const size_t column = last_newline == std::string_view::npos ? end + 1 : end - last_newline;
    return InvalidArgument(
        fmt::format("the request body is not valid JSON at line {}, column {} (byte {})", line, column, e.byte));
  }
  if (!body.is_object()) {
    return InvalidArgument(fmt::format("the request body must be a JSON object, not {}", JsonTypeName(body)));
  }
  return body;
}

}  // namespace renkei::http
