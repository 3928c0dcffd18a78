#include "hub/chart.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>

#include <fmt/format.h>
#include <simdjson.h>

#include "base/time.h"
#include "fhir/event.h"
#include "pki/digest.h"

namespace renkei::hub {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kMinDeadline{100};
constexpr std::chrono::milliseconds kMaxDeadline{60'000};

// A position in the merged order: (sort_key, facility, record_id), all descending.
struct Position {
  std::string sort_key;
  std::string facility;
  int64_t record_id = 0;
};

bool Before(const Position& a, const Position& b) {  // a comes first in the chart
  if (a.sort_key != b.sort_key) return a.sort_key > b.sort_key;
  if (a.facility != b.facility) return a.facility > b.facility;
  return a.record_id > b.record_id;
}

StatusOr<std::optional<Position>> ParseCursor(std::string_view text) {
  if (text.empty()) return std::optional<Position>();
  const auto bad = [&] { return InvalidArgument("malformed cursor: pass a next_cursor from a previous page"); };
  const size_t first = text.find(':');
  const size_t second = first == std::string_view::npos ? first : text.find(':', first + 1);
  if (first != 14 || second == std::string_view::npos) return bad();
  Position p{std::string(text.substr(0, 14)), std::string(text.substr(second + 1)), 0};
  const std::string_view id = text.substr(first + 1, second - first - 1);
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), p.record_id);
  if (ec != std::errc() || end != id.data() + id.size() || p.record_id < 0 || p.facility.empty() ||
      p.sort_key.find_first_not_of("0123456789") != std::string::npos ||
      p.facility.find_first_of(":/ ") != std::string::npos) {
    return bad();
  }
  return std::optional<Position>(p);
}

// The edge store's cursor (store.h EventQuery) that continues facility `f` after `p`.
std::string EdgeCursor(const std::optional<Position>& p, const std::string& f) {
  if (!p) return "";
  if (f == p->facility) return fmt::format("{}:{}", p->sort_key, p->record_id);
  if (f > p->facility) return p->sort_key + ":0";  // f's events at this instant came before the cursor
  return fmt::format("{}:{}", p->sort_key, INT64_MAX);  // f's events at this instant are still to come
}

bool Allowed(const policy::Decision& d, std::string_view facility) {
  return std::binary_search(d.facilities.begin(), d.facilities.end(), facility);
}

// The facilities to ask, each with the person's local IDs there: those the decision allows,
// optionally only `only`.
std::map<std::string, std::vector<std::string>> Holders(const Viewing& v, const std::vector<std::string>& only) {
  std::map<std::string, std::vector<std::string>> out;
  for (const RegistrationRow& r : v.person.registrations) {
    if (!Allowed(v.decision, r.facility)) continue;
    if (!only.empty() && std::find(only.begin(), only.end(), r.facility) == only.end()) continue;
    out[r.facility].push_back(r.local_id);
  }
  return out;
}

// The person's identifiers at the facilities the viewer may see: no other location is disclosed.
json AllowedIdentifiers(const Viewing& v) {
  json ids = json::array();
  for (const RegistrationRow& r : v.person.registrations) {
    if (Allowed(v.decision, r.facility)) ids.push_back({{"facility", r.facility}, {"local_id", r.local_id}});
  }
  return ids;
}

// One request to one edge, as the fan-out tracks it.
struct Ask {
  Ask(std::string f, std::vector<std::string> ids) : facility(std::move(f)), local_ids(std::move(ids)) {}
  std::string facility;
  std::vector<std::string> local_ids;
  std::shared_ptr<relay::Peer> peer;
  uint64_t call = 0;
  std::string status = "timeout";
  std::string reason;
  double took_ms = 0;
  std::optional<relay::Answer> answer;
};

