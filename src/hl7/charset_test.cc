#include "hl7/charset.h"

#include <gtest/gtest.h>

namespace renkei::hl7 {
namespace {

const std::string kMsh = "MSH|^~\\&|A|B|C|D|20111220||ADT^A08^ADT_A01|1|P|2.5||||||";

TEST(CharsetTest, ReadsMsh18InTheFormsSendersWrite) {
  EXPECT_TRUE(ReadDeclaredCharsets(kMsh + "~ISO IR87\r").jis_x0208);
  EXPECT_TRUE(ReadDeclaredCharsets(kMsh + "~ISOIR87\r").jis_x0208);
  EXPECT_TRUE(ReadDeclaredCharsets(kMsh + "~iso ir87|ISO 2022-1994\r").jis_x0208);
  DeclaredCharsets both = ReadDeclaredCharsets(kMsh + "~ISO IR87~ISO IR13\r");
  EXPECT_TRUE(both.jis_x0208 && both.jis_x0201_katakana);
  EXPECT_TRUE(ReadDeclaredCharsets(kMsh + "UNICODE UTF-8\r").utf8);
  DeclaredCharsets none = ReadDeclaredCharsets(kMsh + "\r");
  EXPECT_FALSE(none.jis_x0208 || none.jis_x0201_katakana || none.utf8);
  // MSH-18 is the 18th field: a value in MSH-17 or MSH-19 is not read as MSH-18.
  EXPECT_FALSE(ReadDeclaredCharsets("MSH|^~\\&|A|B|C|D|E||ADT^A08|1|P|2.5|||||~ISO IR87|\r").jis_x0208);
  EXPECT_FALSE(ReadDeclaredCharsets("MSH|^~\\&|A|B|C|D|E||ADT^A08|1|P|2.5|||||||~ISO IR87\r").jis_x0208);
  EXPECT_FALSE(ReadDeclaredCharsets("PID|1\r").jis_x0208);
  EXPECT_FALSE(ReadDeclaredCharsets("").utf8);
}

TEST(CharsetTest, DecodesDeclaredJapaneseAndRejectsWhatIsNotDeclared) {
  // 患者 in JIS X 0208 is 0x3435 0x3C54.
  const std::string kanji = "PID|1||1||\x1b$B45<T\x1b(B\r";
  auto ok = DecodeMessageText(kMsh + "~ISO IR87\r" + kanji);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_NE(ok->find("患者"), std::string::npos);

  auto undeclared = DecodeMessageText(kMsh + "\r" + kanji);
  EXPECT_EQ(undeclared.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(undeclared.status().message().find("does not declare ISO IR87"), std::string::npos);

  // Half-width katakana (ESC ( I) needs ISO IR13.
  const std::string kana = "PID|1||1||\x1b(I6]\x1b(B\r";
  EXPECT_EQ(DecodeMessageText(kMsh + "~ISO IR87\r" + kana).status().code(), StatusCode::kFailedPrecondition);
  auto declared = DecodeMessageText(kMsh + "~ISO IR87~ISO IR13\r" + kana);
  ASSERT_TRUE(declared.ok()) << declared.status().ToString();
  EXPECT_NE(declared->find("ｶﾝ"), std::string::npos);
}

TEST(CharsetTest, Utf8OnlyWhenDeclared) {
  const std::string utf8 = "PID|1||1||患者\r";
  auto ok = DecodeMessageText(kMsh + "UNICODE UTF-8\r" + utf8);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_NE(ok->find("患者"), std::string::npos);
  EXPECT_EQ(DecodeMessageText(kMsh + "\r" + utf8).status().code(), StatusCode::kInvalidArgument);
  // Declared UTF-8 but not valid UTF-8: an error with the offset.
  auto bad = DecodeMessageText(kMsh + "UNICODE UTF-8\rPID|1\xff\r");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("byte"), std::string::npos);
}

}  // namespace
}  // namespace renkei::hl7
