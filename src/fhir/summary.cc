#include "fhir/summary.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <vector>

#include <fmt/format.h>

#include "fhir/map.h"
#include "fhir/v2.h"

namespace renkei::fhir {
namespace {

using nlohmann::json;

// The element at a slash-separated path ("dosageInstruction/0/text"); null when absent or
// when the path meets another type. Never throws.
const json& At(const json& r, std::string_view path) {
  static const json kNull;
  const json* cur = &r;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (cur->is_object()) {
      auto it = cur->find(std::string(part));
      if (it == cur->end()) return kNull;
      cur = &*it;
    } else if (cur->is_array()) {
      size_t index = 0;
      auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
      if (ec != std::errc() || p != part.data() + part.size() || index >= cur->size()) return kNull;
      cur = &(*cur)[index];
    } else {
      return kNull;
    }
  }
  return *cur;
}

std::string Str(const json& r, std::string_view path) {
  const json& v = At(r, path);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::string Number(const json& v) {
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return fmt::format("{}", v.get<double>());
  return v.is_string() ? v.get<std::string>() : std::string();
}

// A CodeableConcept's words: its text, else the first coding's display, else its code.
std::string ConceptText(const json& cc) {
  if (std::string t = Str(cc, "text"); !t.empty()) return t;
  const json& codings = At(cc, "coding");
  if (!codings.is_array()) return {};
  for (const json& c : codings) {
    if (std::string d = Str(c, "display"); !d.empty()) return d;
  }
  for (const json& c : codings) {
    if (std::string d = Str(c, "code"); !d.empty()) return d;
  }
  return {};
}

// Whether any coding of a concept (or of an array of concepts) has one of `codes`.
bool HasCode(const json& concepts, std::initializer_list<std::string_view> codes) {
  auto one = [&](const json& cc) {
    const json& codings = At(cc, "coding");
    if (!codings.is_array()) return false;
    for (const json& c : codings) {
      const std::string code = Str(c, "code");
      if (std::find(codes.begin(), codes.end(), code) != codes.end()) return true;
    }
    return false;
  };
  if (concepts.is_array()) return std::any_of(concepts.begin(), concepts.end(), one);
  return one(concepts);
}

// "1錠", "7.2 g/dl" (with `space`): a Quantity's value and unit.
std::string QuantityText(const json& q, bool space) {
  const std::string value = Number(At(q, "value"));
  if (value.empty()) return {};
  std::string unit = Str(q, "unit");
  if (unit.empty()) unit = Str(q, "code");
  if (unit.empty()) return value;
  return value + (space ? " " : "") + unit;
}

// The drug of a medication resource: its concept, or the display or contained Medication of
// its reference.
std::string MedicationText(const json& r) {
  if (std::string t = ConceptText(At(r, "medicationCodeableConcept")); !t.empty()) return t;
  if (std::string d = Str(r, "medicationReference/display"); !d.empty()) return d;
  const std::string ref = Str(r, "medicationReference/reference");
  const json& contained = At(r, "contained");
  if (ref.starts_with("#") && contained.is_array()) {
    for (const json& c : contained) {
      if (Str(c, "id") == ref.substr(1)) return ConceptText(At(c, "code"));
    }
  }
  return "薬剤不明";
}

bool IsInjection(const json& r) {
  const json& profiles = At(r, "meta/profile");
  if (profiles.is_array()) {
    for (const json& p : profiles) {
      if (p.is_string() && p.get<std::string>().find("Injection") != std::string::npos) return true;
    }
  }
  return HasCode(At(r, "category"), {"injection"});
}

// Joins the non-empty parts with spaces.
std::string Join(std::initializer_list<std::string> parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!p.empty()) out += (out.empty() ? "" : " ") + p;
  }
  return out;
}

// Items: the words after the title prefix.

