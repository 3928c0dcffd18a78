#include "fhir/coding.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace renkei::fhir {
namespace {

struct KnownSystem {
  std::string_view v2_name;
  std::string_view uri;
};

// JP Core (jpfhir-terminology) and HL7 URIs for the coding systems SS-MIX2 messages use.
// Where JP Core lists both an OID and a URL form, the OID form is used, as JAMI's
// SS-MIX2→FHIR mapping guide and the JP Core v1.1 examples do.
constexpr KnownSystem kKnown[] = {
    {"HOT9", "urn:oid:1.2.392.200119.4.403.1"},     // MEDIS 医薬品基準番号 HOT9
    {"HOT7", "urn:oid:1.2.392.200119.4.403.2"},     // MEDIS 処方用番号 HOT7
    {"HOT13", "urn:oid:1.2.392.200119.4.402.1"},    // MEDIS HOT13
    {"HOT", "urn:oid:1.2.392.200119.4.403.1"},
    {"YJ", "urn:oid:1.2.392.100495.20.2.73"},       // 個別医薬品コード (YJ)
    {"JC10", "urn:oid:1.2.392.200119.4.504"},       // JLAC10 17 桁
    {"JC11", "urn:oid:1.2.392.200119.4.504"},
    {"MDCDX2", "urn:oid:1.2.392.200119.4.101.6"},   // MEDIS 病名交換用コード
    {"MDCDX", "urn:oid:1.2.392.200119.4.101.6"},
    {"MDCD", "urn:oid:1.2.392.200119.4.101.2"},     // MEDIS 病名管理番号
    {"I10", "http://hl7.org/fhir/sid/icd-10"},
    {"JAMISDP01", "urn:oid:1.2.392.200250.2.2.20"}, // JAMI 用法コード 16 桁
    {"JAMISDP", "urn:oid:1.2.392.200250.2.2.20"},
    {"MR9P", "urn:oid:1.2.392.100495.20.2.101"},    // 医薬品単位略号 (MERIT-9)
    {"ISO+", "http://unitsofmeasure.org"},
    {"UCUM", "http://unitsofmeasure.org"},
    {"LN", "http://loinc.org"},
    {"JHSD0001", "urn:oid:1.2.392.100495.20.2.61"}, // 保険種別
    {"MML028", "urn:oid:1.2.392.200250.2.2.2"},     // JAMI SS-MIX2 診療科コード
    {"JAMISDP0069", "urn:oid:1.2.392.200250.2.2.2"},
    {"DCM", "http://dicom.nema.org/resources/ontology/DCM"},
};

bool IsHl7Table(std::string_view name) {
  return name.size() == 7 && name.starts_with("HL7") &&
         std::all_of(name.begin() + 3, name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// Characters allowed in the name part of our URNs.
std::string UrnSafe(std::string_view s) {
  std::string out;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    out += (std::isalnum(u) || c == '-' || c == '.' || c == '_') ? c : '_';
  }
  return out.empty() ? "_" : out;
}

bool IsFacilityCode(std::string_view id) {
  return id.size() == 10 && std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string CodeSystemUri(std::string_view v2_name, std::string_view facility_id) {
  for (const KnownSystem& k : kKnown) {
    if (k.v2_name == v2_name) return std::string(k.uri);
  }
  if (IsHl7Table(v2_name)) {
    return fmt::format("http://terminology.hl7.org/CodeSystem/v2-{}", v2_name.substr(3));
  }
  return fmt::format("urn:renkei:facility:{}:cs:{}", UrnSafe(facility_id), UrnSafe(v2_name));
}

std::string PatientIdSystem(std::string_view facility_id) {
  if (IsFacilityCode(facility_id)) return fmt::format("urn:oid:1.2.392.100495.20.3.51.1{}", facility_id);
  return fmt::format("urn:renkei:facility:{}:patient-id", UrnSafe(facility_id));
}

std::string OrderIdSystem(std::string_view facility_id) {
  return fmt::format("urn:renkei:facility:{}:order-number", UrnSafe(facility_id));
}

}  // namespace renkei::fhir
