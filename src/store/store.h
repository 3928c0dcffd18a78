// The edge repository: a facility's published records, their versions, the patients'
// demographics, the quarantine of defective files and the state of every file seen.
//
// One implementation over sql::SqlConnection (sql/sql.h), so SQLite (the embedded default) and
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
#include "fhir/event.h"
#include "fhir/map.h"
#include "ssmix2/defect.h"
#include "ssmix2/path.h"
#include "ssmix2/patient.h"
#include "sql/sql.h"

namespace renkei::store {

// The state of a record, from the condition flag of its newest version.
enum class RecordStatus { kValid, kSuperseded, kDeleted };
std::string_view RecordStatusName(RecordStatus s);  // "valid" / "superseded" / "deleted"
RecordStatus ParseRecordStatus(std::string_view name);  // the inverse; kValid for unknown names

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
  int64_t version_id;
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

// --- The clinical layer (seed 003): events, entities and the change feed ---

// One chart line as stored: the event of a record's current version.
struct EventRow {
  int64_t record_id = 0;
  int64_t version_id = 0;
  std::string patient_id;
  std::string data_type;
  RecordStatus status = RecordStatus::kValid;
  fhir::Event event;
  std::string updated_at;
};

// Which events to list: a patient's, newest first, optionally filtered. Dates are
// YYYYMMDD (inclusive). Only events of valid records unless include_inactive.
struct EventQuery {
  std::string patient_id;
  std::vector<fhir::EventType> types;  // empty: every type
  std::string from_date;
  std::string to_date;
  std::string department;              // department code or name; "" for all
  bool include_inactive = false;       // also superseded and deleted records
  int64_t limit = 100;
  std::string cursor;                  // from the previous page's next_cursor; "" for the first page
};

// An event as Renkei's JSON shows it (the CLI's `edge events --json`, the relay's answers):
// facility, patient_id, record_id, data_type, type, type_label, occurred_at, sort_key,
// department_code, department, practitioner, title, abnormal, status, entity_refs.
nlohmann::json EventJson(const EventRow& e, std::string_view facility);

struct EventPage {
  std::vector<EventRow> events;
  std::string next_cursor;  // "" when this is the last page
};

// An entity as served: the FHIR resource of a record version, with its record's lifecycle
// applied (entered-in-error when deleted, tagged and pointing to its replacement when
// superseded) and meta.versionId set.
struct EntityRow {
  std::string reference;  // "Observation/ID"
  int64_t record_id = 0;
  int64_t version_id = 0;
  RecordStatus status = RecordStatus::kValid;
  bool current = true;    // from the record's current version
  nlohmann::json resource;
};

// Which of a patient's resources to list (the drill-downs of a chart, a service's extract):
// the entities of the current versions of their valid records, each with its record's event.
struct ResourceQuery {
  std::string patient_id;
  std::vector<std::string> resource_types;  // "Observation", "MedicationRequest"...; empty: every type
  std::string from_date, to_date;           // YYYY-MM-DD, inclusive, by the event's time; "" for no bound
  int64_t limit = 1000;                     // 1..10000
};

// A resource with the event of its record ("" event fields for a record without one, ADT-00).
struct ResourceRow {
  EntityRow entity;
  std::string patient_id;
  std::string event_type;   // fhir/event.h name
  std::string occurred_at;  // the event's FHIR dateTime
  std::string sort_key;     // YYYYMMDDHHMMSS
};

struct ResourcePage {
  std::vector<ResourceRow> resources;  // newest event first; a record's resources by reference
  bool more = false;                   // more matched than the limit
};

// What happened to a record or a patient, in the order it happened.
enum class ChangeKind { kCreated, kUpdated, kSuperseded, kDeleted, kPatient };
std::string_view ChangeKindName(ChangeKind k);  // "created", "updated", "superseded", "deleted", "patient"

struct ChangeRow {
  int64_t seq = 0;          // strictly increasing; the cursor of ChangesSince
  ChangeKind kind = ChangeKind::kCreated;
  std::string patient_id;
  int64_t record_id = 0;    // 0 for patient changes
  std::string data_type;
  std::string event_type;   // "" when the record has no event (ADT-00)
  std::string at;           // when the store recorded it (UTC)
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
  int64_t events = 0;          // chart lines (one per record with an event)
  int64_t entities = 0;        // FHIR resources, all versions
  int64_t changes = 0;         // entries in the change feed
};

class Store {
 public:
  // Opens the store named by `url`: "sqlite:PATH" or "postgresql://..." (or "postgres://").
  // Errors: kInvalidArgument for an unknown scheme, kUnavailable when the database cannot
  // be opened, kFailedPrecondition when its schema is newer than this program.
  static StatusOr<std::unique_ptr<Store>> Open(std::string_view url);
  // Wraps an open connection (used by tests); applies migrations.
  static StatusOr<std::unique_ptr<Store>> FromConnection(std::unique_ptr<sql::SqlConnection> conn);