std::string MedicationRequestItem(const json& r) {
  const json& dosage = At(r, "dosageInstruction/0");
  std::string usage = Str(dosage, "text");
  if (usage.empty()) usage = ConceptText(At(dosage, "timing/code"));
  std::string days;
  for (const json* d : {&At(dosage, "timing/repeat/boundsDuration"), &At(r, "dispenseRequest/expectedSupplyDuration")}) {
    const std::string unit = Str(*d, "code").empty() ? Str(*d, "unit") : Str(*d, "code");
    if (days.empty() && (unit == "d" || unit == "日") && !Number(At(*d, "value")).empty()) {
      days = Number(At(*d, "value")) + "日分";
    }
  }
  if (usage.find("日分") != std::string::npos) days.clear();
  return Join({MedicationText(r), QuantityText(At(dosage, "doseAndRate/0/doseQuantity"), false), usage, days});
}

std::string MedicationAdministrationItem(const json& r) {
  return Join({MedicationText(r), QuantityText(At(r, "dosage/dose"), false)});
}

// "BMI 22.1 kg/m2", "血圧 120/80 mmHg": the value, or the values of its components.
std::string ObservationValue(const json& r) {
  if (std::string q = QuantityText(At(r, "valueQuantity"), true); !q.empty()) return q;
  if (std::string s = Str(r, "valueString"); !s.empty()) return s;
  if (std::string c = ConceptText(At(r, "valueCodeableConcept")); !c.empty()) return c;
  if (std::string n = Number(At(r, "valueInteger")); !n.empty()) return n;
  if (const json& b = At(r, "valueBoolean"); b.is_boolean()) return b.get<bool>() ? "陽性" : "陰性";
  const json& components = At(r, "component");
  if (!components.is_array()) return {};
  std::string values, unit;
  for (const json& c : components) {
    const std::string v = Number(At(c, "valueQuantity/value"));
    if (v.empty()) continue;
    values += (values.empty() ? "" : "/") + v;
    unit = Str(c, "valueQuantity/unit");
  }
  return Join({values, unit});
}

// The interpretation flag that makes a result abnormal ("H", "L", "A"...), or "".
std::string AbnormalFlag(const json& r) {
  const json& interpretations = At(r, "interpretation");
  if (!interpretations.is_array()) return {};
  for (const json& i : interpretations) {
    const json& codings = At(i, "coding");
    if (!codings.is_array()) continue;
    for (const json& c : codings) {
      const std::string code = Str(c, "code");
      if (!code.empty() && code != "N") return code;
    }
  }
  return {};
}

std::string ObservationItem(const json& r) {
  const std::string flag = AbnormalFlag(r);
  return Join({ConceptText(At(r, "code")), ObservationValue(r), flag.empty() ? "" : "(" + flag + ")"});
}

bool IsIcd10(const std::string& system) {
  std::string s = system;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s.find("icd-10") != std::string::npos || s.find("icd10") != std::string::npos;
}

std::string ConditionItem(const json& r) {
  const json& code = At(r, "code");
  std::string name = Str(code, "text");
  std::string icd;
  if (const json& codings = At(code, "coding"); codings.is_array()) {
    for (const json& c : codings) {
      if (IsIcd10(Str(c, "system"))) {
        if (icd.empty()) icd = Str(c, "code");
      } else if (name.empty()) {
        name = Str(c, "display");
      }
    }
  }
  if (name.empty()) name = ConceptText(code);
  std::string item = name;
  if (!icd.empty() && icd != name) item += " [" + icd + "]";
  const bool resolved = HasCode(At(r, "clinicalStatus"), {"resolved", "inactive", "remission"}) ||
                        !At(r, "abatementDateTime").is_null() || !At(r, "abatementPeriod").is_null();
  if (resolved) item += "（転帰あり）";
  return item;
}

std::string DepartmentOf(const json& r) {
  if (std::string t = ConceptText(At(r, "serviceType")); !t.empty() && t != Str(r, "serviceType/coding/0/code")) return t;
  return std::string(DepartmentName(Str(r, "serviceType/coding/0/code")));
}

