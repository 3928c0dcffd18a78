// The demographics of a FHIR Patient, as the edge keeps them for the hub's patient index
// (the same fields an SS-MIX2 ADT-00 gives, ssmix2/patient.h). JP Core marks kanji and kana
// names with the iso21090-EN-representation extension (IDE, SYL). Pure.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "ssmix2/patient.h"

namespace renkei::fhir {

// `local_id` is the facility's patient ID the caller resolved. Absent elements stay empty.
ssmix2::Demographics PatientDemographics(const nlohmann::json& patient, std::string_view local_id);

}  // namespace renkei::fhir
