#include "hub/service_api.h"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/time.h"
#include "gateway/filter.h"
#include "http/message.h"
#include "http/target.h"
#include "hub/audit_trail.h"
#include "hub/request_args.h"
#include "hub/service_gateway.h"
#include "text/base64.h"

namespace renkei::hub {
namespace {

using nlohmann::json;

constexpr std::chrono::seconds kEdgeTimeout{30};
constexpr int64_t kReplayWindowMs = 30 * 24 * 3'600'000LL;

json ServiceJson(const gateway::Service& s) {
  return {{"id", s.id},
          {"name", s.name},
          {"cert_name", s.cert_name.empty() ? json(nullptr) : json(s.cert_name)},
          {"client_id", s.client_id.empty() ? json(nullptr) : json(s.client_id)},
          {"webhook_url", s.webhook_url},
          {"enabled", s.enabled},
          {"created_at", s.created_at}};
}

json GrantJson(const gateway::Grant& g) {
  return {{"facility", g.facility},
          {"service", g.service_id},
          {"notify", gateway::NotifyModeName(g.notify)},
          {"types", gateway::TypesJson(g.types)},
          {"updated_at", g.updated_at},
          {"updated_by", g.updated_by}};
}

// An RFC 6749 §5.2 error.
http::Response OAuthError(int status, std::string_view error, std::string_view description, bool basic = false) {
  http::Response r = http::Json(status, {{"error", error}, {"error_description", description}});
  r.headers = {{"Cache-Control", "no-store"}, {"Pragma", "no-cache"}};
  if (basic) r.headers.push_back({"WWW-Authenticate", "Basic realm=\"renkei-hub\""});
  return r;
}

bool ValidKey(std::string_view key) {
  return !key.empty() && key.size() <= 255 &&
         std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

class ServiceApi {
 public:
  explicit ServiceApi(const HubServices& hub) : hub_(hub) {}

  http::Response Token(http::Request& request) {
    const std::string type = request.Header("content-type").value_or("");
    if (!type.starts_with("application/x-www-form-urlencoded")) {
      return OAuthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded");
    }
    if (request.body.size() > 4096) return OAuthError(400, "invalid_request", "the body is too large");
    auto form = http::ParseTarget("/?" + request.body);
    if (!form.ok()) return OAuthError(400, "invalid_request", "the form does not decode");
    std::map<std::string, std::string> fields;
    for (const auto& [name, value] : form->query) {
      if (fields.contains(name)) return OAuthError(400, "invalid_request", fmt::format("'{}' is repeated", name.substr(0, 40)));
      fields[name] = value;
    }
    if (!fields.contains("grant_type")) return OAuthError(400, "invalid_request", "grant_type is required");
    if (fields["grant_type"] != "client_credentials") {
      return OAuthError(400, "unsupported_grant_type", "only the client_credentials grant is supported");
    }
    std::string client_id, client_secret;
    const std::optional<std::string> auth = request.Header("authorization");
    const bool basic = auth && auth->starts_with("Basic ");
    if (basic) {
      if (fields.contains("client_secret")) {
        return OAuthError(400, "invalid_request", "authenticate the client one way: HTTP Basic or the form, not both");
      }
      auto decoded = text::Base64Decode(std::string_view(*auth).substr(6));
      const size_t colon = decoded.ok() ? decoded->find(':') : std::string::npos;
      if (colon == std::string::npos) return OAuthError(401, "invalid_client", "malformed HTTP Basic credentials", true);
      // RFC 6749 §2.3.1: each form-urlencoded before the Basic encoding.
      auto id = http::ParseTarget("/?i=" + decoded->substr(0, colon) + "&s=" + decoded->substr(colon + 1));
      if (!id.ok()) return OAuthError(401, "invalid_client", "malformed HTTP Basic credentials", true);
      for (const auto& [name, value] : id->query) (name == "i" ? client_id : client_secret) = value;
    } else {
      client_id = fields["client_id"];
      client_secret = fields["client_secret"];
      if (client_id.empty() || client_secret.empty()) {
        return OAuthError(401, "invalid_client", "client authentication is required (HTTP Basic or client_id and client_secret)");
      }
    }
    auto token = hub_.services.IssueToken(client_id, client_secret, NowUnixMs());
    if (!token.ok() && token.status().code() == StatusCode::kPermissionDenied) {
      return OAuthError(401, "invalid_client", "unknown client, wrong secret or disabled service", basic);
    }
    if (!token.ok()) return http::Error(token.status());
    http::Response r = http::Json(200, {{"access_token", token->token}, {"token_type", "Bearer"}, {"expires_in", token->expires_in}});
    r.headers = {{"Cache-Control", "no-store"}, {"Pragma", "no-cache"}};
    return r;
  }

  StatusOr<http::Response> AddService(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageServices, {}));
    RENKEI_ASSIGN_OR_RETURN(json body, http::JsonBody(request));
    RENKEI_RETURN_IF_ERROR(OnlyMembers(body, {"name", "webhook_url", "cert_name", "client_credentials"}));
    gateway::NewService s;
    RENKEI_ASSIGN_OR_RETURN(s.name, StringMember(body, "name"));
    RENKEI_ASSIGN_OR_RETURN(s.webhook_url, StringMember(body, "webhook_url", false));
    RENKEI_ASSIGN_OR_RETURN(s.cert_name, StringMember(body, "cert_name", false));
    if (body.contains("client_credentials")) {
      if (!body["client_credentials"].is_boolean()) return InvalidArgument("'client_credentials' must be true or false");
      s.client_credentials = body["client_credentials"].get<bool>();
    }
    RENKEI_ASSIGN_OR_RETURN(gateway::IssuedService issued, hub_.services.Add(s));
    return http::Json(201, {{"service", ServiceJson(issued.service)},
                            {"client_secret", issued.client_secret.empty() ? json(nullptr) : json(issued.client_secret)},
                            {"signing_secret", issued.signing_secret}});
  }

