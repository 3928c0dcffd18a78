// For audit/'s tests only: every test on SQLite and on PostgreSQL (a database of its own from
// sql::TestDatabase), a regional CA with the hub's certificate (and others that must not sign
// heads), events to append, and a raw connection to tamper with the log.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "audit/log.h"
#include "audit/verify.h"
#include "base/file.h"
#include "base/status_testing.h"
#include "pki/ca.h"
#include "pki/signature.h"
#include "sql/test_database.h"

namespace renkei::audit::testing {

// A chart view of `patient` by a doctor of facility 1111111111, numbered `i` in its request ID.
inline Event ChartView(int i, std::string patient = "RK00000000018") {
  Event e;
  e.time_ms = 1'780'000'000'000 + i;
  e.action = "chart.view";
  e.who = {"sato-doctor", "user", "1111111111"};
  e.patient = std::move(patient);
  e.data = {{"lab_result", "prescription"}, {}, {"1111111111", "2222222222"}};
  e.purpose = "TREAT";
  e.reason = "consent 12 links the viewer's facility";
  e.basis = "Consent/12";
  e.remote = "192.0.2.10";
  e.request_id = fmt::format("req-{}", i);
  return e;
}

class AuditTest : public ::testing::TestWithParam<std::string> {
 protected:
  // One CA for the whole suite: issuing keys is slow.
  static void SetUpTestSuite() {
    root_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                      fmt::format("renkei-audit-ca-{}", ::getpid()));
    std::filesystem::remove_all(*root_);
    const std::string ca = (*root_ / "ca").string(), other = (*root_ / "other").string();
    const std::string out = (*root_ / "out").string(), other_out = (*root_ / "other-out").string();
    ASSERT_TRUE(pki::InitCa(ca, "Test region", 3650).ok());
    ASSERT_TRUE(pki::InitCa(other, "Another region", 3650).ok());
    ASSERT_TRUE(pki::Issue(ca, {"hub", pki::Role::kHub, "", {}, {}, 825}, out).ok());
    ASSERT_TRUE(pki::Issue(ca, {"edge-1111111111", pki::Role::kEdge, "1111111111", {}, {}, 825}, out).ok());
    ASSERT_TRUE(pki::Issue(other, {"hub", pki::Role::kHub, "", {}, {}, 825}, other_out).ok());
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*root_);
    delete root_;
  }

  void SetUp() override {
    auto db = sql::TestDatabase::Create(GetParam(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  static pki::Signer LoadSigner(const std::string& dir, const std::string& name) {
    auto signer = pki::Signer::Load((*root_ / dir / (name + ".key")).string(), (*root_ / dir / (name + ".crt")).string());
    EXPECT_TRUE(signer.ok()) << signer.status().ToString();
    return std::move(signer).value();
  }
  static pki::Signer HubSigner() { return LoadSigner("out", "hub"); }
  static std::string CaPem() { return Ok(ReadFile((*root_ / "ca" / "ca.crt").string(), 1 << 20)); }

  // Options that sign every `head_every` entries with the hub's key.
  static LogOptions Signed(int64_t head_every = 10) {
    LogOptions o;
    o.signer = HubSigner();
    o.head_every = head_every;
    o.durable = false;
    return o;
  }

  std::unique_ptr<Log> OpenLog(LogOptions options = Signed()) {
    auto log = Log::Open(db_->url(), std::move(options));
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }

  // A log of `n` chart views, closed (so that a head covers them all).
  void Fill(int n, LogOptions options = Signed()) {
    auto log = OpenLog(std::move(options));
    ASSERT_NE(log, nullptr);
    for (int i = 0; i < n; ++i) ASSERT_TRUE(log->Append(ChartView(i)).ok());
    ASSERT_TRUE(log->Close().ok());
  }

  // A connection of the test's own, to read or tamper with the tables.
  std::unique_ptr<sql::SqlConnection> Sql() { return Ok(sql::Open(db_->url())); }
  void Exec(const std::string& statement, const std::vector<sql::SqlValue>& params = {}) {
    auto db = Sql();
    ASSERT_NE(db, nullptr);
    auto rows = db->Query(statement, params);
    ASSERT_TRUE(rows.ok()) << statement << ": " << rows.status().ToString();
  }

  VerifyReport VerifyLog(VerifyOptions options = {}) {
    if (options.ca_pem.empty()) options.ca_pem = CaPem();
    auto db = Sql();
    if (db == nullptr) return {};
    return Ok(Verify(*db, options));
  }

  static std::filesystem::path* root_;
  std::unique_ptr<sql::TestDatabase> db_;
};

inline std::filesystem::path* AuditTest::root_ = nullptr;

}  // namespace renkei::audit::testing
