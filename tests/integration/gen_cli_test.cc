// `renkei gen region` driven through its command line, and its trees imported by `renkei edge
// import` as an operator would: every generated file must import without quarantine or warning.
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

  // facilities.csv lists the trees; ground_truth.csv the registrations.
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
  EXPECT_EQ(line, "person_id,facility_id,local_patient_id");
  int64_t rows = 0;
  while (std::getline(truth, line)) ++rows;
  EXPECT_EQ(rows, s["registrations"].get<int64_t>());
  EXPECT_EQ(patients, rows) << "every registration has its demographics in the edge's repository";
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

}  // namespace
