#include "cli/edge_upload_commands.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/edge_context.h"
#include "edge/upload.h"

namespace renkei::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct UploadArgs {
  std::string store, csv, fhir, encoding = "auto";
  int64_t max_bytes = 64 << 20;
  bool as_json = false;
};

// Reads the file whole, refusing one larger than `limit` before reading it.
StatusOr<std::string> ReadUpload(const std::string& path, int64_t limit) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return InvalidArgument(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) return InvalidArgument(fmt::format("{} is not a file", path));
  if (st.st_size > limit) {
    return InvalidArgument(fmt::format("{} is {} bytes; an upload may have at most {} (--max-bytes)", path, st.st_size, limit));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (!in && !in.eof()) return InvalidArgument(fmt::format("cannot read {}", path));
  return bytes.str();
}

std::string Lines(const std::vector<int>& lines) {
  std::string out = lines.size() == 1 ? "line " : "lines ";
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? "," : "") + std::to_string(lines[i]);
  return out;
}

json ItemJson(const edge::UploadItem& i) {
  json j = {{"outcome", edge::UploadOutcomeName(i.outcome)}};
  if (!i.lines.empty()) j["lines"] = i.lines;
  if (i.entry >= 0) j["entry"] = i.entry;
  if (!i.key.patient_id.empty()) {
    j["patient_id"] = i.key.patient_id;
    j["date"] = i.key.date;
    j["data_type"] = i.key.data_type;
    j["order_number"] = i.key.order_number;
    j["record_id"] = i.record_id;
  }
  if (!i.reason.empty()) j["reason"] = i.reason;
  if (!i.defect.empty()) j["defect"] = i.defect;
  if (i.quarantine_id != 0) j["quarantine_id"] = i.quarantine_id;
  if (!i.notes.empty()) j["notes"] = i.notes;
  return j;
}

json CsvReportJson(const edge::UploadReport& r) {
  json items = json::array();
  for (const auto& i : r.items) items.push_back(ItemJson(i));
  return {{"file", r.file},         {"format", r.format},       {"encoding", r.encoding}, {"rows", r.rows},
          {"created", r.created},   {"updated", r.updated},     {"unchanged", r.unchanged},
          {"quarantined", r.quarantined}, {"resolved", r.resolved}, {"items", items}};
}

// A FHIR batch/transaction-response: one entry per uploaded entry, in order, with an HTTP-like
// status, the stored entity as location, and an OperationOutcome saying what happened
// (issue.details.coding from urn:renkei:upload-outcome: created, updated, unchanged, skipped,
// quarantined).
json FhirReportJson(const edge::UploadReport& r) {
  json entries = json::array();
  for (const auto& i : r.items) {
    json response;
    std::string severity = "information", code = "informational";
    switch (i.outcome) {
      case edge::UploadOutcome::kCreated: response["status"] = "201 Created"; break;
      case edge::UploadOutcome::kUpdated:
      case edge::UploadOutcome::kUnchanged: response["status"] = "200 OK"; break;
      case edge::UploadOutcome::kSkipped:
        response["status"] = "422 Unprocessable Entity";
        severity = "warning";
        code = "not-supported";
        break;
      case edge::UploadOutcome::kQuarantined:
        response["status"] = i.defect == "unresolved_reference" ? "404 Not Found" : "400 Bad Request";
        severity = "error";
        code = i.defect == "unresolved_reference" ? "not-found" : "invalid";
        break;
    }
    if (!i.reference.empty()) {
      response["location"] = fmt::format("{}/_history/{}", i.reference, i.version_id);
      response["etag"] = fmt::format("W/\"{}\"", i.version_id);
    }
    std::string diagnostics = i.reason;
    if (i.quarantine_id != 0) diagnostics += fmt::format(" (quarantine entry {})", i.quarantine_id);
    for (const std::string& n : i.notes) diagnostics += (diagnostics.empty() ? "" : "; ") + n;
    json issue = {{"severity", severity},
                  {"code", code},
                  {"details", {{"coding", json::array({{{"system", "urn:renkei:upload-outcome"},
                                                        {"code", edge::UploadOutcomeName(i.outcome)}}})}}}};
    if (!diagnostics.empty()) issue["diagnostics"] = diagnostics;
    response["outcome"] = {{"resourceType", "OperationOutcome"}, {"issue", json::array({issue})}};
    entries.push_back({{"response", response}});
  }
  return {{"resourceType", "Bundle"},
          {"type", r.bundle_type == "transaction" ? "transaction-response" : "batch-response"},
          {"entry", entries}};
}

