#include "fhir/map.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hl7/charset.h"
#include "ssmix2/path.h"

namespace renkei::fhir {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kSamples = std::string(RENKEI_SHARED_DATA_DIR) + "/ssmix2-nho/sampleData";

struct Mapped {
  Mapping mapping;
  std::string relative;
};

// Maps the sample file of `data_type` under patient 9999013.
Mapped MapSample(std::string_view data_type) {
  for (const auto& entry : fs::recursive_directory_iterator(kSamples + "/999")) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = fs::relative(entry.path(), kSamples).string();
    std::vector<ssmix2::Defect> defects;
    ssmix2::StoragePath p = ssmix2::ParsePath(rel, &defects);
    if (p.key.data_type != data_type || p.extended) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    auto text = hl7::DecodeMessageText(bytes.str());
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    auto message = hl7::Parse(*text);
    EXPECT_TRUE(message.ok()) << message.status().ToString();
    RecordContext ctx{"1234567890", p.key, p.timestamp, p.department};
    return {MapMessage(ctx, *message), rel};
  }
  ADD_FAILURE() << "no sample of " << data_type;
  return {};
}

// Maps message text written in the test (it must parse).
Mapping MapText(const std::string& text, const RecordContext& ctx) {
  auto message = hl7::Parse(text);
  EXPECT_TRUE(message.ok()) << message.status().ToString();
  return message.ok() ? MapMessage(ctx, *message) : Mapping{};
}

std::vector<const Entity*> OfType(const Mapping& m, std::string_view type) {
  std::vector<const Entity*> out;
  for (const Entity& e : m.entities) {
    if (e.resource_type == type) out.push_back(&e);
  }
  return out;
}

// FHIR forbids empty strings, arrays and objects; every resource must be free of them.
void ExpectNoEmptyValues(const json& j, const std::string& where) {
  if (j.is_string()) {
    EXPECT_FALSE(j.get<std::string>().empty()) << where;
  }
  if (j.is_array() || j.is_object()) {
    EXPECT_FALSE(j.empty()) << where;
  }
  if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) ExpectNoEmptyValues(j[i], where + "[" + std::to_string(i) + "]");
  }
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) ExpectNoEmptyValues(v, where + "." + k);
  }
}

