// Dates and times of the synthetic region, as day numbers and milliseconds, and their
// HL7 / SS-MIX2 spellings. No wall clock: every moment is computed from the seed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::gen {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int year, int month, int day);

struct CivilDate {
  int year = 1970;
  int month = 1;
  int day = 1;
};
CivilDate CivilFromDays(int64_t days);

// Parses "YYYYMMDD" or "YYYY-MM-DD" into a day number. InvalidArgument names the problem.
StatusOr<int64_t> ParseDay(std::string_view text);

// A moment: milliseconds since 1970-01-01T00:00 local (Japan) time.
using Moment = int64_t;
constexpr int64_t kMsPerDay = 86'400'000;
constexpr Moment MomentOf(int64_t day, int hour, int minute, int second = 0, int ms = 0) {
  return day * kMsPerDay + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}
constexpr int64_t DayOf(Moment m) { return m >= 0 ? m / kMsPerDay : (m - kMsPerDay + 1) / kMsPerDay; }

std::string Yyyymmdd(int64_t day);                // "20261031"
std::string IsoDate(int64_t day);                 // "2026-10-31"
std::string JapaneseDate(int64_t day);            // "2026年10月31日"
std::string Hl7Minutes(Moment m);                 // "202610311405"   (DTM to the minute)
std::string Hl7Seconds(Moment m);                 // "20261031140501" (DTM to the second)
std::string Hl7Millis(Moment m);                  // "20261031140501.123"
std::string Timestamp17(Moment m);                // "20261031140501123" (SS-MIX2 file name)

// Whole years between a birth day and a day (the age on that day).
int AgeOn(int64_t birth_day, int64_t day);

}  // namespace renkei::gen