  StatusOr<http::Response> Services(http::Request&, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageServices, {}));
    RENKEI_ASSIGN_OR_RETURN(auto list, hub_.services.List());
    json out = json::array();
    for (const gateway::Service& s : list) out.push_back(ServiceJson(s));
    return http::Json(200, {{"services", out}});
  }

  StatusOr<http::Response> Service(http::Request& request, const Principal& who) {
    const std::string& id = request.params.at("id");
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kServiceDeliveries, {}, {}, id));
    RENKEI_ASSIGN_OR_RETURN(gateway::Service s, hub_.services.Get(id));
    RENKEI_ASSIGN_OR_RETURN(auto grants, hub_.services.Grants("", id));
    RENKEI_ASSIGN_OR_RETURN(auto counts, hub_.outbox.Counts(id));
    json g = json::array(), c = json::object();
    for (const gateway::Grant& grant : grants) g.push_back(GrantJson(grant));
    for (const auto& [state, n] : counts) c[state] = n;
    return http::Json(200, {{"service", ServiceJson(s)}, {"grants", g}, {"deliveries", c}});
  }

  StatusOr<http::Response> ChangeService(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageServices, {}));
    const std::string& change = request.params.at("change");
    const std::string& id = request.params.at("id");
    if (change == "webhook") {
      RENKEI_ASSIGN_OR_RETURN(json body, http::JsonBody(request));
      RENKEI_ASSIGN_OR_RETURN(std::string url, StringMember(body, "webhook_url"));
      RENKEI_ASSIGN_OR_RETURN(gateway::Service s, hub_.services.SetWebhook(id, url));
      return http::Json(200, {{"service", ServiceJson(s)}});
    }
    if (change != "enable" && change != "disable") return NotFound("a service's changes are enable, disable and webhook");
    RENKEI_ASSIGN_OR_RETURN(gateway::Service s, hub_.services.SetEnabled(id, change == "enable"));
    return http::Json(200, {{"service", ServiceJson(s)}});
  }

  StatusOr<http::Response> Matrix(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageServices, {}));
    RENKEI_ASSIGN_OR_RETURN(auto grants, hub_.services.Grants(request.Query1("facility").value_or(""),
                                                              request.Query1("service").value_or("")));
    json out = json::array();
    for (const gateway::Grant& g : grants) out.push_back(GrantJson(g));
    return http::Json(200, {{"grants", out}});
  }

  StatusOr<http::Response> PutGrant(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageServices, {}));
    RENKEI_ASSIGN_OR_RETURN(json body, http::JsonBody(request));
    RENKEI_RETURN_IF_ERROR(OnlyMembers(body, {"notify", "types"}));
    gateway::Grant g;
    g.facility = request.params.at("facility");
    g.service_id = request.params.at("service");
    RENKEI_ASSIGN_OR_RETURN(std::string notify, StringMember(body, "notify", false));
    if (!notify.empty()) {
      RENKEI_ASSIGN_OR_RETURN(g.notify, gateway::ParseNotifyMode(notify));
    }
    if (body.contains("types")) {
      RENKEI_ASSIGN_OR_RETURN(g.types, gateway::ParseTypes(body["types"]));
    }
    g.updated_by = who.name;
    RENKEI_RETURN_IF_ERROR(hub_.services.PutGrant(g));
    RENKEI_ASSIGN_OR_RETURN(auto stored, hub_.services.GrantOf(g.facility, g.service_id));
    if (!stored) return Internal("the grant was not kept");
    return http::Json(200, GrantJson(*stored));
  }

  StatusOr<http::Response> RemoveGrant(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageServices, {}));
    RENKEI_ASSIGN_OR_RETURN(bool removed, hub_.services.RemoveGrant(request.params.at("facility"), request.params.at("service")));
    if (!removed) return NotFound("the matrix does not connect that facility and service");
    return http::Json(200, {{"removed", true}});
  }

  StatusOr<http::Response> Deliveries(http::Request& request, const Principal& who) {
    const std::string& id = request.params.at("id");
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kServiceDeliveries, {}, {}, id));
    std::optional<gateway::DeliveryState> state;
    if (auto s = request.Query1("state")) {
      RENKEI_ASSIGN_OR_RETURN(state, gateway::ParseDeliveryState(*s));
    }
    RENKEI_ASSIGN_OR_RETURN(const int64_t before, OptionalNumber(request, "before", 0, 1, INT64_MAX));
    RENKEI_ASSIGN_OR_RETURN(const int64_t limit, OptionalNumber(request, "limit", 100, 1, 1000));
    RENKEI_RETURN_IF_ERROR(hub_.services.Get(id).status());
    RENKEI_ASSIGN_OR_RETURN(auto list, hub_.outbox.List(id, state, before, limit));
    json out = json::array();
    for (const gateway::Delivery& d : list) out.push_back(gateway::DeliveryJson(d));
    return http::Json(200, {{"deliveries", out}});
  }

  StatusOr<http::Response> Retry(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageServices, {}));
    RENKEI_ASSIGN_OR_RETURN(int64_t delivery, Number("delivery", request.params.at("delivery"), 1, INT64_MAX));
    RENKEI_RETURN_IF_ERROR(hub_.outbox.Retry(request.params.at("id"), delivery, NowUnixMs()));
    hub_.deliverer.Wake();
    return http::Json(200, {{"retried", delivery}});
  }

  StatusOr<http::Response> Replay(http::Request& request, const Principal& who) {
    const std::string& id = request.params.at("id");
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kServiceDeliveries, {}, {}, id));
    const auto since = request.Query1("since");
    if (!since) return InvalidArgument("'since' (YYYY-MM-DDTHH:MM:SSZ) is required");
    const auto parsed = ParseUtcIso8601(*since);
    if (!parsed.ok()) return parsed.status().Annotate("'since'");
    const int64_t since_ms = *parsed;
    const int64_t now = NowUnixMs();
    if (since_ms < now - kReplayWindowMs) return InvalidArgument("deliveries can be replayed for 30 days: 'since' is older");
    RENKEI_RETURN_IF_ERROR(hub_.services.Get(id).status());
    RENKEI_ASSIGN_OR_RETURN(int64_t n, hub_.outbox.Replay(id, since_ms, now));
    if (n > 0) hub_.deliverer.Wake();
    return http::Json(200, {{"replayed", n}});
  }

  // The decision on `who`'s exchange with `facility` for `purpose`, audited.
  struct Exchange {
    gateway::Service service;
    std::optional<std::vector<policy::TypeRule>> row;
    std::string regional_id;
  };
  StatusOr<Exchange> ExchangeOf(const http::Request& request, const Principal& who, std::string_view action,
                                const std::string& facility, const std::string& local_id) {
    if (Status allowed = Authorize(who, Action::kServiceExchange, {facility}); !allowed.ok()) {
      AccessDecision denied{.action = std::string(action), .facilities = {facility}, .allowed = false, .reason = allowed.message()};
      RENKEI_RETURN_IF_ERROR(RecordAccess(hub_.audit, who, {request.id, request.remote}, denied));
      return allowed;
    }
    Exchange x;
    RENKEI_ASSIGN_OR_RETURN(x.service, hub_.services.Get(who.service_id));
    RENKEI_ASSIGN_OR_RETURN(auto grant, hub_.services.GrantOf(facility, who.service_id));
    if (grant) x.row = grant->types;
    auto person = hub_.index.Lookup({facility, local_id});
    x.regional_id = person.ok() ? person->regional_id : "";
    return x;
  }

  policy::ServiceDecision Decide(const Exchange& x, const std::string& facility, policy::ServicePurpose purpose,
                                 std::vector<std::string> wanted = {}) {
    policy::ServiceQuestion q;
    q.service = x.service.name;
    q.enabled = x.service.enabled;
    q.facility = facility;
    q.row = x.row;
    q.purpose = purpose;
    q.wanted = std::move(wanted);
    q.sender = purpose == policy::ServicePurpose::kWriteAnswer;
    return policy::DecideService(q);
  }

  static json TypeNames(const std::vector<policy::TypeRule>& types) {
    json out = json::array();
    for (const policy::TypeRule& t : types) out.push_back(t.type);
    return out;
  }

  StatusOr<http::Response> Resources(http::Request& request, const Principal& who) {
    const std::string& facility = request.params.at("facility");
    const std::string& local_id = request.params.at("local_id");
    RENKEI_ASSIGN_OR_RETURN(Exchange x, ExchangeOf(request, who, "service.request", facility, local_id));
    const std::vector<std::string> wanted = QueryValues(request, "type");
    if (wanted.size() > 64) return InvalidArgument("at most 64 types");
    json args = {{"patient_ids", {local_id}}};
    for (const char* name : {"from", "to"}) {
      if (auto v = request.Query1(name)) args[name] = *v;
    }
    if (auto l = request.Query1("limit")) {
      RENKEI_ASSIGN_OR_RETURN(args["limit"], Number("limit", *l, 1, 1000));
    }
    const policy::ServiceDecision decision = Decide(x, facility, policy::ServicePurpose::kRequest, wanted);
    auto entry = BeginAccess(hub_.audit, who, {request.id, request.remote},
                             ServiceAccess("service.request", x.regional_id, facility, {}, decision));
    RENKEI_RETURN_IF_ERROR(Recorded(entry, "service.request"));
    if (!decision.allowed) return PermissionDenied(decision.reason);
    args["types"] = TypeNames(decision.types);
    RENKEI_ASSIGN_OR_RETURN(json answer, AskEdge(hub_.edges, facility, "resources", std::move(args), kEdgeTimeout));
    const gateway::Filtered f = gateway::FilterEntries(answer.value("resources", json::array()), decision.types);
    return http::Json(200, {{"facility", facility},
                            {"patient", {{"local_id", local_id}, {"regional_id", x.regional_id}}},
                            {"access", {{"rule", decision.rule}, {"reason", decision.reason}}},
                            {"resources", f.entries},
                            {"withheld", f.withheld},
                            {"more", answer.value("more", false)}});
  }

  StatusOr<http::Response> Write(http::Request& request, const Principal& who) {
    const std::string& facility = request.params.at("facility");
    const std::string& local_id = request.params.at("local_id");
    RENKEI_ASSIGN_OR_RETURN(Exchange x, ExchangeOf(request, who, "service.write", facility, local_id));
    const std::string key = request.Header("idempotency-key").value_or("");
    if (!ValidKey(key)) return InvalidArgument("the header Idempotency-Key (1-255 printable ASCII characters) is required");
    RENKEI_ASSIGN_OR_RETURN(json resource, http::JsonBody(request));
    const policy::ServiceDecision write = Decide(x, facility, policy::ServicePurpose::kWrite);
    const std::string type = resource.value("resourceType", "");
    auto entry = BeginAccess(hub_.audit, who, {request.id, request.remote},
                             ServiceAccess("service.write", x.regional_id, facility, {type.substr(0, 64)}, write));
    RENKEI_RETURN_IF_ERROR(Recorded(entry, "service.write"));
    if (!write.allowed) return PermissionDenied(write.reason);
    // The answer's types: the sender always receives it (S37), filtered to its types.
    const policy::ServiceDecision answer_decision = Decide(x, facility, policy::ServicePurpose::kWriteAnswer);
    json args = {{"patient_id", local_id}, {"service", x.service.name}, {"key", key}, {"resource", std::move(resource)},
                 {"types", TypeNames(answer_decision.types)}};
    RENKEI_ASSIGN_OR_RETURN(json answer, AskEdge(hub_.edges, facility, "write", std::move(args), kEdgeTimeout));
    const gateway::Filtered f = answer_decision.types.empty()
                                    ? gateway::Filtered{json::array(), answer.value("resources", json::array()).size()}
                                    : gateway::FilterEntries(answer.value("resources", json::array()), answer_decision.types);
    const std::string reference = answer.value("reference", "");
    auto answered = BeginAccess(hub_.audit, who, {request.id, request.remote},
                                ServiceAccess("service.write_answer", x.regional_id, facility, {reference}, answer_decision));
    RENKEI_RETURN_IF_ERROR(Recorded(answered, "service.write_answer"));
    const std::string outcome = answer.value("outcome", "");
    return http::Json(outcome == "created" ? 201 : 200,
                      {{"facility", facility},
                       {"patient", {{"local_id", local_id}, {"regional_id", x.regional_id}}},
                       {"outcome", outcome},
                       {"record", {{"reference", reference}, {"record_id", answer.value("record_id", int64_t{0})}}},
                       {"resources", f.entries},
                       {"withheld", f.withheld},
                       {"more", answer.value("more", false)}});
  }

 private:
  const HubServices hub_;
};

}  // namespace

