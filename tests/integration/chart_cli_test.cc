// The clinical layer through the command line: a patient's events, the FHIR export (checked
// against the FHIR R4 JSON schema by an independent validator from npm), entities and their
// lifecycle, and the change feed.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "renkei_cli.h"
#include "text/base64.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using renkei::testing::Result;
using renkei::testing::RunJson;
using renkei::testing::RunRenkei;
using renkei::testing::Slurp;

const fs::path kSample = fs::path(RENKEI_SHARED_DATA_DIR) / "ssmix2-nho" / "sampleData";
const fs::path kOmp01Dir = "999/901/9999013/20110701/OMP-01";
const std::string kOmp01 = "9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1";

// Validates FHIR JSON files with tests/fhir-schema/validate.js (ajv + fhir.schema.json).
Result ValidateFhir(const fs::path& cwd, const std::vector<fs::path>& files) {
  std::string cmd = fmt::format("cd '{}' && node '{}/tests/fhir-schema/validate.js'", cwd.string(), RENKEI_SOURCE_DIR);
  for (const fs::path& f : files) cmd += " '" + f.string() + "'";
  cmd += fmt::format(" > '{}/validate.txt' 2>&1", cwd.string());
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(cwd / "validate.txt"), ""};
}

class ChartCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("renkei-chart-{}-{}", ::getpid(),
                                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    root_ = dir_ / "ssmix2";
    fs::copy(kSample, root_, fs::copy_options::recursive);
    json s = RunJson(dir_, Import());
    ASSERT_EQ(s["imported"], 19);
    ASSERT_EQ(s["events"], 18);
    ASSERT_EQ(s["resources"], 70);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Import() const {
    return fmt::format("edge import --root '{}' --facility 1234567890 --json --log-level off", root_.string());
  }
  json Events(const std::string& extra = "") {
    return RunJson(dir_, "edge events --patient 9999013 --json --log-level off " + extra);
  }

  fs::path dir_;
  fs::path root_;
};

TEST_F(ChartCliTest, EventsAreThePatientsChartNewestFirst) {
  json page = Events();
  EXPECT_EQ(page["facility"], "1234567890");
  ASSERT_EQ(page["events"].size(), 18u);
  EXPECT_TRUE(page["next_cursor"].is_null());
  std::string previous = "9999";
  std::set<std::string> types;
  for (const json& e : page["events"]) {
    EXPECT_LE(e["occurred_at"].get<std::string>().substr(0, 10), previous.substr(0, 10)) << e.dump();
    previous = e["occurred_at"];
    types.insert(e["type"]);
    EXPECT_EQ(e["facility"], "1234567890");
    EXPECT_EQ(e["patient_id"], "9999013");
    EXPECT_FALSE(e["title"].get<std::string>().empty());
    EXPECT_FALSE(e["entity_refs"].empty());
  }
  for (const char* t : {"prescription", "injection", "administration", "lab_order", "lab_result", "diagnosis",
                        "allergy", "admission", "discharge", "transfer", "imaging", "endoscopy", "physiology", "meal"}) {
    EXPECT_TRUE(types.count(t)) << t;
  }
  json rx = Events("--type prescription")["events"];
  ASSERT_EQ(rx.size(), 1u);
  EXPECT_EQ(rx[0]["title"], "処方: ダーゼン錠（５mg) 1錠 内服・経口・１日３回朝昼夕食後 5日分 他2剤");
  EXPECT_EQ(rx[0]["occurred_at"], "2011-07-01T10:30:45+09:00");
  EXPECT_EQ(rx[0]["department"], "内科");
  EXPECT_EQ(rx[0]["practitioner"], "医師 一郎");
  // Each event's entities are there to fetch.
  for (const json& ref : rx[0]["entity_refs"]) {
    json resource = RunJson(dir_, fmt::format("edge entity '{}' --log-level off", ref.get<std::string>()));
    EXPECT_EQ(resource["resourceType"], "MedicationRequest");
    EXPECT_EQ(resource["meta"]["versionId"].get<std::string>().find_first_not_of("0123456789"), std::string::npos);
  }
}

