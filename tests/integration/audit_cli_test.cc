// `renkei audit verify|list` as an auditor uses them, on a log the hub's library wrote and signed
// with a certificate from `renkei ca`: intact, then tampered with directly in the database (each
// change on a fresh copy), and the mistakes an operator makes.
#include <gtest/gtest.h>

#include "audit/log.h"
#include "pki/signature.h"
#include "renkei_cli.h"
#include "sql/sql.h"
#include "sql/test_database.h"

namespace renkei::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kEntries = 60;

audit::Event Access(int i) {
  audit::Event e;
  e.time_ms = 1'780'000'000'000 + i * 1000;
  e.action = i % 10 == 9 ? "consent.change" : "chart.view";
  e.who = {i % 2 == 0 ? "sato-doctor" : "ito-nurse", "user", "1111111111"};
  e.patient = i % 3 == 0 ? "RK00000000018" : "RK00000000026";
  e.data.types = {"lab_result"};
  e.purpose = "TREAT";
  e.decision = i == 4 ? audit::Decision::kDeny : audit::Decision::kAllow;
  e.reason = i == 4 ? "no consent links facility 1111111111" : "";
  e.request_id = fmt::format("req-{}", i);
  return e;
}

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("renkei-audit");
    ASSERT_EQ(Renkei("ca init --dir region").exit_code, 0);
    ASSERT_EQ(Renkei("ca issue --dir region --name hub --role hub").exit_code, 0);
    ASSERT_EQ(Renkei("ca init --dir other").exit_code, 0);
    Fill("sqlite:" + (dir_ / "audit.db").string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result Renkei(const std::string& args) { return RunRenkei(dir_, args); }

  // kEntries accesses, signed by the hub every 25 entries and on close.
  void Fill(const std::string& url) {
    auto signer = pki::Signer::Load((dir_ / "region/issued/hub.key").string(), (dir_ / "region/issued/hub.crt").string());
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    audit::LogOptions options;
    options.signer = *signer;
    options.head_every = 25;
    auto log = audit::Log::Open(url, options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int i = 0; i < kEntries; ++i) ASSERT_TRUE((*log)->Append(Access(i)).ok());
    ASSERT_TRUE((*log)->Close().ok());
  }

  // A copy of the intact log to tamper with, and its store URL.
  std::string Copy(const std::string& name) {
    fs::copy_file(dir_ / "audit.db", dir_ / name, fs::copy_options::overwrite_existing);
    return "sqlite:" + name;
  }

  void Exec(const std::string& url, const std::string& statement, const std::vector<sql::SqlValue>& params = {}) {
    auto db = sql::Open(url.starts_with("sqlite:") && !url.starts_with("sqlite:/") ? "sqlite:" + (dir_ / url.substr(7)).string()
                                                                                   : url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto rows = (*db)->Query(statement, params);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  }

  // `renkei audit verify` on `url` must exit 1 naming `entry` and `reason`, in text and JSON.
  void ExpectTampered(const std::string& url, int64_t entry, const std::string& reason) {
    Result r = Renkei("audit verify --store '" + url + "' --ca region/ca.crt");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(r.out, fmt::format("entry {}: {}\n", entry, reason));
    json j = RunJson(dir_, "audit verify --store '" + url + "' --ca region/ca.crt --json", 1);
    EXPECT_EQ(j["intact"], false);
    EXPECT_EQ(j["first_bad"], entry);
    EXPECT_EQ(j["reason"], reason);
  }

  fs::path dir_;
};

TEST_F(AuditCliTest, VerifiesAnIntactSignedLog) {
  Result r = Renkei("audit verify --store sqlite:audit.db --ca region/ca.crt");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("intact: 60 entries, 3 signed heads, the last over 60 entries at ")) << r.out;
  EXPECT_NE(r.out.find("signatures checked (signer hub)"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");  // no progress on a short run

  json j = RunJson(dir_, "audit verify --store sqlite:audit.db --ca region/ca.crt --signer hub --json");
  EXPECT_EQ(j["intact"], true);
  EXPECT_EQ(j["entries"], kEntries);
  EXPECT_EQ(j["heads"], 3);
  EXPECT_EQ(j["signatures"], 3);
  EXPECT_EQ(j["covered"], kEntries);
  EXPECT_EQ(j["unsigned_tail"], 0);
  EXPECT_TRUE(j["first_bad"].is_null());

  Result unchecked = Renkei("audit verify --store sqlite:audit.db");
  EXPECT_EQ(unchecked.exit_code, 0);
  EXPECT_NE(unchecked.out.find("signatures not checked (no CA given)"), std::string::npos) << unchecked.out;
}

TEST_F(AuditCliTest, ReportsEachTamperingAtItsEntry) {
  const std::string changed = Copy("changed.db");
  Exec(changed, "UPDATE audit_entries SET entry = replace(entry, 'req-17', 'req-71') WHERE seq = 17");
  ExpectTampered(changed, 17,
                 "its text was changed (its hash differs; the entries after it chain from its stored value), or an "
                 "entry before it was removed and the rest renumbered");

  const std::string deleted = Copy("deleted.db");
  Exec(deleted, "DELETE FROM audit_entries WHERE seq = 30");
  ExpectTampered(deleted, 30, "missing (numbering jumps from 29 to 31)");

  const std::string swapped = Copy("swapped.db");
  Exec(swapped, "UPDATE audit_entries SET seq = -1 WHERE seq = 40");
  Exec(swapped, "UPDATE audit_entries SET seq = 40 WHERE seq = 41");
  Exec(swapped, "UPDATE audit_entries SET seq = 41 WHERE seq = -1");
  ExpectTampered(swapped, 40, "entries 40 and 41 were swapped");

  const std::string cut = Copy("cut.db");
  Exec(cut, "DELETE FROM audit_entries WHERE seq >= 55");
  ExpectTampered(cut, 55, "missing: signed head 60 covers entries up to 59 but the log ends at 54");

  const std::string forged = Copy("forged.db");
  Exec(forged, "UPDATE audit_heads SET time_ms = time_ms + 1 WHERE size = 50");
  ExpectTampered(forged, 25, "entries 25..49 do not match signed head 50: the signature of hub does not match the bytes");
}

TEST_F(AuditCliTest, HeadsOfAnotherCaAreRefused) {
  Result r = Renkei("audit verify --store sqlite:audit.db --ca other/ca.crt");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.starts_with("entry 0: entries 0..24 do not match signed head 25: the signer's certificate is not "
                                "valid"))
      << r.out;
  Result named = Renkei("audit verify --store sqlite:audit.db --ca region/ca.crt --signer hub-2");
  EXPECT_EQ(named.exit_code, 1);
  EXPECT_EQ(named.out, "entry 0: entries 0..24 do not match signed head 25: it is signed by hub, not hub-2\n");
}

TEST_F(AuditCliTest, ListsAPatientsAccessesNewestFirst) {
  json page = RunJson(dir_, "audit list --store sqlite:audit.db --patient RK00000000018 --limit 5 --json");
  ASSERT_EQ(page["entries"].size(), 5u);
  EXPECT_EQ(page["entries"][0]["seq"], 57);
  EXPECT_EQ(page["entries"][0]["patient"], "RK00000000018");
  EXPECT_EQ(page["entries"][0]["who"]["name"], "ito-nurse");
  EXPECT_EQ(page["entries"][4]["seq"], 45);
  EXPECT_EQ(page["next_before"], 45);
  json next = RunJson(dir_, "audit list --store sqlite:audit.db --patient RK00000000018 --limit 5 --before 45 --json");
  EXPECT_EQ(next["entries"][0]["seq"], 42);

  Result text = Renkei("audit list --store sqlite:audit.db --principal sato-doctor --to 1780000010000");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("ENTRY"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("       4  2026-05-28T20:26:44.000Z  chart.view          deny      RK00000000026  TREAT    "
                          "sato-doctor (user, 1111111111)  [lab_result]\n"
                          "          no consent links facility 1111111111\n"),
            std::string::npos)
      << text.out;
  EXPECT_EQ(text.out.find("ito-nurse"), std::string::npos);
  json actions = RunJson(dir_, "audit list --store sqlite:audit.db --action consent.change --from 2026-05-28T20:27:00Z --json");
  ASSERT_EQ(actions["entries"].size(), 4u);  // 29, 39, 49, 59: times from 20:27:09
  EXPECT_EQ(actions["entries"][3]["seq"], 29);
}

TEST_F(AuditCliTest, ListRefusesARowWhoseIndexWasChanged) {
  const std::string moved = Copy("moved.db");
  Exec(moved, "UPDATE audit_entries SET patient = 'RK99999999999' WHERE seq = 12");
  Result r = Renkei("audit list --store sqlite:moved.db --patient RK99999999999");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "renkei audit list: entry 12: its patient column (RK99999999999) differs from its text (RK00000000018); run "
            "renkei audit verify\n");
}

