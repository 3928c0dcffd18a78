#include "edge/record_writer.h"

#include <fmt/format.h>

#include "edge/importer.h"
#include "fhir/map.h"
#include "hl7/message.h"

namespace renkei::edge {
namespace {

std::string ExtendedTypeFolder(const ssmix2::ExtendedDataType& t) {
  return fmt::format("{}^{}^{}^{}^{}^{}", t.local_code, t.local_name, t.local_system, t.standard_code,
                     t.standard_name, t.standard_system);
}

}  // namespace

store::VersionInput VersionOf(ssmix2::Inspection& ins, const std::string& relative, std::string bytes) {
  store::VersionInput v;
  v.key = ins.path.key;
  v.timestamp = ins.path.timestamp;
  v.department = ins.path.department;
  v.flag = ins.path.flag;
  v.path = relative;
  if (ins.path.extended) {
    v.content_file = ins.path.content_file;
    v.extended_type = ExtendedTypeFolder(ins.path.extended_type);
    v.message_type = MimeTypeOf(ins.path.content_file);
  } else {
    v.message_type = ins.message_type;
    v.decoded = std::move(ins.decoded);
  }
  v.raw = std::move(bytes);
  v.warnings = ins.defects;  // the caller quarantines files with worse defects
  return v;
}


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
