// One upload in progress (internal to upload_csv.cc and upload_fhir.cc): the transaction, the
// report being filled, and the quarantine entries earlier uploads of the same file left open.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "edge/record_writer.h"
#include "edge/upload.h"
#include "ssmix2/defect.h"

namespace renkei::edge {

class UploadSession {
 public:
  UploadSession(store::Store& store, log::Logger& log, const UploadOptions& options, std::string_view format);

  // Checks the facility, begins the transaction and reads the open quarantine entries of the file.
  Status Begin();
  // Commits and logs the counts.
  StatusOr<UploadReport> Commit();
  // Rolls back and returns `s`.
  Status Abandon(Status s);

  // Quarantines the whole file (it cannot be used), commits that, and returns the error to
  // report: kInvalidArgument "<file>: <reason> (quarantined as N)".
  Status RejectFile(ssmix2::DefectKind kind, const std::string& reason, std::string_view bytes);
  // The file could be read: an entry an earlier upload left for the whole file is resolved.
  Status FileReadable();

  // Adds a quarantined item (its reason and defect set) at `path` with `raw` bytes.
  Status Quarantine(UploadItem item, const std::string& path, ssmix2::DefectKind kind, std::string_view raw);
  // Stores a record version — mapped from its HL7 message, or with `mapping` when given —
  // and adds the item with its outcome.
  Status Keep(UploadItem item, const store::VersionInput& v, const fhir::Mapping* mapping,
              const std::optional<ssmix2::Demographics>& demographics);
  void Skip(UploadItem item) { Add(std::move(item)); }

  // Resolves the open entry at `path` when `same_item(raw of that entry)` says it was an
  // earlier, defective version of the item just stored there.
  Status ResolveIfFixed(const std::string& path, const std::function<bool(std::string_view)>& same_item);

  UploadReport& report() { return report_; }

 private:
  void Add(UploadItem item);

  store::Store& store_;
  log::Logger& log_;
  const UploadOptions& options_;
  RecordWriter writer_;
  UploadReport report_;
  std::map<std::string, store::QuarantineEntry> open_;  // open entries of this file, by path
};

}  // namespace renkei::edge