// Sends `op` with args(facility) to every ask's edge at once and waits until each answered or
// `deadline` passed; the late ones are cancelled.
void FanOut(EdgeRegistry& edges, std::vector<Ask>& asks, std::string_view op,
            const std::function<json(const Ask&)>& args, std::chrono::milliseconds deadline) {
  struct Shared {
    std::mutex mutex;
    std::condition_variable done;
    size_t waiting = 0;
    bool over = false;
  };
  auto shared = std::make_shared<Shared>();
  const auto start = Clock::now();
  const auto until = start + std::clamp(deadline, kMinDeadline, kMaxDeadline);
  for (Ask& ask : asks) {
    ask.peer = edges.PeerOf(ask.facility);
    if (!ask.peer) {
      ask.status = "offline";
      ask.reason = "the facility's edge is not connected to the hub";
      continue;
    }
    {
      std::lock_guard lock(shared->mutex);
      ++shared->waiting;
    }
    ask.call = ask.peer->Call(op, args(ask), [shared, &ask, start](StatusOr<relay::Answer> answer) {
      std::lock_guard lock(shared->mutex);
      if (shared->over) return;  // the chart went out without it
      ask.took_ms = std::round(std::chrono::duration<double, std::milli>(Clock::now() - start).count() * 100) / 100;
      if (answer.ok()) {
        ask.status = "answered";
        ask.answer = std::move(answer).value();
      } else {
        ask.status = answer.status().code() == StatusCode::kUnavailable ? "offline" : "error";
        ask.reason = answer.status().message();
      }
      --shared->waiting;
      shared->done.notify_all();
    });
  }
  std::unique_lock lock(shared->mutex);
  shared->done.wait_until(lock, until, [&] { return shared->waiting == 0; });
  shared->over = true;
  lock.unlock();
  for (Ask& ask : asks) {
    if (ask.status != "timeout") continue;
    ask.reason = fmt::format("no answer within {} ms", std::chrono::duration_cast<std::chrono::milliseconds>(until - start).count());
    ask.took_ms = static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(until - start).count());
    if (ask.peer) ask.peer->Cancel(ask.call);
  }
}

json Signed(EdgeRegistry& edges, const Ask& ask) {
  return {{"body", ask.answer->body}, {"signature", ask.answer->signature}, {"certificate", edges.CertificateOf(ask.facility)}};
}

// Checks an edge's answer to "events" (a JSON object of `facility` for request `nonce`) and
// appends each of its events — position and JSON text — to `out`; whether the edge has more.
StatusOr<bool> EventsOfAnswer(const simdjson::padded_string& body, const std::string& facility, const std::string& nonce,
                              std::vector<std::pair<Position, std::string_view>>& out) {
  // Fully validated first (on-demand parsing checks only what it reads, and the texts are
  // passed on as they are).
  simdjson::dom::parser validator;
  if (auto valid = validator.parse(body); valid.error()) return InvalidArgument(simdjson::error_message(valid.error()));
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object answer;
  if (parser.iterate(body).get(doc) || doc.get_object().get(answer)) return InvalidArgument("not a JSON object");
  std::string_view answered_by, answered_nonce;
  bool more = false;
  if (answer.find_field_unordered("facility").get_string().get(answered_by) || answered_by != facility) {
    return InvalidArgument("another facility's answer");
  }
  if (answer.find_field_unordered("nonce").get_string().get(answered_nonce) || answered_nonce != nonce) {
    return InvalidArgument("an answer to another request");
  }
  if (auto m = answer.find_field_unordered("more"); !m.error() && m.get_bool().get(more)) {
    return InvalidArgument("'more' is not a boolean");
  }
  simdjson::ondemand::array events;
  if (answer.find_field_unordered("events").get_array().get(events)) return InvalidArgument("no events array");
  for (auto element : events) {
    simdjson::ondemand::object e;
    std::string_view sort_key, event_facility, text;
    int64_t record_id = 0;
    if (element.get_object().get(e)) return InvalidArgument("an event that is not an object");
    if (e.find_field_unordered("sort_key").get_string().get(sort_key) ||
        e.find_field_unordered("record_id").get_int64().get(record_id) ||
        e.find_field_unordered("facility").get_string().get(event_facility) || event_facility != facility) {
      continue;  // not an event of this facility's page: left out
    }
    if (e.reset().error() || e.raw_json().get(text)) return InvalidArgument("a malformed event");
    out.push_back({{std::string(sort_key), facility, record_id}, text});
  }
  return more;
}

policy::RequesterRole RequesterRoleOf(Role role) {
  switch (role) {
    case Role::kOperator: return policy::RequesterRole::kOperator;
    case Role::kStaff: return policy::RequesterRole::kStaff;
    case Role::kPatient: return policy::RequesterRole::kPatient;
    case Role::kService: return policy::RequesterRole::kService;
    case Role::kFacility:
    case Role::kClinician: return policy::RequesterRole::kClinician;
  }
  return policy::RequesterRole::kStaff;  // sees nothing
}

}  // namespace

