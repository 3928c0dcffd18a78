// The gateway's stores (registry.h, outbox.h) against SQLite and against PostgreSQL.
#include "gateway/registry.h"

#include <gtest/gtest.h>

#include "base/status_testing.h"
#include "gateway/outbox.h"
#include "sql/test_database.h"

namespace renkei::gateway {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

class GatewayStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = sql::TestDatabase::Create(GetParam(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto registry = Registry::Open(db_->url());
    ASSERT_TRUE(registry.ok()) << registry.status().ToString();
    registry_ = std::move(registry).value();
    auto outbox = Outbox::Open(db_->url());
    ASSERT_TRUE(outbox.ok()) << outbox.status().ToString();
    outbox_ = std::move(outbox).value();
  }
  void TearDown() override {
    outbox_.reset();
    registry_.reset();
  }

  IssuedService AddService(const std::string& name) {
    return Ok(registry_->Add({name, "", "https://svc.example/" + name + "/hook", true}));
  }

  std::unique_ptr<sql::TestDatabase> db_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_P(GatewayStoreTest, AServiceIsRegisteredWithSecretsShownOnceAndAuthenticatesByToken) {
  const IssuedService issued = AddService("reception");
  EXPECT_EQ(issued.service.id, "S1");
  EXPECT_TRUE(issued.service.client_id.starts_with("svc-"));
  EXPECT_TRUE(issued.client_secret.starts_with("rks_"));
  EXPECT_TRUE(issued.signing_secret.starts_with("whsec_"));
  EXPECT_EQ(Ok(registry_->SigningSecrets())["S1"], issued.signing_secret);
  EXPECT_EQ(Ok(registry_->List()).size(), 1u);

  // The client credentials grant: a wrong secret, an unknown client, a malformed one get one answer.
  for (const auto& [id, secret] : std::vector<std::pair<std::string, std::string>>{
           {issued.service.client_id, "rks_wrong"}, {"svc-unknown", issued.client_secret}, {"", ""},
           {std::string(100, 'x'), issued.client_secret}, {issued.service.client_id, std::string(300, 'x')}}) {
    auto t = registry_->IssueToken(id, secret, kNow);
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(t.status().message(), "invalid_client");
  }
  const AccessToken token = Ok(registry_->IssueToken(issued.service.client_id, issued.client_secret, kNow));
  EXPECT_TRUE(token.token.starts_with("rkt_"));
  EXPECT_EQ(token.expires_in, kTokenTtlSeconds);
  auto who = Ok(registry_->Authenticate(token.token, kNow + 1000));
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->name, "reception");
  // Expired, altered, or of a disabled service: no one.
  EXPECT_FALSE(Ok(registry_->Authenticate(token.token, kNow + kTokenTtlSeconds * 1000)).has_value());
  std::string altered = token.token;
  altered.back() = altered.back() == '0' ? '1' : '0';
  EXPECT_FALSE(Ok(registry_->Authenticate(altered, kNow)).has_value());
  EXPECT_FALSE(Ok(registry_->Authenticate("rkt_short", kNow)).has_value());
  EXPECT_FALSE(Ok(registry_->SetEnabled("S1", false)).enabled);
  EXPECT_FALSE(Ok(registry_->Authenticate(token.token, kNow)).has_value());
  EXPECT_FALSE(registry_->IssueToken(issued.service.client_id, issued.client_secret, kNow).ok());
  EXPECT_TRUE(Ok(registry_->SetEnabled("S1", true)).enabled);
  EXPECT_TRUE(registry_->IssueToken(issued.service.client_id, issued.client_secret, kNow).ok());
}

TEST_P(GatewayStoreTest, BadServicesAreRefusedAndNamesAndCertificatesAreUnique) {
  AddService("reception");
  auto twice = registry_->Add({"reception", "", "", true});
  EXPECT_EQ(twice.status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(registry_->Add({"questionnaire", "svc-questionnaire", "", false}).ok());
  EXPECT_EQ(registry_->Add({"other", "svc-questionnaire", "", false}).status().code(), StatusCode::kAlreadyExists);
  auto by_cert = Ok(registry_->ByCertificate("svc-questionnaire"));
  ASSERT_TRUE(by_cert.has_value());
  EXPECT_EQ(by_cert->name, "questionnaire");
  EXPECT_TRUE(by_cert->client_id.empty());
  EXPECT_FALSE(Ok(registry_->ByCertificate("nobody")).has_value());
  const NewService bad[] = {
      {"", "", "", true},
      {"a b", "", "", true},
      {std::string(65, 'a'), "", "", true},
      {"nocreds", "", "", false},
      {"plain", "", "http://svc.example/hook", true},
      {"ftp", "", "ftp://svc.example/hook", true},
      {"spaces", "", "https://svc.example/a hook", true},
      {"userinfo", "", "http://evil@127.0.0.1/hook", true},
      {"nohost", "", "https:///hook", true},
      {"long", "", "https://svc.example/" + std::string(3000, 'a'), true},
  };
  for (const NewService& s : bad) {
    EXPECT_EQ(registry_->Add(s).status().code(), StatusCode::kInvalidArgument) << s.name << " " << s.webhook_url.substr(0, 40);
  }
  EXPECT_TRUE(registry_->Add({"dev", "", "http://127.0.0.1:8999/hook", true}).ok());
  EXPECT_EQ(registry_->Get("S999").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(registry_->Get("1; DROP TABLE gateway_services").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Ok(registry_->SetWebhook("S1", "https://new.example/h")).webhook_url, "https://new.example/h");
  EXPECT_FALSE(registry_->SetWebhook("S1", "http://10.0.0.1/h").ok());
}

TEST_P(GatewayStoreTest, TheMatrixHoldsOneCellPerFacilityAndService) {
  AddService("reception");
  AddService("questionnaire");
  Grant g{"1310000001", "S1", NotifyMode::kData, {{"Encounter", {}}, {"Patient", {"name"}}}, "", "operator-sato"};
  ASSERT_TRUE(registry_->PutGrant(g).ok());
  ASSERT_TRUE(registry_->PutGrant({"1310000002", "S1", NotifyMode::kSignal, {}, "", "operator-sato"}).ok());
  ASSERT_TRUE(registry_->PutGrant({"1310000001", "S2", NotifyMode::kNone, {{"QuestionnaireResponse", {}}}, "", "op"}).ok());
  auto cell = Ok(registry_->GrantOf("1310000001", "S1"));
  ASSERT_TRUE(cell.has_value());
  EXPECT_EQ(cell->notify, NotifyMode::kData);
  EXPECT_EQ(cell->types.size(), 2u);
  EXPECT_EQ(cell->types[1].elements, std::vector<std::string>{"name"});
  EXPECT_EQ(cell->updated_by, "operator-sato");
  EXPECT_FALSE(cell->updated_at.empty());
  g.notify = NotifyMode::kSignal;
  ASSERT_TRUE(registry_->PutGrant(g).ok());  // replaced, not added
  EXPECT_EQ(Ok(registry_->GrantOf("1310000001", "S1"))->notify, NotifyMode::kSignal);
  EXPECT_EQ(Ok(registry_->Grants()).size(), 3u);
  EXPECT_EQ(Ok(registry_->Grants("1310000001")).size(), 2u);
  EXPECT_EQ(Ok(registry_->Grants("", "S1")).size(), 2u);
  EXPECT_EQ(Ok(registry_->Grants("", "bogus")).size(), 0u);
  EXPECT_TRUE(Ok(registry_->RemoveGrant("1310000002", "S1")));
  EXPECT_FALSE(Ok(registry_->RemoveGrant("1310000002", "S1")));
  EXPECT_FALSE(Ok(registry_->GrantOf("1310000002", "S1")).has_value());
  EXPECT_EQ(registry_->PutGrant({"1310000001", "S9", NotifyMode::kData, {}, "", "op"}).code(), StatusCode::kNotFound);
  EXPECT_EQ(registry_->PutGrant({"13100/0001", "S1", NotifyMode::kData, {}, "", "op"}).code(), StatusCode::kInvalidArgument);
}

Change ChangeAt(int64_t seq, std::string patient = "P1") {
  return {"1310000001", seq, "created", std::move(patient), "RK1", seq * 10, "Encounter", "FHIR-Encounter", "visit",
          "2026-12-07T10:00:00.000Z"};
}

TEST_P(GatewayStoreTest, TheOutboxWritesEachChangeOncePerServiceAndHandsThemOutInOrderPerPatient) {
  AddService("reception");
  AddService("questionnaire");
  std::vector<Fanout> rows = {{ChangeAt(1), "S1", NotifyMode::kData}, {ChangeAt(1), "S2", NotifyMode::kSignal},
                              {ChangeAt(2), "S1", NotifyMode::kData}, {ChangeAt(3, "P2"), "S1", NotifyMode::kData}};
  EXPECT_EQ(Ok(outbox_->Enqueue(rows, kNow)), 4);
  EXPECT_EQ(Ok(outbox_->Enqueue(rows, kNow + 5)), 0);  // the edge pushed the same changes again
  auto due = Ok(outbox_->Due(kNow, 100));
  // P1's second change for S1 waits for its first.
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].key, "1310000001:1:S1");
  EXPECT_EQ(due[0].change.regional_id, "RK1");
  EXPECT_EQ(due[0].change.record_id, 10);
  EXPECT_EQ(due[0].mode, NotifyMode::kData);
  EXPECT_EQ(due[1].key, "1310000001:1:S2");
  EXPECT_EQ(due[2].key, "1310000001:3:S1");
  EXPECT_TRUE(Ok(outbox_->Due(kNow - 1, 100)).empty());

  // The first fails: nothing of P1 for S1 goes until it is delivered.
  ASSERT_TRUE(outbox_->Record({{due[0].id, DeliveryState::kPending, kNow + 1000, "HTTP 503"}}).ok());
  due = Ok(outbox_->Due(kNow + 10, 100));
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(Ok(outbox_->NextDue()).value_or(0), kNow);  // the two handed out
  ASSERT_TRUE(outbox_->Record({{due[0].id, DeliveryState::kDelivered, kNow + 10, ""},
                               {due[1].id, DeliveryState::kDelivered, kNow + 10, ""}}).ok());
  EXPECT_EQ(Ok(outbox_->NextDue()).value_or(0), kNow + 1000);
  due = Ok(outbox_->Due(kNow + 1000, 100));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].key, "1310000001:1:S1");
  EXPECT_EQ(due[0].attempts, 1);
  EXPECT_EQ(due[0].last_error, "HTTP 503");
  // Given up on (dead), it no longer holds the patient's later changes back.
  ASSERT_TRUE(outbox_->Record({{due[0].id, DeliveryState::kDead, kNow + 2000, "HTTP 503"}}).ok());
  due = Ok(outbox_->Due(kNow + 1000, 100));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].key, "1310000001:2:S1");
  ASSERT_TRUE(outbox_->Record({{due[0].id, DeliveryState::kDelivered, kNow + 1000, ""}}).ok());

  auto dead = Ok(outbox_->List("S1", DeliveryState::kDead, 0, 10));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(DeliveryJson(dead[0])["state"], "dead");
  EXPECT_EQ(Ok(outbox_->List("S1", std::nullopt, 0, 10)).size(), 3u);
  EXPECT_EQ(Ok(outbox_->List("S1", std::nullopt, 0, 1)).size(), 1u);
  // An operator retries the dead one; a service cannot retry another's.
  EXPECT_EQ(outbox_->Retry("S2", dead[0].id, kNow + 3000).code(), StatusCode::kNotFound);
  ASSERT_TRUE(outbox_->Retry("S1", dead[0].id, kNow + 3000).ok());
  due = Ok(outbox_->Due(kNow + 3000, 100));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].retry_from_ms, kNow + 3000);
  ASSERT_TRUE(outbox_->Record({{due[0].id, DeliveryState::kDelivered, kNow + 3000, ""}}).ok());

  // Replay: everything of S1 since then goes again; pruning keeps what is pending.
  EXPECT_EQ(Ok(outbox_->Replay("S1", kNow, kNow + 4000)), 3);
  EXPECT_EQ(Ok(outbox_->Due(kNow + 4000, 100)).size(), 2u);  // P1 in order, and P2
  EXPECT_EQ(Ok(outbox_->Prune(kNow + 1)), 1);  // S2's delivered one; S1's are pending again
  auto counts = Ok(outbox_->Counts("S1"));
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0], (std::pair<std::string, int64_t>{"pending", 3}));
  ASSERT_TRUE(outbox_->Record({{due[0].id, DeliveryState::kWithheld, 0, "disabled"}}).ok());
  EXPECT_EQ(Ok(outbox_->List("S1", DeliveryState::kWithheld, 0, 10)).size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, GatewayStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace renkei::gateway
