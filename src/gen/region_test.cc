#include "gen/region.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "gen/facility.h"
#include "gen/test_files.h"
#include "hl7/message.h"
#include "ssmix2/record.h"

namespace renkei::gen {
namespace {

namespace fs = std::filesystem;

std::vector<std::vector<std::string>> Csv(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cols.push_back(c);
    rows.push_back(cols);
  }
  return rows;
}

// Every file under root, relative path → bytes.
std::map<std::string, std::string> Tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), root).string()] = Slurp(e.path());
  }
  return out;
}

class RegionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("renkei-gen-{}-{}", ::getpid(),
                                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  RegionOptions Small(const std::string& name, uint64_t seed = 7) {
    RegionOptions o;
    o.population.facilities = 4;
    o.population.persons = 80;
    o.population.years = 2;
    o.population.seed = seed;
    o.out = (dir_ / name).string();
    return o;
  }

  fs::path dir_;
};

TEST_F(RegionTest, SameSeedGivesByteIdenticalOutputAndAnotherSeedDoesNot) {
  RegionOptions options = Small("a");
  options.population.persons = 50;
  auto a = GenerateRegion(options);
  RegionOptions synchronous = options;
  synchronous.out = (dir_ / "b").string();
  synchronous.writer_threads = 0;  // the writer threads change when files are written, not what
  auto b = GenerateRegion(synchronous);
  RegionOptions other = options;
  other.out = (dir_ / "c").string();
  other.population.seed = 8;
  auto c = GenerateRegion(other);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok() && c.ok());
  auto ta = Tree(dir_ / "a"), tb = Tree(dir_ / "b"), tc = Tree(dir_ / "c");
  EXPECT_GT(ta.size(), 300u);
  EXPECT_EQ(static_cast<int64_t>(ta.size()), a->files + 3);  // + facilities.csv, patients.csv, ground_truth.csv
  EXPECT_TRUE(ta == tb) << "same seed, different output";
  EXPECT_NE(ta, tc);
  EXPECT_NE(ta["ground_truth.csv"], tc["ground_truth.csv"]);
  EXPECT_NE(ta["patients.csv"], tc["patients.csv"]);
  EXPECT_EQ(a->files, b->files);
}

TEST_F(RegionTest, EveryFileDecodesParsesAndPassesInspectionWithoutDefects) {
  auto s = GenerateRegion(Small("r"));
  ASSERT_TRUE(s.ok());
  std::set<std::string> types;
  int64_t files = 0, documents = 0;
  for (const auto& fac : Csv(dir_ / "r" / "facilities.csv")) {
    if (fac[0] == "facility_id") continue;
    for (const auto& [relative, bytes] : Tree(dir_ / "r" / fac[3])) {
      ssmix2::Inspection ins = ssmix2::Inspect(relative, bytes);
      ++files;
      for (const auto& d : ins.defects) ADD_FAILURE() << relative << ": " << ssmix2::DefectKindName(d.kind) << " " << d.detail;
      if (ins.path.extended) {
        ++documents;
        EXPECT_NE(bytes.find("退院時サマリ"), std::string::npos);
        continue;
      }
      ASSERT_FALSE(ins.decoded.empty()) << relative;
      EXPECT_TRUE(hl7::Parse(ins.decoded).ok()) << relative;
      types.insert(ins.path.key.data_type);
    }
  }
  EXPECT_EQ(files, s->files);
  EXPECT_EQ(documents, s->documents);
  for (const char* t : {"ADT-00", "ADT-12", "ADT-22", "ADT-52", "ADT-61", "PPR-01", "OMP-01", "OML-11", "OMG-01"}) {
    EXPECT_TRUE(types.contains(t)) << t;
  }
  EXPECT_GT(documents, 0);
}

