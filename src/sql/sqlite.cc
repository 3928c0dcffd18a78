// SqlConnection over SQLite: WAL journal, statements prepared once and cached.
#include <sqlite3.h>

#include <unordered_map>

#include <fmt/format.h>

#include "sql/sql.h"

namespace renkei::sql {
namespace {

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
struct DbDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

class SqliteConnection : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  Dialect dialect() const override { return Dialect::kSqlite; }

  Status Execute(std::string_view sql) override {
    char* err = nullptr;
    int rc = sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string message = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Error(rc, message);
    }
    return Status::Ok();
  }

  StatusOr<std::vector<SqlRow>> Query(std::string_view sql, const std::vector<SqlValue>& params) override {
    RENKEI_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
      const std::string name = fmt::format("${}", i + 1);
      int index = sqlite3_bind_parameter_index(stmt, name.c_str());
      if (index == 0) continue;  // parameter not used by this statement
      const SqlValue& v = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<int64_t>(v)) {
        rc = sqlite3_bind_int64(stmt, index, std::get<int64_t>(v));
      } else if (std::holds_alternative<std::string>(v)) {
        const std::string& s = std::get<std::string>(v);
        rc = sqlite3_bind_text64(stmt, index, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
      } else if (std::holds_alternative<Blob>(v)) {
        const std::string& b = std::get<Blob>(v).bytes;
        rc = sqlite3_bind_blob64(stmt, index, b.data(), b.size(), SQLITE_STATIC);
      } else {
        rc = sqlite3_bind_null(stmt, index);
      }
      if (rc != SQLITE_OK) return Error(rc, sqlite3_errmsg(db_.get()));
    }
    std::vector<SqlRow> rows;
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Status s = Error(rc, sqlite3_errmsg(db_.get()));
        sqlite3_reset(stmt);
        return s;
      }
      const int n = sqlite3_column_count(stmt);
      std::vector<SqlValue> values;
      values.reserve(n);
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER: values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c))); break;
          case SQLITE_NULL: values.emplace_back(std::monostate{}); break;
          case SQLITE_BLOB: {
            const void* p = sqlite3_column_blob(stmt, c);
            values.emplace_back(Blob{std::string(static_cast<const char*>(p), sqlite3_column_bytes(stmt, c))});
            break;
          }
          default: {
            const unsigned char* p = sqlite3_column_text(stmt, c);
            values.emplace_back(std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt, c)));
          }
        }
      }
      rows.emplace_back(std::move(values));
    }
    sqlite3_reset(stmt);
    return rows;
  }

 private:
  StatusOr<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end()) return it->second.get();
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, sqlite3_errmsg(db_.get()));
    sqlite3_stmt* raw = stmt;
    cache_.emplace(std::string(sql), std::unique_ptr<sqlite3_stmt, StmtDeleter>(stmt));
    return raw;
  }

  static Status Error(int rc, const std::string& message) {
    int primary = rc & 0xff;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) return AlreadyExists(message);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR ||
        primary == SQLITE_FULL) {
      return Unavailable(fmt::format("sqlite: {}", message));
    }
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return DataLoss(fmt::format("sqlite: {}", message));
    return InvalidArgument(fmt::format("sqlite: {}", message));
  }

  // Statements must be finalized before the database closes: cache_ is declared after db_.
  std::unique_ptr<sqlite3, DbDeleter> db_;
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, StmtDeleter>> cache_;
};

}  // namespace

int64_t SqlRow::Int(size_t i) const {
  const SqlValue& v = values_.at(i);
  if (std::holds_alternative<int64_t>(v)) return std::get<int64_t>(v);
  if (std::holds_alternative<std::string>(v)) return std::stoll(std::get<std::string>(v));
  return 0;
}

std::string SqlRow::Text(size_t i) const {
  const SqlValue& v = values_.at(i);
  if (std::holds_alternative<std::string>(v)) return std::get<std::string>(v);
  if (std::holds_alternative<Blob>(v)) return std::get<Blob>(v).bytes;
  if (std::holds_alternative<int64_t>(v)) return std::to_string(std::get<int64_t>(v));
  return {};
}

StatusOr<std::unique_ptr<SqlConnection>> OpenSqlite(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Unavailable(fmt::format("cannot open SQLite database '{}': {}", path, message));
  }
  sqlite3_busy_timeout(db, 5000);
  // Extended result codes, so that a unique constraint's violation is told apart (AlreadyExists).
  sqlite3_extended_result_codes(db, 1);
  auto conn = std::make_unique<SqliteConnection>(db);
  // WAL lets readers (quarantine list, a second CLI) work while an import writes.
  RENKEI_RETURN_IF_ERROR(conn->Execute(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"));
  return std::unique_ptr<SqlConnection>(std::move(conn));
}

}  // namespace renkei::sql
