#include "gen/people.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "gen/region.h"
#include "gen/test_files.h"

namespace renkei::gen {
namespace {

namespace fs = std::filesystem;

int64_t Lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

class PeopleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("renkei-gen-people-{}-{}", ::getpid(),
                                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  PeopleOptions People(const PopulationOptions& population, const std::string& name, int threads = 2) {
    PeopleOptions o;
    o.population = population;
    o.out = (dir_ / name).string();
    o.threads = threads;
    return o;
  }

  fs::path dir_;
};

// Region and people with the same population: the same tables byte for byte, and the same
// counts, whatever the region's density.
TEST_F(PeopleTest, WritesTheTablesOfGenRegionByteForByte) {
  struct Case {
    PopulationOptions population;
    double records_per_year;
  };
  std::vector<Case> cases(3);
  cases[0].population.facilities = 4;
  cases[0].population.persons = 100;
  cases[0].population.years = 2;
  cases[0].population.seed = 7;
  cases[0].records_per_year = 3;
  // Many persons at several facilities over a long history: marriages, moves and their updates.
  cases[1].population.facilities = 3;
  cases[1].population.hospitals = 0;
  cases[1].population.persons = 300;
  cases[1].population.years = 10;
  cases[1].population.seed = 12345;
  cases[1].population.multi_facility = 0.9;
  cases[1].records_per_year = 0;
  cases[2].population.facilities = 12;
  cases[2].population.persons = 300;
  cases[2].population.years = 1;
  cases[2].population.end_date = "2020-02-29";
  cases[2].records_per_year = 0;
  for (size_t c = 0; c < cases.size(); ++c) {
    RegionOptions region;
    region.population = cases[c].population;
    region.records_per_year = cases[c].records_per_year;
    region.out = (dir_ / fmt::format("region{}", c)).string();
    auto r = GenerateRegion(region);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    auto p = GeneratePeople(People(cases[c].population, fmt::format("people{}", c)));
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    for (const char* table : {"patients.csv", "ground_truth.csv"}) {
      const std::string from_region = Slurp(fs::path(region.out) / table), from_people = Slurp(fs::path(p->out) / table);
      EXPECT_EQ(Lines(from_region), r->registrations + 1) << table;
      EXPECT_TRUE(from_region == from_people) << "case " << c << ": " << table << " differs";
    }
    EXPECT_EQ(p->persons, r->persons);
    EXPECT_EQ(p->registrations, r->registrations);
    EXPECT_EQ(p->multi_facility_persons, r->multi_facility_persons);
    EXPECT_EQ(p->variant_registrations, r->variant_registrations);
    EXPECT_EQ(p->facilities, r->facilities);
    EXPECT_EQ(p->hospitals, r->hospitals);
    EXPECT_EQ(p->bytes, static_cast<int64_t>(Slurp(fs::path(p->out) / "patients.csv").size() +
                                             Slurp(fs::path(p->out) / "ground_truth.csv").size()));
  }
  // Only the three tables, and facilities.csv lists no trees.
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_ / "people0")) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"facilities.csv", "patients.csv", "ground_truth.csv"}));
  const std::string facilities = Slurp(dir_ / "people0" / "facilities.csv");
  EXPECT_EQ(Lines(facilities), 5);
  EXPECT_NE(facilities.find(",hospital,,"), std::string::npos) << facilities;
}

