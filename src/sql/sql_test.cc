// What sql.h promises of both backends' errors: a unique constraint's violation, on a key or
// another column, is AlreadyExists; another failure of a statement is InvalidArgument.
#include <gtest/gtest.h>

#include "sql/sql.h"
#include "sql/test_database.h"

namespace renkei::sql {
namespace {

class SqlTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create(GetParam(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto conn = Open(db_->url());
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
    ASSERT_TRUE(conn_->Execute("CREATE TABLE people (id BIGINT PRIMARY KEY, login TEXT NOT NULL UNIQUE, age BIGINT)").ok());
    ASSERT_TRUE(conn_->Query("INSERT INTO people VALUES ($1, $2, $3)", {int64_t{1}, std::string("sato"), int64_t{40}}).ok());
  }

  std::unique_ptr<TestDatabase> db_;  // outlives conn_
  std::unique_ptr<SqlConnection> conn_;
};

TEST_P(SqlTest, AUniqueViolationIsAlreadyExistsOnAKeyOrAnotherColumn) {
  auto key = conn_->Query("INSERT INTO people VALUES ($1, $2, $3)", {int64_t{1}, std::string("ito"), int64_t{30}});
  EXPECT_EQ(key.status().code(), StatusCode::kAlreadyExists) << key.status().ToString();
  auto column = conn_->Query("INSERT INTO people VALUES ($1, $2, $3)", {int64_t{2}, std::string("sato"), int64_t{30}});
  EXPECT_EQ(column.status().code(), StatusCode::kAlreadyExists) << column.status().ToString();
  auto not_null = conn_->Query("INSERT INTO people VALUES ($1, $2, $3)", {int64_t{3}, SqlValue(), int64_t{30}});
  EXPECT_EQ(not_null.status().code(), StatusCode::kInvalidArgument) << not_null.status().ToString();
  auto bad = conn_->Query("SELEKT 1", {});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument) << bad.status().ToString();
  // Nothing of the refused rows was kept.
  auto rows = conn_->Query("SELECT login FROM people ORDER BY id", {});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Text(0), "sato");
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace renkei::sql