TEST_F(AuditCliTest, MistakesAreExplained) {
  auto expect = [&](const std::string& args, int code, const std::string& message) {
    Result r = Renkei(args);
    EXPECT_EQ(r.exit_code, code) << args << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << "\n" << r.err;
  };
  expect("audit verify --store sqlite:missing.db", 3, "renkei audit verify: no audit log at missing.db: no such file");
  EXPECT_FALSE(fs::exists(dir_ / "missing.db"));
  expect("audit verify --store mysql://localhost/audit", 2, "unknown store URL scheme");
  expect("audit verify --store sqlite:audit.db --ca nowhere.crt", 3, "--ca: ");
  expect("audit verify --store sqlite:audit.db --ca region/issued/hub.key", 2, "");
  expect("audit verify --store sqlite:audit.db --signer hub", 2, "--signer needs --ca");
  expect("audit list --store sqlite:audit.db --from yesterday", 2,
         "--from: \"yesterday\" is not a time: use 2026-11-21, 2026-11-21T05:59:01Z (UTC) or milliseconds since 1970");
  std::ofstream(dir_ / "not-a-db.db") << std::string(4096, 'x');
  expect("audit list --store sqlite:not-a-db.db", 1, "file is not a database");
  Exec("sqlite:other.db", "CREATE TABLE registrations (id INTEGER PRIMARY KEY)");
  expect("audit list --store sqlite:other.db", 3, "the store holds no audit log");
  Result help = Renkei("audit --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("verify"), std::string::npos);
  EXPECT_NE(help.out.find("hash-chained"), std::string::npos);
}

TEST(AuditCliPostgresTest, VerifiesAndFindsTamperingInPostgres) {
  auto db = sql::TestDatabase::Create("postgresql", "audit_cli");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const fs::path dir = FreshTestDir("renkei-audit-pg");
  {
    auto log = audit::Log::Open((*db)->url());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int i = 0; i < 10; ++i) ASSERT_TRUE((*log)->Append(Access(i)).ok());
  }
  Result r = RunRenkei(dir, "audit verify --store '" + (*db)->url() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(r.out.starts_with("intact: 10 entries, 1 signed head, ")) << r.out;
  {
    auto conn = sql::Open((*db)->url());
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Query("DELETE FROM audit_entries WHERE seq = 3", {}).ok());
  }
  r = RunRenkei(dir, "audit verify --store '" + (*db)->url() + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "entry 3: missing (numbering jumps from 2 to 4)\n");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace renkei::testing
