// One conformance suite for every Store backend: SQLite and PostgreSQL must behave alike.
// Each test gets a database of its own from sql::TestDatabase (sql/test_database.h).
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "sql/test_database.h"
#include "store/store.h"

namespace renkei::store {
namespace {

using ssmix2::ConditionFlag;

class StoreConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = sql::TestDatabase::Create(GetParam(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    url_ = db_->url();
    auto store = Store::Open(url_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  static VersionInput Version(std::string order, std::string ts, ConditionFlag flag = ConditionFlag::kValid) {
    VersionInput v;
    v.key = {"9999013", "20110701", "OMP-01", std::move(order)};
    v.timestamp = std::move(ts);
    v.department = "01";
    v.flag = flag;
    v.path = ssmix2::MakePath(v.key, v.timestamp, v.department, flag);
    v.message_type = "RDE^O11";
    v.raw = std::string("MSH|^~\\&|\x1b$B4µ\x1b(B\r\0\xff", 20);  // bytes, with NUL and 0xFF
    v.decoded = "MSH|^~\\&|患者\r";
    return v;
  }

  std::unique_ptr<sql::TestDatabase> db_;  // outlives store_, whose connection must close first
  std::string url_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreConformanceTest, KeepsVersionsAndComputesStatusFromTheNewest) {
  auto r = store_->PutVersion(Version("000000000000001", "20110701000000000"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, PutOutcome::kNewRecord);
  EXPECT_EQ(r->status, RecordStatus::kValid);

  // The same file again is unchanged; a newer version replaces it; an older one is history.
  EXPECT_EQ(store_->PutVersion(Version("000000000000001", "20110701000000000"))->outcome, PutOutcome::kUnchanged);
  auto newer = store_->PutVersion(Version("000000000000001", "20110702000000000"));
  EXPECT_EQ(newer->outcome, PutOutcome::kNewerVersion);
  EXPECT_TRUE(newer->is_current);
  auto older = store_->PutVersion(Version("000000000000001", "20110630000000000"));
  EXPECT_EQ(older->outcome, PutOutcome::kOlderVersion);
  EXPECT_FALSE(older->is_current);
  EXPECT_EQ(older->status, RecordStatus::kValid);

  // A deletion (flag 0) newer than everything deletes the record; nothing is lost.
  auto del = store_->PutVersion(Version("000000000000001", "20110703000000000", ConditionFlag::kDeleted));
  EXPECT_EQ(del->status, RecordStatus::kDeleted);
  auto versions = store_->ListVersions(r->record_id);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 4u);
  EXPECT_EQ((*versions)[0].timestamp, "20110630000000000");
  EXPECT_EQ((*versions)[3].flag, ConditionFlag::kDeleted);
  EXPECT_EQ((*versions)[1].raw, Version("", "").raw);  // binary bytes round-trip
  EXPECT_EQ((*versions)[1].decoded, "MSH|^~\\&|患者\r");

  auto record = store_->GetRecord(r->record_id);
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->status, RecordStatus::kDeleted);
  EXPECT_EQ((*record)->version_count, 4);
  EXPECT_EQ((*record)->timestamp, "20110703000000000");
}

// A record of `order` dated `day` holding an Observation and a DiagnosticReport, with its event.
void PutLabRecord(Store& store, const std::string& order, const std::string& day, ConditionFlag flag = ConditionFlag::kValid) {
  VersionInput v;
  v.key = {"P1", day, "OML-11", order};
  v.timestamp = day + "120000000";
  v.department = "01";
  v.flag = flag;
  v.path = ssmix2::MakePath(v.key, v.timestamp, v.department, flag);
  v.message_type = "OUL^R22";
  v.raw = v.decoded = "MSH|^~\\&|\r";
  auto put = store.PutVersion(v);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  fhir::Mapping m;
  m.entities.push_back({"Observation", "o" + order, {{"resourceType", "Observation"}, {"id", "o" + order}}});
  m.entities.push_back({"DiagnosticReport", "r" + order, {{"resourceType", "DiagnosticReport"}, {"id", "r" + order}}});
  fhir::Event e;
  e.type = fhir::EventType::kLabResult;
  e.occurred_at = day.substr(0, 4) + "-" + day.substr(4, 2) + "-" + day.substr(6, 2) + "T12:00:00+09:00";
  e.sort_key = day + "120000";
  e.title = "検査結果";
  m.event = e;
  ASSERT_TRUE(store.PutMapping(*put, v.key, m).ok());
}

TEST_P(StoreConformanceTest, ListsAPatientsResourcesByTypeNewestFirstWithTheirEvents) {
  PutLabRecord(*store_, "000000000000001", "20240110");
  PutLabRecord(*store_, "000000000000002", "20240310");
  PutLabRecord(*store_, "000000000000003", "20240210");
  PutLabRecord(*store_, "000000000000003", "20240210", ConditionFlag::kDeleted);  // entered in error: left out
  auto page = store_->ListResources({.patient_id = "P1", .resource_types = {"Observation"}});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->resources.size(), 2u);
  EXPECT_FALSE(page->more);
  EXPECT_EQ(page->resources[0].entity.reference, "Observation/o000000000000002");
  EXPECT_EQ(page->resources[0].event_type, "lab_result");
  EXPECT_EQ(page->resources[0].sort_key, "20240310120000");
  EXPECT_EQ(page->resources[0].occurred_at, "2024-03-10T12:00:00+09:00");
  EXPECT_EQ(page->resources[0].entity.resource["meta"]["versionId"], std::to_string(page->resources[0].entity.version_id));
  EXPECT_EQ(page->resources[1].entity.reference, "Observation/o000000000000001");

  auto all = store_->ListResources({.patient_id = "P1", .from_date = "2024-03-01", .to_date = "2024-03-31"});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->resources.size(), 2u);  // the March record's report and observation
  EXPECT_EQ(all->resources[0].entity.reference, "DiagnosticReport/r000000000000002");
  auto one = store_->ListResources({.patient_id = "P1", .resource_types = {"Observation", "DiagnosticReport"}, .limit = 3});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->resources.size(), 3u);
  EXPECT_TRUE(one->more);
  EXPECT_TRUE(store_->ListResources({.patient_id = "P2"})->resources.empty());
  EXPECT_EQ(store_->ListResources({.patient_id = "P1", .resource_types = {"Obs%"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListResources({.patient_id = "P1", .from_date = "2024-02-30"}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, ARenamedFileUpdatesItsVersionAndStatus) {
  ASSERT_TRUE(store_->PutVersion(Version("000000000000002", "20110701000000000")).ok());
  // The source marks the same file superseded by renaming it with flag 2.
  auto renamed = store_->PutVersion(Version("000000000000002", "20110701000000000", ConditionFlag::kSuperseded));
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  EXPECT_EQ(renamed->outcome, PutOutcome::kRenamed);
  EXPECT_EQ(renamed->status, RecordStatus::kSuperseded);
  auto versions = store_->ListVersions(renamed->record_id);
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].flag, ConditionFlag::kSuperseded);
  EXPECT_TRUE((*versions)[0].path.ends_with("_2"));
}

TEST_P(StoreConformanceTest, ChangedBytesUnderTheSameNameReplaceTheVersion) {
  VersionInput v = Version("000000000000003", "20110701000000000");
  ASSERT_TRUE(store_->PutVersion(v).ok());
  v.raw = "fixed";
  v.warnings = {{ssmix2::DefectKind::kPatientIdMismatch, "PID-3 '1' differs"}};
  auto r = store_->PutVersion(v);
  EXPECT_EQ(r->outcome, PutOutcome::kContentChanged);
  auto versions = store_->ListVersions(r->record_id);
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].raw, "fixed");
  ASSERT_EQ((*versions)[0].warnings.size(), 1u);
  EXPECT_EQ((*versions)[0].warnings[0].kind, ssmix2::DefectKind::kPatientIdMismatch);
  auto records = store_->ListRecords("9999013");
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].warning_count, 1);
}

