// FHIR Bundle uploads: entries → record versions whose entity is the resource itself.
#include <fmt/format.h>

#include "edge/upload.h"
#include "edge/upload_session.h"
#include "fhir/json_text.h"

namespace renkei::edge {
namespace {

using ssmix2::DefectKind;

// Whether a quarantined entry's bytes were an earlier version of `e`: the same resource type
// and the same name (fullUrl or Type/id) at the same place in the bundle.
bool SameEntry(std::string_view raw, const fhir::BundleEntry& e) {
  const auto j = nlohmann::json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("resource")) return false;
  const nlohmann::json& r = j["resource"];
  const std::string type = fhir::JsonText(r, "resourceType");
  const std::string full_url = fhir::JsonText(j, "fullUrl"), id = fhir::JsonText(r, "id");
  const std::string source = !full_url.empty() ? full_url : id.empty() ? "" : type + "/" + id;
  return type == e.resource_type && source == e.source;
}

Status Process(UploadSession& session, const UploadOptions& options, const fhir::BundleRead& read) {
  for (const fhir::BundleEntry& e : read.entries) {
    UploadItem item;
    item.entry = static_cast<int64_t>(e.index);
    item.resource_type = e.resource_type;
    item.source = e.source;
    item.notes = e.notes;
    if (e.outcome == fhir::EntryOutcome::kSkipped) {
      item.outcome = UploadOutcome::kSkipped;
      item.reason = e.reason;
      session.Skip(std::move(item));
      continue;
    }
    const std::string path = UploadEntryPath(options.file_name, e.index);
    if (e.outcome == fhir::EntryOutcome::kRejected) {
      item.reason = fmt::format("entry {} ({}): {}", e.index, e.pointer, e.reason);
      RENKEI_RETURN_IF_ERROR(session.Quarantine(std::move(item), path, e.defect, e.raw_entry));
      continue;
    }
    store::VersionInput v;
    v.key = e.key;
    v.timestamp = e.timestamp;
    v.department = "-";
    v.path = ssmix2::MakePath(e.key, e.timestamp, "-", ssmix2::ConditionFlag::kValid);
    v.message_type = std::string(fhir::kFhirJson);
    v.raw = e.raw_resource;
    v.decoded = e.raw_resource;
    item.reference = e.mapping.entities.front().Reference();
    RENKEI_RETURN_IF_ERROR(session.Keep(std::move(item), v, &e.mapping, e.demographics));
    RENKEI_RETURN_IF_ERROR(session.ResolveIfFixed(path, [&](std::string_view raw) { return SameEntry(raw, e); }));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<UploadReport> Uploader::UploadFhir(const UploadOptions& options, std::string_view bytes) {
  UploadSession session(store_, *log_, options, "fhir");
  RENKEI_RETURN_IF_ERROR(session.Begin());
  session.report().encoding = "utf-8";
  auto read = fhir::ReadBundle(bytes, options.facility_id, options.bundle_limits);
  if (!read.ok()) return session.RejectFile(DefectKind::kUploadSyntax, read.status().message(), bytes);
  session.report().bundle_type = read->type;
  Status s = session.FileReadable();
  if (s.ok()) s = Process(session, options, *read);
  if (!s.ok()) return session.Abandon(s);
  return session.Commit();
}

}  // namespace renkei::edge
