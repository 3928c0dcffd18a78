#include "cli/edge_commands.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/edge_chart_commands.h"
#include "cli/edge_context.h"
#include "cli/relay_commands.h"
#include "cli/edge_upload_commands.h"
#include "config/config.h"
#include "edge/importer.h"
#include "edge/live_feed.h"
#include "mllp/server.h"
#include "edge/upload.h"
#include "hl7/charset.h"
#include "log/log.h"
#include "store/store.h"
#include "cli/stop_signal.h"
#include "text/cp932.h"
#include "text/iso2022jp.h"

namespace renkei::cli {
namespace {

using nlohmann::json;

json DefectsJson(const std::vector<ssmix2::Defect>& defects) {
  json out = json::array();
  for (const auto& d : defects) out.push_back({{"kind", ssmix2::DefectKindName(d.kind)}, {"detail", d.detail}});
  return out;
}

json SummaryJson(const edge::ImportSummary& s, const std::string& store_url) {
  json defects = json::array();
  for (const auto& f : s.defect_files) {
    defects.push_back({{"path", f.path}, {"quarantined", f.quarantined}, {"defects", DefectsJson(f.defects)}});
  }
  return {
      {"root", s.root},
      {"store", RedactUrl(store_url)},
      {"files_seen", s.files_seen},
      {"imported", s.imported},
      {"unchanged", s.unchanged},
      {"new_records", s.new_records},
      {"superseded", s.superseded},
      {"deleted", s.deleted},
      {"renamed", s.renamed},
      {"quarantined", s.quarantined},
      {"quarantined_by_reason", s.quarantined_by_reason},
      {"with_warnings", s.warnings},
      {"warnings_by_reason", s.warnings_by_reason},
      {"messages_per_type", s.messages_by_type},
      {"patients", s.store.patients},
      {"directory_errors", s.directory_errors},
      {"repository",
       {{"records", s.store.records},
        {"valid", s.store.valid},
        {"superseded", s.store.superseded},
        {"deleted", s.store.deleted},
        {"versions", s.store.versions},
        {"patients", s.store.patients},
        {"patients_with_demographics", s.store.demographics},
        {"quarantine_open", s.store.quarantine_open},
        {"events", s.store.events},
        {"entities", s.store.entities},
        {"changes", s.store.changes}}},
      {"resources", s.resources},
      {"events", s.events},
      {"resources_per_second", s.seconds > 0 ? s.resources / s.seconds : 0.0},
      {"defects", defects},
      {"defects_not_listed", s.defect_files_not_listed},
      {"seconds", s.seconds},
      {"files_per_second", s.seconds > 0 ? s.files_seen / s.seconds : 0.0},
  };
}

void PrintSummary(const edge::ImportSummary& s) {
  auto line = [](std::string_view label, int64_t n) { fmt::print("  {:<22}{:>10}\n", label, n); };
  fmt::print("SS-MIX2 tree {}\n", s.root);
  line("files seen", s.files_seen);
  line("imported", s.imported);
  line("  new records", s.new_records);
  line("unchanged (skipped)", s.unchanged);
  line("superseded", s.superseded);
  line("deleted", s.deleted);
  line("FHIR resources", s.resources);
  line("chart events", s.events);
  line("renamed", s.renamed);
  line("quarantined", s.quarantined);
  for (const auto& [reason, n] : s.quarantined_by_reason) line("  " + reason, n);
  line("imported with warnings", s.warnings);
  for (const auto& [reason, n] : s.warnings_by_reason) line("  " + reason, n);
  if (!s.messages_by_type.empty()) {
    fmt::print("  messages per data type:");
    for (const auto& [type, n] : s.messages_by_type) fmt::print(" {} {}", type, n);
    fmt::print("\n");
  }
  fmt::print("Repository: {} records ({} valid, {} superseded, {} deleted), {} versions, {} patients; "
             "{} files in quarantine\n",
             s.store.records, s.store.valid, s.store.superseded, s.store.deleted, s.store.versions, s.store.patients,
             s.store.quarantine_open);
  fmt::print("Took {:.2f} s ({:.0f} files/s)\n", s.seconds, s.seconds > 0 ? s.files_seen / s.seconds : 0.0);
  if (!s.defect_files.empty()) {
    fmt::print("\nDefects:\n");
    for (const auto& f : s.defect_files) {
      for (const auto& d : f.defects) {
        fmt::print("  {:<10} {}\n             {}: {}\n", f.quarantined ? "QUARANTINE" : "warning", f.path,
                   ssmix2::DefectKindName(d.kind), d.detail);
      }
    }
    if (s.defect_files_not_listed > 0) {
      fmt::print("  ... and {} more files with defects (see `renkei edge quarantine list`)\n",
                 s.defect_files_not_listed);
    }
  }
}

// A one-line progress bar on standard error, drawn only on a terminal.
edge::Importer::ProgressFn ProgressBar() {
  if (!::isatty(STDERR_FILENO)) return nullptr;
  auto start = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  return [start](const edge::Progress& p) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - *start).count();
    double rate = secs > 0 ? p.files_seen / secs : 0;
    constexpr int kWidth = 30;
    int filled = p.files_total > 0 ? static_cast<int>(kWidth * p.files_seen / std::max<int64_t>(p.files_total, 1)) : 0;
    fmt::print(stderr, "\r[{:<{}}] {}/{} files  {:.0f} files/s  quarantined {}   ", std::string(filled, '#'), kWidth,
               p.files_seen, p.files_total, rate, p.quarantined);
    if (p.files_total >= 0 && p.files_seen >= p.files_total) fmt::print(stderr, "\n");
  };
}