  // The schema version after migrations.
  static int64_t SchemaVersion();

  // Small named values of the repository (e.g. "facility_id", the facility it belongs to).
  // GetSetting returns "" when unset.
  StatusOr<std::string> GetSetting(std::string_view name);
  Status PutSetting(std::string_view name, std::string_view value);

  // Makes every later Commit() durable before it returns (SQLite: synchronous=FULL; PostgreSQL
  // commits are durable already). For feeds that acknowledge a message once it is stored.
  Status RequireDurableCommits();

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
  // Quarantine entries in id order; with `path_prefix`, only those whose path starts with it
  // (an upload looks at its own file's entries).
  StatusOr<std::vector<QuarantineEntry>> ListQuarantine(bool include_resolved, std::string_view path_prefix = {});
  StatusOr<std::optional<QuarantineEntry>> GetQuarantine(int64_t id);
  // Marks the open entry of `path` resolved (no-op when none). Returns true when one was resolved.
  StatusOr<bool> ResolveQuarantine(std::string_view path, std::string_view resolution);

  // Keeps what a put version maps to: its entities (that version's content) and, when it is
  // the record's current version, the record's event line (replacing the previous one).
  // Appends to the change feed what the put changed. Call after PutVersion, in the same
  // transaction; does nothing for PutOutcome::kUnchanged.
  Status PutMapping(const PutResult& put, const ssmix2::RecordKey& key, const fhir::Mapping& mapping);
  // Appends a patient change (demographics updated) to the feed.
  Status AppendPatientChange(std::string_view patient_id);

  // A patient's events, newest first (ties by record, newest first), a page at a time.
  // Errors: kInvalidArgument for a malformed cursor or date.
  StatusOr<EventPage> ListEvents(const EventQuery& query);
  // The entity "Type/ID": the record's current content, or with `version_id` that version's.
  StatusOr<std::optional<EntityRow>> GetEntity(std::string_view reference, int64_t version_id = 0);
  // Every entity of a patient's records as they are now (current versions, deleted and
  // superseded records included, marked), in record order; with `record_id`, only that record's.
  StatusOr<std::vector<EntityRow>> ListPatientEntities(std::string_view patient_id, int64_t record_id = 0);
  // The newest change's seq (0 when there is none): where a follower that starts now begins.
  StatusOr<int64_t> LastChange();
  // A patient's resources of the asked types, newest first. InvalidArgument for a malformed date
  // or resource type (1-64 ASCII letters, starting upper case).
  StatusOr<ResourcePage> ListResources(const ResourceQuery& query);
  // Changes after `cursor` (0 for all), oldest first, at most `limit`.
  StatusOr<std::vector<ChangeRow>> ChangesSince(int64_t cursor, int64_t limit);
  // Record versions to map again (after an upgrade or a change of mapping rules): the current
  // version of every record with id > after_record_id, in record order, at most `limit`.
  struct CurrentVersion {
    int64_t record_id;
    int64_t version_id;
    VersionInput version;  // key, timestamp, department, flag, path, message_type, raw, decoded
  };
  StatusOr<std::vector<CurrentVersion>> ListCurrentVersions(int64_t after_record_id, int64_t limit);

  StatusOr<std::optional<FileState>> GetFile(std::string_view path);
  Status PutFile(const FileState& f);

  StatusOr<StoreCounts> Counts();

 private:
  explicit Store(std::unique_ptr<sql::SqlConnection> conn) : db_(std::move(conn)) {}
  Status Migrate();

  std::unique_ptr<sql::SqlConnection> db_;
};

// The document a stored DocumentReference stands for, as a FHIR Binary (its content type and
// bytes, base64), when `document` is one whose attachment points at Binary/<its own ID> — how
// extended-storage documents (discharge summaries, PDFs) are mapped — taken from the version
// `document` came from; nullopt for any other resource (an uploaded DocumentReference pointing
// elsewhere, a malformed one).
StatusOr<std::optional<nlohmann::json>> DocumentBinary(Store& store, const EntityRow& document);

}  // namespace renkei::store
