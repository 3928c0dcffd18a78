#include "base/code.h"

#include <string>

#include <gtest/gtest.h>

namespace renkei {
namespace {

TEST(CodeTest, PlainCodesAreAsciiLettersDigitsDashAndUnderscoreUpToTheirLength) {
  EXPECT_TRUE(IsFacilityCode("1318158866"));
  EXPECT_TRUE(IsFacilityCode("test-facility_2"));
  EXPECT_TRUE(IsFacilityCode(std::string(20, '9')));
  EXPECT_FALSE(IsFacilityCode(std::string(21, '9')));
  EXPECT_FALSE(IsFacilityCode(""));
  for (const char* bad : {"13 18", "../x", "a/b", "a.b", "丸の内", "a\n", "x'--", "%41"}) {
    EXPECT_FALSE(IsFacilityCode(bad)) << bad;
  }
  EXPECT_TRUE(IsPlainCode("RK00000000307", kMaxRegionalIdCode));
  EXPECT_FALSE(IsPlainCode(std::string(41, 'R'), kMaxRegionalIdCode));
  EXPECT_FALSE(IsPlainCode(std::string_view("RK\0", 3), kMaxRegionalIdCode));
}

}  // namespace
}  // namespace renkei
