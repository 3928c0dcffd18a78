#include "edge/upload.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace renkei::edge {
namespace {

namespace fs = std::filesystem;

constexpr char kHeader[] = "kind,patient_id,date,time,department_code,name,code,code_system,updated_at\n";

class UploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("renkei-upload-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = store::Store::Open("sqlite:" + (dir_ / "edge.db").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    options_.facility_id = "1234567890";
    options_.file_name = "clinic.csv";
    options_.source_dir = dir_.string();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  UploadReport Csv(const std::string& text) {
    auto r = Uploader(*store_, log::Logger::Null()).UploadCsv(options_, text);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : UploadReport{};
  }
  UploadReport Fhir(const std::string& text) {
    options_.file_name = "bundle.json";
    auto r = Uploader(*store_, log::Logger::Null()).UploadFhir(options_, text);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : UploadReport{};
  }
  size_t OpenQuarantine() { return store_->ListQuarantine(false)->size(); }
  std::vector<store::EventRow> Events(const std::string& patient) {
    store::EventQuery q;
    q.patient_id = patient;
    auto page = store_->ListEvents(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->events : std::vector<store::EventRow>{};
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  UploadOptions options_;
};

TEST_F(UploadTest, CorrectionsReplaceOrVersionAsUpdatedAtSays) {
  UploadReport first = Csv(std::string(kHeader) + "diagnosis,1,20240105,,01,胃炎,,,\n");
  ASSERT_EQ(first.created, 1);
  const int64_t record = first.items[0].record_id;
  EXPECT_EQ(Csv(std::string(kHeader) + "diagnosis,1,20240105,,01,胃炎,,,\n").unchanged, 1);
  // The same key and version time, another department: the version's content is replaced.
  UploadReport corrected = Csv(std::string(kHeader) + "diagnosis,1,20240105,,02,胃炎,,,\n");
  EXPECT_EQ(corrected.updated, 1);
  EXPECT_EQ(corrected.items[0].record_id, record) << "the department is not part of a diagnosis's key";
  EXPECT_EQ(store_->ListVersions(record)->size(), 1u);
  // A later updated_at: a new version, the earlier kept as history.
  UploadReport later = Csv(std::string(kHeader) + "diagnosis,1,20240105,,01,胃炎,,,2024-02-01 09:00\n");
  EXPECT_EQ(later.updated, 1);
  EXPECT_EQ(store_->ListVersions(record)->size(), 2u);
  const auto events = Events("1");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event.department, "内科") << "the current version's";
}

TEST_F(UploadTest, AFixedRowResolvesItsEntryOnlyForTheSamePatient) {
  Csv(std::string(kHeader) + "visit,1,20240105,,01,,,,\nvisit,2,2024-13-01,,01,,,,\n");
  ASSERT_EQ(OpenQuarantine(), 1u);
  // Another file of the same name whose line 3 is about another patient: the entry stays.
  UploadReport other = Csv(std::string(kHeader) + "visit,1,20240105,,01,,,,\nvisit,3,20240106,,01,,,,\n");
  EXPECT_EQ(other.resolved, 0);
  EXPECT_EQ(OpenQuarantine(), 1u);
  UploadReport fixed = Csv(std::string(kHeader) + "visit,1,20240105,,01,,,,\nvisit,2,20240106,,01,,,,\n");
  EXPECT_EQ(fixed.resolved, 1);
  EXPECT_EQ(OpenQuarantine(), 0u);
  // Another file's entries are its own.
  options_.file_name = "other.csv";
  Csv(std::string(kHeader) + "visit,9,x,,01,,,,\n");
  options_.file_name = "clinic.csv";
  Csv(std::string(kHeader) + "visit,9,20240106,,01,,,,\n");
  EXPECT_EQ(OpenQuarantine(), 1u);
}

TEST_F(UploadTest, UnusableFilesAreQuarantinedWholeAndResolvedWhenReadable) {
  auto bad = Uploader(*store_, log::Logger::Null()).UploadCsv(options_, "kind,patient,date\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("clinic.csv: line 1, column 2: unknown column 'patient'"), std::string::npos)
      << bad.status().message();
  auto q = store_->ListQuarantine(false);
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].path, "upload/clinic.csv");
  EXPECT_EQ((*q)[0].raw, "kind,patient,date\n");
  UploadReport good = Csv(std::string(kHeader) + "visit,1,20240105,,01,,,,\n");
  EXPECT_EQ(good.resolved, 1);
}

TEST_F(UploadTest, FhirVersionsFollowLastUpdated) {
  auto bundle = [](const char* updated, const char* value) {
    return std::string(R"({"resourceType": "Bundle", "type": "batch", "entry": [
      {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "identifier": [{"value": "1"}]}},
      {"fullUrl": "urn:uuid:o", "resource": {"resourceType": "Observation", "id": "tp", "status": "final",
        "meta": {"lastUpdated": ")") + updated + R"("}, "code": {"text": "総蛋白"},
        "valueQuantity": {"value": )" + value + R"(, "unit": "g/dl"}, "effectiveDateTime": "2024-01-05",
        "subject": {"reference": "urn:uuid:p"}}}]})";
  };
  UploadReport first = Fhir(bundle("2024-01-05T10:00:00+09:00", "7.2"));
  ASSERT_EQ(first.created, 2);
  EXPECT_EQ(Fhir(bundle("2024-01-05T10:00:00+09:00", "7.2")).unchanged, 2);
  UploadReport newer = Fhir(bundle("2024-01-06T10:00:00+09:00", "7.4"));
  EXPECT_EQ(newer.updated, 1);
  EXPECT_EQ(newer.items[1].record_id, first.items[1].record_id) << "the same id: the same record";
  EXPECT_EQ(store_->ListVersions(first.items[1].record_id)->size(), 2u);
  auto entity = store_->GetEntity(first.items[1].reference);
  ASSERT_TRUE(entity.ok() && entity->has_value());
  EXPECT_EQ((*entity)->resource["valueQuantity"]["value"], 7.4);
  EXPECT_EQ(Events("1").at(0).event.title, "検査結果: 総蛋白 7.4 g/dl");
}

TEST_F(UploadTest, ARepositoryOfAnotherFacilityRefusesTheUpload) {
  ASSERT_TRUE(store_->PutSetting("facility_id", "9999999999").ok());
  auto r = Uploader(*store_, log::Logger::Null()).UploadCsv(options_, std::string(kHeader));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace renkei::edge
