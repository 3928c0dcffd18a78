#include "receipt/message_builder.h"

#include <gtest/gtest.h>

#include "fhir/map.h"
#include "hl7/message.h"
#include "ssmix2/record.h"

namespace renkei::receipt {
namespace {

using nlohmann::json;

std::vector<Row> RowsOf(std::string_view csv) {
  auto records = text::ReadCsv(text::DecodeLines(csv, text::Encoding::kUtf8).lines);
  auto header = Header::Read(records.at(0));
  EXPECT_TRUE(header.ok()) << header.status().ToString();
  std::vector<Row> rows;
  for (size_t i = 1; i < records.size(); ++i) {
    auto r = ReadRow(*header, records[i]);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) rows.push_back(*r);
  }
  return rows;
}

// What the edge does with a record: inspect it as the SS-MIX2 file it would be, then map it.
struct Mapped {
  ssmix2::Inspection inspection;
  fhir::Mapping mapping;
};
Mapped Map(const ReceiptRecord& rec) {
  Mapped m;
  m.inspection = ssmix2::Inspect(ssmix2::MakePath(rec.key, rec.timestamp, rec.department, ssmix2::ConditionFlag::kValid),
                                 rec.message);
  auto message = hl7::Parse(m.inspection.decoded);
  EXPECT_TRUE(message.ok()) << message.status().ToString();
  if (message.ok()) m.mapping = fhir::MapMessage({"1234567890", rec.key, rec.timestamp, rec.department}, *message);
  return m;
}

const char kHeader[] =
    "kind,patient_id,date,time,department_code,doctor,kanji_name,kana_name,birth_date,sex,postal_code,address,phone,"
    "code,code_system,name,icd10,end_date,dose,daily_dose,unit,usage_code,usage_text,days,order_number\n";

// The NHO sample's OMP-01 (9999013, 2011-07-01) as three receipt rows.
const std::string kSamplePrescription =
    std::string(kHeader) +
    "prescription,9999013,20110701,103045,01,医師 一郎,,,,,,,,108665201,HOT9,ダーゼン錠（５mg),,,1,3,錠,1013044400000000,"
    "内服・経口・１日３回朝昼夕食後,5,11000185\n"
    "prescription,9999013,20110701,103045,01,医師 一郎,,,,,,,,110626901,HOT9,パンスポリンＴ錠（１００mg),,,2,6,錠,"
    "1013044400000000,内服・経口・１日３回朝昼夕食後,5,11000185\n"
    "prescription,9999013,20110701,103045,01,医師 一郎,,,,,,,,100607002,HOT9,アレビアチン１０倍散,,,50,100,mg,"
    "1012040400000000,内服・経口・１日２回朝夕食後,14,11000185\n";

TEST(MessageBuilderTest, APrescriptionOrderIsOneOmp01MessageThatMapsLikeTheSample) {
  BuildResult built = BuildRecords(RowsOf(kSamplePrescription));
  ASSERT_TRUE(built.failures.empty());
  ASSERT_EQ(built.records.size(), 1u);
  const ReceiptRecord& rec = built.records[0];
  EXPECT_EQ(rec.key, (ssmix2::RecordKey{"9999013", "20110701", "OMP-01", "000000011000185"}));
  EXPECT_EQ(rec.timestamp, "20110701103045000");
  EXPECT_EQ(rec.department, "01");
  EXPECT_EQ(rec.lines, (std::vector<int>{2, 3, 4}));
  Mapped m = Map(rec);
  EXPECT_TRUE(m.inspection.defects.empty()) << m.inspection.defects.front().detail;
  EXPECT_EQ(m.inspection.message_type, "RDE^O11");
  ASSERT_TRUE(m.mapping.event);
  const fhir::Event& e = *m.mapping.event;
  EXPECT_EQ(e.type, fhir::EventType::kPrescription);
  EXPECT_EQ(e.title, "処方: ダーゼン錠（５mg) 1錠 内服・経口・１日３回朝昼夕食後 5日分 他2剤");
  EXPECT_EQ(e.occurred_at, "2011-07-01T10:30:45+09:00");
  EXPECT_EQ(e.department, "内科");
  EXPECT_EQ(e.practitioner, "医師 一郎");
  ASSERT_EQ(m.mapping.entities.size(), 3u);
  const json& r = m.mapping.entities[0].resource;
  EXPECT_EQ(m.mapping.entities[0].id, "9999013.20110701.OMP-01.000000011000185.4") << "the same IDs as the sample file's";
  EXPECT_EQ(r["medicationCodeableConcept"]["coding"][0]["code"], "108665201");
  EXPECT_EQ(r["medicationCodeableConcept"]["coding"][0]["system"], "urn:oid:1.2.392.200119.4.403.1");
  EXPECT_EQ(r["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["code"], "TAB");
  EXPECT_EQ(r["dosageInstruction"][0]["timing"]["code"]["coding"][0]["code"], "1013044400000000");
  EXPECT_EQ(r["dosageInstruction"][0]["timing"]["repeat"]["boundsDuration"]["value"], 5);
  EXPECT_EQ(r["dosageInstruction"][0]["route"]["coding"][0]["code"], "PO");
  EXPECT_EQ(r["dispenseRequest"]["quantity"]["value"], 15);
  EXPECT_EQ(r["identifier"][1]["value"], "1") << "drugs taken the same way share Rp 1";
  EXPECT_EQ(m.mapping.entities[2].resource["identifier"][1]["value"], "2");
  EXPECT_EQ(m.mapping.entities[2].resource["dispenseRequest"]["quantity"]["value"], 1400);
}

TEST(MessageBuilderTest, PatientVisitAndDiagnosisBecomeAdt00Adt12AndPpr01) {
  BuildResult built = BuildRecords(RowsOf(
      std::string(kHeader) +
      "patient,9999013,,,,,患者 太郎,カンジャ タロウ,19480405,M,422-8033,静岡県静岡市登呂１−３−５,054-000-0000,,,,,,,,,,,,\n"
      "visit,9999013,20240105,0930,01,医師 一郎,,,,,,,,,,,,,,,,,,,\n"
      "diagnosis,9999013,20240105,,01,医師 一郎,,,,,,,,20054174,MEDIS,胃炎,K297,,,,,,,,\n"
      "diagnosis,9999013,20231101,,01,,,,,,,,,J069,ICD10,急性上気道炎,,20231110,,,,,,,\n"));
  ASSERT_TRUE(built.failures.empty());
  ASSERT_EQ(built.records.size(), 4u);

  Mapped patient = Map(built.records[0]);
  EXPECT_EQ(built.records[0].key, (ssmix2::RecordKey{"9999013", "-", "ADT-00", "999999999999999"}));
  EXPECT_TRUE(patient.inspection.defects.empty()) << patient.inspection.defects.front().detail;
  EXPECT_EQ(built.records[0].timestamp, "19000101000000000") << "no date: the fixed 'unknown' time";
  ASSERT_TRUE(patient.inspection.demographics);
  const ssmix2::Demographics& d = *patient.inspection.demographics;
  EXPECT_EQ(d.kanji_family, "患者");
  EXPECT_EQ(d.kana_given, "タロウ");
  EXPECT_EQ(d.birth_date, "19480405");
  EXPECT_EQ(d.postal_code, "422-8033");
  EXPECT_EQ(d.address, "静岡県静岡市登呂１−３−５");
  EXPECT_EQ(d.phone, "054-000-0000");
  EXPECT_FALSE(patient.mapping.event);
  EXPECT_EQ(patient.mapping.entities[0].resource["name"][1]["extension"][0]["valueCode"], "SYL");

  Mapped visit = Map(built.records[1]);
  EXPECT_TRUE(visit.inspection.defects.empty()) << visit.inspection.defects.front().detail;
  EXPECT_EQ(visit.inspection.message_type, "ADT^A04");
  EXPECT_EQ(visit.mapping.event->title, "外来受診: 内科");
  EXPECT_EQ(visit.mapping.event->occurred_at, "2024-01-05T09:30:00+09:00");
  EXPECT_EQ(visit.mapping.event->practitioner, "医師 一郎");

  Mapped diagnosis = Map(built.records[2]);
  EXPECT_EQ(built.records[2].key.date, "-") << "PPR-01 is patient-level in SS-MIX2";
  EXPECT_TRUE(diagnosis.inspection.defects.empty()) << diagnosis.inspection.defects.front().detail;
  EXPECT_EQ(diagnosis.mapping.event->title, "病名: 胃炎 [K297]");
  EXPECT_EQ(diagnosis.mapping.event->occurred_at, "2024-01-05");
  EXPECT_EQ(diagnosis.mapping.event->department, "内科");
  const json& condition = diagnosis.mapping.entities[0].resource;
  EXPECT_EQ(condition["code"]["coding"][0]["system"], "urn:oid:1.2.392.200119.4.101.6");
  EXPECT_EQ(condition["code"]["coding"][1]["code"], "K297");
  EXPECT_EQ(condition["clinicalStatus"]["coding"][0]["code"], "active");

  Mapped resolved = Map(built.records[3]);
  EXPECT_EQ(resolved.mapping.event->title, "病名: 急性上気道炎 [J069]（転帰あり）");
  EXPECT_EQ(resolved.mapping.entities[0].resource["abatementDateTime"], "2023-11-10");
}

TEST(MessageBuilderTest, TheSameRowsAlwaysMakeTheSameRecords) {
  const std::string csv = std::string(kHeader) +
                          "visit,1,20240105,,01,,,,,,,,,,,,,,,,,,,,\n"
                          "visit,1,20240105,,02,,,,,,,,,,,,,,,,,,,,\n"
                          "diagnosis,1,20240105,,,,,,,,,,,,,胃炎,,,,,,,,,\n";
  BuildResult a = BuildRecords(RowsOf(csv));
  BuildResult b = BuildRecords(RowsOf(csv));
  ASSERT_EQ(a.records.size(), 3u);
  for (size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].key, b.records[i].key);
    EXPECT_EQ(a.records[i].message, b.records[i].message);
    EXPECT_EQ(a.records[i].key.order_number.size(), 15u);
  }
  EXPECT_NE(a.records[0].key.order_number, a.records[1].key.order_number) << "two departments, two visits";
  EXPECT_EQ(a.records[0].timestamp, "20240105000000000");
}

TEST(MessageBuilderTest, RowsThatCannotShareARecordFailTogether) {
  BuildResult built = BuildRecords(RowsOf(
      std::string(kHeader) +
      "prescription,1,20240105,0930,01,医師 一郎,,,,,,,,,,薬A,,,1,,錠,,,5,77\n"
      "prescription,1,20240105,0930,02,医師 一郎,,,,,,,,,,薬B,,,1,,錠,,,5,77\n"
      "visit,1,20240106,,01,,,,,,,,,,,,,,,,,,,,5\n"
      "visit,1,20240106,,01,医師 一郎,,,,,,,,,,,,,,,,,,,5\n"
      "patient,1,,,,,山田 花子,,,,,,,,,,,,,,,,,,\n"
      "patient,1,,,,,山田 花子,,,,,,,,,,,,,,,,,,\n"));
  ASSERT_EQ(built.failures.size(), 3u);
  EXPECT_EQ(built.failures[0].message, "line 2: another row of this order is defective (line 3)");
  EXPECT_EQ(built.failures[1].message, "line 3: department_code '02' differs from line 2 of the same order ('01')");
  EXPECT_EQ(built.failures[2].line, 5);
  EXPECT_NE(built.failures[2].message.find("the same visit record as line 4"), std::string::npos) << built.failures[2].message;
  ASSERT_EQ(built.records.size(), 2u);
  EXPECT_EQ(built.records[0].key.data_type, "ADT-12");
  EXPECT_EQ(built.records[1].lines, (std::vector<int>{6, 7})) << "the same patient twice is one record";
}

}  // namespace
}  // namespace renkei::receipt
