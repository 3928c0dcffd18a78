#include "gen/calendar.h"

#include <fmt/compile.h>
#include <fmt/format.h>

namespace renkei::gen {

int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

StatusOr<int64_t> ParseDay(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c != '-') digits.push_back(c);
  }
  const bool dashed = text.size() == 10 && text[4] == '-' && text[7] == '-';
  if (digits.size() != 8 || (text.size() != 8 && !dashed) ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgument(fmt::format("'{}' is not a date YYYY-MM-DD or YYYYMMDD", text));
  }
  const int y = std::stoi(digits.substr(0, 4)), m = std::stoi(digits.substr(4, 2)), d = std::stoi(digits.substr(6, 2));
  const int64_t day = DaysFromCivil(y, m, d);
  const CivilDate back = CivilFromDays(day);
  if (y < 1900 || y > 2999 || back.year != y || back.month != m || back.day != d) {
    return InvalidArgument(fmt::format("'{}' is not a calendar date between 1900 and 2999", text));
  }
  return day;
}

std::string Yyyymmdd(int64_t day) {
  CivilDate c = CivilFromDays(day);
  return fmt::format(FMT_COMPILE("{:04}{:02}{:02}"), c.year, c.month, c.day);  // compiled: a person's hot path
}

std::string IsoDate(int64_t day) {
  CivilDate c = CivilFromDays(day);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::string JapaneseDate(int64_t day) {
  CivilDate c = CivilFromDays(day);
  return fmt::format("{}年{}月{}日", c.year, c.month, c.day);
}

namespace {
struct Clock {
  int hour, minute, second, ms;
};
Clock ClockOf(Moment m) {
  int64_t r = m - DayOf(m) * kMsPerDay;
  return {static_cast<int>(r / 3'600'000), static_cast<int>(r / 60'000 % 60), static_cast<int>(r / 1000 % 60),
          static_cast<int>(r % 1000)};
}
}  // namespace

std::string Hl7Minutes(Moment m) {
  Clock c = ClockOf(m);
  return fmt::format("{}{:02}{:02}", Yyyymmdd(DayOf(m)), c.hour, c.minute);
}

std::string Hl7Seconds(Moment m) {
  Clock c = ClockOf(m);
  return fmt::format("{}{:02}{:02}{:02}", Yyyymmdd(DayOf(m)), c.hour, c.minute, c.second);
}

std::string Hl7Millis(Moment m) { return fmt::format("{}.{:03}", Hl7Seconds(m), ClockOf(m).ms); }

std::string Timestamp17(Moment m) { return fmt::format("{}{:03}", Hl7Seconds(m), ClockOf(m).ms); }

int AgeOn(int64_t birth_day, int64_t day) {
  CivilDate b = CivilFromDays(birth_day), d = CivilFromDays(day);
  int age = d.year - b.year;
  if (d.month < b.month || (d.month == b.month && d.day < b.day)) --age;
  return age;
}

}  // namespace renkei::gen
