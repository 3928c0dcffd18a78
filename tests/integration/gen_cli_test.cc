// `renkei gen region` driven through its command line, and its trees imported by `renkei edge
// import` as an operator would: every generated file must import without quarantine or warning.
// `renkei gen people` must write the same patient-index tables as `gen region`, without trees.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "renkei_cli.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using renkei::testing::Result;
using renkei::testing::RunRenkei;

// The records format of `renkei mpi evaluate`.
constexpr std::string_view kRecordsHeader =
    "record_id,facility,local_id,family_kanji,given_kanji,family_kana,given_kana,birth_date,sex,postal_code,address,"
    "phone";

class GenCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = renkei::testing::FreshTestDir("renkei-gen-cli");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(GenCliTest, EveryFacilityTreeImportsWithoutQuarantineOrWarning) {
  Result gen = RunRenkei(dir_, "gen region --facilities 4 --hospitals 2 --patients 100 --years 2 --seed 11 "
                               "--out region --json");
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  json s = json::parse(gen.out);
  EXPECT_EQ(s["patients"], 100);
  EXPECT_EQ(s["facilities"], 4);
  EXPECT_EQ(s["hospitals"], 2);
  EXPECT_GT(s["files"].get<int>(), 500);
  EXPECT_GT(s["multi_facility_patients"].get<int>(), 20);
  EXPECT_GT(s["documents"].get<int>(), 0);

