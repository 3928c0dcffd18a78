#include "edge/answers.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "edge/live_feed.h"
#include "pki/test_util.h"

namespace renkei::edge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Visit(const std::string& patient, const std::string& day, const std::string& control) {
  return "MSH|^~\\&|HIS|H|GW|R|" + day + "120000||ADT^A04^ADT_A01|" + control + "|P|2.5\r" + "EVN|A04|" + day +
         "120000\rPID|1||" + patient + "\rPV1|1|O|||||D1|||01\r";
}

// A repository of facility 1234567890 with three visits of P1 and one of P2, and a signer of that facility.
class AnswersTest : public pki::testing::CaTest {
 protected:
  void SetUp() override {
    CaTest::SetUp();
    auto store = store::Store::Open("sqlite:" + (root_ / "edge.db").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    LiveFeed feed(*store_, log::Logger::Null(), {"1234567890", {}, 1u << 20});
    for (const auto& [patient, day] : {std::pair{"P1", "20240101"}, {"P1", "20240301"}, {"P1", "20240201"}, {"P2", "20240401"}}) {
      ASSERT_NE(feed.Accept(Visit(patient, day, std::string(patient) + day)).find("MSA|AA"), std::string::npos);
    }
    const pki::Issued edge = IssueOk("edge-1234567890", pki::Role::kEdge, "1234567890");
    auto signer = pki::Signer::Load(edge.key_path, edge.cert_path);
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    answers_.emplace("1234567890", *signer, std::nullopt, log::Logger::Null());
  }
  void TearDown() override {
    store_.reset();
    CaTest::TearDown();
  }

  StatusOr<relay::Answer> Ask(std::string_view op, const json& args) {
    return answers_->Answer(*store_, op, args, cancelled_);
  }
  std::string Error(std::string_view op, const json& args) {
    auto answer = Ask(op, args);
    return answer.ok() ? "ok" : answer.status().ToString();
  }

  std::unique_ptr<store::Store> store_;
  std::optional<Answers> answers_;
  std::atomic<bool> cancelled_{false};
};

TEST_F(AnswersTest, EventsNewestFirstSignedWithTheNonce) {
  auto answer = Ask("events", {{"patient_ids", {"P1"}}, {"limit", 2}, {"nonce", "n-1"}});
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  auto signer = pki::VerifySigned(answer->body, answer->signature, Read(out_ + "/edge-1234567890.crt"),
                                  Read(out_ + "/ca.crt"));
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ(signer->facility, "1234567890");
  const json body = json::parse(answer->body);
  EXPECT_EQ(body["facility"], "1234567890");
  EXPECT_EQ(body["nonce"], "n-1");
  EXPECT_TRUE(body["more"].get<bool>());
  ASSERT_EQ(body["events"].size(), 2u);
  EXPECT_EQ(body["events"][0]["occurred_at"].get<std::string>().substr(0, 10), "2024-03-01");
  EXPECT_EQ(body["events"][1]["occurred_at"].get<std::string>().substr(0, 10), "2024-02-01");

  // Another patient's events are not in P1's answer; both together are merged newest first.
  auto both = Ask("events", {{"patient_ids", {"P1", "P2"}}});
  ASSERT_TRUE(both.ok());
  const json merged = json::parse(both->body);
  ASSERT_EQ(merged["events"].size(), 4u);
  EXPECT_EQ(merged["events"][0]["patient_id"], "P2");
  EXPECT_FALSE(merged["more"].get<bool>());

  // A changed byte no longer verifies.
  std::string altered = answer->body;
  altered[altered.find("2024-03-01")] = '1';
  EXPECT_FALSE(pki::VerifySigned(altered, answer->signature, Read(out_ + "/edge-1234567890.crt"), Read(out_ + "/ca.crt")).ok());
}

TEST_F(AnswersTest, AnEntityOfAnotherPatientIsAnsweredLikeOneThatDoesNotExist) {
  auto p2 = Ask("events", {{"patient_ids", {"P2"}}});
  ASSERT_TRUE(p2.ok());
  const json refs = json::parse(p2->body)["events"][0]["entity_refs"];
  ASSERT_FALSE(refs.empty());
  const std::string reference = refs[0];
  auto own = Ask("entity", {{"patient_ids", {"P2"}}, {"reference", reference}});
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_EQ(json::parse(own->body)["reference"], reference);
  EXPECT_EQ(json::parse(own->body)["patient_id"], "P2");
  EXPECT_EQ(Error("entity", {{"patient_ids", {"P1"}}, {"reference", reference}}),
            "not_found: no entity " + reference + " of this patient");
  EXPECT_EQ(Error("entity", {{"patient_ids", {"P1"}}, {"reference", "Encounter/nope"}}),
            "not_found: no entity Encounter/nope of this patient");
}

TEST_F(AnswersTest, HostileArgumentsAreRefusedNamingTheArgument) {
  const std::string ids = "invalid_argument: 'patient_ids' must be an array of 1 to 20 IDs";
  EXPECT_EQ(Error("events", json::object()), ids);
  EXPECT_EQ(Error("events", {{"patient_ids", "P1"}}), ids);
  EXPECT_EQ(Error("events", {{"patient_ids", json::array()}}), ids);
  EXPECT_EQ(Error("events", {{"patient_ids", std::vector<std::string>(21, "P1")}}), ids);
  EXPECT_EQ(Error("events", {{"patient_ids", {1}}}), "invalid_argument: 'patient_ids' holds a non-string");
  for (const std::string& bad : std::vector<std::string>{"", "..", "../P1", std::string(65, 'x')}) {
    EXPECT_EQ(Error("events", {{"patient_ids", {bad}}}), "invalid_argument: 'patient_ids' holds a malformed ID") << bad;
  }
  EXPECT_EQ(Error("events", {{"patient_ids", {"P1"}}, {"types", {"x-ray"}}}),
            "invalid_argument: 'types' holds an unknown event type");
  EXPECT_EQ(Error("events", {{"patient_ids", {"P1"}}, {"types", {7}}}),
            "invalid_argument: 'types' holds an unknown event type");
  for (const int limit : {0, -1, 1001}) {
    EXPECT_EQ(Error("events", {{"patient_ids", {"P1"}}, {"limit", limit}}),
              "invalid_argument: 'limit' must be from 1 to 1000");
  }
  EXPECT_EQ(Error(std::string(100, 'z'), json::object()), "invalid_argument: unknown op '" + std::string(40, 'z') + "'");
  // A patient the repository does not hold: an empty answer, not an error.
  auto none = Ask("events", {{"patient_ids", {"P9"}}});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(json::parse(none->body)["events"].empty());
  auto ping = Ask("ping", json::object());
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ(ping->body, "{}");
}

}  // namespace
}  // namespace renkei::edge
