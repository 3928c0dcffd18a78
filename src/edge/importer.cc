#include "edge/importer.h"

#include "edge/record_writer.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <cstring>
#include <map>

#include <fmt/format.h>

namespace renkei::edge {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Reads a whole file. Uses POSIX calls: this runs once per file on the import's hot path.
StatusOr<std::string> ReadWhole(const std::string& path, size_t limit) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Unavailable(fmt::format("cannot open: {}", std::strerror(errno)));
  std::string out;
  struct stat st {};
  if (fstat(fileno(f), &st) == 0 && st.st_size > 0) {
    // Read at most limit + 1 bytes: enough for the inspection to report too_large.
    out.resize(std::min<size_t>(static_cast<size_t>(st.st_size), limit + 1));
    size_t n = std::fread(out.data(), 1, out.size(), f);
    out.resize(n);
  }
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Unavailable("read error");
  return out;
}


// Lists a file's defects in the summary, up to the configured number of files.
void ListDefects(const std::string& relative, const std::vector<ssmix2::Defect>& defects, bool quarantined,
                 const ImportOptions& options, ImportSummary* summary) {
  if (summary->defect_files.size() < options.max_listed_defects) {
    summary->defect_files.push_back({relative, defects, quarantined});
  } else {
    ++summary->defect_files_not_listed;
  }
}

}  // namespace

std::string MimeTypeOf(std::string_view name) {
  size_t dot = name.rfind('.');
  std::string ext = dot == std::string_view::npos ? "" : std::string(name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::map<std::string, std::string> kTypes = {
      {"pdf", "application/pdf"}, {"txt", "text/plain"},      {"xml", "application/xml"},
      {"htm", "text/html"},       {"html", "text/html"},      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},     {"png", "image/png"},       {"gif", "image/gif"},
      {"tif", "image/tiff"},      {"tiff", "image/tiff"},     {"bmp", "image/bmp"},
      {"dcm", "application/dicom"}, {"csv", "text/csv"},
  };
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

Status CheckFacility(store::Store& store, const std::string& facility_id) {
  RENKEI_ASSIGN_OR_RETURN(std::string owner, store.GetSetting("facility_id"));
  if (owner.empty()) return store.PutSetting("facility_id", facility_id);
  if (owner != facility_id) {
    return FailedPrecondition(fmt::format("this repository belongs to facility '{}', not '{}' (set edge.facility_id or "
                                          "--facility to '{}', or use another store)",
                                          owner, facility_id, owner));
  }
  return Status::Ok();
}

int64_t CountFiles(const std::string& root) {
  int64_t n = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) ++n;
  }
  return n;
}