  // facilities.csv lists the trees; patients.csv and ground_truth.csv the registrations.
  std::ifstream facilities(dir_ / "region" / "facilities.csv");
  std::string line;
  std::getline(facilities, line);
  EXPECT_EQ(line.rfind("facility_id,name,kind,folder", 0), 0u) << line;
  int trees = 0;
  int64_t files = 0, patients = 0;
  while (std::getline(facilities, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cols.push_back(c);
    ASSERT_GE(cols.size(), 4u);
    ++trees;
    Result imp = RunRenkei(dir_, fmt::format("edge import --root 'region/{}' --store 'sqlite:{}.db' --json "
                                             "--log-level off --no-progress", cols[3], cols[0]));
    ASSERT_EQ(imp.exit_code, 0) << imp.err;
    json j = json::parse(imp.out);
    EXPECT_EQ(j["quarantined"], 0) << cols[0] << ": " << j["defects"].dump();
    EXPECT_EQ(j["with_warnings"], 0) << cols[0] << ": " << j["defects"].dump();
    EXPECT_EQ(j["imported"], j["files_seen"]);
    EXPECT_GT(j["superseded"].get<int>(), 0) << "updated records arrive as newer versions";
    files += j["files_seen"].get<int64_t>();
    patients += j["patients"].get<int64_t>();
  }
  EXPECT_EQ(trees, 4);
  EXPECT_EQ(files, s["files"].get<int64_t>());
  std::ifstream truth(dir_ / "region" / "ground_truth.csv");
  std::getline(truth, line);
  EXPECT_EQ(line, "record_id,person_id,facility_id,local_patient_id");
  int64_t rows = 0;
  while (std::getline(truth, line)) ++rows;
  EXPECT_EQ(rows, s["registrations"].get<int64_t>());
  EXPECT_EQ(patients, rows) << "every registration has its demographics in the edge's repository";
  std::ifstream records(dir_ / "region" / "patients.csv");
  std::getline(records, line);
  EXPECT_EQ(line, kRecordsHeader);
  int64_t record_rows = 0;
  while (std::getline(records, line)) ++record_rows;
  EXPECT_EQ(record_rows, rows);
}

TEST_F(GenCliTest, HumanSummaryAndHelp) {
  Result r = RunRenkei(dir_, "gen region --facilities 2 --patients 20 --years 1 --out r");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 facilities"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("files per data type"), std::string::npos) << r.out;
  Result help = RunRenkei(dir_, "gen region --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--facilities", "--hospitals", "--patients", "--years", "--seed", "--records-per-year",
                           "--multi-facility", "--end-date", "--threads", "--out", "--force", "--json", "--no-progress"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
}

TEST_F(GenCliTest, BadInvocationsExitTwoWithAPreciseMessage) {
  struct Case {
    std::string args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"gen region --patients 10", "--out is required"},
      {"gen region --patients 0 --out a", "--patients must be between 1 and 100000000 (got 0)"},
      {"gen region --patients -1 --out a", "--patients must be between 1 and 100000000 (got -1)"},
      {"gen region --patients abc --out a", "--patients: 'abc' is not a whole number"},
      {"gen region --patients 12x --out a", "--patients: '12x' is not a whole number"},
      {"gen region --facilities 0 --out a", "--facilities must be between 1 and 1000"},
      {"gen region --years 1.5 --out a", "--years: '1.5' is not a whole number"},
      {"gen region --seed -3 --out a", "--seed: '-3' is not a whole number"},
      {"gen region --records-per-year many --out a", "--records-per-year: 'many' is not a number"},
      {"gen region --end-date 2026-02-30 --out a", "--end-date"},
  };
  for (const Case& c : cases) {
    Result r = RunRenkei(dir_, c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
  EXPECT_FALSE(fs::exists(dir_ / "a")) << "nothing is written on bad options";

  fs::create_directories(dir_ / "full");
  { std::ofstream(dir_ / "full" / "keep.txt") << "x"; }
  Result r = RunRenkei(dir_, "gen region --patients 5 --out full");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("exists and is not empty"), std::string::npos) << r.err;
  Result forced = RunRenkei(dir_, "gen region --patients 5 --out full --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(fs::exists(dir_ / "full" / "keep.txt"));
  EXPECT_TRUE(fs::exists(dir_ / "full" / "ground_truth.csv"));
}

TEST_F(GenCliTest, PeopleWritesTheTablesOfTheSameRegionWithoutTrees) {
  const std::string population = "--facilities 4 --hospitals 2 --years 2 --seed 11 --multi-facility 0.6";
  Result region = RunRenkei(dir_, "gen region --patients 120 " + population + " --out region --json");
  ASSERT_EQ(region.exit_code, 0) << region.err;
  Result people = RunRenkei(dir_, "gen people --persons 120 " + population + " --out people --json");
  ASSERT_EQ(people.exit_code, 0) << people.err;
  json r = json::parse(region.out), p = json::parse(people.out);
  EXPECT_EQ(p["persons"], 120);
  EXPECT_EQ(p["out"], "people");
  EXPECT_EQ(p["complete"], true);
  EXPECT_EQ(p["registrations"], r["registrations"]);
  EXPECT_EQ(p["multi_facility_persons"], r["multi_facility_patients"]);
  EXPECT_EQ(p["variant_registrations"], r["registrations_with_variants"]);
  EXPECT_GT(p["variant_registrations"].get<int>(), 0);
  EXPECT_GE(p["seconds"].get<double>(), 0);
  EXPECT_GT(p["bytes"].get<int64_t>(), 0);

  for (const char* table : {"patients.csv", "ground_truth.csv"}) {
    const std::string a = renkei::testing::Slurp(dir_ / "region" / table);
    EXPECT_FALSE(a.empty());
    EXPECT_TRUE(a == renkei::testing::Slurp(dir_ / "people" / table)) << table << " differs";
  }
  EXPECT_EQ(renkei::testing::Slurp(dir_ / "people" / "patients.csv").substr(0, kRecordsHeader.size() + 1),
            std::string(kRecordsHeader) + "\n");
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "people")) {
    EXPECT_TRUE(e.is_regular_file()) << e.path() << ": no trees";
    ++entries;
  }
  EXPECT_EQ(entries, 3);

  // Any number of threads, the same tables; the human summary names them.
  Result one = RunRenkei(dir_, "gen people --persons 120 " + population + " --threads 1 --out one");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("120 persons"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("one/patients.csv"), std::string::npos) << one.out;
  EXPECT_TRUE(renkei::testing::Slurp(dir_ / "one" / "patients.csv") ==
              renkei::testing::Slurp(dir_ / "people" / "patients.csv"));

  Result help = RunRenkei(dir_, "gen people --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--persons", "--facilities", "--hospitals", "--years", "--seed", "--multi-facility",
                           "--end-date", "--threads", "--out", "--force", "--json", "--no-progress"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(help.out.find("--records-per-year"), std::string::npos) << "no clinical history, no density";
}

TEST_F(GenCliTest, PeopleBadInvocationsExitTwoWithAPreciseMessage) {
  struct Case {
    std::string args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"gen people --persons 10", "--out is required"},
      {"gen people --persons 0 --out a", "--persons must be between 1 and 100000000 (got 0)"},
      {"gen people --persons 100000001 --out a", "--persons must be between 1 and 100000000 (got 100000001)"},
      {"gen people --persons 1e6 --out a", "--persons: '1e6' is not a whole number"},
      {"gen people --persons 99999999999999999999 --out a", "--persons: '99999999999999999999' is not a whole number"},
      {"gen people --facilities 1001 --out a", "--facilities must be between 1 and 1000 (got 1001)"},
      {"gen people --facilities 3 --hospitals 4 --out a", "--hospitals must be between 0 and --facilities (3) (got 4)"},
      {"gen people --multi-facility 1.5 --out a", "--multi-facility must be between 0 and 1 (got 1.5)"},
      {"gen people --multi-facility half --out a", "--multi-facility: 'half' is not a number"},
      {"gen people --threads 0 --out a", "--threads must be between 1 and 16 (got 0)"},
      {"gen people --threads 17 --out a", "--threads must be between 1 and 16 (got 17)"},
      {"gen people --years 0 --out a", "--years must be between 1 and 50 (got 0)"},
      {"gen people --seed x --out a", "--seed: 'x' is not a whole number"},
      {"gen people --end-date 2026-13-01 --out a", "--end-date"},
  };
  for (const Case& c : cases) {
    Result r = RunRenkei(dir_, c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find("renkei gen people: " + c.message), std::string::npos) << c.args << "\n" << r.err;
  }
  Result region_flag = RunRenkei(dir_, "gen people --patients 10 --out a");
  EXPECT_NE(region_flag.exit_code, 0) << "gen people counts --persons, not --patients";
  EXPECT_NE(region_flag.err.find("--patients"), std::string::npos) << region_flag.err;
  EXPECT_FALSE(fs::exists(dir_ / "a")) << "nothing is written on bad options";

  fs::create_directories(dir_ / "full");
  { std::ofstream(dir_ / "full" / "keep.txt") << "x"; }
  Result r = RunRenkei(dir_, "gen people --persons 5 --out full");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("exists and is not empty"), std::string::npos) << r.err;
  Result forced = RunRenkei(dir_, "gen people --persons 5 --out full --force --json");
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(fs::exists(dir_ / "full" / "keep.txt"));
  EXPECT_TRUE(fs::exists(dir_ / "full" / "patients.csv"));
}

}  // namespace
