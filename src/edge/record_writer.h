// The one path by which a record version reaches the edge repository, whatever brought it
// (an SS-MIX2 file, an MLLP message, a receipt-computer CSV row, a FHIR resource): the version
// is stored, mapped to its FHIR entities and event line (fhir/map.h, or a mapping the caller
// computed, for FHIR resources), and the change is appended to the feed; patient data updates
// the patient's demographics. Not thread-safe: one writer per store connection, used inside
// the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "fhir/map.h"
#include "ssmix2/data_type.h"
#include "ssmix2/patient.h"
#include "ssmix2/record.h"
#include "store/store.h"

namespace renkei::edge {

// The version an inspected file (or message) becomes, kept under `relative`; its defects
// become the version's warnings. Moves the decoded text out of `ins`.
store::VersionInput VersionOf(ssmix2::Inspection& ins, const std::string& relative, std::string bytes);

class RecordWriter {
 public:
  RecordWriter(store::Store& store, std::string facility_id) : store_(store), facility_id_(std::move(facility_id)) {}

  // Stores `v` (v.decoded holds the UTF-8 message; for extended storage, `document_type`
  // describes the document and v.raw is its bytes). `demographics` are the ADT-00's.
  StatusOr<store::PutResult> Put(const store::VersionInput& v, const ssmix2::ExtendedDataType* document_type,
                                 const std::optional<ssmix2::Demographics>& demographics);

  // Stores `v` with a mapping computed by the caller (a FHIR resource is its own entity and
  // is summarised by fhir/summary.h, not mapped from HL7). The mapping is kept only when the
  // version is new or changed, exactly as Put keeps its own.
  StatusOr<store::PutResult> PutMapped(const store::VersionInput& v, const fhir::Mapping& mapping,
                                       const std::optional<ssmix2::Demographics>& demographics);

  // What has been written so far.
  int64_t resources() const { return resources_; }
  int64_t events() const { return events_; }
  const std::string& facility_id() const { return facility_id_; }

 private:
  // What follows a stored version, whichever way it was mapped: entities, event, change
  // feed, demographics.
  Status Keep(const store::VersionInput& v, const store::PutResult& put, const fhir::Mapping& mapping,
              const std::optional<ssmix2::Demographics>& demographics);

  store::Store& store_;
  std::string facility_id_;
  int64_t resources_ = 0;
  int64_t events_ = 0;
};

}  // namespace renkei::edge