Status Importer::ProcessFile(const std::string& root, const std::string& relative, std::string bytes,
                             const ImportOptions& options, ImportSummary* summary,
                             std::vector<ssmix2::Defect>* remaining) {
  ssmix2::Inspection ins = ssmix2::Inspect(relative, bytes, options.inspect);
  const bool quarantine = options.severity.Quarantines(ins.defects);
  if (!ins.defects.empty()) ListDefects(relative, ins.defects, quarantine, options, summary);
  if (quarantine) {
    for (const ssmix2::Defect& d : ins.defects) {
      if (options.severity.Of(d.kind) == ssmix2::Severity::kQuarantine) {
        ++summary->quarantined_by_reason[std::string(ssmix2::DefectKindName(d.kind))];
        break;
      }
    }
    ++summary->quarantined;
    if (remaining) *remaining = ins.defects;
    RENKEI_ASSIGN_OR_RETURN(int64_t id, store_.Quarantine(root, relative, ins.defects, bytes));
    log_->Warn("file_quarantined", {{"quarantine_id", id},
                                    {"reason", ssmix2::DefectKindName(ins.defects.front().kind)}});
    return Status::Ok();
  }

  store::VersionInput v = VersionOf(ins, relative, std::move(bytes));
  RecordWriter writer(store_, options.facility_id);
  RENKEI_ASSIGN_OR_RETURN(store::PutResult put,
                          writer.Put(v, ins.path.extended ? &ins.path.extended_type : nullptr, ins.demographics));
  summary->resources += writer.resources();
  summary->events += writer.events();
  switch (put.outcome) {
    case store::PutOutcome::kUnchanged: ++summary->unchanged; break;
    case store::PutOutcome::kNewRecord: ++summary->new_records; [[fallthrough]];
    case store::PutOutcome::kNewerVersion:
    case store::PutOutcome::kOlderVersion:
    case store::PutOutcome::kContentChanged: ++summary->imported; break;
    case store::PutOutcome::kRenamed: ++summary->imported; ++summary->renamed; break;
  }
  if (put.outcome != store::PutOutcome::kUnchanged) {
    if (put.outcome == store::PutOutcome::kNewerVersion || put.outcome == store::PutOutcome::kOlderVersion ||
        v.flag == ssmix2::ConditionFlag::kSuperseded) {
      ++summary->superseded;
    }
    if (v.flag == ssmix2::ConditionFlag::kDeleted) ++summary->deleted;
    ++summary->messages_by_type[v.key.data_type];
    if (!v.warnings.empty()) {
      ++summary->warnings;
      for (const ssmix2::Defect& d : v.warnings) ++summary->warnings_by_reason[std::string(DefectKindName(d.kind))];
    }
  }
  RENKEI_ASSIGN_OR_RETURN(bool resolved, store_.ResolveQuarantine(relative, "imported after the file was fixed"));
  if (resolved) log_->Info("quarantine_resolved", {{"record_id", put.record_id}});
  return Status::Ok();
}

StatusOr<ImportSummary> Importer::Run(const ImportOptions& options, const ProgressFn& progress,
                                      const std::atomic<bool>* cancel) {
  const auto start = Clock::now();
  std::error_code ec;
  if (!fs::is_directory(options.root, ec)) {
    return NotFound(fmt::format("SS-MIX2 root '{}' is not a folder", options.root));
  }
  const std::string root = fs::absolute(options.root).lexically_normal().string();
  ImportSummary summary;
  summary.root = root;
  Progress p;
  if (progress) p.files_total = CountFiles(root);
  auto last_report = Clock::now();
  log_->Info("import_started", {{"batch_size", options.batch_size}});
  RENKEI_RETURN_IF_ERROR(CheckFacility(store_, options.facility_id));

  RENKEI_RETURN_IF_ERROR(store_.Begin());
  size_t in_batch = 0;
  auto fail = [&](Status s) {
    store_.Rollback().IgnoreError();
    return s;
  };
  const size_t root_len = root.size() + (root.ends_with('/') ? 0 : 1);
  const std::string walked = options.subtree.empty() ? root : root + "/" + options.subtree;
  if (!options.subtree.empty() && !fs::is_directory(walked, ec)) {
    store_.Rollback().IgnoreError();
    summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return summary;  // nothing stored for that folder yet
  }
  fs::recursive_directory_iterator it(walked, fs::directory_options::skip_permission_denied, ec), end;
  for (; it != end; it.increment(ec)) {
    if (ec) {
      ++summary.directory_errors;
      log_->Error("directory_unreadable", {{"error", ec.message()}});
      ec.clear();
      continue;
    }
    if (cancel && cancel->load()) break;
    const fs::directory_entry& entry = *it;
    if (!entry.is_regular_file(ec)) continue;
    ++summary.files_seen;
    const std::string abs = entry.path().string();
    const std::string relative = abs.substr(root_len);
    struct stat st {};
    if (::stat(abs.c_str(), &st) != 0) continue;  // vanished between listing and stat
    const int64_t size = st.st_size;
    const int64_t mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    if (!options.force) {
      auto known = store_.GetFile(relative);
      if (!known.ok()) return fail(known.status());
      if (known->has_value() && (*known)->size == size && (*known)->mtime_ns == mtime_ns) {
        ++summary.unchanged;
        continue;
      }
    }
    auto bytes = ReadWhole(abs, options.inspect.max_message_bytes);
    Status s;
    const int64_t quarantined_before = summary.quarantined;
    if (!bytes.ok()) {
      std::vector<ssmix2::Defect> defects = {{ssmix2::DefectKind::kUnreadable, bytes.status().message()}};
      ++summary.quarantined;
      ++summary.quarantined_by_reason["unreadable"];
      ListDefects(relative, defects, true, options, &summary);
      auto id = store_.Quarantine(root, relative, defects, "");
      s = id.status();
    } else {
      s = ProcessFile(root, relative, std::move(bytes).value(), options, &summary, nullptr);
    }
    if (!s.ok()) return fail(s.Annotate("importing a file"));
    const bool quarantined = summary.quarantined != quarantined_before;
    s = store_.PutFile({relative, size, mtime_ns, quarantined ? "quarantined" : "imported"});
    if (!s.ok()) return fail(s);
    if (++in_batch >= options.batch_size) {
      RENKEI_RETURN_IF_ERROR(store_.Commit());
      RENKEI_RETURN_IF_ERROR(store_.Begin());
      in_batch = 0;
    }
    if (progress && Clock::now() - last_report > std::chrono::milliseconds(200)) {
      p.files_seen = summary.files_seen;
      p.imported = summary.imported;
      p.quarantined = summary.quarantined;
      progress(p);
      last_report = Clock::now();
    }
  }
  RENKEI_RETURN_IF_ERROR(store_.Commit());
  if (progress) {
    p.files_seen = summary.files_seen;
    p.imported = summary.imported;
    p.quarantined = summary.quarantined;
    progress(p);
  }
  RENKEI_ASSIGN_OR_RETURN(summary.store, store_.Counts());
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  log_->Info("import_finished", {{"files_seen", summary.files_seen},
                                 {"imported", summary.imported},
                                 {"unchanged", summary.unchanged},
                                 {"quarantined", summary.quarantined},
                                 {"seconds", summary.seconds}});
  return summary;
}

