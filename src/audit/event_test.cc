// An entry's canonical text, its validation and parsing, times, and the hashes over it.
#include "audit/event.h"

#include <gtest/gtest.h>

#include "audit/hash.h"
#include "audit/head.h"
#include "audit/test_util.h"

namespace renkei::audit {
namespace {

using testing::ChartView;

Status TextStatus(const Event& e) { return CanonicalText(e).status(); }

TEST(AuditEventTest, CanonicalTextHasSortedKeysAndNoWhitespace) {
  Event e = ChartView(7);
  e.who.name = "佐藤 医師";
  e.reason = "line \"one\"\nline two";
  auto text = CanonicalText(e);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text,
            R"({"action":"chart.view","basis":"Consent/12","data":{"facilities":["1111111111","2222222222"],)"
            R"("resources":[],"types":["lab_result","prescription"]},"decision":"allow","patient":"RK00000000018",)"
            R"("purpose":"TREAT","reason":"line \"one\"\nline two","remote":"192.0.2.10","request":"req-7",)"
            R"("time":1780000000007,"v":1,"who":{"facility":"1111111111","name":"佐藤 医師","role":"user"}})");
  // The same event gives the same text, and reading it gives the event back.
  EXPECT_EQ(Ok(CanonicalText(e)), *text);
  EXPECT_EQ(Ok(ParseEvent(*text)), e);
}

TEST(AuditEventTest, EveryFieldSurvivesTheText) {
  Event e;
  e.time_ms = 1;
  e.action = "breakglass.start";
  e.who = {"ito-nurse", "user", "3333333333"};
  e.patient = "RK12345678901";
  e.data = {{"allergy"}, {"AllergyIntolerance/a1", "Consent/9"}, {"3333333333"}};
  e.purpose = "ETREAT";
  e.decision = Decision::kDeny;
  e.reason = "no override granted";
  e.basis = "override-77";
  e.remote = "2001:db8::1";
  e.request_id = "abc";
  EXPECT_EQ(Ok(ParseEvent(Ok(CanonicalText(e)))), e);
}

TEST(AuditEventTest, RejectsWhatMustNotBeStoredNamingTheField) {
  auto expect = [](Event e, StatusCode code, std::string_view message) {
    Status s = TextStatus(e);
    EXPECT_EQ(s.code(), code) << s.ToString();
    EXPECT_EQ(s.message(), message);
  };
  Event e = ChartView(1);
  e.action = "";
  expect(e, StatusCode::kInvalidArgument, "action: must be 1 or more of a-z 0-9 . _ - (e.g. \"chart.view\")");
  e.action = "Chart View";
  expect(e, StatusCode::kInvalidArgument, "action: must be 1 or more of a-z 0-9 . _ - (e.g. \"chart.view\")");
  e.action = std::string(65, 'a');
  expect(e, StatusCode::kResourceExhausted, "action: 65 bytes, at most 64");

  e = ChartView(1);
  e.reason = std::string(5000, 'x');
  expect(e, StatusCode::kResourceExhausted, "reason: 5000 bytes, at most 4096");
  e = ChartView(1);
  e.who.name = "ab\xff";
  expect(e, StatusCode::kInvalidArgument, "who.name: byte 2: invalid UTF-8: invalid byte 0xFF");
  e = ChartView(1);
  e.data.resources.assign(257, "Observation/1");
  expect(e, StatusCode::kResourceExhausted, "data.resources: 257 items, at most 256");
  e = ChartView(1);
  e.data.types = {"ok", std::string(300, 't')};
  expect(e, StatusCode::kResourceExhausted, "data.types[1]: 300 bytes, at most 256");
  e = ChartView(1);
  e.time_ms = -1;
  expect(e, StatusCode::kInvalidArgument, "time: -1 is not a time between 1970 and 9999 in milliseconds");
  e = ChartView(1);
  e.decision = Decision::kDeny;
  e.reason = "";
  expect(e, StatusCode::kInvalidArgument, "reason: a deny needs a reason");

  // Every field within its limit, the whole over kMaxEntryBytes.
  e = ChartView(1);
  e.data.types.assign(200, std::string(200, 't'));
  e.data.resources.assign(200, std::string(200, 'r'));
  Status s = TextStatus(e);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(s.message().starts_with("the entry is ")) << s.message();
  EXPECT_TRUE(s.message().ends_with(" bytes, at most 65536")) << s.message();
}

