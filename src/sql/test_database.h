// Test support (library renkei_sql_testing, linked only by tests): an empty database of its
// own for one test, on either backend, so that every repository's conformance suite runs the
// same tests against SQLite and against PostgreSQL.
//
// SQLite: a fresh file in the system's temporary directory. PostgreSQL: a fresh schema in the
// test cluster that CTest's `postgres` fixture starts (scripts/pg-test-cluster.sh); the fixture
// names the file holding the cluster's URI in RENKEI_TEST_POSTGRES_URI_FILE. Each test gets a
// database of its own, so tests may run in parallel. The database is removed (file deleted,
// schema dropped) when the TestDatabase is destroyed: close every connection to it first.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "sql/sql.h"

namespace renkei::sql {

class TestDatabase {
 public:
  // `backend` is "sqlite" or "postgresql"; `name` tells tests apart (e.g. the test's name)
  // and may be any text. Errors: kInvalidArgument for another backend; kFailedPrecondition
  // when the PostgreSQL cluster is not running (the PostgreSQL half of a suite must run, not
  // be skipped: run the tests with ctest); kUnavailable when it cannot be reached.
  static StatusOr<std::unique_ptr<TestDatabase>> Create(std::string_view backend, std::string_view name);
  ~TestDatabase();

  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // The store URL of the database, for sql::Open and the repositories' Open.
  const std::string& url() const { return url_; }

 private:
  TestDatabase() = default;

  std::string url_;
  std::string sqlite_path_;                  // SQLite: the file, removed with its -wal and -shm
  std::string schema_;                       // PostgreSQL: the schema, dropped
  std::unique_ptr<SqlConnection> cluster_;   // PostgreSQL: the connection that drops it
};

}  // namespace renkei::sql