StatusOr<ReplayResult> Importer::Replay(int64_t quarantine_id, const ImportOptions& options) {
  RENKEI_ASSIGN_OR_RETURN(auto entry, store_.GetQuarantine(quarantine_id));
  if (!entry) return NotFound(fmt::format("no quarantine entry {}", quarantine_id));
  if (entry->state != store::QuarantineState::kOpen) {
    return FailedPrecondition(fmt::format("quarantine entry {} is already resolved ({})", quarantine_id,
                                          entry->resolution));
  }
  const std::string abs = (fs::path(entry->root) / entry->path).string();
  struct stat st {};
  if (::stat(abs.c_str(), &st) != 0) {
    return NotFound(fmt::format("quarantined file {} is no longer at {}; if it was moved to its right place, "
                                "the next import picks it up there",
                                quarantine_id, abs));
  }
  RENKEI_ASSIGN_OR_RETURN(std::string bytes, ReadWhole(abs, options.inspect.max_message_bytes));
  ReplayResult result;
  result.id = quarantine_id;
  result.path = entry->path;
  ImportSummary summary;
  RENKEI_RETURN_IF_ERROR(store_.Begin());
  Status s = ProcessFile(entry->root, entry->path, std::move(bytes), options, &summary, &result.defects);
  if (s.ok()) {
    result.imported = summary.quarantined == 0;
    const int64_t mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    s = store_.PutFile({entry->path, st.st_size, mtime_ns, result.imported ? "imported" : "quarantined"});
  }
  if (!s.ok()) {
    store_.Rollback().IgnoreError();
    return s;
  }
  RENKEI_RETURN_IF_ERROR(store_.Commit());
  log_->Info("quarantine_replayed", {{"quarantine_id", quarantine_id}, {"imported", result.imported}});
  return result;
}

}  // namespace renkei::edge