std::string EncounterItem(const json& r) {
  std::string where = Str(r, "location/0/location/display");
  if (where.empty()) where = DepartmentOf(r);
  const std::string status = Str(r, "status");
  if (status == "cancelled") return Join({"取消", where});
  return where;
}

std::string ReportItem(const json& r) {
  const std::string conclusion = Str(r, "conclusion");
  return Join({ConceptText(At(r, "code")), conclusion.empty() ? "" : ShortenTitleText(conclusion, 30)});
}

std::string DocumentItem(const json& r) {
  std::string type = ConceptText(At(r, "type"));
  if (type.empty()) type = Str(r, "description");
  if (type.empty()) type = "文書";
  const std::string title = Str(r, "content/0/attachment/title");
  return title.empty() ? type : fmt::format("{} ({})", type, title);
}

// Which event and prefix a resource makes.
struct Kind {
  EventType type;
  std::string_view prefix;
  std::string_view time_path = {};  // tried before the rule's time paths (a discharge's end)
};

bool IsInpatient(const json& r) {
  const std::string c = Str(r, "class/code");
  return c == "IMP" || c == "ACUTE" || c == "NONAC" || c == "PRENC";
}

Kind EncounterKind(const json& r) {
  const std::string status = Str(r, "status");
  if (!IsInpatient(r)) {
    // A reception or reservation service writes these back (seed 000, use cases 1-3).
    if (status == "planned") return {EventType::kVisit, "外来予約"};
    if (status == "arrived") return {EventType::kVisit, "受付"};
    return {EventType::kVisit, "外来受診"};
  }
  if (status == "planned") return {EventType::kAdmission, "入院予定"};
  if (status == "finished") return {EventType::kDischarge, "退院", "period/end"};
  return {EventType::kAdmission, "入院"};
}

// Observation and DiagnosticReport: by category (FHIR observation-category, HL7 v2-0074
// diagnostic service sections, or Japanese text).
Kind ResultKind(const json& r, bool report) {
  const json& category = At(r, "category");
  const std::string text = category.is_array() && !category.empty() ? ConceptText(category[0]) : "";
  if (HasCode(category, {"imaging", "RAD", "CT", "MR", "US", "NMR", "XRC", "RX", "NMS"}) ||
      text.find("放射線") != std::string::npos) {
    return {EventType::kImaging, "放射線検査結果"};
  }
  if (HasCode(category, {"GE"}) || text.find("内視鏡") != std::string::npos) return {EventType::kEndoscopy, "内視鏡検査結果"};
  if (HasCode(category, {"procedure", "exam", "EC", "PF", "NRS", "CTH", "VUS", "OUS", "CUS"}) ||
      text.find("生理") != std::string::npos) {
    return {EventType::kPhysiology, "生理検査結果"};
  }
  if (!report && HasCode(category, {"vital-signs"})) return {EventType::kLabResult, "バイタル"};
  return {EventType::kLabResult, "検査結果"};
}

Kind ServiceRequestKind(const json& r) {
  const json& category = At(r, "category");
  const std::string text = category.is_array() && !category.empty() ? ConceptText(category[0]) : "";
  if (HasCode(category, {"363679005"}) || text.find("放射線") != std::string::npos) return {EventType::kImaging, "放射線検査オーダ"};
  if (text.find("内視鏡") != std::string::npos) return {EventType::kEndoscopy, "内視鏡検査オーダ"};
  if (text.find("生理") != std::string::npos) return {EventType::kPhysiology, "生理検査オーダ"};
  return {EventType::kLabOrder, "検査オーダ"};
}

// One row of the rule table.
struct Rule {
  std::string_view resource_type;
  std::function<Kind(const json&)> kind;
  std::vector<std::string_view> time_paths;    // the event time: the first that is a valid time
  std::vector<std::string_view> who_paths;     // the practitioner's display name: the first present
  std::function<std::string(const json&)> item;
};

