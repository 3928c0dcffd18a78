#include "fhir/bundle_reader.h"

#include <gtest/gtest.h>

#include "fhir/coding.h"

namespace renkei::fhir {
namespace {

using nlohmann::json;

constexpr std::string_view kFacility = "1234567890";

// A small EMR transaction: a patient, the doctor, a visit, a prescription of a bundled
// Medication, a lab result, a diagnosis and an Organization nobody refers to.
const char* kBundle = R"J({
  "resourceType": "Bundle", "type": "transaction",
  "entry": [
    {"fullUrl": "urn:uuid:11111111-0000-0000-0000-000000000001",
     "resource": {"resourceType": "Patient", "id": "pat1",
       "identifier": [{"system": "urn:example:mrn", "value": "MRN-9"},
                      {"system": "urn:oid:1.2.392.100495.20.3.51.11234567890", "value": "P-100"}],
       "name": [{"family": "山田", "given": ["花子"], "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation", "valueCode": "IDE"}]},
                {"family": "ヤマダ", "given": ["ハナコ"], "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation", "valueCode": "SYL"}]}],
       "gender": "female", "birthDate": "1980-02-03",
       "address": [{"postalCode": "700-0001", "text": "岡山県岡山市北区1-1"}],
       "telecom": [{"system": "phone", "value": "086-000-0000"}]},
     "request": {"method": "POST", "url": "Patient"}},
    {"fullUrl": "urn:uuid:11111111-0000-0000-0000-000000000002",
     "resource": {"resourceType": "Practitioner", "id": "doc1", "name": [{"family": "医師", "given": ["一郎"]}]},
     "request": {"method": "POST", "url": "Practitioner"}},
    {"fullUrl": "urn:uuid:11111111-0000-0000-0000-000000000003",
     "resource": {"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"},
       "identifier": [{"system": "urn:example:visit", "value": "V-1"}],
       "subject": {"reference": "urn:uuid:11111111-0000-0000-0000-000000000001"},
       "participant": [{"individual": {"reference": "urn:uuid:11111111-0000-0000-0000-000000000002"}}],
       "serviceType": {"coding": [{"code": "01", "display": "内科"}]},
       "period": {"start": "2024-01-05T09:30:00+09:00"}},
     "request": {"method": "POST", "url": "Encounter"}},
    {"fullUrl": "urn:uuid:11111111-0000-0000-0000-000000000004",
     "resource": {"resourceType": "Medication", "code": {"text": "ダーゼン錠（５mg)"}}},
    {"fullUrl": "urn:uuid:11111111-0000-0000-0000-000000000005",
     "resource": {"resourceType": "MedicationRequest", "id": "rx1", "status": "active", "intent": "order",
       "meta": {"lastUpdated": "2024-01-05T01:00:00Z", "versionId": "7"},
       "subject": {"reference": "Patient/pat1"},
       "encounter": {"reference": "urn:uuid:11111111-0000-0000-0000-000000000003"},
       "requester": {"reference": "urn:uuid:11111111-0000-0000-0000-000000000002"},
       "medicationReference": {"reference": "urn:uuid:11111111-0000-0000-0000-000000000004"},
       "authoredOn": "2024-01-05T09:45:00+09:00",
       "dosageInstruction": [{"text": "内服・経口・１日３回朝昼夕食後",
         "timing": {"repeat": {"boundsDuration": {"value": 5, "code": "d"}}},
         "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "錠"}}]}]}},
    {"resource": {"resourceType": "Observation", "status": "final",
       "category": [{"coding": [{"code": "laboratory"}]}],
       "code": {"text": "総蛋白"}, "valueQuantity": {"value": 7.2, "unit": "g/dl"},
       "subject": {"identifier": {"system": "urn:oid:1.2.392.100495.20.3.51.11234567890", "value": "P-100"}},
       "performer": [{"reference": "Organization/lab-outside", "display": "検査センター"}],
       "effectiveDateTime": "2024-01-04T23:00:00Z"}},
    {"resource": {"resourceType": "Organization", "name": "岡山クリニック"}}
  ]})J";

const BundleEntry& Entry(const BundleRead& b, size_t i) { return b.entries.at(i); }
const json& Resource(const BundleEntry& e) { return e.mapping.entities.at(0).resource; }

TEST(BundleReaderTest, ResourcesBecomeRecordsWithOurIdsAndTheirEventLines) {
  auto read = ReadBundle(kBundle, kFacility);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->type, "transaction");
  ASSERT_EQ(read->entries.size(), 7u);
  std::vector<EntryOutcome> outcomes;
  for (const auto& e : read->entries) outcomes.push_back(e.outcome);
  EXPECT_EQ(outcomes, (std::vector<EntryOutcome>{EntryOutcome::kAccepted, EntryOutcome::kSkipped, EntryOutcome::kAccepted,
                                                 EntryOutcome::kSkipped, EntryOutcome::kAccepted, EntryOutcome::kAccepted,
                                                 EntryOutcome::kSkipped}));
  EXPECT_NE(Entry(*read, 1).reason.find("Practitioner is not kept on its own"), std::string::npos);

  const BundleEntry& patient = Entry(*read, 0);
  EXPECT_EQ(patient.key, (ssmix2::RecordKey{"P-100", "-", "FHIR-Patient", "999999999999999"}));
  EXPECT_EQ(patient.mapping.entities[0].id, "P-100.ADT-00");
  EXPECT_FALSE(patient.mapping.event.has_value());
  ASSERT_TRUE(patient.demographics);
  EXPECT_EQ(patient.demographics->kanji_family, "山田");
  EXPECT_EQ(patient.demographics->kana_given, "ハナコ");
  EXPECT_EQ(patient.demographics->birth_date, "19800203");
  EXPECT_EQ(patient.demographics->sex, "F");
  EXPECT_EQ(patient.demographics->postal_code, "700-0001");
  EXPECT_EQ(patient.demographics->phone, "086-000-0000");
  EXPECT_EQ(patient.timestamp, "19000101000000000") << "no lastUpdated, no clinical time";

  const BundleEntry& visit = Entry(*read, 2);
  EXPECT_EQ(visit.key.date, "20240105");
  EXPECT_EQ(visit.key.data_type, "FHIR-Encounter");
  EXPECT_EQ(visit.key.order_number.size(), 15u);
  EXPECT_EQ(visit.timestamp, "20240105093000000");
  const json& enc = Resource(visit);
  EXPECT_EQ(enc["subject"]["reference"], "Patient/P-100.ADT-00");
  EXPECT_EQ(enc["participant"][0]["individual"]["reference"], "#c1");
  EXPECT_EQ(enc["participant"][0]["individual"]["display"], "医師 一郎");
  EXPECT_EQ(enc["contained"][0]["resourceType"], "Practitioner");
  EXPECT_EQ(visit.mapping.event->title, "外来受診: 内科");
  EXPECT_EQ(visit.mapping.event->practitioner, "医師 一郎");

  const BundleEntry& rx = Entry(*read, 4);
  const json& mr = Resource(rx);
  EXPECT_EQ(rx.mapping.entities[0].id, "P-100.20240105.FHIR-MedicationRequest." + rx.key.order_number + ".0");
  EXPECT_EQ(mr["id"], rx.mapping.entities[0].id);
  EXPECT_FALSE(mr["meta"].contains("versionId")) << "the store numbers versions";
  EXPECT_EQ(mr["subject"]["reference"], "Patient/P-100.ADT-00");
  EXPECT_EQ(mr["encounter"]["reference"], "Encounter/" + visit.mapping.entities[0].id);
  EXPECT_EQ(mr["medicationReference"]["reference"], "#c3");
  EXPECT_EQ(rx.timestamp, "20240105100000000") << "meta.lastUpdated in Japan time";
  ASSERT_TRUE(rx.mapping.event);
  EXPECT_EQ(rx.mapping.event->type, EventType::kPrescription);
  EXPECT_EQ(rx.mapping.event->title, "処方: ダーゼン錠（５mg) 1錠 内服・経口・１日３回朝昼夕食後 5日分");
  EXPECT_EQ(rx.mapping.event->practitioner, "医師 一郎");
  EXPECT_EQ(rx.mapping.event->entity_refs, std::vector<std::string>{"MedicationRequest/" + rx.mapping.entities[0].id});
  EXPECT_EQ(json::parse(rx.raw_resource)["id"], "rx1") << "raw is the resource as sent";

  const BundleEntry& lab = Entry(*read, 5);
  EXPECT_EQ(lab.key.patient_id, "P-100") << "a subject by identifier";
  EXPECT_EQ(lab.key.date, "20240105") << "23:00Z is 08:00 the next day in Japan";
  EXPECT_EQ(lab.mapping.event->title, "検査結果: 総蛋白 7.2 g/dl");
  const json& obs = Resource(lab);
  EXPECT_EQ(obs["subject"]["reference"], "Patient/P-100.ADT-00");
  EXPECT_FALSE(obs["performer"][0].contains("reference"));
  EXPECT_EQ(obs["performer"][0]["display"], "検査センター");
  ASSERT_EQ(lab.notes.size(), 1u);
  EXPECT_NE(lab.notes[0].find("'Organization/lab-outside' is not in the bundle"), std::string::npos) << lab.notes[0];
}

