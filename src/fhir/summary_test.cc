#include "fhir/summary.h"

#include <gtest/gtest.h>

namespace renkei::fhir {
namespace {

using nlohmann::json;

Event Summary(std::string_view text) {
  auto e = SummarizeResource(json::parse(text));
  EXPECT_TRUE(e.has_value()) << text;
  return e.value_or(Event{});
}

TEST(SummaryTest, PrescriptionReadsLikeTheLineMappedFromSsMix2) {
  Event e = Summary(R"J({"resourceType": "MedicationRequest", "id": "m1", "status": "active", "intent": "order",
    "medicationCodeableConcept": {"coding": [{"system": "urn:oid:1.2.392.200119.4.403.1", "code": "108665201",
                                              "display": "ダーゼン錠（５mg)"}]},
    "authoredOn": "2011-07-01T10:30:45+09:00",
    "requester": {"reference": "#p", "display": "医師 一郎"},
    "dosageInstruction": [{"text": "内服・経口・１日３回朝昼夕食後",
      "timing": {"repeat": {"boundsDuration": {"value": 5, "unit": "日", "system": "http://unitsofmeasure.org", "code": "d"}}},
      "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "錠"}}]}]})J");
  EXPECT_EQ(e.type, EventType::kPrescription);
  EXPECT_EQ(e.title, "処方: ダーゼン錠（５mg) 1錠 内服・経口・１日３回朝昼夕食後 5日分");
  EXPECT_EQ(e.occurred_at, "2011-07-01T10:30:45+09:00");
  EXPECT_EQ(e.sort_key, "20110701103045");
  EXPECT_EQ(e.practitioner, "医師 一郎");
  EXPECT_EQ(e.entity_refs, std::vector<std::string>{"MedicationRequest/m1"});
}

TEST(SummaryTest, InjectionsAndContainedMedications) {
  Event e = Summary(R"J({"resourceType": "MedicationRequest",
    "meta": {"profile": ["http://jpfhir.jp/fhir/core/StructureDefinition/JP_MedicationRequest_Injection"]},
    "contained": [{"resourceType": "Medication", "id": "med", "code": {"text": "ソリタ-T3号輸液 500mL"}}],
    "medicationReference": {"reference": "#med"}, "authoredOn": "2024-01-05"})J");
  EXPECT_EQ(e.type, EventType::kInjection);
  EXPECT_EQ(e.title, "注射: ソリタ-T3号輸液 500mL");
  EXPECT_EQ(e.occurred_at, "2024-01-05");
  Event unknown = Summary(R"J({"resourceType": "MedicationRequest", "dispenseRequest":
    {"expectedSupplyDuration": {"value": 7, "code": "d"}}})J");
  EXPECT_EQ(unknown.title, "処方: 薬剤不明 7日分");
  EXPECT_EQ(unknown.occurred_at, "") << "no time: the caller supplies one";
}

TEST(SummaryTest, LabResultsShowValueUnitAndFlag) {
  Event normal = Summary(R"J({"resourceType": "Observation", "status": "final",
    "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
    "code": {"text": "総蛋白"}, "valueQuantity": {"value": 7.2, "unit": "g/dl"},
    "effectiveDateTime": "2011-12-19T06:00:00Z"})J");
  EXPECT_EQ(normal.type, EventType::kLabResult);
  EXPECT_EQ(normal.title, "検査結果: 総蛋白 7.2 g/dl");
  EXPECT_EQ(normal.occurred_at, "2011-12-19T15:00:00+09:00") << "UTC becomes Japan time";
  EXPECT_FALSE(normal.abnormal);
  Event high = Summary(R"J({"resourceType": "Observation", "code": {"coding": [{"code": "3D010", "display": "グルコース"}]},
    "valueQuantity": {"value": 182, "code": "mg/dL"},
    "interpretation": [{"coding": [{"code": "H"}]}]})J");
  EXPECT_TRUE(high.abnormal);
  EXPECT_EQ(high.title, "検査結果: グルコース 182 mg/dL (H)");
  Event bp = Summary(R"J({"resourceType": "Observation", "category": [{"coding": [{"code": "vital-signs"}]}],
    "code": {"text": "血圧"}, "component": [{"valueQuantity": {"value": 120, "unit": "mmHg"}},
                                           {"valueQuantity": {"value": 80, "unit": "mmHg"}}]})J");
  EXPECT_EQ(bp.title, "バイタル: 血圧 120/80 mmHg");
}

