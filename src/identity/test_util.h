// For identity/'s tests only: a UserStore on SQLite and on PostgreSQL (a database of its own
// from sql::TestDatabase) with cheap password hashing, accounts to sign in to, and the TOTP code
// an authenticator app would show.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "base/status_testing.h"
#include "identity/totp.h"
#include "identity/user_store.h"
#include "sql/test_database.h"

namespace renkei::identity::testing {

// A fixed "now" at the start of a TOTP step (2027-01-15T08:00:00Z).
constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kMinute = 60'000;
constexpr std::string_view kPassword = "correct horse battery staple";

// Costs libargon2 accepts at their cheapest, so that a test may sign in hundreds of times.
inline PasswordHashing CheapHashing() { return {.memory_kib = 64, .iterations = 1, .parallelism = 1}; }

// What an authenticator app enrolled with `secret` shows at `now_ms`.
inline std::string CodeAt(const std::string& secret, int64_t now_ms) {
  return HotpCode(secret, static_cast<uint64_t>(TotpStep(now_ms)), kTotpDigits);
}

// Every test runs against "sqlite" and "postgresql".
class UserStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = sql::TestDatabase::Create(GetParam(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    options_.hashing = CheapHashing();
    Reopen();
  }
  void TearDown() override { store_.reset(); }

  // Closes the store and opens it again on the same database, with options_.
  void Reopen() {
    store_.reset();
    auto store = UserStore::Open(db_->url(), options_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  static User Clinician(std::string login) {
    User u;
    u.login = std::move(login);
    u.display_name = "佐藤 花子";
    u.role = Role::kClinician;
    u.facility = "1310000001";
    return u;
  }

  // A clinician's account made with kPassword at kNow.
  CreatedUser CreateClinician(std::string login = "sato") {
    return Ok(store_->CreateUser(Clinician(std::move(login)), kPassword, kNow));
  }

  std::unique_ptr<sql::TestDatabase> db_;
  UserStoreOptions options_;
  std::unique_ptr<UserStore> store_;
};

}  // namespace renkei::identity::testing
