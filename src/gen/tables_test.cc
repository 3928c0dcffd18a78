#include "gen/tables.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "gen/test_files.h"
#include "text/csv.h"

namespace renkei::gen {
namespace {

namespace fs = std::filesystem;

// The rows of a UTF-8 CSV text, read by the RFC 4180 reader of text/csv.h.
std::vector<std::vector<std::string>> ReadRows(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  for (const text::CsvRecord& r : text::ReadCsv(text::DecodeLines(text, text::Encoding::kUtf8).lines)) {
    EXPECT_EQ(r.problem, text::CsvProblem::kNone) << r.error;
    rows.push_back(r.fields);
  }
  return rows;
}

Person SomeOne() {
  Person p;
  p.person_id = "P00000042";
  p.sex = 'F';
  p.birth_day = DaysFromCivil(1961, 2, 3);
  return p;
}

RecordedDemographics Recorded() {
  RecordedDemographics r;
  r.kanji_family = "髙橋";
  r.kanji_given = "花子";
  r.kana_family = "ﾀｶﾊｼ";
  r.kana_given = "ハナコ";
  r.postal_code = "422-8033";
  r.address = "静岡県静岡市駿河区登呂１−３−５　サンハイツ203";
  r.phone = "054-123-4567";
  r.work_phone = "054-999-0000";
  return r;
}

class TablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("renkei-gen-tables-{}-{}", ::getpid(),
                                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(DemographicCells, AreTheRecordedValuesInContractOrderWithoutTheWorkPhone) {
  EXPECT_EQ(DemographicCells(SomeOne(), Recorded()),
            "髙橋,花子,ﾀｶﾊｼ,ハナコ,19610203,F,422-8033,静岡県静岡市駿河区登呂１−３−５　サンハイツ203,054-123-4567");
  RecordedDemographics empty;
  EXPECT_EQ(DemographicCells(SomeOne(), empty), ",,,,19610203,F,,,") << "absent values are empty cells";
}

TEST(DemographicCells, QuoteCommasQuotesAndLineBreaksSoThatAnRfc4180ReaderGetsThemBack) {
  RecordedDemographics r = Recorded();
  r.kanji_given = "花\"子\"";
  r.address = "静岡県静岡市, 登呂1-3-5";
  r.phone = "054\n123";
  r.kana_given = "\"";
  const std::string cells = DemographicCells(SomeOne(), r);
  EXPECT_NE(cells.find("\"花\"\"子\"\"\""), std::string::npos) << cells;
  const auto rows = ReadRows(cells + "\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"髙橋", "花\"子\"", "ﾀｶﾊｼ", "\"", "19610203", "F", "422-8033",
                                               "静岡県静岡市, 登呂1-3-5", "054\n123"}));
  r.postal_code = "422\r8033";
  EXPECT_NE(DemographicCells(SomeOne(), r).find(",\"422\r8033\","), std::string::npos) << "a carriage return too";
}

TEST_F(TablesTest, WriteBothFilesRowByRowWithTheRecordIdFirst) {
  auto tables = RegistrationTables::Create(dir_.string());
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  Facility a, b;
  a.id = "2210046371";
  b.id = "1319712915";
  ASSERT_TRUE((*tables)->Add(a, "0003994", "P00000001", "x,y").ok());
  ASSERT_TRUE((*tables)->Add(b, "6837157", "P00000001", "z").ok());
  ASSERT_TRUE((*tables)->Add(a, "1111111", "P00000002", "w").ok());
  ASSERT_TRUE((*tables)->Close().ok());
  const std::string patients = Slurp(dir_ / "patients.csv"), truth = Slurp(dir_ / "ground_truth.csv");
  EXPECT_EQ(patients,
            "record_id,facility,local_id,family_kanji,given_kanji,family_kana,given_kana,birth_date,sex,postal_code,"
            "address,phone\n"
            "2210046371:0003994,2210046371,0003994,x,y\n"
            "1319712915:6837157,1319712915,6837157,z\n"
            "2210046371:1111111,2210046371,1111111,w\n");
  EXPECT_EQ(truth,
            "record_id,person_id,facility_id,local_patient_id\n"
            "2210046371:0003994,P00000001,2210046371,0003994\n"
            "1319712915:6837157,P00000001,1319712915,6837157\n"
            "2210046371:1111111,P00000002,2210046371,1111111\n");
  EXPECT_EQ((*tables)->bytes(), static_cast<int64_t>(patients.size() + truth.size()));
  EXPECT_TRUE((*tables)->Close().ok()) << "closing twice is harmless";
}

TEST_F(TablesTest, AFolderThatCannotHoldThemIsUnavailableNamingThePath) {
  auto tables = RegistrationTables::Create((dir_ / "missing").string());
  ASSERT_FALSE(tables.ok());
  EXPECT_EQ(tables.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(tables.status().message().find("missing/patients.csv"), std::string::npos) << tables.status().message();
}

TEST_F(TablesTest, AFullDiskIsReportedOnAddOrCloseNamingTheFile) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  fs::create_symlink("/dev/full", dir_ / "ground_truth.csv");
  auto tables = RegistrationTables::Create(dir_.string());
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  Facility f;
  f.id = "2210046371";
  const std::string cells(300, 'x');
  Status first;
  for (int i = 0; i < 200000 && first.ok(); ++i) first = (*tables)->Add(f, fmt::format("{:07}", i), "P00000001", cells);
  EXPECT_EQ(first.code(), StatusCode::kUnavailable) << "a megabyte of rows is flushed, and the flush fails";
  Status closed = (*tables)->Close();
  EXPECT_EQ(closed.code(), StatusCode::kUnavailable);
  EXPECT_NE(closed.message().find("ground_truth.csv"), std::string::npos) << closed.message();
  EXPECT_EQ((*tables)->Add(f, "0000001", "P00000001", "x").code(), StatusCode::kUnavailable) << "errors stick";
}

TEST_F(TablesTest, OutputFolderIsRefusedWhenNotEmptyAndForceRemovesOnlyWhatARegionWrote) {
  const fs::path out = dir_ / "out";
  ASSERT_TRUE(PrepareOutputFolder(out.string(), false).ok()) << "an absent folder is created";
  EXPECT_TRUE(fs::is_directory(out));
  ASSERT_TRUE(PrepareOutputFolder(out.string(), false).ok()) << "an empty folder is fine";

  { std::ofstream(dir_ / "file") << "x"; }
  Status not_folder = PrepareOutputFolder((dir_ / "file").string(), true);
  EXPECT_EQ(not_folder.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(not_folder.message().find("is not a folder"), std::string::npos) << not_folder.message();

  // A facilities.csv that lists a tree, and hostile folder names that lead elsewhere.
  fs::create_directories(out / "2210046371" / "000");
  fs::create_directories(dir_ / "outside");
  fs::create_directories(out / "a" / "b");
  { std::ofstream(out / "2210046371" / "000" / "f") << "x"; }
  { std::ofstream(out / "notes.txt") << "mine"; }
  { std::ofstream(out / "patients.csv") << "old"; }
  { std::ofstream(out / "ground_truth.csv") << "old"; }
  {
    std::ofstream(out / "facilities.csv") << "facility_id,name,kind,folder\n"
                                             "2210046371,x,hospital,2210046371\n"
                                             "1,x,clinic,..\n"
                                             "6,x,clinic,.\n"
                                             "2,x,clinic,../outside\n"
                                             "3,x,clinic,a/b\n"
                                             "4,x,clinic,\n"
                                             "5\n";
  }
  Status refused = PrepareOutputFolder(out.string(), false);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("not empty"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("--force"), std::string::npos) << refused.message();
  EXPECT_TRUE(fs::exists(out / "patients.csv")) << "nothing is removed without --force";

  ASSERT_TRUE(PrepareOutputFolder(out.string(), true).ok());
  EXPECT_FALSE(fs::exists(out / "2210046371"));
  for (const char* name : {"facilities.csv", "patients.csv", "ground_truth.csv"}) EXPECT_FALSE(fs::exists(out / name)) << name;
  EXPECT_TRUE(fs::exists(out / "notes.txt"));
  EXPECT_TRUE(fs::exists(out / "a" / "b"));
  EXPECT_TRUE(fs::exists(dir_ / "outside"));
}

TEST_F(TablesTest, FacilitiesListTheirTreeFolderOnlyWhenTreesAreWritten) {
  Facility f;
  f.id = "2210046371";
  f.name = "登呂市民病院";
  f.hospital = true;
  f.address = "静岡県静岡市駿河区登呂3-1-1";
  f.phone = "054-000-0000";
  ASSERT_TRUE(WriteFacilities(dir_.string(), {f}, true).ok());
  EXPECT_EQ(Slurp(dir_ / "facilities.csv"),
            "facility_id,name,kind,folder,prefecture,city,address,phone,patient_id_digits\n"
            "2210046371,登呂市民病院,hospital,2210046371,静岡県,静岡市駿河区,静岡県静岡市駿河区登呂3-1-1,054-000-0000,8\n");
  ASSERT_TRUE(WriteFacilities(dir_.string(), {f}, false).ok());
  EXPECT_NE(Slurp(dir_ / "facilities.csv").find("2210046371,登呂市民病院,hospital,,静岡県"), std::string::npos);
  Status s = WriteFacilities((dir_ / "missing").string(), {f}, true);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace renkei::gen
