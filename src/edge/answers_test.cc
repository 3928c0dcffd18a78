#include "edge/answers.h"

#include <unistd.h>

#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "edge/live_feed.h"
#include "edge/record_writer.h"
#include "ssmix2/path.h"
#include "text/base64.h"
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

// A laboratory result of `patient` on `day`: HbA1c `value` %, flagged H above 6.0.
std::string LabResult(const std::string& patient, const std::string& day, const std::string& value) {
  const std::string order = "0000000000" + day.substr(3);
  return "MSH|^~\\&|HIS|H|GW|R|" + day + "150000||OUL^R22^OUL_R22|L" + day + "|P|2.5\r" + "PID|1||" + patient +
         "^^^^PI\rPV1|1|O|01\rSPM|1|" + order + "||023^SERUM^JC10||||||||||||||" + day + "1400\rOBR|1|" + order + "|" +
         order + "|E002^CHEMISTRY^99O03|||" + day + "1400\rORC|SC|" + order + "|" + order + "|1|CM\r" +
         "OBX|1|NM|3D046000001906202^HbA1c(NGSP)^JC10||" + value + "|%^%^ISO+|4.9-6.0|" +
         (std::stod(value) > 6.0 ? "H" : "") + "|||F|||" + day + "1400\r";
}

TEST_F(AnswersTest, ResourcesOfTheAskedTypesNewestFirstOfThePatientOnly) {
  LiveFeed feed(*store_, log::Logger::Null(), {"1234567890", {}, 1u << 20});
  for (const auto& [day, value] : {std::pair{"20240115", "6.4"}, {"20240615", "5.8"}}) {
    const std::string ack = feed.Accept(LabResult("P1", day, value));
    ASSERT_NE(ack.find("MSA|AA"), std::string::npos) << ack;
  }
  auto answer = Ask("resources", {{"patient_ids", {"P1"}}, {"types", {"Observation"}}, {"nonce", "n-7"}});
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  ASSERT_TRUE(pki::VerifySigned(answer->body, answer->signature, Read(out_ + "/edge-1234567890.crt"), Read(out_ + "/ca.crt")).ok());
  json body = json::parse(answer->body);
  EXPECT_EQ(body["nonce"], "n-7");
  EXPECT_FALSE(body["more"].get<bool>());
  ASSERT_EQ(body["resources"].size(), 2u) << body.dump();
  const json& newest = body["resources"][0];
  EXPECT_EQ(newest["resource"]["resourceType"], "Observation");
  EXPECT_EQ(newest["event_type"], "lab_result");
  EXPECT_EQ(newest["occurred_at"].get<std::string>().substr(0, 10), "2024-06-15");
  EXPECT_EQ(newest["status"], "valid");
  EXPECT_EQ(newest["patient_id"], "P1");
  EXPECT_EQ(newest["resource"]["valueQuantity"]["value"], 5.8);
  EXPECT_EQ(newest["resource"]["code"]["coding"][0]["code"], "3D046000001906202");
  EXPECT_EQ(body["resources"][1]["resource"]["valueQuantity"]["value"], 6.4);

  // Every type: the visits' encounters and the reports too, still newest first.
  body = json::parse(Ask("resources", {{"patient_ids", {"P1"}}})->body);
  std::set<std::string> types;
  std::string previous = "99999999999999";
  for (const json& r : body["resources"]) {
    types.insert(r["resource"]["resourceType"].get<std::string>());
    EXPECT_LE(r["sort_key"].get<std::string>(), previous);
    previous = r["sort_key"];
  }
  EXPECT_TRUE(types.contains("Encounter") && types.contains("Observation") && types.contains("DiagnosticReport"))
      << body.dump();
  // Dates bound by the event's time; the limit says there is more.
  body = json::parse(Ask("resources", {{"patient_ids", {"P1"}}, {"types", {"Observation"}}, {"to", "2024-03-31"}})->body);
  ASSERT_EQ(body["resources"].size(), 1u);
  EXPECT_EQ(body["resources"][0]["resource"]["valueQuantity"]["value"], 6.4);
  body = json::parse(Ask("resources", {{"patient_ids", {"P1"}}, {"types", {"Encounter"}}, {"limit", 1}})->body);
  EXPECT_EQ(body["resources"].size(), 1u);
  EXPECT_TRUE(body["more"].get<bool>());
  // Another patient's results are not P2's.
  body = json::parse(Ask("resources", {{"patient_ids", {"P2"}}, {"types", {"Observation"}}})->body);
  EXPECT_TRUE(body["resources"].empty());

  EXPECT_EQ(Error("resources", {{"patient_ids", {"P1"}}, {"types", {"observation"}}}),
            "invalid_argument: 'observation' is not a resource type");
  EXPECT_EQ(Error("resources", {{"patient_ids", {"P1"}}, {"types", {"Observation/%"}}}),
            "invalid_argument: 'Observation/%' is not a resource type");
  EXPECT_EQ(Error("resources", {{"patient_ids", {"P1"}}, {"types", "Observation"}}),
            "invalid_argument: 'types' must be an array of at most 32 resource types");
  EXPECT_EQ(Error("resources", {{"patient_ids", {"P1"}}, {"types", {1}}}), "invalid_argument: 'types' holds a non-string");
  EXPECT_EQ(Error("resources", {{"patient_ids", {"P1"}}, {"from", "2024-13-01"}}),
            "invalid_argument: '2024-13-01' is not a date (YYYY-MM-DD)");
  for (const json& limit : {json(0), json(5001), json("10"), json(1.5)}) {
    EXPECT_EQ(Error("resources", {{"patient_ids", {"P1"}}, {"limit", limit}}),
              "invalid_argument: 'limit' must be from 1 to 5000") << limit;
  }
  EXPECT_EQ(Error("resources", json::object()), "invalid_argument: 'patient_ids' must be an array of 1 to 20 IDs");
}