TEST(SummaryTest, DiagnosesEncountersAllergiesReportsOrdersDocuments) {
  Event dx = Summary(R"J({"resourceType": "Condition", "recordedDate": "2024-01-05",
    "code": {"coding": [{"system": "urn:oid:1.2.392.200119.4.101.6", "code": "20054174", "display": "胃炎"},
                        {"system": "http://hl7.org/fhir/sid/icd-10", "code": "K297"}]}})J");
  EXPECT_EQ(dx.type, EventType::kDiagnosis);
  EXPECT_EQ(dx.title, "病名: 胃炎 [K297]");
  Event healed = Summary(R"J({"resourceType": "Condition", "code": {"text": "急性上気道炎"},
    "clinicalStatus": {"coding": [{"code": "resolved"}]}})J");
  EXPECT_EQ(healed.title, "病名: 急性上気道炎（転帰あり）");

  Event visit = Summary(R"J({"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"},
    "serviceType": {"coding": [{"code": "01"}]}, "period": {"start": "2024-01-05T09:30:00+09:00"},
    "participant": [{"individual": {"display": "医師 一郎"}}]})J");
  EXPECT_EQ(visit.type, EventType::kVisit);
  EXPECT_EQ(visit.title, "外来受診: 内科");
  EXPECT_EQ(visit.department_code, "01");
  EXPECT_EQ(visit.department, "内科");
  EXPECT_EQ(visit.practitioner, "医師 一郎");
  // A reception service's write-back (seed 000): the arrival, and a reservation.
  Event arrived = Summary(R"J({"resourceType": "Encounter", "status": "arrived", "class": {"code": "AMB"},
    "serviceType": {"coding": [{"code": "01"}]}, "period": {"start": "2026-12-07T09:05:00+09:00"}})J");
  EXPECT_EQ(arrived.title, "受付: 内科");
  EXPECT_EQ(arrived.sort_key, "20261207090500");
  Event reserved = Summary(R"J({"resourceType": "Encounter", "status": "planned", "class": {"code": "AMB"},
    "period": {"start": "2026-12-14T10:00:00+09:00"}})J");
  EXPECT_EQ(reserved.type, EventType::kVisit);
  EXPECT_EQ(reserved.title, "外来予約");
  Event interview = Summary(R"J({"resourceType": "QuestionnaireResponse", "status": "completed",
    "questionnaire": "問診票（内科）", "authored": "2026-12-07T08:50:00+09:00"})J");
  EXPECT_EQ(interview.type, EventType::kDocument);
  EXPECT_EQ(interview.title, "問診: 問診票（内科）");
  Event discharge = Summary(R"J({"resourceType": "Encounter", "status": "finished", "class": {"code": "IMP"},
    "period": {"start": "2024-01-01", "end": "2024-01-10"}, "location": [{"location": {"display": "3階東病棟"}}]})J");
  EXPECT_EQ(discharge.type, EventType::kDischarge);
  EXPECT_EQ(discharge.title, "退院: 3階東病棟");
  EXPECT_EQ(discharge.occurred_at, "2024-01-10");
  Event admission = Summary(R"J({"resourceType": "Encounter", "status": "in-progress", "class": {"code": "IMP"},
    "period": {"start": "2024-01-01"}})J");
  EXPECT_EQ(admission.type, EventType::kAdmission);
  EXPECT_EQ(admission.title, "入院");

  EXPECT_EQ(Summary(R"J({"resourceType": "AllergyIntolerance", "code": {"text": "ペニシリン"}})J").title, "アレルギー: ペニシリン");
  Event ct = Summary(R"J({"resourceType": "DiagnosticReport", "category": [{"coding": [{"code": "RAD"}]}],
    "code": {"text": "胸部CT"}, "conclusion": "右上葉に結節影。"})J");
  EXPECT_EQ(ct.type, EventType::kImaging);
  EXPECT_EQ(ct.title, "放射線検査結果: 胸部CT 右上葉に結節影。");
  Event order = Summary(R"J({"resourceType": "ServiceRequest", "code": {"text": "血算"}, "authoredOn": "2024-01-05"})J");
  EXPECT_EQ(order.type, EventType::kLabOrder);
  EXPECT_EQ(order.title, "検査オーダ: 血算");
  Event doc = Summary(R"J({"resourceType": "DocumentReference", "type": {"text": "診療情報提供書"},
    "content": [{"attachment": {"title": "referral.pdf"}}], "date": "2024-01-05T12:00:00+09:00"})J");
  EXPECT_EQ(doc.type, EventType::kDocument);
  EXPECT_EQ(doc.title, "文書: 診療情報提供書 (referral.pdf)");
  Event given = Summary(R"J({"resourceType": "MedicationAdministration", "medicationCodeableConcept": {"text": "ロキソニン錠"},
    "dosage": {"dose": {"value": 1, "unit": "錠"}}, "effectiveDateTime": "2024-01-05T08:00:00+09:00"})J");
  EXPECT_EQ(given.type, EventType::kAdministration);
  EXPECT_EQ(given.title, "処方実施: ロキソニン錠 1錠");
}

