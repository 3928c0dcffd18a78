// What the hub's routes read from a request, checked the same way on every route (api.cc,
// service_api.cc): a JSON body's string members, and whole numbers in paths and queries. Every
// error is InvalidArgument naming the argument. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "http/message.h"

namespace renkei::hub {

// The string member `name` of `body`: "'<name>' is required" when absent or null (unless not
// `required`: ""), "'<name>' must be a string" for another type.
StatusOr<std::string> StringMember(const nlohmann::json& body, const char* name, bool required = true);
// Every member of object `body` is one of `known`: "unknown member '<name>'" otherwise.
Status OnlyMembers(const nlohmann::json& body, std::initializer_list<std::string_view> known);
// `text` as a whole number from `min` to `max`: "<name> must be a whole number from <min> to <max>".
StatusOr<int64_t> Number(std::string_view name, std::string_view text, int64_t min, int64_t max);
// Query parameter `name` as Number, or `fallback` when absent.
StatusOr<int64_t> OptionalNumber(const http::Request& r, std::string_view name, int64_t fallback, int64_t min, int64_t max);
// Query parameter `name` as "true" or "false", or `fallback` when absent: "<name> must be true or false".
StatusOr<bool> OptionalBool(const http::Request& r, std::string_view name, bool fallback);
// Every value of query parameter `name`, in order ("?type=a&type=b").
std::vector<std::string> QueryValues(const http::Request& r, std::string_view name);

}  // namespace renkei::hub
