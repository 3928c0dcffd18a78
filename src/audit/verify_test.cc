// Verify against every kind of tampering, on SQLite and PostgreSQL: each change made directly in
// the database is reported at exactly the entry it touched, or — when the chain was rewritten to
// hide it — at the first entry after the last signed head that still holds.
#include "audit/verify.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "audit/test_util.h"

namespace renkei::audit {
namespace {

using testing::AuditTest;
using testing::ChartView;

class AuditVerifyTest : public AuditTest {
 protected:
  // 20 chart views under signed heads at 10 and 20.
  void SetUp() override {
    AuditTest::SetUp();
    if (!HasFatalFailure()) Fill(20);
  }

  // Verify with the CA and small pages, so that rows are compared across page boundaries.
  VerifyReport Check(VerifyOptions options = {}) {
    options.page = 3;
    return VerifyLog(std::move(options));
  }

  void ExpectDamage(int64_t first_bad, const std::string& reason) {
    VerifyReport r = Check();
    EXPECT_FALSE(r.intact);
    EXPECT_EQ(r.first_bad, first_bad) << Describe(r);
    EXPECT_EQ(r.reason, reason);
  }

  Digest StoredChain(int64_t seq) {
    auto rows = Ok(Sql()->Query("SELECT chain FROM audit_entries WHERE seq = $1", {seq}));
    Digest d{};
    EXPECT_TRUE(!rows.empty() && FromBytes(rows[0].Text(0), &d));
    return d;
  }

  // Moves entries numbered >= from by `by` (+1 or -1), in two steps so that no number is ever
  // held twice.
  void Renumber(int64_t from, int64_t by) {
    Exec("UPDATE audit_entries SET seq = -seq - 1 WHERE seq >= $1", {from});
    Exec("UPDATE audit_entries SET seq = -seq - 1 + $1 WHERE seq < 0", {by});
  }

  std::string Text(int i) { return Ok(CanonicalText(ChartView(i))); }

