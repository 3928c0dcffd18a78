#include "ssmix2/defect.h"

#include <algorithm>

namespace renkei::ssmix2 {
namespace {

struct KindInfo {
  DefectKind kind;
  std::string_view name;
  Severity default_severity;
};

constexpr KindInfo kKinds[] = {
    {DefectKind::kUnreadable, "unreadable", Severity::kQuarantine},
    {DefectKind::kTooLarge, "too_large", Severity::kQuarantine},
    {DefectKind::kPathLayout, "path_layout", Severity::kQuarantine},
    {DefectKind::kFileNameGrammar, "file_name_grammar", Severity::kQuarantine},
    {DefectKind::kFolderMismatch, "folder_mismatch", Severity::kQuarantine},
    {DefectKind::kUnknownDataType, "unknown_data_type", Severity::kQuarantine},
    {DefectKind::kOrderNumberLength, "order_number_length", Severity::kWarning},
    {DefectKind::kEncoding, "encoding", Severity::kQuarantine},
    {DefectKind::kCharsetUndeclared, "charset_undeclared", Severity::kQuarantine},
    {DefectKind::kHl7Syntax, "hl7_syntax", Severity::kQuarantine},
    {DefectKind::kMessageTypeMismatch, "message_type_mismatch", Severity::kQuarantine},
    {DefectKind::kPatientIdMismatch, "patient_id_mismatch", Severity::kWarning},
    {DefectKind::kDateMismatch, "date_mismatch", Severity::kWarning},
    {DefectKind::kMissingSegment, "missing_segment", Severity::kQuarantine},
    {DefectKind::kUploadSyntax, "upload_syntax", Severity::kQuarantine},
    {DefectKind::kInvalidValue, "invalid_value", Severity::kQuarantine},
    {DefectKind::kUnresolvedReference, "unresolved_reference", Severity::kQuarantine},
};

}  // namespace

std::string_view DefectKindName(DefectKind kind) { return kKinds[static_cast<size_t>(kind)].name; }

std::optional<DefectKind> DefectKindFromName(std::string_view name) {
  for (const KindInfo& k : kKinds) {
    if (k.name == name) return k.kind;
  }
  return std::nullopt;
}

const std::vector<DefectKind>& AllDefectKinds() {
  static const std::vector<DefectKind> kAll = [] {
    std::vector<DefectKind> v;
    for (const KindInfo& k : kKinds) v.push_back(k.kind);
    return v;
  }();
  return kAll;
}

std::string_view SeverityName(Severity s) { return s == Severity::kWarning ? "warning" : "quarantine"; }

std::optional<Severity> SeverityFromName(std::string_view name) {
  if (name == "warning" || name == "warn") return Severity::kWarning;
  if (name == "quarantine") return Severity::kQuarantine;
  return std::nullopt;
}

SeverityPolicy::SeverityPolicy() {
  for (const KindInfo& k : kKinds) severities_.push_back(k.default_severity);
}

bool SeverityPolicy::Quarantines(const std::vector<Defect>& defects) const {
  return std::any_of(defects.begin(), defects.end(),
                     [&](const Defect& d) { return Of(d.kind) == Severity::kQuarantine; });
}

}  // namespace renkei::ssmix2
