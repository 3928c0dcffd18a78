#include "gen/population.h"

#include <cmath>
#include <set>

#include <gtest/gtest.h>

namespace renkei::gen {
namespace {

PopulationOptions Options() {
  PopulationOptions o;
  o.facilities = 6;
  o.years = 3;
  return o;
}

TEST(PopulationOptions, InvalidValuesNameTheOptionAndThePersonsFlagIsTheCallers) {
  EXPECT_TRUE(ValidatePopulationOptions(Options(), "--persons").ok());
  auto bad = [](auto change, std::string_view flag, std::string_view want) {
    PopulationOptions o = Options();
    change(o);
    Status s = ValidatePopulationOptions(o, flag);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << want;
    EXPECT_NE(s.message().find(want), std::string::npos) << s.message();
  };
  bad([](PopulationOptions& o) { o.persons = 0; }, "--persons", "--persons must be between 1 and 100000000 (got 0)");
  bad([](PopulationOptions& o) { o.persons = 100'000'001; }, "--patients",
      "--patients must be between 1 and 100000000 (got 100000001)");
  bad([](PopulationOptions& o) { o.facilities = 1001; }, "--persons", "--facilities must be between 1 and 1000");
  bad([](PopulationOptions& o) { o.hospitals = 7; }, "--persons", "--hospitals must be between 0 and --facilities (6)");
  bad([](PopulationOptions& o) { o.hospitals = -2; }, "--persons", "--hospitals");
  bad([](PopulationOptions& o) { o.years = 51; }, "--persons", "--years must be between 1 and 50 (got 51)");
  bad([](PopulationOptions& o) { o.multi_facility = 1.5; }, "--persons", "--multi-facility must be between 0 and 1");
  bad([](PopulationOptions& o) { o.multi_facility = std::nan(""); }, "--persons", "--multi-facility");
  bad([](PopulationOptions& o) { o.end_date = "2026-02-30"; }, "--persons", "--end-date");
  PopulationOptions edge = Options();
  edge.persons = 100'000'000;
  edge.hospitals = 0;
  EXPECT_TRUE(ValidatePopulationOptions(edge, "--persons").ok());
}

TEST(PopulationOptions, HospitalsDefaultToHalfRoundedUpAndTheWindowEndsOnTheEndDate) {
  PopulationOptions o = Options();
  o.facilities = 5;
  EXPECT_EQ(o.HospitalCount(), 3);
  o.hospitals = 0;
  EXPECT_EQ(o.HospitalCount(), 0);
  o.end_date = "2024-02-29";
  o.years = 2;
  const Window w = HistoryWindow(o);
  EXPECT_EQ(w.last_day, DaysFromCivil(2024, 2, 29));
  EXPECT_EQ(w.first_day, DaysFromCivil(2022, 3, 1)) << "two years up to and including the end day";
}

class PlanTest : public ::testing::Test {
 protected:
  std::vector<Facility> facilities_ = MakeFacilities(3, 6, 3);
  FacilityChooser chooser_{facilities_};
  Window window_ = HistoryWindow(Options());
};

TEST_F(PlanTest, DistinctFacilitiesWithinTheHistoryAndTheSameForTheSameSeed) {
  int multi = 0, before_history = 0;
  for (int64_t i = 0; i < 2000; ++i) {
    const Person p = MakePersonDemographics(3, i, window_);
    const auto plan = chooser_.Plan(3, p, window_, 0.4);
    ASSERT_GE(plan.size(), 1u);
    ASSERT_LE(plan.size(), 4u);
    multi += plan.size() > 1;
    std::set<size_t> seen;
    for (size_t j = 0; j < plan.size(); ++j) {
      const PlannedRegistration& r = plan[j];
      ASSERT_LT(r.facility, facilities_.size());
      EXPECT_TRUE(seen.insert(r.facility).second) << "one registration per facility";
      EXPECT_GT(r.registered_day, p.birth_day) << "registered after birth";
      EXPECT_LE(r.registered_day, r.last_day);
      EXPECT_LE(r.last_day, window_.last_day);
      if (j > 0) {
        EXPECT_GE(r.registered_day, window_.first_day) << "later ones start in the history";
      }
      before_history += r.registered_day < window_.first_day;
    }
    const auto again = chooser_.Plan(3, p, window_, 0.4);
    ASSERT_EQ(again.size(), plan.size());
    for (size_t j = 0; j < plan.size(); ++j) {
      EXPECT_EQ(again[j].facility, plan[j].facility);
      EXPECT_EQ(again[j].registered_day, plan[j].registered_day);
      EXPECT_EQ(again[j].last_day, plan[j].last_day);
    }
  }
  EXPECT_GT(multi, 2000 * 0.33);
  EXPECT_LT(multi, 2000 * 0.47);
  EXPECT_GT(before_history, 100) << "first registrations may predate the history";
}

TEST_F(PlanTest, TheMultiFacilityShareAndTheNumberOfFacilitiesBoundTheRegistrations) {
  const std::vector<Facility> one = MakeFacilities(3, 1, 1);
  const FacilityChooser single(one);
  for (int64_t i = 0; i < 300; ++i) {
    const Person p = MakePersonDemographics(3, i, window_);
    EXPECT_EQ(chooser_.Plan(3, p, window_, 0).size(), 1u);
    EXPECT_GE(chooser_.Plan(3, p, window_, 1).size(), 2u);
    EXPECT_EQ(single.Plan(3, p, window_, 1).size(), 1u) << "never more registrations than facilities";
  }
}

TEST_F(PlanTest, PeopleMostlyAttendFacilitiesOfTheirOwnPrefecture) {
  int same = 0, all = 0;
  for (int64_t i = 0; i < 2000; ++i) {
    const Person p = MakePersonDemographics(3, i, window_);
    for (const PlannedRegistration& r : chooser_.Plan(3, p, window_, 0.4)) {
      ++all;
      same += Towns()[facilities_[r.facility].town].prefecture == Towns()[p.address.town].prefecture;
    }
  }
  EXPECT_GT(same, all / 2);
}

TEST(LocalIdAssigner, GivesEachFacilitysIdsInOrderUntilItsFormatIsFull) {
  std::vector<Facility> facilities(2);
  facilities[0].id = "2210046371";
  facilities[0].patient_id_digits = 1;
  facilities[0].id_multiplier = 3;
  facilities[1].id = "1319712915";
  facilities[1].patient_id_digits = 2;
  LocalIdAssigner ids(facilities);
  std::set<std::string> given;
  for (int n = 0; n < 10; ++n) {
    auto id = ids.Next(0);
    ASSERT_TRUE(id.ok()) << n;
    EXPECT_EQ(*id, facilities[0].LocalPatientId(static_cast<uint64_t>(n)));
    EXPECT_TRUE(given.insert(*id).second);
  }
  auto full = ids.Next(0);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(full.status().message(),
            "facility 2210046371 has 1-digit patient IDs and cannot register more than 10");
  auto other = ids.Next(1);
  ASSERT_TRUE(other.ok()) << "the other facility has its own counter";
  EXPECT_EQ(*other, "00");
}

TEST(RecordRegistration, ThePrimaryIsFaithfulAndAMarriageDuringTheRegistrationUpdatesTheRecord) {
  const PopulationOptions o = Options();
  const Window window = HistoryWindow(o);
  const std::vector<Facility> facilities = MakeFacilities(o.seed, o.facilities, o.HospitalCount());
  int updated = 0, not_updated = 0, variants = 0, others = 0;
  for (int64_t i = 0; i < 20000 && (updated < 5 || not_updated < 5); ++i) {
    const Person p = MakePersonDemographics(o.seed, i, window);
    const RecordingHabits& habits = facilities[0].habits;
    for (bool primary : {true, false}) {
      Rng stream = RegistrationStream(o.seed, 0, i);
      const RegistrationRecord r = RecordRegistration(p, habits, primary, window.first_day, window.last_day, stream);
      Rng again = RegistrationStream(o.seed, 0, i);
      const RegistrationRecord same = RecordRegistration(p, habits, primary, window.first_day, window.last_day, again);
      ASSERT_EQ(same.latest().kanji_family, r.latest().kanji_family);
      ASSERT_EQ(same.registered, r.registered);
      ASSERT_EQ(stream.Next(), again.Next()) << "the stream is left at the same place";
      EXPECT_EQ(DayOf(r.registered), window.first_day);
      if (primary) {
        EXPECT_FALSE(r.variants.kanji_form || r.variants.kana_spelling || r.variants.homophone ||
                     r.variants.kana_typo || r.variants.missing_phone);
        EXPECT_EQ(r.at_registration.kanji_given, p.given.kanji);
      } else {
        ++others;
        variants += r.variants.any();
      }
      if (!primary || !p.maiden_family) continue;
      EXPECT_EQ(r.at_registration.kanji_family, p.maiden_family->kanji) << "registered before the marriage";
      if (r.update) {
        ++updated;
        EXPECT_EQ(r.update->demographics.kanji_family, p.family.kanji);
        EXPECT_EQ(&r.latest(), &r.update->demographics);
        EXPECT_GT(DayOf(r.update->sent), p.marriage_day);
        EXPECT_FALSE(r.variants.maiden_name) << "the variants are those of the latest record";
      } else {
        ++not_updated;
        EXPECT_EQ(&r.latest(), &r.at_registration);
        EXPECT_TRUE(r.variants.maiden_name);
      }
    }
  }
  EXPECT_GE(updated, 5);
  EXPECT_GE(not_updated, 5) << "the facility does not always learn of the marriage";
  EXPECT_GT(variants, others / 20) << "other registrations carry variants";
}

}  // namespace
}  // namespace renkei::gen
