// The hub's side of change notification (service_gateway.h): what an edge's "changes" push
// becomes — decisions on the audit trail, rows in the outbox, each once — and what a malformed
// or hostile push gets, against the hub's real stores on SQLite.
#include "hub/service_gateway.h"

#include <gtest/gtest.h>

#include "sql/test_database.h"

namespace renkei::hub {
namespace {

using nlohmann::json;

constexpr char kFacility[] = "1310000001";

template <typename T>
T Must(StatusOr<T> s) {
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

class TakeChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Must(sql::TestDatabase::Create("sqlite", ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    audit_db_ = Must(sql::TestDatabase::Create("sqlite", std::string("audit-") +
                                                            ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    PatientIndexOptions index_options;
    index_options.store_url = db_->url();
    index_ = Must(PatientIndex::Open(index_options));
    audit::LogOptions quick;
    quick.durable = false;
    trail_ = Must(audit::Log::Open(audit_db_->url(), std::move(quick)));
    consents_ = Must(policy::ConsentStore::Open(db_->url()));
    users_ = Must(identity::UserStore::Open(db_->url()));
    facilities_ = Must(FacilityDirectory::Open(db_->url()));
    registry_ = Must(gateway::Registry::Open(db_->url()));
    outbox_ = Must(gateway::Outbox::Open(db_->url()));
    credentials_ = Must(Credentials::Load("/nonexistent/credentials.json"));
    edges_ = std::make_unique<EdgeRegistry>(*index_, EdgeRegistryOptions{}, log::Logger::Null());
    gateway::DelivererOptions o;
    o.now_ms = [] { return int64_t{0}; };  // never started: the rows stay for the test to see
    o.send = [](const gateway::WebhookRequest&) -> StatusOr<int> { return 200; };
    deliverer_ = std::make_unique<gateway::Deliverer>(*outbox_, *registry_, o, log::Logger::Null());
    hub_ = std::make_unique<HubServices>(HubServices{.index = *index_,
                                                     .credentials = credentials_,
                                                     .edges = *edges_,
                                                     .audit = *trail_,
                                                     .consents = *consents_,
                                                     .users = *users_,
                                                     .facilities = *facilities_,
                                                     .services = *registry_,
                                                     .outbox = *outbox_,
                                                     .deliverer = *deliverer_});
    visits_ = Must(registry_->Add({"visits", "", "https://visits.example/hook", true})).service.id;
    names_ = Must(registry_->Add({"names", "", "https://names.example/hook", true})).service.id;
    quiet_ = Must(registry_->Add({"quiet", "", "https://quiet.example/hook", true})).service.id;
    stranger_ = Must(registry_->Add({"stranger", "", "https://stranger.example/hook", true})).service.id;
    ASSERT_TRUE(registry_->PutGrant({kFacility, visits_, gateway::NotifyMode::kSignal, {{"Encounter", {}}}, "", "op"}).ok());
    ASSERT_TRUE(registry_->PutGrant({kFacility, names_, gateway::NotifyMode::kData, {{"Patient", {"name"}}}, "", "op"}).ok());
    ASSERT_TRUE(registry_->PutGrant({kFacility, quiet_, gateway::NotifyMode::kNone, {{"Encounter", {}}}, "", "op"}).ok());
    ASSERT_TRUE(registry_->PutGrant({"9999999999", stranger_, gateway::NotifyMode::kData, {{"Encounter", {}}}, "", "op"}).ok());
  }
  void TearDown() override {
    hub_.reset();
    deliverer_.reset();
    edges_.reset();
    if (trail_) (void)trail_->Close();
  }

  static json Change(int64_t seq, std::string kind, std::vector<std::string> types, int64_t record = 7) {
    return {{"seq", seq}, {"kind", kind}, {"patient_id", "0012345"}, {"record_id", record}, {"data_type", "FHIR-Encounter"},
            {"event_type", "visit"}, {"resource_types", types}, {"at", "2026-12-07T00:00:00.000Z"}};
  }
  static json With(json j, const char* name, json value) {
    j[name] = std::move(value);
    return j;
  }
  int64_t Rows() {
    int64_t n = 0;
    for (const auto& [state, count] : Must(outbox_->Counts())) n += count;
    return n;
  }

  std::unique_ptr<sql::TestDatabase> db_, audit_db_;
  std::unique_ptr<PatientIndex> index_;
  std::unique_ptr<audit::Log> trail_;
  std::unique_ptr<policy::ConsentStore> consents_;
  std::unique_ptr<identity::UserStore> users_;
  std::unique_ptr<FacilityDirectory> facilities_;
  std::unique_ptr<gateway::Registry> registry_;
  std::unique_ptr<gateway::Outbox> outbox_;
  Credentials credentials_;
  std::unique_ptr<EdgeRegistry> edges_;
  std::unique_ptr<gateway::Deliverer> deliverer_;
  std::unique_ptr<HubServices> hub_;
  std::string visits_, names_, quiet_, stranger_;
};

TEST_F(TakeChangesTest, EachChangeReachesTheOutboxOncePerPermittedServiceWithEveryDecisionAudited) {
  const json push = {{"changes", {Change(3, "created", {"Encounter"}), Change(4, "patient", {"Patient"}, 0),
                                  Change(9, "deleted", {"Observation", "Encounter"})}}};
  json taken = Must(TakeChanges(*hub_, kFacility, push));
  EXPECT_EQ(taken["through"], 9);
  EXPECT_EQ(taken["notifications"], 3);  // visits: 3 and 9 (its Encounter); names: 4
  auto visits = Must(outbox_->List(visits_, std::nullopt, 0, 10));
  ASSERT_EQ(visits.size(), 2u);
  EXPECT_EQ(visits[1].key, std::string(kFacility) + ":3:" + visits_);
  EXPECT_EQ(visits[1].mode, gateway::NotifyMode::kSignal);
  EXPECT_EQ(visits[0].change.resource_type, "Encounter");  // of the deleted record's types, the one it may have
  EXPECT_EQ(visits[0].change.kind, "deleted");
  auto names = Must(outbox_->List(names_, std::nullopt, 0, 10));
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].change.record_id, 0);
  EXPECT_EQ(names[0].mode, gateway::NotifyMode::kData);
  EXPECT_TRUE(Must(outbox_->List(quiet_, std::nullopt, 0, 10)).empty());     // subscribed to nothing
  EXPECT_TRUE(Must(outbox_->List(stranger_, std::nullopt, 0, 10)).empty());  // not connected here

  // Every decision for a subscribed service is on the trail, the denials with their rule.
  audit::Query q;
  q.action = "service.notify";
  q.limit = 100;
  auto page = Must(trail_->List(q));
  EXPECT_EQ(page.entries.size(), 6u);  // 3 changes × 2 subscribed services
  int denied = 0;
  for (const audit::Entry& e : page.entries) {
    EXPECT_NE(e.event.who.name, "quiet");
    EXPECT_NE(e.event.who.name, "stranger");
    EXPECT_EQ(e.event.who.role, "service");
    if (e.event.decision == audit::Decision::kDeny) {
      ++denied;
      EXPECT_TRUE(e.event.reason.starts_with("type-not-allowed:")) << e.event.reason;
    }
  }
  EXPECT_EQ(denied, 3);

  // The edge pushes the same changes again (it did not hear the answer): nothing new.
  taken = Must(TakeChanges(*hub_, kFacility, push));
  EXPECT_EQ(taken["notifications"], 0);
  EXPECT_EQ(Rows(), 3);
  // A disabled service is decided out from then on.
  ASSERT_TRUE(registry_->SetEnabled(visits_, false).ok());
  EXPECT_EQ(Must(TakeChanges(*hub_, kFacility, {{"changes", {Change(10, "created", {"Encounter"})}}}))["notifications"], 0);
  EXPECT_EQ(Must(TakeChanges(*hub_, kFacility, {{"changes", json::array()}}))["notifications"], 0);
}

TEST_F(TakeChangesTest, AMalformedOrHostilePushIsRefusedWholeNamingTheChange) {
  json too_many = {{"changes", json::array()}};
  for (int i = 1; i <= 501; ++i) too_many["changes"].push_back(Change(i, "created", {"Encounter"}));
  json long_types = Change(2, "created", {});
  for (int i = 0; i < 33; ++i) long_types["resource_types"].push_back("Encounter");
  const std::vector<std::pair<json, std::string>> cases = {
      {json::object(), "'changes' must be an array"},
      {{{"changes", "all of them"}}, "'changes' must be an array"},
      {{{"changes", {1}}}, "changes[0]: not an object"},
      {{{"changes", {Change(0, "created", {"Encounter"})}}}, "changes[0]: 'seq'"},
      {{{"changes", {Change(-5, "created", {"Encounter"})}}}, "changes[0]: 'seq'"},
      {{{"changes", {Change(2, "created", {"Encounter"}), Change(2, "created", {"Encounter"})}}}, "changes[1]: 'seq' must increase"},
      {{{"changes", {Change(2, "created", {"Encounter"}), Change(1, "created", {"Encounter"})}}}, "changes[1]: 'seq' must increase"},
      {{{"changes", {Change(2, "exploded", {"Encounter"})}}}, "changes[0]: 'kind'"},
      {{{"changes", {Change(2, "created", {"Encounter"}, -1)}}}, "'record_id'"},
      {{{"changes", {With(Change(2, "created", {"Encounter"}, 0), "patient_id", std::string(65, 'p'))}}}, "'patient_id'"},
      {{{"changes", {With(Change(2, "created", {"Encounter"}), "patient_id", 12345)}}}, "'patient_id'"},
      {{{"changes", {With(Change(2, "created", {"Encounter"}), "resource_types", "Encounter")}}}, "'resource_types'"},
      {{{"changes", {With(Change(2, "created", {"Encounter"}), "resource_types", json::array({7}))}}}, "'resource_types'"},
      {{{"changes", {long_types}}}, "'resource_types'"},
      {{{"changes", {With(Change(2, "created", {"Encounter"}), "at", std::string(100, 'x'))}}}, "'at'"},
      {{{"changes", {Change(2, "created", {"Encounter"}), With(Change(3, "created", {"Encounter"}), "seq", "3")}}},
       "changes[1]: 'seq'"},
  };
  for (const auto& [push, says] : cases) {
    auto taken = TakeChanges(*hub_, kFacility, push);
    ASSERT_FALSE(taken.ok()) << push.dump().substr(0, 120);
    EXPECT_EQ(taken.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(taken.status().message().find(says), std::string::npos) << taken.status().message();
  }
  auto flood = TakeChanges(*hub_, kFacility, too_many);
  EXPECT_EQ(flood.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Rows(), 0);  // nothing of any refused push was taken
}

}  // namespace
}  // namespace renkei::hub