StatusOr<policy::Decision> DecideFor(const HubServices& hub, const Principal& viewer, const CrossReference& person) {
  policy::Question question{{viewer.name, RequesterRoleOf(viewer.role), viewer.facility, viewer.acts_for},
                            person.regional_id,
                            FacilitiesOf(person),
                            NowUnixMs()};
  RENKEI_ASSIGN_OR_RETURN(const auto consent, hub.consents.Current(person.regional_id));
  policy::Facts facts{policy::EffectiveConsent(consent, ConsentingFacilitiesOf(person)), std::nullopt};
  RENKEI_ASSIGN_OR_RETURN(facts.override, hub.consents.RunningOverride(viewer.name, person.regional_id, question.now_ms));
  return policy::Decide(question, facts);
}

StatusOr<Viewing> DecideView(const HubServices& hub, const Principal& viewer, const std::string& local_id,
                             const std::string& regional_id, std::string_view action, const RequestContext& from,
                             std::vector<std::string> resources) {
  if (local_id.empty() == regional_id.empty()) {
    return InvalidArgument("name the patient by your facility's local ID or by a regional ID (one of them)");
  }
  StatusOr<CrossReference> x = Internal("unresolved");
  if (!local_id.empty()) {
    if (viewer.facility.empty()) return InvalidArgument("only a facility's users name a patient by a local ID");
    x = hub.index.Lookup({viewer.facility, local_id});
  } else {
    x = hub.index.LookupRegional(regional_id);
  }
  AccessDecision record;
  record.action = action;
  record.resources = std::move(resources);
  Viewing v;
  if (!x.ok()) {
    if (x.status().code() != StatusCode::kNotFound || regional_id.empty()) return x.status();
    // Whether a regional ID exists is not disclosed to someone who may not see it.
    v.person.regional_id = regional_id;
    v.decision.rule = "no-relationship";
    v.decision.reason = "no person the caller may see has this regional ID";
    record.allowed = false;
    record.rule = v.decision.rule;
    record.reason = v.decision.reason;
    RENKEI_RETURN_IF_ERROR(RecordAccess(hub.audit, viewer, from, record));
    return v;
  }
  v.person = *std::move(x);
  RENKEI_ASSIGN_OR_RETURN(v.decision, DecideFor(hub, viewer, v.person));
  record.regional_id = v.person.regional_id;
  record.facilities = v.decision.allowed ? v.decision.facilities : FacilitiesOf(v.person);
  record.allowed = v.decision.allowed;
  record.rule = v.decision.rule;
  record.reason = v.decision.reason;
  record.basis = v.decision.basis;
  if (!v.decision.allowed) {
    RENKEI_RETURN_IF_ERROR(RecordAccess(hub.audit, viewer, from, record));
  } else {
    v.entry = BeginAccess(hub.audit, viewer, from, record);
  }
  return v;
}

// A query's dates are YYYY-MM-DD or empty.
Status CheckDates(const PatientQuery& q) {
  for (const std::string* date : {&q.from, &q.to}) {
    if (!date->empty() && (date->size() != 10 || (*date)[4] != '-' || (*date)[7] != '-')) {
      return InvalidArgument("dates are YYYY-MM-DD");
    }
  }
  return Status::Ok();
}

