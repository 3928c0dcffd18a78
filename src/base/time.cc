#include "base/time.h"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

namespace renkei {

std::string NowUtcIso8601() { return UtcIso8601(NowUnixMs()); }

std::string UtcIso8601(int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
  const int64_t ms = unix_ms - static_cast<int64_t>(secs) * 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

StatusOr<int64_t> ParseUtcIso8601(std::string_view t) {
  const auto bad = [] { return InvalidArgument("a time is YYYY-MM-DDTHH:MM:SS[.fff]Z (UTC)"); };
  if (t.size() != 20 && t.size() != 24) return bad();
  const auto digits = [&](size_t at, size_t n, int& out) {
    out = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  int year, month, day, hour, minute, second, ms = 0;
  if (!digits(0, 4, year) || t[4] != '-' || !digits(5, 2, month) || t[7] != '-' || !digits(8, 2, day) || t[10] != 'T' ||
      !digits(11, 2, hour) || t[13] != ':' || !digits(14, 2, minute) || t[16] != ':' || !digits(17, 2, second) ||
      t.back() != 'Z' || (t.size() == 24 && (t[19] != '.' || !digits(20, 3, ms)))) {
    return bad();
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return bad();
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t secs = timegm(&tm);
  if (tm.tm_mday != day) return bad();  // 2026-02-30 rolled over
  return static_cast<int64_t>(secs) * 1000 + ms;
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace renkei
