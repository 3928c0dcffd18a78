// HL7 v2 (SS-MIX2) → FHIR R4 with JP Core profiles, and the event line of each record.
//
// One record version (one SS-MIX2 file, or one message from a live feed) becomes a list of
// entities — FHIR resources as JSON — and at most one Event. What to build for a data type
// is a row of one rule table (map.cc): the event type, which fields carry the event time,
// the title prefix, and the segment mapper that builds the resources. The mapping follows
// JAMI's "SS-MIX2 → FHIR" guide (jami-fhir-jp-wg/ssmix2-to-fhir); map.cc says where and why
// we differ.
//
// Resource IDs follow the guide's logical-ID rule: [patient].[date].[type].[order].[segment
// number], so a record's resources keep their IDs across its versions (a newer version
// replaces the content at the same ID; the store keeps the old versions as history). The
// facility's patient is Patient/[patient].ADT-00.
//
// Pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fhir/event.h"
#include "hl7/message.h"
#include "ssmix2/data_type.h"
#include "ssmix2/path.h"

namespace renkei::fhir {

// Where a record comes from.
struct RecordContext {
  std::string facility_id;    // the facility's code (10-digit 医療機関コード in production)
  ssmix2::RecordKey key;      // patient, date, data type, order number
  std::string timestamp;      // the version's timestamp, YYYYMMDDHHMMSSfff
  std::string department;     // department code from the file name ("-" when none)
};

struct Entity {
  std::string resource_type;  // "MedicationRequest"
  std::string id;             // the logical ID
  nlohmann::json resource;
  std::string Reference() const { return resource_type + "/" + id; }
};

struct Mapping {
  std::vector<Entity> entities;
  std::optional<Event> event;  // nullopt for patient-level data (ADT-00)
};

// Maps one decoded, parsed message of a standard data type. Fields that are absent or
// malformed are left out of the resources; the mapping itself does not fail. A data type
// without a rule (none today) yields an empty Mapping.
Mapping MapMessage(const RecordContext& context, const hl7::Message& message);

// An extended-storage document (PDF, text, image) as a DocumentReference whose attachment
// points at Binary/<the same id>; `bytes` gives its size and SHA-1.
struct DocumentInput {
  ssmix2::ExtendedDataType type;
  std::string file_name;
  std::string mime_type;
  std::string_view bytes;
};
Mapping MapDocument(const RecordContext& context, const DocumentInput& document);

// The logical ID of the resource made from segment `segment_index` of a record, and of the
// facility's Patient resource for a local patient ID.
std::string EntityId(const ssmix2::RecordKey& key, size_t segment_index);
std::string PatientEntityId(std::string_view patient_id);

// The lifecycle of a record as its resources must show it.
enum class Lifecycle { kCurrent, kSuperseded, kDeleted };
// Marks a resource for its record's lifecycle: a deleted record's resources become
// entered-in-error (status, or verificationStatus for Condition and AllergyIntolerance,
// active=false for Patient); a superseded one is tagged and, when `replaced_by` is given
// ("MedicationRequest/ID/_history/N"), points to its replacement.
void ApplyLifecycle(nlohmann::json& resource, Lifecycle lifecycle, std::string_view replaced_by = {});

// A department code's name in the SS-MIX2 診療科 table ("01" → "内科"); "" when unknown.
std::string_view DepartmentName(std::string_view code);

}  // namespace renkei::fhir
