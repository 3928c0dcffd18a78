#include "policy/service_decide.h"

#include <gtest/gtest.h>

namespace renkei::policy {
namespace {

ServiceQuestion Ask(ServicePurpose purpose, std::optional<std::vector<TypeRule>> row) {
  ServiceQuestion q;
  q.service = "reception";
  q.facility = "1310000001";
  q.row = std::move(row);
  q.purpose = purpose;
  return q;
}

const std::vector<TypeRule> kReceptionTypes = {{"Patient", {"name", "birthDate"}}, {"Encounter", {}}};

TEST(ServiceDecideTest, AConnectedServiceIsNotifiedOfItsTypesOnly) {
  ServiceQuestion q = Ask(ServicePurpose::kNotify, kReceptionTypes);
  q.changed_type = "Encounter";
  ServiceDecision d = DecideService(q);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "matrix");
  ASSERT_EQ(d.types.size(), 2u);
  EXPECT_EQ(d.types[0].type, "Encounter");  // sorted
  EXPECT_EQ(d.types[1].elements, (std::vector<std::string>{"name", "birthDate"}));

  q.changed_type = "Observation";
  d = DecideService(q);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rule, "type-not-allowed");
  EXPECT_NE(d.reason.find("Observation"), std::string::npos) << d.reason;
  EXPECT_TRUE(d.types.empty());
}

TEST(ServiceDecideTest, EveryDenialNamesItsRule) {
  ServiceQuestion disabled = Ask(ServicePurpose::kRequest, kReceptionTypes);
  disabled.enabled = false;
  EXPECT_EQ(DecideService(disabled).rule, "service-disabled");
  EXPECT_FALSE(DecideService(disabled).allowed);
  // A disabled service gets not even the answer to its own write.
  disabled.purpose = ServicePurpose::kWriteAnswer;
  disabled.sender = true;
  EXPECT_FALSE(DecideService(disabled).allowed);

  for (ServicePurpose p : {ServicePurpose::kNotify, ServicePurpose::kRequest, ServicePurpose::kWrite}) {
    const ServiceDecision d = DecideService(Ask(p, std::nullopt));
    EXPECT_FALSE(d.allowed) << ServicePurposeName(p);
    EXPECT_EQ(d.rule, "not-connected");
    EXPECT_NE(d.reason.find("1310000001"), std::string::npos);
  }
  const ServiceDecision none = DecideService(Ask(ServicePurpose::kRequest, std::vector<TypeRule>{}));
  EXPECT_FALSE(none.allowed);
  EXPECT_EQ(none.rule, "no-types");
}

TEST(ServiceDecideTest, ARequestGetsTheAskedTypesTheRowAllowsAndNoOthers) {
  ServiceQuestion q = Ask(ServicePurpose::kRequest, kReceptionTypes);
  q.wanted = {"Encounter", "Observation"};
  ServiceDecision d = DecideService(q);
  ASSERT_TRUE(d.allowed);
  ASSERT_EQ(d.types.size(), 1u);
  EXPECT_EQ(d.types[0].type, "Encounter");
  q.wanted = {"Observation"};
  d = DecideService(q);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rule, "type-not-allowed");
  q.wanted = {};
  EXPECT_EQ(DecideService(q).types.size(), 2u);
}

TEST(ServiceDecideTest, AWriteNeedsTheMatrixAndItsAnswerAlwaysGoesToTheSender) {
  EXPECT_TRUE(DecideService(Ask(ServicePurpose::kWrite, std::vector<TypeRule>{})).allowed);  // a write needs no types
  EXPECT_FALSE(DecideService(Ask(ServicePurpose::kWrite, std::nullopt)).allowed);
  ServiceQuestion answer = Ask(ServicePurpose::kWriteAnswer, kReceptionTypes);
  answer.sender = true;
  ServiceDecision d = DecideService(answer);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "sender");
  EXPECT_EQ(d.types.size(), 2u);  // still filtered to its types
  // Step S37: permitted even when the row was removed meanwhile; with no types it gets nothing.
  answer.row = std::nullopt;
  d = DecideService(answer);
  EXPECT_TRUE(d.allowed);
  EXPECT_TRUE(d.types.empty());
  // The answer to someone else's write is a notification like any other: not for the unconnected.
  answer.sender = false;
  EXPECT_FALSE(DecideService(answer).allowed);
}

}  // namespace
}  // namespace renkei::policy
