// Uploads into the edge repository, for facilities that keep no SS-MIX2 tree: a clinic's
// receipt-computer CSV (docs/receipt-csv.md) or an EMR's FHIR R4 Bundle. The file is read
// row by row or entry by entry (receipt/, fhir/bundle_reader.h); every item that reads well
// becomes a record version through RecordWriter — the one path every record takes, so its
// entities, event line and change feed are exactly those of an SS-MIX2 record — and every
// item that does not is quarantined with its exact reason (line and column, or entry and
// JSON pointer) and its bytes, under "upload/<file name>#line=N" or "#entry=N". An upload of
// the same file again changes nothing; an item that now reads well resolves the quarantine
// entry its earlier, defective version left at the same place.
//
// Not thread-safe: one Uploader per store connection. Each upload is one transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "fhir/bundle_reader.h"
#include "log/log.h"
#include "text/csv.h"
#include "text/encoding.h"
#include "store/store.h"

namespace renkei::edge {

enum class UploadOutcome {
  kCreated,      // a new record
  kUpdated,      // a new version of a known record (or its content replaced)
  kUnchanged,    // the same version is already stored
  kSkipped,      // not kept on its own (a FHIR resource type the edge does not store)
  kQuarantined,  // defective: kept in the quarantine with the reason
};
std::string_view UploadOutcomeName(UploadOutcome o);  // "created", "updated", ...

// One item of a file: a record (one or more CSV rows, or a FHIR entry), or a defective row or entry.
struct UploadItem {
  std::vector<int> lines;    // CSV: the first line of each row
  int64_t entry = -1;        // FHIR: the entry index
  UploadOutcome outcome = UploadOutcome::kCreated;
  std::string resource_type; // FHIR: as sent
  std::string source;        // FHIR: fullUrl or Type/id as sent
  ssmix2::RecordKey key;     // stored items: the record key
  int64_t record_id = 0;
  int64_t version_id = 0;
  std::string reference;     // FHIR stored items: the entity, "Observation/ID"
  std::string reason;        // skipped and quarantined items: why, with line and column or JSON pointer
  std::string defect;        // quarantined items: the defect kind, e.g. "invalid_value"
  int64_t quarantine_id = 0;
  std::vector<std::string> notes;  // what was adapted on the way
};

struct UploadReport {
  std::string file;         // the file name the quarantine paths use
  std::string format;       // "csv" or "fhir"
  std::string encoding;     // "utf-8" or "cp932"
  std::string bundle_type;  // FHIR: transaction, batch or collection
  int64_t rows = 0;         // CSV: data rows read
  std::vector<UploadItem> items;  // in file order
  int64_t created = 0, updated = 0, unchanged = 0, skipped = 0, quarantined = 0;
  int64_t resolved = 0;     // quarantine entries of earlier uploads that this one fixed
};

struct UploadOptions {
  std::string facility_id = "local";
  std::string file_name;    // the uploaded file's name (without folders)
  std::string source_dir;   // the folder it was read from (kept as the quarantine's root)
  text::Encoding encoding = text::Encoding::kAuto;
  text::CsvLimits csv_limits;
  fhir::BundleLimits bundle_limits;
};

class Uploader {
 public:
  Uploader(store::Store& store, std::shared_ptr<log::Logger> logger) : store_(store), log_(std::move(logger)) {}

  // Errors: kInvalidArgument when the file cannot be used at all (no header row, an unknown
  // column; not JSON, not a Bundle): the message says where and why, and the file itself is
  // quarantined under "upload/<file name>"; kFailedPrecondition when the repository belongs to
  // another facility; store errors (nothing of the upload is kept then).
  StatusOr<UploadReport> UploadCsv(const UploadOptions& options, std::string_view bytes);
  StatusOr<UploadReport> UploadFhir(const UploadOptions& options, std::string_view bytes);

 private:
  store::Store& store_;
  std::shared_ptr<log::Logger> log_;
};

// The quarantine path of an uploaded file, and of a row or entry of it.
std::string UploadPath(std::string_view file_name);
std::string UploadRowPath(std::string_view file_name, int line);
std::string UploadEntryPath(std::string_view file_name, size_t entry);
// True for quarantine entries that came from an upload (they are fixed by uploading again).
bool IsUploadPath(std::string_view path);

}  // namespace renkei::edge