int RunImport(const GlobalOptions& g, const std::string& store_flag, const std::string& root, bool as_json,
              bool force, bool no_progress) {
  auto ctx = Setup(g, store_flag);
  if (!ctx.ok()) return Fail(ctx.status());
  auto options_or = ImportOptionsFrom(*ctx, g, root);
  if (!options_or.ok()) return Fail(options_or.status());
  edge::ImportOptions options = std::move(options_or).value();
  options.force = force;
  if (options.root.empty()) return Fail(InvalidArgument("no SS-MIX2 root: pass --root DIR or set edge.ssmix2_root"));
  InstallStopHandler();
  edge::Importer importer(*ctx->store, ctx->logger);
  auto summary = importer.Run(options, no_progress ? nullptr : ProgressBar(), StopFlag());
  if (!summary.ok()) return Fail(summary.status());
  const std::string url = store_flag.empty() ? ctx->config.edge.store : store_flag;
  if (as_json) std::cout << SummaryJson(*summary, url).dump(2) << "\n";
  else PrintSummary(*summary);
  return 0;
}

int RunWatch(const GlobalOptions& g, const std::string& store_flag, const std::string& root, int interval,
             bool as_json) {
  auto ctx = Setup(g, store_flag);
  if (!ctx.ok()) return Fail(ctx.status());
  auto options_or = ImportOptionsFrom(*ctx, g, root);
  if (!options_or.ok()) return Fail(options_or.status());
  edge::ImportOptions options = std::move(options_or).value();
  if (options.root.empty()) return Fail(InvalidArgument("no SS-MIX2 root: pass --root DIR or set edge.ssmix2_root"));
  if (interval <= 0) interval = ctx->config.edge.watch_interval_seconds;
  InstallStopHandler();
  edge::Importer importer(*ctx->store, ctx->logger);
  const std::string url = store_flag.empty() ? ctx->config.edge.store : store_flag;
  if (!as_json) fmt::print("Watching {} every {} s (Ctrl-C to stop)\n", options.root, interval);
  std::fflush(stdout);
  for (int pass = 1; !StopRequested(); ++pass) {
    auto summary = importer.Run(options, nullptr, StopFlag());
    if (!summary.ok()) return Fail(summary.status());
    const bool changed = summary->imported + summary->quarantined > 0;
    if (as_json) {
      json j = SummaryJson(*summary, url);
      j["pass"] = pass;
      std::cout << j.dump() << "\n";
    } else if (changed || pass == 1) {
      fmt::print("pass {}: {} files seen, {} imported, {} superseded, {} deleted, {} quarantined\n", pass,
                 summary->files_seen, summary->imported, summary->superseded, summary->deleted,
                 summary->quarantined);
      for (const auto& f : summary->defect_files) {
        fmt::print("  {:<10} {}: {}\n", f.quarantined ? "QUARANTINE" : "warning", f.path,
                   ssmix2::DefectKindName(f.defects.front().kind));
      }
    }
    std::fflush(stdout);
    for (int i = 0; i < interval * 10 && !StopRequested(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  if (!as_json) fmt::print("Stopped.\n");
  return 0;
}

json QuarantineJson(const store::QuarantineEntry& q) {
  return {{"id", q.id},
          {"state", q.state == store::QuarantineState::kOpen ? "open" : "resolved"},
          {"root", q.root},
          {"path", q.path},
          {"defects", DefectsJson(q.defects)},
          {"bytes", q.raw.size()},
          {"first_seen", q.first_seen},
          {"last_seen", q.last_seen},
          {"resolved_at", q.resolved_at},
          {"resolution", q.resolution}};
}

int RunQuarantineList(const GlobalOptions& g, const std::string& store_flag, bool all, bool as_json) {
  auto ctx = Setup(g, store_flag);
  if (!ctx.ok()) return Fail(ctx.status());
  auto entries = ctx->store->ListQuarantine(all);
  if (!entries.ok()) return Fail(entries.status());
  if (as_json) {
    json out = json::array();
    for (const auto& q : *entries) out.push_back(QuarantineJson(q));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (entries->empty()) {
    fmt::print("The quarantine is empty.\n");
    return 0;
  }
  fmt::print("{:>5}  {:<8}  {:<24}  {:<22}  {}\n", "ID", "STATE", "LAST SEEN", "REASON", "PATH");
  for (const auto& q : *entries) {
    fmt::print("{:>5}  {:<8}  {:<24}  {:<22}  {}\n", q.id, q.state == store::QuarantineState::kOpen ? "open" : "resolved",
               q.last_seen, q.defects.empty() ? "" : ssmix2::DefectKindName(q.defects.front().kind), q.path);
  }
  return 0;
}

// The text of a quarantined item: an SS-MIX2 file's message decoded as its MSH-18 says; an
// uploaded CSV row as UTF-8 or CP932; an uploaded FHIR entry as the JSON it is.
StatusOr<std::string> QuarantinedText(const store::QuarantineEntry& q) {
  if (!edge::IsUploadPath(q.path)) return hl7::DecodeMessageText(q.raw);
  if (text::ValidateUtf8(q.raw).ok()) return q.raw;
  return text::DecodeCp932(q.raw);
}

// Where a quarantined item came from: "/srv/ssmix2/999/..." for a file of a tree,
// "/home/clinic/receipt.csv, line 7" for a row or entry of an upload.
std::string QuarantinedSource(const store::QuarantineEntry& q) {
  if (!edge::IsUploadPath(q.path)) return q.root + "/" + q.path;
  const std::string rest = q.path.substr(std::string_view("upload/").size());
  const size_t hash = rest.find('#');
  std::string where = hash == std::string::npos ? "the whole file" : rest.substr(hash + 1);
  if (const size_t eq = where.find('='); eq != std::string::npos) where[eq] = ' ';
  return fmt::format("{}/{}, {}", q.root, rest.substr(0, hash), where);
}

int RunQuarantineShow(const GlobalOptions& g, const std::string& store_flag, int64_t id, bool as_json, bool raw) {
  auto ctx = Setup(g, store_flag);
  if (!ctx.ok()) return Fail(ctx.status());
  auto entry = ctx->store->GetQuarantine(id);
  if (!entry.ok()) return Fail(entry.status());
  if (!entry->has_value()) return Fail(NotFound(fmt::format("no quarantine entry {}", id)));
  const store::QuarantineEntry& q = **entry;
  if (raw) {
    std::cout.write(q.raw.data(), static_cast<std::streamsize>(q.raw.size()));
    return 0;
  }
  auto text = QuarantinedText(q);
  if (as_json) {
    json j = QuarantineJson(q);
    if (text.ok()) j["text"] = *text;
    else j["text_error"] = text.status().message();
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  fmt::print("Quarantine entry {} ({})\n  file:       {}\n  first seen: {}\n  last seen:  {}\n  bytes:      {}\n", q.id,
             q.state == store::QuarantineState::kOpen ? "open" : "resolved", QuarantinedSource(q), q.first_seen,
             q.last_seen, q.raw.size());
  if (q.state == store::QuarantineState::kResolved) fmt::print("  resolved:   {} ({})\n", q.resolved_at, q.resolution);
  fmt::print("Defects:\n");
  for (const auto& d : q.defects) fmt::print("  {}: {}\n", ssmix2::DefectKindName(d.kind), d.detail);
  if (text.ok()) {
    fmt::print("Content (decoded{}):\n", edge::IsUploadPath(q.path) ? "" : ", segments on separate lines");
    std::string t = *text;
    for (char& c : t) {
      if (c == '\r') c = '\n';
    }
    fmt::print("{}\n", t);
  } else {
    fmt::print("Content cannot be decoded ({}); first bytes in hex:\n ", text.status().message());
    for (size_t i = 0; i < std::min<size_t>(q.raw.size(), 64); ++i) {
      fmt::print(" {:02x}", static_cast<unsigned char>(q.raw[i]));
    }
    fmt::print("\n(`--raw` writes the bytes to standard output)\n");
  }
  return 0;
}

int RunQuarantineReplay(const GlobalOptions& g, const std::string& store_flag, std::vector<int64_t> ids, bool all,
                        bool as_json) {
  auto ctx = Setup(g, store_flag);
  if (!ctx.ok()) return Fail(ctx.status());
  if (all) {
    auto entries = ctx->store->ListQuarantine(false);
    if (!entries.ok()) return Fail(entries.status());
    for (const auto& q : *entries) ids.push_back(q.id);
  }
  if (ids.empty()) return Fail(InvalidArgument("name quarantine entries to replay (IDs) or pass --all"));
  edge::Importer importer(*ctx->store, ctx->logger);
  auto options_or = ImportOptionsFrom(*ctx, g, "");
  if (!options_or.ok()) return Fail(options_or.status());
  edge::ImportOptions options = std::move(options_or).value();
  json out = json::array();
  int still = 0;
  for (int64_t id : ids) {
    if (auto q = ctx->store->GetQuarantine(id); q.ok() && q->has_value() && edge::IsUploadPath((*q)->path)) {
      ++still;
      const std::string message = fmt::format("entry {} came from an upload ({}): fix the file and upload it again "
                                              "with `renkei edge upload`", id, (*q)->path);
      if (as_json) out.push_back({{"id", id}, {"error", message}});
      else fmt::print("{:>5}  {}\n", id, message);
      continue;
    }
    auto r = importer.Replay(id, options);
    if (!r.ok()) {
      ++still;
      if (as_json) out.push_back({{"id", id}, {"error", r.status().message()}});
      else fmt::print("{:>5}  error: {}\n", id, r.status().message());
      continue;
    }
    if (!r->imported) ++still;
    if (as_json) {
      out.push_back({{"id", id}, {"path", r->path}, {"imported", r->imported}, {"defects", DefectsJson(r->defects)}});
    } else if (r->imported) {
      fmt::print("{:>5}  imported      {}\n", id, r->path);
    } else {
      fmt::print("{:>5}  still defective {}\n", id, r->path);
      for (const auto& d : r->defects) fmt::print("         {}: {}\n", ssmix2::DefectKindName(d.kind), d.detail);
    }
  }
  if (as_json) std::cout << out.dump(2) << "\n";
  return still == 0 ? 0 : 1;
}

int RunPatients(const GlobalOptions& g, const std::string& store_flag, int64_t limit, int64_t offset, bool as_json) {
  auto ctx = Setup(g, store_flag);
  if (!ctx.ok()) return Fail(ctx.status());
  auto patients = ctx->store->ListPatients(limit, offset);
  if (!patients.ok()) return Fail(patients.status());
  json out = json::array();
  for (const auto& p : *patients) {
    const auto& d = p.demographics;
    if (as_json) {
      out.push_back({{"patient_id", d.patient_id},
                     {"kanji_name", {{"family", d.kanji_family}, {"given", d.kanji_given}}},
                     {"kana_name", {{"family", d.kana_family}, {"given", d.kana_given}}},
                     {"birth_date", d.birth_date},
                     {"sex", d.sex},
                     {"postal_code", d.postal_code},
                     {"address", d.address},
                     {"phone", d.phone},
                     {"source_timestamp", p.source_timestamp}});
    } else {
      fmt::print("{:<12} {} {} ({} {})  {}  {}  〒{} {}  {}\n", d.patient_id, d.kanji_family, d.kanji_given,
                 d.kana_family, d.kana_given, d.birth_date, d.sex, d.postal_code, d.address, d.phone);
    }
  }
  if (as_json) std::cout << out.dump(2) << "\n";
  return 0;
}

// "HOST:PORT" (IPv6 as [ADDR]:PORT) → host and port.
StatusOr<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgument(fmt::format("'{}' is not HOST:PORT (e.g. 127.0.0.1:2575)", text));
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = text.substr(colon + 1);
  int port = -1;
  if (!port_text.empty() && port_text.size() <= 5 && port_text.find_first_not_of("0123456789") == std::string::npos) {
    port = std::stoi(port_text);
  }
  if (port < 0 || port > 65535) return InvalidArgument(fmt::format("'{}' is not a port (0-65535)", port_text));
  return std::pair{host, static_cast<uint16_t>(port)};
}

int RunListen(const GlobalOptions& g, const std::string& store_flag, const std::string& listen_flag) {
  auto ctx = Setup(g, store_flag);
  if (!ctx.ok()) return Fail(ctx.status());
  auto facility = ResolveFacility(*ctx, g.facility);
  if (!facility.ok()) return Fail(facility.status());
  if (Status s = edge::CheckFacility(*ctx->store, *facility); !s.ok()) return Fail(s);
  auto address = SplitHostPort(listen_flag.empty() ? ctx->config.edge.mllp_listen : listen_flag);
  if (!address.ok()) return Fail(address.status());
  if (Status s = ctx->store->RequireDurableCommits(); !s.ok()) return Fail(s);
  edge::LiveFeed feed(*ctx->store, ctx->logger,
                      {*facility, ctx->config.edge.severity, ctx->config.edge.max_message_bytes});
  mllp::ServerOptions options;
  options.host = address->first;
  options.port = address->second;
  options.max_frame_bytes = ctx->config.edge.max_message_bytes;
  InstallStopHandler();
  auto server = mllp::MllpServer::Start(options, [&feed](std::string_view bytes) { return feed.Accept(bytes); },
                                        ctx->logger);
  if (!server.ok()) return Fail(server.status());
  fmt::print("Listening for HL7 v2 over MLLP on {}:{} (Ctrl-C to stop)\n", options.host, (*server)->port());
  std::fflush(stdout);
  while (!StopRequested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (*server)->Stop();
  fmt::print("Stopped: {} messages stored, {} quarantined\n", feed.stored(), feed.quarantined());
  return 0;
}

int RunRecords(const GlobalOptions& g, const std::string& store_flag, const std::string& patient, bool as_json) {
  auto ctx = Setup(g, store_flag);
  if (!ctx.ok()) return Fail(ctx.status());
  auto records = ctx->store->ListRecords(patient);
  if (!records.ok()) return Fail(records.status());
  if (records->empty()) return Fail(NotFound(fmt::format("no records for patient {}", patient)));
  json out = json::array();
  if (!as_json) {
    fmt::print("{:>6}  {:<10}  {:<8}  {:<15}  {:<4}  {:<10}  {:>8}  {:>8}\n", "ID", "DATE", "TYPE", "ORDER", "DEPT",
               "STATUS", "VERSIONS", "WARNINGS");
  }
  for (const auto& r : *records) {
    if (as_json) {
      out.push_back({{"id", r.id},
                     {"patient_id", r.key.patient_id},
                     {"date", r.key.date},
                     {"data_type", r.key.data_type},
                     {"order_number", r.key.order_number},
                     {"content_file", r.content_file},
                     {"department", r.department},
                     {"status", store::RecordStatusName(r.status)},
                     {"message_type", r.message_type},
                     {"timestamp", r.timestamp},
                     {"versions", r.version_count},
                     {"warnings", r.warning_count}});
    } else {
      fmt::print("{:>6}  {:<10}  {:<8}  {:<15}  {:<4}  {:<10}  {:>8}  {:>8}\n", r.id, r.key.date, r.key.data_type,
                 r.key.order_number, r.department, store::RecordStatusName(r.status), r.version_count,
                 r.warning_count);
    }
  }
  if (as_json) std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

void AddEdgeCommands(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* edge = app.add_subcommand(
      "edge",
      "The gateway at a disclosing facility: keeps its records (SS-MIX2 trees, receipt-computer CSV and FHIR\n"
      "uploads) as a repository");
  edge->require_subcommand(1);
  // Options owned by the subcommand callbacks; static lifetime is not needed because
  // CLI11 keeps the App (and these shared_ptrs captured by the callbacks) alive in main.
  auto store = std::make_shared<std::string>();
  auto add_store = [store](CLI::App* cmd) {
    cmd->add_option("--store", *store,
                    "repository URL: sqlite:PATH (default sqlite:renkei-edge.db in the working folder) "
                    "or postgresql://USER@HOST/DB");
  };

  {
    auto root = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    auto force = std::make_shared<bool>(false);
    auto no_progress = std::make_shared<bool>(false);
    CLI::App* cmd = edge->add_subcommand(
        "import",
        "Import an SS-MIX2 standardized storage tree: every file is decoded (ISO-2022-JP), parsed (HL7 v2.5),\n"
        "checked and kept as a record version, or quarantined with the exact reason. Files already\n"
        "imported and unchanged (same size and mtime) are skipped, so running it again is cheap.");
    cmd->add_option("--root", *root, "the storage root (the folder holding PID[0:3] folders)")->check(CLI::ExistingDirectory);
    add_store(cmd);
    cmd->add_flag("--json", *as_json, "print the summary as JSON (for scripts)");
    cmd->add_flag("--force", *force, "re-read every file, even unchanged ones");
    cmd->add_flag("--no-progress", *no_progress, "no progress bar on a terminal");
    cmd->callback([=, &global] { *exit_code = RunImport(global, *store, *root, *as_json, *force, *no_progress); });
  }
  {
    auto root = std::make_shared<std::string>();
    auto interval = std::make_shared<int>(0);
    auto as_json = std::make_shared<bool>(false);
    CLI::App* cmd = edge->add_subcommand(
        "watch",
        "Keep importing: rescan the tree every few seconds and pick up new, renamed and rewritten files\n"
        "(polling works on network shares, where file-system notifications do not). Ctrl-C stops.");
    cmd->add_option("--root", *root, "the storage root")->check(CLI::ExistingDirectory);
    add_store(cmd);
    cmd->add_option("--interval", *interval, "seconds between scans (default: edge.watch_interval_seconds, 5)")
        ->check(CLI::Range(1, 86400));
    cmd->add_flag("--json", *as_json, "print one JSON summary line per pass");
    cmd->callback([=, &global] { *exit_code = RunWatch(global, *store, *root, *interval, *as_json); });
  }
  {
    CLI::App* q = edge->add_subcommand(
        "quarantine",
        "Files (and uploaded rows or entries) that could not be imported: list them, inspect one, replay after a fix");
    q->require_subcommand(1);
    auto all = std::make_shared<bool>(false);
    auto as_json = std::make_shared<bool>(false);
    CLI::App* list = q->add_subcommand("list", "List quarantined files (open entries; --all adds resolved ones)");
    add_store(list);
    list->add_flag("--all", *all, "include resolved entries");
    list->add_flag("--json", *as_json, "print JSON");
    list->callback([=, &global] { *exit_code = RunQuarantineList(global, *store, *all, *as_json); });

    auto id = std::make_shared<int64_t>(0);
    auto raw = std::make_shared<bool>(false);
    CLI::App* show = q->add_subcommand("show", "Show one entry: its defects and its content");
    show->add_option("id", *id, "quarantine entry ID (from `list`)")->required();
    add_store(show);
    show->add_flag("--json", *as_json, "print JSON");
    show->add_flag("--raw", *raw, "write the file's original bytes to standard output");
    show->callback([=, &global] { *exit_code = RunQuarantineShow(global, *store, *id, *as_json, *raw); });

    auto ids = std::make_shared<std::vector<int64_t>>();
    CLI::App* replay = q->add_subcommand(
        "replay",
        "Re-read quarantined files from where they were found and import those that now pass.\n"
        "Exit status 1 when some remain defective.");
    replay->add_option("ids", *ids, "quarantine entry IDs");
    replay->add_flag("--all", *all, "replay every open entry");
    add_store(replay);
    replay->add_flag("--json", *as_json, "print JSON");
    replay->callback([=, &global] { *exit_code = RunQuarantineReplay(global, *store, *ids, *all, *as_json); });
  }
  {
    auto limit = std::make_shared<int64_t>(100);
    auto offset = std::make_shared<int64_t>(0);
    auto as_json = std::make_shared<bool>(false);
    CLI::App* cmd = edge->add_subcommand("patients", "List patients with their demographics from ADT-00");
    add_store(cmd);
    cmd->add_option("--limit", *limit, "at most this many (default 100)")->check(CLI::Range(1, 1'000'000));
    cmd->add_option("--offset", *offset, "skip this many")->check(CLI::NonNegativeNumber);
    cmd->add_flag("--json", *as_json, "print JSON");
    cmd->callback([=, &global] { *exit_code = RunPatients(global, *store, *limit, *offset, *as_json); });
  }
  {
    auto listen = std::make_shared<std::string>();
    CLI::App* cmd = edge->add_subcommand(
        "listen",
        "Receive HL7 v2 messages over MLLP (the live feed of an EMR): each is checked like an SS-MIX2\n"
        "file, stored, and acknowledged AA only once committed; defective ones get AE/AR with the\n"
        "reason and are quarantined. Runs until Ctrl-C.");
    cmd->add_option("--listen", *listen, "HOST:PORT to listen on (default edge.mllp_listen, 127.0.0.1:2575; port 0: any)");
    add_store(cmd);
    cmd->callback([=, &global] { *exit_code = RunListen(global, *store, *listen); });
  }
  {
    auto patient = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    CLI::App* cmd = edge->add_subcommand("records", "List a patient's records with their status and versions");
    cmd->add_option("--patient", *patient, "the facility's local patient ID")->required();
    add_store(cmd);
    cmd->add_flag("--json", *as_json, "print JSON");
    cmd->callback([=, &global] { *exit_code = RunRecords(global, *store, *patient, *as_json); });
  }
  AddEdgeChartCommands(*edge, global, exit_code);
  AddEdgeConnectCommand(*edge, global, exit_code);
  AddEdgeUploadCommand(*edge, global, exit_code);
}

}  // namespace renkei::cli