TEST(BundleReaderTest, TheSameBundleAlwaysReadsTheSame) {
  auto a = ReadBundle(kBundle, kFacility);
  auto b = ReadBundle(json::parse(kBundle).dump(2), kFacility);  // other whitespace
  ASSERT_TRUE(a.ok() && b.ok());
  for (size_t i = 0; i < a->entries.size(); ++i) {
    EXPECT_EQ(a->entries[i].key, b->entries[i].key) << i;
    EXPECT_EQ(a->entries[i].timestamp, b->entries[i].timestamp) << i;
    EXPECT_EQ(a->entries[i].raw_resource, b->entries[i].raw_resource) << i;
  }
  EXPECT_EQ(Entry(*a, 5).key.order_number, Entry(*b, 5).key.order_number) << "no id, no identifier: the content decides";
}

TEST(BundleReaderTest, FilesThatAreNotBundlesFailWithWhereAndWhy) {
  auto error = [](std::string_view text) { return ReadBundle(text, kFacility).status().message(); };
  EXPECT_EQ(error("{\"resourceType\": \"Bundle\",\n  \"type\": }"),
            "not JSON: parse error at line 2, column 11: syntax error while parsing value - unexpected '}'; expected '[', "
            "'{', or a literal");
  EXPECT_NE(error("").find("not JSON"), std::string::npos);
  EXPECT_EQ(error("[1]"), "not a FHIR Bundle: the JSON is not an object");
  EXPECT_EQ(error(R"({"resourceType": "Patient"})"), "not a FHIR Bundle: /resourceType is '\"Patient\"'");
  EXPECT_EQ(error(R"({"type": "batch"})"), "not a FHIR Bundle: /resourceType is 'absent'");
  EXPECT_EQ(error(R"({"resourceType": "Bundle", "type": "searchset"})"),
            "/type is 'searchset'; an upload is a transaction, batch or collection Bundle");
  EXPECT_EQ(error(R"({"resourceType": "Bundle", "type": "batch", "entry": {}})"), "/entry is not an array");
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_EQ(error(deep), "nesting deeper than 64 levels at line 1, column 65");
  EXPECT_TRUE(ReadBundle(R"({"resourceType": "Bundle", "type": "collection", "note": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})",
                         kFacility).ok()) << "brackets inside strings do not nest";
  BundleLimits few;
  few.max_entries = 1;
  EXPECT_EQ(ReadBundle(R"({"resourceType": "Bundle", "type": "batch", "entry": [{}, {}]})", kFacility, few).status().message(),
            "the Bundle has 2 entries; at most 1");
  auto empty = ReadBundle(R"({"resourceType": "Bundle", "type": "batch"})", kFacility);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->entries.empty());
}

