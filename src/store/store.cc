#include "store/store.h"

#include "base/time.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace renkei::store {
namespace {

using ssmix2::ConditionFlag;
using ssmix2::Defect;

using sql::Blob;
using sql::Dialect;
using sql::SqlConnection;
using sql::SqlRow;
using sql::SqlValue;

// Schema migrations, in order (sql::Migrate).
constexpr sql::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE records (
  id {id},
  patient_id TEXT NOT NULL,
  record_date TEXT NOT NULL,
  data_type TEXT NOT NULL,
  order_number TEXT NOT NULL,
  content_file TEXT NOT NULL DEFAULT '',
  extended_type TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  current_version_id BIGINT,
  current_ts TEXT NOT NULL,
  department TEXT NOT NULL,
  message_type TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (patient_id, record_date, data_type, order_number, content_file)
);
CREATE INDEX records_by_patient ON records (patient_id, record_date);
CREATE TABLE versions (
  id {id},
  record_id BIGINT NOT NULL REFERENCES records (id),
  file_ts TEXT NOT NULL,
  department TEXT NOT NULL,
  condition_flag BIGINT NOT NULL,
  path TEXT NOT NULL UNIQUE,
  message_type TEXT NOT NULL,
  raw {blob} NOT NULL,
  decoded TEXT NOT NULL,
  warnings TEXT NOT NULL,
  warning_count BIGINT NOT NULL,
  imported_at TEXT NOT NULL
);
CREATE INDEX versions_by_record ON versions (record_id, file_ts);
CREATE TABLE patients (
  patient_id TEXT PRIMARY KEY,
  kanji_family TEXT NOT NULL, kanji_given TEXT NOT NULL,
  kana_family TEXT NOT NULL, kana_given TEXT NOT NULL,
  birth_date TEXT NOT NULL, sex TEXT NOT NULL,
  postal_code TEXT NOT NULL, address TEXT NOT NULL, phone TEXT NOT NULL,
  source_ts TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE quarantine (
  id {id},
  root TEXT NOT NULL,
  path TEXT NOT NULL,
  state TEXT NOT NULL,
  defects TEXT NOT NULL,
  raw {blob} NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  resolved_at TEXT NOT NULL DEFAULT '',
  resolution TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX quarantine_open_path ON quarantine (path) WHERE state = 'open';
CREATE TABLE files (
  path TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  mtime_ns BIGINT NOT NULL,
  outcome TEXT NOT NULL
);
)sql"},
    // The clinical layer: entities per record version, one event per record (its current
    // version's), and the change feed.
    {2, R"sql(
CREATE TABLE entities (
  reference TEXT NOT NULL,
  version_id BIGINT NOT NULL REFERENCES versions (id),
  record_id BIGINT NOT NULL REFERENCES records (id),
  patient_id TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (reference, version_id)
);
CREATE INDEX entities_by_patient ON entities (patient_id, record_id);
CREATE INDEX entities_by_version ON entities (version_id);
CREATE TABLE events (
  record_id BIGINT PRIMARY KEY REFERENCES records (id),
  version_id BIGINT NOT NULL,
  patient_id TEXT NOT NULL,
  data_type TEXT NOT NULL,
  status TEXT NOT NULL,
  event_type TEXT NOT NULL,
  sort_key TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  department_code TEXT NOT NULL,
  department TEXT NOT NULL,
  practitioner TEXT NOT NULL,
  title TEXT NOT NULL,
  abnormal BIGINT NOT NULL,
  entity_refs TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX events_by_patient ON events (patient_id, sort_key, record_id);
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE changes (
  seq {id},
  kind TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  record_id BIGINT NOT NULL,
  data_type TEXT NOT NULL,
  event_type TEXT NOT NULL,
  at TEXT NOT NULL
);
)sql"},
};

std::string DefectsToJson(const std::vector<Defect>& defects) {
  nlohmann::json j = nlohmann::json::array();
  for (const Defect& d : defects) j.push_back({{"kind", ssmix2::DefectKindName(d.kind)}, {"detail", d.detail}});
  return j.dump();
}

std::vector<Defect> DefectsFromJson(const std::string& text) {
  std::vector<Defect> out;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    auto kind = ssmix2::DefectKindFromName(e.value("kind", ""));
    if (kind) out.push_back({*kind, e.value("detail", "")});
  }
  return out;
}

RecordStatus StatusOfFlag(ConditionFlag f) {
  switch (f) {
    case ConditionFlag::kDeleted: return RecordStatus::kDeleted;
    case ConditionFlag::kSuperseded: return RecordStatus::kSuperseded;
    case ConditionFlag::kValid: break;
  }
  return RecordStatus::kValid;
}


constexpr std::string_view kRecordColumns =
    "r.id, r.patient_id, r.record_date, r.data_type, r.order_number, r.content_file, r.extended_type, r.status, "
    "r.current_ts, r.department, r.message_type, "
    "(SELECT COUNT(*) FROM versions v WHERE v.record_id = r.id), "
    "COALESCE((SELECT v.warning_count FROM versions v WHERE v.id = r.current_version_id), 0)";

RecordRow ToRecord(const SqlRow& r) {
  RecordRow out;
  out.id = r.Int(0);
  out.key = {r.Text(1), r.Text(2), r.Text(3), r.Text(4)};
  out.content_file = r.Text(5);
  out.extended_type = r.Text(6);
  out.status = ParseRecordStatus(r.Text(7));
  out.timestamp = r.Text(8);
  out.department = r.Text(9);
  out.message_type = r.Text(10);
  out.version_count = r.Int(11);
  out.warning_count = r.Int(12);
  return out;
}

constexpr std::string_view kPatientColumns =
    "patient_id, kanji_family, kanji_given, kana_family, kana_given, birth_date, sex, postal_code, address, phone, "
    "source_ts, updated_at";

PatientRow ToPatient(const SqlRow& r) {
  PatientRow p;
  p.demographics = {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5),
                    r.Text(6), r.Text(7), r.Text(8), r.Text(9)};
  p.source_timestamp = r.Text(10);
  p.updated_at = r.Text(11);
  return p;
}

