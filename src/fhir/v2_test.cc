#include "fhir/v2.h"

#include <gtest/gtest.h>

namespace renkei::fhir::v2 {
namespace {

TEST(V2Test, DateTimesKeepTheirPrecisionAndDefaultToJapanTime) {
  EXPECT_EQ(DateTime("2011"), "2011");
  EXPECT_EQ(DateTime("201107"), "2011-07");
  EXPECT_EQ(DateTime("20110701"), "2011-07-01");
  EXPECT_EQ(DateTime("2011070108"), "2011-07-01T08:00:00+09:00");
  EXPECT_EQ(DateTime("201107010830"), "2011-07-01T08:30:00+09:00");
  EXPECT_EQ(DateTime("20110701113813.225"), "2011-07-01T11:38:13.225+09:00");
  EXPECT_EQ(DateTime("20110701113813-0500"), "2011-07-01T11:38:13-05:00");
}

TEST(V2Test, MalformedDateTimesYieldNothing) {
  for (const char* bad : {"", "2011070112345", "20111301", "20110230", "2011-07-01", "20110701246000",
                          "20110701113813.", "20110701113813.12345", "20110701113813+09", "abcd", "17000101"}) {
    EXPECT_FALSE(DateTime(bad).has_value()) << bad;
    EXPECT_FALSE(SortKey(bad).has_value()) << bad;
  }
  EXPECT_EQ(DateTime("20240229"), "2024-02-29");
  EXPECT_FALSE(DateTime("20230229").has_value());
}

TEST(V2Test, SortKeysOrderAsText) {
  EXPECT_EQ(SortKey("20110701"), "20110701000000");
  EXPECT_EQ(SortKey("2011"), "20110101000000");
  EXPECT_EQ(SortKey("201107010830"), "20110701083000");
  EXPECT_LT(*SortKey("20110701"), *SortKey("201107010001"));
}

TEST(V2Test, DecimalsAcceptNumbersOnly) {
  EXPECT_EQ(Decimal("7.2"), 7.2);
  EXPECT_EQ(Decimal("-14"), -14);
  EXPECT_EQ(Decimal("+3"), 3);
  for (const char* bad : {"", "abc", "1.2.3", "7.2 ", "nan", "inf", "1e999"}) EXPECT_FALSE(Decimal(bad).has_value()) << bad;
}

}  // namespace
}  // namespace renkei::fhir::v2
