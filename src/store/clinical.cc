// The clinical layer of the edge repository: events, entities and the change feed.
#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/time.h"
#include "fhir/bundle.h"
#include "store/store.h"

namespace renkei::store {
namespace {

using nlohmann::json;
using sql::SqlRow;
using sql::SqlValue;

ChangeKind ChangeOf(const PutResult& put) {
  if (put.status == RecordStatus::kDeleted) return ChangeKind::kDeleted;
  if (put.status == RecordStatus::kSuperseded) return ChangeKind::kSuperseded;
  return put.outcome == PutOutcome::kNewRecord ? ChangeKind::kCreated : ChangeKind::kUpdated;
}

constexpr std::string_view kEventColumns =
    "record_id, version_id, patient_id, data_type, status, event_type, sort_key, occurred_at, department_code, "
    "department, practitioner, title, abnormal, entity_refs, updated_at";

EventRow ToEvent(const SqlRow& r) {
  EventRow e;
  e.record_id = r.Int(0);
  e.version_id = r.Int(1);
  e.patient_id = r.Text(2);
  e.data_type = r.Text(3);
  e.status = ParseRecordStatus(r.Text(4));
  e.event.type = fhir::EventTypeFromName(r.Text(5)).value_or(fhir::EventType::kVisit);
  e.event.sort_key = r.Text(6);
  e.event.occurred_at = r.Text(7);
  e.event.department_code = r.Text(8);
  e.event.department = r.Text(9);
  e.event.practitioner = r.Text(10);
  e.event.title = r.Text(11);
  e.event.abnormal = r.Int(12) != 0;
  auto refs = json::parse(r.Text(13), nullptr, false);
  if (refs.is_array()) {
    for (const auto& ref : refs) {
      if (ref.is_string()) e.event.entity_refs.push_back(ref.get<std::string>());
    }
  }
  e.updated_at = r.Text(14);
  return e;
}

// "YYYYMMDD" or "YYYY-MM-DD" → "YYYYMMDD"; nullopt when malformed.
std::optional<std::string> CompactDate(std::string_view d) {
  std::string out;
  for (char c : d) {
    if (c == '-') continue;
    if (c < '0' || c > '9') return std::nullopt;
    out += c;
  }
  if (out.size() != 8 || !ssmix2::IsValidDate(out)) return std::nullopt;
  return out;
}

// Applies a record's lifecycle to a stored entity body.
EntityRow ToEntity(std::string reference, const std::string& body, int64_t record_id, int64_t version_id,
                   RecordStatus status, int64_t current_version_id, bool in_current) {
  EntityRow e;
  e.reference = std::move(reference);
  e.record_id = record_id;
  e.version_id = version_id;
  e.status = status;
  e.current = version_id == current_version_id;
  e.resource = json::parse(body, nullptr, false);
  if (e.resource.is_discarded()) e.resource = json::object();
  e.resource["meta"]["versionId"] = std::to_string(version_id);
  if (status == RecordStatus::kDeleted) {
    fhir::ApplyLifecycle(e.resource, fhir::Lifecycle::kDeleted);
  } else if (!e.current) {
    fhir::ApplyLifecycle(e.resource, fhir::Lifecycle::kSuperseded,
                         in_current ? fmt::format("{}/_history/{}", e.reference, current_version_id) : "");
  } else if (status == RecordStatus::kSuperseded) {
    fhir::ApplyLifecycle(e.resource, fhir::Lifecycle::kSuperseded);
  }
  return e;
}

}  // namespace

std::string_view ChangeKindName(ChangeKind k) {
  switch (k) {
    case ChangeKind::kCreated: return "created";
    case ChangeKind::kUpdated: return "updated";
    case ChangeKind::kSuperseded: return "superseded";
    case ChangeKind::kDeleted: return "deleted";
    case ChangeKind::kPatient: return "patient";
  }
  return "updated";
}

Status Store::PutMapping(const PutResult& put, const ssmix2::RecordKey& key, const fhir::Mapping& mapping) {
  if (put.outcome == PutOutcome::kUnchanged) return Status::Ok();
  for (const fhir::Entity& e : mapping.entities) {
    RENKEI_RETURN_IF_ERROR(db_->Query("INSERT INTO entities (reference, version_id, record_id, patient_id, body) "
                                      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (reference, version_id) "
                                      "DO UPDATE SET body = excluded.body",
                                      {e.Reference(), put.version_id, put.record_id, key.patient_id, e.resource.dump()})
                               .status());
  }
  if (!put.is_current) return Status::Ok();  // an older version: history only
  const std::string now = NowUtcIso8601();
  std::string event_type;
  if (mapping.event) {
    const fhir::Event& ev = *mapping.event;
    event_type = std::string(fhir::EventTypeName(ev.type));
    RENKEI_RETURN_IF_ERROR(
        db_->Query("INSERT INTO events (" + std::string(kEventColumns) +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
                       "ON CONFLICT (record_id) DO UPDATE SET version_id = excluded.version_id, status = excluded.status, "
                       "event_type = excluded.event_type, sort_key = excluded.sort_key, occurred_at = excluded.occurred_at, "
                       "department_code = excluded.department_code, department = excluded.department, "
                       "practitioner = excluded.practitioner, title = excluded.title, abnormal = excluded.abnormal, "
                       "entity_refs = excluded.entity_refs, updated_at = excluded.updated_at",
                   {put.record_id, put.version_id, key.patient_id, key.data_type,
                    std::string(RecordStatusName(put.status)), event_type, ev.sort_key, ev.occurred_at,
                    ev.department_code, ev.department, ev.practitioner, ev.title, int64_t{ev.abnormal},
                    json(ev.entity_refs).dump(), now})
            .status());
  } else {
    RENKEI_RETURN_IF_ERROR(db_->Query("DELETE FROM events WHERE record_id = $1", {put.record_id}).status());
  }
  return db_->Query("INSERT INTO changes (kind, patient_id, record_id, data_type, event_type, at) "
                    "VALUES ($1, $2, $3, $4, $5, $6)",
                    {std::string(ChangeKindName(ChangeOf(put))), key.patient_id, put.record_id, key.data_type,
                     event_type, now})
      .status();
}

Status Store::AppendPatientChange(std::string_view patient_id) {
  return db_->Query("INSERT INTO changes (kind, patient_id, record_id, data_type, event_type, at) "
                    "VALUES ('patient', $1, 0, 'ADT-00', '', $2)",
                    {std::string(patient_id), NowUtcIso8601()})
      .status();
}

StatusOr<EventPage> Store::ListEvents(const EventQuery& q) {
  std::string sql = "SELECT " + std::string(kEventColumns) + " FROM events WHERE patient_id = $1";
  std::vector<SqlValue> params = {q.patient_id};
  auto param = [&](SqlValue v) {
    params.push_back(std::move(v));
    return fmt::format("${}", params.size());
  };
  if (!q.include_inactive) sql += " AND status = 'valid'";
  if (!q.types.empty()) {
    sql += " AND event_type IN (";
    for (size_t i = 0; i < q.types.size(); ++i) {
      sql += (i ? ", " : "") + param(std::string(fhir::EventTypeName(q.types[i])));
    }
    sql += ")";
  }
  if (!q.from_date.empty()) {
    auto d = CompactDate(q.from_date);
    if (!d) return InvalidArgument(fmt::format("'{}' is not a date (YYYY-MM-DD)", q.from_date));
    sql += " AND sort_key >= " + param(*d + "000000");
  }
  if (!q.to_date.empty()) {
    auto d = CompactDate(q.to_date);
    if (!d) return InvalidArgument(fmt::format("'{}' is not a date (YYYY-MM-DD)", q.to_date));
    sql += " AND sort_key <= " + param(*d + "235959");
  }
  if (!q.department.empty()) {
    const std::string p = param(q.department);
    sql += fmt::format(" AND (department_code = {0} OR department = {0})", p);
  }
  if (!q.cursor.empty()) {
    // The cursor is the last row's (sort_key, record_id): the next page starts just after it.
    const size_t colon = q.cursor.find(':');
    int64_t record_id = 0;
    const std::string_view id_text = colon == std::string::npos ? "" : std::string_view(q.cursor).substr(colon + 1);
    auto [ptr, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), record_id);
    const std::string key = q.cursor.substr(0, colon == std::string::npos ? 0 : colon);
    if (colon != 14 || ec != std::errc() || ptr != id_text.data() + id_text.size() ||
        key.find_first_not_of("0123456789") != std::string::npos) {
      return InvalidArgument(fmt::format("malformed cursor '{}'", q.cursor));
    }
    const std::string k = param(key);
    sql += fmt::format(" AND (sort_key < {0} OR (sort_key = {0} AND record_id < {1}))", k, param(record_id));
  }
  const int64_t limit = std::clamp<int64_t>(q.limit, 1, 10'000);
  sql += " ORDER BY sort_key DESC, record_id DESC LIMIT " + param(limit + 1);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query(sql, params));
  EventPage page;
  for (const SqlRow& r : rows) {
    if (static_cast<int64_t>(page.events.size()) == limit) {
      const EventRow& last = page.events.back();
      page.next_cursor = fmt::format("{}:{}", last.event.sort_key, last.record_id);
      break;
    }
    page.events.push_back(ToEvent(r));
  }
  return page;
}

