#include "gen/catalog.h"

#include <gtest/gtest.h>

#include <regex>

#include "gen/calendar.h"
#include "gen/messages.h"
#include "text/iso2022jp.h"

namespace renkei::gen {
namespace {

bool IsKatakana(std::string_view s) {
  // Full-width katakana are U+30A1..U+30FC: E3 82 A1 .. E3 83 BC in UTF-8.
  if (s.empty() || s.size() % 3 != 0) return false;
  for (size_t i = 0; i < s.size(); i += 3) {
    const auto b0 = static_cast<unsigned char>(s[i]), b1 = static_cast<unsigned char>(s[i + 1]);
    if (b0 != 0xE3 || (b1 != 0x82 && b1 != 0x83)) return false;
  }
  return true;
}

TEST(Names, EmbeddedListsAreLargeEncodableAndHaveKatakanaReadings) {
  const NameCatalog& n = Names();
  EXPECT_GT(n.surnames().size(), 400u);
  EXPECT_GT(n.given('M').size(), 2000u);
  EXPECT_GT(n.given('F').size(), 2000u);
  for (char sex : {'S', 'M', 'F'}) {
    for (const Name& name : sex == 'S' ? n.surnames() : n.given(sex)) {
      ASSERT_TRUE(text::EncodeIso2022Jp(name.kanji).ok()) << name.kanji;
      ASSERT_TRUE(IsKatakana(name.kana)) << name.kanji << " " << name.kana;
    }
  }
}

TEST(Names, HomophonesShareTheReadingButNotTheKanji) {
  const NameCatalog& n = Names();
  int found = 0;
  for (const Name& name : n.given('M').subspan(0, 200)) {
    if (auto h = n.Homophone('M', name, 3)) {
      ++found;
      EXPECT_EQ(h->kana, name.kana);
      EXPECT_NE(h->kanji, name.kanji);
    }
  }
  EXPECT_GT(found, 20);
}

TEST(Towns, HaveRealShapes) {
  const std::regex postal("[0-9]{3}-[0-9]{4}");
  ASSERT_GE(Towns().size(), 20u);
  for (const Town& t : Towns()) {
    EXPECT_TRUE(std::regex_match(std::string(t.postal_code), postal)) << t.town;
    EXPECT_TRUE(t.prefecture == "静岡県" || t.prefecture == "東京都") << t.prefecture;
    EXPECT_EQ(t.area_code[0], '0');
  }
}

TEST(Catalog, CodesHaveTheirStandardShapes) {
  for (const LabTest& t : LabTests()) EXPECT_EQ(t.jlac10.size(), 17u) << t.name;
  for (const Drug& d : Drugs()) {
    EXPECT_EQ(d.hot9.size(), 9u) << d.name;
    EXPECT_EQ(d.usage_code.size(), 16u) << d.name;
  }
  for (const ConditionInfo& c : Conditions()) {
    EXPECT_EQ(c.diagnosis.medis_id.size(), 8u);
    EXPECT_EQ(c.diagnosis.medis_exchange.size(), 4u);
    EXPECT_FALSE(DepartmentName(c.department).empty()) << c.department;
  }
  for (const EpisodeInfo& e : Episodes()) EXPECT_FALSE(DepartmentName(e.department).empty()) << e.department;
  EXPECT_EQ(static_cast<int>(Conditions().size()), kConditionCount);
  EXPECT_EQ(static_cast<int>(LabTests().size()), kLabCount);
  EXPECT_EQ(InfoOf(Condition::kType2Diabetes).diagnosis.icd10, "E119");
  EXPECT_EQ(TestOf(Lab::kHbA1c).jlac10, "3D046000001906202");
}

TEST(Evaluate, FlagsFollowTheRangeOfTheWrittenValue) {
  LabResult r = Evaluate(Lab::kHbA1c, 'M', 6.04);
  EXPECT_EQ(r.value, "6.0");
  EXPECT_EQ(r.range, "4.9-6.0");
  EXPECT_EQ(r.flag, "");  // 6.04 is written 6.0, inside the range
  EXPECT_EQ(Evaluate(Lab::kHbA1c, 'M', 7.3).flag, "H");
  EXPECT_EQ(Evaluate(Lab::kHdl, 'F', 40).flag, "L");   // women: 48-103
  EXPECT_EQ(Evaluate(Lab::kHdl, 'M', 40).flag, "");    // men: 38-90
  EXPECT_EQ(Evaluate(Lab::kEgfr, 'M', 45.2).range, ">60.0");
  EXPECT_EQ(Evaluate(Lab::kEgfr, 'M', 45.2).flag, "L");
  EXPECT_EQ(Evaluate(Lab::kEgfr, 'M', 88).flag, "");
  EXPECT_EQ(Evaluate(Lab::kCreatinine, 'F', 0.8).value, "0.80");
}

TEST(Calendar, RoundTripsAndFormats) {
  auto d = ParseDay("2026-10-31");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Yyyymmdd(*d), "20261031");
  EXPECT_EQ(*ParseDay("20261031"), *d);
  EXPECT_EQ(Timestamp17(MomentOf(*d, 14, 5, 1, 123)), "20261031140501123");
  EXPECT_EQ(Hl7Millis(MomentOf(*d, 9, 0, 0, 7)), "20261031090000.007");
  EXPECT_EQ(AgeOn(*ParseDay("1948-04-05"), *ParseDay("2011-04-04")), 62);
  EXPECT_EQ(AgeOn(*ParseDay("1948-04-05"), *ParseDay("2011-04-05")), 63);
  EXPECT_FALSE(ParseDay("2026-02-30").ok());
  EXPECT_FALSE(ParseDay("tomorrow").ok());
  for (int64_t day = DaysFromCivil(1899, 12, 25); day < DaysFromCivil(2101, 1, 5); day += 13) {
    CivilDate c = CivilFromDays(day);
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), day);
  }
}

}  // namespace
}  // namespace renkei::gen