constexpr std::string_view kQuarantineColumns =
    "id, root, path, state, defects, raw, first_seen, last_seen, resolved_at, resolution";

QuarantineEntry ToQuarantine(const SqlRow& r) {
  QuarantineEntry q;
  q.id = r.Int(0);
  q.root = r.Text(1);
  q.path = r.Text(2);
  q.state = r.Text(3) == "open" ? QuarantineState::kOpen : QuarantineState::kResolved;
  q.defects = DefectsFromJson(r.Text(4));
  q.raw = r.Text(5);
  q.first_seen = r.Text(6);
  q.last_seen = r.Text(7);
  q.resolved_at = r.Text(8);
  q.resolution = r.Text(9);
  return q;
}

}  // namespace

std::string_view RecordStatusName(RecordStatus s) {
  switch (s) {
    case RecordStatus::kValid: return "valid";
    case RecordStatus::kSuperseded: return "superseded";
    case RecordStatus::kDeleted: return "deleted";
  }
  return "valid";
}

RecordStatus ParseRecordStatus(std::string_view s) {
  if (s == "deleted") return RecordStatus::kDeleted;
  if (s == "superseded") return RecordStatus::kSuperseded;
  return RecordStatus::kValid;
}

std::string_view PutOutcomeName(PutOutcome o) {
  switch (o) {
    case PutOutcome::kNewRecord: return "new_record";
    case PutOutcome::kNewerVersion: return "newer_version";
    case PutOutcome::kOlderVersion: return "older_version";
    case PutOutcome::kRenamed: return "renamed";
    case PutOutcome::kUnchanged: return "unchanged";
    case PutOutcome::kContentChanged: return "content_changed";
  }
  return "unchanged";
}

StatusOr<std::unique_ptr<Store>> Store::Open(std::string_view url) {
  RENKEI_ASSIGN_OR_RETURN(auto conn, sql::Open(url));
  return FromConnection(std::move(conn));
}

StatusOr<std::unique_ptr<Store>> Store::FromConnection(std::unique_ptr<SqlConnection> conn) {
  std::unique_ptr<Store> store(new Store(std::move(conn)));
  RENKEI_RETURN_IF_ERROR(store->Migrate());
  return store;
}

int64_t Store::SchemaVersion() { return std::end(kMigrations)[-1].version; }

Status Store::Migrate() { return sql::Migrate(*db_, kMigrations); }

StatusOr<std::string> Store::GetSetting(std::string_view name) {
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT value FROM settings WHERE name = $1", {std::string(name)}));
  return rows.empty() ? std::string() : rows[0].Text(0);
}

Status Store::PutSetting(std::string_view name, std::string_view value) {
  return db_->Query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    {std::string(name), std::string(value)})
      .status();
}

Status Store::RequireDurableCommits() {
  if (db_->dialect() == Dialect::kSqlite) return db_->Execute("PRAGMA synchronous=FULL");
  return Status::Ok();
}