TEST_F(RegionTest, GroundTruthAndPatientsMatchTheTreesAndLinkVariantRecords) {
  auto summary = GenerateRegion(Small("r"));
  ASSERT_TRUE(summary.ok());
  const fs::path root = dir_ / "r";
  // Demographics of every registration, from its current ADT-00.
  std::map<std::pair<std::string, std::string>, ssmix2::Demographics> adt00;
  std::set<std::pair<std::string, std::string>> patient_folders;
  for (const auto& fac : Csv(root / "facilities.csv")) {
    if (fac[0] == "facility_id") continue;
    EXPECT_EQ(fac[0].size(), 10u);
    EXPECT_TRUE(fac[2] == "hospital" || fac[2] == "clinic");
    for (const auto& [relative, bytes] : Tree(root / fac[3])) {
      ssmix2::Inspection ins = ssmix2::Inspect(relative, bytes);
      patient_folders.insert({fac[0], ins.path.key.patient_id});
      if (ins.demographics) adt00[{fac[0], ins.path.key.patient_id}] = *ins.demographics;  // files sort by time
    }
  }
  std::map<std::string, std::vector<ssmix2::Demographics>> by_person;
  std::set<std::pair<std::string, std::string>> registrations;
  auto truth = Csv(root / "ground_truth.csv");
  auto patients = Csv(root / "patients.csv");  // no generated cell holds a comma, so no cell is quoted
  ASSERT_EQ(truth.front(), (std::vector<std::string>{"record_id", "person_id", "facility_id", "local_patient_id"}));
  ASSERT_EQ(patients.front(),
            (std::vector<std::string>{"record_id", "facility", "local_id", "family_kanji", "given_kanji", "family_kana",
                                      "given_kana", "birth_date", "sex", "postal_code", "address", "phone"}));
  ASSERT_EQ(truth.size(), patients.size());
  ASSERT_EQ(static_cast<int64_t>(truth.size()), summary->registrations + 1);
  int with_phone = 0;
  for (size_t i = 1; i < truth.size(); ++i) {
    const auto& row = truth[i];
    ASSERT_EQ(row.size(), 4u);
    EXPECT_EQ(row[0], row[2] + ":" + row[3]);
    auto it = adt00.find({row[2], row[3]});
    ASSERT_NE(it, adt00.end()) << "no ADT-00 for " << row[2] << "/" << row[3];
    EXPECT_TRUE(registrations.insert({row[2], row[3]}).second) << "local ID used twice";
    const ssmix2::Demographics& d = it->second;
    EXPECT_FALSE(d.kanji_family.empty());
    EXPECT_FALSE(d.kana_family.empty());
    EXPECT_NE(d.kanji_family, d.kana_family) << "kanji and kana are both present and differ";
    EXPECT_EQ(d.birth_date.size(), 8u);
    EXPECT_TRUE(d.sex == "M" || d.sex == "F");
    by_person[row[1]].push_back(d);
    // The patients.csv row is the registration's last ADT-00 as written.
    std::vector<std::string> p = patients[i];
    p.resize(12);  // an empty last cell (no phone) ends the line with a comma
    EXPECT_EQ(p[0], row[0]);
    EXPECT_EQ(p[1], row[2]);
    EXPECT_EQ(p[2], row[3]);
    EXPECT_EQ(p[2], d.patient_id);
    const std::vector<std::string> from_tree = {d.kanji_family, d.kanji_given, d.kana_family, d.kana_given, d.birth_date,
                                                d.sex, d.postal_code, d.address, d.phone};
    EXPECT_EQ(std::vector<std::string>(p.begin() + 3, p.end()), from_tree) << row[0];
    with_phone += !d.phone.empty();
  }
  EXPECT_EQ(registrations, patient_folders) << "every patient folder is in the ground truth and back";
  EXPECT_GT(with_phone, 0);
  int multi = 0, differing = 0;
  for (const auto& [person, records] : by_person) {
    if (records.size() < 2) continue;
    ++multi;
    for (const auto& r : records) EXPECT_EQ(r.birth_date, records[0].birth_date) << person;
    bool differ = false;
    for (const auto& r : records) {
      differ |= r.kanji_family != records[0].kanji_family || r.kanji_given != records[0].kanji_given ||
                r.kana_family != records[0].kana_family || r.kana_given != records[0].kana_given;
    }
    differing += differ;
  }
  EXPECT_GT(multi, 80 * 0.25) << "about 40% of persons attend several facilities";
  EXPECT_GT(differing, 3) << "some of them are recorded with different names";
}

TEST_F(RegionTest, AbnormalFlagsAgreeWithTheReferenceRanges) {
  ASSERT_TRUE(GenerateRegion(Small("r")).ok());
  int checked = 0, high = 0, low = 0;
  for (const auto& [relative, bytes] : Tree(dir_ / "r")) {
    if (relative.find("/OML-11/") == std::string::npos) continue;
    ssmix2::Inspection ins = ssmix2::Inspect(relative.substr(relative.find('/') + 1), bytes);
    auto m = hl7::Parse(ins.decoded);
    ASSERT_TRUE(m.ok());
    for (size_t i : m->FindAll("OBX")) {
      const double v = std::stod(m->GetAt(i, 5));
      const std::string range = m->GetAt(i, 7), flag = m->GetAt(i, 8);
      std::string want;
      if (range.starts_with(">")) {
        if (v <= std::stod(range.substr(1))) want = "L";
      } else {
        const size_t dash = range.find('-');
        ASSERT_NE(dash, std::string::npos) << range;
        if (v < std::stod(range.substr(0, dash))) want = "L";
        if (v > std::stod(range.substr(dash + 1))) want = "H";
      }
      EXPECT_EQ(flag, want) << relative << " " << m->GetAt(i, 3) << " " << v << " " << range;
      ++checked;
      high += flag == "H";
      low += flag == "L";
    }
  }
  EXPECT_GT(checked, 200);
  EXPECT_GT(high, 0);
  EXPECT_GT(low, 0);
}