TEST_P(StoreConformanceTest, KeepsTheNewestDemographics) {
  ssmix2::Demographics d{"9999013", "患者", "太郎", "カンジャ", "タロウ", "19480405", "M", "422-8033", "静岡県", "054"};
  EXPECT_TRUE(*store_->PutPatient(d, "20111220224447339"));
  ssmix2::Demographics old = d;
  old.address = "旧住所";
  EXPECT_FALSE(*store_->PutPatient(old, "20100101000000000"));
  auto p = store_->GetPatient("9999013");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->demographics, d);
  ssmix2::Demographics moved = d;
  moved.address = "東京都港区";
  EXPECT_TRUE(*store_->PutPatient(moved, "20120101000000000"));
  EXPECT_EQ((*store_->GetPatient("9999013"))->demographics.address, "東京都港区");
  EXPECT_FALSE(store_->GetPatient("nobody")->has_value());
  EXPECT_EQ(store_->ListPatients(10, 0)->size(), 1u);
}

TEST_P(StoreConformanceTest, QuarantineIsListedUpdatedAndResolved) {
  std::vector<ssmix2::Defect> defects = {{ssmix2::DefectKind::kHl7Syntax, "segment 9: second MSH"}};
  auto id = store_->Quarantine("/root", "a/b/c", defects, std::string("\0\x1b", 2));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  // Seen again: the same open entry is updated, not duplicated.
  defects.push_back({ssmix2::DefectKind::kEncoding, "byte 0: 8-bit byte"});
  EXPECT_EQ(*store_->Quarantine("/root", "a/b/c", defects, "x"), *id);
  auto list = store_->ListQuarantine(false);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].defects.size(), 2u);
  EXPECT_EQ((*list)[0].raw, "x");
  EXPECT_TRUE(*store_->ResolveQuarantine("a/b/c", "imported after fix"));
  EXPECT_FALSE(*store_->ResolveQuarantine("a/b/c", "again"));
  EXPECT_TRUE(store_->ListQuarantine(false)->empty());
  auto all = store_->ListQuarantine(true);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].state, QuarantineState::kResolved);
  EXPECT_EQ((*all)[0].resolution, "imported after fix");
  // A new defect after resolution opens a new entry; history stays.
  EXPECT_NE(*store_->Quarantine("/root", "a/b/c", defects, "y"), *id);
  EXPECT_EQ(store_->ListQuarantine(true)->size(), 2u);
  // By path prefix: only the entries under it, '%' and '_' taken literally.
  ASSERT_TRUE(store_->Quarantine("/up", "upload/x_1.csv#line=2", defects, "r").ok());
  ASSERT_TRUE(store_->Quarantine("/up", "upload/xa1.csv#line=3", defects, "r").ok());
  auto under = store_->ListQuarantine(false, "upload/x_1.csv");
  ASSERT_TRUE(under.ok()) << under.status().ToString();
  ASSERT_EQ(under->size(), 1u);
  EXPECT_EQ((*under)[0].path, "upload/x_1.csv#line=2");
  EXPECT_EQ(store_->ListQuarantine(true, "a/b")->size(), 2u);
  EXPECT_EQ(store_->ListQuarantine(false, "")->size(), 3u);
  EXPECT_FALSE(store_->GetQuarantine(99999)->has_value());
}