TEST(AuditEventTest, ParseRefusesWhatIsNotAnEntry) {
  const std::string good = Ok(CanonicalText(ChartView(1)));
  auto expect = [](std::string_view text, std::string_view message) {
    auto e = ParseEvent(text);
    ASSERT_FALSE(e.ok()) << text;
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(e.status().message(), message) << text;
  };
  expect("", "the entry is not JSON");
  expect(good.substr(0, good.size() / 2), "the entry is not JSON");  // truncated
  expect("[1,2]", "the entry is not an object");
  expect(R"({"action":"x"})", "the entry lacks the key \"basis\"");
  std::string extra = good;
  extra.insert(1, R"("admin":true,)");
  expect(extra, "the entry has an unknown key \"admin\"");
  std::string version = good;
  version.replace(version.find(R"("v":1)"), 5, R"("v":2)");
  expect(version, "the entry's version v is not 1");
  std::string decision = good;
  decision.replace(decision.find("allow"), 5, "maybe");
  expect(decision, "decision \"maybe\" is neither allow nor deny");
  std::string number = good;
  number.replace(number.find(R"("patient":)"), 10, R"("patient":1,"x":)");
  expect(number, "patient is not a string");
  std::string twice = good;
  twice.insert(1, R"("action":"login",)");
  expect(twice, "the entry has the key \"action\" twice");
  std::string who = good;
  who.replace(who.find(R"("role":"user")"), 13, R"("role":7)");
  expect(who, "who.role is not a string");
  expect(std::string(kMaxEntryBytes + 1, ' '), "the entry is 65537 bytes, at most 65536");
}

TEST(AuditEventTest, Times) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTime(1'780'000'000'123), "2026-05-28T20:26:40.123Z");
  EXPECT_EQ(Ok(ParseTime("2026-05-28T20:26:40.123Z")), 1'780'000'000'123);
  EXPECT_EQ(Ok(ParseTime("2026-05-28T20:26:40Z")), 1'780'000'000'000);
  EXPECT_EQ(Ok(ParseTime("1970-01-02")), 86'400'000);
  EXPECT_EQ(Ok(ParseTime("1780000000123")), 1'780'000'000'123);
  for (const char* bad : {"", "2026-02-30", "2026-13-01", "2026-05-28T25:00:00Z", "2026-05-28T20:26:40", "yesterday",
                          "-5", "2026-05-28T20:26:40.1Z"}) {
    EXPECT_EQ(ParseTime(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(AuditHashTest, LeavesAndChainAreRfc6962StyleSha256) {
  // SHA-256 of the single byte 0x00: RFC 6962's hash of an empty leaf.
  EXPECT_EQ(Hex(LeafHash("")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(Hex(LeafHash("hello")), "8a2a5c9b768827de5a9552c38a044c66959c68f6d2f21b5260af54d2f87db827");
  EXPECT_EQ(Hex(ChainHash(kChainStart, LeafHash("hello"))),
            "481be7888e41db87c5bf64176eee1a2d1f0becb09d90dd684f78a37f8bb18447");
  Digest d;
  EXPECT_TRUE(FromBytes(Bytes(LeafHash("x")), &d));
  EXPECT_EQ(d, LeafHash("x"));
  EXPECT_FALSE(FromBytes("short", &d));
}

TEST(AuditHashTest, SignedTextOfAHead) {
  TreeHead head;
  head.size = 20;
  head.previous = 10;
  head.time_ms = 5;
  head.chain = LeafHash("");
  EXPECT_EQ(SignedText(head),
            R"({"chain":"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d","log":"renkei-audit",)"
            R"("previous":10,"size":20,"time":5})");
}

}  // namespace
}  // namespace renkei::audit
