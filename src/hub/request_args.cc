#include "hub/request_args.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace renkei::hub {

StatusOr<std::string> StringMember(const nlohmann::json& body, const char* name, bool required) {
  if (!body.contains(name) || body[name].is_null()) {
    if (required) return InvalidArgument(fmt::format("'{}' is required", name));
    return std::string();
  }
  if (!body[name].is_string()) return InvalidArgument(fmt::format("'{}' must be a string", name));
  return body[name].get<std::string>();
}

Status OnlyMembers(const nlohmann::json& body, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return InvalidArgument(fmt::format("unknown member '{}'", key.substr(0, 40)));
    }
  }
  return Status::Ok();
}

StatusOr<int64_t> Number(std::string_view name, std::string_view text, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v < min || v > max) {
    return InvalidArgument(fmt::format("{} must be a whole number from {} to {}", name, min, max));
  }
  return v;
}

StatusOr<int64_t> OptionalNumber(const http::Request& r, std::string_view name, int64_t fallback, int64_t min,
                                 int64_t max) {
  auto v = r.Query1(name);
  if (!v) return fallback;
  return Number(name, *v, min, max);
}

StatusOr<bool> OptionalBool(const http::Request& r, std::string_view name, bool fallback) {
  auto v = r.Query1(name);
  if (!v) return fallback;
  if (*v != "true" && *v != "false") return InvalidArgument(fmt::format("{} must be true or false", name));
  return *v == "true";
}

std::vector<std::string> QueryValues(const http::Request& r, std::string_view name) {
  std::vector<std::string> out;
  for (auto [it, end] = r.query.equal_range(std::string(name)); it != end; ++it) out.push_back(it->second);
  return out;
}

}  // namespace renkei::hub
