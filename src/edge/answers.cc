#include "edge/answers.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "base/time.h"
#include "fhir/event.h"
#include "ssmix2/path.h"

namespace renkei::edge {
namespace {

using nlohmann::json;

constexpr size_t kMaxPatientIds = 20;

StatusOr<std::vector<std::string>> PatientIds(const json& args) {
  const auto ids = args.find("patient_ids");
  if (ids == args.end() || !ids->is_array() || ids->empty() || ids->size() > kMaxPatientIds) {
    return InvalidArgument(fmt::format("'patient_ids' must be an array of 1 to {} IDs", kMaxPatientIds));
  }
  std::vector<std::string> out;
  for (const json& id : *ids) {
    if (!id.is_string()) return InvalidArgument("'patient_ids' holds a non-string");
    const std::string& s = id.get_ref<const std::string&>();
    if (s.empty() || s.size() > 64 || s.find('/') != std::string::npos || s == "." || s == "..") {
      return InvalidArgument("'patient_ids' holds a malformed ID");
    }
    out.push_back(s);
  }
  return out;
}

std::string StringArg(const json& args, const char* name) {
  const auto it = args.find(name);
  return it != args.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Answers::Answers(std::string facility, std::optional<pki::Signer> signer, std::optional<ImportOptions> rescan,
                 std::shared_ptr<log::Logger> logger)
    : facility_(std::move(facility)), signer_(std::move(signer)), rescan_(std::move(rescan)), logger_(std::move(logger)) {}

StatusOr<relay::Answer> Answers::Answer(store::Store& store, std::string_view op, const json& args,
                                        const std::atomic<bool>& cancelled) const {
  if (op == "ping") return relay::Answer{"{}", ""};
  StatusOr<json> body = op == "events"   ? Events(store, args, cancelled)
                        : op == "entity"    ? EntityOf(store, args)
                        : op == "resources" ? Resources(store, args)
                                         : StatusOr<json>(InvalidArgument(fmt::format("unknown op '{}'", op.substr(0, 40))));
  if (!body.ok()) return body.status();
  (*body)["facility"] = facility_;
  (*body)["nonce"] = StringArg(args, "nonce");
  (*body)["at"] = NowUtcIso8601();
  std::string text = body->dump();
  std::string signature = signer_ ? signer_->Sign(text) : "";
  return relay::Answer{std::move(text), std::move(signature)};
}

StatusOr<json> Answers::Events(store::Store& s, const json& args, const std::atomic<bool>& cancelled) const {
  RENKEI_ASSIGN_OR_RETURN(std::vector<std::string> ids, PatientIds(args));
  store::EventQuery q;
  if (const auto types = args.find("types"); types != args.end() && types->is_array()) {
    for (const json& t : *types) {
      auto type = t.is_string() ? fhir::EventTypeFromName(t.get<std::string>()) : std::nullopt;
      if (!type) return InvalidArgument("'types' holds an unknown event type");
      q.types.push_back(*type);
    }
  }
  q.from_date = StringArg(args, "from");
  q.to_date = StringArg(args, "to");
  q.department = StringArg(args, "department");
  q.cursor = StringArg(args, "cursor");
  q.limit = args.value("limit", int64_t{100});
  if (q.limit < 1 || q.limit > 1000) return InvalidArgument("'limit' must be from 1 to 1000");
  if (args.value("refresh", false) && rescan_) {
    for (const std::string& id : ids) {
      if (cancelled.load()) return Unavailable("cancelled");
      ImportOptions scan = *rescan_;
      scan.subtree = ssmix2::PatientFolder(id);
      Importer importer(s, logger_);
      RENKEI_RETURN_IF_ERROR(importer.Run(scan, nullptr, &cancelled).status());
    }
  }
  std::vector<store::EventRow> rows;
  bool more = false;
  for (const std::string& id : ids) {
    q.patient_id = id;
    RENKEI_ASSIGN_OR_RETURN(store::EventPage page, s.ListEvents(q));
    more |= !page.next_cursor.empty();
    for (auto& e : page.events) rows.push_back(std::move(e));
  }
  std::sort(rows.begin(), rows.end(), [](const store::EventRow& a, const store::EventRow& b) {
    return a.event.sort_key != b.event.sort_key ? a.event.sort_key > b.event.sort_key : a.record_id > b.record_id;
  });
  if (rows.size() > static_cast<size_t>(q.limit)) {
    rows.resize(static_cast<size_t>(q.limit));
    more = true;
  }
  json events = json::array();
  for (const auto& e : rows) events.push_back(store::EventJson(e, facility_));
  return json{{"patient_ids", ids}, {"events", std::move(events)}, {"more", more}};
}

StatusOr<json> Answers::EntityOf(store::Store& s, const json& args) const {
  RENKEI_ASSIGN_OR_RETURN(std::vector<std::string> ids, PatientIds(args));
  const std::string reference = StringArg(args, "reference");
  const int64_t version = args.value("version", int64_t{0});
  const auto missing = [&] { return NotFound(fmt::format("no entity {} of this patient", reference.substr(0, 200))); };
  // A stored document's Binary is asked for by its own reference and served from its
  // DocumentReference, which has the same ID.
  const bool binary = reference.starts_with("Binary/");
  RENKEI_ASSIGN_OR_RETURN(auto entity,
                          s.GetEntity(binary ? "DocumentReference/" + reference.substr(7) : reference, version));
  if (!entity) return missing();
  RENKEI_ASSIGN_OR_RETURN(auto record, s.GetRecord(entity->record_id));
  // An entity of another patient is answered exactly like one that does not exist.
  if (!record || std::find(ids.begin(), ids.end(), record->key.patient_id) == ids.end()) return missing();
  if (binary) {
    RENKEI_ASSIGN_OR_RETURN(auto document, store::DocumentBinary(s, *entity));
    if (!document) return missing();
    return json{{"reference", reference}, {"patient_id", record->key.patient_id}, {"resource", *std::move(document)}};
  }
  return json{{"reference", entity->reference}, {"patient_id", record->key.patient_id}, {"resource", entity->resource}};
}

StatusOr<json> Answers::Resources(store::Store& s, const json& args) const {
  RENKEI_ASSIGN_OR_RETURN(std::vector<std::string> ids, PatientIds(args));
  store::ResourceQuery q;
  if (const auto types = args.find("types"); types != args.end() && !types->is_null()) {
    if (!types->is_array() || types->size() > 32) return InvalidArgument("'types' must be an array of at most 32 resource types");
    for (const json& t : *types) {
      if (!t.is_string()) return InvalidArgument("'types' holds a non-string");
      q.resource_types.push_back(t.get<std::string>());
    }
  }
  q.from_date = StringArg(args, "from");
  q.to_date = StringArg(args, "to");
  const json limit = args.value("limit", json(1000));
  if (!limit.is_number_integer() || limit.get<int64_t>() < 1 || limit.get<int64_t>() > 5000) {
    return InvalidArgument("'limit' must be from 1 to 5000");
  }
  q.limit = limit.get<int64_t>();
  std::vector<store::ResourceRow> rows;
  bool more = false;
  for (const std::string& id : ids) {
    q.patient_id = id;
    RENKEI_ASSIGN_OR_RETURN(store::ResourcePage page, s.ListResources(q));
    more |= page.more;
    for (auto& r : page.resources) rows.push_back(std::move(r));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const store::ResourceRow& a, const store::ResourceRow& b) {
    return a.sort_key != b.sort_key ? a.sort_key > b.sort_key : a.entity.record_id > b.entity.record_id;
  });
  if (rows.size() > static_cast<size_t>(q.limit)) {
    rows.resize(static_cast<size_t>(q.limit));
    more = true;
  }
  json resources = json::array();
  for (store::ResourceRow& r : rows) {
    resources.push_back({{"reference", r.entity.reference}, {"record_id", r.entity.record_id},
                         {"patient_id", r.patient_id}, {"event_type", r.event_type}, {"occurred_at", r.occurred_at},
                         {"sort_key", r.sort_key}, {"status", store::RecordStatusName(r.entity.status)},
                         {"resource", std::move(r.entity.resource)}});
  }
  return json{{"patient_ids", ids}, {"resources", std::move(resources)}, {"more", more}};
}

}  // namespace renkei::edge
