// Defects: what can be wrong with a file in an SS-MIX2 tree, and how serious it is.
//
// Every check of the edge reports a Defect with a kind (a stable, machine-readable name
// used in summaries, the quarantine and the configuration) and a precise detail for
// the operator. Whether a defect sends the file to quarantine or is only recorded
// against the imported record is the Severity, configurable per kind.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace renkei::ssmix2 {

enum class DefectKind {
  kUnreadable,           // the file could not be read (permissions, I/O error, vanished)
  kTooLarge,             // larger than the configured maximum message size
  kPathLayout,           // not at root/PID[0:3]/PID[3:6]/PID/DATE/TYPE/FILE
  kFileNameGrammar,      // file name is not PID_DATE_TYPE_ORDERNO_TIMESTAMP_DEPT_FLAG
  kFolderMismatch,       // a folder (PID, date, type, prefix folders) disagrees with the file name
  kUnknownDataType,      // the type folder names no SS-MIX2 data type
  kOrderNumberLength,    // the order number is not 15 characters
  kEncoding,             // bytes are not valid in the declared encoding (ISO-2022-JP / UTF-8)
  kCharsetUndeclared,    // the text uses a character set that MSH-18 does not declare
  kHl7Syntax,            // the HL7 v2 message does not parse
  kMessageTypeMismatch,  // MSH-9 does not match the data type of the file
  kPatientIdMismatch,    // PID-3 differs from the patient ID of the file name
  kDateMismatch,         // the date folder differs from the message's date for that type
  kMissingSegment,       // a segment the data type requires (PID) is absent
  // Uploads (receipt-computer CSV, FHIR Bundles): what is wrong with one row or entry.
  kUploadSyntax,         // a CSV row or a FHIR entry is malformed (unclosed quote, not JSON, wrong shape)
  kInvalidValue,         // a value is missing, not allowed or not in its format (a date, a kind, a code)
  kUnresolvedReference,  // a FHIR reference or the resource's patient cannot be resolved in the bundle
};

enum class Severity {
  kWarning,     // imported; the defect is kept with the record and reported
  kQuarantine,  // not imported; the file goes to quarantine until fixed and replayed
};

struct Defect {
  DefectKind kind;
  std::string detail;  // what exactly is wrong, with positions; never patient names
};

// Stable snake_case name, e.g. "folder_mismatch".
std::string_view DefectKindName(DefectKind kind);
// Parses a name written by DefectKindName.
std::optional<DefectKind> DefectKindFromName(std::string_view name);
// Every kind, in declaration order.
const std::vector<DefectKind>& AllDefectKinds();

std::string_view SeverityName(Severity s);  // "warning" / "quarantine"
std::optional<Severity> SeverityFromName(std::string_view name);

// Which severity each kind has. The defaults quarantine whatever makes a file
// unreadable or unplaceable, and record (warn) inconsistencies of content whose
// record can still be filed under the path's patient and key: the sample trees of
// real hospitals carry such inconsistencies in files that are otherwise good.
class SeverityPolicy {
 public:
  SeverityPolicy();
  Severity Of(DefectKind kind) const { return severities_[static_cast<size_t>(kind)]; }
  void Set(DefectKind kind, Severity s) { severities_[static_cast<size_t>(kind)] = s; }
  // True when any of the defects has quarantine severity.
  bool Quarantines(const std::vector<Defect>& defects) const;

 private:
  std::vector<Severity> severities_;
};

}  // namespace renkei::ssmix2
