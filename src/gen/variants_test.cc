#include "gen/variants.h"

#include <gtest/gtest.h>

#include <set>

#include "text/iso2022jp.h"

namespace renkei::gen {
namespace {

std::set<std::string> AllChoices(std::optional<std::string> (*f)(std::string_view, uint64_t), std::string_view in) {
  std::set<std::string> out;
  for (uint64_t c = 0; c < 16; ++c) {
    if (auto v = f(in, c)) out.insert(*v);
  }
  return out;
}

TEST(KanjiFormVariant, WritesOldAndVariantFormsBothWays) {
  EXPECT_EQ(AllChoices(KanjiFormVariant, "高橋"), (std::set<std::string>{"髙橋"}));
  EXPECT_EQ(AllChoices(KanjiFormVariant, "渡辺"), (std::set<std::string>{"渡邊", "渡邉"}));
  EXPECT_EQ(AllChoices(KanjiFormVariant, "山崎"), (std::set<std::string>{"山﨑"}));
  EXPECT_EQ(AllChoices(KanjiFormVariant, "齋藤"), (std::set<std::string>{"斎藤"}));
  EXPECT_EQ(AllChoices(KanjiFormVariant, "濱田"), (std::set<std::string>{"浜田"}));
  EXPECT_FALSE(KanjiFormVariant("田中", 0).has_value());
}

TEST(KanjiFormVariant, OnlyProducesEncodableCharacters) {
  // 吉 has the variant 𠮷, which ISO-2022-JP cannot carry: it must never be produced.
  EXPECT_FALSE(KanjiFormVariant("吉田", 0).has_value());
  for (std::string_view name : {"高崎", "渡辺", "斎藤", "斉藤", "浜島", "沢田", "広瀬", "国分", "竜崎", "富岡", "桜井", "関", "恵子"}) {
    for (const std::string& v : AllChoices(KanjiFormVariant, name)) {
      EXPECT_TRUE(text::EncodeIso2022Jp(v).ok()) << v;
      EXPECT_NE(v, name);
    }
  }
}

TEST(KanaSpellingVariant, LongVowelsSmallKanaAndVoicedForms) {
  EXPECT_EQ(AllChoices(KanaSpellingVariant, "サトウ"), (std::set<std::string>{"サトー"}));
  EXPECT_EQ(AllChoices(KanaSpellingVariant, "サトー"), (std::set<std::string>{"サトウ"}));
  EXPECT_EQ(AllChoices(KanaSpellingVariant, "シュウジ"), (std::set<std::string>{"シユウジ"}));
  EXPECT_EQ(AllChoices(KanaSpellingVariant, "ミヅキ"), (std::set<std::string>{"ミズキ"}));
  EXPECT_EQ(AllChoices(KanaSpellingVariant, "ヴィオラ"), (std::set<std::string>{"ブィオラ", "ヴイオラ"}));
  EXPECT_FALSE(KanaSpellingVariant("タナカ", 0).has_value());
}

TEST(KanaTypo, ChangesOneVoicingMark) {
  std::set<std::string> all = AllChoices(KanaTypo, "タナカ");
  EXPECT_EQ(all, (std::set<std::string>{"ダナカ", "タナガ"}));
  EXPECT_FALSE(KanaTypo("アイ", 0).has_value());
}

TEST(HalfWidthKatakana, SplitsVoicingMarksAndIsDetected) {
  EXPECT_EQ(ToHalfWidthKatakana("ガッコウ"), "ｶﾞｯｺｳ");
  EXPECT_EQ(ToHalfWidthKatakana("パーティー"), "ﾊﾟｰﾃｨｰ");
  EXPECT_EQ(ToHalfWidthKatakana("ヴ"), "ｳﾞ");
  EXPECT_TRUE(HasHalfWidthKatakana("ﾀﾅｶ"));
  EXPECT_FALSE(HasHalfWidthKatakana("タナカ 123"));
  // Every full-width katakana has a half-width spelling.
  for (char32_t c = U'ァ'; c <= U'ヴ'; ++c) {
    std::string utf8 = {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
                        static_cast<char>(0x80 | (c & 0x3F))};
    EXPECT_TRUE(HasHalfWidthKatakana(ToHalfWidthKatakana(utf8))) << utf8;
  }
}

TEST(FullWidthDigits, AsTheSampleWritesAddresses) {
  EXPECT_EQ(ToFullWidthDigits("登呂1-3-5"), "登呂１−３−５");
  EXPECT_EQ(ToFullWidthDigits("0123456789-"), "０１２３４５６７８９−");
  EXPECT_EQ(ToFullWidthDigits("1丁目3番5号 サンハイツ203"), "１丁目３番５号 サンハイツ２０３") << "other text is kept";
  EXPECT_EQ(ToFullWidthDigits(""), "");
  EXPECT_TRUE(text::EncodeIso2022Jp(ToFullWidthDigits("0123456789-")).ok());
}

}  // namespace
}  // namespace renkei::gen