TEST_P(StoreConformanceTest, RemembersFilesAndCounts) {
  EXPECT_FALSE(store_->GetFile("x")->has_value());
  ASSERT_TRUE(store_->PutFile({"x", 10, 123456789012345678, "imported"}).ok());
  ASSERT_TRUE(store_->PutFile({"x", 11, 123456789012345679, "quarantined"}).ok());
  auto f = store_->GetFile("x");
  ASSERT_TRUE(f->has_value());
  EXPECT_EQ((*f)->size, 11);
  EXPECT_EQ((*f)->mtime_ns, 123456789012345679);
  EXPECT_EQ((*f)->outcome, "quarantined");

  ASSERT_TRUE(store_->PutVersion(Version("000000000000001", "20110701000000000")).ok());
  ASSERT_TRUE(store_->PutVersion(Version("000000000000002", "20110701000000000", ConditionFlag::kDeleted)).ok());
  auto c = store_->Counts();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->records, 2);
  EXPECT_EQ(c->valid, 1);
  EXPECT_EQ(c->deleted, 1);
  EXPECT_EQ(c->patients, 1);
}

TEST_P(StoreConformanceTest, APatientsEntitiesAreListedWholeOrOneRecordAtATime) {
  const auto put = [&](std::string order, std::string id) {
    auto put = store_->PutVersion(Version(std::move(order), "20110701120000000"));
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    fhir::Mapping m;
    m.entities.push_back({"MedicationRequest", id, {{"resourceType", "MedicationRequest"}, {"id", id}}});
    EXPECT_TRUE(store_->PutMapping(*put, Version("x", "y").key, m).ok());
    return put->record_id;
  };
  EXPECT_EQ(store_->LastChange().value(), 0);
  const int64_t first = put("000000000000001", "MR1");
  const int64_t second = put("000000000000002", "MR2");
  auto all = store_->ListPatientEntities("9999013");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), 2u);
  auto one = store_->ListPatientEntities("9999013", second);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].reference, "MedicationRequest/MR2");
  EXPECT_EQ((*one)[0].record_id, second);
  EXPECT_NE(first, second);
  EXPECT_TRUE(store_->ListPatientEntities("9999013", second + 100)->empty());
  EXPECT_TRUE(store_->ListPatientEntities("other", first)->empty());
  auto changes = store_->ChangesSince(0, 100);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ(store_->LastChange().value(), changes->back().seq);
}

