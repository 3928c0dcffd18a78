#include "edge/upload.h"

#include <fmt/format.h>

#include "edge/importer.h"
#include "edge/upload_session.h"

namespace renkei::edge {
namespace {

// A quarantine keeps at most this much of one row or entry (a hostile row can be huge).
constexpr size_t kMaxQuarantinedBytes = 64 * 1024;

UploadOutcome OutcomeOf(store::PutOutcome o) {
  switch (o) {
    case store::PutOutcome::kNewRecord: return UploadOutcome::kCreated;
    case store::PutOutcome::kUnchanged: return UploadOutcome::kUnchanged;
    case store::PutOutcome::kNewerVersion:
    case store::PutOutcome::kOlderVersion:
    case store::PutOutcome::kRenamed:
    case store::PutOutcome::kContentChanged: return UploadOutcome::kUpdated;
  }
  return UploadOutcome::kUpdated;
}

}  // namespace

std::string_view UploadOutcomeName(UploadOutcome o) {
  switch (o) {
    case UploadOutcome::kCreated: return "created";
    case UploadOutcome::kUpdated: return "updated";
    case UploadOutcome::kUnchanged: return "unchanged";
    case UploadOutcome::kSkipped: return "skipped";
    case UploadOutcome::kQuarantined: return "quarantined";
  }
  return "quarantined";
}

std::string UploadPath(std::string_view file_name) { return fmt::format("upload/{}", file_name); }
std::string UploadRowPath(std::string_view file_name, int line) { return fmt::format("upload/{}#line={}", file_name, line); }
std::string UploadEntryPath(std::string_view file_name, size_t entry) {
  return fmt::format("upload/{}#entry={}", file_name, entry);
}
bool IsUploadPath(std::string_view path) { return path.starts_with("upload/"); }

UploadSession::UploadSession(store::Store& store, log::Logger& log, const UploadOptions& options, std::string_view format)
    : store_(store), log_(log), options_(options), writer_(store, options.facility_id) {
  report_.file = options.file_name;
  report_.format = std::string(format);
}

Status UploadSession::Begin() {
  RENKEI_RETURN_IF_ERROR(CheckFacility(store_, options_.facility_id));
  RENKEI_RETURN_IF_ERROR(store_.Begin());
  const std::string whole = UploadPath(options_.file_name);
  auto open = store_.ListQuarantine(false, whole);
  if (!open.ok()) return Abandon(open.status());
  for (store::QuarantineEntry& q : *open) {
    if (q.path == whole || q.path.starts_with(whole + "#")) open_.emplace(q.path, std::move(q));
  }
  return Status::Ok();
}

StatusOr<UploadReport> UploadSession::Commit() {
  RENKEI_RETURN_IF_ERROR(store_.Commit());
  log_.Info("upload_finished", {{"format", report_.format},
                                {"created", report_.created},
                                {"updated", report_.updated},
                                {"unchanged", report_.unchanged},
                                {"skipped", report_.skipped},
                                {"quarantined", report_.quarantined},
                                {"resolved", report_.resolved}});
  return std::move(report_);
}

Status UploadSession::Abandon(Status s) {
  store_.Rollback().IgnoreError();
  return s;
}

Status UploadSession::RejectFile(ssmix2::DefectKind kind, const std::string& reason, std::string_view bytes) {
  const std::string_view kept = bytes.substr(0, kMaxQuarantinedBytes);
  const std::string detail =
      kept.size() < bytes.size() ? fmt::format("{} (the first {} of {} bytes kept)", reason, kept.size(), bytes.size()) : reason;
  auto id = store_.Quarantine(options_.source_dir, UploadPath(options_.file_name), {{kind, detail}}, kept);
  if (!id.ok()) return Abandon(id.status());
  RENKEI_RETURN_IF_ERROR(store_.Commit());
  log_.Warn("upload_rejected", {{"format", report_.format}, {"quarantine_id", *id}, {"reason", ssmix2::DefectKindName(kind)}});
  return InvalidArgument(fmt::format("{}: {} (the file is quarantined as entry {})", options_.file_name, reason, *id));
}

Status UploadSession::FileReadable() {
  return ResolveIfFixed(UploadPath(options_.file_name), [](std::string_view) { return true; });
}

Status UploadSession::Quarantine(UploadItem item, const std::string& path, ssmix2::DefectKind kind, std::string_view raw) {
  const std::string_view kept = raw.substr(0, kMaxQuarantinedBytes);
  if (kept.size() < raw.size()) item.reason += fmt::format(" (the first {} of {} bytes kept)", kept.size(), raw.size());
  item.outcome = UploadOutcome::kQuarantined;
  item.defect = std::string(ssmix2::DefectKindName(kind));
  RENKEI_ASSIGN_OR_RETURN(item.quarantine_id, store_.Quarantine(options_.source_dir, path, {{kind, item.reason}}, kept));
  open_.erase(path);  // still (or newly) open: not resolved by this upload
  log_.Warn("upload_item_quarantined", {{"quarantine_id", item.quarantine_id}, {"reason", item.defect}});
  Add(std::move(item));
  return Status::Ok();
}

Status UploadSession::Keep(UploadItem item, const store::VersionInput& v, const fhir::Mapping* mapping,
                           const std::optional<ssmix2::Demographics>& demographics) {
  RENKEI_ASSIGN_OR_RETURN(store::PutResult put, mapping ? writer_.PutMapped(v, *mapping, demographics)
                                                        : writer_.Put(v, nullptr, demographics));
  item.outcome = OutcomeOf(put.outcome);
  item.key = v.key;
  item.record_id = put.record_id;
  item.version_id = put.version_id;
  if (put.outcome == store::PutOutcome::kOlderVersion) {
    item.notes.push_back("older than the stored current version: kept as history");
  }
  Add(std::move(item));
  return Status::Ok();
}

Status UploadSession::ResolveIfFixed(const std::string& path, const std::function<bool(std::string_view)>& same_item) {
  auto it = open_.find(path);
  if (it == open_.end() || !same_item(it->second.raw)) return Status::Ok();
  RENKEI_ASSIGN_OR_RETURN(bool resolved, store_.ResolveQuarantine(path, "imported by a later upload of the file"));
  if (resolved) ++report_.resolved;
  open_.erase(it);
  return Status::Ok();
}

void UploadSession::Add(UploadItem item) {
  switch (item.outcome) {
    case UploadOutcome::kCreated: ++report_.created; break;
    case UploadOutcome::kUpdated: ++report_.updated; break;
    case UploadOutcome::kUnchanged: ++report_.unchanged; break;
    case UploadOutcome::kSkipped: ++report_.skipped; break;
    case UploadOutcome::kQuarantined: ++report_.quarantined; break;
  }
  report_.items.push_back(std::move(item));
}

}  // namespace renkei::edge