TEST(BundleReaderTest, BadEntriesAreRejectedWithPointersTheRestIsRead) {
  auto read = ReadBundle(R"J({"resourceType": "Bundle", "type": "batch", "entry": [
    {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "identifier": [{"value": "7"}]}},
    {"request": {"method": "POST"}},
    {"resource": {"id": "x"}},
    "not an object",
    {"resource": {"resourceType": "Condition", "code": {"text": "胃炎"}, "subject": {"reference": "Patient/nope"}}},
    {"resource": {"resourceType": "Condition", "code": {"text": "胃炎"}}},
    {"resource": {"resourceType": "Observation", "code": {"text": "x"}, "subject": {"reference": "urn:uuid:p"},
                  "basedOn": [{"reference": "urn:uuid:missing"}]}},
    {"fullUrl": "urn:uuid:q", "resource": {"resourceType": "Patient", "name": [{"family": "名無し"}]}},
    {"resource": {"resourceType": "AllergyIntolerance", "code": {"text": "卵"}, "patient": {"reference": "urn:uuid:q"}}},
    {"resource": {"resourceType": "Condition", "subject": {"identifier": {"system": "urn:other", "value": "7"}}}},
    {"resource": {"resourceType": "Condition", "subject": {"reference": "urn:uuid:e"}}},
    {"fullUrl": "urn:uuid:e", "resource": {"resourceType": "Encounter", "subject": {"reference": "urn:uuid:p"}}},
    {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Encounter", "subject": {"reference": "urn:uuid:p"}}},
    {"resource": {"resourceType": "Observation", "id": "o1"}, "request": {"method": "DELETE", "url": "Observation/o1"}},
    {"resource": {"resourceType": "Patient", "identifier": [{"value": "12/3"}]}},
    {"resource": {"resourceType": "Condition", "meta": "v1", "subject": {"reference": "urn:uuid:p"}}}
  ]})J", kFacility);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  auto says = [&](size_t i, EntryOutcome outcome, std::string_view pointer, std::string_view reason) {
    const BundleEntry& e = Entry(*read, i);
    EXPECT_EQ(e.outcome, outcome) << i << ": " << e.reason;
    EXPECT_EQ(e.pointer, pointer) << i;
    EXPECT_NE(e.reason.find(reason), std::string::npos) << i << ": " << e.reason;
  };
  EXPECT_EQ(Entry(*read, 0).outcome, EntryOutcome::kAccepted);
  EXPECT_EQ(Entry(*read, 0).key.patient_id, "7") << "without the facility's system: the first identifier";
  says(1, EntryOutcome::kRejected, "/entry/1/resource", "the entry has no resource");
  says(2, EntryOutcome::kRejected, "/entry/2/resource/resourceType", "the resource has no resourceType");
  says(3, EntryOutcome::kRejected, "/entry/3", "the entry is not a JSON object");
  says(4, EntryOutcome::kRejected, "/entry/4/resource/subject/reference", "'Patient/nope' is not an entry of the bundle");
  says(5, EntryOutcome::kRejected, "/entry/5/resource/subject", "the resource has no subject");
  says(6, EntryOutcome::kRejected, "/entry/6/resource/basedOn/0/reference", "'urn:uuid:missing' is not an entry of the bundle");
  says(7, EntryOutcome::kRejected, "/entry/7/resource/identifier", "the Patient has no identifier");
  says(8, EntryOutcome::kRejected, "/entry/8/resource/patient/reference", "its patient, entry 7, was rejected");
  says(9, EntryOutcome::kRejected, "/entry/9/resource/subject/identifier/system", "not in this facility's patient ID system");
  says(10, EntryOutcome::kRejected, "/entry/10/resource/subject/reference", "'urn:uuid:e' is a Encounter, not a Patient");
  EXPECT_EQ(Entry(*read, 11).outcome, EntryOutcome::kAccepted);
  says(12, EntryOutcome::kRejected, "/entry/12/fullUrl", "'urn:uuid:p' also names entry 0");
  says(13, EntryOutcome::kRejected, "/entry/13/request/method", "request method DELETE is not supported");
  says(14, EntryOutcome::kRejected, "/entry/14/resource/identifier/0/value", "found '/' at position 3");
  says(15, EntryOutcome::kRejected, "/entry/15/resource/meta", "meta must be an object");
  EXPECT_EQ(Entry(*read, 4).defect, ssmix2::DefectKind::kUnresolvedReference);
  EXPECT_EQ(Entry(*read, 1).defect, ssmix2::DefectKind::kUploadSyntax);
  EXPECT_EQ(Entry(*read, 14).defect, ssmix2::DefectKind::kInvalidValue);
  EXPECT_NE(Entry(*read, 4).raw_entry.find("Patient/nope"), std::string::npos) << "the entry's bytes, for the quarantine";
}

