#include "fhir/map.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include <fmt/format.h>
#include <openssl/sha.h>

#include "fhir/bundle.h"
#include "fhir/coding.h"
#include "fhir/v2.h"
#include "ssmix2/record_key.h"
#include "text/base64.h"

namespace renkei::fhir {
namespace {

using nlohmann::json;
using v2::Segment;

// [begin, end) segment indexes of a group that starts at a leader segment.
struct Span {
  size_t begin;
  size_t end;
};

class Builder;
using MapFn = void (*)(Builder&);

// One row of the rule table: what a data type becomes.
struct Rule {
  std::string_view data_type;
  std::optional<EventType> event;
  std::string_view title;                     // title prefix, e.g. "処方"
  std::string_view counter;                   // counter word for "他N…" ("剤", "項目", "件")
  std::vector<ssmix2::FieldRef> time_fields;  // event time: the first that is present
  MapFn map;
};

bool SafeIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

std::string SafeId(std::string_view s) {
  std::string out;
  for (char c : s) out += SafeIdChar(c) ? c : '-';
  if (out.size() <= 64) return out;
  return fmt::format("{}.{:016x}", out.substr(0, 47), ssmix2::StableHash(s));
}

// FHIR strings may hold no whitespace but space, tab, CR and LF (the schema's
// [ \r\n\t\S]+): the ideographic space U+3000 that Japanese names and addresses often
// contain, no-break spaces and the other Unicode spaces become a plain space.
void NormalizeSpaces(std::string& text) {
  static constexpr std::string_view kSpaces[] = {
      "\u3000", "\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006",
      "\u2007", "\u2008", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\ufeff", "\v", "\f"};
  for (std::string_view space : kSpaces) {
    for (size_t p = text.find(space); p != std::string::npos; p = text.find(space, p + 1)) text.replace(p, space.size(), " ");
  }
}

void NormalizeSpaces(json& j) {
  if (j.is_string()) {
    NormalizeSpaces(j.get_ref<std::string&>());
  } else if (j.is_structured()) {
    for (auto& item : j) NormalizeSpaces(item);
  }
}

// Builds the resources and the event of one record.
class Builder {
 public:
  Builder(const RecordContext& ctx, const hl7::Message& msg) : ctx_(ctx), msg_(msg) {}

  const RecordContext& ctx() const { return ctx_; }
  const hl7::Message& msg() const { return msg_; }
  Segment Seg(size_t i) const { return Segment(msg_, i, ctx_.facility_id); }
  Segment First(std::string_view name) const { return Seg(msg_.FindSegment(name)); }
  std::string_view Name(size_t i) const { return msg_.segment(i).name(); }

  // Groups that start at each `leader` segment and run to the next one (or the end).
  std::vector<Span> Groups(std::string_view leader) const {
    std::vector<Span> out;
    for (size_t i : msg_.FindAll(leader)) {
      if (!out.empty()) out.back().end = i;
      out.push_back({i, msg_.segment_count()});
    }
    return out;
  }
  // Segments named `name` inside a span.
  std::vector<size_t> In(Span s, std::string_view name) const {
    std::vector<size_t> out;
    for (size_t i = s.begin; i < s.end; ++i) {
      if (Name(i) == name) out.push_back(i);
    }
    return out;
  }
  size_t FirstIn(Span s, std::string_view name) const {
    for (size_t i = s.begin; i < s.end; ++i) {
      if (Name(i) == name) return i;
    }
    return hl7::Message::npos;
  }
  // The last segment named `name` before index `before`.
  size_t LastBefore(size_t before, std::string_view name) const {
    size_t found = hl7::Message::npos;
    for (size_t i = 0; i < before && i < msg_.segment_count(); ++i) {
      if (Name(i) == name) found = i;
    }
    return found;
  }

  std::string PatientRef() const { return "Patient/" + PatientEntityId(ctx_.key.patient_id); }

  // A new resource made from segment `seg`, with its ID, JP Core profile and subject.
  json New(std::string_view type, std::string_view profile, size_t seg, std::string_view subject = "subject") const {
    json r = {{"resourceType", type}, {"id", EntityId(ctx_.key, seg)}};
    if (!profile.empty()) r["meta"] = {{"profile", json::array({fmt::format("{}{}", kJpCore, profile)})}};
    if (!subject.empty()) r[std::string(subject)] = {{"reference", PatientRef()}};
    return r;
  }
  // Keeps a resource; returns its reference.
  std::string Add(json r) {
    NormalizeSpaces(r);
    Entity e{r["resourceType"].get<std::string>(), r["id"].get<std::string>(), std::move(r)};
    std::string ref = e.Reference();
    out_.entities.push_back(std::move(e));
    return ref;
  }
  // The order number of a group: ORC-2, else OBR-2.
  json OrderIdentifier(size_t orc, size_t obr = hl7::Message::npos) const {
    std::string n = Seg(orc).Str(2);
    if (n.empty()) n = Seg(obr).Str(2);
    if (n.empty()) return nullptr;
    return json::array({{{"system", OrderIdSystem(ctx_.facility_id)}, {"value", n}}});
  }

  // What the event line will say.
  void Item(std::string text) {
    if (!text.empty()) items_.push_back(std::move(text));
  }
  void Abnormal() { abnormal_ = true; }
  void Practitioner(std::string name) {
    if (practitioner_.empty()) practitioner_ = std::move(name);
  }
  void EventTime(const std::optional<std::string>& ts_text) {
    if (time_.empty() && ts_text) time_ = *ts_text;
  }
  void Refer(const std::string& ref) { event_refs_.push_back(ref); }

  Mapping Finish(const Rule& rule);

 private:
  const RecordContext& ctx_;
  const hl7::Message& msg_;
  Mapping out_;
  std::vector<std::string> items_;
  std::vector<std::string> event_refs_;
  std::string practitioner_;
  std::string time_;  // raw HL7 TS chosen for the event
  bool abnormal_ = false;
};

void Put(json& obj, const char* key, json value) {
  if (!value.is_null()) obj[key] = std::move(value);
}
void PutStr(json& obj, const char* key, const std::string& value) {
  if (!value.empty()) obj[key] = value;
}
void PutOpt(json& obj, const char* key, const std::optional<std::string>& value) {
  if (value) obj[key] = *value;
}
json Display(const std::string& name) { return name.empty() ? json(nullptr) : json{{"display", name}}; }
json CodeText(std::string_view text) { return json{{"text", text}}; }
json Coded(std::string_view system, std::string_view code) {
  return json{{"coding", json::array({{{"system", system}, {"code", code}}})}};
}

// "1錠" from a value and a CWE unit (its text, else its code).
std::string Amount(const Segment& s, int value_field, int unit_field) {
  const std::string v = s.Str(value_field);
  if (v.empty()) return {};
  std::string unit = s.Str(unit_field, 2);
  if (unit.empty()) unit = s.Str(unit_field, 1);
  return v + unit;
}

// ---------------------------------------------------------------------------------------
// Patients, encounters and allergies (ADT)

json Gender(std::string_view sex) {
  if (sex == "M") return "male";
  if (sex == "F") return "female";
  if (sex == "O") return "other";
  if (sex == "U") return "unknown";
  return nullptr;
}

// AL1 (ADT-00) and IAM (ADT-61) share the allergy shape: type, allergen, severity, reaction.
struct AllergyFields {
  int type, code, severity, reaction, onset, onset_text;  // onset_text 0: none
};
constexpr AllergyFields kAl1 = {2, 3, 4, 5, 6, 0};
constexpr AllergyFields kIam = {2, 3, 4, 5, 11, 12};

void MapAllergy(Builder& b, size_t seg, const AllergyFields& f) {
  const Segment s = b.Seg(seg);
  json r = b.New("AllergyIntolerance", "JP_AllergyIntolerance", seg, "patient");
  const std::string type = s.Str(f.type);
  static const std::pair<std::string_view, std::string_view> kCategory[] = {
      {"DA", "medication"}, {"FA", "food"}, {"EA", "environment"}, {"LA", "environment"},
      {"PA", "environment"}, {"AA", "environment"}, {"MC", "biologic"}};
  for (auto [code, category] : kCategory) {
    if (type == code) r["category"] = json::array({category});
  }
  // IAM-6 action code D (delete) retracts the allergy; JAMI maps the action code the same way.
  const bool retracted = f.type == kIam.type && s.Str(6) == "D";
  if (retracted) {
    r["verificationStatus"] = Coded("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "entered-in-error");
  } else {
    r["clinicalStatus"] = Coded("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active");
    r["verificationStatus"] = Coded("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed");
  }
  Put(r, "code", s.CodeableConcept(f.code));
  const std::string severity = s.Str(f.severity);
  json reaction = json::object();
  const std::string manifestation = s.Str(f.reaction);
  if (!manifestation.empty()) reaction["manifestation"] = json::array({CodeText(manifestation)});
  if (severity == "MI") reaction["severity"] = "mild";
  if (severity == "MO") reaction["severity"] = "moderate";
  if (severity == "SV") reaction["severity"] = "severe";
  if (reaction.contains("manifestation")) r["reaction"] = json::array({reaction});
  if (auto onset = v2::DateTime(s.Str(f.onset))) {
    r["onsetDateTime"] = *onset;
  } else if (f.onset_text != 0) {
    PutStr(r, "onsetString", s.Str(f.onset_text));
  }
  if (!retracted) b.Item(s.Text(f.code));
  b.Refer(b.Add(std::move(r)));
}

// OBX of ADT-00 (height, weight, blood type) and of orders: an Observation.
json ObservationFromObx(Builder& b, size_t seg, std::string_view category);

void MapPatient(Builder& b) {
  const size_t pid = b.msg().FindSegment("PID");
  if (pid == hl7::Message::npos) return;
  const Segment s = b.Seg(pid);
  json r = {{"resourceType", "Patient"},
            {"id", PatientEntityId(b.ctx().key.patient_id)},
            {"meta", {{"profile", json::array({fmt::format("{}JP_Patient", kJpCore)})}}}};
  const std::string local_id = s.Str(3);
  r["identifier"] = json::array({{{"system", PatientIdSystem(b.ctx().facility_id)},
                                  {"value", local_id.empty() ? b.ctx().key.patient_id : local_id}}});
  r["active"] = true;
  Put(r, "name", s.HumanNames(5));
  Put(r, "gender", Gender(s.Str(8)));
  PutOpt(r, "birthDate", v2::Date(s.Str(7)));
  Put(r, "address", s.Addresses(11));
  json telecom = json::array();
  for (auto [field, use] : {std::pair{13, "home"}, std::pair{14, "work"}}) {
    json t = s.Telecoms(field, use);
    if (!t.is_null()) telecom.insert(telecom.end(), t.begin(), t.end());
  }
  if (!telecom.empty()) r["telecom"] = std::move(telecom);
  if (s.Str(30) == "Y") {
    if (auto when = v2::DateTime(s.Str(29))) r["deceasedDateTime"] = *when;
    else r["deceasedBoolean"] = true;
  }
  b.Add(std::move(r));
  // JAMI's ADT-00 map also yields AllergyIntolerance from AL1 and Observation from OBX
  // (height, weight, blood type). IN1 → Coverage is not mapped: insurance is not clinical
  // content the chart shows, and the hub must not hold it.
  for (size_t al1 : b.msg().FindAll("AL1")) MapAllergy(b, al1, kAl1);
  for (size_t obx : b.msg().FindAll("OBX")) {
    json o = ObservationFromObx(b, obx, "exam");
    if (!o.is_null()) b.Add(std::move(o));
  }
}

void MapAllergies(Builder& b) {
  for (size_t iam : b.msg().FindAll("IAM")) MapAllergy(b, iam, kIam);
  b.EventTime(b.First("EVN").Str(2));
}

// Encounter status by data type: planned events, events that happened, and cancellations
// (the data type's second trigger event, e.g. A11 cancels A01/A04).
std::string_view EncounterStatus(const ssmix2::DataTypeInfo* info, std::string_view trigger) {
  if (info && info->trigger_events.size() > 1 && trigger == info->trigger_events[1]) return "cancelled";
  const std::string_view type = info ? info->code : "";
  if (type == "ADT-21" || type == "ADT-41" || type == "ADT-51") return "planned";
  if (type == "ADT-52") return "finished";
  return "in-progress";
}

// The department of a visit: PV1-10's text, else the name of its code, else the name of the
// file's department code; "" when none is known.
std::string VisitDepartment(const Builder& b, const Segment& pv1) {
  if (!pv1.Str(10, 2).empty()) return pv1.Str(10, 2);
  std::string name(DepartmentName(pv1.Str(10)));
  if (name.empty()) name = std::string(DepartmentName(b.ctx().department));
  return name;
}

void MapEncounter(Builder& b) {
  const size_t pv1 = b.msg().FindSegment("PV1");
  const Segment evn = b.First("EVN");
  const ssmix2::DataTypeInfo* info = ssmix2::FindDataType(b.ctx().key.data_type);
  const size_t seg = pv1 != hl7::Message::npos ? pv1 : b.msg().FindSegment("MSH");
  const Segment s = b.Seg(pv1);
  json r = b.New("Encounter", "JP_Encounter", seg);
  const std::string_view status = EncounterStatus(info, b.msg().TriggerEvent());
  r["status"] = status;
  const std::string patient_class = s.Str(2);
  const char* act = patient_class == "I" ? "IMP" : patient_class == "E" ? "EMER" : "AMB";
  const char* act_display = patient_class == "I" ? "inpatient encounter" : patient_class == "E" ? "emergency" : "ambulatory";
  r["class"] = {{"system", "http://terminology.hl7.org/CodeSystem/v3-ActCode"}, {"code", act}, {"display", act_display}};
  if (!b.ctx().key.data_type.empty() && info) {
    r["type"] = json::array({{{"coding", json::array({{{"system", "http://jami.jp/SS-MIX2/CodeSystem/DataType"},
                                                         {"code", info->code},
                                                         {"display", info->name_ja}}})},
                              {"text", info->name_ja}}});
  }
  json period = json::object();
  PutOpt(period, "start", v2::DateTime(s.Str(44)));
  PutOpt(period, "end", v2::DateTime(s.Str(45)));
  if (period.empty()) PutOpt(period, "start", v2::DateTime(evn.Str(6)));
  if (!period.empty()) r["period"] = period;
  const std::string visit = s.Str(19);
  if (!visit.empty()) r["identifier"] = json::array({{{"system", OrderIdSystem(b.ctx().facility_id) + ":visit"}, {"value", visit}}});
  // PV1-3 names a ward, room and bed, unless its location type (PL-6) says it is a clinic
  // (C) or a department (D): outpatient visits are placed by department, not by ward.
  std::string place;
  const std::string location_type = s.Str(3, 6);
  if (location_type != "C" && location_type != "D") {
    const std::string ward = s.Str(3, 1), room = s.Str(3, 2), bed = s.Str(3, 3);
    if (!ward.empty()) place += ward + "病棟";
    if (!room.empty()) place += room + "号室";
    if (!bed.empty()) place += bed + "床";
  }
  if (!place.empty()) r["location"] = json::array({{{"location", {{"display", place}}}}});
  // PV1-10 (hospital service) is the department: JP Core's serviceType.
  const std::string department = VisitDepartment(b, s);
  if (!s.Str(10).empty()) {
    json coding = {{"code", s.Str(10)}};
    if (!department.empty()) coding["display"] = department;
    if (!s.Str(10, 3).empty()) coding["system"] = CodeSystemUri(s.Str(10, 3), b.ctx().facility_id);
    r["serviceType"] = {{"coding", json::array({coding})}};
    if (!department.empty()) r["serviceType"]["text"] = department;
  }
  json participants = json::array();
  for (int field : {7, 17}) {
    const std::string who = s.PersonName(field);
    if (!who.empty()) participants.push_back({{"individual", {{"display", who}}}});
  }
  if (!participants.empty()) r["participant"] = std::move(participants);
  b.Practitioner(s.PersonName(7));
  // The line says where: the ward, or for an outpatient visit the department.
  std::string item = place.empty() && patient_class != "I" ? department : place;
  if (status == "planned") item = "予定 " + item;
  if (status == "cancelled") item = "取消 " + item;
  b.Item(item.empty() ? std::string(status == "cancelled" ? "取消" : "") : item);
  b.Refer(b.Add(std::move(r)));
}

// ---------------------------------------------------------------------------------------
// Diagnoses (PPR-01)

void MapConditions(Builder& b) {
  for (size_t prb : b.msg().FindAll("PRB")) {
    const Segment s = b.Seg(prb);
    json r = b.New("Condition", "JP_Condition", prb);
    json code = s.CodeableConcept(3);  // MEDIS 病名交換用コード (MDCDX2)
    // PRB-10's first triplet carries the ICD-10 code ("K297^^I10"); JAMI adds it as a coding.
    json icd = s.Coding(10, 1);
    if (!icd.is_null() && s.Str(10, 3) == "I10") {
      if (code.is_null()) code = json::object();
      code["coding"].push_back(std::move(icd));
    }
    if (code.is_null()) code = CodeText(s.Str(17).empty() ? "病名不明" : s.Str(17));
    r["code"] = code;
    const bool resolved = !s.Str(9).empty();
    r["clinicalStatus"] = Coded("http://terminology.hl7.org/CodeSystem/condition-clinical", resolved ? "resolved" : "active");
    r["verificationStatus"] = Coded("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed");
    r["category"] = json::array({Coded("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item")});
    PutOpt(r, "onsetDateTime", v2::DateTime(s.Str(16)));
    if (resolved) PutOpt(r, "abatementDateTime", v2::DateTime(s.Str(9)));
    PutOpt(r, "recordedDate", v2::DateTime(s.Str(2)));
    if (s.Str(18, 1) == "1") {  // JHSD0007 1 主診断
      r["extension"] = json::array({{{"url", "http://renkei.jp/fhir/StructureDefinition/main-diagnosis"}, {"valueBoolean", true}}});
    }
    b.EventTime(s.Str(2));
    std::string item = code.value("text", std::string());
    const std::string icd_code = s.Str(10, 1);
    if (!icd_code.empty() && s.Str(10, 3) == "I10") item += " [" + icd_code + "]";
    if (resolved) item += "（転帰あり）";
    b.Item(item);
    b.Refer(b.Add(std::move(r)));
  }
  const size_t orc = b.msg().FindSegment("ORC");
  b.Practitioner(b.Seg(orc).PersonName(12));
}

// ---------------------------------------------------------------------------------------
// Medication: orders (OMP-01 prescriptions, OMP-02 injections) and administrations (OMP-11/12)

std::string_view RequestStatus(std::string_view orc1) {
  if (orc1 == "CA" || orc1 == "OC" || orc1 == "CR") return "cancelled";
  if (orc1 == "DC" || orc1 == "OD") return "stopped";
  if (orc1 == "HD" || orc1 == "OH") return "on-hold";
  return "active";
}

json MedicationCategory(const Builder& b) {
  const std::string pc = b.First("PV1").Str(2);
  if (pc != "I" && pc != "O") return nullptr;
  return json::array({Coded("http://terminology.hl7.org/CodeSystem/medicationrequest-category", pc == "I" ? "inpatient" : "outpatient")});
}

// A contained Medication listing RXC components (injections mixed from several drugs).
json MixedMedication(const Builder& b, const std::vector<size_t>& rxcs) {
  json ingredients = json::array();
  for (size_t rxc : rxcs) {
    const Segment c = b.Seg(rxc);
    json ing = json::object();
    json code = c.CodeableConcept(2);
    if (code.is_null()) continue;
    ing["itemCodeableConcept"] = code;
    ing["isActive"] = c.Str(1) != "B";  // B: base solution, A: additive
    json amount = c.Quantity(c.Str(3), 4);
    if (!amount.is_null()) ing["strength"] = {{"numerator", amount}, {"denominator", {{"value", 1}}}};
    ingredients.push_back(std::move(ing));
  }
  if (ingredients.empty()) return nullptr;
  return {{"resourceType", "Medication"}, {"id", "mixture"}, {"ingredient", ingredients}};
}

std::string IngredientSummary(const Builder& b, const std::vector<size_t>& rxcs) {
  std::string out;
  for (size_t rxc : rxcs) {
    const Segment c = b.Seg(rxc);
    if (!out.empty()) out += " + ";
    out += c.Text(2);
    out += Amount(c, 3, 4).empty() ? "" : " " + Amount(c, 3, 4);
  }
  return out;
}

void MapMedicationRequests(Builder& b) {
  const bool injection = b.ctx().key.data_type == "OMP-02";
  for (Span order : b.Groups("ORC")) {
    const Segment orc = b.Seg(order.begin);
    b.Practitioner(orc.PersonName(12));
    b.EventTime(orc.Str(9));
    const std::vector<size_t> rxes = b.In(order, "RXE");
    for (size_t k = 0; k < rxes.size(); ++k) {
      const Span drug{rxes[k], k + 1 < rxes.size() ? rxes[k + 1] : order.end};
      const Segment rxe = b.Seg(drug.begin);
      const Segment tq1 = b.Seg(b.FirstIn(drug, "TQ1"));
      const Segment rxr = b.Seg(b.FirstIn(drug, "RXR"));
      const std::vector<size_t> rxcs = b.In(drug, "RXC");
      json r = b.New("MedicationRequest", injection ? "JP_MedicationRequest_Injection" : "JP_MedicationRequest", drug.begin);
      json ids = b.OrderIdentifier(order.begin);
      const std::string rp = orc.Str(4);
      if (!rp.empty()) {
        if (ids.is_null()) ids = json::array();
        ids.push_back({{"system", "urn:oid:1.2.392.100495.20.3.81"}, {"value", rp}});
      }
      Put(r, "identifier", ids);
      r["status"] = RequestStatus(orc.Str(1));
      r["intent"] = "order";
      Put(r, "category", MedicationCategory(b));
      json mixed = rxcs.empty() ? json(nullptr) : MixedMedication(b, rxcs);
      std::string drug_text;
      if (!mixed.is_null()) {
        // JP Core's injection profile lists a mixture's drugs as a contained Medication.
        r["contained"] = json::array({mixed});
        r["medicationReference"] = {{"reference", "#mixture"}};
        drug_text = IngredientSummary(b, rxcs);
      } else {
        json med = rxe.CodeableConcept(2);
        r["medicationCodeableConcept"] = med.is_null() ? CodeText("薬剤不明") : med;
        drug_text = rxe.Text(2);
        const std::string dose = Amount(rxe, 3, 5);
        if (!dose.empty()) drug_text += " " + dose;
      }
      PutOpt(r, "authoredOn", v2::DateTime(orc.Str(9)));
      Put(r, "requester", Display(orc.PersonName(12)));
      Put(r, "recorder", Display(orc.PersonName(10)));
      json dosage = json::object();
      const std::string usage = tq1.Str(3, 1, 1, 2);
      json timing = json::object();
      Put(timing, "code", tq1.CodeableConceptFromSub(3, 1));
      auto days = v2::Decimal(tq1.Str(6, 1));
      const std::string day_unit = tq1.Str(6, 2);
      if (days && (day_unit == "d" || day_unit == "D")) {
        timing["repeat"] = {{"boundsDuration", {{"value", *days}, {"unit", "日"}, {"system", "http://unitsofmeasure.org"}, {"code", "d"}}}};
      } else {
        json bounds = json::object();
        PutOpt(bounds, "start", v2::DateTime(tq1.Str(7)));
        PutOpt(bounds, "end", v2::DateTime(tq1.Str(8)));
        if (!bounds.empty()) timing["repeat"] = {{"boundsPeriod", bounds}};
      }
      if (!timing.empty()) dosage["timing"] = timing;
      Put(dosage, "route", rxr.CodeableConcept(1));
      Put(dosage, "method", rxr.CodeableConcept(4));
      json dose_and_rate = json::object();
      Put(dose_and_rate, "doseQuantity", rxe.Quantity(rxe.Str(3), 5));
      Put(dose_and_rate, "rateQuantity", rxe.Quantity(rxe.Str(23), 24));
      if (!dose_and_rate.empty()) dosage["doseAndRate"] = json::array({dose_and_rate});
      std::string instruction = usage;
      if (days) instruction += fmt::format("{}{}日分", instruction.empty() ? "" : " ", tq1.Str(6, 1));
      PutStr(dosage, "text", instruction);
      if (!dosage.empty()) r["dosageInstruction"] = json::array({dosage});
      json dispense = json::object();
      Put(dispense, "quantity", rxe.Quantity(rxe.Str(10), 11));
      if (days && (day_unit == "d" || day_unit == "D")) {
        dispense["expectedSupplyDuration"] = {{"value", *days}, {"unit", "日"}, {"system", "http://unitsofmeasure.org"}, {"code", "d"}};
      }
      if (!dispense.empty()) r["dispenseRequest"] = dispense;
      b.Item(instruction.empty() ? drug_text : drug_text + " " + instruction);
      b.Refer(b.Add(std::move(r)));
    }
  }
}

std::string_view AdministrationStatus(std::string_view rxa20) {
  if (rxa20 == "RE" || rxa20 == "NA") return "not-done";
  if (rxa20 == "PA") return "in-progress";
  if (rxa20 == "CP" || rxa20.empty()) return "completed";
  return "unknown";
}

void MapAdministrations(Builder& b) {
  const size_t orc_index = b.msg().FindSegment("ORC");
  const Segment orc = b.Seg(orc_index);
  b.Practitioner(orc.PersonName(12));
  const Segment rxr = b.First("RXR");
  for (size_t rxa : b.msg().FindAll("RXA")) {
    const Segment s = b.Seg(rxa);
    json r = b.New("MedicationAdministration", "JP_MedicationAdministration", rxa);
    Put(r, "identifier", b.OrderIdentifier(orc_index));
    r["status"] = AdministrationStatus(s.Str(20));
    json med = s.CodeableConcept(5);
    r["medicationCodeableConcept"] = med.is_null() ? CodeText("薬剤不明") : med;
    auto start = v2::DateTime(s.Str(3));
    auto end = v2::DateTime(s.Str(4));
    if (start && end && *start != *end) {
      r["effectivePeriod"] = {{"start", *start}, {"end", *end}};
    } else if (start || end) {
      r["effectiveDateTime"] = start ? *start : *end;
    } else {
      r["effectiveDateTime"] = v2::DateTime(b.ctx().timestamp.substr(0, 14)).value_or("1900");
    }
    b.EventTime(s.Str(3));
    const std::string performer = s.PersonName(10);
    if (!performer.empty()) r["performer"] = json::array({{{"actor", {{"display", performer}}}}});
    json dosage = json::object();
    Put(dosage, "dose", s.Quantity(s.Str(6), 7));
    Put(dosage, "route", rxr.CodeableConcept(1));
    std::string text = s.Text(9);
    const std::string rate = s.Str(12);
    if (!rate.empty()) text += (text.empty() ? "" : " ") + rate;
    PutStr(dosage, "text", text);
    if (!dosage.empty()) r["dosage"] = dosage;
    const std::string amount = Amount(s, 6, 7);
    b.Item(amount.empty() ? s.Text(5) : s.Text(5) + " " + amount);
    b.Refer(b.Add(std::move(r)));
  }
}

// ---------------------------------------------------------------------------------------
// Observations, lab and examination orders and results (OML, OMG, OMD)

json Interpretation(std::string_view flag) {
  if (flag.empty()) return nullptr;
  return json::array({Coded("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", flag)});
}

bool IsAbnormalFlag(std::string_view flag) { return !flag.empty() && flag != "N"; }

std::string_view ObservationStatus(std::string_view obx11) {
  if (obx11 == "P" || obx11 == "R" || obx11 == "S") return "preliminary";
  if (obx11 == "C") return "corrected";
  if (obx11 == "X") return "cancelled";
  if (obx11 == "D" || obx11 == "W") return "entered-in-error";
  return "final";
}

// "6.70-8.3" → low/high in the result's unit; other text is kept as text.
json ReferenceRange(const Segment& s) {
  const std::string range = s.Str(7);
  if (range.empty()) return nullptr;
  json rr = json::object();
  const size_t dash = range.find('-', 1);
  if (dash != std::string::npos) {
    json low = s.Quantity(range.substr(0, dash), 6);
    json high = s.Quantity(range.substr(dash + 1), 6);
    if (!low.is_null()) rr["low"] = low;
    if (!high.is_null()) rr["high"] = high;
  }
  if (rr.empty()) rr["text"] = range;
  return json::array({rr});
}

// "総蛋白 7.2 g/dl (H)"
std::string ResultText(const Segment& s) {
  std::string text = s.Text(3);
  const std::string value = s.Str(5);
  if (!value.empty()) text += " " + value;
  const std::string unit = s.Str(6, 2).empty() ? s.Str(6, 1) : s.Str(6, 2);
  if (!unit.empty() && !value.empty() && s.Str(2) == "NM") text += " " + unit;
  if (IsAbnormalFlag(s.Str(8))) text += " (" + s.Str(8) + ")";
  return text;
}

json ObservationFromObx(Builder& b, size_t seg, std::string_view category) {
  const Segment s = b.Seg(seg);
  json code = s.CodeableConcept(3);
  if (code.is_null()) return nullptr;
  json r = b.New("Observation", category == "laboratory" ? "JP_Observation_LabResult" : "JP_Observation_Common", seg);
  r["status"] = ObservationStatus(s.Str(11));
  r["category"] = json::array({Coded("http://terminology.hl7.org/CodeSystem/observation-category", category)});
  r["code"] = code;
  const std::string type = s.Str(2), value = s.Str(5);
  if (type == "NM") {
    json q = s.Quantity(value, 6);
    if (!q.is_null()) r["valueQuantity"] = q;
    else PutStr(r, "valueString", value);
  } else if (type == "CWE" || type == "CE" || type == "CNE") {
    Put(r, "valueCodeableConcept", s.CodeableConcept(5));
  } else if (type == "TS" || type == "DT") {
    PutOpt(r, "valueDateTime", v2::DateTime(value));
  } else if (type == "XCN") {
    PutStr(r, "valueString", s.PersonName(5));
  } else {
    PutStr(r, "valueString", value);
  }
  Put(r, "referenceRange", ReferenceRange(s));
  const std::string flag = s.Str(8);
  Put(r, "interpretation", Interpretation(flag));
  if (IsAbnormalFlag(flag)) b.Abnormal();
  PutOpt(r, "effectiveDateTime", v2::DateTime(s.Str(14)));
  return r;
}

json CategoryText(std::string_view text) { return json::array({CodeText(text)}); }

// The specimen of OML/OUL: SPM-4 type, SPM-17 collection time.
std::string AddSpecimen(Builder& b, size_t spm) {
  const Segment s = b.Seg(spm);
  json r = b.New("Specimen", "JP_Specimen_Common", spm);
  r["status"] = "available";
  Put(r, "type", s.CodeableConcept(4));
  if (auto t = v2::DateTime(s.Str(17))) r["collection"] = {{"collectedDateTime", *t}};
  const std::string id = s.Str(2);
  if (!id.empty()) r["identifier"] = json::array({{{"system", OrderIdSystem(b.ctx().facility_id) + ":specimen"}, {"value", id}}});
  return b.Add(std::move(r));
}

// OML-01: per ORC/OBR a ServiceRequest whose orderDetail lists the ordered tests (OBX-3),
// with its Specimen.
void MapLabOrders(Builder& b) {
  for (Span order : b.Groups("ORC")) {
    const Segment orc = b.Seg(order.begin);
    b.Practitioner(orc.PersonName(12));
    b.EventTime(orc.Str(9));
    const size_t spm = b.LastBefore(order.begin, "SPM");
    std::string specimen;
    if (spm != hl7::Message::npos) specimen = AddSpecimen(b, spm);
    for (size_t obr : b.In(order, "OBR")) {
      const Segment o = b.Seg(obr);
      json r = b.New("ServiceRequest", "JP_ServiceRequest_Common", obr);
      Put(r, "identifier", b.OrderIdentifier(order.begin, obr));
      r["status"] = RequestStatus(orc.Str(1));
      r["intent"] = "order";
      r["category"] = json::array({Coded("http://snomed.info/sct", "108252007")});
      r["category"][0]["text"] = "検体検査";
      json code = o.CodeableConcept(4);
      r["code"] = code.is_null() ? CodeText("検体検査") : code;
      json details = json::array();
      for (size_t obx = obr + 1; obx < order.end && b.Name(obx) == "OBX"; ++obx) {
        json d = b.Seg(obx).CodeableConcept(3);
        if (d.is_null()) continue;
        b.Item(b.Seg(obx).Text(3));
        details.push_back(std::move(d));
      }
      if (details.empty()) b.Item(o.Text(4));
      else r["orderDetail"] = std::move(details);
      PutOpt(r, "authoredOn", v2::DateTime(orc.Str(9)));
      Put(r, "requester", Display(orc.PersonName(12)));
      if (!specimen.empty()) r["specimen"] = json::array({{{"reference", specimen}}});
      b.Refer(b.Add(std::move(r)));
    }
  }
}

std::string_view ReportStatus(std::string_view obr25) {
  if (obr25 == "P" || obr25 == "I" || obr25 == "S") return "preliminary";
  if (obr25 == "C") return "corrected";
  if (obr25 == "X") return "cancelled";
  return "final";
}

// A DiagnosticReport for one OBR with the Observations of the OBX that follow it.
void AddReport(Builder& b, size_t obr, size_t end, std::string_view obs_category, json category,
               const std::string& specimen, const std::vector<std::string>& studies) {
  const Segment o = b.Seg(obr);
  json results = json::array();
  std::string first_abnormal, first_result, conclusion;
  int result_items = 0;
  for (size_t obx = obr + 1; obx < end; ++obx) {
    if (b.Name(obx) == "OBR") break;
    if (b.Name(obx) != "OBX") continue;
    json ob = ObservationFromObx(b, obx, obs_category);
    if (ob.is_null()) continue;
    if (!ob.contains("effectiveDateTime")) PutOpt(ob, "effectiveDateTime", v2::DateTime(o.Str(7)));
    if (!specimen.empty()) ob["specimen"] = {{"reference", specimen}};
    const Segment s = b.Seg(obx);
    const std::string text = ResultText(s);
    if (first_result.empty()) first_result = text;
    if (first_abnormal.empty() && IsAbnormalFlag(s.Str(8))) first_abnormal = text;
    if (conclusion.empty() && (s.Str(2) == "TX" || s.Str(2) == "FT" || s.Str(2) == "ST")) conclusion = s.Str(5);
    ++result_items;
    results.push_back({{"reference", b.Add(std::move(ob))}});
  }
  json r = b.New("DiagnosticReport", obs_category == "laboratory" ? "JP_DiagnosticReport_LabResult" : "JP_DiagnosticReport_Common", obr);
  Put(r, "identifier", b.OrderIdentifier(b.msg().FindSegment("ORC"), obr));
  r["status"] = ReportStatus(o.Str(25));
  r["category"] = std::move(category);
  json code = o.CodeableConcept(4);
  r["code"] = code.is_null() ? CodeText("検査") : code;
  auto effective = v2::DateTime(o.Str(7));
  if (!effective) effective = v2::DateTime(b.ctx().timestamp.substr(0, 14));
  PutOpt(r, "effectiveDateTime", effective);
  if (auto issued = v2::DateTime(o.Str(22)); issued && issued->find('T') != std::string::npos) r["issued"] = *issued;
  if (!results.empty()) r["result"] = std::move(results);
  if (!specimen.empty()) r["specimen"] = json::array({{{"reference", specimen}}});
  if (!studies.empty()) {
    r["imagingStudy"] = json::array();
    for (const std::string& st : studies) r["imagingStudy"].push_back({{"reference", st}});
  }
  PutStr(r, "conclusion", conclusion);
  b.EventTime(o.Str(7));
  b.Practitioner(o.PersonName(16));
  if (obs_category == "laboratory") {
    // A lab report's line shows its most telling result: the first abnormal one.
    if (!first_abnormal.empty()) b.Item(first_abnormal);
    else b.Item(first_result);
    for (int i = 1; i < result_items; ++i) b.Item("+");
  } else {
    std::string item = o.Text(4);
    if (!conclusion.empty()) item += " " + ShortenTitleText(conclusion, 30);
    b.Item(item);
  }
  b.Refer(b.Add(std::move(r)));
}

// OML-11 (OUL^R22): SPM, then per OBR a DiagnosticReport with its Observations.
void MapLabResults(Builder& b) {
  const size_t orc = b.msg().FindSegment("ORC");
  b.Practitioner(b.Seg(orc).PersonName(12));
  for (Span group : b.Groups("OBR")) {
    const size_t spm = b.LastBefore(group.begin, "SPM");
    std::string specimen;
    if (spm != hl7::Message::npos) specimen = AddSpecimen(b, spm);
    json category = json::array({Coded("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB")});
    // OUL^R22 puts ORC after OBR: the results follow the ORC.
    AddReport(b, group.begin, group.end, "laboratory", std::move(category), specimen, {});
  }
}

std::string_view ExamCategory(std::string_view data_type) {
  if (data_type.ends_with("1")) return "放射線検査";
  if (data_type.ends_with("2")) return "内視鏡検査";
  return "生理検査";
}

// OMG-01/02/03: per ORC/OBR a ServiceRequest; child orders (ORC-1 CH) are based on their
// parent (ORC-8). OBX sent with the order (weight, findings) become Observations that the
// request lists as supportingInfo.
void MapExamOrders(Builder& b) {
  const std::string_view category = ExamCategory(b.ctx().key.data_type);
  std::vector<std::pair<std::string, std::string>> by_order;  // order number → reference
  std::vector<std::string> child_items, parent_items;
  for (Span order : b.Groups("ORC")) {
    const Segment orc = b.Seg(order.begin);
    b.Practitioner(orc.PersonName(12));
    b.EventTime(orc.Str(9));
    const size_t obr = b.FirstIn(order, "OBR");
    if (obr == hl7::Message::npos) continue;
    const Segment o = b.Seg(obr);
    json r = b.New("ServiceRequest", "JP_ServiceRequest_Common", obr);
    Put(r, "identifier", b.OrderIdentifier(order.begin, obr));
    r["status"] = RequestStatus(orc.Str(1));
    r["intent"] = orc.Str(1) == "CH" ? "instance-order" : "order";
    r["category"] = CategoryText(category);
    json code = o.CodeableConcept(4);
    r["code"] = code.is_null() ? CodeText(category) : code;
    PutOpt(r, "authoredOn", v2::DateTime(orc.Str(9)));
    Put(r, "requester", Display(orc.PersonName(12)));
    const std::string parent = orc.Str(8);
    for (const auto& [number, ref] : by_order) {
      if (!parent.empty() && number == parent) r["basedOn"] = json::array({{{"reference", ref}}});
    }
    json support = json::array();
    for (size_t obx : b.In(order, "OBX")) {
      json ob = ObservationFromObx(b, obx, "exam");
      if (!ob.is_null()) support.push_back({{"reference", b.Add(std::move(ob))}});
    }
    if (!support.empty()) r["supportingInfo"] = std::move(support);
    (orc.Str(1) == "CH" ? child_items : parent_items).push_back(o.Text(4));
    const std::string ref = b.Add(std::move(r));
    by_order.emplace_back(orc.Str(2), ref);
    b.Refer(ref);
  }
  // The line names what will be done: the child orders when there are some.
  std::vector<std::string>& items = child_items.empty() ? parent_items : child_items;
  items.erase(std::unique(items.begin(), items.end()), items.end());
  for (std::string& i : items) b.Item(std::move(i));
}

// OMG-11/12/13: results. Studies with images (IPC) become ImagingStudy; the findings (OBX)
// a DiagnosticReport with Observations. JAMI's guide has no OMG map yet; this follows JP
// Core's ImagingStudy_Radiology and DiagnosticReport_Radiology profiles.
void MapExamResults(Builder& b) {
  const std::string_view category = ExamCategory(b.ctx().key.data_type);
  std::vector<std::string> studies;
  std::vector<std::string> uids;
  for (size_t ipc : b.msg().FindAll("IPC")) {
    const Segment s = b.Seg(ipc);
    const std::string uid = s.Str(3);
    if (uid.empty() || std::find(uids.begin(), uids.end(), uid) != uids.end()) continue;
    uids.push_back(uid);
    json r = b.New("ImagingStudy", "JP_ImagingStudy_Radiology", ipc);
    r["status"] = "available";
    json ids = json::array({{{"system", "urn:dicom:uid"}, {"value", "urn:oid:" + uid}}});
    const std::string accession = s.Str(1);
    if (!accession.empty()) {
      ids.push_back({{"type", Coded("http://terminology.hl7.org/CodeSystem/v2-0203", "ACSN")}, {"value", accession}});
    }
    r["identifier"] = ids;
    const std::string modality = s.Str(5);
    if (!modality.empty()) {
      r["modality"] = json::array({{{"system", "http://dicom.nema.org/resources/ontology/DCM"}, {"code", modality}}});
    }
    const size_t obr = b.LastBefore(ipc, "OBR");
    PutOpt(r, "started", v2::DateTime(b.Seg(obr).Str(7)));
    PutStr(r, "description", b.Seg(obr).Text(4));
    studies.push_back(b.Add(std::move(r)));
  }
  // One report for the record: the OBR that carries the findings (or the first one).
  size_t report_obr = hl7::Message::npos;
  for (Span g : b.Groups("OBR")) {
    if (report_obr == hl7::Message::npos) report_obr = g.begin;
    if (b.FirstIn(g, "OBX") != hl7::Message::npos) {
      report_obr = g.begin;
      break;
    }
  }
  if (report_obr == hl7::Message::npos) return;
  size_t end = b.msg().segment_count();
  for (Span g : b.Groups("OBR")) {
    if (g.begin == report_obr) end = g.end;
  }
  const size_t orc = b.msg().FindSegment("ORC");
  b.Practitioner(b.Seg(orc).PersonName(12));
  b.EventTime(b.Seg(orc).Str(9));
  // Findings may follow the OBR's ORC in OMI (ORC then OBR then OBX), so scan its group.
  AddReport(b, report_obr, end, "exam", CategoryText(category), {}, studies);
  for (const std::string& s : studies) b.Refer(s);
}

// OMD: a NutritionOrder (diet per ODS).
void MapMeal(Builder& b) {
  const size_t orc_index = b.msg().FindSegment("ORC");
  const Segment orc = b.Seg(orc_index);
  const size_t seg = orc_index != hl7::Message::npos ? orc_index : b.msg().FindSegment("MSH");
  json r = b.New("NutritionOrder", "", seg, "patient");
  Put(r, "identifier", b.OrderIdentifier(orc_index));
  r["status"] = RequestStatus(orc.Str(1));
  r["intent"] = "order";
  r["dateTime"] = v2::DateTime(orc.Str(9)).value_or(v2::DateTime(b.ctx().timestamp.substr(0, 14)).value_or("1900"));
  json diet = json::object();
  json types = json::array();
  std::vector<std::string> instructions;
  for (size_t ods : b.msg().FindAll("ODS")) {
    const Segment s = b.Seg(ods);
    json t = s.CodeableConcept(3);
    if (!t.is_null()) types.push_back(t);
    const std::string text = s.Str(4);
    if (!text.empty()) instructions.push_back(text);
    b.Item(text.empty() ? s.Text(3) : text);
  }
  if (!types.empty()) diet["type"] = types;
  if (!instructions.empty()) {
    std::string all;
    for (const std::string& i : instructions) all += (all.empty() ? "" : "、") + i;
    diet["instruction"] = all;
  }
  json schedule = json::object();
  if (auto start = v2::DateTime(b.First("TQ1").Str(7))) schedule["repeat"] = {{"boundsPeriod", {{"start", *start}}}};
  if (!schedule.empty()) diet["schedule"] = json::array({schedule});
  if (!diet.empty()) r["oralDiet"] = diet;
  Put(r, "orderer", Display(orc.PersonName(12)));
  b.Practitioner(orc.PersonName(12));
  b.EventTime(orc.Str(9));
  b.Refer(b.Add(std::move(r)));
}

using FR = ssmix2::FieldRef;

// The rule table. Event times: the clinically meaningful time first (admission at PV1-44,
// an order when it was placed at ORC-9, a result when observed at OBR-7); the builders add
// their own, and the record date / file timestamp are the last resort.
const std::vector<Rule>& Rules() {
  static const std::vector<Rule> kRules = {
      {"ADT-00", std::nullopt, "", "件", {}, MapPatient},
      {"ADT-01", EventType::kCareTeam, "担当医", "件", {{"EVN", 6}, {"PV1", 44}, {"EVN", 2}}, MapEncounter},
      {"ADT-12", EventType::kVisit, "外来受診", "件", {{"PV1", 44}, {"EVN", 6}, {"EVN", 2}}, MapEncounter},
      {"ADT-21", EventType::kAdmission, "入院予定", "件", {{"PV1", 44}, {"EVN", 6}, {"EVN", 2}}, MapEncounter},
      {"ADT-22", EventType::kAdmission, "入院", "件", {{"PV1", 44}, {"EVN", 6}, {"EVN", 2}}, MapEncounter},
      {"ADT-31", EventType::kLeave, "外出・外泊", "件", {{"EVN", 6}, {"EVN", 2}}, MapEncounter},
      {"ADT-32", EventType::kLeave, "外出・外泊から帰院", "件", {{"EVN", 6}, {"EVN", 2}}, MapEncounter},
      {"ADT-41", EventType::kTransfer, "転科・転棟予定", "件", {{"EVN", 6}, {"EVN", 2}}, MapEncounter},
      {"ADT-42", EventType::kTransfer, "転科・転棟", "件", {{"EVN", 6}, {"EVN", 2}}, MapEncounter},
      {"ADT-51", EventType::kDischarge, "退院予定", "件", {{"PV1", 45}, {"EVN", 6}, {"EVN", 2}}, MapEncounter},
      {"ADT-52", EventType::kDischarge, "退院", "件", {{"PV1", 45}, {"EVN", 6}, {"EVN", 2}}, MapEncounter},
      {"ADT-61", EventType::kAllergy, "アレルギー", "件", {}, MapAllergies},
      {"PPR-01", EventType::kDiagnosis, "病名", "件", {}, MapConditions},
      {"OMD", EventType::kMeal, "食事", "件", {}, MapMeal},
      {"OMP-01", EventType::kPrescription, "処方", "剤", {}, MapMedicationRequests},
      {"OMP-02", EventType::kInjection, "注射", "件", {}, MapMedicationRequests},
      {"OMP-11", EventType::kAdministration, "処方実施", "剤", {}, MapAdministrations},
      {"OMP-12", EventType::kAdministration, "注射実施", "剤", {}, MapAdministrations},
      {"OML-01", EventType::kLabOrder, "検査オーダ", "項目", {}, MapLabOrders},
      {"OML-11", EventType::kLabResult, "検査結果", "項目", {}, MapLabResults},
      {"OMG-01", EventType::kImaging, "放射線検査オーダ", "件", {}, MapExamOrders},
      {"OMG-02", EventType::kEndoscopy, "内視鏡検査オーダ", "件", {}, MapExamOrders},
      {"OMG-03", EventType::kPhysiology, "生理検査オーダ", "件", {}, MapExamOrders},
      {"OMG-11", EventType::kImaging, "放射線検査結果", "件", {}, MapExamResults},
      {"OMG-12", EventType::kEndoscopy, "内視鏡検査結果", "件", {}, MapExamResults},
      {"OMG-13", EventType::kPhysiology, "生理検査結果", "件", {}, MapExamResults},
  };
  return kRules;
}

const Rule* FindRule(std::string_view data_type) {
  for (const Rule& r : Rules()) {
    if (r.data_type == data_type) return &r;
  }
  return nullptr;
}

// 診療科 from the file name: JAMI's SS-MIX2 department table (user-defined table 0069).
constexpr std::pair<std::string_view, std::string_view> kDepartments[] = {
    {"01", "内科"},       {"02", "精神科"},     {"03", "神経科"},       {"04", "神経内科"},
    {"05", "呼吸器科"},   {"06", "消化器科"},   {"07", "胃腸科"},       {"08", "循環器科"},
    {"09", "小児科"},     {"10", "外科"},       {"11", "整形外科"},     {"12", "形成外科"},
    {"13", "美容外科"},   {"14", "脳神経外科"}, {"15", "呼吸器外科"},   {"16", "心臓血管外科"},
    {"17", "小児外科"},   {"18", "皮膚泌尿器科"}, {"19", "皮膚科"},     {"20", "泌尿器科"},
    {"21", "性病科"},     {"22", "こう門科"},   {"23", "産婦人科"},     {"24", "産科"},
    {"25", "婦人科"},     {"26", "眼科"},       {"27", "耳鼻いんこう科"}, {"28", "気管食道科"},
    {"29", "理学診療科"}, {"30", "放射線科"},   {"31", "麻酔科"},       {"33", "心療内科"},
    {"34", "アレルギー科"}, {"35", "リウマチ科"}, {"36", "リハビリテーション科"},
};

Mapping Builder::Finish(const Rule& rule) {
  if (!rule.event) return std::move(out_);
  Event e;
  e.type = *rule.event;
  // Event time: the rule's fields, then what the builders found, then the record date, then
  // the file's timestamp.
  std::string ts;
  for (const ssmix2::FieldRef& f : rule.time_fields) {
    const size_t seg = msg_.FindSegment(f.segment);
    if (seg == hl7::Message::npos) continue;
    const std::string v = msg_.GetAt(seg, f.field);
    if (v2::SortKey(v)) {
      ts = v;
      break;
    }
  }
  if (ts.empty() && v2::SortKey(time_)) ts = time_;
  if (ts.empty() && v2::SortKey(ctx_.key.date)) ts = ctx_.key.date;
  if (ts.empty()) ts = ctx_.timestamp.substr(0, 14);
  e.occurred_at = v2::DateTime(ts).value_or("");
  e.sort_key = v2::SortKey(ts).value_or("00000000000000");
  // Department: the order's entering organisation (ORC-17) names it; else the file name's code.
  const size_t orc = msg_.FindSegment("ORC");
  if (orc != hl7::Message::npos && !msg_.GetAt(orc, 17, 1, 2).empty()) {
    e.department_code = msg_.GetAt(orc, 17, 1, 1);
    e.department = msg_.GetAt(orc, 17, 1, 2);
  } else if (!ctx_.department.empty() && ctx_.department != "-") {
    e.department_code = ctx_.department;
    e.department = std::string(DepartmentName(ctx_.department));
  }
  e.practitioner = practitioner_;
  // Title: "処方: <first item>" and "他N剤" for the rest. Items "+" only count.
  std::vector<std::string> shown;
  size_t more = 0;
  for (const std::string& i : items_) {
    if (i == "+" || !shown.empty()) ++more;
    else shown.push_back(i);
  }
  e.title = std::string(rule.title);
  if (!shown.empty()) e.title += ": " + shown.front();
  if (more > 0) e.title += fmt::format(" 他{}{}", more, rule.counter);
  e.abnormal = abnormal_;
  e.entity_refs = std::move(event_refs_);
  out_.event = std::move(e);
  return std::move(out_);
}

}  // namespace

std::string EntityId(const ssmix2::RecordKey& key, size_t segment_index) {
  return SafeId(fmt::format("{}.{}.{}.{}.{}", key.patient_id, key.date, key.data_type, key.order_number, segment_index));
}

std::string PatientEntityId(std::string_view patient_id) { return SafeId(fmt::format("{}.ADT-00", patient_id)); }

std::string_view DepartmentName(std::string_view code) {
  for (auto [c, name] : kDepartments) {
    if (c == code) return name;
  }
  return {};
}

Mapping MapMessage(const RecordContext& context, const hl7::Message& message) {
  const Rule* rule = FindRule(context.key.data_type);
  if (!rule) return {};
  Builder b(context, message);
  rule->map(b);
  return b.Finish(*rule);
}

Mapping MapDocument(const RecordContext& context, const DocumentInput& document) {
  Mapping out;
  const std::string id = EntityId(context.key, 0) + ".doc";
  json r = {{"resourceType", "DocumentReference"}, {"id", SafeId(id)}, {"status", "current"}};
  json type = json::object();
  json coding = json::object();
  if (!document.type.code().empty()) {
    coding["code"] = document.type.code();
    const std::string& system = document.type.standard_code.empty() ? document.type.local_system : document.type.standard_system;
    if (!system.empty()) coding["system"] = CodeSystemUri(system, context.facility_id);
    if (!document.type.name().empty()) coding["display"] = document.type.name();
    type["coding"] = json::array({coding});
  }
  if (!document.type.name().empty()) type["text"] = document.type.name();
  if (!type.empty()) r["type"] = type;
  r["subject"] = {{"reference", "Patient/" + PatientEntityId(context.key.patient_id)}};
  if (auto when = v2::DateTime(context.timestamp.substr(0, 14))) r["date"] = *when;
  unsigned char sha[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(document.bytes.data()), document.bytes.size(), sha);
  json attachment = {{"contentType", document.mime_type},
                     {"url", "Binary/" + r["id"].get<std::string>()},
                     {"size", document.bytes.size()},
                     {"hash", text::Base64Encode(std::string_view(reinterpret_cast<const char*>(sha), sizeof sha))},
                     {"title", document.file_name}};
  if (auto created = v2::DateTime(context.key.date)) attachment["creation"] = *created;
  r["content"] = json::array({{{"attachment", attachment}}});
  Event e;
  e.type = EventType::kDocument;
  const std::string ts = v2::SortKey(context.key.date) ? context.key.date : context.timestamp.substr(0, 14);
  e.occurred_at = v2::DateTime(ts).value_or("");
  e.sort_key = v2::SortKey(ts).value_or("00000000000000");
  if (!context.department.empty() && context.department != "-") {
    e.department_code = context.department;
    e.department = std::string(DepartmentName(context.department));
  }
  e.title = fmt::format("文書: {} ({})", document.type.name().empty() ? "文書" : document.type.name(), document.file_name);
  NormalizeSpaces(r);
  Entity entity{"DocumentReference", r["id"].get<std::string>(), std::move(r)};
  e.entity_refs.push_back(entity.Reference());
  out.entities.push_back(std::move(entity));
  out.event = std::move(e);
  return out;
}

void ApplyLifecycle(json& resource, Lifecycle lifecycle, std::string_view replaced_by) {
  if (lifecycle == Lifecycle::kCurrent) return;
  const std::string type = resource.value("resourceType", std::string());
  json& meta = resource["meta"];
  meta["tag"] = json::array({{{"system", "urn:renkei:record-status"},
                              {"code", lifecycle == Lifecycle::kDeleted ? "deleted" : "superseded"}}});
  if (lifecycle == Lifecycle::kSuperseded) {
    if (!replaced_by.empty()) {
      resource["extension"].push_back({{"url", "http://renkei.jp/fhir/StructureDefinition/replaced-by"},
                                       {"valueReference", {{"reference", replaced_by}}}});
    }
    return;
  }
  if (type == "Patient") {
    resource["active"] = false;
  } else if (type == "Condition" || type == "AllergyIntolerance") {
    const std::string system = type == "Condition" ? "http://terminology.hl7.org/CodeSystem/condition-ver-status"
                                                   : "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification";
    resource.erase("clinicalStatus");  // con-5 / ait-2: no clinical status when entered in error
    resource["verificationStatus"] = Coded(system, "entered-in-error");
  } else {
    resource["status"] = "entered-in-error";
  }
}

}  // namespace renkei::fhir