TEST(SummaryTest, ResourcesWithoutALineAndHostileShapes) {
  EXPECT_FALSE(SummarizeResource(json::parse(R"J({"resourceType": "Patient"})J")));
  EXPECT_FALSE(SummarizeResource(json::parse(R"J({"resourceType": "Practitioner"})J")));
  EXPECT_FALSE(SummarizeResource(json::parse("[1, 2]")));
  EXPECT_FALSE(SummarizeResource(json::parse("null")));
  // Wrong types everywhere: no throw, a line with what can be read.
  Event odd = Summary(R"J({"resourceType": "Observation", "code": {"text": 5, "coding": "x"},
    "valueQuantity": [1], "interpretation": {"coding": 1}, "effectiveDateTime": 20240105,
    "category": "laboratory", "id": 7})J");
  EXPECT_EQ(odd.title, "検査結果");
  EXPECT_EQ(odd.occurred_at, "");
  EXPECT_TRUE(odd.entity_refs.empty());
  Event bad_time = Summary(R"J({"resourceType": "Condition", "code": {"text": "x"}, "recordedDate": "2024-13-45"})J");
  EXPECT_EQ(bad_time.occurred_at, "");
}

TEST(SummaryTest, JapanTime) {
  EXPECT_EQ(JapanTimeOf("2024-01-05"), "20240105");
  EXPECT_EQ(JapanTimeOf("2024-01"), "202401");
  EXPECT_EQ(JapanTimeOf("2024-01-05T10:30:00+09:00"), "20240105103000");
  EXPECT_EQ(JapanTimeOf("2024-01-05T10:30:00.123+09:00"), "20240105103000");
  EXPECT_EQ(JapanTimeOf("2024-01-05T20:30:00Z"), "20240106053000") << "crosses midnight";
  EXPECT_EQ(JapanTimeOf("2023-12-31T23:00:00-05:00"), "20240101130000") << "crosses the year";
  EXPECT_EQ(JapanTimeOf("2024-02-28T16:00:00Z"), "20240229010000") << "leap day";
  EXPECT_EQ(JapanTimeOf("2024-01-05T10:30"), "20240105103000");
  for (std::string_view bad : {"", "2024-1-5", "2024-01-05T25:00:00Z", "2024-01-05T10:30:00+9", "yesterday",
                               "2024-02-30", "2024-01-05T10:30:00+0a:00"}) {
    EXPECT_FALSE(JapanTimeOf(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace renkei::fhir
