// An uploaded FHIR R4 Bundle (type transaction, batch or collection, from an EMR that speaks
// FHIR) read into record versions of the edge repository, entry by entry:
//   * each supported resource (Patient, Encounter, Condition, AllergyIntolerance,
//     MedicationRequest, MedicationAdministration, Observation, DiagnosticReport,
//     ServiceRequest, DocumentReference, QuestionnaireResponse) becomes one record version: key (local patient ID,
//     clinical date YYYYMMDD or "-", data type "FHIR-<type>", a 15-digit order number derived
//     from the resource's identifier, else its id, else its content), version timestamp
//     (meta.lastUpdated, else the clinical time), raw = the resource as sent;
//   * its entity is the resource with our logical ID ([patient].[date].FHIR-<type>.[order].0,
//     Patient/[patient].ADT-00 for patients) and every reference rewritten to match: to other
//     resources of the bundle by their new IDs, to resources of unsupported types (Practitioner,
//     Medication, Organization...) by containing a copy, to resources outside the bundle as
//     display text; its event line comes from fhir/summary.h;
//   * the local patient ID is the Patient's identifier in PatientIdSystem(facility), else its
//     first identifier; every other resource must reach its patient through subject (patient
//     for AllergyIntolerance): a reference to a Patient entry, or an identifier in the
//     facility's patient ID system.
// Entries of other types are skipped (and said so); malformed ones are rejected with the JSON
// pointer of the problem, the rest are read. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "fhir/map.h"
#include "ssmix2/defect.h"
#include "ssmix2/path.h"
#include "ssmix2/patient.h"

namespace renkei::fhir {

struct BundleLimits {
  size_t max_depth = 64;          // nesting of objects and arrays
  size_t max_entries = 100'000;
};

enum class EntryOutcome {
  kAccepted,  // a record version to store
  kSkipped,   // a resource type the edge does not keep on its own (contained where referred to)
  kRejected,  // malformed or unresolvable: to quarantine
};

struct BundleEntry {
  size_t index = 0;            // position in Bundle.entry
  EntryOutcome outcome = EntryOutcome::kRejected;
  std::string resource_type;   // "" when there is no resource
  std::string source;          // how the sender named it: fullUrl, else Type/id, else ""
  std::string raw_entry;       // the entry as JSON text (what a quarantine keeps)
  // kSkipped, kRejected: why; kRejected also where and what kind of defect.
  std::string reason;
  std::string pointer;         // JSON pointer, e.g. "/entry/3/resource/subject/reference"
  ssmix2::DefectKind defect = ssmix2::DefectKind::kUploadSyntax;
  // kAccepted: the record version.
  ssmix2::RecordKey key;
  std::string timestamp;       // YYYYMMDDHHMMSSfff
  std::string raw_resource;    // the resource as sent, serialised canonically
  Mapping mapping;             // the entity and its event line
  std::optional<ssmix2::Demographics> demographics;  // for a Patient
  std::vector<std::string> notes;  // what was adapted, e.g. a reference kept as display text
};

struct BundleRead {
  std::string type;  // transaction, batch or collection
  std::vector<BundleEntry> entries;
};

// The media type of the raw content of records made from FHIR resources.
inline constexpr std::string_view kFhirJson = "application/fhir+json";

// Errors (kInvalidArgument) for a file that cannot be read as a Bundle at all: not JSON
// (with line and column), nested deeper than max_depth, not an object, resourceType not
// "Bundle", type not transaction/batch/collection, entry not an array, more than max_entries.
StatusOr<BundleRead> ReadBundle(std::string_view text, std::string_view facility_id, const BundleLimits& limits = {});

}  // namespace renkei::fhir
