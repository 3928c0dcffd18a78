#include "audit/store.h"

#include <filesystem>
#include <variant>

#include <fmt/format.h>

namespace renkei::audit {
namespace {

// audit_entries and its indexes, which differ only in the type of `seq`: in SQLite an INTEGER
// PRIMARY KEY is the table's own row number, which keeps the entries in one b-tree in their
// order; in PostgreSQL an INTEGER is 32-bit. A macro, to be pasted into the two literals below.
#define RENKEI_AUDIT_ENTRIES_DDL(seq_type)                                                     \
  "CREATE TABLE audit_entries (\n"                                                             \
  "  seq " seq_type " PRIMARY KEY,\n"                                                          \
  "  time_ms BIGINT NOT NULL,\n"                                                               \
  "  action TEXT NOT NULL,\n"                                                                  \
  "  principal TEXT NOT NULL,\n"                                                               \
  "  facility TEXT NOT NULL,\n"                                                                \
  "  patient TEXT NOT NULL,\n"                                                                 \
  "  entry TEXT NOT NULL,\n"                                                                   \
  "  chain {blob} NOT NULL\n"                                                                  \
  ");\n"                                                                                       \
  "CREATE INDEX audit_entries_by_patient ON audit_entries (patient, seq);\n"                   \
  "CREATE INDEX audit_entries_by_time ON audit_entries (time_ms);\n"

// Schema migrations, in order (sql::Migrate).
constexpr sql::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE audit_signers (
  id {id},
  certificate TEXT NOT NULL UNIQUE
);
CREATE TABLE audit_heads (
  size BIGINT PRIMARY KEY,
  previous BIGINT NOT NULL,
  chain {blob} NOT NULL,
  time_ms BIGINT NOT NULL,
  signature TEXT NOT NULL,
  signer BIGINT REFERENCES audit_signers (id)
);
)sql",
     RENKEI_AUDIT_ENTRIES_DDL("INTEGER"), RENKEI_AUDIT_ENTRIES_DDL("BIGINT")},
};

#undef RENKEI_AUDIT_ENTRIES_DDL

constexpr int64_t kSchemaVersion = 1;

// The table of the schema's versions, apart from those of other components in the same database.
constexpr std::string_view kHistory = "audit_schema_migrations";

}  // namespace

Status MigrateSchema(sql::SqlConnection& db) { return sql::Migrate(db, kMigrations, kHistory); }

StatusOr<std::unique_ptr<sql::SqlConnection>> OpenForReading(std::string_view url) {
  // sql::Open creates a missing SQLite file; reading must not.
  if (url.starts_with("sqlite:")) {
    std::string path(url.substr(7));
    if (path.starts_with("//")) path = path.substr(2);
    std::error_code ec;
    if (!path.empty() && !std::filesystem::is_regular_file(path, ec)) {
      return NotFound(fmt::format("no audit log at {}: no such file", path));
    }
  }
  RENKEI_ASSIGN_OR_RETURN(auto db, sql::Open(url));
  // A database without our tables (another repository's, or an empty one) is not a log.
  auto probe = db->Query("SELECT COUNT(*) FROM audit_heads WHERE size < 0", {});
  if (!probe.ok()) {
    if (probe.status().code() == StatusCode::kUnavailable) return probe.status();
    return NotFound("the store holds no audit log (no audit_heads table)");
  }
  RENKEI_ASSIGN_OR_RETURN(auto rows, db->Query(fmt::format("SELECT COALESCE(MAX(version), 0) FROM {}", kHistory), {}));
  const int64_t version = rows.empty() ? 0 : rows[0].Int(0);
  if (version > kSchemaVersion) {
    return FailedPrecondition(fmt::format(
        "the audit log's schema version {} is newer than this program's {}; upgrade renkei", version, kSchemaVersion));
  }
  return db;
}

// SQLite keeps whatever a column is given: a damaged row may hold text where a number belongs,
// which SqlRow::Int would not read.
bool IntAt(const sql::SqlRow& row, size_t i, int64_t* out) {
  const auto* n = std::get_if<int64_t>(&row.Value(i));
  if (n == nullptr) return false;
  *out = *n;
  return true;
}

