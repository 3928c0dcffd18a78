// A small SQL connection interface with an SQLite and a PostgreSQL implementation, so that
// each repository (the edge's store/, the hub's hub/) is written once for both databases.
//
// SQL text uses PostgreSQL-style numbered parameters ($1, $2, ...), which SQLite also
// accepts. Statements are prepared once per connection and cached by their text.
// A connection is used by one thread at a time (thread-compatible, not thread-safe).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <span>
#include <variant>
#include <vector>

#include "base/status.h"

namespace renkei::sql {

// Binary data (bytea in PostgreSQL, BLOB in SQLite).
struct Blob {
  std::string bytes;
};

// A parameter or a column value.
using SqlValue = std::variant<std::monostate, int64_t, std::string, Blob>;

// One result row; columns are in SELECT order.
class SqlRow {
 public:
  explicit SqlRow(std::vector<SqlValue> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values_.at(i)); }
  int64_t Int(size_t i) const;           // 0 when NULL
  std::string Text(size_t i) const;      // "" when NULL; blobs as their bytes
  const SqlValue& Value(size_t i) const { return values_.at(i); }

 private:
  std::vector<SqlValue> values_;
};

// Which SQL dialect a connection speaks, for the few statements that differ (DDL types).
enum class Dialect { kSqlite, kPostgres };

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual Dialect dialect() const = 0;
  // Runs one or more statements without parameters or results (DDL, BEGIN, COMMIT).
  virtual Status Execute(std::string_view sql) = 0;
  // Runs one statement with parameters and returns its rows. Errors: kUnavailable when the
  // database cannot be reached, kAlreadyExists on a unique-constraint violation,
  // kInvalidArgument for other failures of the statement.
  virtual StatusOr<std::vector<SqlRow>> Query(std::string_view sql, const std::vector<SqlValue>& params) = 0;
};

// Opens an SQLite database file (created if missing) in WAL mode.
StatusOr<std::unique_ptr<SqlConnection>> OpenSqlite(const std::string& path);
// Connects to PostgreSQL with a libpq connection URI ("postgresql://user@host:port/db").
StatusOr<std::unique_ptr<SqlConnection>> OpenPostgres(const std::string& uri);
// Opens a store URL: "sqlite:PATH" (also "sqlite://PATH") or "postgresql://…" / "postgres://…".
// InvalidArgument for another scheme or an empty path.
StatusOr<std::unique_ptr<SqlConnection>> Open(std::string_view url);

// One step of a schema: `ddl` runs on both databases, then `sqlite_ddl` or `postgres_ddl` on
// its own, for what must differ (e.g. a table's layout). In each, {id} becomes the dialect's
// auto-increment primary key, {blob} its binary type, and {text_c} a text type ordered byte by
// byte (SQLite's default BINARY collation, PostgreSQL's COLLATE "C"), which prefix ranges and
// ORDER BY need to agree on both.
struct Migration {
  int64_t version;
  std::string_view ddl;
  std::string_view sqlite_ddl = {};
  std::string_view postgres_ddl = {};
};
// Applies, each in its own transaction, the migrations newer than the database's version
// (kept in table `history`, so that several components can share one database, each with its
// own). FailedPrecondition when the database is newer than the last migration given: an older
// program must not write to it.
Status Migrate(SqlConnection& db, std::span<const Migration> migrations,
               std::string_view history = "schema_migrations");

}  // namespace renkei::sql
