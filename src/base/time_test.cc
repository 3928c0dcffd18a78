#include "base/time.h"

#include <regex>

#include <gtest/gtest.h>

namespace renkei {
namespace {

TEST(TimeTest, NowIsIso8601UtcWithMilliseconds) {
  const std::string now = NowUtcIso8601();
  EXPECT_TRUE(std::regex_match(now, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)"))) << now;
  EXPECT_GE(now, "2024-01-01T00:00:00.000Z");
  EXPECT_LE(now, NowUtcIso8601());  // text order is time order
}

}  // namespace
}  // namespace renkei

namespace renkei {
namespace {

int64_t Parsed(std::string_view text) {
  auto ms = ParseUtcIso8601(text);
  return ms.ok() ? *ms : -1;
}

TEST(TimeTest, MillisecondsRoundTripThroughIso8601AndMalformedTimesAreRefused) {
  EXPECT_EQ(UtcIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(UtcIso8601(1'800'000'000'123), "2027-01-15T08:00:00.123Z");
  EXPECT_EQ(Parsed("2027-01-15T08:00:00.123Z"), 1'800'000'000'123);
  EXPECT_EQ(Parsed("2027-01-15T08:00:00Z"), 1'800'000'000'000);
  const int64_t now = NowUnixMs();
  EXPECT_EQ(Parsed(UtcIso8601(now)), now);
  for (const char* bad : {"", "2027-01-15", "2027-01-15T08:00:00", "2027-01-15T08:00:00+09:00", "2027-02-30T00:00:00Z",
                          "2027-13-01T00:00:00Z", "2027-01-15T24:00:00Z", "２０２７-01-15T08:00:00Z", "2027-01-15T08:00:00.12Z"}) {
    EXPECT_FALSE(ParseUtcIso8601(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace renkei