TEST_F(AnswersTest, AStoredDocumentIsServedAsTheBinaryItsReferencePointsAt) {
  // A discharge summary of P1 in the extended storage, as the importer files one.
  const std::string summary = "退院時サマリー\n経過: 軽快退院。\n";
  const std::string folder = "DS01^退院時サマリ^99RENKEI^18842-5^退院時サマリー^LN";
  std::vector<ssmix2::Defect> defects;
  const ssmix2::StoragePath path = ssmix2::ParsePath(
      ssmix2::PatientFolder("P1") + "/20240501/" + folder +
          "/P1_20240501_18842-5_000000000000001_20240501120000000_01_1/summary.txt",
      &defects);
  ASSERT_TRUE(defects.empty()) << ssmix2::DefectKindName(defects[0].kind);
  store::VersionInput v{.key = path.key,
                        .content_file = path.content_file,
                        .extended_type = folder,
                        .timestamp = path.timestamp,
                        .department = path.department,
                        .flag = path.flag,
                        .path = path.relative,
                        .message_type = "text/plain",
                        .raw = summary};
  RecordWriter writer(*store_, "1234567890");
  ASSERT_TRUE(writer.Put(v, &path.extended_type, std::nullopt).ok());
  auto listed = Ask("resources", {{"patient_ids", {"P1"}}, {"types", {"DocumentReference"}}});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  const json documents = json::parse(listed->body)["resources"];
  ASSERT_EQ(documents.size(), 1u);
  const std::string url = documents[0]["resource"]["content"][0]["attachment"]["url"];
  ASSERT_TRUE(url.starts_with("Binary/")) << url;

  auto binary = Ask("entity", {{"patient_ids", {"P1"}}, {"reference", url}, {"nonce", "n-9"}});
  ASSERT_TRUE(binary.ok()) << binary.status().ToString();
  const json body = json::parse(binary->body);
  EXPECT_EQ(body["reference"], url);
  EXPECT_EQ(body["resource"]["resourceType"], "Binary");
  EXPECT_EQ(body["resource"]["contentType"], "text/plain");
  auto decoded = text::Base64Decode(body["resource"]["data"].get<std::string>());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, summary);
  EXPECT_TRUE(pki::VerifySigned(binary->body, binary->signature, Read(out_ + "/edge-1234567890.crt"), Read(out_ + "/ca.crt")).ok());
  // Not another patient's, and no Binary for a resource that is not a stored document.
  EXPECT_EQ(Error("entity", {{"patient_ids", {"P2"}}, {"reference", url}}), "not_found: no entity " + url + " of this patient");
  auto p2 = Ask("events", {{"patient_ids", {"P2"}}});
  const std::string encounter = json::parse(p2->body)["events"][0]["entity_refs"][0];
  const std::string not_document = "Binary/" + encounter.substr(encounter.find('/') + 1);
  EXPECT_EQ(Error("entity", {{"patient_ids", {"P2"}}, {"reference", not_document}}),
            "not_found: no entity " + not_document + " of this patient");
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

