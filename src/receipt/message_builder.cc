#include "receipt/message_builder.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "fhir/map.h"
#include "fhir/v2.h"
#include "hl7/message.h"
#include "ssmix2/record_key.h"

namespace renkei::receipt {
namespace {

using Fields = std::vector<std::pair<int, std::string>>;

std::string E(std::string_view value) { return hl7::Escape(value, hl7::Delimiters::Standard()); }

// A segment with fields set by HL7 number (for MSH, numbers start at MSH-3).
hl7::SegmentData Seg(std::string name, const Fields& fields) {
  const int first = name == "MSH" ? 3 : 1;
  int last = first - 1;
  for (const auto& [n, v] : fields) last = std::max(last, n);
  hl7::SegmentData s{std::move(name), std::vector<std::string>(static_cast<size_t>(last - first + 1))};
  for (const auto& [n, v] : fields) s.fields[static_cast<size_t>(n - first)] = v;
  return s;
}

// XCN of a doctor: ^family^given with the kanji representation, as the NHO sample writes it.
std::string Doctor(const PersonName& n) {
  return n.empty() ? "" : fmt::format("^{}^{}^^^^^^^L^^^^^I", E(n.family), E(n.given));
}

// ORC-17 / PV1-3: the department as code^name^table.
std::string Department(const std::string& code) {
  if (code.empty()) return "";
  const std::string_view name = fhir::DepartmentName(code);
  return name.empty() ? E(code) : fmt::format("{}^{}^MML028", E(code), name);
}

// The event time of a row: date and time as an HL7 TS ("20240105093000" or "20240105").
std::string When(const Row& r) { return r.time.empty() ? r.date : r.date + r.time; }

hl7::SegmentData Msh(const ReceiptRecord& rec, std::string_view type) {
  const std::string control = ssmix2::DerivedOrderNumber(
      fmt::format("{}|{}|{}|{}|{}", rec.key.patient_id, rec.key.date, rec.key.data_type, rec.key.order_number, rec.timestamp));
  return Seg("MSH", {{3, "RENKEI-RECEIPT"}, {7, rec.timestamp.substr(0, 14)}, {9, std::string(type)}, {10, control},
                     {11, "P"}, {12, "2.5"}, {18, "UNICODE UTF-8"},
                     {21, "SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO"}});
}

hl7::SegmentData PidOnly(const Row& r) { return Seg("PID", {{1, "0001"}, {3, E(r.patient_id) + "^^^^PI"}}); }

// The version timestamp: the latest updated_at of the rows, else the first row's date and time.
std::string Timestamp(const std::vector<const Row*>& rows) {
  std::string latest;
  for (const Row* r : rows) latest = std::max(latest, r->updated_at);
  if (!latest.empty()) return latest;
  const Row& r = *rows.front();
  if (r.date.empty()) return std::string(ssmix2::kUnknownTimestamp);
  return r.date + (r.time.empty() ? "000000" : r.time) + "000";
}

std::string Patient(const Row& r, const ReceiptRecord& rec) {
  std::vector<std::string> names;
  if (!r.kanji_name.empty()) names.push_back(fmt::format("{}^{}^^^^^L^I", E(r.kanji_name.family), E(r.kanji_name.given)));
  if (!r.kana_name.empty()) names.push_back(fmt::format("{}^{}^^^^^L^P", E(r.kana_name.family), E(r.kana_name.given)));
  std::string joined;
  for (const std::string& n : names) joined += (joined.empty() ? "" : "~") + n;
  const std::string address =
      r.postal_code.empty() && r.address.empty() ? "" : fmt::format("^^^^{}^JPN^H^{}", r.postal_code, E(r.address));
  const std::string phone = r.phone.empty() ? "" : "^PRN^PH^^^^^^^^^" + E(r.phone);
  return hl7::Build({Msh(rec, "ADT^A08^ADT_A01"), Seg("EVN", {{2, rec.timestamp.substr(0, 14)}}),
                     Seg("PID", {{1, "0001"}, {3, E(r.patient_id) + "^^^^PI"}, {5, joined}, {7, r.birth_date},
                                 {8, r.sex}, {11, address}, {13, phone}}),
                     Seg("PV1", {{1, "0001"}, {2, "N"}})});
}

std::string Visit(const Row& r, const ReceiptRecord& rec) {
  const std::string clinic = r.department_code.empty() ? "" : E(r.department_code) + "^^^^^C";
  return hl7::Build({Msh(rec, "ADT^A04^ADT_A01"), Seg("EVN", {{2, rec.timestamp.substr(0, 14)}, {6, When(r)}}),
                     PidOnly(r),
                     Seg("PV1", {{1, "0001"}, {2, "O"}, {3, clinic}, {7, Doctor(r.doctor)}, {10, E(r.department_code)},
                                 {19, rec.key.order_number}, {44, When(r)}})});
}

std::string Diagnosis(const Row& r, const ReceiptRecord& rec) {
  const std::string code = r.code_system == "MEDIS" ? fmt::format("{}^{}^MDCDX2", E(r.code), E(r.name)) : "^" + E(r.name);
  const std::string icd = r.icd10.empty() ? "" : E(r.icd10) + "^^I10";
  return hl7::Build({Msh(rec, "PPR^ZD1^PPR_ZD1"), PidOnly(r),
                     Seg("PRB", {{1, "AD"}, {2, When(r)}, {3, code}, {4, rec.key.order_number}, {7, r.date},
                                 {9, r.end_date}, {10, icd}, {16, r.date}, {17, E(r.name)}}),
                     Seg("ORC", {{1, "NW"}, {2, rec.key.order_number}, {9, When(r)}, {12, Doctor(r.doctor)},
                                 {17, Department(r.department_code)}})});
}

// A drug unit as CWE parts: the JAHIS unit table (MR9P) code where it names the unit, else text only.
struct UnitParts {
  std::string code, text, system;
  std::string Cwe(char sep) const { return text.empty() ? "" : code + sep + text + (system.empty() ? "" : sep + system); }
};
UnitParts Unit(const std::string& unit) {
  static const std::pair<std::string_view, std::string_view> kUnits[] = {
      {"錠", "TAB"}, {"カプセル", "CAP"}, {"mg", "MG"}, {"g", "G"}, {"mL", "ML"}, {"ml", "ML"}};
  for (auto [text, code] : kUnits) {
    if (unit == text) return {std::string(code), E(unit), "MR9P"};
  }
  return {"", E(unit), ""};
}

// A product of two checked decimals, without binary noise ("7.5", not "7.500000000000001").
std::string Product(const std::string& a, const std::string& b) {
  std::string out = fmt::format("{:.6f}", *fhir::v2::Decimal(a) * *fhir::v2::Decimal(b));
  out.erase(out.find_last_not_of('0') + 1);
  if (out.ends_with('.')) out.pop_back();
  return out;
}

std::string Prescription(const std::vector<const Row*>& rows, const ReceiptRecord& rec) {
  const Row& first = *rows.front();
  std::vector<hl7::SegmentData> segs = {
      Msh(rec, "RDE^O11^RDE_O11"), PidOnly(first),
      Seg("PV1", {{1, "0001"}, {2, "O"}, {3, first.department_code.empty() ? "" : E(first.department_code) + "^^^^^C"},
                  {7, Doctor(first.doctor)}, {10, E(first.department_code)}})};
  // Rp numbers: as given, else one per distinct usage (drugs taken the same way share an Rp).
  std::vector<std::string> usages;
  for (const Row* r : rows) {
    std::string rp = r->rp;
    if (rp.empty()) {
      const std::string usage = r->usage_code + "|" + r->usage_text + "|" + r->days + "|" + r->route;
      auto it = std::find(usages.begin(), usages.end(), usage);
      if (it == usages.end()) it = usages.insert(usages.end(), usage);
      rp = std::to_string(it - usages.begin() + 1);
    }
    const std::string drug = r->code_system.empty() ? "^" + E(r->name)
                                                    : fmt::format("{}^{}^{}", E(r->code), E(r->name), r->code_system);
    const UnitParts unit = Unit(r->unit);
    const std::string dispense = r->daily_dose.empty() || r->days.empty() ? "" : Product(r->daily_dose, r->days);
    const std::string daily = r->daily_dose.empty() ? "" : r->daily_dose + (unit.text.empty() ? "" : "^" + unit.Cwe('&'));
    segs.push_back(Seg("ORC", {{1, "NW"}, {2, rec.key.order_number}, {4, rp}, {9, When(*r)}, {12, Doctor(r->doctor)},
                               {17, Department(r->department_code)}, {29, "O^外来患者オーダ^HL70482"}}));
    segs.push_back(Seg("RXE", {{2, drug}, {3, r->dose}, {5, unit.Cwe('^')}, {10, dispense},
                               {11, dispense.empty() ? "" : unit.Cwe('^')}, {19, daily}}));
    std::string usage;
    if (!r->usage_code.empty()) usage = fmt::format("{}&{}&JAMISDP01", r->usage_code, E(r->usage_text));
    else if (!r->usage_text.empty()) usage = "&" + E(r->usage_text);
    segs.push_back(Seg("TQ1", {{1, "1"}, {3, usage}, {6, r->days.empty() ? "" : r->days + "^d"}, {7, r->date}}));
    segs.push_back(Seg("RXR", {{1, r->route == "外用" ? "AP^外用^HL70162" : "PO^口^HL70162"}}));
  }
  return hl7::Build(segs);
}

// What makes a row's record: its key, and the rows that share it (the drugs of one order).
struct Group {
  ssmix2::RecordKey key;
  std::string department;
  std::vector<const Row*> rows;
};

ssmix2::RecordKey KeyOf(const Row& r) {
  switch (r.kind) {
    case RowKind::kPatient:
      return {r.patient_id, "-", "ADT-00", std::string(ssmix2::kPatientLevelOrderNumber)};
    case RowKind::kVisit:
      return {r.patient_id, r.date, "ADT-12",
              r.order_number.empty() ? ssmix2::DerivedOrderNumber(fmt::format("visit|{}|{}|{}", r.date, r.time,
                                                                              r.department_code))
                                     : r.order_number};
    case RowKind::kDiagnosis:
      return {r.patient_id, "-", "PPR-01",
              r.order_number.empty()
                  ? ssmix2::DerivedOrderNumber(fmt::format("diagnosis|{}|{}|{}", r.code_system,
                                                           r.code.empty() ? r.name : r.code, r.date))
                  : r.order_number};
    case RowKind::kPrescription:
      return {r.patient_id, r.date, "OMP-01",
              r.order_number.empty() ? ssmix2::DerivedOrderNumber(fmt::format("prescription|{}|{}|{}", r.date, r.time,
                                                                              r.department_code))
                                     : r.order_number};
  }
  return {};
}

// The rows of one order must agree on what the order's ORC and PV1 say once.
std::optional<RowFailure> Disagreement(const Group& g) {
  const Row& first = *g.rows.front();
  for (const Row* r : g.rows) {
    for (auto [column, a, b] : {std::tuple{"department_code", &first.department_code, &r->department_code},
                                std::tuple{"time", &first.time, &r->time}}) {
      if (*a != *b) {
        return RowFailure{r->first_line, fmt::format("line {}: {} '{}' differs from line {} of the same order ('{}')",
                                                     r->first_line, column, *b, first.first_line, *a)};
      }
    }
    if (r->doctor.family != first.doctor.family || r->doctor.given != first.doctor.given) {
      return RowFailure{r->first_line, fmt::format("line {}: doctor differs from line {} of the same order",
                                                   r->first_line, first.first_line)};
    }
  }
  return std::nullopt;
}

}  // namespace

BuildResult BuildRecords(const std::vector<Row>& rows) {
  BuildResult out;
  std::vector<Group> groups;
  std::map<std::string, size_t> order_groups;  // prescription key → group
  for (const Row& r : rows) {
    const ssmix2::RecordKey key = KeyOf(r);
    if (r.kind == RowKind::kPrescription) {
      const std::string id = fmt::format("{}|{}|{}", key.patient_id, key.date, key.order_number);
      auto [it, inserted] = order_groups.emplace(id, groups.size());
      if (!inserted) {
        groups[it->second].rows.push_back(&r);
        continue;
      }
    }
    groups.push_back({key, r.department_code.empty() ? "-" : r.department_code, {&r}});
  }
  std::map<std::string, size_t> seen;  // key and timestamp → record
  for (const Group& g : groups) {
    if (auto failure = Disagreement(g)) {
      for (const Row* r : g.rows) {
        if (r->first_line == failure->line) out.failures.push_back(*failure);
        else out.failures.push_back({r->first_line, fmt::format("line {}: another row of this order is defective "
                                                                "(line {})", r->first_line, failure->line)});
      }
      continue;
    }
    ReceiptRecord rec{g.key, Timestamp(g.rows), g.department, "", {}};
    for (const Row* r : g.rows) rec.lines.push_back(r->first_line);
    const Row& first = *g.rows.front();
    switch (first.kind) {
      case RowKind::kPatient: rec.message = Patient(first, rec); break;
      case RowKind::kVisit: rec.message = Visit(first, rec); break;
      case RowKind::kDiagnosis: rec.message = Diagnosis(first, rec); break;
      case RowKind::kPrescription: rec.message = Prescription(g.rows, rec); break;
    }
    const std::string id = fmt::format("{}|{}|{}|{}|{}", g.key.patient_id, g.key.date, g.key.data_type,
                                       g.key.order_number, rec.timestamp);
    auto [it, inserted] = seen.emplace(id, out.records.size());
    if (inserted) {
      out.records.push_back(std::move(rec));
      continue;
    }
    ReceiptRecord& earlier = out.records[it->second];
    if (earlier.message == rec.message) {  // the same item twice: one record
      earlier.lines.insert(earlier.lines.end(), rec.lines.begin(), rec.lines.end());
      continue;
    }
    for (int line : rec.lines) {
      out.failures.push_back({line, fmt::format("line {}: the same {} record as line {} (patient {}, order number {}) "
                                                "with other content; give one of them its own order_number or "
                                                "updated_at",
                                                line, RowKindName(first.kind), earlier.lines.front(), g.key.patient_id,
                                                g.key.order_number)});
    }
  }
  std::sort(out.failures.begin(), out.failures.end(), [](const RowFailure& a, const RowFailure& b) { return a.line < b.line; });
  return out;
}

}  // namespace renkei::receipt