Status Store::Begin() { return db_->Execute("BEGIN"); }
Status Store::Commit() { return db_->Execute("COMMIT"); }
Status Store::Rollback() { return db_->Execute("ROLLBACK"); }

StatusOr<PutResult> Store::PutVersion(const VersionInput& v) {
  const std::string now = NowUtcIso8601();
  const std::string warnings = DefectsToJson(v.warnings);
  const int64_t flag = static_cast<int64_t>(v.flag);
  RENKEI_ASSIGN_OR_RETURN(
      auto rec, db_->Query("SELECT id, current_ts, status FROM records WHERE patient_id = $1 AND record_date = $2 AND "
                           "data_type = $3 AND order_number = $4 AND content_file = $5",
                           {v.key.patient_id, v.key.date, v.key.data_type, v.key.order_number, v.content_file}));
  PutResult result{PutOutcome::kNewRecord, StatusOfFlag(v.flag), 0, 0, true};
  auto insert_version = [&](int64_t record_id) -> StatusOr<int64_t> {
    RENKEI_ASSIGN_OR_RETURN(
        auto rows, db_->Query("INSERT INTO versions (record_id, file_ts, department, condition_flag, path, "
                              "message_type, raw, decoded, warnings, warning_count, imported_at) VALUES "
                              "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                              {record_id, v.timestamp, v.department, flag, v.path, v.message_type, Blob{v.raw},
                               v.decoded, warnings, static_cast<int64_t>(v.warnings.size()), now}));
    return rows.at(0).Int(0);
  };
  auto make_current = [&](int64_t record_id, int64_t version_id) -> Status {
    return db_->Query("UPDATE records SET status = $2, current_version_id = $3, current_ts = $4, department = $5, "
                      "message_type = $6, updated_at = $7 WHERE id = $1",
                      {record_id, std::string(RecordStatusName(StatusOfFlag(v.flag))), version_id, v.timestamp,
                       v.department, v.message_type, now})
        .status();
  };

  if (rec.empty()) {
    RENKEI_ASSIGN_OR_RETURN(
        auto rows, db_->Query("INSERT INTO records (patient_id, record_date, data_type, order_number, content_file, "
                              "extended_type, status, current_ts, department, message_type, updated_at) VALUES "
                              "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                              {v.key.patient_id, v.key.date, v.key.data_type, v.key.order_number, v.content_file,
                               v.extended_type, std::string(RecordStatusName(StatusOfFlag(v.flag))), v.timestamp,
                               v.department, v.message_type, now}));
    result.record_id = rows.at(0).Int(0);
    RENKEI_ASSIGN_OR_RETURN(result.version_id, insert_version(result.record_id));
    RENKEI_RETURN_IF_ERROR(make_current(result.record_id, result.version_id));
    return result;
  }

  result.record_id = rec[0].Int(0);
  const std::string current_ts = rec[0].Text(1);
  // The same file again, or the same version under another name or with other bytes?
  RENKEI_ASSIGN_OR_RETURN(auto same, db_->Query("SELECT id, path, condition_flag, raw FROM versions WHERE "
                                                "record_id = $1 AND file_ts = $2 ORDER BY id",
                                                {result.record_id, v.timestamp}));
  const SqlRow* match = nullptr;
  for (const SqlRow& r : same) {
    if (r.Text(1) == v.path) match = &r;
  }
  if (match == nullptr && !same.empty()) match = &same.front();
  if (match != nullptr) {
    const int64_t version_id = match->Int(0);
    result.version_id = version_id;
    if (match->Text(1) == v.path && match->Int(2) == flag && match->Text(3) == v.raw) {
      result.outcome = PutOutcome::kUnchanged;
    } else {
      result.outcome = match->Text(1) == v.path ? PutOutcome::kContentChanged : PutOutcome::kRenamed;
      RENKEI_RETURN_IF_ERROR(db_->Query("UPDATE versions SET path = $2, condition_flag = $3, department = $4, "
                                        "message_type = $5, raw = $6, decoded = $7, warnings = $8, warning_count = $9, "
                                        "imported_at = $10 WHERE id = $1",
                                        {version_id, v.path, flag, v.department, v.message_type, Blob{v.raw},
                                         v.decoded, warnings, static_cast<int64_t>(v.warnings.size()), now})
                                 .status());
    }
    result.is_current = v.timestamp >= current_ts;
    if (result.is_current) RENKEI_RETURN_IF_ERROR(make_current(result.record_id, version_id));
    else result.status = ParseRecordStatus(rec[0].Text(2));
    return result;
  }
  RENKEI_ASSIGN_OR_RETURN(result.version_id, insert_version(result.record_id));
  if (v.timestamp > current_ts) {
    result.outcome = PutOutcome::kNewerVersion;
    RENKEI_RETURN_IF_ERROR(make_current(result.record_id, result.version_id));
  } else {
    result.outcome = PutOutcome::kOlderVersion;
    result.is_current = false;
    result.status = ParseRecordStatus(rec[0].Text(2));
  }
  return result;
}

