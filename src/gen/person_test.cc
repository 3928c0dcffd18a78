#include "gen/person.h"

#include <gtest/gtest.h>

namespace renkei::gen {
namespace {

const Window kWindow{DaysFromCivil(2021, 11, 1), DaysFromCivil(2026, 10, 31)};

bool SameAddress(const Address& a, const Address& b) {
  return a.town == b.town && a.chome == b.chome && a.ban == b.ban && a.go == b.go && a.building == b.building;
}

TEST(MakePersonDemographics, GivesExactlyTheDemographicsOfMakePersonWithoutTheClinicalFields) {
  int married = 0, moved = 0, clinical = 0;
  for (uint64_t seed : {1u, 77u}) {
    for (int64_t i = 0; i < 3000; ++i) {
      const Person full = MakePerson(seed, i, kWindow);
      const Person d = MakePersonDemographics(seed, i, kWindow);
      ASSERT_EQ(d.index, full.index);
      ASSERT_EQ(d.person_id, full.person_id);
      ASSERT_EQ(d.sex, full.sex) << i;
      ASSERT_EQ(d.birth_day, full.birth_day) << i;
      ASSERT_EQ(d.family.kanji, full.family.kanji) << i;
      ASSERT_EQ(d.family.kana, full.family.kana) << i;
      ASSERT_EQ(d.given.kanji, full.given.kanji) << i;
      ASSERT_EQ(d.given.kana, full.given.kana) << i;
      ASSERT_EQ(d.maiden_family.has_value(), full.maiden_family.has_value()) << i;
      if (d.maiden_family) {
        ++married;
        ASSERT_EQ(d.maiden_family->kanji, full.maiden_family->kanji) << i;
        ASSERT_EQ(d.marriage_day, full.marriage_day) << i;
      }
      ASSERT_TRUE(SameAddress(d.address, full.address)) << i;
      ASSERT_EQ(d.previous_address.has_value(), full.previous_address.has_value()) << i;
      if (d.previous_address) {
        ++moved;
        ASSERT_TRUE(SameAddress(*d.previous_address, *full.previous_address)) << i;
        ASSERT_EQ(d.move_day, full.move_day) << i;
      }
      ASSERT_EQ(d.home_phone, full.home_phone) << i;
      ASSERT_EQ(d.mobile_phone, full.mobile_phone) << i;
      EXPECT_TRUE(d.conditions.empty() && d.allergies.empty() && d.insurer_number.empty() && d.height_cm == 0);
      clinical += !full.conditions.empty();
    }
  }
  EXPECT_GT(married, 20) << "the marriage draws are covered";
  EXPECT_GT(moved, 200) << "the move draws are covered";
  EXPECT_GT(clinical, 1000) << "MakePerson does draw the clinical fields after the demographics";
}

}  // namespace
}  // namespace renkei::gen
