// The edge repository: a facility's published records, their versions, the patients'
// demographics, the quarantine of defective files and the state of every file seen.
//
// One implementation over SqlConnection (sql.h), so SQLite (the embedded default) and
// PostgreSQL behave the same; both pass store_conformance_test.cc. A Store is used by
// one thread at a time. Open() applies pending schema migrations.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ssmix2/defect.h"
#include "ssmix2/path.h"
#include "ssmix2/patient.h"
#include "store/sql.h"

namespace renkei::store {

// The state of a record, from the condition flag of its newest version.
enum class RecordStatus { kValid, kSuperseded, kDeleted };
std::string_view RecordStatusName(RecordStatus s);  // "valid" / "superseded" / "deleted"

// One file to keep as a version of a record.
struct VersionInput {
  ssmix2::RecordKey key;
  std::string content_file;   // extended storage: the document inside the content folder; "" otherwise
  std::string extended_type;  // extended storage: the type folder as written; "" otherwise
  std::string timestamp;      // YYYYMMDDHHMMSSfff from the file name
  std::string department;
  ssmix2::ConditionFlag flag = ssmix2::ConditionFlag::kValid;
  std::string path;           // relative to the storage root
  std::string message_type;   // "RDE^O11"; "" for extended content
  std::string raw;            // the original bytes
  std::string decoded;        // UTF-8 text; "" for extended content
  std::vector<ssmix2::Defect> warnings;  // defects of warning severity
};

// What PutVersion did.
enum class PutOutcome {
  kNewRecord,      // first version of a new record
  kNewerVersion,   // a newer version: the previous current version is now history
  kOlderVersion,   // an older version than the current one: kept as history
  kRenamed,        // a known version under a new name (e.g. its condition flag changed)
  kUnchanged,      // the same file again
  kContentChanged, // same name, new bytes: the version's content was replaced
};
std::string_view PutOutcomeName(PutOutcome o);

struct PutResult {
  PutOutcome outcome;
  RecordStatus status;  // the record's status after the put
  int64_t record_id;
  bool is_current;      // the put version is the record's current one
};

struct RecordRow {
  int64_t id = 0;
  ssmix2::RecordKey key;
  std::string content_file;
  std::string extended_type;
  RecordStatus status = RecordStatus::kValid;
  std::string timestamp;    // of the current version
  std::string department;
  std::string message_type;
  int64_t version_count = 0;
  int64_t warning_count = 0;  // warnings of the current version
};

struct VersionRow {
  int64_t id = 0;
  std::string timestamp;
  std::string department;
  ssmix2::ConditionFlag flag = ssmix2::ConditionFlag::kValid;
  std::string path;
  std::string message_type;
  std::string raw;
  std::string decoded;
  std::vector<ssmix2::Defect> warnings;
  std::string imported_at;
};

struct PatientRow {
  ssmix2::Demographics demographics;
  std::string source_timestamp;  // timestamp of the ADT-00 file they came from
  std::string updated_at;
};

enum class QuarantineState { kOpen, kResolved };

struct QuarantineEntry {
  int64_t id = 0;
  std::string root;  // absolute storage root the path is relative to
  std::string path;
  QuarantineState state = QuarantineState::kOpen;
  std::vector<ssmix2::Defect> defects;
  std::string raw;   // the bytes as they were when last quarantined
  std::string first_seen;
  std::string last_seen;
  std::string resolved_at;
  std::string resolution;
};

// What the store remembers of a file, to skip unchanged files on the next scan.
struct FileState {
  std::string path;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  std::string outcome;  // "imported" or "quarantined"
};

struct StoreCounts {
  int64_t records = 0;
  int64_t valid = 0;
  int64_t superseded = 0;
  int64_t deleted = 0;
  int64_t versions = 0;
  int64_t patients = 0;        // patients with at least one record
  int64_t demographics = 0;    // patients with ADT-00 demographics
  int64_t quarantine_open = 0;
};

class Store {
 public:
  // Opens the store named by `url`: "sqlite:PATH" or "postgresql://..." (or "postgres://").
  // Errors: kInvalidArgument for an unknown scheme, kUnavailable when the database cannot
  // be opened, kFailedPrecondition when its schema is newer than this program.
  static StatusOr<std::unique_ptr<Store>> Open(std::string_view url);
  // Wraps an open connection (used by tests); applies migrations.
  static StatusOr<std::unique_ptr<Store>> FromConnection(std::unique_ptr<SqlConnection> conn);

  // The schema version after migrations.
  static int64_t SchemaVersion();

  Status Begin();
  Status Commit();
  Status Rollback();

  // Adds a file as a version of its record and recomputes the record's status.
  StatusOr<PutResult> PutVersion(const VersionInput& v);
  // Keeps the demographics if `source_timestamp` is not older than what is stored.
  // Returns true when stored.
  StatusOr<bool> PutPatient(const ssmix2::Demographics& d, std::string_view source_timestamp);

  StatusOr<std::optional<PatientRow>> GetPatient(std::string_view patient_id);
  StatusOr<std::vector<PatientRow>> ListPatients(int64_t limit, int64_t offset);
  StatusOr<std::vector<RecordRow>> ListRecords(std::string_view patient_id);
  StatusOr<std::optional<RecordRow>> GetRecord(int64_t record_id);
  // Versions of a record, oldest first.
  StatusOr<std::vector<VersionRow>> ListVersions(int64_t record_id);

  // Opens (or updates the open) quarantine entry of `path`; returns its id.
  StatusOr<int64_t> Quarantine(std::string_view root, std::string_view path,
                               const std::vector<ssmix2::Defect>& defects, std::string_view raw);
  StatusOr<std::vector<QuarantineEntry>> ListQuarantine(bool include_resolved);
  StatusOr<std::optional<QuarantineEntry>> GetQuarantine(int64_t id);
  // Marks the open entry of `path` resolved (no-op when none). Returns true when one was resolved.
  StatusOr<bool> ResolveQuarantine(std::string_view path, std::string_view resolution);

  StatusOr<std::optional<FileState>> GetFile(std::string_view path);
  Status PutFile(const FileState& f);

  StatusOr<StoreCounts> Counts();

 private:
  explicit Store(std::unique_ptr<SqlConnection> conn) : db_(std::move(conn)) {}
  Status Migrate();

  std::unique_ptr<SqlConnection> db_;
};

}  // namespace renkei::store
