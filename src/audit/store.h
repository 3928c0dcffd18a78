// The audit log's tables over sql/ (SQLite or PostgreSQL), and reading them: the schema, opening
// a log only to read it (`renkei audit verify|list`), and the queries that list entries — a
// patient's, newest first, for the patient portal; by principal, facility, action or time for
// operators. Writing is Log's alone (log.h).
//
// Tables (in the hub's database or one of their own; the schema's versions are kept in
// audit_schema_migrations). A database of its own lets the audit trail be kept, backed up and
// granted to auditors apart from the patient index:
//   audit_entries (seq, time_ms, action, principal, facility, patient, entry, chain)
//       one row per entry, numbered 0..n-1; `entry` is the canonical text (event.h), `chain`
//       its chain value (hash.h); the other columns repeat fields of the text for queries, and
//       are checked against it by every query and by Verify. Indexed: the patient's entries
//       (the patient portal's "who looked at my record") and the time. Not the principal nor
//       the facility: each secondary index costs a random page write per entry at every commit
//       (durable appends from 64 threads: ~12,000/s with those two as well, ~20,000/s without),
//       and operators ask by principal or facility seldom — give them a time range, which the
//       query then scans, or it scans from the newest entry until `limit` match;
//   audit_heads (size, previous, chain, time_ms, signature, signer)   the signed heads (head.h);
//   audit_signers (id, certificate)                                    the certificates that signed.
//
// Thread-compatible: one connection is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/event.h"
#include "audit/head.h"
#include "base/status.h"
#include "sql/sql.h"

namespace renkei::audit {

inline constexpr size_t kMaxListLimit = 1000;  // entries one List returns

// Opens the log at `url` ("sqlite:PATH" or "postgresql://...") to read it, creating and changing
// nothing. Errors: kInvalidArgument for a malformed URL; kNotFound when the SQLite file does not
// exist or the database holds no audit log; kFailedPrecondition when its schema is newer than
// this program; kUnavailable when it cannot be reached.
StatusOr<std::unique_ptr<sql::SqlConnection>> OpenForReading(std::string_view url);

// Which entries List returns, newest (highest number) first. Members left empty or unset do not
// filter; those set must all match.
struct Query {
  std::string patient{};    // the regional ID
  std::string principal{};  // who.name
  std::string facility{};   // who.facility
  std::string action{};
  std::optional<int64_t> from_ms{};  // time >= from
  std::optional<int64_t> to_ms{};    // time < to
  std::optional<int64_t> before{};   // entries numbered below this: the next page after one
  size_t limit = 100;                // 1..kMaxListLimit
};

struct Entry {
  int64_t seq = 0;   // its number in the log
  std::string text;  // the canonical text, as stored and hashed
  Event event;       // what the text says
};

struct Page {
  std::vector<Entry> entries;
  std::optional<int64_t> next_before;  // set when more match: Query::before for the next page
};

// Errors: kInvalidArgument for a limit out of range or a negative `before`; kDataLoss naming the
// entry when a stored entry is not a valid text or its indexed columns disagree with its text
// (someone changed the database: run Verify); the connection's errors.
StatusOr<Page> List(sql::SqlConnection& db, const Query& query);

// --- For log.cc and verify.cc ---

// Brings the log's schema up to date (sql::Migrate).
Status MigrateSchema(sql::SqlConnection& db);

// One row of audit_entries as stored, unchecked.
struct StoredEntry {
  int64_t seq = 0;
  int64_t time_ms = 0;
  std::string action, principal, facility, patient;  // the indexed columns
  std::string text;
  std::string chain;   // the stored bytes (32 when intact)
  std::string damage;  // "" unless a column does not hold its type: what is wrong
};
// Reads rows of `SELECT seq, time_ms, action, principal, facility, patient, entry, chain ...`.
StoredEntry ReadStoredEntry(const sql::SqlRow& row);
// The columns every such SELECT lists, in that order.
inline constexpr std::string_view kEntryColumns = "seq, time_ms, action, principal, facility, patient, entry, chain";

// InvalidArgument naming the first indexed column of `row` that differs from `event`.
Status CheckColumns(const StoredEntry& row, const Event& event);

// A head as stored, with its signer's certificate ("" when unsigned).
struct StoredHead {
  TreeHead head;
  std::string damage;  // "" unless a column does not hold its type or the chain is not 32 bytes
};
// Reads rows of `SELECT h.size, h.previous, h.chain, h.time_ms, h.signature, s.certificate ...`.
StoredHead ReadStoredHead(const sql::SqlRow& row);
inline constexpr std::string_view kHeadSelect =
    "SELECT h.size, h.previous, h.chain, h.time_ms, h.signature, COALESCE(s.certificate, '') "
    "FROM audit_heads h LEFT JOIN audit_signers s ON s.id = h.signer";

}  // namespace renkei::audit