TEST_F(RegionTest, KeepsVersionsDeletionsAndHalfWidthKanaAsRealSystemsWrite) {
  RegionOptions o = Small("r");
  o.population.facilities = 10;
  o.population.hospitals = 2;
  o.population.persons = 150;
  ASSERT_TRUE(GenerateRegion(o).ok());
  std::map<std::string, int> versions;  // record key (path without timestamp) → files
  int deleted = 0, halfwidth = 0;
  for (const auto& [relative, bytes] : Tree(dir_ / "r")) {
    if (relative.ends_with(".csv") || relative.ends_with(".txt")) continue;
    ssmix2::Inspection ins = ssmix2::Inspect(relative.substr(relative.find('/') + 1), bytes);
    const auto& k = ins.path.key;
    ++versions[relative.substr(0, relative.find('/')) + k.patient_id + k.date + k.data_type + k.order_number];
    deleted += ins.path.flag == ssmix2::ConditionFlag::kDeleted;
    if (bytes.find("ISO IR13") != std::string::npos) {
      ++halfwidth;
      EXPECT_NE(bytes.find("\x1b(I"), std::string::npos) << "IR13 is declared only when half-width kana occur";
    }
  }
  int superseded = 0;
  for (const auto& [key, n] : versions) superseded += n > 1;
  EXPECT_GT(superseded, 10);
  EXPECT_GT(deleted, 0);
  EXPECT_GT(halfwidth, 0);
}

TEST_F(RegionTest, RefusesANonEmptyFolderUnlessForcedAndThenReplacesTheRegion) {
  RegionOptions o = Small("r");
  fs::create_directories(o.out);
  { std::ofstream(fs::path(o.out) / "notes.txt") << "mine"; }
  auto refused = GenerateRegion(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("not empty"), std::string::npos);
  o.force = true;
  ASSERT_TRUE(GenerateRegion(o).ok());
  o.population.persons = 10;  // a smaller region replaces the larger one: none of its trees' files remain
  auto small = GenerateRegion(o);
  ASSERT_TRUE(small.ok());
  auto tree = Tree(o.out);
  EXPECT_EQ(static_cast<int64_t>(tree.size()), small->files + 4);  // + the three CSV files and notes.txt
  EXPECT_EQ(tree["notes.txt"], "mine") << "--force removes only what a region wrote";
}

TEST(RegionOptions, InvalidValuesNameTheOption) {
  RegionOptions o;
  o.out = "/tmp/x";
  EXPECT_TRUE(ValidateRegionOptions(o).ok());
  auto bad = [&](auto change, std::string_view want) {
    RegionOptions c = o;
    change(c);
    Status s = ValidateRegionOptions(c);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << want;
    EXPECT_NE(s.message().find(want), std::string::npos) << s.message();
  };
  bad([](RegionOptions& c) { c.population.persons = 0; }, "--patients");
  bad([](RegionOptions& c) { c.population.facilities = 0; }, "--facilities");
  bad([](RegionOptions& c) { c.population.hospitals = 9; }, "--hospitals");
  bad([](RegionOptions& c) { c.population.years = 0; }, "--years");
  bad([](RegionOptions& c) { c.records_per_year = -1; }, "--records-per-year");
  bad([](RegionOptions& c) { c.population.end_date = "2026-13-01"; }, "--end-date");
  bad([](RegionOptions& c) { c.writer_threads = 17; }, "--threads");
  bad([](RegionOptions& c) { c.out.clear(); }, "--out");
}

TEST(Facilities, LocalIdsAreDistinctAndHaveTheFacilityFormat) {
  auto facilities = MakeFacilities(3, 6, 3);
  std::set<std::string> ids;
  for (const Facility& f : facilities) {
    EXPECT_TRUE(ids.insert(f.id).second);
    EXPECT_GE(f.patient_id_digits, 7);
    EXPECT_LE(f.patient_id_digits, 10);
    std::set<std::string> local;
    for (uint64_t n = 0; n < 5000; ++n) {
      std::string id = f.LocalPatientId(n);
      ASSERT_EQ(static_cast<int>(id.size()), f.patient_id_digits);
      ASSERT_TRUE(local.insert(id).second) << f.id << " repeats " << id;
    }
  }
}

}  // namespace
}  // namespace renkei::gen