StatusOr<std::string> Chart(const HubServices& hub, const Principal& viewer, const ChartRequest& request) {
  if (request.limit < 1 || request.limit > 1000) return InvalidArgument("limit must be from 1 to 1000");
  for (const std::string& t : request.types) {
    if (!fhir::EventTypeFromName(t)) return InvalidArgument(fmt::format("unknown event type '{}'", t.substr(0, 40)));
  }
  RENKEI_RETURN_IF_ERROR(CheckDates(request));
  RENKEI_ASSIGN_OR_RETURN(const std::optional<Position> after, ParseCursor(request.cursor));
  RENKEI_ASSIGN_OR_RETURN(Viewing view,
                          DecideView(hub, viewer, request.local_id, request.regional_id, "chart.view", request.origin));
  if (!view.decision.allowed) return PermissionDenied(view.decision.reason);
  const CrossReference& person = view.person;
  EdgeRegistry& edges = hub.edges;

  std::vector<Ask> asks;
  for (auto& [facility, ids] : Holders(view, request.facilities)) asks.emplace_back(facility, ids);
  const std::string nonce = pki::RandomHex(16);
  FanOut(edges, asks, "events",
         [&](const Ask& ask) {
           return json{{"patient_ids", ask.local_ids}, {"types", request.types}, {"from", request.from},
                       {"to", request.to}, {"department", request.department}, {"limit", request.limit},
                       {"cursor", EdgeCursor(after, ask.facility)}, {"nonce", nonce}, {"refresh", request.refresh}};
         },
         request.deadline);
  // The decision's audit entry was committed meanwhile, or nothing is disclosed.
  RENKEI_RETURN_IF_ERROR(Recorded(*view.entry, "chart.view"));

  // Merge what came back: each event's JSON text exactly as its edge signed it, spliced into
  // the page without being parsed into a tree and printed again.
  std::vector<simdjson::padded_string> bodies;
  bodies.reserve(asks.size());  // the events' texts point into these
  std::vector<std::pair<Position, std::string_view>> merged;
  bool more = false;
  bool partial = false;
  json sources = json::array();
  for (Ask& ask : asks) {
    json source = {{"facility", ask.facility}, {"local_ids", ask.local_ids}, {"took_ms", ask.took_ms}};
    size_t count = 0;
    if (ask.answer) {
      bodies.emplace_back(ask.answer->body);
      const size_t before = merged.size();
      StatusOr<bool> page = EventsOfAnswer(bodies.back(), ask.facility, nonce, merged);
      if (!page.ok()) {
        ask.status = "error";
        ask.reason = "the edge's answer is not a chart page for this request: " + page.status().message();
        ask.answer.reset();
      } else {
        more |= *page;
        count = merged.size() - before;
      }
    }
    source["status"] = ask.status;
    if (!ask.reason.empty()) source["reason"] = ask.reason;
    source["answered_events"] = count;
    if (ask.answer && request.include_signed) source["signed"] = Signed(edges, ask);
    partial |= ask.status != "answered";
    sources.push_back(std::move(source));
  }
  for (const policy::Withheld& w : view.decision.withheld) {
    if (!request.facilities.empty() &&
        std::find(request.facilities.begin(), request.facilities.end(), w.facility) == request.facilities.end()) {
      continue;
    }
    sources.push_back({{"facility", w.facility}, {"status", "withheld"}, {"reason", w.reason}, {"events", 0}});
  }
  std::sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) { return Before(a.first, b.first); });
  const size_t limit = static_cast<size_t>(request.limit);
  more |= merged.size() > limit;
  if (merged.size() > limit) merged.resize(limit);
  std::map<std::string, size_t> shown;
  size_t bytes = 0;
  for (const auto& [position, text] : merged) {
    ++shown[position.facility];
    bytes += text.size() + 1;
  }
  for (json& source : sources) {
    if (source["status"] != "withheld") source["events"] = shown[source["facility"].get<std::string>()];
  }
  json next = nullptr;
  if (more && !merged.empty()) {
    const Position& last = merged.back().first;
    next = fmt::format("{}:{}:{}", last.sort_key, last.record_id, last.facility);
  }
  std::string out;
  out.reserve(bytes + 4096);
  out += R"({"regional_id":)" + json(person.regional_id).dump();
  out += R"(,"patient":)" + json{{"identifiers", AllowedIdentifiers(view)}}.dump();
  out += R"(,"access":)" +
         json{{"rule", view.decision.rule}, {"basis", view.decision.basis}, {"reason", view.decision.reason}}.dump();
  out += R"(,"events":[)";
  for (size_t i = 0; i < merged.size(); ++i) {
    if (i > 0) out += ',';
    out += merged[i].second;
  }
  out += R"(],"next_cursor":)" + next.dump();
  out += R"(,"partial":)";
  out += partial ? "true" : "false";
  out += R"(,"sources":)" + sources.dump(-1, ' ', false, json::error_handler_t::replace) + "}";
  return out;
}