const std::vector<Rule>& Rules() {
  static const std::vector<Rule> kRules = {
      {"MedicationRequest",
       [](const json& r) { return IsInjection(r) ? Kind{EventType::kInjection, "注射"} : Kind{EventType::kPrescription, "処方"}; },
       {"authoredOn", "dosageInstruction/0/timing/repeat/boundsPeriod/start"},
       {"requester/display", "recorder/display"},
       MedicationRequestItem},
      {"MedicationAdministration",
       [](const json& r) { return Kind{EventType::kAdministration, IsInjection(r) ? "注射実施" : "処方実施"}; },
       {"effectiveDateTime", "effectivePeriod/start"},
       {"performer/0/actor/display"},
       MedicationAdministrationItem},
      {"Observation", [](const json& r) { return ResultKind(r, false); },
       {"effectiveDateTime", "effectivePeriod/start", "effectiveInstant", "issued"},
       {"performer/0/display"},
       ObservationItem},
      {"DiagnosticReport", [](const json& r) { return ResultKind(r, true); },
       {"effectiveDateTime", "effectivePeriod/start", "issued"},
       {"resultsInterpreter/0/display", "performer/0/display"},
       ReportItem},
      {"ServiceRequest", ServiceRequestKind,
       {"authoredOn", "occurrenceDateTime", "occurrencePeriod/start"},
       {"requester/display"},
       [](const json& r) { return ConceptText(At(r, "code")); }},
      {"Condition", [](const json&) { return Kind{EventType::kDiagnosis, "病名"}; },
       {"recordedDate", "onsetDateTime", "onsetPeriod/start"},
       {"recorder/display", "asserter/display"},
       ConditionItem},
      {"AllergyIntolerance", [](const json&) { return Kind{EventType::kAllergy, "アレルギー"}; },
       {"recordedDate", "onsetDateTime", "onsetPeriod/start"},
       {"recorder/display", "asserter/display"},
       [](const json& r) { return ConceptText(At(r, "code")); }},
      {"Encounter", EncounterKind,
       {"period/start"},
       {"participant/0/individual/display"},
       EncounterItem},
      // Answers to a pre-visit questionnaire (seed 000's medical interview service).
      {"QuestionnaireResponse", [](const json&) { return Kind{EventType::kDocument, "問診"}; },
       {"authored"},
       {"author/display"},
       [](const json& r) { return Str(r, "questionnaire"); }},
      {"DocumentReference", [](const json&) { return Kind{EventType::kDocument, "文書"}; },
       {"date", "content/0/attachment/creation", "context/period/start"},
       {"author/0/display"},
       DocumentItem},
  };
  return kRules;
}

int Num(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// The civil date of a day count (the inverse).
void CivilFromDays(int64_t z, int* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (*m <= 2));
}

}  // namespace