TEST(MapTest, EverySampleTypeMapsToResourcesWithoutEmptyValues) {
  for (std::string_view type : {"ADT-00", "ADT-22", "ADT-42", "ADT-52", "ADT-61", "PPR-01", "OMD", "OMP-01", "OMP-02",
                                "OMP-11", "OMP-12", "OML-01", "OML-11", "OMG-01", "OMG-02", "OMG-03", "OMG-11", "OMG-12",
                                "OMG-13"}) {
    Mapped m = MapSample(type);
    EXPECT_FALSE(m.mapping.entities.empty()) << type;
    for (const Entity& e : m.mapping.entities) {
      EXPECT_EQ(e.resource["resourceType"], e.resource_type);
      EXPECT_EQ(e.resource["id"], e.id);
      EXPECT_LE(e.id.size(), 64u) << e.id;
      EXPECT_EQ(e.id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-."), std::string::npos) << e.id;
      ExpectNoEmptyValues(e.resource, std::string(type) + ":" + e.Reference());
    }
    if (type == "ADT-00") {
      EXPECT_FALSE(m.mapping.event.has_value());
    } else {
      ASSERT_TRUE(m.mapping.event.has_value()) << type;
      EXPECT_FALSE(m.mapping.event->title.empty());
      EXPECT_EQ(m.mapping.event->sort_key.size(), 14u);
      EXPECT_FALSE(m.mapping.event->entity_refs.empty()) << type;
    }
  }
}

TEST(MapTest, PrescriptionBecomesMedicationRequestsWithJpCoreCodes) {
  Mapped m = MapSample("OMP-01");
  auto requests = OfType(m.mapping, "MedicationRequest");
  ASSERT_EQ(requests.size(), 3u);
  const json& r = requests[0]->resource;
  EXPECT_EQ(r["meta"]["profile"][0], "http://jpfhir.jp/fhir/core/StructureDefinition/JP_MedicationRequest");
  EXPECT_EQ(r["medicationCodeableConcept"]["coding"][0]["system"], "urn:oid:1.2.392.200119.4.403.1");
  EXPECT_EQ(r["medicationCodeableConcept"]["coding"][0]["code"], "108665201");
  EXPECT_EQ(r["status"], "active");
  EXPECT_EQ(r["category"][0]["coding"][0]["code"], "outpatient");
  EXPECT_EQ(r["authoredOn"], "2011-07-01T10:30:45+09:00");
  EXPECT_EQ(r["subject"]["reference"], "Patient/9999013.ADT-00");
  const json& dosage = r["dosageInstruction"][0];
  EXPECT_EQ(dosage["timing"]["code"]["coding"][0]["system"], "urn:oid:1.2.392.200250.2.2.20");
  EXPECT_EQ(dosage["timing"]["code"]["coding"][0]["code"], "1013044400000000");
  EXPECT_EQ(dosage["timing"]["repeat"]["boundsDuration"]["value"], 5);
  EXPECT_EQ(dosage["doseAndRate"][0]["doseQuantity"]["value"], 1);
  EXPECT_EQ(dosage["doseAndRate"][0]["doseQuantity"]["system"], "urn:oid:1.2.392.100495.20.2.101");
  EXPECT_EQ(dosage["route"]["coding"][0]["system"], "http://terminology.hl7.org/CodeSystem/v2-0162");
  EXPECT_EQ(r["dispenseRequest"]["quantity"]["value"], 15);
  EXPECT_EQ(r["identifier"][1]["value"], "1");  // Rp number
  EXPECT_EQ(requests[0]->id, "9999013.20110701.OMP-01.000000011000185.4");
  const Event& e = *m.mapping.event;
  EXPECT_EQ(e.type, EventType::kPrescription);
  EXPECT_EQ(e.title, "処方: ダーゼン錠（５mg) 1錠 内服・経口・１日３回朝昼夕食後 5日分 他2剤");
  EXPECT_EQ(e.occurred_at, "2011-07-01T10:30:45+09:00");
  EXPECT_EQ(e.sort_key, "20110701103045");
  EXPECT_EQ(e.department, "内科");
  EXPECT_EQ(e.practitioner, "医師 一郎");
  EXPECT_EQ(e.entity_refs.size(), 3u);
}

TEST(MapTest, InjectionMixtureIsAContainedMedication) {
  Mapped m = MapSample("OMP-02");
  auto requests = OfType(m.mapping, "MedicationRequest");
  ASSERT_EQ(requests.size(), 3u);
  const json& r = requests[0]->resource;
  EXPECT_EQ(r["medicationReference"]["reference"], "#mixture");
  EXPECT_EQ(r["contained"][0]["ingredient"].size(), 2u);
  EXPECT_EQ(r["contained"][0]["ingredient"][0]["itemCodeableConcept"]["coding"][0]["code"], "620007329");
  EXPECT_EQ(r["dosageInstruction"][0]["doseAndRate"][0]["rateQuantity"]["value"], 102);
  EXPECT_EQ(r["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"]["start"], "2011-07-01T08:00:00+09:00");
  EXPECT_EQ(m.mapping.event->type, EventType::kInjection);
  EXPECT_NE(m.mapping.event->title.find("ソリタ"), std::string::npos) << m.mapping.event->title;
}

TEST(MapTest, LabResultsCarryValuesUnitsRangesAndFlags) {
  Mapped m = MapSample("OML-11");
  auto observations = OfType(m.mapping, "Observation");
  ASSERT_EQ(observations.size(), 3u);
  const json& tp = observations[1]->resource;
  EXPECT_EQ(tp["code"]["coding"][0]["system"], "urn:oid:1.2.392.200119.4.504");
  EXPECT_EQ(tp["code"]["coding"][0]["code"], "3A010000002327101");
  EXPECT_EQ(tp["valueQuantity"]["value"], 7.2);
  EXPECT_EQ(tp["valueQuantity"]["unit"], "g/dl");
  EXPECT_EQ(tp["referenceRange"][0]["low"]["value"], 6.7);
  EXPECT_EQ(tp["referenceRange"][0]["high"]["value"], 8.3);
  EXPECT_EQ(tp["status"], "final");
  EXPECT_EQ(tp["effectiveDateTime"], "2011-12-19T15:00:00+09:00");
  ASSERT_EQ(OfType(m.mapping, "DiagnosticReport").size(), 1u);
  const json& report = OfType(m.mapping, "DiagnosticReport")[0]->resource;
  EXPECT_EQ(report["result"].size(), 3u);
  EXPECT_EQ(report["specimen"][0]["reference"], OfType(m.mapping, "Specimen")[0]->Reference());
  EXPECT_EQ(m.mapping.event->title, "検査結果: A/G比 1.7 他2項目");
  EXPECT_FALSE(m.mapping.event->abnormal);
}

TEST(MapTest, AbnormalFlagMakesTheLineAbnormalAndTitlesTheAbnormalResult) {
  const std::string text =
      "MSH|^~\\&|HIS|S|GW|R|20240101120000||OUL^R22^OUL_R22|1|P|2.5\r"
      "PID|1||123^^^^PI||山田^太郎^^^^^L^I\r"
      "OBR|1|555||LAB^検査^99X|||20240101090000\r"
      "ORC|SC|555||||||||||||||01^内科^99XY1\r"
      "OBX|1|NM|3D045000001906202^HbA1c^JC10||6.0|%^%^ISO+|4.6-6.2|N|||F\r"
      "OBX|2|NM|3D010000001926101^グルコース^JC10||182|mg/dL^mg/dL^ISO+|73-109|H|||F\r";
  Mapping m = MapText(text, {"1234567890", {"123", "20240101", "OML-11", "555"}, "20240101120000000", "01"});
  ASSERT_TRUE(m.event);
  EXPECT_TRUE(m.event->abnormal);
  EXPECT_EQ(m.event->title, "検査結果: グルコース 182 mg/dL (H) 他1項目");
  EXPECT_EQ(m.event->occurred_at, "2024-01-01T09:00:00+09:00");
  auto obs = OfType(m, "Observation");
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_EQ(obs[1]->resource["interpretation"][0]["coding"][0]["code"], "H");
  EXPECT_EQ(obs[1]->resource["valueQuantity"]["code"], "mg/dL");
  EXPECT_EQ(obs[1]->resource["valueQuantity"]["system"], "http://unitsofmeasure.org");
}

TEST(MapTest, PatientHasKanjiAndKanaNamesAndFacilityIdentifier) {
  Mapped m = MapSample("ADT-00");
  auto patients = OfType(m.mapping, "Patient");
  ASSERT_EQ(patients.size(), 1u);
  const json& p = patients[0]->resource;
  EXPECT_EQ(patients[0]->id, "9999013.ADT-00");
  EXPECT_EQ(p["identifier"][0]["system"], "urn:oid:1.2.392.100495.20.3.51.11234567890");
  EXPECT_EQ(p["identifier"][0]["value"], "9999013");
  ASSERT_EQ(p["name"].size(), 2u);
  EXPECT_EQ(p["name"][0]["family"], "患者");
  EXPECT_EQ(p["name"][0]["extension"][0]["valueCode"], "IDE");
  EXPECT_EQ(p["name"][1]["family"], "カンジャ");
  EXPECT_EQ(p["name"][1]["extension"][0]["valueCode"], "SYL");
  EXPECT_EQ(p["gender"], "male");
  EXPECT_EQ(p["birthDate"], "1948-04-05");
  EXPECT_EQ(p["address"][0]["postalCode"], "422-8033");
  EXPECT_EQ(p["address"][0]["text"], "静岡県静岡市登呂１−３−５");
  EXPECT_EQ(p["telecom"][0]["value"], "054-000-0000");
  EXPECT_EQ(p["telecom"][0]["use"], "home");
  EXPECT_EQ(OfType(m.mapping, "AllergyIntolerance").size(), 1u);
  EXPECT_EQ(OfType(m.mapping, "Observation").size(), 3u);
}

TEST(MapTest, DiagnosisCarriesMedisAndIcd10) {
  Mapped m = MapSample("PPR-01");
  auto conditions = OfType(m.mapping, "Condition");
  ASSERT_EQ(conditions.size(), 1u);
  const json& c = conditions[0]->resource;
  EXPECT_EQ(c["code"]["coding"][0]["system"], "urn:oid:1.2.392.200119.4.101.6");
  EXPECT_EQ(c["code"]["coding"][0]["code"], "20054174");
  EXPECT_EQ(c["code"]["coding"][1]["system"], "http://hl7.org/fhir/sid/icd-10");
  EXPECT_EQ(c["code"]["coding"][1]["code"], "K297");
  EXPECT_EQ(c["clinicalStatus"]["coding"][0]["code"], "resolved");
  EXPECT_EQ(c["onsetDateTime"], "2011-08-31");
  EXPECT_EQ(m.mapping.event->type, EventType::kDiagnosis);
  EXPECT_EQ(m.mapping.event->title, "病名: 胃炎 [K297]（転帰あり）");
}

TEST(MapTest, AllergiesAndImagingAndEncounters) {
  Mapped allergies = MapSample("ADT-61");
  EXPECT_EQ(OfType(allergies.mapping, "AllergyIntolerance").size(), 4u);
  EXPECT_EQ(OfType(allergies.mapping, "AllergyIntolerance")[0]->resource["category"][0], "environment");
  EXPECT_EQ(allergies.mapping.event->title, "アレルギー: スギ 他3件");

  Mapped endoscopy = MapSample("OMG-12");
  EXPECT_EQ(endoscopy.mapping.event->title,
            "内視鏡検査結果: 検査.上部.-.-.-.- 12月19日強い上腹部痛を感じた。翌日になっても軽快しなかっ…");

  Mapped us = MapSample("OMG-11");
  auto studies = OfType(us.mapping, "ImagingStudy");
  ASSERT_EQ(studies.size(), 1u);
  EXPECT_EQ(studies[0]->resource["modality"][0]["code"], "US");
  EXPECT_EQ(us.mapping.event->type, EventType::kImaging);

  Mapped admission = MapSample("ADT-22");
  const json& enc = OfType(admission.mapping, "Encounter")[0]->resource;
  EXPECT_EQ(enc["class"]["code"], "IMP");
  EXPECT_EQ(enc["status"], "in-progress");
  EXPECT_EQ(enc["period"]["start"], "2011-11-20T16:00:00+09:00");
  EXPECT_EQ(admission.mapping.event->type, EventType::kAdmission);
  EXPECT_EQ(admission.mapping.event->occurred_at, "2011-11-20T16:00:00+09:00");
  Mapped discharge = MapSample("ADT-52");
  EXPECT_EQ(OfType(discharge.mapping, "Encounter")[0]->resource["status"], "finished");
}

TEST(MapTest, OutpatientVisitIsTitledByDepartmentNotByWard) {
  const std::string text =
      "MSH|^~\\&|HIS|S|GW|R|20240105093000||ADT^A04^ADT_A01|1|P|2.5\r"
      "EVN||20240105093000|||||20240105093000\r"
      "PID|1||123^^^^PI\r"
      "PV1|1|O|01^^^^^C||||^医師^一郎^^^^^^^L^^^^^I|||01||||||||||||||||||||||||||||||||20240105093000\r";
  Mapping m = MapText(text, {"1234567890", {"123", "20240105", "ADT-12", "1"}, "20240105093000000", "01"});
  ASSERT_TRUE(m.event);
  EXPECT_EQ(m.event->type, EventType::kVisit);
  EXPECT_EQ(m.event->title, "外来受診: 内科");
  EXPECT_EQ(m.event->department, "内科");
  EXPECT_EQ(m.event->practitioner, "医師 一郎");
  EXPECT_EQ(m.event->occurred_at, "2024-01-05T09:30:00+09:00");
  const json& enc = OfType(m, "Encounter")[0]->resource;
  EXPECT_EQ(enc["class"]["code"], "AMB");
  EXPECT_FALSE(enc.contains("location")) << "a clinic is not a ward";
  EXPECT_EQ(enc["serviceType"]["coding"][0]["code"], "01");
  EXPECT_EQ(enc["serviceType"]["text"], "内科");
  // An inpatient stay keeps its ward in the title.
  Mapped admission = MapSample("ADT-22");
  EXPECT_NE(admission.mapping.event->title.find("病棟"), std::string::npos) << admission.mapping.event->title;
}

TEST(MapTest, LifecycleMarksDeletedResourcesEnteredInError) {
  Mapped m = MapSample("PPR-01");
  json c = m.mapping.entities[0].resource;
  ApplyLifecycle(c, Lifecycle::kDeleted);
  EXPECT_EQ(c["verificationStatus"]["coding"][0]["code"], "entered-in-error");
  EXPECT_FALSE(c.contains("clinicalStatus"));
  EXPECT_EQ(c["meta"]["tag"][0]["code"], "deleted");
  json r = MapSample("OMP-01").mapping.entities[0].resource;
  ApplyLifecycle(r, Lifecycle::kSuperseded, "MedicationRequest/x/_history/2");
  EXPECT_EQ(r["status"], "active");
  EXPECT_EQ(r["extension"][0]["valueReference"]["reference"], "MedicationRequest/x/_history/2");
  ApplyLifecycle(r, Lifecycle::kDeleted);
  EXPECT_EQ(r["status"], "entered-in-error");
}

TEST(MapTest, HostileAndSparseMessagesMapWithoutEmptyValues) {
  // Fields missing, malformed dates, unknown code systems, a repetition bomb of names.
  std::string names;
  for (int i = 0; i < 200; ++i) names += "~^^^^^^^^";
  const std::string text =
      "MSH|^~\\&|||||||RDE^O11|1|P|2.5\r"
      "PID|1||\\F\\x||" + names + "||2011-13-45|Z\r"
      "ORC|NW||||||||99999999999999\r"
      "RXE||^^ZZZ|abc||^^\r"
      "TQ1|1||&&|||x^y|\r";
  auto message = hl7::Parse(text);
  ASSERT_TRUE(message.ok()) << message.status().ToString();
  Mapping m = MapMessage({"f", {"|x", "-", "OMP-01", ""}, "2024", "-"}, *message);
  ASSERT_EQ(m.entities.size(), 1u);
  ExpectNoEmptyValues(m.entities[0].resource, "hostile");
  EXPECT_EQ(m.entities[0].resource["medicationCodeableConcept"]["text"], "薬剤不明");
  EXPECT_FALSE(m.entities[0].resource.contains("authoredOn"));
  EXPECT_EQ(m.entities[0].id.find('|'), std::string::npos);
  EXPECT_EQ(MapMessage({"f", {"x", "-", "NOPE", ""}, "2024", "-"}, *message).entities.size(), 0u);
}

TEST(MapTest, UnicodeSpacesBecomePlainSpacesAsFhirStringsRequire) {
  const std::string text =
      "MSH|^~\\&|HIS|S|GW|R|20240101120000||ADT^A08^ADT_A01|1|P|2.5\r"
      "PID|1||123||山田\u3000^太郎^^^^^L^I||19800101|M|||^^^^422-8033^JPN^H^静岡県静岡市\u3000登呂１−３−５\r";
  auto message = hl7::Parse(text);
  ASSERT_TRUE(message.ok()) << message.status().ToString();
  Mapping m = MapMessage({"1234567890", {"123", "-", "ADT-00", "999999999999999"}, "20240101120000000", "-"}, *message);
  ASSERT_EQ(m.entities.size(), 1u);
  const std::string dumped = m.entities[0].resource.dump();
  EXPECT_EQ(dumped.find("\u3000"), std::string::npos) << dumped;
  EXPECT_EQ(m.entities[0].resource["address"][0]["text"], "静岡県静岡市 登呂１−３−５");
}

TEST(MapTest, DocumentBecomesDocumentReferenceWithHash) {
  ssmix2::ExtendedDataType type{"", "退院時サマリー", "", "", "", ""};
  type.local_code = "DS01";
  Mapping m = MapDocument({"1234567890", {"123", "20240105", "DS01", "1"}, "20240105120000000", "01"},
                          {type, "summary.pdf", "application/pdf", "%PDF-1.4 hello"});
  ASSERT_EQ(m.entities.size(), 1u);
  const json& d = m.entities[0].resource;
  EXPECT_EQ(d["content"][0]["attachment"]["contentType"], "application/pdf");
  EXPECT_EQ(d["content"][0]["attachment"]["size"], 14);
  EXPECT_EQ(d["content"][0]["attachment"]["url"], "Binary/" + m.entities[0].id);
  EXPECT_EQ(d["content"][0]["attachment"]["hash"].get<std::string>().size(), 28u);
  EXPECT_EQ(m.event->type, EventType::kDocument);
  EXPECT_EQ(m.event->title, "文書: 退院時サマリー (summary.pdf)");
}

}  // namespace
}  // namespace renkei::fhir
