#include <fmt/format.h>

#include "base/time.h"
#include "sql/sql.h"

namespace renkei::sql {
namespace {

std::string Ddl(std::string_view ddl, Dialect d) {
  std::string out(ddl);
  auto replace = [&](std::string_view from, std::string_view to) {
    for (size_t p = out.find(from); p != std::string::npos; p = out.find(from, p + to.size())) {
      out.replace(p, from.size(), to);
    }
  };
  replace("{id}", d == Dialect::kSqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY");
  replace("{blob}", d == Dialect::kSqlite ? "BLOB" : "BYTEA");
  replace("{text_c}", d == Dialect::kSqlite ? "TEXT" : "TEXT COLLATE \"C\"");
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<SqlConnection>> Open(std::string_view url) {
  if (url.starts_with("sqlite:")) {
    std::string path(url.substr(7));
    if (path.starts_with("//")) path = path.substr(2);  // sqlite://PATH is accepted too
    if (path.empty()) return InvalidArgument("store URL 'sqlite:' needs a path, e.g. sqlite:renkei.db");
    return OpenSqlite(path);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return OpenPostgres(std::string(url));
  return InvalidArgument("unknown store URL scheme; use sqlite:PATH or postgresql://USER@HOST/DB");
}

Status Migrate(SqlConnection& db, std::span<const Migration> migrations, std::string_view history) {
  RENKEI_RETURN_IF_ERROR(db.Execute(
      fmt::format("CREATE TABLE IF NOT EXISTS {} (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)", history)));
  RENKEI_ASSIGN_OR_RETURN(auto rows, db.Query(fmt::format("SELECT COALESCE(MAX(version), 0) FROM {}", history), {}));
  const int64_t current = rows.empty() ? 0 : rows[0].Int(0);
  const int64_t latest = migrations.empty() ? 0 : migrations.back().version;
  if (current > latest) {
    return FailedPrecondition(
        fmt::format("store schema version {} is newer than this program's {}; upgrade renkei", current, latest));
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    RENKEI_RETURN_IF_ERROR(db.Execute("BEGIN"));
    Status s = db.Execute(Ddl(m.ddl, db.dialect()));
    const std::string_view own = db.dialect() == Dialect::kSqlite ? m.sqlite_ddl : m.postgres_ddl;
    if (s.ok() && !own.empty()) s = db.Execute(Ddl(own, db.dialect()));
    if (s.ok()) {
      s = db.Query(fmt::format("INSERT INTO {} (version, applied_at) VALUES ($1, $2)", history),
                   {m.version, NowUtcIso8601()})
              .status();
    }
    if (!s.ok()) {
      db.Execute("ROLLBACK").IgnoreError();
      return s.Annotate(fmt::format("schema migration {}", m.version));
    }
    RENKEI_RETURN_IF_ERROR(db.Execute("COMMIT"));
  }
  return Status::Ok();
}

}  // namespace renkei::sql