std::optional<std::string> JapanTimeOf(std::string_view t) {
  // Dates: YYYY, YYYY-MM, YYYY-MM-DD.
  std::string digits;
  if (t.size() == 4 || t.size() == 7 || t.size() == 10) {
    for (size_t i = 0; i < t.size(); ++i) {
      if (i == 4 || i == 7) {
        if (t[i] != '-') return std::nullopt;
      } else {
        digits += t[i];
      }
    }
    if (!v2::SortKey(digits)) return std::nullopt;
    return digits;
  }
  // YYYY-MM-DDThh:mm[:ss[.fff]][Z|+hh:mm|-hh:mm]
  if (t.size() < 16 || t[10] != 'T' || t[13] != ':') return std::nullopt;
  auto date = JapanTimeOf(t.substr(0, 10));
  if (!date) return std::nullopt;
  std::string_view rest = t.substr(11);
  const size_t zone_at = rest.find_first_of("Z+-");
  std::string_view clock = rest.substr(0, zone_at);
  std::string_view zone = zone_at == std::string_view::npos ? "" : rest.substr(zone_at);
  if (const size_t dot = clock.find('.'); dot != std::string_view::npos) clock = clock.substr(0, dot);
  if ((clock.size() != 5 && clock.size() != 8) || clock[2] != ':' || (clock.size() == 8 && clock[5] != ':')) return std::nullopt;
  const std::string hms = std::string(clock.substr(0, 2)) + std::string(clock.substr(3, 2)) +
                          (clock.size() == 8 ? std::string(clock.substr(6, 2)) : "00");
  if (!v2::SortKey(*date + hms)) return std::nullopt;
  int offset_minutes = 9 * 60;
  if (zone == "Z") {
    offset_minutes = 0;
  } else if (!zone.empty()) {
    const std::string_view hh = zone.substr(1, 2), mm = zone.size() == 6 ? zone.substr(4, 2) : "";
    auto digits2 = [](std::string_view s) { return s.size() == 2 && std::isdigit(static_cast<unsigned char>(s[0])) &&
                                                   std::isdigit(static_cast<unsigned char>(s[1])); };
    if (zone.size() != 6 || zone[3] != ':' || !digits2(hh) || !digits2(mm)) return std::nullopt;
    offset_minutes = (zone[0] == '-' ? -1 : 1) * (Num(zone.substr(1, 2)) * 60 + Num(zone.substr(4, 2)));
  }
  // To Japan time: shift by (+9h - offset).
  int64_t minutes = DaysFromCivil(Num(date->substr(0, 4)), static_cast<unsigned>(Num(date->substr(4, 2))),
                                  static_cast<unsigned>(Num(date->substr(6, 2)))) * 1440 +
                    Num(hms.substr(0, 2)) * 60 + Num(hms.substr(2, 2)) + (9 * 60 - offset_minutes);
  int64_t days = minutes >= 0 ? minutes / 1440 : (minutes - 1439) / 1440;
  const int64_t in_day = minutes - days * 1440;
  int y = 0, m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  std::string out = fmt::format("{:04}{:02}{:02}{:02}{:02}{}", y, m, d, in_day / 60, in_day % 60, hms.substr(4, 2));
  if (!v2::SortKey(out)) return std::nullopt;
  return out;
}

std::optional<Event> SummarizeResource(const json& resource) {
  if (!resource.is_object()) return std::nullopt;
  const std::string type = Str(resource, "resourceType");
  const auto& rules = Rules();
  const auto rule = std::find_if(rules.begin(), rules.end(), [&](const Rule& r) { return r.resource_type == type; });
  if (rule == rules.end()) return std::nullopt;
  Event e;
  const Kind kind = rule->kind(resource);
  e.type = kind.type;
  std::vector<std::string_view> time_paths = rule->time_paths;
  if (!kind.time_path.empty()) time_paths.insert(time_paths.begin(), kind.time_path);
  for (std::string_view path : time_paths) {
    auto ts = JapanTimeOf(Str(resource, path));
    if (!ts) continue;
    e.occurred_at = v2::DateTime(*ts).value_or("");
    e.sort_key = v2::SortKey(*ts).value_or("");
    break;
  }
  for (std::string_view path : rule->who_paths) {
    if (e.practitioner.empty()) e.practitioner = Str(resource, path);
  }
  if (type == "Encounter") {
    e.department_code = Str(resource, "serviceType/coding/0/code");
    e.department = DepartmentOf(resource);
  }
  const std::string item = rule->item(resource);
  e.title = item.empty() ? std::string(kind.prefix) : fmt::format("{}: {}", kind.prefix, item);
  e.abnormal = type == "Observation" && !AbnormalFlag(resource).empty();
  if (const std::string id = Str(resource, "id"); !id.empty()) e.entity_refs.push_back(type + "/" + id);
  return e;
}

}  // namespace renkei::fhir
