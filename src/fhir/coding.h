// Code systems: the names HL7 v2 messages give them (CWE-3, e.g. "HOT9", "JC10", "MDCDX2")
// and the URIs FHIR resources must use (JP Core's naming systems, HL7 terminology).
//
// The table is the single place that knows these URIs. A coding system the table does not
// know is kept, not dropped: standard HL7 tables ("HL7nnnn") become their terminology.hl7.org
// URI, and anything else (a facility's local "99XYZ" table, an unknown national one) becomes
// urn:renkei:facility:<facility>:cs:<name>, so that a code is never mistaken for another
// facility's or for a national one.
#pragma once

#include <string>
#include <string_view>

namespace renkei::fhir {

// The FHIR system URI for an HL7 v2 coding system name, as used by `facility_id`.
std::string CodeSystemUri(std::string_view v2_name, std::string_view facility_id);

// The JP Core identifier system of a facility's local patient IDs:
// urn:oid:1.2.392.100495.20.3.51.1<10-digit 医療機関コード>, or a Renkei URN when the facility
// ID is not a 10-digit code.
std::string PatientIdSystem(std::string_view facility_id);
// The identifier system of a facility's order numbers (ORC-2).
std::string OrderIdSystem(std::string_view facility_id);

// JP Core profile canonical URLs.
inline constexpr std::string_view kJpCore = "http://jpfhir.jp/fhir/core/StructureDefinition/";

}  // namespace renkei::fhir