TEST(BundleReaderTest, TheSameIdentityWithOtherContentIsRejected) {
  auto read = ReadBundle(R"J({"resourceType": "Bundle", "type": "collection", "entry": [
    {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "identifier": [{"value": "7"}]}},
    {"resource": {"resourceType": "Condition", "identifier": [{"value": "dx-1"}], "code": {"text": "胃炎"},
                  "recordedDate": "2024-01-05", "subject": {"reference": "urn:uuid:p"}}},
    {"resource": {"resourceType": "Condition", "identifier": [{"value": "dx-1"}], "code": {"text": "胃潰瘍"},
                  "recordedDate": "2024-01-05", "subject": {"reference": "urn:uuid:p"}}},
    {"resource": {"resourceType": "Condition", "identifier": [{"value": "dx-1"}], "code": {"text": "胃炎"},
                  "recordedDate": "2024-01-05", "subject": {"reference": "urn:uuid:p"}}}
  ]})J", kFacility);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(Entry(*read, 1).outcome, EntryOutcome::kAccepted);
  EXPECT_EQ(Entry(*read, 2).outcome, EntryOutcome::kRejected);
  EXPECT_NE(Entry(*read, 2).reason.find("entry 1 is the same record"), std::string::npos) << Entry(*read, 2).reason;
  EXPECT_EQ(Entry(*read, 3).outcome, EntryOutcome::kAccepted) << "the same content twice is one record";
}

}  // namespace
}  // namespace renkei::fhir
