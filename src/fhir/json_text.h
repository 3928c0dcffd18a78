// Untrusted JSON text (an uploaded FHIR Bundle) into a json value, with precise errors and a
// bound on nesting, so that hostile input is refused before it can exhaust the stack. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace renkei::fhir {

// Parses `text`. Errors (kInvalidArgument): "not JSON: parse error at line 3, column 5: ..."
// (nlohmann's description of what was expected), "nesting deeper than 64 levels at line L,
// column C" (counted before parsing: objects and arrays inside strings do not count).
StatusOr<nlohmann::json> ParseJsonText(std::string_view text, size_t max_depth);

// The string member `key` of `obj`; "" when `obj` is not an object or the member is absent or
// not a string. For reading untrusted JSON without exceptions.
std::string JsonText(const nlohmann::json& obj, std::string_view key);

// A JSON pointer (RFC 6901) token: '~' → "~0", '/' → "~1".
std::string PointerToken(std::string_view key);

}  // namespace renkei::fhir
