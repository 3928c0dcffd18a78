// Receipt-computer CSV uploads: rows → checked rows → SS-MIX2 HL7 messages → record versions.
#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "edge/upload.h"
#include "edge/upload_session.h"
#include "receipt/header.h"
#include "receipt/message_builder.h"
#include "receipt/row.h"
#include "ssmix2/record.h"

namespace renkei::edge {
namespace {

using ssmix2::DefectKind;

// Reads the rows of one file and keeps or quarantines each.
class CsvUpload {
 public:
  CsvUpload(UploadSession& session, const UploadOptions& options, std::string_view bytes,
            const text::DecodedFile& file, const receipt::Header& header)
      : session_(session), options_(options), bytes_(bytes), file_(file), header_(header) {}

  Status Run(const std::vector<text::CsvRecord>& records) {
    std::vector<receipt::Row> rows;
    for (size_t i = 1; i < records.size(); ++i) {
      const text::CsvRecord& rec = records[i];
      ++session_.report().rows;
      if (rec.problem != text::CsvProblem::kNone) {
        const DefectKind kind = rec.problem == text::CsvProblem::kEncoding   ? DefectKind::kEncoding
                                : rec.problem == text::CsvProblem::kTooLarge ? DefectKind::kTooLarge
                                                                                : DefectKind::kUploadSyntax;
        RENKEI_RETURN_IF_ERROR(QuarantineRow(rec.first_line, rec.last_line, kind, rec.error));
        continue;
      }
      auto row = receipt::ReadRow(header_, rec);
      if (!row.ok()) {
        RENKEI_RETURN_IF_ERROR(QuarantineRow(rec.first_line, rec.last_line, DefectKind::kInvalidValue, row.status().message()));
        continue;
      }
      rows.push_back(std::move(row).value());
    }
    for (const receipt::Row& r : rows) last_line_[r.first_line] = r.last_line;
    const receipt::BuildResult built = receipt::BuildRecords(rows);
    for (const receipt::RowFailure& f : built.failures) {
      RENKEI_RETURN_IF_ERROR(QuarantineRow(f.line, last_line_.at(f.line), DefectKind::kInvalidValue, f.message));
    }
    for (const receipt::ReceiptRecord& rec : built.records) RENKEI_RETURN_IF_ERROR(Keep(rec));
    std::sort(session_.report().items.begin(), session_.report().items.end(),
              [](const UploadItem& a, const UploadItem& b) { return a.lines.front() < b.lines.front(); });
    return Status::Ok();
  }

 private:
  // The bytes of lines first..last as they are in the file.
  std::string_view Raw(int first, int last) const {
    const text::SourceLine& a = file_.lines[static_cast<size_t>(first - 1)];
    const text::SourceLine& b = file_.lines[static_cast<size_t>(last - 1)];
    return bytes_.substr(a.offset, b.offset + b.length - a.offset);
  }

  Status QuarantineRow(int first, int last, DefectKind kind, const std::string& reason) {
    UploadItem item;
    item.lines = {first};
    item.reason = reason;
    return session_.Quarantine(std::move(item), UploadRowPath(options_.file_name, first), kind, Raw(first, last));
  }

  // Inspects the record's message as the SS-MIX2 file it would be, and keeps it.
  Status Keep(const receipt::ReceiptRecord& rec) {
    store::VersionInput v;
    v.key = rec.key;
    v.timestamp = rec.timestamp;
    v.department = rec.department;
    v.path = ssmix2::MakePath(rec.key, rec.timestamp, rec.department, ssmix2::ConditionFlag::kValid);
    ssmix2::Inspection ins = ssmix2::Inspect(v.path, rec.message);
    const ssmix2::SeverityPolicy policy;
    if (policy.Quarantines(ins.defects)) {  // a row the builder should not have accepted
      for (int line : rec.lines) {
        RENKEI_RETURN_IF_ERROR(QuarantineRow(line, last_line_.at(line), ins.defects.front().kind,
                                             fmt::format("line {}: {}", line, ins.defects.front().detail)));
      }
      return Status::Ok();
    }
    v.message_type = ins.message_type;
    v.raw = rec.message;
    v.decoded = std::move(ins.decoded);
    v.warnings = ins.defects;
    UploadItem item;
    item.lines = rec.lines;
    RENKEI_RETURN_IF_ERROR(session_.Keep(std::move(item), v, nullptr, ins.demographics));
    for (int line : rec.lines) {
      RENKEI_RETURN_IF_ERROR(session_.ResolveIfFixed(UploadRowPath(options_.file_name, line), [&](std::string_view raw) {
        return PatientOf(raw) == rec.key.patient_id;
      }));
    }
    return Status::Ok();
  }

  // The patient_id field of a quarantined row's bytes ("" when it cannot be read): a fixed row
  // at the same line resolves the entry only when it is about the same patient.
  std::string PatientOf(std::string_view raw) const {
    const text::DecodedFile f = text::DecodeLines(raw, file_.encoding);
    const std::vector<text::CsvRecord> records = text::ReadCsv(f.lines, options_.csv_limits);
    const int field = header_.FieldOf(receipt::Column::kPatientId);
    if (records.empty() || field < 0 || static_cast<size_t>(field) >= records[0].fields.size()) return {};
    std::string id = records[0].fields[static_cast<size_t>(field)];
    id.erase(0, id.find_first_not_of(' '));
    id.erase(id.find_last_not_of(' ') + 1);
    return id;
  }

  UploadSession& session_;
  const UploadOptions& options_;
  std::string_view bytes_;
  const text::DecodedFile& file_;
  const receipt::Header& header_;
  std::unordered_map<int, int> last_line_;  // first line of a row → its last line
};

}  // namespace

StatusOr<UploadReport> Uploader::UploadCsv(const UploadOptions& options, std::string_view bytes) {
  UploadSession session(store_, *log_, options, "csv");
  RENKEI_RETURN_IF_ERROR(session.Begin());
  const text::DecodedFile file = text::DecodeLines(bytes, options.encoding);
  session.report().encoding = std::string(text::EncodingName(file.encoding));
  const std::vector<text::CsvRecord> records = text::ReadCsv(file.lines, options.csv_limits);
  if (records.empty()) return session.RejectFile(DefectKind::kUploadSyntax, "the file has no header row", bytes);
  auto header = receipt::Header::Read(records[0]);
  if (!header.ok()) {
    const DefectKind kind =
        records[0].problem == text::CsvProblem::kEncoding ? DefectKind::kEncoding : DefectKind::kUploadSyntax;
    return session.RejectFile(kind, header.status().message(), bytes);
  }
  Status s = session.FileReadable();
  if (s.ok()) s = CsvUpload(session, options, bytes, file, *header).Run(records);
  if (!s.ok()) return session.Abandon(s);
  return session.Commit();
}

}  // namespace renkei::edge