TEST_F(PeopleTest, OutputDoesNotDependOnTheThreadsAcrossManyBlocks) {
  PopulationOptions pop;
  pop.facilities = 20;
  pop.persons = 9000;  // three blocks, the last one short
  pop.seed = 3;
  std::string patients, truth;
  int64_t registrations = -1;
  for (int threads : {1, 2, 5}) {
    auto s = GeneratePeople(People(pop, fmt::format("t{}", threads), threads));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->persons, 9000);
    const std::string p = Slurp(dir_ / fmt::format("t{}", threads) / "patients.csv");
    const std::string t = Slurp(dir_ / fmt::format("t{}", threads) / "ground_truth.csv");
    if (threads == 1) {
      patients = p;
      truth = t;
      registrations = s->registrations;
      continue;
    }
    EXPECT_TRUE(p == patients) << threads << " threads";
    EXPECT_TRUE(t == truth) << threads << " threads";
    EXPECT_EQ(s->registrations, registrations);
  }
  // Person ids appear in order, each with all of their registrations together.
  std::istringstream in(truth);
  std::string line;
  std::getline(in, line);
  int64_t last = 0;
  std::set<std::string> record_ids;
  while (std::getline(in, line)) {
    const std::string record_id = line.substr(0, line.find(','));
    EXPECT_TRUE(record_ids.insert(record_id).second) << record_id;
    const int64_t person = std::stoll(line.substr(line.find(",P") + 2, 8));
    ASSERT_TRUE(person == last || person == last + 1) << line;
    last = person;
  }
  EXPECT_EQ(last, 9000);
  EXPECT_EQ(static_cast<int64_t>(record_ids.size()), registrations);
}

TEST_F(PeopleTest, ProgressIsReportedAndACancelledRunSummarisesWhatItWrote) {
  PopulationOptions pop;
  pop.persons = 5000;
  int64_t reported = 0, last_done = -1;
  auto s = GeneratePeople(People(pop, "p"), [&](const PeopleProgress& p) {
    ++reported;
    EXPECT_GE(p.persons_done, last_done);
    EXPECT_EQ(p.persons_total, 5000);
    last_done = p.persons_done;
  });
  ASSERT_TRUE(s.ok());
  EXPECT_GE(reported, 1);
  EXPECT_EQ(last_done, 5000) << "the last report is the total";

  const std::atomic<bool> cancelled{true};
  PeopleOptions again = People(pop, "cancelled");
  auto c = GeneratePeople(again, nullptr, &cancelled);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->persons, 0);
  EXPECT_EQ(c->registrations, 0);
  EXPECT_EQ(Lines(Slurp(dir_ / "cancelled" / "patients.csv")), 1) << "the header only";
}

TEST_F(PeopleTest, RefusesANonEmptyFolderUnlessForcedAndThenReplacesARegionThere) {
  RegionOptions region;
  region.population.facilities = 2;
  region.population.persons = 20;
  region.population.years = 1;
  region.out = (dir_ / "r").string();
  auto r = GenerateRegion(region);
  ASSERT_TRUE(r.ok());
  PeopleOptions o = People(region.population, "r");
  auto refused = GeneratePeople(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("not empty"), std::string::npos);
  o.force = true;
  auto s = GeneratePeople(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_ / "r")) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"facilities.csv", "patients.csv", "ground_truth.csv"}))
      << "the region's trees are gone";
}

TEST(PeopleOptions, InvalidValuesNameTheOption) {
  PeopleOptions o;
  o.out = "/tmp/x";
  EXPECT_TRUE(ValidatePeopleOptions(o).ok());
  auto bad = [&](auto change, std::string_view want) {
    PeopleOptions c = o;
    change(c);
    Status s = ValidatePeopleOptions(c);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << want;
    EXPECT_NE(s.message().find(want), std::string::npos) << s.message();
  };
  bad([](PeopleOptions& c) { c.population.persons = 0; }, "--persons must be between 1 and 100000000 (got 0)");
  bad([](PeopleOptions& c) { c.population.persons = 100'000'001; }, "--persons");
  bad([](PeopleOptions& c) { c.population.facilities = 0; }, "--facilities");
  bad([](PeopleOptions& c) { c.population.multi_facility = -0.1; }, "--multi-facility");
  bad([](PeopleOptions& c) { c.threads = 0; }, "--threads must be between 1 and 16 (got 0)");
  bad([](PeopleOptions& c) { c.threads = 17; }, "--threads must be between 1 and 16 (got 17)");
  bad([](PeopleOptions& c) { c.out.clear(); }, "--out is required");
  auto s = GeneratePeople([&] {
    PeopleOptions c = o;
    c.threads = 0;
    c.out = "/nonexistent-renkei-people";
    return c;
  }());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists("/nonexistent-renkei-people")) << "nothing is written on bad options";
}

}  // namespace
}  // namespace renkei::gen