void AddServiceRoutes(http::Router& router, const HubServices& hub, const Guard& guard) {
  auto api = std::make_shared<ServiceApi>(hub);
  auto route = [&](const char* method, const char* pattern, auto member, const char* action, Audited audit) {
    router.Add(method, pattern, guard([api, member](http::Request& r, const Principal& who) { return ((*api).*member)(r, who); },
                                      action, audit));
  };
  using enum Audited;
  route("POST", "/v1/services", &ServiceApi::AddService, "service.add", kAll);
  route("GET", "/v1/services", &ServiceApi::Services, "service.list", kAll);
  route("GET", "/v1/services/{id}", &ServiceApi::Service, "service.read", kAll);
  route("POST", "/v1/services/{id}/{change}", &ServiceApi::ChangeService, "service.change", kAll);
  route("GET", "/v1/matrix", &ServiceApi::Matrix, "matrix.read", kAll);
  route("PUT", "/v1/matrix/{facility}/{service}", &ServiceApi::PutGrant, "matrix.change", kAll);
  route("DELETE", "/v1/matrix/{facility}/{service}", &ServiceApi::RemoveGrant, "matrix.change", kAll);
  route("GET", "/v1/services/{id}/deliveries", &ServiceApi::Deliveries, "service.deliveries", kAll);
  route("POST", "/v1/services/{id}/deliveries/{delivery}/retry", &ServiceApi::Retry, "service.retry", kAll);
  route("POST", "/v1/services/{id}/replay", &ServiceApi::Replay, "service.replay", kAll);
  route("GET", "/v1/facilities/{facility}/patients/{local_id}/resources", &ServiceApi::Resources, "service.request", kSelf);
  route("POST", "/v1/facilities/{facility}/patients/{local_id}/writes", &ServiceApi::Write, "service.write", kSelf);
  // The token endpoint is the one route without a principal: it makes one.
  router.Add("POST", "/v1/oauth/token", [api](http::Request& r) { return api->Token(r); });
}

}  // namespace renkei::hub
