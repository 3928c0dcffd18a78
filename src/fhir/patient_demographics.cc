#include "fhir/patient_demographics.h"

#include <string>

#include "fhir/json_text.h"

namespace renkei::fhir {
namespace {

using nlohmann::json;

// The representation of a HumanName: "IDE" (kanji), "SYL" (kana), or "".
std::string Representation(const json& name) {
  if (!name.is_object() || !name.contains("extension") || !name["extension"].is_array()) return {};
  for (const json& e : name["extension"]) {
    if (JsonText(e, "url") == "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation") {
      return JsonText(e, "valueCode");
    }
  }
  return {};
}

std::string Given(const json& name) {
  if (!name.is_object() || !name.contains("given") || !name["given"].is_array() || name["given"].empty()) return {};
  return name["given"][0].is_string() ? name["given"][0].get<std::string>() : std::string();
}

}  // namespace

ssmix2::Demographics PatientDemographics(const json& p, std::string_view local_id) {
  ssmix2::Demographics d;
  d.patient_id = std::string(local_id);
  if (!p.is_object()) return d;
  if (p.contains("name") && p["name"].is_array()) {
    bool kanji = false;
    for (const json& n : p["name"]) {
      const std::string rep = Representation(n);
      if (rep == "SYL") {
        d.kana_family = JsonText(n, "family");
        d.kana_given = Given(n);
      } else if (!kanji && (rep == "IDE" || rep.empty())) {
        d.kanji_family = JsonText(n, "family");
        d.kanji_given = Given(n);
        kanji = rep == "IDE";
      }
    }
  }
  const std::string birth = JsonText(p, "birthDate");
  for (char c : birth) {
    if (c != '-') d.birth_date += c;
  }
  const std::string gender = JsonText(p, "gender");
  d.sex = gender == "male" ? "M" : gender == "female" ? "F" : gender == "other" ? "O" : gender == "unknown" ? "U" : "";
  if (p.contains("address") && p["address"].is_array() && !p["address"].empty()) {
    const json& a = p["address"][0];
    d.postal_code = JsonText(a, "postalCode");
    d.address = JsonText(a, "text");
    if (d.address.empty()) {
      d.address = JsonText(a, "state") + JsonText(a, "city");
      if (a.is_object() && a.contains("line") && a["line"].is_array()) {
        for (const json& l : a["line"]) {
          if (l.is_string()) d.address += l.get<std::string>();
        }
      }
    }
  }
  if (p.contains("telecom") && p["telecom"].is_array()) {
    for (const json& t : p["telecom"]) {
      if (JsonText(t, "system") == "phone" && d.phone.empty()) d.phone = JsonText(t, "value");
    }
  }
  return d;
}

}  // namespace renkei::fhir
