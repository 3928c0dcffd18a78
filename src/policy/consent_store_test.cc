// The consent store's conformance suite, against SQLite and against PostgreSQL.
#include "policy/consent_store.h"

#include <gtest/gtest.h>

#include "base/status_testing.h"
#include "sql/test_database.h"

namespace renkei::policy {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

class ConsentStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = sql::TestDatabase::Create(GetParam(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto store = ConsentStore::Open(db_->url());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  void TearDown() override { store_.reset(); }

  static ConsentRecord Active(std::vector<std::string> linked) {
    ConsentRecord r;
    r.regional_id = "RK00000000001";
    r.linked = std::move(linked);
    r.recorded_by = "clerk-1";
    r.recorded_facility = "1310000001";
    return r;
  }

  std::unique_ptr<sql::TestDatabase> db_;
  std::unique_ptr<ConsentStore> store_;
};

TEST_P(ConsentStoreTest, EachChangeIsANewRowAndTheNewestIsTheConsent) {
  EXPECT_FALSE(Ok(store_->Current("RK00000000001")).has_value());
  ConsentRecord first = Active({"1310000002", "1310000001", "1310000002"});
  first.proxy = "guardian-tanaka";
  first.document_type = "application/pdf";
  const std::string pdf = std::string("%PDF-1.7\0\xff binary", 18);
  const ConsentRecord stored = Ok(store_->Record(first, pdf));
  EXPECT_EQ(stored.id, "C1");
  EXPECT_EQ(stored.linked, (std::vector<std::string>{"1310000001", "1310000002"}));
  EXPECT_EQ(stored.document_sha256.size(), 64u);
  EXPECT_EQ(Ok(store_->Document("C1")), pdf);

  ConsentRecord withdrawal = Active({});
  withdrawal.state = Consent::State::kWithdrawn;
  EXPECT_EQ(Ok(store_->Record(withdrawal, "")).id, "C2");
  const auto now = Ok(store_->Current("RK00000000001"));
  ASSERT_TRUE(now.has_value());
  EXPECT_EQ(now->state, Consent::State::kWithdrawn);
  EXPECT_TRUE(now->linked.empty());
  const auto history = Ok(store_->History("RK00000000001"));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].proxy, "guardian-tanaka");
  EXPECT_EQ(history[1].document_type, "application/pdf");
  EXPECT_EQ(store_->Document("C2").status().ToString(), "not_found: consent C2 has no document");
  EXPECT_EQ(store_->Document("C99").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Document("X'; DROP TABLE consents; --").status().code(), StatusCode::kNotFound);
}

TEST_P(ConsentStoreTest, RefusesMalformedConsentsAndKeepsNothingOfThem) {
  const auto refused = [&](ConsentRecord r, std::string_view document = "") {
    return store_->Record(std::move(r), document).status().ToString();
  };
  EXPECT_EQ(refused(Active({})), "invalid_argument: an active consent links at least one facility");
  ConsentRecord w = Active({"1310000001"});
  w.state = Consent::State::kWithdrawn;
  EXPECT_EQ(refused(w), "invalid_argument: a withdrawal links no facility");
  EXPECT_EQ(refused(Active({"13100'00001"})), "invalid_argument: '13100'00001' is not a facility code");
  EXPECT_EQ(refused(Active({std::string(21, '1')})), "invalid_argument: '111111111111111111111' is not a facility code");
  ConsentRecord bad_person = Active({"1310000001"});
  bad_person.regional_id = "RK/../1";
  EXPECT_EQ(refused(bad_person), "invalid_argument: a regional ID is 1-40 letters and digits");
  std::vector<std::string> many;
  for (int i = 0; i <= 200; ++i) many.push_back(std::to_string(1000000000 + i));
  EXPECT_EQ(refused(Active(many)), "invalid_argument: at most 200 linked facilities");
  EXPECT_EQ(refused(Active({"1310000001"}), std::string(kMaxDocumentBytes + 1, 'x')),
            "invalid_argument: the consent document exceeds 2097152 bytes");
  ConsentRecord anonymous = Active({"1310000001"});
  anonymous.recorded_by.clear();
  EXPECT_EQ(refused(anonymous), "invalid_argument: who recorded the consent is required");
  EXPECT_TRUE(Ok(store_->History("RK00000000001")).empty());
}