TEST_F(ChartCliTest, FiltersAndPagesConsistently) {
  EXPECT_EQ(Events("--type lab_result --type lab_order")["events"].size(), 2u);
  EXPECT_EQ(Events("--from 2011-12-01 --to 2011-12-31")["events"].size(), 9u);
  EXPECT_EQ(Events("--from 20110701 --to 20110701")["events"].size(), 4u);
  EXPECT_EQ(Events("--department 内科 --type prescription")["events"].size(), 1u);
  EXPECT_EQ(Events("--department 01 --type prescription")["events"].size(), 1u);
  // Pages of 5 cover the 18 events exactly once, in the same order as one page.
  std::vector<json> all;
  std::string cursor;
  int pages = 0;
  do {
    json page = Events("--limit 5" + (cursor.empty() ? "" : " --cursor " + cursor));
    for (const json& e : page["events"]) all.push_back(e);
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 4);
  json one = Events()["events"];
  ASSERT_EQ(all.size(), one.size());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i]["record_id"], one[i]["record_id"]) << i;
}

TEST_F(ChartCliTest, BadEventQueriesAreRefusedPrecisely) {
  Result r = RunRenkei(dir_, "edge events --patient 9999013 --type labs --log-level off");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown event type 'labs'; one of: visit,"), std::string::npos) << r.err;
  r = RunRenkei(dir_, "edge events --patient 9999013 --cursor 'x;DROP TABLE events' --log-level off");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("malformed cursor"), std::string::npos) << r.err;
  r = RunRenkei(dir_, "edge events --patient 9999013 --from 2011-02-30 --log-level off");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'2011-02-30' is not a date"), std::string::npos) << r.err;
  r = RunRenkei(dir_, "edge events --patient 9999013 --limit 0 --log-level off");
  EXPECT_EQ(r.exit_code, 2);
  r = RunRenkei(dir_, "edge events --patient nobody --log-level off");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("no records for patient nobody"), std::string::npos) << r.err;
  r = RunRenkei(dir_, "edge entity Observation/does-not-exist --log-level off");
  EXPECT_EQ(r.exit_code, 3);
  r = RunRenkei(dir_, "edge entity justanid --log-level off");
  EXPECT_EQ(r.exit_code, 2);
  // The events table is intact after the hostile cursor.
  EXPECT_EQ(Events()["events"].size(), 18u);
}

TEST_F(ChartCliTest, ExportIsAValidFhirR4Bundle) {
  Result r = RunRenkei(dir_, "edge export --patient 9999013 --log-level off");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json bundle = json::parse(r.out);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "collection");
  ASSERT_EQ(bundle["entry"].size(), 70u);
  std::set<std::string> types;
  for (const json& e : bundle["entry"]) types.insert(e["resource"]["resourceType"]);
  for (const char* t : {"Patient", "Encounter", "AllergyIntolerance", "Condition", "MedicationRequest",
                        "MedicationAdministration", "ServiceRequest", "Specimen", "DiagnosticReport", "Observation",
                        "ImagingStudy", "NutritionOrder"}) {
    EXPECT_TRUE(types.count(t)) << t;
  }
  std::ofstream(dir_ / "bundle.json") << r.out;
  Result v = ValidateFhir(dir_, {dir_ / "bundle.json"});
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_NE(v.out.find("\"resources\":70,\"errors\":[]"), std::string::npos) << v.out;

  // The validator is not a rubber stamp: the same bundle with one bad value fails.
  bundle["entry"][0]["resource"]["id"] = "not a valid id";
  std::ofstream(dir_ / "broken.json") << bundle.dump();
  v = ValidateFhir(dir_, {dir_ / "broken.json"});
  EXPECT_EQ(v.exit_code, 1) << v.out;
  EXPECT_NE(v.out.find("entry 0"), std::string::npos) << v.out;
}

