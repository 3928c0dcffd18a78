// Wall-clock time as text, for stored and logged timestamps, and as Unix milliseconds.
#pragma once

#include <cstdint>
#include <string>

namespace renkei {

// The current UTC time as ISO 8601 with milliseconds, e.g. "2026-11-21T05:59:01.123Z".
std::string NowUtcIso8601();

// The current time in milliseconds since the Unix epoch.
int64_t NowUnixMs();

}  // namespace renkei
