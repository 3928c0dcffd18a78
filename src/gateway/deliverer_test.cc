#include "gateway/deliverer.h"

#include <map>
#include <mutex>
#include <set>

#include <gtest/gtest.h>

#include "gateway/signature.h"
#include "sql/test_database.h"

namespace renkei::gateway {
namespace {

using nlohmann::json;

constexpr int64_t kStart = 1'800'000'000'000;
constexpr int64_t kHour = 3'600'000;

// A webhook receiver as a service would run it: verifies the signature, keeps each
// idempotency key once, and can be taken down.
struct Receiver {
  std::mutex mutex;
  std::string secret;
  bool up = true;
  int64_t attempts = 0;
  std::vector<json> received;  // first arrivals, in order
  std::set<std::string> keys;
  int64_t duplicates = 0;
  const int64_t* now = nullptr;

  StatusOr<int> Take(const WebhookRequest& r) {
    std::lock_guard lock(mutex);
    ++attempts;
    if (!up) return Unavailable("connection refused");
    std::string signature, key;
    for (const auto& [name, value] : r.headers) {
      if (name == "Renkei-Signature") signature = value;
      if (name == "Idempotency-Key") key = value;
    }
    if (!VerifyWebhook(secret, signature, r.body, *now / 1000).ok()) return 400;
    json body = json::parse(r.body);
    EXPECT_EQ(body["idempotency_key"], key);
    if (!keys.insert(key).second) {
      ++duplicates;
      return 200;
    }
    received.push_back(body);
    return 200;
  }
};

class DelivererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = sql::TestDatabase::Create("sqlite", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    registry_ = std::move(Registry::Open(db_->url())).value();
    outbox_ = std::move(Outbox::Open(db_->url())).value();
    auto issued = registry_->Add({"reception", "", "https://reception.example/hook", true});
    ASSERT_TRUE(issued.ok());
    receiver_.secret = issued->signing_secret;
    receiver_.now = &now_;
    ASSERT_TRUE(registry_->PutGrant({"F1", "S1", NotifyMode::kData, {{"Encounter", {}}, {"Patient", {"name"}}}, "", "op"}).ok());
  }
  void TearDown() override {
    outbox_.reset();
    registry_.reset();
  }

  DelivererOptions Options() {
    DelivererOptions o;
    o.now_ms = [this] { return now_; };
    o.send = [this](const WebhookRequest& r) { return receiver_.Take(r); };
    o.fetch = [this](const Delivery& d) -> StatusOr<json> {
      ++fetched_;
      if (!edge_online_) return Unavailable("the facility's edge is not connected to the hub");
      return json::array({{{"reference", "Encounter/E" + std::to_string(d.change.record_id)}, {"record_id", d.change.record_id},
                           {"resource", {{"resourceType", "Encounter"}, {"id", "E"}, {"status", "arrived"}}}},
                          {{"reference", "Observation/O1"},
                           {"resource", {{"resourceType", "Observation"}, {"id", "O1"}, {"valueString", "secret"}}}}});
    };
    o.audit = [this](const Delivery&, const Service&, const policy::ServiceDecision& d) {
      audited_.push_back(d.rule + (d.allowed ? ":allow" : ":deny"));
    };
    o.seed = 7;
    return o;
  }

  void Enqueue(int64_t seq, std::string patient, NotifyMode mode = NotifyMode::kData) {
    Change c{"F1", seq, "created", std::move(patient), "RK1", seq, "Encounter", "FHIR-Encounter", "visit", "t"};
    ASSERT_TRUE(outbox_->Enqueue({{c, "S1", mode}}, now_).ok());
  }

  // Rounds until nothing is due, advancing the clock to each next attempt while before `until`.
  void RunUntil(Deliverer& d, int64_t until) {
    for (int i = 0; i < 10'000; ++i) {
      auto round = d.RunOnce();
      ASSERT_TRUE(round.ok());
      auto next = outbox_->NextDue();
      ASSERT_TRUE(next.ok());
      if (!*next || **next > until) return;
      now_ = std::max(now_, **next);
    }
    FAIL() << "no end";
  }

  std::unique_ptr<sql::TestDatabase> db_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<Outbox> outbox_;
  Receiver receiver_;
  int64_t now_ = kStart;
  bool edge_online_ = true;
  int fetched_ = 0;
  std::vector<std::string> audited_;
  std::shared_ptr<log::Logger> logger_ = log::Logger::Null();
};

TEST_F(DelivererTest, AServiceDownForAnHourGetsEveryNotificationOnceInOrderWhenItIsBack) {
  Deliverer deliverer(*outbox_, *registry_, Options(), logger_);
  receiver_.up = false;
  for (int i = 1; i <= 5; ++i) Enqueue(i, "P1");
  Enqueue(6, "P2");
  RunUntil(deliverer, kStart + kHour);  // an hour of retries against a service that is down
  EXPECT_TRUE(receiver_.received.empty());
  const int64_t attempts_while_down = receiver_.attempts;
  // Backoff: P1 and P2 each retried some times with growing waits, not thousands of times.
  EXPECT_GE(attempts_while_down, 2 * 8);
  EXPECT_LE(attempts_while_down, 2 * 20);
  auto pending = outbox_->List("S1", DeliveryState::kPending, 0, 100);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->size(), 6u);  // none lost, none dead