StatusOr<std::optional<EntityRow>> Store::GetEntity(std::string_view reference, int64_t version_id) {
  // The wanted version (or the current one, else the newest that has this entity), with the
  // record's status and whether the record's current version still has the entity.
  RENKEI_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT e.body, e.record_id, e.version_id, r.status, r.current_version_id, "
                 "(SELECT COUNT(*) FROM entities c WHERE c.reference = e.reference AND c.version_id = r.current_version_id) "
                 "FROM entities e JOIN records r ON r.id = e.record_id "
                 "WHERE e.reference = $1 AND ($2 = 0 OR e.version_id = $2) "
                 "ORDER BY CASE WHEN e.version_id = r.current_version_id THEN 1 ELSE 0 END DESC, e.version_id DESC LIMIT 1",
                 {std::string(reference), version_id}));
  if (rows.empty()) return std::optional<EntityRow>();
  const SqlRow& r = rows[0];
  return std::optional<EntityRow>(ToEntity(std::string(reference), r.Text(0), r.Int(1), r.Int(2),
                                           ParseRecordStatus(r.Text(3)), r.Int(4), r.Int(5) > 0));
}

StatusOr<std::vector<EntityRow>> Store::ListPatientEntities(std::string_view patient_id, int64_t record_id) {
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT e.reference, e.body, e.record_id, e.version_id, r.status "
                                                "FROM entities e JOIN records r ON r.id = e.record_id "
                                                "AND e.version_id = r.current_version_id "
                                                "WHERE e.patient_id = $1 AND ($2 = 0 OR e.record_id = $2) "
                                                "ORDER BY e.record_id, e.reference",
                                                {std::string(patient_id), record_id}));
  std::vector<EntityRow> out;
  out.reserve(rows.size());
  for (const SqlRow& r : rows) {
    out.push_back(ToEntity(r.Text(0), r.Text(1), r.Int(2), r.Int(3), ParseRecordStatus(r.Text(4)), r.Int(3), true));
  }
  return out;
}