TEST_P(StoreConformanceTest, TransactionsRollBack) {
  ASSERT_TRUE(store_->Begin().ok());
  ASSERT_TRUE(store_->PutVersion(Version("000000000000009", "20110701000000000")).ok());
  ASSERT_TRUE(store_->Rollback().ok());
  EXPECT_TRUE(store_->ListRecords("9999013")->empty());
  ASSERT_TRUE(store_->Begin().ok());
  ASSERT_TRUE(store_->PutVersion(Version("000000000000009", "20110701000000000")).ok());
  ASSERT_TRUE(store_->Commit().ok());
  EXPECT_EQ(store_->ListRecords("9999013")->size(), 1u);
}

TEST_P(StoreConformanceTest, ReopeningKeepsDataAndSchema) {
  ASSERT_TRUE(store_->PutVersion(Version("000000000000001", "20110701000000000")).ok());
  store_.reset();
  auto again = Store::Open(url_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->ListRecords("9999013")->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(StoreOpenTest, RejectsBadUrlsPrecisely) {
  EXPECT_EQ(Store::Open("mysql://x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Store::Open("sqlite:").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Store::Open("sqlite:/nonexistent-dir/x/y.db").status().code(), StatusCode::kUnavailable);
  auto pg = Store::Open("postgresql://nobody:secret-password@127.0.0.1:1/none?connect_timeout=2");
  EXPECT_EQ(pg.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(pg.status().message().find("secret-password"), std::string::npos) << "password leaked in an error";
}

TEST(StoreOpenTest, RefusesASchemaNewerThanTheProgram) {
  auto path = std::filesystem::temp_directory_path() / ("renkei-newer-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto conn = sql::OpenSqlite(path.string());
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Execute("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT);"
                                 "INSERT INTO schema_migrations VALUES (999, 'x');")
                    .ok());
  }
  auto s = Store::Open("sqlite:" + path.string());
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  std::filesystem::remove(path);
}

TEST(StoreOpenTest, ACorruptFileIsDataLossNotACrash) {
  auto path = std::filesystem::temp_directory_path() / ("renkei-corrupt-" + std::to_string(::getpid()) + ".db");
  { std::ofstream(path) << std::string(8192, 'Z'); }
  auto s = Store::Open("sqlite:" + path.string());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kDataLoss) << s.status().ToString();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace renkei::store
