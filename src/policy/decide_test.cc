#include "policy/decide.h"

#include <gtest/gtest.h>

namespace renkei::policy {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

Question Ask(std::string facility, std::vector<std::string> registered_at = {"A", "B", "C"}) {
  return Question{{"dr-sato", RequesterRole::kClinician, std::move(facility)}, "RK1", std::move(registered_at), kNow};
}

Facts Linked(std::vector<std::string> linked) { return Facts{{Consent::State::kActive, "C7", std::move(linked)}, {}}; }

Facts WithOverride(Facts f, std::string requester = "dr-sato", std::string person = "RK1", int64_t until = kNow + 1) {
  f.override = Override{"B3", std::move(requester), std::move(person), until};
  return f;
}

TEST(DecideTest, ALinkedFacilitySeesTheLinkedHoldersAndIsToldWhichAreWithheld) {
  const Decision d = Decide(Ask("A"), Linked({"A", "C", "Z"}));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "consent");
  EXPECT_EQ(d.basis, "C7");
  EXPECT_EQ(d.facilities, (std::vector<std::string>{"A", "C"}));  // Z holds nothing
  ASSERT_EQ(d.withheld.size(), 1u);
  EXPECT_EQ(d.withheld[0].facility, "B");
  EXPECT_EQ(d.withheld[0].reason, "the patient has not linked this facility");
  EXPECT_EQ(EffectName(d), "allow");
}

TEST(DecideTest, EveryDenialSaysWhichRuleAndWhy) {
  struct Case {
    Question q;
    Facts facts;
    std::string rule, reason;
  };
  Question op = Ask("");
  op.who.role = RequesterRole::kOperator;
  Question service = Ask("A");  // even a service "of" a facility that holds the person
  service.who.role = RequesterRole::kService;
  const Case cases[] = {
      {service, WithOverride(Linked({"A"})), "service",
       "services receive a facility's data through the service gateway's permission matrix, not the regional chart"},
      {op, Linked({"A"}), "operator", "operators run the region; they do not see clinical data"},
      {Ask("D"), Linked({"A", "D"}), "no-relationship", "facility D has not registered this patient"},
      {Ask(""), Linked({"A"}), "no-relationship", "facility  has not registered this patient"},
      {Ask("A"), Facts{{Consent::State::kWithdrawn, "C9", {}}, {}}, "withdrawn",
       "the patient has withdrawn consent to the exchange"},
      {Ask("A"), Facts{}, "no-consent", "the patient has not consented to the exchange"},
      {Ask("B"), Linked({"A", "C"}), "not-linked", "the patient has not linked facility B"},
      // Overrides that do not apply: another user's, another person's, one that has ended.
      {Ask("B"), WithOverride(Linked({"A"}), "dr-ito"), "not-linked", "the patient has not linked facility B"},
      {Ask("B"), WithOverride(Linked({"A"}), "dr-sato", "RK2"), "not-linked", "the patient has not linked facility B"},
      {Ask("B"), WithOverride(Linked({"A"}), "dr-sato", "RK1", kNow), "not-linked",
       "the patient has not linked facility B"},
      // Not even an override gives access without a relationship.
      {Ask("D"), WithOverride(Linked({"A"})), "no-relationship", "facility D has not registered this patient"},
  };
  for (const Case& c : cases) {
    const Decision d = Decide(c.q, c.facts);
    EXPECT_FALSE(d.allowed) << c.rule;
    EXPECT_EQ(d.rule, c.rule);
    EXPECT_EQ(d.reason, c.reason);
    EXPECT_TRUE(d.facilities.empty());
    EXPECT_TRUE(d.basis.empty());
    EXPECT_EQ(EffectName(d), "deny");
  }
}

TEST(DecideTest, ARunningBreakGlassOverrideOpensEveryHolderEvenAgainstAWithdrawal) {
  for (const Facts& facts : {WithOverride(Facts{}), WithOverride(Linked({"A"})),
                             WithOverride(Facts{{Consent::State::kWithdrawn, "C9", {}}, {}})}) {
    const Decision d = Decide(Ask("B", {"C", "B", "A", "B"}), facts);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.rule, "break-glass");
    EXPECT_EQ(d.basis, "B3");
    EXPECT_EQ(d.facilities, (std::vector<std::string>{"A", "B", "C"}));
    EXPECT_TRUE(d.withheld.empty());
  }
}

TEST(DecideTest, APatientOrProxySeesTheirOwnRecordWhateverTheConsentAndNoOneElses) {
  Question own = Ask("");
  own.who = {"yamada-taro", RequesterRole::kPatient, "", {"RK1"}};
  for (const Facts& facts : {Linked({"A"}), Facts{{Consent::State::kWithdrawn, "C8", {}}, {}}, Facts{}}) {
    const Decision d = Decide(own, facts);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.rule, "own-record");
    EXPECT_EQ(d.facilities, (std::vector<std::string>{"A", "B", "C"}));
    EXPECT_TRUE(d.withheld.empty());
  }
  Question proxy = own;
  proxy.who = {"guardian-yamada", RequesterRole::kPatient, "", {"RK0", "RK2"}};
  const Decision other = Decide(proxy, Linked({"A", "B", "C"}));
  EXPECT_FALSE(other.allowed);
  EXPECT_EQ(other.rule, "not-own-record");
  proxy.who.acts_for.push_back("RK1");
  EXPECT_TRUE(Decide(proxy, Linked({"A"})).allowed);
  // Reception staff see no clinical data, even of their own facility's linked patients.
  Question staff = Ask("A");
  staff.who.role = RequesterRole::kStaff;
  const Decision desk = Decide(staff, Linked({"A", "B"}));
  EXPECT_FALSE(desk.allowed);
  EXPECT_EQ(desk.rule, "staff");
  EXPECT_FALSE(Decide(staff, WithOverride(Linked({"A"}), "dr-sato")).allowed);
}

}  // namespace
}  // namespace renkei::policy
