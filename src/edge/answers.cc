#include "edge/answers.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "base/time.h"
#include "edge/upload.h"
#include "fhir/coding.h"
#include "fhir/event.h"
#include "pki/digest.h"
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

constexpr std::string_view kWritableTypes[] = {"Encounter", "QuestionnaireResponse"};
constexpr size_t kMaxWriteBytes = 256 << 10;

// An entry of a "resources", "record" or "write" answer.
json EntryJson(store::EntityRow& e, const std::string& patient_id, const std::string& event_type,
               const std::string& occurred_at, const std::string& sort_key) {
  return {{"reference", e.reference}, {"record_id", e.record_id}, {"patient_id", patient_id}, {"event_type", event_type},
          {"occurred_at", occurred_at}, {"sort_key", sort_key}, {"status", store::RecordStatusName(e.status)},
          {"resource", std::move(e.resource)}};
}

// The query of a "resources" request, and of the extraction after a write-back.
StatusOr<store::ResourceQuery> ResourceQueryOf(const json& args) {
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
  return q;
}

// The patients' resources for `q`, newest first: {"resources": [entry...], "more"}.
StatusOr<json> ResourceEntries(store::Store& s, const std::vector<std::string>& ids, store::ResourceQuery q) {
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
  for (store::ResourceRow& r : rows) resources.push_back(EntryJson(r.entity, r.patient_id, r.event_type, r.occurred_at, r.sort_key));
  return json{{"resources", std::move(resources)}, {"more", more}};
}

}  // namespace

Answers::Answers(std::string facility, std::optional<pki::Signer> signer, std::optional<ImportOptions> rescan,
                 std::shared_ptr<log::Logger> logger)
    : facility_(std::move(facility)), signer_(std::move(signer)), rescan_(std::move(rescan)), logger_(std::move(logger)) {}

StatusOr<relay::Answer> Answers::Answer(store::Store& store, std::string_view op, const json& args,
                                        const std::atomic<bool>& cancelled) const {
  if (op == "ping") return relay::Answer{"{}", ""};
  StatusOr<json> body = op == "events"      ? Events(store, args, cancelled)
                        : op == "entity"    ? EntityOf(store, args)
                        : op == "resources" ? Resources(store, args)
                        : op == "record"    ? Record(store, args)
                        : op == "write"     ? Write(store, args)
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
  RENKEI_ASSIGN_OR_RETURN(store::ResourceQuery q, ResourceQueryOf(args));
  RENKEI_ASSIGN_OR_RETURN(json body, ResourceEntries(s, ids, std::move(q)));
  body["patient_ids"] = ids;
  return body;
}

StatusOr<json> Answers::Record(store::Store& s, const json& args) const {
  RENKEI_ASSIGN_OR_RETURN(std::vector<std::string> ids, PatientIds(args));
  const auto record = args.find("record_id");
  if (record == args.end() || !record->is_number_integer() || record->get<int64_t>() < 0) {
    return InvalidArgument("'record_id' must be a record's ID (0 for the patient's demographics)");
  }
  if (record->get<int64_t>() == 0) {
    store::ResourceQuery q;
    q.resource_types = {"Patient"};
    RENKEI_ASSIGN_OR_RETURN(json body, ResourceEntries(s, ids, std::move(q)));
    body["patient_ids"] = ids;
    return body;
  }
  // The record as it is now, deleted or superseded too (its entity says so): the change itself.
  json resources = json::array();
  for (const std::string& id : ids) {
    RENKEI_ASSIGN_OR_RETURN(auto entities, s.ListPatientEntities(id, record->get<int64_t>()));
    for (store::EntityRow& e : entities) resources.push_back(EntryJson(e, id, "", "", ""));
  }
  return json{{"patient_ids", ids}, {"resources", std::move(resources)}};
}
StatusOr<json> Answers::Write(store::Store& s, const json& args) const {
  RENKEI_ASSIGN_OR_RETURN(std::vector<std::string> ids, PatientIds(json{{"patient_ids", {args.value("patient_id", json())}}}));
  const std::string service = StringArg(args, "service"), key = StringArg(args, "key");
  if (service.empty() || service.size() > 64) return InvalidArgument("'service' (the writing service's name) is required");
  if (key.empty() || key.size() > 255) return InvalidArgument("'key' (the write's idempotency key, 1-255 characters) is required");
  const auto resource = args.find("resource");
  if (resource == args.end() || !resource->is_object()) return InvalidArgument("'resource' must be a FHIR resource (a JSON object)");
  const std::string type = StringArg(*resource, "resourceType");
  if (std::find(std::begin(kWritableTypes), std::end(kWritableTypes), type) == std::end(kWritableTypes)) {
    return InvalidArgument("a service writes an Encounter (a reception or, planned, a reservation) or a QuestionnaireResponse");
  }
  RENKEI_ASSIGN_OR_RETURN(store::ResourceQuery extract, ResourceQueryOf(args));
  // The record's identity comes from who wrote it and their key, never from the resource, so
  // that a write sent twice is one record and a service cannot overwrite another's.
  const std::string digest = pki::Sha256Hex(service + "\n" + key).substr(0, 32);
  json written = *resource;
  written["id"] = "svc-" + digest;
  written.erase("identifier");
  // Whatever the service named, the resource is about the patient the hub named.
  written["subject"] = {{"identifier", {{"system", fhir::PatientIdSystem(facility_)}, {"value", ids[0]}}}};
  const json bundle = {{"resourceType", "Bundle"}, {"type", "collection"}, {"entry", json::array({{{"resource", written}}})}};
  std::string text = bundle.dump();
  if (text.size() > kMaxWriteBytes) return ResourceExhausted(fmt::format("a written resource is at most {} bytes", kMaxWriteBytes));
  UploadOptions options;
  options.facility_id = facility_;
  options.file_name = fmt::format("service-{}.json", digest);
  Uploader uploader(s, logger_);
  RENKEI_ASSIGN_OR_RETURN(UploadReport report, uploader.UploadFhir(options, text));
  if (report.items.size() != 1) return Internal("the write did not become one item");
  const UploadItem& item = report.items[0];
  if (item.outcome == UploadOutcome::kQuarantined || item.outcome == UploadOutcome::kSkipped) {
    return InvalidArgument(fmt::format("the resource was not stored: {}", item.reason));
  }
  RENKEI_ASSIGN_OR_RETURN(json body, ResourceEntries(s, ids, std::move(extract)));
  body["patient_id"] = ids[0];
  body["outcome"] = UploadOutcomeName(item.outcome);
  body["record_id"] = item.record_id;
  body["reference"] = item.reference;
  return body;
}

}  // namespace renkei::edge
