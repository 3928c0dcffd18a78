// Importing an SS-MIX2 tree into the edge repository: full import, incremental rescans
// (watch), and replay of quarantined files after a fix.
//
// The tree is walked in a stream (memory does not grow with its size); each file is
// read, inspected (ssmix2::Inspect) and either kept as a record version or quarantined,
// according to the severity policy. Files already seen with the same size and mtime are
// skipped, so a rescan only reads what is new, renamed or rewritten. Work is committed
// in batches. Not thread-safe: one Importer per store connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "log/log.h"
#include "ssmix2/defect.h"
#include "ssmix2/record.h"
#include "store/store.h"

namespace renkei::edge {

struct ImportOptions {
  std::string root;                 // the storage root (a folder)
  std::string subtree;              // only this folder under root (e.g. ssmix2::PatientFolder); "" for all
  std::string facility_id = "local";  // names the FHIR identifiers of the facility's records
  size_t batch_size = 2000;         // files per transaction
  ssmix2::SeverityPolicy severity;
  ssmix2::InspectOptions inspect;
  bool force = false;               // re-read files even when size and mtime are unchanged
  size_t max_listed_defects = 1000; // defects kept in the summary's lists (the store keeps all)
};

// Progress of a running import, reported about five times a second.
struct Progress {
  int64_t files_seen = 0;
  int64_t files_total = -1;  // -1 when not counted
  int64_t imported = 0;
  int64_t quarantined = 0;
};

// A file with its defects, as listed in a summary.
struct FileDefects {
  std::string path;
  std::vector<ssmix2::Defect> defects;
  bool quarantined = false;
};

struct ImportSummary {
  std::string root;
  int64_t files_seen = 0;
  int64_t imported = 0;        // files kept as record versions (new, changed or renamed)
  int64_t unchanged = 0;       // skipped: same size and mtime as last time, or same content
  int64_t new_records = 0;
  int64_t superseded = 0;      // versions that became history (a newer file, or condition flag 2)
  int64_t deleted = 0;         // deletions imported (condition flag 0)
  int64_t renamed = 0;
  int64_t quarantined = 0;
  int64_t resources = 0;       // FHIR resources written (entities of imported versions)
  int64_t events = 0;          // chart lines written or replaced
  int64_t warnings = 0;        // imported files that carry warnings
  int64_t directory_errors = 0;
  std::map<std::string, int64_t> quarantined_by_reason;  // first quarantining defect kind
  std::map<std::string, int64_t> warnings_by_reason;     // every warning defect kind
  std::map<std::string, int64_t> messages_by_type;       // imported files per data type
  std::vector<FileDefects> defect_files;                 // at most max_listed_defects
  int64_t defect_files_not_listed = 0;
  store::StoreCounts store;   // the repository after the import
  double seconds = 0;
};

// The outcome of replaying one quarantined file.
struct ReplayResult {
  int64_t id = 0;
  std::string path;
  bool imported = false;
  std::vector<ssmix2::Defect> defects;  // what still keeps it in quarantine
};

class Importer {
 public:
  Importer(store::Store& store, std::shared_ptr<log::Logger> logger) : store_(store), log_(std::move(logger)) {}

  using ProgressFn = std::function<void(const Progress&)>;
  // Imports every file under options.root. `cancel` (may be null) stops the walk early;
  // what was done is committed. Errors: kNotFound when root is not a folder; store errors.
  StatusOr<ImportSummary> Run(const ImportOptions& options, const ProgressFn& progress = nullptr,
                              const std::atomic<bool>* cancel = nullptr);

  // Re-reads a quarantined file from where it was found and imports it if it now passes.
  // Errors: kNotFound for an unknown id or a file no longer there; kFailedPrecondition when
  // the entry is already resolved.
  StatusOr<ReplayResult> Replay(int64_t quarantine_id, const ImportOptions& options);

 private:
  Status ProcessFile(const std::string& root, const std::string& relative, std::string bytes,
                     const ImportOptions& options, ImportSummary* summary, std::vector<ssmix2::Defect>* remaining);

  store::Store& store_;
  std::shared_ptr<log::Logger> log_;
};

// Records the facility a repository belongs to on first use; kFailedPrecondition when it
// already belongs to another facility (one repository per facility).
Status CheckFacility(store::Store& store, const std::string& facility_id);

// Counts the regular files under root (for a progress bar).
int64_t CountFiles(const std::string& root);

// The MIME type of an extended-storage content file, from its extension.
std::string MimeTypeOf(std::string_view file_name);

}  // namespace renkei::edge