StatusOr<bool> Store::PutPatient(const ssmix2::Demographics& d, std::string_view source_timestamp) {
  RENKEI_ASSIGN_OR_RETURN(auto rows,
                          db_->Query("SELECT source_ts FROM patients WHERE patient_id = $1", {d.patient_id}));
  const std::vector<SqlValue> values = {d.patient_id, d.kanji_family, d.kanji_given, d.kana_family, d.kana_given,
                                        d.birth_date, d.sex, d.postal_code, d.address, d.phone,
                                        std::string(source_timestamp), NowUtcIso8601()};
  if (rows.empty()) {
    RENKEI_RETURN_IF_ERROR(db_->Query("INSERT INTO patients (" + std::string(kPatientColumns) +
                                          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                                      values)
                               .status());
    return true;
  }
  if (rows[0].Text(0) > source_timestamp) return false;
  RENKEI_RETURN_IF_ERROR(
      db_->Query("UPDATE patients SET kanji_family = $2, kanji_given = $3, kana_family = $4, kana_given = $5, "
                 "birth_date = $6, sex = $7, postal_code = $8, address = $9, phone = $10, source_ts = $11, "
                 "updated_at = $12 WHERE patient_id = $1",
                 values)
          .status());
  return true;
}

StatusOr<std::optional<PatientRow>> Store::GetPatient(std::string_view patient_id) {
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT " + std::string(kPatientColumns) +
                                                    " FROM patients WHERE patient_id = $1",
                                                {std::string(patient_id)}));
  if (rows.empty()) return std::optional<PatientRow>();
  return std::optional<PatientRow>(ToPatient(rows[0]));
}

StatusOr<std::vector<PatientRow>> Store::ListPatients(int64_t limit, int64_t offset) {
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT " + std::string(kPatientColumns) +
                                                    " FROM patients ORDER BY patient_id LIMIT $1 OFFSET $2",
                                                {limit, offset}));
  std::vector<PatientRow> out;
  for (const SqlRow& r : rows) out.push_back(ToPatient(r));
  return out;
}

StatusOr<std::vector<RecordRow>> Store::ListRecords(std::string_view patient_id) {
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT " + std::string(kRecordColumns) +
                                " FROM records r WHERE r.patient_id = $1 ORDER BY r.record_date, r.data_type, "
                                "r.order_number, r.content_file",
                            {std::string(patient_id)}));
  std::vector<RecordRow> out;
  for (const SqlRow& r : rows) out.push_back(ToRecord(r));
  return out;
}

StatusOr<std::optional<RecordRow>> Store::GetRecord(int64_t record_id) {
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT " + std::string(kRecordColumns) + " FROM records r WHERE r.id = $1", {record_id}));
  if (rows.empty()) return std::optional<RecordRow>();
  return std::optional<RecordRow>(ToRecord(rows[0]));
}

StatusOr<std::vector<VersionRow>> Store::ListVersions(int64_t record_id) {
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT id, file_ts, department, condition_flag, path, message_type, raw, decoded, "
                            "warnings, imported_at FROM versions WHERE record_id = $1 ORDER BY file_ts, id",
                            {record_id}));
  std::vector<VersionRow> out;
  for (const SqlRow& r : rows) {
    VersionRow v;
    v.id = r.Int(0);
    v.timestamp = r.Text(1);
    v.department = r.Text(2);
    v.flag = static_cast<ConditionFlag>(r.Int(3));
    v.path = r.Text(4);
    v.message_type = r.Text(5);
    v.raw = r.Text(6);
    v.decoded = r.Text(7);
    v.warnings = DefectsFromJson(r.Text(8));
    v.imported_at = r.Text(9);
    out.push_back(std::move(v));
  }
  return out;
}

