#include "cli/audit_commands.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "audit/store.h"
#include "audit/verify.h"
#include "base/file.h"
#include "cli/hub_commands.h"

namespace renkei::cli {
namespace {

using nlohmann::json;

// The verdict "not intact" (verify) or "a damaged entry" (list): neither a usage error nor an
// unreachable store.
constexpr int kNotIntact = 1;

int Fail(std::string_view command, const Status& s) {
  std::cerr << "renkei audit " << command << ": " << s.message() << "\n";
  if (s.code() == StatusCode::kDataLoss) return kNotIntact;
  return HubExitCode(s);
}

struct VerifyFlags {
  std::string store, ca, signer;
  bool as_json = false, no_progress = false;
};

struct ListFlags {
  std::string store, patient, principal, facility, action, from, to;
  int64_t before = -1;  // -1: from the newest
  size_t limit = 50;
  bool as_json = false;
};

// Progress on standard error once a run has taken two seconds: a line redrawn every second on a
// terminal, a line every ten seconds otherwise (a log file, CI).
std::function<void(int64_t, int64_t)> Progress() {
  struct State {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(), last{};
    bool tty = ::isatty(STDERR_FILENO) != 0;
    bool drew = false;
  };
  auto state = std::make_shared<State>();
  return [state](int64_t checked, int64_t total) {
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - state->start).count();
    const bool done = checked >= total;
    if (secs < 2 || (!done && now - state->last < std::chrono::seconds(state->tty ? 1 : 10))) return;
    if (done && !state->drew) return;
    state->last = now;
    state->drew = true;
    const std::string line = fmt::format("verified {}/{} entries ({:.0f}/s)", checked, total, checked / secs);
    if (state->tty) {
      fmt::print(stderr, "\r{}   {}", line, done ? "\n" : "");
    } else {
      fmt::print(stderr, "{}\n", line);
    }
  };
}

int RunVerify(const VerifyFlags& f) {
  audit::VerifyOptions options;
  if (!f.ca.empty()) {
    auto pem = ReadFile(f.ca, 1 << 20);
    if (!pem.ok()) return Fail("verify", pem.status().Annotate("--ca"));
    options.ca_pem = std::move(pem).value();
  }
  if (!f.signer.empty() && f.ca.empty()) return Fail("verify", InvalidArgument("--signer needs --ca"));
  options.signer_name = f.signer;
  if (!f.no_progress && !f.as_json) options.progress = Progress();
  auto db = audit::OpenForReading(f.store);
  if (!db.ok()) return Fail("verify", db.status());
  auto report = audit::Verify(**db, options);
  if (!report.ok()) return Fail("verify", report.status());
  if (f.as_json) {
    std::cout << audit::ReportJson(*report).dump(2) << "\n";
  } else {
    std::cout << audit::Describe(*report) << "\n";
  }
  return report->intact ? 0 : kNotIntact;
}

StatusOr<audit::Query> QueryOf(const ListFlags& f) {
  audit::Query q;
  q.patient = f.patient;
  q.principal = f.principal;
  q.facility = f.facility;
  q.action = f.action;
  if (!f.from.empty()) {
    auto t = audit::ParseTime(f.from);
    if (!t.ok()) return t.status().Annotate("--from");
    q.from_ms = *t;
  }
  if (!f.to.empty()) {
    auto t = audit::ParseTime(f.to);
    if (!t.ok()) return t.status().Annotate("--to");
    q.to_ms = *t;
  }
  if (f.before >= 0) q.before = f.before;
  q.limit = f.limit;
  return q;
}

void PrintEntry(const audit::Entry& entry) {
  const audit::Event& e = entry.event;
  std::string who = e.who.name;
  if (!e.who.role.empty() || !e.who.facility.empty()) {
    who += fmt::format(" ({}{}{})", e.who.role, e.who.role.empty() || e.who.facility.empty() ? "" : ", ", e.who.facility);
  }
  std::string what = e.data.types.empty() ? "" : fmt::format("  [{}]", fmt::join(e.data.types, ","));
  fmt::print("{:>8}  {}  {:<18}  {:<8}  {:<13}  {:<7}  {}{}\n", entry.seq, audit::FormatTime(e.time_ms), e.action,
             audit::DecisionName(e.decision), e.patient.empty() ? "-" : e.patient, e.purpose.empty() ? "-" : e.purpose,
             who, what);
  if (!e.reason.empty()) fmt::print("{:>8}  {}\n", "", e.reason);
}

int RunList(const ListFlags& f) {
  auto query = QueryOf(f);
  if (!query.ok()) return Fail("list", query.status());
  auto db = audit::OpenForReading(f.store);
  if (!db.ok()) return Fail("list", db.status());
  auto page = audit::List(**db, *query);
  if (!page.ok()) return Fail("list", page.status());
  if (f.as_json) {
    json entries = json::array();
    for (const audit::Entry& entry : page->entries) {
      json j = json::parse(entry.text);  // List has parsed it already
      j["seq"] = entry.seq;
      entries.push_back(std::move(j));
    }
    std::cout << json({{"entries", entries},
                       {"next_before", page->next_before ? json(*page->next_before) : json(nullptr)}})
                     .dump(2)
              << "\n";
    return 0;
  }
  fmt::print("{:>8}  {:<24}  {:<18}  {:<8}  {:<13}  {:<7}  {}\n", "ENTRY", "TIME (UTC)", "ACTION", "DECISION",
             "PATIENT", "PURPOSE", "WHO");
  for (const audit::Entry& entry : page->entries) PrintEntry(entry);
  if (page->next_before) fmt::print("more: add --before {}\n", *page->next_before);
  return 0;
}

void AddStore(CLI::App* cmd, std::string* store) {
  cmd->add_option("--store", *store, "the audit log: sqlite:PATH or postgresql://USER@HOST/DB")
      ->required()
      ->type_name("URL");
}

}  // namespace

