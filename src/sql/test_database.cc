#include "sql/test_database.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include <fmt/format.h>

namespace renkei::sql {
namespace {

constexpr const char* kSqliteSuffixes[] = {"", "-wal", "-shm"};

void RemoveSqliteFiles(const std::string& path) {
  std::error_code ignored;
  for (const char* suffix : kSqliteSuffixes) std::filesystem::remove(path + suffix, ignored);
}

// The first line of the file named by RENKEI_TEST_POSTGRES_URI_FILE; "" when there is none.
std::string PostgresClusterUri() {
  const char* file = std::getenv("RENKEI_TEST_POSTGRES_URI_FILE");
  if (file == nullptr) return {};
  std::ifstream in(file);
  std::string uri;
  std::getline(in, uri);
  return uri;
}

}  // namespace

StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create(std::string_view backend, std::string_view name) {
  std::unique_ptr<TestDatabase> db(new TestDatabase());
  // pid and name keep concurrent tests (and test processes) apart.
  const size_t name_hash = std::hash<std::string_view>{}(name) % 1'000'000'007;
  if (backend == "sqlite") {
    std::string file_name = fmt::format("renkei-test-{}-{}-", ::getpid(), name_hash);
    for (char c : name) file_name.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '-');
    db->sqlite_path_ = (std::filesystem::temp_directory_path() / (file_name.substr(0, 200) + ".db")).string();
    RemoveSqliteFiles(db->sqlite_path_);
    db->url_ = "sqlite:" + db->sqlite_path_;
    return db;
  }
  if (backend != "postgresql") return InvalidArgument(fmt::format("unknown test backend '{}'", backend));

  const std::string base = PostgresClusterUri();
  if (base.empty()) {
    return FailedPrecondition(
        "PostgreSQL test cluster not running: run the tests with ctest or scripts/test.sh (the `postgres` "
        "fixture starts one, and names its URI file in RENKEI_TEST_POSTGRES_URI_FILE)");
  }
  RENKEI_ASSIGN_OR_RETURN(db->cluster_, OpenPostgres(base));
  db->schema_ = fmt::format("t{}_{}", ::getpid(), name_hash);
  RENKEI_RETURN_IF_ERROR(
      db->cluster_->Execute(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", db->schema_)));
  // libpq's `options` sets the search path of every connection opened with this URL.
  db->url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + db->schema_;
  return db;
}

TestDatabase::~TestDatabase() {
  if (!sqlite_path_.empty()) RemoveSqliteFiles(sqlite_path_);
  if (cluster_ != nullptr) cluster_->Execute(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", schema_)).IgnoreError();
}

}  // namespace renkei::sql