TEST_F(ChartCliTest, ExportCarriesAStoredDocumentAsTheBinaryItsReferencePointsAt) {
  // A discharge summary filed in the extended storage, as a facility's system writes one.
  const std::string summary = "退院時サマリー\n経過: 軽快退院。\n";
  const fs::path folder = root_ / "999/901/9999013/20240501/DS01^退院時サマリ^99RENKEI^18842-5^退院時サマリー^LN" /
                          "9999013_20240501_18842-5_000000000000001_20240501120000000_01_1";
  fs::create_directories(folder);
  std::ofstream(folder / "summary.txt") << summary;
  json s = RunJson(dir_, Import());
  ASSERT_EQ(s["imported"], 1) << s.dump();

  Result r = RunRenkei(dir_, "edge export --patient 9999013 --log-level off");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json bundle = json::parse(r.out);
  ASSERT_EQ(bundle["entry"].size(), 72u) << "the 70 resources, the DocumentReference and its Binary";
  std::vector<json> references;
  std::vector<json> binaries;
  for (const json& e : bundle["entry"]) {
    if (e["resource"]["resourceType"] == "DocumentReference") references.push_back(e["resource"]);
    if (e["resource"]["resourceType"] == "Binary") binaries.push_back(e["resource"]);
  }
  ASSERT_EQ(references.size(), 1u);
  ASSERT_EQ(binaries.size(), 1u);
  const json& attachment = references[0]["content"][0]["attachment"];
  EXPECT_EQ(attachment["url"], "Binary/" + binaries[0]["id"].get<std::string>());
  EXPECT_EQ(binaries[0]["contentType"], "text/plain");
  auto data = renkei::text::Base64Decode(binaries[0]["data"].get<std::string>());
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, summary);
  std::ofstream(dir_ / "bundle.json") << r.out;
  Result v = ValidateFhir(dir_, {dir_ / "bundle.json"});
  EXPECT_EQ(v.exit_code, 0) << v.out;
}

TEST_F(ChartCliTest, EveryResourceOfAGeneratedRegionIsValidFhir) {
  Result gen = RunRenkei(dir_, "gen region --facilities 2 --patients 40 --years 3 --seed 5 --out region --json --log-level off");
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::vector<fs::path> bundles;
  int resources = 0;
  for (const auto& facility : fs::directory_iterator(dir_ / "region")) {
    if (!facility.is_directory()) continue;
    const std::string id = facility.path().filename().string();
    json s = RunJson(dir_, fmt::format("edge import --root '{}' --store 'sqlite:{}.db' --facility {} --json --log-level off",
                                       facility.path().string(), id, id));
    EXPECT_EQ(s["quarantined"], 0);
    EXPECT_GT(s["events"].get<int>(), 0);
    json patients = RunJson(dir_, fmt::format("edge patients --store 'sqlite:{}.db' --json --log-level off", id));
    for (const json& p : patients) {
      const std::string local = p["patient_id"];
      Result r = RunRenkei(dir_, fmt::format("edge export --patient {} --store 'sqlite:{}.db' --log-level off", local, id));
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const fs::path file = dir_ / fmt::format("{}-{}.json", id, local);
      std::ofstream(file) << r.out;
      resources += static_cast<int>(json::parse(r.out)["entry"].size());
      bundles.push_back(file);
    }
  }
  ASSERT_GT(bundles.size(), 40u);
  Result v = ValidateFhir(dir_, bundles);
  EXPECT_EQ(v.exit_code, 0) << v.out.substr(0, 4000);
  EXPECT_EQ(v.out.find("\"errors\":[\""), std::string::npos) << v.out.substr(0, 4000);
  EXPECT_GT(resources, 1000);
}