TEST_P(ConsentStoreTest, OverridesRunUntilTheirEndOrAStopAndWaitForReview) {
  EXPECT_EQ(store_->StartOverride("dr-sato", "F1", "RK1", "  ", 30, kNow).status().ToString(),
            "invalid_argument: break-glass needs the emergency's reason");
  EXPECT_EQ(store_->StartOverride("dr-sato", "F1", "RK1", "cardiac arrest", 0, kNow).status().ToString(),
            "invalid_argument: an override lasts 1 to 1440 minutes");
  EXPECT_EQ(store_->StartOverride("dr-sato", "F1", "RK1", std::string(1001, 'x'), 30, kNow).status().ToString(),
            "invalid_argument: the reason exceeds 1000 bytes");
  const OverrideRecord o = Ok(store_->StartOverride("dr-sato", "F1", "RK1", "cardiac arrest", 30, kNow));
  EXPECT_EQ(o.id, "B1");
  EXPECT_EQ(o.until_ms, kNow + 30 * 60'000);
  const auto running = Ok(store_->RunningOverride("dr-sato", "RK1", kNow + 1000));
  ASSERT_TRUE(running.has_value());
  EXPECT_EQ(running->id, "B1");
  EXPECT_FALSE(Ok(store_->RunningOverride("dr-ito", "RK1", kNow + 1000)).has_value());
  EXPECT_FALSE(Ok(store_->RunningOverride("dr-sato", "RK1", o.until_ms)).has_value()) << "ended by itself";

  EXPECT_EQ(store_->StopOverride("B1", "dr-ito", kNow + 2000).status().code(), StatusCode::kPermissionDenied);
  const OverrideRecord stopped = Ok(store_->StopOverride("B1", "dr-sato", kNow + 2000));
  EXPECT_EQ(stopped.stopped_ms, kNow + 2000);
  EXPECT_FALSE(Ok(store_->RunningOverride("dr-sato", "RK1", kNow + 3000)).has_value());
  EXPECT_EQ(store_->StopOverride("B1", "dr-sato", kNow + 4000).status().ToString(),
            "failed_precondition: override B1 is already over");
  EXPECT_EQ(store_->StopOverride("B77", "dr-sato", kNow).status().code(), StatusCode::kNotFound);

  ASSERT_EQ(Ok(store_->Overrides("", true)).size(), 1u);
  const OverrideRecord reviewed = Ok(store_->ReviewOverride("B1", "operator-kato", "justified: ER admission"));
  EXPECT_EQ(reviewed.reviewed_by, "operator-kato");
  EXPECT_TRUE(Ok(store_->Overrides("", true)).empty());
  EXPECT_EQ(Ok(store_->Overrides("RK1", false)).size(), 1u);
  EXPECT_EQ(store_->ReviewOverride("B1", "operator-kato", "again").status().ToString(),
            "failed_precondition: override B1 was reviewed by operator-kato");
}

INSTANTIATE_TEST_SUITE_P(Backends, ConsentStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(EffectiveConsentTest, TheHubsRecordWinsElseTheRegistrationsSay) {
  EXPECT_EQ(EffectiveConsent(std::nullopt, {}).state, Consent::State::kNone);
  const Consent derived = EffectiveConsent(std::nullopt, {"A", "B"});
  EXPECT_EQ(derived.state, Consent::State::kActive);
  EXPECT_EQ(derived.id, "registration");
  EXPECT_EQ(derived.linked, (std::vector<std::string>{"A", "B"}));
  ConsentRecord withdrawn;
  withdrawn.id = "C4";
  withdrawn.state = Consent::State::kWithdrawn;
  const Consent recorded = EffectiveConsent(withdrawn, {"A", "B"});
  EXPECT_EQ(recorded.state, Consent::State::kWithdrawn);
  EXPECT_EQ(recorded.id, "C4");
}

}  // namespace
}  // namespace renkei::policy
