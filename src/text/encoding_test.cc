#include "text/encoding.h"

#include <gtest/gtest.h>

namespace renkei::text {
namespace {

TEST(EncodingTest, Utf8WithAndWithoutBomSplitsLinesAndKeepsOffsets) {
  DecodedFile f = DecodeLines("\xEF\xBB\xBFkind,name\r\npatient,患者\nlast", Encoding::kAuto);
  EXPECT_EQ(f.encoding, Encoding::kUtf8);
  EXPECT_TRUE(f.bom);
  ASSERT_EQ(f.lines.size(), 3u);
  EXPECT_EQ(f.lines[0].text, "kind,name");
  EXPECT_EQ(f.lines[0].offset, 3u);
  EXPECT_EQ(f.lines[0].length, 11u);
  EXPECT_EQ(f.lines[1].text, "patient,患者");
  EXPECT_EQ(f.lines[1].number, 2);
  EXPECT_EQ(f.lines[2].text, "last");
  EXPECT_TRUE(f.lines[2].error.empty());
  DecodedFile plain = DecodeLines("a\nb\n", Encoding::kAuto);
  EXPECT_FALSE(plain.bom);
  EXPECT_EQ(plain.lines.size(), 2u) << "no line after the final line ending";
}

TEST(EncodingTest, DetectsCp932AndDecodesIt) {
  // "kind,kanji_name\npatient,患者 太郎" in CP932.
  DecodedFile f = DecodeLines("kind,kanji_name\npatient,\x8a\xb3\x8e\xd2 \x91\xbe\x98\x59\n", Encoding::kAuto);
  EXPECT_EQ(f.encoding, Encoding::kCp932);
  ASSERT_EQ(f.lines.size(), 2u);
  EXPECT_EQ(f.lines[1].text, "patient,患者 太郎");
}

TEST(EncodingTest, AnInvalidLineKeepsItsPlaceItsAsciiAndItsError) {
  DecodedFile f = DecodeLines("kind,name\npatient,\"a\xFF\",x\nvisit,ok\n", Encoding::kUtf8);
  ASSERT_EQ(f.lines.size(), 3u);
  EXPECT_EQ(f.lines[1].error, "byte 10: invalid UTF-8: invalid byte 0xFF");
  EXPECT_EQ(f.lines[1].text, "patient,\"a\xEF\xBF\xBD\",x");
  EXPECT_TRUE(f.lines[2].error.empty());
  DecodedFile sjis = DecodeLines("a,b\nc,\x81\n", Encoding::kCp932);
  EXPECT_NE(sjis.lines[1].error.find("byte 2: truncated CP932 sequence 0x81"), std::string::npos) << sjis.lines[1].error;
}

TEST(EncodingTest, AUtf8FileWithOneBadByteStaysUtf8) {
  DecodedFile f = DecodeLines("患者,太郎\n花子,\xFF\n次郎,三郎\n", Encoding::kAuto);
  EXPECT_EQ(f.encoding, Encoding::kUtf8);
  EXPECT_TRUE(f.lines[0].error.empty());
  EXPECT_FALSE(f.lines[1].error.empty());
}

TEST(EncodingTest, NamesParse) {
  EXPECT_EQ(EncodingFromName("Shift_JIS"), Encoding::kCp932);
  EXPECT_EQ(EncodingFromName("UTF8"), Encoding::kUtf8);
  EXPECT_EQ(EncodingFromName("auto"), Encoding::kAuto);
  EXPECT_FALSE(EncodingFromName("latin1").has_value());
  EXPECT_EQ(EncodingName(Encoding::kCp932), "cp932");
}

}  // namespace
}  // namespace renkei::text
