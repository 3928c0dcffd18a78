#include "edge/record_writer.h"

#include "hl7/message.h"

namespace renkei::edge {

StatusOr<store::PutResult> RecordWriter::Put(const store::VersionInput& v,
                                             const ssmix2::ExtendedDataType* document_type,
                                             const std::optional<ssmix2::Demographics>& demographics) {
  RENKEI_ASSIGN_OR_RETURN(store::PutResult put, store_.PutVersion(v));
  if (put.outcome == store::PutOutcome::kUnchanged) return put;
  const fhir::RecordContext context{facility_id_, v.key, v.timestamp, v.department};
  fhir::Mapping mapping;
  if (document_type != nullptr) {
    mapping = fhir::MapDocument(context, {*document_type, v.content_file, v.message_type, v.raw});
  } else if (auto message = hl7::Parse(v.decoded); message.ok()) {
    mapping = fhir::MapMessage(context, *message);
  }
  RENKEI_RETURN_IF_ERROR(Keep(v, put, mapping, demographics));
  return put;
}

StatusOr<store::PutResult> RecordWriter::PutMapped(const store::VersionInput& v, const fhir::Mapping& mapping,
                                                   const std::optional<ssmix2::Demographics>& demographics) {
  RENKEI_ASSIGN_OR_RETURN(store::PutResult put, store_.PutVersion(v));
  if (put.outcome == store::PutOutcome::kUnchanged) return put;
  RENKEI_RETURN_IF_ERROR(Keep(v, put, mapping, demographics));
  return put;
}

Status RecordWriter::Keep(const store::VersionInput& v, const store::PutResult& put, const fhir::Mapping& mapping,
                          const std::optional<ssmix2::Demographics>& demographics) {
  RENKEI_RETURN_IF_ERROR(store_.PutMapping(put, v.key, mapping));
  resources_ += static_cast<int64_t>(mapping.entities.size());
  if (mapping.event && put.is_current) ++events_;
  if (demographics && put.is_current && v.flag == ssmix2::ConditionFlag::kValid) {
    RENKEI_ASSIGN_OR_RETURN(bool stored, store_.PutPatient(*demographics, v.timestamp));
    if (stored) RENKEI_RETURN_IF_ERROR(store_.AppendPatientChange(demographics->patient_id));
  }
  return Status::Ok();
}

}  // namespace renkei::edge