StatusOr<int64_t> Store::LastChange() {
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT COALESCE(MAX(seq), 0) FROM changes", {}));
  return rows.empty() ? int64_t{0} : rows[0].Int(0);
}

StatusOr<ResourcePage> Store::ListResources(const ResourceQuery& q) {
  std::string sql =
      "SELECT e.reference, e.body, e.record_id, e.version_id, r.status, COALESCE(ev.event_type, ''), "
      "COALESCE(ev.occurred_at, ''), COALESCE(ev.sort_key, '') AS k "
      "FROM entities e JOIN records r ON r.id = e.record_id AND e.version_id = r.current_version_id "
      "LEFT JOIN events ev ON ev.record_id = e.record_id "
      "WHERE e.patient_id = $1 AND r.status = 'valid'";
  std::vector<SqlValue> params = {q.patient_id};
  auto param = [&](SqlValue v) {
    params.push_back(std::move(v));
    return fmt::format("${}", params.size());
  };
  if (!q.resource_types.empty()) {
    sql += " AND (";
    for (size_t i = 0; i < q.resource_types.size(); ++i) {
      const std::string& type = q.resource_types[i];
      const bool valid = !type.empty() && type.size() <= 64 && type[0] >= 'A' && type[0] <= 'Z' &&
                         std::all_of(type.begin(), type.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
      if (!valid) return InvalidArgument(fmt::format("'{}' is not a resource type", type.substr(0, 64)));
      sql += (i ? " OR " : "") + fmt::format("e.reference LIKE {}", param(type + "/%"));
    }
    sql += ")";
  }
  for (const auto& [date, bound] : {std::pair{&q.from_date, ">= "}, std::pair{&q.to_date, "<= "}}) {
    if (date->empty()) continue;
    auto d = CompactDate(*date);
    if (!d) return InvalidArgument(fmt::format("'{}' is not a date (YYYY-MM-DD)", date->substr(0, 40)));
    sql += std::string(" AND ev.sort_key ") + bound + param(*d + (date == &q.from_date ? "000000" : "235959"));
  }
  const int64_t limit = std::clamp<int64_t>(q.limit, 1, 10'000);
  sql += " ORDER BY k DESC, e.record_id DESC, e.reference LIMIT " + param(limit + 1);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query(sql, params));
  ResourcePage page;
  for (const SqlRow& r : rows) {
    if (static_cast<int64_t>(page.resources.size()) == limit) {
      page.more = true;
      break;
    }
    ResourceRow row{ToEntity(r.Text(0), r.Text(1), r.Int(2), r.Int(3), ParseRecordStatus(r.Text(4)), r.Int(3), true),
                    q.patient_id, r.Text(5), r.Text(6), r.Text(7)};
    page.resources.push_back(std::move(row));
  }
  return page;
}

StatusOr<std::vector<ChangeRow>> Store::ChangesSince(int64_t cursor, int64_t limit) {
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT seq, kind, patient_id, record_id, data_type, event_type, at "
                                                "FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
                                                {cursor, std::clamp<int64_t>(limit, 1, 100'000)}));
  std::vector<ChangeRow> out;
  for (const SqlRow& r : rows) {
    ChangeRow c;
    c.seq = r.Int(0);
    const std::string kind = r.Text(1);
    for (ChangeKind k : {ChangeKind::kCreated, ChangeKind::kUpdated, ChangeKind::kSuperseded, ChangeKind::kDeleted,
                         ChangeKind::kPatient}) {
      if (ChangeKindName(k) == kind) c.kind = k;
    }
    c.patient_id = r.Text(2);
    c.record_id = r.Int(3);
    c.data_type = r.Text(4);
    c.event_type = r.Text(5);
    c.at = r.Text(6);
    out.push_back(std::move(c));
  }
  return out;
}

StatusOr<std::vector<Store::CurrentVersion>> Store::ListCurrentVersions(int64_t after_record_id, int64_t limit) {
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT r.id, v.id, r.patient_id, r.record_date, r.data_type, r.order_number, "
                            "r.content_file, r.extended_type, v.file_ts, v.department, v.condition_flag, v.path, "
                            "v.message_type, v.raw, v.decoded, r.status "
                            "FROM records r JOIN versions v ON v.id = r.current_version_id "
                            "WHERE r.id > $1 ORDER BY r.id LIMIT $2",
                            {after_record_id, limit}));
  std::vector<CurrentVersion> out;
  for (const SqlRow& r : rows) {
    CurrentVersion c{r.Int(0), r.Int(1), {}};
    VersionInput& v = c.version;
    v.key = {r.Text(2), r.Text(3), r.Text(4), r.Text(5)};
    v.content_file = r.Text(6);
    v.extended_type = r.Text(7);
    v.timestamp = r.Text(8);
    v.department = r.Text(9);
    v.flag = static_cast<ssmix2::ConditionFlag>(r.Int(10));
    v.path = r.Text(11);
    v.message_type = r.Text(12);
    v.raw = r.Text(13);
    v.decoded = r.Text(14);
    out.push_back(std::move(c));
  }
  return out;
}

nlohmann::json EventJson(const EventRow& e, std::string_view facility) {
  return {{"facility", facility},
          {"patient_id", e.patient_id},
          {"record_id", e.record_id},
          {"data_type", e.data_type},
          {"type", fhir::EventTypeName(e.event.type)},
          {"type_label", fhir::EventTypeLabel(e.event.type)},
          {"occurred_at", e.event.occurred_at},
          {"sort_key", e.event.sort_key},
          {"department_code", e.event.department_code},
          {"department", e.event.department},
          {"practitioner", e.event.practitioner},
          {"title", e.event.title},
          {"abnormal", e.event.abnormal},
          {"status", RecordStatusName(e.status)},
          {"entity_refs", e.event.entity_refs}};
}

StatusOr<std::optional<json>> DocumentBinary(Store& store, const EntityRow& document) {
  const json& r = document.resource;
  const std::string id = document.reference.substr(document.reference.find('/') + 1);
  if (!document.reference.starts_with("DocumentReference/") || !r.is_object()) return std::optional<json>();
  const auto content = r.find("content");
  if (content == r.end() || !content->is_array() || content->empty() || !(*content)[0].is_object()) {
    return std::optional<json>();
  }
  const auto attachment = (*content)[0].find("attachment");
  if (attachment == (*content)[0].end() || !attachment->is_object()) return std::optional<json>();
  const auto url = attachment->find("url");
  if (url == attachment->end() || !url->is_string() || *url != "Binary/" + id) return std::optional<json>();
  const auto type = attachment->find("contentType");
  RENKEI_ASSIGN_OR_RETURN(const auto versions, store.ListVersions(document.record_id));
  for (const VersionRow& v : versions) {
    if (v.id != document.version_id) continue;
    return std::optional<json>(fhir::BinaryResource(
        id, type != attachment->end() && type->is_string() ? type->get<std::string>() : "application/octet-stream", v.raw));
  }
  return std::optional<json>();
}

}  // namespace renkei::store
