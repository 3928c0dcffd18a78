#include "hub/service_gateway.h"

#include <future>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "base/time.h"
#include "http/client.h"
#include "pki/digest.h"

namespace renkei::hub {
namespace {

using nlohmann::json;

constexpr std::string_view kKinds[] = {"created", "updated", "superseded", "deleted", "patient"};

bool ShortString(const json& j, size_t max, bool required = true) {
  return j.is_string() && j.get_ref<const std::string&>().size() <= max && (!required || !j.get_ref<const std::string&>().empty());
}

// One pushed change, checked; `types` its resource types.
StatusOr<gateway::Change> ChangeOf(const json& c, const std::string& facility, std::vector<std::string>& types) {
  if (!c.is_object()) return InvalidArgument("not an object");
  gateway::Change out;
  out.facility = facility;
  const auto member = [&](const char* name) -> const json& {
    static const json kNull;
    const auto it = c.find(name);
    return it == c.end() ? kNull : *it;
  };
  if (!member("seq").is_number_integer() || member("seq").get<int64_t>() <= 0) return InvalidArgument("'seq' must be a positive integer");
  out.seq = member("seq").get<int64_t>();
  if (!member("kind").is_string() ||
      std::find(std::begin(kKinds), std::end(kKinds), member("kind").get<std::string>()) == std::end(kKinds)) {
    return InvalidArgument("'kind' must be created, updated, superseded, deleted or patient");
  }
  out.kind = member("kind").get<std::string>();
  if (!ShortString(member("patient_id"), 64)) return InvalidArgument("'patient_id' must be a local patient ID");
  out.patient_id = member("patient_id").get<std::string>();
  if (!member("record_id").is_number_integer() || member("record_id").get<int64_t>() < 0) {
    return InvalidArgument("'record_id' must be a record's ID (0 for demographics)");
  }
  out.record_id = member("record_id").get<int64_t>();
  for (auto [name, field] : {std::pair{"data_type", &out.data_type}, std::pair{"event_type", &out.event_type},
                             std::pair{"at", &out.at}}) {
    if (!ShortString(member(name), 64, false)) return InvalidArgument(fmt::format("'{}' must be a string", name));
    *field = member(name).get<std::string>();
  }
  const json& list = member("resource_types");
  if (!list.is_array() || list.size() > 32) return InvalidArgument("'resource_types' must be an array of at most 32 types");
  for (const json& t : list) {
    if (!ShortString(t, 64)) return InvalidArgument("'resource_types' holds a malformed type");
    types.push_back(t.get<std::string>());
  }
  return out;
}

}  // namespace

AccessDecision ServiceAccess(std::string action, const std::string& regional_id, const std::string& facility,
                             std::vector<std::string> resources, const policy::ServiceDecision& decision) {
  return {.action = std::move(action),
          .regional_id = regional_id,
          .facilities = {facility},
          .resources = std::move(resources),
          .allowed = decision.allowed,
          .rule = decision.rule,
          .reason = decision.reason};
}

StatusOr<json> TakeChanges(const HubServices& hub, const std::string& facility, const json& args) {
  const auto list = args.find("changes");
  if (list == args.end() || !list->is_array()) return InvalidArgument("changes: 'changes' must be an array");
  if (list->size() > kMaxChangesPerPush) {
    return ResourceExhausted(fmt::format("changes: at most {} changes per request", kMaxChangesPerPush));
  }
  struct Taken {
    gateway::Change change;
    std::vector<std::string> types;
  };
  std::vector<Taken> changes;
  int64_t last = 0;
  for (size_t i = 0; i < list->size(); ++i) {
    Taken t;
    auto change = ChangeOf((*list)[i], facility, t.types);
    if (!change.ok()) return InvalidArgument(fmt::format("changes[{}]: {}", i, change.status().message()));
    if (change->seq <= last) return InvalidArgument(fmt::format("changes[{}]: 'seq' must increase", i));
    last = change->seq;
    t.change = *std::move(change);
    changes.push_back(std::move(t));
  }
  if (changes.empty()) return json{{"through", nullptr}, {"notifications", 0}};
  RENKEI_ASSIGN_OR_RETURN(std::vector<gateway::Grant> grants, hub.services.Grants(facility));
  std::erase_if(grants, [](const gateway::Grant& g) { return g.notify == gateway::NotifyMode::kNone; });
  std::map<std::string, gateway::Service> services;
  if (!grants.empty()) {
    RENKEI_ASSIGN_OR_RETURN(auto all, hub.services.List());
    for (gateway::Service& s : all) services[s.id] = std::move(s);
  }
  std::map<std::string, std::string> regional;  // local patient ID → regional ID
  std::vector<gateway::Fanout> rows;
  std::vector<audit::Log::Pending> entries;
  for (Taken& t : changes) {
    if (grants.empty()) break;
    if (!regional.contains(t.change.patient_id)) {
      auto x = hub.index.Lookup({facility, t.change.patient_id});
      regional[t.change.patient_id] = x.ok() ? x->regional_id : "";
    }
    t.change.regional_id = regional[t.change.patient_id];
    for (const gateway::Grant& g : grants) {
      const auto service = services.find(g.service_id);
      if (service == services.end()) continue;
      policy::ServiceQuestion q;
      q.service = service->second.name;
      q.enabled = service->second.enabled;
      q.facility = facility;
      q.row = g.types;
      q.purpose = policy::ServicePurpose::kNotify;
      // Of the change's types, the first the service may receive decides (seed 000 S3, S23).
      policy::ServiceDecision decision;
      for (const std::string& type : t.types.empty() ? std::vector<std::string>{""} : t.types) {
        q.changed_type = type;
        decision = policy::DecideService(q);
        if (decision.allowed) break;
      }
      const std::string resource = fmt::format("{}/record-{}", q.changed_type.empty() ? "Record" : q.changed_type, t.change.record_id);
      entries.push_back(BeginAccess(hub.audit, PrincipalOf(service->second),
                                    {fmt::format("change-{}-{}", facility, t.change.seq), ""},
                                    ServiceAccess("service.notify", t.change.regional_id, facility, {resource}, decision)));
      if (!decision.allowed) continue;
      gateway::Fanout f{t.change, g.service_id, g.notify};
      f.change.resource_type = q.changed_type;
      rows.push_back(std::move(f));
    }
  }
  // Every decision is on the trail before anything can be delivered.
  for (audit::Log::Pending& e : entries) RENKEI_RETURN_IF_ERROR(Recorded(e, "service.notify"));
  RENKEI_ASSIGN_OR_RETURN(const int64_t added, hub.outbox.Enqueue(rows, NowUnixMs()));
  if (added > 0) hub.deliverer.Wake();
  return json{{"through", last}, {"notifications", added}};
}

StatusOr<json> AskEdge(EdgeRegistry& edges, const std::string& facility, std::string_view op, json args,
                       std::chrono::milliseconds timeout) {
  auto peer = edges.PeerOf(facility);
  if (!peer) return Unavailable(fmt::format("the edge of facility {} is not connected to the hub", facility));
  const std::string nonce = pki::RandomHex(16);
  args["nonce"] = nonce;
  auto promise = std::make_shared<std::promise<StatusOr<relay::Answer>>>();
  auto future = promise->get_future();
  const uint64_t id = peer->Call(op, std::move(args), [promise](StatusOr<relay::Answer> a) { promise->set_value(std::move(a)); });
  if (future.wait_for(timeout) != std::future_status::ready) {
    peer->Cancel(id);
    return Unavailable(fmt::format("the edge of facility {} did not answer within {} ms", facility, timeout.count()));
  }
  StatusOr<relay::Answer> answer = future.get();
  if (!answer.ok()) return answer.status();
  json body = json::parse(answer->body, nullptr, false);
  if (!body.is_object() || body.value("facility", "") != facility || body.value("nonce", "") != nonce) {
    return Unavailable(fmt::format("the edge of facility {} answered something else", facility));
  }
  return body;
}

StatusOr<json> FetchChangeData(EdgeRegistry& edges, const gateway::Delivery& d) {
  RENKEI_ASSIGN_OR_RETURN(json body, AskEdge(edges, d.change.facility, "record",
                                             {{"patient_ids", {d.change.patient_id}}, {"record_id", d.change.record_id}},
                                             std::chrono::seconds(10)));
  if (!body.contains("resources") || !body["resources"].is_array()) return Unavailable("the edge's answer has no resources");
  return std::move(body["resources"]);
}

Status RecordDelivery(audit::Log& trail, const gateway::Delivery& d, const gateway::Service& service,
                      const policy::ServiceDecision& decision) {
  return RecordAccess(trail, PrincipalOf(service), {fmt::format("delivery-{}", d.id), ""},
                      ServiceAccess("service.deliver", d.change.regional_id, d.change.facility,
                                    {fmt::format("{}/record-{}", d.change.resource_type, d.change.record_id)}, decision));
}

std::function<StatusOr<int>(const gateway::WebhookRequest&)> WebhookSender(std::shared_ptr<boost::asio::ssl::context> tls) {
  struct Pool {
    std::mutex mutex;
    std::multimap<std::string, std::unique_ptr<http::Client>> idle;  // by scheme://host:port
  };
  auto pool = std::make_shared<Pool>();
  return [pool, tls](const gateway::WebhookRequest& r) -> StatusOr<int> {
    const size_t authority = r.url.find("://");
    const std::string origin = r.url.substr(0, r.url.find('/', authority == std::string::npos ? 0 : authority + 3));
    std::unique_ptr<http::Client> client;
    {
      std::lock_guard lock(pool->mutex);
      if (auto it = pool->idle.find(origin); it != pool->idle.end()) {
        client = std::move(it->second);
        pool->idle.erase(it);
      }
    }
    if (!client) client = std::make_unique<http::Client>(r.url.starts_with("https://") ? tls : nullptr);
    const http::HeaderList headers(r.headers.begin(), r.headers.end());
    auto response = client->Fetch("POST", r.url, r.body, "application/json", std::chrono::seconds(10), headers);
    if (!response.ok()) return response.status();  // the connection is dropped with its client
    std::lock_guard lock(pool->mutex);
    pool->idle.emplace(origin, std::move(client));
    return response->status;
  };
}

}  // namespace renkei::hub