  receiver_.up = true;
  now_ = kStart + kHour;
  RunUntil(deliverer, kStart + 3 * kHour);
  ASSERT_EQ(receiver_.received.size(), 6u);
  EXPECT_EQ(receiver_.duplicates, 0);
  std::vector<int64_t> p1;
  for (const json& n : receiver_.received) {
    if (n["patient"]["local_id"] == "P1") p1.push_back(n["change"]["seq"].get<int64_t>());
  }
  EXPECT_EQ(p1, (std::vector<int64_t>{1, 2, 3, 4, 5}));  // in order per patient
  // Data mode: the edge's data, filtered to the service's types (the Observation withheld).
  const json& first = receiver_.received.front();
  EXPECT_EQ(first["type"], "renkei.change");
  EXPECT_EQ(first["mode"], "data");
  ASSERT_EQ(first["resources"].size(), 1u);
  EXPECT_EQ(first["resources"][0]["resource"]["resourceType"], "Encounter");
  EXPECT_EQ(first.dump().find("secret"), std::string::npos);
  EXPECT_EQ(audited_.size(), 6u);
  EXPECT_EQ(audited_[0], "matrix:allow");
}

TEST_F(DelivererTest, AfterSeventyTwoHoursOfFailuresADeliveryIsDeadAndAnOperatorCanRetryIt) {
  Deliverer deliverer(*outbox_, *registry_, Options(), logger_);
  receiver_.up = false;
  Enqueue(1, "P1", NotifyMode::kSignal);
  RunUntil(deliverer, kStart + 71 * kHour);
  auto list = outbox_->List("S1", std::nullopt, 0, 10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].state, DeliveryState::kPending);  // still trying after 71 hours
  RunUntil(deliverer, kStart + 80 * kHour);
  list = outbox_->List("S1", std::nullopt, 0, 10);
  EXPECT_EQ((*list)[0].state, DeliveryState::kDead);
  EXPECT_GE(now_ - kStart, 72 * kHour);
  EXPECT_LE((*list)[0].attempts, 160);
  EXPECT_NE((*list)[0].last_error.find("connection refused"), std::string::npos);
  // Signal mode fetches nothing from the edge.
  EXPECT_EQ(fetched_, 0);

  receiver_.up = true;
  ASSERT_TRUE(outbox_->Retry("S1", (*list)[0].id, now_).ok());
  RunUntil(deliverer, now_ + kHour);
  ASSERT_EQ(receiver_.received.size(), 1u);
  EXPECT_EQ(receiver_.received[0]["mode"], "signal");
  EXPECT_FALSE(receiver_.received[0].contains("resources"));
}

TEST_F(DelivererTest, AnOfflineEdgeDelaysADataDeliveryAndADisconnectedServiceGetsNothing) {
  Deliverer deliverer(*outbox_, *registry_, Options(), logger_);
  edge_online_ = false;
  Enqueue(1, "P1");
  RunUntil(deliverer, kStart + 10 * 60'000);
  EXPECT_GT(fetched_, 1);
  EXPECT_TRUE(receiver_.received.empty());
  auto list = outbox_->List("S1", DeliveryState::kPending, 0, 10);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_NE((*list)[0].last_error.find("not connected"), std::string::npos);
  edge_online_ = true;
  RunUntil(deliverer, kStart + kHour);
  EXPECT_EQ(receiver_.received.size(), 1u);

  // The operator disconnects the service: what is still queued is withheld, never sent.
  Enqueue(2, "P1");
  ASSERT_TRUE(registry_->RemoveGrant("F1", "S1").ok());
  RunUntil(deliverer, now_ + kHour);
  EXPECT_EQ(receiver_.received.size(), 1u);
  EXPECT_EQ(outbox_->List("S1", DeliveryState::kWithheld, 0, 10)->size(), 1u);
  EXPECT_EQ(audited_.back(), "not-connected:deny");
}

TEST_F(DelivererTest, BackoffDoublesWithJitterUpToItsCeiling) {
  DelivererOptions o = Options();
  Deliverer deliverer(*outbox_, *registry_, o, logger_);
  for (int64_t attempts = 1; attempts <= 40; ++attempts) {
    const int64_t window = std::min<int64_t>(o.max_backoff_ms, o.first_backoff_ms << std::min<int64_t>(attempts - 1, 30));
    const int64_t wait = deliverer.Backoff(attempts);
    EXPECT_GE(wait, window / 2) << attempts;
    EXPECT_LE(wait, window) << attempts;
  }
}

}  // namespace
}  // namespace renkei::gateway
