// Wall-clock time as text, for stored and logged timestamps, and as Unix milliseconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei {

// The current UTC time as ISO 8601 with milliseconds, e.g. "2026-11-21T05:59:01.123Z".
std::string NowUtcIso8601();
// `unix_ms` (milliseconds since the Unix epoch) in the same form.
std::string UtcIso8601(int64_t unix_ms);
// The inverse, for times callers send: "YYYY-MM-DDTHH:MM:SS" with optional ".fff" and a "Z"
// (UTC only). InvalidArgument for anything else.
StatusOr<int64_t> ParseUtcIso8601(std::string_view text);

// The current time in milliseconds since the Unix epoch.
int64_t NowUnixMs();

}  // namespace renkei