void AddAuditCommands(CLI::App& app, int* exit_code) {
  CLI::App* audit = app.add_subcommand(
      "audit",
      "The hub's audit trail: every access to patient data and every change of consent or policy, one entry each,\n"
      "hash-chained and under heads signed with the hub's key, so that a changed, removed, inserted or reordered\n"
      "entry is found. These commands only read the log.\n"
      "Exit codes: 0 intact (verify) or listed, 1 the log is not intact or an entry is damaged, 2 invalid input,\n"
      "3 no such log, 4 the store unavailable.");
  audit->require_subcommand(1);

  auto v = std::make_shared<VerifyFlags>();
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "Walk the whole log, recomputing its hash chain and checking every signed head, and print \"intact: ...\"\n"
      "(exit 0) or \"entry N: <why>\" naming the first entry that cannot be trusted (exit 1). With --ca every head\n"
      "must be signed by a hub certificate of that CA; without it signatures are not checked. Progress goes to\n"
      "standard error on long runs.");
  AddStore(verify, &v->store);
  verify->add_option("--ca", v->ca, "the region's CA certificate (ca.crt): check the heads' signatures")
      ->type_name("FILE");
  verify->add_option("--signer", v->signer, "with --ca: the heads must be signed by this hub certificate's name");
  verify->add_flag("--json", v->as_json, "print the report as JSON (no progress)");
  verify->add_flag("--no-progress", v->no_progress, "no progress on standard error");
  verify->callback([v, exit_code] { *exit_code = RunVerify(*v); });

  auto l = std::make_shared<ListFlags>();
  CLI::App* list = audit->add_subcommand(
      "list",
      "Entries newest first, filtered: a patient's (who looked at their record), a principal's, a facility's, an\n"
      "action's, in a time range. Each stored entry is checked against its indexed columns on the way. Only the\n"
      "patient and the time are indexed: with --principal, --facility or --action give --from/--to on a large log.");
  AddStore(list, &l->store);
  list->add_option("--patient", l->patient, "the patient's regional ID (RK...)");
  list->add_option("--principal", l->principal, "who acted (a user's, edge's or operator's name)");
  list->add_option("--facility", l->facility, "the facility the principal acted for");
  list->add_option("--action", l->action, "chart.view, entity.read, consent.change, policy.change, breakglass.start ...");
  list->add_option("--from", l->from, "from this time on: 2026-11-21, 2026-11-21T05:59:01Z (UTC) or milliseconds");
  list->add_option("--to", l->to, "before this time (same forms)");
  list->add_option("--before", l->before, "entries numbered below N: the next page (printed as \"more: ...\")")
      ->check(CLI::NonNegativeNumber);
  list->add_option("--limit", l->limit, fmt::format("entries per page, 1-{} (default 50)", audit::kMaxListLimit))
      ->check(CLI::Range(size_t{1}, audit::kMaxListLimit));
  list->add_flag("--json", l->as_json, "print {\"entries\": [...], \"next_before\": N} with each entry as stored");
  list->callback([l, exit_code] { *exit_code = RunList(*l); });
}

}  // namespace renkei::cli
