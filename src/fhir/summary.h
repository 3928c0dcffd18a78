// The event line of a FHIR R4 resource that arrived as FHIR (an uploaded Bundle), in the same
// vocabulary and title style as the lines mapped from SS-MIX2 (map.h): "処方: <drug> <dose>
// <usage> N日分", "検査結果: <test> <value> <unit> (H)", "病名: <name> [<ICD-10>]", "外来受診:
// <department>". What each resource type says is a row of one rule table (summary.cc): how
// the event type and title prefix are chosen, which elements carry the time, the practitioner
// and the title's item.
//
// Missing or malformed elements are left out of the line, never an error; a resource of a
// type without a rule (Patient, Medication, Practitioner...) has no line. Pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fhir/event.h"

namespace renkei::fhir {

// The resource's event line. occurred_at and sort_key are "" when the resource carries no
// clinical time (the caller supplies one); entity_refs holds "Type/id" when it has an id.
std::optional<Event> SummarizeResource(const nlohmann::json& resource);

// A FHIR date, dateTime or instant ("2024-01-05", "2024-01-05T10:30:00Z") as an HL7 TS in
// Japan time ("20240105", "20240105193000"): times with a zone are converted to +09:00, times
// without one are taken as Japan time. Nothing when malformed or out of range.
std::optional<std::string> JapanTimeOf(std::string_view fhir_time);

}  // namespace renkei::fhir