StatusOr<json> Resources(const HubServices& hub, const Principal& viewer, const ResourcesRequest& request) {
  if (request.limit < 1 || request.limit > 5000) return InvalidArgument("limit must be from 1 to 5000");
  if (request.types.size() > 32) return InvalidArgument("at most 32 resource types");
  for (const std::string& t : request.types) {
    const bool valid = !t.empty() && t.size() <= 64 && t[0] >= 'A' && t[0] <= 'Z' &&
                       std::all_of(t.begin(), t.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
    if (!valid) return InvalidArgument(fmt::format("'{}' is not a FHIR resource type", t.substr(0, 64)));
  }
  RENKEI_RETURN_IF_ERROR(CheckDates(request));
  RENKEI_ASSIGN_OR_RETURN(Viewing view, DecideView(hub, viewer, request.local_id, request.regional_id, "resources.read",
                                                    request.origin, request.types));
  if (!view.decision.allowed) return PermissionDenied(view.decision.reason);
  std::vector<Ask> asks;
  for (auto& [facility, ids] : Holders(view, request.facilities)) asks.emplace_back(facility, ids);
  const std::string nonce = pki::RandomHex(16);
  FanOut(hub.edges, asks, "resources",
         [&](const Ask& ask) {
           return json{{"patient_ids", ask.local_ids}, {"types", request.types}, {"from", request.from},
                       {"to", request.to}, {"limit", request.limit}, {"nonce", nonce}};
         },
         request.deadline);
  RENKEI_RETURN_IF_ERROR(Recorded(*view.entry, "resources.read"));

  std::vector<json> resources;
  bool more = false, partial = false;
  json sources = json::array();
  for (Ask& ask : asks) {
    json source = {{"facility", ask.facility}, {"local_ids", ask.local_ids}, {"took_ms", ask.took_ms}};
    size_t count = 0;
    if (ask.answer) {
      json body = json::parse(ask.answer->body, nullptr, false);
      if (!body.is_object() || body.value("facility", "") != ask.facility || body.value("nonce", "") != nonce ||
          !body.contains("resources") || !body["resources"].is_array()) {
        ask.status = "error";
        ask.reason = "the edge's answer is not this request's resources";
      } else {
        more |= body.value("more", false);
        for (json& r : body["resources"]) {
          if (!r.is_object() || !r.contains("resource")) continue;
          r["facility"] = ask.facility;
          r.erase("patient_id");  // the facility's local ID: in the source already
          resources.push_back(std::move(r));
          ++count;
        }
      }
    }
    source["status"] = ask.status;
    if (!ask.reason.empty()) source["reason"] = ask.reason;
    source["resources"] = count;
    if (ask.answer && ask.status == "answered" && request.include_signed) source["signed"] = Signed(hub.edges, ask);
    partial |= ask.status != "answered";
    sources.push_back(std::move(source));
  }
  for (const policy::Withheld& w : view.decision.withheld) {
    sources.push_back({{"facility", w.facility}, {"status", "withheld"}, {"reason", w.reason}, {"resources", 0}});
  }
  std::stable_sort(resources.begin(), resources.end(), [](const json& a, const json& b) {
    return a.value("sort_key", "") > b.value("sort_key", "");
  });
  if (resources.size() > static_cast<size_t>(request.limit)) {
    resources.resize(static_cast<size_t>(request.limit));
    more = true;
  }
  return json{{"regional_id", view.person.regional_id},
              {"access", {{"rule", view.decision.rule}, {"basis", view.decision.basis}, {"reason", view.decision.reason}}},
              {"partial", partial},
              {"more", more},
              {"resources", std::move(resources)},
              {"sources", std::move(sources)}};
}

StatusOr<json> Entity(const HubServices& hub, const Principal& viewer, const EntityRequest& request) {
  if (request.reference.find('/') == std::string::npos) return InvalidArgument("the reference must be Type/ID");
  if (request.version < 0) return InvalidArgument("version must be 0 or positive");
  RENKEI_ASSIGN_OR_RETURN(Viewing view,
                          DecideView(hub, viewer, request.local_id, request.regional_id, "entity.read", request.origin,
                                     {request.reference}));
  if (!view.decision.allowed) return PermissionDenied(view.decision.reason);
  EdgeRegistry& edges = hub.edges;
  for (const policy::Withheld& w : view.decision.withheld) {
    if (w.facility == request.facility) return PermissionDenied(fmt::format("facility {}: {}", w.facility, w.reason));
  }
  const auto holders = Holders(view, {request.facility});
  if (holders.empty()) return NotFound(fmt::format("facility {} holds no records of this patient", request.facility));
  std::vector<Ask> asks;
  asks.emplace_back(request.facility, holders.begin()->second);
  const std::string nonce = pki::RandomHex(16);
  FanOut(edges, asks, "entity",
         [&](const Ask& ask) {
           return json{{"patient_ids", ask.local_ids}, {"reference", request.reference}, {"version", request.version},
                       {"nonce", nonce}};
         },
         request.deadline);
  RENKEI_RETURN_IF_ERROR(Recorded(*view.entry, "entity.read"));
  Ask& ask = asks[0];
  if (!ask.answer) {
    const std::string why = fmt::format("facility {}: {}", ask.facility, ask.reason);
    if (ask.status == "error") return NotFound(why);
    return Unavailable(why);
  }
  json body = json::parse(ask.answer->body, nullptr, false);
  if (!body.is_object() || body.value("facility", "") != ask.facility || body.value("nonce", "") != nonce ||
      !body.contains("resource")) {
    return Unavailable(fmt::format("facility {}: the edge's answer is not this entity", ask.facility));
  }
  return json{{"facility", ask.facility}, {"reference", request.reference}, {"resource", body["resource"]},
              {"signed", Signed(edges, ask)}};
}

}  // namespace renkei::hub
