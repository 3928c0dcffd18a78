#include "cli/edge_chart_commands.h"

#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/time.h"
#include "cli/edge_context.h"
#include "fhir/bundle.h"
#include "fhir/coding.h"
#include "fhir/map.h"

namespace renkei::cli {
namespace {

using nlohmann::json;

std::string TypeList() {
  std::string out;
  for (const auto& t : fhir::EventTypes()) out += (out.empty() ? "" : ", ") + std::string(t.name);
  return out;
}

struct EventsArgs {
  std::string store, patient, from, to, department, cursor;
  std::vector<std::string> types;
  int64_t limit = 100;
  bool all = false, as_json = false;
};

int RunEvents(const GlobalOptions& g, const EventsArgs& a) {
  store::EventQuery q;
  q.patient_id = a.patient;
  for (const std::string& t : a.types) {
    auto type = fhir::EventTypeFromName(t);
    if (!type) return Fail(InvalidArgument(fmt::format("unknown event type '{}'; one of: {}", t, TypeList())));
    q.types.push_back(*type);
  }
  if (a.limit < 1 || a.limit > 10'000) return Fail(InvalidArgument("--limit must be between 1 and 10000"));
  q.from_date = a.from;
  q.to_date = a.to;
  q.department = a.department;
  q.include_inactive = a.all;
  q.limit = a.limit;
  q.cursor = a.cursor;
  auto ctx = Setup(g, a.store);
  if (!ctx.ok()) return Fail(ctx.status());
  auto facility = ResolveFacility(*ctx, g.facility);
  if (!facility.ok()) return Fail(facility.status());
  auto records = ctx->store->ListRecords(a.patient);
  if (!records.ok()) return Fail(records.status());
  if (records->empty()) return Fail(NotFound(fmt::format("no records for patient {}", a.patient)));
  auto page = ctx->store->ListEvents(q);
  if (!page.ok()) return Fail(page.status());
  if (a.as_json) {
    json events = json::array();
    for (const auto& e : page->events) events.push_back(store::EventJson(e, *facility));
    json out = {{"facility", *facility}, {"patient_id", a.patient}, {"events", events}};
    out["next_cursor"] = page->next_cursor.empty() ? json(nullptr) : json(page->next_cursor);
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  fmt::print("Patient {} at facility {}: {} events{}\n", a.patient, *facility, page->events.size(),
             page->next_cursor.empty() ? "" : " (more: --cursor " + page->next_cursor + ")");
  for (const auto& e : page->events) {
    const std::string when = DisplayTime(e.event.occurred_at);
    fmt::print("{:<16}  {:<14}  {:<10}  {}{}{}\n", when, fhir::EventTypeName(e.event.type), e.event.department,
               e.event.abnormal ? "[異常] " : "", e.event.title,
               e.status == store::RecordStatus::kValid ? "" : fmt::format("  ({})", store::RecordStatusName(e.status)));
  }
  return 0;
}

// The facility's Patient when no ADT-00 was ever received: the identifier alone.
json MinimalPatient(const std::string& patient, const std::string& facility) {
  return {{"resourceType", "Patient"},
          {"id", fhir::PatientEntityId(patient)},
          {"identifier", json::array({{{"system", fhir::PatientIdSystem(facility)}, {"value", patient}}})}};
}

int RunExport(const GlobalOptions& g, const std::string& store_flag, const std::string& patient) {
  auto ctx = Setup(g, store_flag);
  if (!ctx.ok()) return Fail(ctx.status());
  auto facility = ResolveFacility(*ctx, g.facility);
  if (!facility.ok()) return Fail(facility.status());
  auto entities = ctx->store->ListPatientEntities(patient);
  if (!entities.ok()) return Fail(entities.status());
  if (entities->empty()) return Fail(NotFound(fmt::format("no records for patient {}", patient)));
  std::vector<json> resources;
  const std::string patient_ref = "Patient/" + fhir::PatientEntityId(patient);
  bool has_patient = false;
  for (const auto& e : *entities) has_patient |= e.reference == patient_ref;
  if (!has_patient) resources.push_back(MinimalPatient(patient, *facility));
  for (auto& e : *entities) {
    resources.push_back(e.resource);
    // A stored document travels with its reference, as a Binary.
    auto binary = store::DocumentBinary(*ctx->store, e);
    if (!binary.ok()) return Fail(binary.status());
    if (*binary) resources.push_back(**std::move(binary));
  }
  std::cout << fhir::CollectionBundle(std::move(resources), NowUtcIso8601()).dump(2) << "\n";
  return 0;
}

int RunEntity(const GlobalOptions& g, const std::string& store_flag, const std::string& reference, int64_t version) {
  if (reference.find('/') == std::string::npos) {
    return Fail(InvalidArgument(fmt::format("'{}' is not a reference; give Type/ID, e.g. Observation/123.20240101.OML-11.5.6", reference)));
  }
  auto ctx = Setup(g, store_flag);
  if (!ctx.ok()) return Fail(ctx.status());
  auto entity = ctx->store->GetEntity(reference, version);
  if (!entity.ok()) return Fail(entity.status());
  if (!entity->has_value()) return Fail(NotFound(fmt::format("no entity {}", reference)));
  std::cout << (*entity)->resource.dump(2) << "\n";
  return 0;
}

int RunChanges(const GlobalOptions& g, const std::string& store_flag, int64_t since, int64_t limit, bool as_json) {
  if (since < 0) return Fail(InvalidArgument("--since must be 0 or a change sequence number"));
  if (limit < 1 || limit > 100'000) return Fail(InvalidArgument("--limit must be between 1 and 100000"));
  auto ctx = Setup(g, store_flag);
  if (!ctx.ok()) return Fail(ctx.status());
  auto changes = ctx->store->ChangesSince(since, limit);
  if (!changes.ok()) return Fail(changes.status());
  const int64_t next = changes->empty() ? since : changes->back().seq;
  if (as_json) {
    json list = json::array();
    for (const auto& c : *changes) {
      list.push_back({{"seq", c.seq}, {"kind", store::ChangeKindName(c.kind)}, {"patient_id", c.patient_id},
                      {"record_id", c.record_id}, {"data_type", c.data_type}, {"event_type", c.event_type}, {"at", c.at}});
    }
    std::cout << json{{"changes", list}, {"next_since", next}}.dump(2) << "\n";
    return 0;
  }
  for (const auto& c : *changes) {
    fmt::print("{:>8}  {:<10}  {:<8}  patient {}  record {}  {}\n", c.seq, store::ChangeKindName(c.kind), c.data_type,
               c.patient_id, c.record_id, c.at);
  }
  fmt::print("next: --since {}\n", next);
  return 0;
}

}  // namespace

void AddEdgeChartCommands(CLI::App& edge, const GlobalOptions& global, int* exit_code) {
  {
    auto a = std::make_shared<EventsArgs>();
    CLI::App* cmd = edge.add_subcommand(
        "events", "List a patient's chart lines (events), newest first: what, when, where, by whom, with a title");
    cmd->add_option("--patient", a->patient, "the facility's local patient ID")->required();
    cmd->add_option("--type", a->types, "only these event types (repeatable): " + TypeList());
    cmd->add_option("--from", a->from, "only events on or after this date (YYYY-MM-DD)");
    cmd->add_option("--to", a->to, "only events on or before this date (YYYY-MM-DD)");
    cmd->add_option("--department", a->department, "only this department (code or name, e.g. 01 or 内科)");
    cmd->add_option("--limit", a->limit, "events per page (default 100)");
    cmd->add_option("--cursor", a->cursor, "continue after the page that printed this cursor");
    cmd->add_flag("--all", a->all, "include superseded and deleted records (marked)");
    cmd->add_flag("--json", a->as_json, "print JSON (for scripts)");
    cmd->add_option("--store", a->store, "the repository (overrides edge.store)");
    cmd->callback([=, &global] { *exit_code = RunEvents(global, *a); });
  }
  {
    auto store = std::make_shared<std::string>();
    auto patient = std::make_shared<std::string>();
    CLI::App* cmd = edge.add_subcommand(
        "export", "Write a patient's record as a FHIR R4 Bundle (JSON, JP Core profiles) to standard output");
    cmd->add_option("--patient", *patient, "the facility's local patient ID")->required();
    cmd->add_option("--store", *store, "the repository (overrides edge.store)");
    cmd->callback([=, &global] { *exit_code = RunExport(global, *store, *patient); });
  }
  {
    auto store = std::make_shared<std::string>();
    auto reference = std::make_shared<std::string>();
    auto version = std::make_shared<int64_t>(0);
    CLI::App* cmd = edge.add_subcommand("entity", "Print one entity (a FHIR resource) by its reference Type/ID");
    cmd->add_option("reference", *reference, "e.g. MedicationRequest/9999013.20110701.OMP-01.000000011000185.4")->required();
    cmd->add_option("--version", *version, "that version (meta.versionId) instead of the current one");
    cmd->add_option("--store", *store, "the repository (overrides edge.store)");
    cmd->callback([=, &global] { *exit_code = RunEntity(global, *store, *reference, *version); });
  }
  {
    auto store = std::make_shared<std::string>();
    auto since = std::make_shared<int64_t>(0);
    auto limit = std::make_shared<int64_t>(1000);
    auto as_json = std::make_shared<bool>(false);
    CLI::App* cmd = edge.add_subcommand(
        "changes", "The change feed: every new, updated, superseded or deleted record and demographics update, in order");
    cmd->add_option("--since", *since, "only changes after this sequence number (0: from the start)");
    cmd->add_option("--limit", *limit, "at most this many (default 1000)");
    cmd->add_flag("--json", *as_json, "print JSON (for scripts)");
    cmd->add_option("--store", *store, "the repository (overrides edge.store)");
    cmd->callback([=, &global] { *exit_code = RunChanges(global, *store, *since, *limit, *as_json); });
  }
}

}  // namespace renkei::cli