  // Signs the head of `size` anew with `signer`, whose certificate is stored for it.
  void Resign(int64_t size, const pki::Signer& signer) {
    const auto rows = Ok(Sql()->Query(fmt::format("{} WHERE h.size = $1", kHeadSelect), {size}));
    ASSERT_EQ(rows.size(), 1u);
    const TreeHead head = ReadStoredHead(rows[0]).head;
    Exec("INSERT INTO audit_signers (certificate) VALUES ($1) ON CONFLICT DO NOTHING", {signer.certificate_pem()});
    Exec("UPDATE audit_heads SET signature = $1, signer = (SELECT id FROM audit_signers WHERE certificate = $2) "
         "WHERE size = $3",
         {signer.Sign(SignedText(head)), signer.certificate_pem(), size});
  }
};

TEST_P(AuditVerifyTest, AnIntactLogVerifies) {
  VerifyReport r = Check();
  EXPECT_TRUE(r.intact) << Describe(r);
  EXPECT_EQ(r.entries, 20);
  EXPECT_EQ(r.heads, 2);
  EXPECT_EQ(r.signatures, 2);
  EXPECT_EQ(r.covered, 20);
  EXPECT_EQ(r.signer, "hub");
  EXPECT_TRUE(Describe(r).starts_with("intact: 20 entries, 2 signed heads, the last over 20 entries at ")) << Describe(r);
  EXPECT_TRUE(Describe(r).ends_with(", signatures checked (signer hub)")) << Describe(r);
}

TEST_P(AuditVerifyTest, ReportsProgress) {
  std::vector<std::pair<int64_t, int64_t>> calls;
  VerifyOptions options;
  options.progress = [&](int64_t checked, int64_t total) { calls.emplace_back(checked, total); };
  EXPECT_TRUE(Check(options).intact);
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front(), std::make_pair(int64_t{3}, int64_t{20}));
  EXPECT_EQ(calls.back(), std::make_pair(int64_t{20}, int64_t{20}));
}

TEST_P(AuditVerifyTest, AChangedTextIsPinpointed) {
  Exec("UPDATE audit_entries SET entry = $1 WHERE seq = 7", {Text(107)});
  ExpectDamage(7, "its text was changed (its hash differs; the entries after it chain from its stored value), or an "
                  "entry before it was removed and the rest renumbered");
}

TEST_P(AuditVerifyTest, AChangedLastTextIsPinpointed) {
  Exec("UPDATE audit_entries SET entry = $1 WHERE seq = 19", {Text(119)});
  ExpectDamage(19, "its hash does not match its chain value: its text or chain value was changed, or it was put in "
                   "another entry's place");
}

TEST_P(AuditVerifyTest, ADeletedEntryIsPinpointed) {
  Exec("DELETE FROM audit_entries WHERE seq = 7");
  ExpectDamage(7, "missing (numbering jumps from 6 to 8)");
}

TEST_P(AuditVerifyTest, ADeletedFirstEntryIsPinpointed) {
  Exec("DELETE FROM audit_entries WHERE seq = 0");
  ExpectDamage(0, "missing: the log starts at entry 1 and no signed head marks a cut there");
}

TEST_P(AuditVerifyTest, ADeletedEntryWithTheRestRenumberedIsPinpointed) {
  Exec("DELETE FROM audit_entries WHERE seq = 7");
  Renumber(8, -1);
  ExpectDamage(7, "its text was changed (its hash differs; the entries after it chain from its stored value), or an "
                  "entry before it was removed and the rest renumbered");
}

TEST_P(AuditVerifyTest, AnInsertedEntryWithAFittingChainIsPinpointed) {
  Renumber(7, +1);
  const std::string text = Text(99);
  Exec("INSERT INTO audit_entries (seq, time_ms, action, principal, facility, patient, entry, chain) "
       "VALUES (7, $1, 'chart.view', 'sato-doctor', '1111111111', 'RK00000000018', $2, $3)",
       {ChartView(99).time_ms, text, sql::Blob{Bytes(ChainHash(StoredChain(6), LeafHash(text)))}});
  ExpectDamage(7, "it was inserted (entry 8 chains from entry 6)");
}

TEST_P(AuditVerifyTest, AnInsertedEntryWithAnyChainIsPinpointed) {
  Renumber(7, +1);
  Exec("INSERT INTO audit_entries (seq, time_ms, action, principal, facility, patient, entry, chain) "
       "VALUES (7, 1, 'chart.view', 'x', '', '', $1, $2)",
       {Text(99), sql::Blob{std::string(32, '\x01')}});
  ExpectDamage(7, "it was inserted (entry 8 chains from entry 6)");
}

TEST_P(AuditVerifyTest, TwoSwappedTextsArePinpointed) {
  Exec("UPDATE audit_entries SET entry = $1 WHERE seq = 7", {Text(8)});
  Exec("UPDATE audit_entries SET entry = $1 WHERE seq = 8", {Text(7)});
  // The indexed columns are not swapped here; the chain is checked before them.
  ExpectDamage(7, "entries 7 and 8 were swapped (their texts are in each other's place)");
}

TEST_P(AuditVerifyTest, TwoSwappedRowsArePinpointed) {
  Exec("UPDATE audit_entries SET seq = -1 WHERE seq = 7");
  Exec("UPDATE audit_entries SET seq = 7 WHERE seq = 8");
  Exec("UPDATE audit_entries SET seq = 8 WHERE seq = -1");
  ExpectDamage(7, "entries 7 and 8 were swapped");
}

TEST_P(AuditVerifyTest, AChangedIndexColumnIsPinpointed) {
  Exec("UPDATE audit_entries SET patient = 'RK99999999999' WHERE seq = 3");
  ExpectDamage(3, "its patient column (RK99999999999) differs from its text (RK00000000018)");
}

TEST_P(AuditVerifyTest, ADamagedChainValueIsPinpointed) {
  Exec("UPDATE audit_entries SET chain = $1 WHERE seq = 5", {sql::Blob{"abc"}});
  ExpectDamage(5, "its stored chain value is 3 bytes, not 32 (a damaged row)");
}

TEST_P(AuditVerifyTest, ARewrittenChainIsCaughtByTheNextSignedHead) {
  // Whoever rewrites entry 15 and every chain value after it makes a consistent chain, but not
  // one that reaches head 20's signed value: entries 10..19 are not proven, 0..9 still are.
  Exec("UPDATE audit_entries SET entry = $1, time_ms = $2 WHERE seq = 15", {Text(115), ChartView(115).time_ms});
  Digest chain = StoredChain(14);
  auto rows = Ok(Sql()->Query("SELECT seq, entry FROM audit_entries WHERE seq >= 15 ORDER BY seq", {}));
  for (const sql::SqlRow& row : rows) {
    chain = ChainHash(chain, LeafHash(row.Text(1)));
    Exec("UPDATE audit_entries SET chain = $1 WHERE seq = $2", {sql::Blob{Bytes(chain)}, row.Int(0)});
  }
  ExpectDamage(10, "entries 10..19 do not match signed head 20: its chain value differs (the entries were rewritten, "
                   "or the head forged)");
}

TEST_P(AuditVerifyTest, AForgedHeadChainIsReported) {
  Exec("UPDATE audit_heads SET chain = $1 WHERE size = 20", {sql::Blob{std::string(32, '\x07')}});
  ExpectDamage(10, "entries 10..19 do not match signed head 20: its chain value differs (the entries were rewritten, "
                   "or the head forged)");
}

TEST_P(AuditVerifyTest, AHeadWhoseSignedTextChangedFailsItsSignature) {
  Exec("UPDATE audit_heads SET time_ms = time_ms + 1 WHERE size = 10");
  ExpectDamage(0, "entries 0..9 do not match signed head 10: the signature of hub does not match the bytes");
  // Without the CA the signature is not checked, and the report says so.
  auto db = Sql();
  VerifyReport unchecked = Ok(Verify(*db));
  EXPECT_TRUE(unchecked.intact);
  EXPECT_TRUE(Describe(unchecked).find("signatures not checked (no CA given)") != std::string::npos);
}

TEST_P(AuditVerifyTest, AHeadSignedByAnotherRegionsHubIsReported) {
  // A hub of another CA signs a head that matches the chain.
  Resign(20, LoadSigner("other-out", "hub"));
  VerifyReport r = Check();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_bad, 10);
  EXPECT_TRUE(r.reason.starts_with("entries 10..19 do not match signed head 20: the signer's certificate is not valid"))
      << r.reason;
}

