// Reading HL7 v2 data types as FHIR data types: TS → dateTime, CWE → CodeableConcept,
// XPN → HumanName, XAD → Address, XTN → ContactPoint, XCN → a practitioner's display name,
// NM + CWE unit → Quantity. Used by the mapping rules (map.cc); pure functions.
//
// Nothing here invents data: an absent or malformed value yields nothing (an empty
// optional or json null), never an empty string, because FHIR forbids empty values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hl7/message.h"

namespace renkei::fhir::v2 {

using nlohmann::json;

// An HL7 TS ("YYYY[MM[DD[HH[MM[SS[.S…]]]]]][+-ZZZZ]") as a FHIR dateTime. Times without a
// zone are Japan time (+09:00). Nothing when malformed or out of range.
std::optional<std::string> DateTime(std::string_view ts);
// The same instant as 14 digits YYYYMMDDHHMMSS (missing parts are zeros), for ordering.
std::optional<std::string> SortKey(std::string_view ts);
// A FHIR date (YYYY, YYYY-MM or YYYY-MM-DD) from the date part of a TS.
std::optional<std::string> Date(std::string_view ts);
// A FHIR decimal from an HL7 NM; nothing when it is not a number.
std::optional<double> Decimal(std::string_view nm);

// One segment of a message, with its fields read as FHIR data types. A light view.
class Segment {
 public:
  Segment(const hl7::Message& m, size_t index, std::string_view facility_id)
      : m_(m), index_(index), facility_(facility_id) {}
  size_t index() const { return index_; }
  bool valid() const { return index_ != hl7::Message::npos; }

  // Unescaped value; "" when absent.
  std::string Str(int field, int component = 1, int repetition = 1, int sub = 1) const;
  int Repetitions(int field) const;

  // CWE/CE/CNE: code (1), text (2), system (3) and the alternate triplet (4-6). Codings
  // with a code; the text from the first display. Null when nothing is there.
  json CodeableConcept(int field, int repetition = 1) const;
  // The same with the coding's parts given as subcomponents of one component (TQ1-3
  // "code&text&system").
  json CodeableConceptFromSub(int field, int component, int repetition = 1) const;
  // A Coding from components (code, text, system) starting at `first`. Null when no code.
  json Coding(int field, int first, int repetition = 1) const;
  // Display text of a CWE: its text, else its code.
  std::string Text(int field, int repetition = 1) const;
  // XPN repetitions as JP Core HumanNames (IDE for kanji 'I', SYL for kana 'P').
  json HumanNames(int field) const;
  // XAD repetitions as Addresses.
  json Addresses(int field) const;
  // XTN repetitions as ContactPoints; `use` is "home" or "work" when the XTN does not say.
  json Telecoms(int field, std::string_view default_use) const;
  // XCN: "family given" (kanji), else the ID; "" when absent.
  std::string PersonName(int field, int repetition = 1) const;
  // A Quantity from a numeric value and a CWE unit field; null when the value is not numeric.
  json Quantity(std::string_view value, int unit_field, int unit_component_base = 1) const;
  std::optional<std::string> DateTimeAt(int field, int component = 1) const { return DateTime(Str(field, component)); }

 private:
  const hl7::Message& m_;
  size_t index_;
  std::string_view facility_;
};

}  // namespace renkei::fhir::v2
