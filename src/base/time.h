// Wall-clock time as text, for stored and logged timestamps.
#pragma once

#include <string>

namespace renkei {

// The current UTC time as ISO 8601 with milliseconds, e.g. "2026-11-21T05:59:01.123Z".
std::string NowUtcIso8601();

}  // namespace renkei