TEST_P(AuditVerifyTest, AHeadSignedByAnEdgeOrAnotherHubIsReported) {
  Resign(10, LoadSigner("out", "edge-1111111111"));
  ExpectDamage(0, "entries 0..9 do not match signed head 10: it is signed by edge-1111111111, whose role is edge, not "
                  "hub");

  Resign(10, HubSigner());
  EXPECT_TRUE(Check().intact);
  VerifyOptions named;
  named.signer_name = "hub-2";
  VerifyReport r = Check(named);
  EXPECT_EQ(Describe(r), "entry 0: entries 0..9 do not match signed head 10: it is signed by hub, not hub-2");
}

TEST_P(AuditVerifyTest, ARemovedHeadIsReported) {
  Exec("DELETE FROM audit_heads WHERE size = 10");
  ExpectDamage(0, "entries 0..19 do not match signed head 20: it names head 10 before it, but the head before it is 0 "
                  "(a head was removed)");
}

TEST_P(AuditVerifyTest, ACutEndIsReported) {
  Exec("DELETE FROM audit_entries WHERE seq >= 18");
  ExpectDamage(18, "missing: signed head 20 covers entries up to 19 but the log ends at 17");
  Exec("DELETE FROM audit_entries");
  ExpectDamage(0, "missing: signed head 10 covers entries up to 9 but the log is empty");
}

TEST_P(AuditVerifyTest, AGarbageEntryUnderARewrittenChainIsReported) {
  // Garbage with a chain value made to fit, and head 20 rewritten to match (verified without
  // the CA, which would refuse the head): the text itself is checked.
  const std::string garbage = R"({"action":"chart.view","time":)";
  const Digest chain = ChainHash(StoredChain(18), LeafHash(garbage));
  Exec("UPDATE audit_entries SET entry = $1, chain = $2 WHERE seq = 19", {garbage, sql::Blob{Bytes(chain)}});
  Exec("UPDATE audit_heads SET chain = $1 WHERE size = 20", {sql::Blob{Bytes(chain)}});
  auto db = Sql();
  VerifyOptions options;
  options.page = 4;
  VerifyReport r = Ok(Verify(*db, options));
  EXPECT_EQ(Describe(r), "entry 19: its text is not a valid entry: the entry is not JSON");
}

TEST_P(AuditVerifyTest, ANonNumericColumnIsReported) {
  if (GetParam() != "sqlite") {
    // PostgreSQL keeps a BIGINT column's type: the damage cannot even be stored.
    auto db = Sql();
    ASSERT_NE(db, nullptr);
    EXPECT_FALSE(db->Query("UPDATE audit_entries SET time_ms = 'yesterday' WHERE seq = 2", {}).ok());
    EXPECT_TRUE(Check().intact);
    return;
  }
  Exec("UPDATE audit_entries SET time_ms = 'yesterday' WHERE seq = 2");
  ExpectDamage(2, "its time column is not an integer");
  Exec("UPDATE audit_entries SET time_ms = $1 WHERE seq = 2", {ChartView(2).time_ms});
  EXPECT_TRUE(Check().intact);
  Exec("UPDATE audit_heads SET previous = 'none' WHERE size = 10");
  ExpectDamage(0, "entries 0..9 do not match signed head 10: a number column does not hold an integer");
}

TEST_P(AuditVerifyTest, VerifiesWhileTheLogIsAppendedTo) {
  // Entries and heads (every 7 entries) keep arriving while Verify reads them a few at a time:
  // every run sees one consistent log, intact.
  auto log = OpenLog(Signed(/*head_every=*/7));
  ASSERT_NE(log, nullptr);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 100; !stop && i < 2000; ++i) {
      ASSERT_TRUE(log->Append(ChartView(i)).ok());
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  for (int round = 0; round < 10; ++round) {
    VerifyOptions options;
    options.page = 5;
    VerifyReport r = VerifyLog(options);
    EXPECT_TRUE(r.intact) << Describe(r);
  }
  stop = true;
  writer.join();
  ASSERT_TRUE(log->Close().ok());
  VerifyReport r = Check();
  EXPECT_TRUE(r.intact) << Describe(r);
  EXPECT_GT(r.entries, 20);
}

TEST_P(AuditVerifyTest, RefusesABadCaOrPage) {
  auto db = Sql();
  VerifyOptions options;
  options.ca_pem = "not a certificate";
  EXPECT_EQ(Verify(*db, options).status().code(), StatusCode::kInvalidArgument);
  options = {};
  options.page = 1;
  EXPECT_EQ(Verify(*db, options).status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(audit, AuditVerifyTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace renkei::audit