TEST_F(ChartCliTest, SupersededAndDeletedRecordsCarryThrough) {
  const std::string ref = Events("--type prescription")["events"][0]["entity_refs"][0];
  const std::string first_version =
      RunJson(dir_, fmt::format("edge entity '{}' --log-level off", ref))["meta"]["versionId"];
  // The EMR rewrites the prescription: 7 days instead of 5, under a newer timestamp.
  std::string bytes = Slurp(root_ / kOmp01Dir / kOmp01);
  const size_t days = bytes.find("|||5^d|");
  ASSERT_NE(days, std::string::npos);
  bytes.replace(days, 7, "|||7^d|");
  const std::string newer = "9999013_20110701_OMP-01_000000011000185_20110702090000000_01_1";
  std::ofstream(root_ / kOmp01Dir / newer, std::ios::binary) << bytes;
  json s = RunJson(dir_, Import());
  EXPECT_EQ(s["imported"], 1);
  json rx = Events("--type prescription")["events"];
  ASSERT_EQ(rx.size(), 1u);
  EXPECT_EQ(rx[0]["title"], "処方: ダーゼン錠（５mg) 1錠 内服・経口・１日３回朝昼夕食後 7日分 他2剤");
  EXPECT_EQ(rx[0]["entity_refs"][0], ref) << "a record's resources keep their IDs across versions";
  json current = RunJson(dir_, fmt::format("edge entity '{}' --log-level off", ref));
  EXPECT_EQ(current["dosageInstruction"][0]["timing"]["repeat"]["boundsDuration"]["value"], 7);
  const std::string current_version = current["meta"]["versionId"];
  EXPECT_NE(current_version, first_version);
  // The old version is still there, marked superseded and pointing to its replacement.
  json old = RunJson(dir_, fmt::format("edge entity '{}' --version {} --log-level off", ref, first_version));
  EXPECT_EQ(old["dosageInstruction"][0]["timing"]["repeat"]["boundsDuration"]["value"], 5);
  EXPECT_EQ(old["meta"]["tag"][0]["code"], "superseded");
  EXPECT_EQ(old["extension"][0]["valueReference"]["reference"], ref + "/_history/" + current_version);

  // Then the order is deleted at the source (condition flag 0).
  fs::rename(root_ / kOmp01Dir / newer, root_ / kOmp01Dir / (newer.substr(0, newer.size() - 1) + "0"));
  RunJson(dir_, Import());
  EXPECT_EQ(Events("--type prescription")["events"].size(), 0u) << "deleted records leave the chart";
  json all = Events("--type prescription --all")["events"];
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["status"], "deleted");
  json gone = RunJson(dir_, fmt::format("edge entity '{}' --log-level off", ref));
  EXPECT_EQ(gone["status"], "entered-in-error") << "never lost, marked";

  // The change feed tells a follower all of it, in order.
  json feed = RunJson(dir_, "edge changes --json --log-level off");
  std::vector<std::string> kinds;
  for (const json& c : feed["changes"]) {
    if (c["data_type"] == "OMP-01") kinds.push_back(c["kind"]);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"created", "updated", "deleted"}));
  const int64_t last = feed["next_since"];
  EXPECT_EQ(RunJson(dir_, fmt::format("edge changes --json --since {} --log-level off", last))["changes"].size(), 0u);
  json tail = RunJson(dir_, fmt::format("edge changes --json --since {} --log-level off", last - 1));
  ASSERT_EQ(tail["changes"].size(), 1u);
  EXPECT_EQ(tail["changes"][0]["kind"], "deleted");
}

TEST_F(ChartCliTest, ARepositoryBelongsToOneFacility) {
  Result r = RunRenkei(dir_, fmt::format("edge import --root '{}' --facility 9999999999 --log-level off", root_.string()));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("belongs to facility '1234567890'"), std::string::npos) << r.err;
  // Without --facility, the repository's own is used.
  EXPECT_EQ(Events()["facility"], "1234567890");
}

}  // namespace