void PrintReport(const edge::UploadReport& r) {
  if (r.format == "csv") fmt::print("Receipt CSV {} ({}): {} rows\n", r.file, r.encoding, r.rows);
  else fmt::print("FHIR Bundle {} ({}): {} entries\n", r.file, r.bundle_type, r.items.size());
  for (const auto& i : r.items) {
    const std::string where = i.entry >= 0 ? fmt::format("entry {}", i.entry) : Lines(i.lines);
    if (i.outcome == edge::UploadOutcome::kQuarantined) {
      fmt::print("  {:<14} QUARANTINED  {} (quarantine {}): {}\n", where, i.defect, i.quarantine_id, i.reason);
    } else if (i.outcome == edge::UploadOutcome::kSkipped) {
      fmt::print("  {:<14} skipped      {}\n", where, i.reason);
    } else {
      fmt::print("  {:<14} {:<12} {:<24} patient {}  {}  record {}\n", where, edge::UploadOutcomeName(i.outcome),
                 i.key.data_type, i.key.patient_id, i.key.date, i.record_id);
    }
    for (const std::string& n : i.notes) fmt::print("  {:<14} note: {}\n", "", n);
  }
  fmt::print("Created {}, updated {}, unchanged {}, skipped {}, quarantined {}; {} earlier quarantine entries resolved\n",
             r.created, r.updated, r.unchanged, r.skipped, r.quarantined, r.resolved);
}

int RunUpload(const GlobalOptions& g, const UploadArgs& a) {
  if (a.csv.empty() == a.fhir.empty()) return Fail(InvalidArgument("give one file: --csv FILE or --fhir FILE"));
  auto encoding = text::EncodingFromName(a.encoding);
  if (!encoding) return Fail(InvalidArgument(fmt::format("unknown --encoding '{}'; use auto, utf-8 or cp932", a.encoding)));
  if (!a.fhir.empty() && a.encoding != "auto" && *encoding != text::Encoding::kUtf8) {
    return Fail(InvalidArgument("a FHIR Bundle is JSON, which is UTF-8; --encoding applies to --csv"));
  }
  const std::string path = a.csv.empty() ? a.fhir : a.csv;
  auto bytes = ReadUpload(path, a.max_bytes);
  if (!bytes.ok()) return Fail(bytes.status());
  auto ctx = Setup(g, a.store);
  if (!ctx.ok()) return Fail(ctx.status());
  edge::UploadOptions options;
  auto facility = ResolveFacility(*ctx, g.facility);
  if (!facility.ok()) return Fail(facility.status());
  options.facility_id = *facility;
  options.file_name = fs::path(path).filename().string();
  options.source_dir = fs::absolute(path).parent_path().lexically_normal().string();
  options.encoding = *encoding;
  edge::Uploader uploader(*ctx->store, ctx->logger);
  auto report = a.csv.empty() ? uploader.UploadFhir(options, *bytes) : uploader.UploadCsv(options, *bytes);
  if (!report.ok()) return Fail(report.status());
  if (a.as_json) std::cout << (a.csv.empty() ? FhirReportJson(*report) : CsvReportJson(*report)).dump(2) << "\n";
  else PrintReport(*report);
  if (report->quarantined > 0) {
    const char* noun = a.csv.empty() ? (report->quarantined == 1 ? "entry was" : "entries were")
                                     : (report->quarantined == 1 ? "row was" : "rows were");
    std::cerr << fmt::format("renkei: {} {} quarantined, the rest went in (see `renkei edge quarantine list`)\n",
                             report->quarantined, noun);
    return 1;
  }
  return 0;
}

}  // namespace

void AddEdgeUploadCommand(CLI::App& edge, const GlobalOptions& global, int* exit_code) {
  auto a = std::make_shared<UploadArgs>();
  CLI::App* cmd = edge.add_subcommand(
      "upload",
      "Upload records from a facility without an SS-MIX2 tree: a receipt-computer CSV (docs/receipt-csv.md)\n"
      "or a FHIR R4 Bundle (transaction, batch or collection). Every row or entry becomes a record like an\n"
      "SS-MIX2 file, or goes to the quarantine with its line and column (or entry and JSON pointer).\n"
      "Uploading the same file again changes nothing. Exit status: 0 all went in, 1 some were quarantined,\n"
      "2 the file cannot be used.");
  cmd->add_option("--csv", a->csv, "a receipt-computer CSV file (UTF-8 or Shift_JIS/CP932)");
  cmd->add_option("--fhir", a->fhir, "a FHIR R4 Bundle in JSON");
  cmd->add_option("--encoding", a->encoding, "CSV encoding: auto (default), utf-8 or cp932 (shift_jis)");
  cmd->add_option("--max-bytes", a->max_bytes, "refuse files larger than this (default 64 MiB)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 32));
  cmd->add_option("--store", a->store, "the repository (overrides edge.store)");
  cmd->add_flag("--json", a->as_json, "print JSON: a summary with every row (CSV), a batch/transaction-response Bundle (FHIR)");
  cmd->callback([=, &global] { *exit_code = RunUpload(global, *a); });
}

}  // namespace renkei::cli