StatusOr<int64_t> Store::Quarantine(std::string_view root, std::string_view path, const std::vector<Defect>& defects,
                                    std::string_view raw) {
  const std::string now = NowUtcIso8601();
  RENKEI_ASSIGN_OR_RETURN(auto open, db_->Query("SELECT id FROM quarantine WHERE path = $1 AND state = 'open'",
                                                {std::string(path)}));
  if (!open.empty()) {
    const int64_t id = open[0].Int(0);
    RENKEI_RETURN_IF_ERROR(db_->Query("UPDATE quarantine SET root = $2, defects = $3, raw = $4, last_seen = $5 "
                                      "WHERE id = $1",
                                      {id, std::string(root), DefectsToJson(defects), Blob{std::string(raw)}, now})
                               .status());
    return id;
  }
  RENKEI_ASSIGN_OR_RETURN(auto rows,
                          db_->Query("INSERT INTO quarantine (root, path, state, defects, raw, first_seen, last_seen) "
                                     "VALUES ($1, $2, 'open', $3, $4, $5, $5) RETURNING id",
                                     {std::string(root), std::string(path), DefectsToJson(defects),
                                      Blob{std::string(raw)}, now}));
  return rows.at(0).Int(0);
}

StatusOr<std::vector<QuarantineEntry>> Store::ListQuarantine(bool include_resolved, std::string_view path_prefix) {
  // substr() is 1-based in SQLite and PostgreSQL alike; LIKE would need escaping.
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT " + std::string(kQuarantineColumns) +
                                " FROM quarantine WHERE ($1 = 0 OR substr(path, 1, $1) = $2)" +
                                (include_resolved ? "" : " AND state = 'open'") + " ORDER BY id",
                            {static_cast<int64_t>(path_prefix.size()), std::string(path_prefix)}));
  std::vector<QuarantineEntry> out;
  for (const SqlRow& r : rows) out.push_back(ToQuarantine(r));
  return out;
}

StatusOr<std::optional<QuarantineEntry>> Store::GetQuarantine(int64_t id) {
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT " + std::string(kQuarantineColumns) + " FROM quarantine WHERE id = $1", {id}));
  if (rows.empty()) return std::optional<QuarantineEntry>();
  return std::optional<QuarantineEntry>(ToQuarantine(rows[0]));
}

StatusOr<bool> Store::ResolveQuarantine(std::string_view path, std::string_view resolution) {
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query("UPDATE quarantine SET state = 'resolved', resolved_at = $2, resolution = $3 "
                            "WHERE path = $1 AND state = 'open' RETURNING id",
                            {std::string(path), NowUtcIso8601(), std::string(resolution)}));
  return !rows.empty();
}

StatusOr<std::optional<FileState>> Store::GetFile(std::string_view path) {
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT path, size, mtime_ns, outcome FROM files WHERE path = $1",
                                                {std::string(path)}));
  if (rows.empty()) return std::optional<FileState>();
  return std::optional<FileState>(FileState{rows[0].Text(0), rows[0].Int(1), rows[0].Int(2), rows[0].Text(3)});
}

Status Store::PutFile(const FileState& f) {
  return db_
      ->Query("INSERT INTO files (path, size, mtime_ns, outcome) VALUES ($1, $2, $3, $4) ON CONFLICT (path) DO "
              "UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, outcome = excluded.outcome",
              {f.path, f.size, f.mtime_ns, f.outcome})
      .status();
}

StatusOr<StoreCounts> Store::Counts() {
  StoreCounts c;
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT status, COUNT(*) FROM records GROUP BY status", {}));
  for (const SqlRow& r : rows) {
    const int64_t n = r.Int(1);
    c.records += n;
    const RecordStatus s = ParseRecordStatus(r.Text(0));
    if (s == RecordStatus::kValid) c.valid = n;
    else if (s == RecordStatus::kSuperseded) c.superseded = n;
    else c.deleted = n;
  }
  RENKEI_ASSIGN_OR_RETURN(
      rows, db_->Query("SELECT (SELECT COUNT(*) FROM versions), (SELECT COUNT(DISTINCT patient_id) FROM records), "
                       "(SELECT COUNT(*) FROM patients), (SELECT COUNT(*) FROM quarantine WHERE state = 'open')",
                       {}));
  c.versions = rows.at(0).Int(0);
  c.patients = rows.at(0).Int(1);
  c.demographics = rows.at(0).Int(2);
  c.quarantine_open = rows.at(0).Int(3);
  RENKEI_ASSIGN_OR_RETURN(rows, db_->Query("SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM entities), "
                                           "(SELECT COUNT(*) FROM changes)",
                                           {}));
  c.events = rows.at(0).Int(0);
  c.entities = rows.at(0).Int(1);
  c.changes = rows.at(0).Int(2);
  return c;
}

}  // namespace renkei::store