TEST_F(AnswersTest, AChangesRecordIsAnsweredWithItsOwnResourcesOnlyForItsPatient) {
  const json all = json::parse(Ask("resources", {{"patient_ids", {"P1"}}})->body);
  const int64_t record = all["resources"][0]["record_id"];
  const json mine = json::parse(Ask("record", {{"patient_ids", {"P1"}}, {"record_id", record}})->body);
  ASSERT_EQ(mine["resources"].size(), 1u);
  EXPECT_EQ(mine["resources"][0]["record_id"], record);
  // Another patient's record is answered as nothing.
  EXPECT_TRUE(json::parse(Ask("record", {{"patient_ids", {"P2"}}, {"record_id", record}})->body)["resources"].empty());
  // Demographics: the patient's Patient resources (none for a patient without ADT-00 here).
  EXPECT_TRUE(json::parse(Ask("record", {{"patient_ids", {"P2"}}, {"record_id", 0}})->body)["resources"].empty());
  for (const json& bad : {json{{"patient_ids", {"P1"}}}, json{{"patient_ids", {"P1"}}, {"record_id", -1}},
                          json{{"patient_ids", {"P1"}}, {"record_id", "7"}}}) {
    EXPECT_TRUE(Error("record", bad).starts_with("invalid_argument")) << bad.dump();
  }
}

TEST_F(AnswersTest, AWriteBackIsOneNewRecordPerKeyOfThePatientNamedAndAnswersWithTheAllowedTypes) {
  const json reception = {{"resourceType", "Encounter"},
                          {"status", "arrived"},
                          {"class", {{"code", "AMB"}}},
                          {"serviceType", {{"coding", {{{"code", "01"}}}}}},
                          {"period", {{"start", "2026-12-07T09:05:00+09:00"}}},
                          {"subject", {{"reference", "Patient/P2"}}}};  // ignored: the write is P1's
  const json args = {{"patient_id", "P1"}, {"service", "reception"}, {"key", "visit-1"}, {"resource", reception},
                     {"types", {"Encounter"}}, {"nonce", "n-9"}};
  auto first = Ask("write", args);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const json made = json::parse(first->body);
  EXPECT_EQ(made["outcome"], "created");
  EXPECT_EQ(made["patient_id"], "P1");
  const std::string reference = made["reference"];
  ASSERT_EQ(made["resources"].size(), 4u);  // the three visits and the reception, newest first
  EXPECT_EQ(made["resources"][0]["reference"], reference);
  EXPECT_EQ(made["resources"][0]["resource"]["status"], "arrived");
  EXPECT_NE(made["resources"][0]["resource"]["subject"].dump().find("P1"), std::string::npos);
  // The same key again: the same record, unchanged; another key: another record.
  EXPECT_EQ(json::parse(Ask("write", args)->body)["outcome"], "unchanged");
  json other = args;
  other["key"] = "visit-2";
  EXPECT_EQ(json::parse(Ask("write", other)->body)["outcome"], "created");
  // The same key from another service is another record too: keys are each service's own.
  other["key"] = "visit-1";
  other["service"] = "questionnaire";
  EXPECT_EQ(json::parse(Ask("write", other)->body)["outcome"], "created");
  // It is an event of the chart and a change of the feed.
  store::EventQuery q;
  q.patient_id = "P1";
  auto events = store_->ListEvents(q);
  ASSERT_TRUE(events.ok());
  int receptions = 0;
  for (const store::EventRow& e : events->events) receptions += e.event.title == "受付: 内科";
  EXPECT_EQ(receptions, 3);
  auto changes = store_->ChangesSince(0, 1000);
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->back().data_type, "FHIR-Encounter");

  const auto with = [&](const char* name, json value) {
    json a = args;
    if (value.is_null()) {
      a.erase(name);
    } else {
      a[name] = std::move(value);
    }
    return a;
  };
  const std::pair<json, std::string> bad[] = {
      {with("key", nullptr), "'key'"},
      {with("key", std::string(256, 'k')), "'key'"},
      {with("service", nullptr), "'service'"},
      {with("patient_id", nullptr), "patient_ids"},
      {with("patient_id", "../etc"), "patient_ids"},
      {with("resource", "Encounter"), "'resource'"},
      {with("resource", {{"resourceType", "Observation"}, {"status", "final"}}), "an Encounter"},
      {with("resource", {{"status", "arrived"}}), "an Encounter"},
      {with("resource", {{"resourceType", "Encounter"}, {"note", std::string(300 << 10, 'x')}}), "at most"},
      {with("types", "Encounter"), "'types'"},
  };
  for (const auto& [a, says] : bad) {
    const std::string error = Error("write", a);
    EXPECT_NE(error.find(says), std::string::npos) << a.dump().substr(0, 100) << " → " << error;
    EXPECT_NE(error, "ok");
  }
}

}  // namespace
}  // namespace renkei::edge
