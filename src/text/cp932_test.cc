#include "text/cp932.h"

#include <gtest/gtest.h>

namespace renkei::text {
namespace {

TEST(Cp932Test, DecodesAsciiKanjiKanaAndNecExtensions) {
  // "患者,ｶﾝｼﾞｬ,①" in CP932, with a backslash that stays a backslash.
  const std::string bytes = "\x8a\xb3\x8e\xd2,\xb6\xdd\xbc\xde\xac,\x87\x40,a\\b~";
  auto text = DecodeCp932(bytes);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "患者,ｶﾝｼﾞｬ,①,a\\b~");
  // IBM extension kanji (髙 is 0xFB 0xFC in CP932).
  EXPECT_EQ(*DecodeCp932("\xfb\xfc\x8b\xb4"), "髙橋");
  EXPECT_EQ(*DecodeCp932(""), "");
}

TEST(Cp932Test, InvalidAndTruncatedSequencesNameTheirOffset) {
  auto bad = DecodeCp932("ab\x81\x20z");  // lead byte with a space for its trail
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("byte 2: invalid CP932 sequence 0x81"), std::string::npos)
      << bad.status().message();
  auto truncated = DecodeCp932("abc\x82");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("byte 3: truncated CP932 sequence 0x82"), std::string::npos)
      << truncated.status().message();
  auto unmapped = DecodeCp932("\xa0");  // 0xA0 is not a CP932 character
  ASSERT_FALSE(unmapped.ok());
  EXPECT_NE(unmapped.status().message().find("byte 0:"), std::string::npos) << unmapped.status().message();
}

}  // namespace
}  // namespace renkei::text