StoredEntry ReadStoredEntry(const sql::SqlRow& row) {
  StoredEntry e;
  if (!IntAt(row, 0, &e.seq)) e.damage = "its number is not an integer";
  if (!IntAt(row, 1, &e.time_ms)) e.damage = "its time column is not an integer";
  e.action = row.Text(2);
  e.principal = row.Text(3);
  e.facility = row.Text(4);
  e.patient = row.Text(5);
  e.text = row.Text(6);
  e.chain = row.Text(7);
  return e;
}

Status CheckColumns(const StoredEntry& row, const Event& e) {
  const auto differs = [&](std::string_view column, const auto& stored, const auto& text) {
    return InvalidArgument(fmt::format("its {} column ({}) differs from its text ({})", column, stored, text));
  };
  if (row.time_ms != e.time_ms) return differs("time", row.time_ms, e.time_ms);
  if (row.action != e.action) return differs("action", row.action, e.action);
  if (row.principal != e.who.name) return differs("principal", row.principal, e.who.name);
  if (row.facility != e.who.facility) return differs("facility", row.facility, e.who.facility);
  if (row.patient != e.patient) return differs("patient", row.patient, e.patient);
  return Status::Ok();
}

StoredHead ReadStoredHead(const sql::SqlRow& row) {
  StoredHead out;
  if (!IntAt(row, 0, &out.head.size) || !IntAt(row, 1, &out.head.previous) || !IntAt(row, 3, &out.head.time_ms)) {
    out.damage = "a number column does not hold an integer";
  }
  if (!FromBytes(row.Text(2), &out.head.chain)) out.damage = "its chain value is not 32 bytes";
  out.head.signature = row.Text(4);
  out.head.certificate = row.Text(5);
  return out;
}

StatusOr<Page> List(sql::SqlConnection& db, const Query& q) {
  if (q.limit < 1 || q.limit > kMaxListLimit) {
    return InvalidArgument(fmt::format("limit: {} is not between 1 and {}", q.limit, kMaxListLimit));
  }
  if (q.before && *q.before < 0) return InvalidArgument("before: must not be negative");
  // Only the filters given are in the statement, so that the database uses the patient's or the
  // time's index when they are given. At most 2^7 texts are prepared.
  std::string where;
  std::vector<sql::SqlValue> params;
  const auto add = [&](std::string_view condition, sql::SqlValue value) {
    where += fmt::format("{}{} ${}", where.empty() ? " WHERE " : " AND ", condition, params.size() + 1);
    params.push_back(std::move(value));
  };
  if (!q.patient.empty()) add("patient =", q.patient);
  if (!q.principal.empty()) add("principal =", q.principal);
  if (!q.facility.empty()) add("facility =", q.facility);
  if (!q.action.empty()) add("action =", q.action);
  if (q.from_ms) add("time_ms >=", *q.from_ms);
  if (q.to_ms) add("time_ms <", *q.to_ms);
  if (q.before) add("seq <", *q.before);
  params.emplace_back(static_cast<int64_t>(q.limit + 1));
  const std::string statement = fmt::format("SELECT {} FROM audit_entries{} ORDER BY seq DESC LIMIT ${}",
                                            kEntryColumns, where, params.size());
  RENKEI_ASSIGN_OR_RETURN(auto rows, db.Query(statement, params));
  Page page;
  for (const sql::SqlRow& row : rows) {
    if (page.entries.size() == q.limit) {
      page.next_before = page.entries.back().seq;
      break;
    }
    StoredEntry stored = ReadStoredEntry(row);
    auto event = ParseEvent(stored.text);
    if (!event.ok()) {
      return DataLoss(fmt::format("entry {}: {}; run renkei audit verify", stored.seq, event.status().message()));
    }
    if (Status s = CheckColumns(stored, *event); !s.ok()) {
      return DataLoss(fmt::format("entry {}: {}; run renkei audit verify", stored.seq, s.message()));
    }
    page.entries.push_back({stored.seq, std::move(stored.text), std::move(event).value()});
  }
  return page;
}

}  // namespace renkei::audit
