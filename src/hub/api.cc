#include "hub/api.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/store.h"
#include "audit/verify.h"
#include "base/file.h"
#include "base/time.h"
#include "http/message.h"
#include "pki/ca.h"
#include "hub/chart.h"
#include "hub/request_args.h"
#include "hub/service_api.h"
#include "identity/user_store.h"
#include "mpi/regional_id.h"
#include "text/base64.h"

namespace renkei::hub {
namespace {

using nlohmann::json;

// Demographic members of a JSON object, in the names of the records CSV.
constexpr std::pair<const char*, std::string mpi::Demographics::*> kDemographicFields[] = {
    {"family_kanji", &mpi::Demographics::family_kanji}, {"given_kanji", &mpi::Demographics::given_kanji},
    {"family_kana", &mpi::Demographics::family_kana},   {"given_kana", &mpi::Demographics::given_kana},
    {"birth_date", &mpi::Demographics::birth_date},     {"sex", &mpi::Demographics::sex},
    {"postal_code", &mpi::Demographics::postal_code},   {"address", &mpi::Demographics::address},
    {"phone", &mpi::Demographics::phone},               {"identifier", &mpi::Demographics::identifier},
};

}  // namespace

StatusOr<mpi::Demographics> DemographicsFrom(const json& j) {
  if (!j.is_object()) return InvalidArgument("demographics must be an object");
  mpi::Demographics d;
  for (const auto& [name, member] : kDemographicFields) {
    if (!j.contains(name) || j[name].is_null()) continue;
    if (!j[name].is_string()) return InvalidArgument(fmt::format("demographics.{} must be a string", name));
    d.*member = j[name].get<std::string>();
  }
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const auto& [name, member] : kDemographicFields) known |= key == name;
    if (!known) return InvalidArgument(fmt::format("demographics: unknown member '{}'", key.substr(0, 40)));
  }
  return d;
}

namespace {

json DemographicsJson(const mpi::Demographics& d) {
  json j = json::object();
  for (const auto& [name, member] : kDemographicFields) {
    if (!(d.*member).empty()) j[name] = d.*member;
  }
  return j;
}

// A person as the caller may see them: the local IDs of the `disclosed` facilities (Api::
// Disclosed); demographics of the caller's own registrations (all of them for operators, and
// for the patient themself).
json PersonJson(const CrossReference& x, const Principal& who, const std::set<std::string>& disclosed) {
  json identifiers = json::array();
  for (const RegistrationRow& r : x.registrations) {
    if (!disclosed.contains(r.facility)) continue;
    json id = {{"facility", r.facility}, {"local_id", r.local_id}};
    if (who.role == Role::kOperator || who.role == Role::kPatient || r.facility == who.facility) {
      id["demographics"] = DemographicsJson(r.demographics);
      id["consent"] = r.consent;
      id["updated_at"] = r.updated_at;
    }
    identifiers.push_back(id);
  }
  json j = {{"regional_id", x.regional_id}, {"identifiers", identifiers}};
  if (!x.merged_from.empty()) j["merged_from"] = x.merged_from;
  return j;
}

json EventJson(const LinkEventRow& e) {
  json j = {{"id", e.id},
            {"change", e.change},
            {"at", e.at},
            {"actor", e.actor},
            {"action", LinkActionName(e.action)},
            {"reason", e.reason}};
  if (e.from_identity) j["from"] = mpi::FormatRegionalId(e.from_identity);
  if (e.to_identity) j["to"] = mpi::FormatRegionalId(e.to_identity);
  if (e.score) j["score"] = *e.score;
  if (!e.breakdown.empty()) j["breakdown"] = json::parse(e.breakdown, nullptr, false);
  return j;
}

json ReviewJson(const ReviewRow& r) {
  json j = {{"id", r.id}, {"score", r.score}, {"status", ReviewStatusName(r.status)}, {"created_at", r.created_at}};
  if (!r.breakdown.empty()) j["breakdown"] = json::parse(r.breakdown, nullptr, false);
  if (!r.resolved_at.empty()) {
    j["resolved_at"] = r.resolved_at;
    j["resolved_by"] = r.resolved_by;
    j["reason"] = r.reason;
  }
  return j;
}

json ChangeJson(const ChangeResult& c) { return {{"change", c.change}, {"regional_ids", c.regional_ids}}; }

RequestContext From(const http::Request& r) { return {r.id, r.remote}; }

// A break-glass start or stop as the audit trail records it.
AccessDecision BreakGlassRecord(std::string action, const policy::OverrideRecord& o) {
  return {.action = std::move(action),
          .regional_id = o.regional_id,
          .resources = {"Override/" + o.id},
          .rule = "break-glass",
          .reason = o.reason,
          .basis = o.id};
}



class Api {
 public:
  explicit Api(const HubServices& hub)
      : hub_(hub), index_(hub.index), credentials_(hub.credentials), edges_(hub.edges), consents_(hub.consents), users_(hub.users),
        services_(hub.services) {}

  static http::Response Unauthenticated() {
    http::Response r = http::Error(401, Status(StatusCode::kPermissionDenied,
                                               "authentication required: a client certificate or Authorization: Bearer <token>"));
    r.headers.push_back({"WWW-Authenticate", "Bearer realm=\"renkei-hub\""});
    return r;
  }

  // Wraps a handler: authenticates, turns a Status into an error response, and puts what the
  // route's `audit` asks for on the audit trail before answering (the answer is withheld when
  // that fails).
  http::Handler Guard(std::function<StatusOr<http::Response>(http::Request&, const Principal&)> handler,
                      std::string audit_action, Audited audit) {
    return [this, handler, audit_action, audit](http::Request& request) -> http::Response {
      std::optional<Principal> who = Authenticate(credentials_, users_, services_, request, NowUnixMs());
      if (!who) return Unauthenticated();
      StatusOr<http::Response> response = handler(request, *who);
      const bool denied = !response.ok() && response.status().code() == StatusCode::kPermissionDenied;
      if ((audit == Audited::kAll && (response.ok() || denied)) || (audit == Audited::kDenials && denied)) {
        auto patient = request.params.find("regional_id");
        AccessDecision record{.action = audit_action,
                              .regional_id = patient == request.params.end() ? "" : patient->second,
                              .allowed = !denied,
                              .reason = denied ? response.status().message() : ""};
        if (Status s = RecordAccess(hub_.audit, *who, From(request), record); !s.ok()) return http::Error(s);
      }
      if (!response.ok()) return http::Error(response.status());
      return std::move(response).value();
    };
  }

  StatusOr<http::Response> Register(http::Request& request, const Principal& who) {
    RENKEI_ASSIGN_OR_RETURN(json body, http::JsonBody(request));
    RegisterRequest r;
    RENKEI_ASSIGN_OR_RETURN(r.id.facility, StringMember(body, "facility", false));
    if (r.id.facility.empty()) r.id.facility = who.facility;
    RENKEI_ASSIGN_OR_RETURN(r.id.local_id, StringMember(body, "local_id"));
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kRegister, {r.id.facility}));
    if (!body.contains("consent") || !body["consent"].is_boolean()) {
      return InvalidArgument("'consent' (true or false) is required");
    }
    r.consent = body["consent"].get<bool>();
    if (!body.contains("demographics")) return InvalidArgument("'demographics' is required");
    RENKEI_ASSIGN_OR_RETURN(r.demographics, DemographicsFrom(body["demographics"]));
    r.actor = who.name;
    RENKEI_ASSIGN_OR_RETURN(RegisterResult result, index_.Register(r));
    json j = {{"regional_id", result.regional_id}, {"outcome", result.outcome}, {"change", result.change}};
    if (result.score) j["score"] = mpi::ScoreJson(*result.score);
    if (result.review_id) j["review_id"] = result.review_id;
    return http::Json(result.created ? 201 : 200, j);
  }

  StatusOr<http::Response> LookupLocal(http::Request& request, const Principal& who) {
    const LocalId id{request.params.at("facility"), request.params.at("local_id")};
    // A facility looks up its own local IDs only (seed 004): decided before anything is read.
    if (who.role != Role::kOperator) RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kRead, {id.facility}));
    RENKEI_ASSIGN_OR_RETURN(CrossReference x, index_.Lookup(id));
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kRead, FacilitiesOf(x)));
    RENKEI_ASSIGN_OR_RETURN(const auto disclosed, Disclosed(who, x));
    return http::Json(200, PersonJson(x, who, disclosed));
  }

  // The facilities whose local IDs `who` may learn for person `x` — the viewing right is
  // decided before any location is disclosed (seed 004): every one for operators; for anyone
  // else their own facility's and those the policy lets them see data from (DecideFor), so a
  // withdrawal or an unlinked facility hides the others' locations as it hides their data.
  StatusOr<std::set<std::string>> Disclosed(const Principal& who, const CrossReference& x) {
    const std::vector<std::string> all = FacilitiesOf(x);
    if (who.role == Role::kOperator) return std::set<std::string>(all.begin(), all.end());
    std::set<std::string> out;
    if (!who.facility.empty()) out.insert(who.facility);
    RENKEI_ASSIGN_OR_RETURN(const policy::Decision d, DecideFor(hub_, who, x));
    if (d.allowed) out.insert(d.facilities.begin(), d.facilities.end());
    return out;
  }

  StatusOr<CrossReference> ReadablePerson(const http::Request& request, const Principal& who) {
    auto x = index_.LookupRegional(request.params.at("regional_id"));
    // A facility that may not see a person learns nothing about whether it exists.
    if (!x.ok() && x.status().code() == StatusCode::kNotFound && who.role != Role::kOperator) {
      return Authorize(who, Action::kRead, {}, request.params.at("regional_id"));
    }
    if (!x.ok()) return x.status();
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kRead, FacilitiesOf(*x), x->regional_id));
    return x;
  }

  StatusOr<http::Response> LookupRegional(http::Request& request, const Principal& who) {
    RENKEI_ASSIGN_OR_RETURN(CrossReference x, ReadablePerson(request, who));
    RENKEI_ASSIGN_OR_RETURN(const auto disclosed, Disclosed(who, x));
    return http::Json(200, PersonJson(x, who, disclosed));
  }

  StatusOr<http::Response> Locations(http::Request& request, const Principal& who) {
    RENKEI_ASSIGN_OR_RETURN(CrossReference x, ReadablePerson(request, who));
    RENKEI_ASSIGN_OR_RETURN(const auto disclosed, Disclosed(who, x));
    json facilities = json::array();
    for (const RegistrationRow& r : x.registrations) {
      if (!disclosed.contains(r.facility)) continue;
      facilities.push_back({{"facility", r.facility}, {"local_id", r.local_id}});
    }
    return http::Json(200, {{"regional_id", x.regional_id}, {"facilities", facilities}});
  }

  StatusOr<http::Response> History(http::Request& request, const Principal& who) {
    RENKEI_ASSIGN_OR_RETURN(CrossReference x, ReadablePerson(request, who));
    RENKEI_ASSIGN_OR_RETURN(int64_t limit, OptionalNumber(request, "limit", 100, 1, 1000));
    RENKEI_ASSIGN_OR_RETURN(int64_t before, OptionalNumber(request, "before", 0, 0, INT64_MAX));
    RENKEI_ASSIGN_OR_RETURN(auto rows, index_.History(x.regional_id, static_cast<size_t>(limit), before));
    // Who else holds the person is disclosed as the locator does (seed 004): operators see every
    // event; anyone else only those about registrations at the facilities they may see.
    std::set<int64_t> visible;
    if (who.role != Role::kOperator) {
      RENKEI_ASSIGN_OR_RETURN(const auto disclosed, Disclosed(who, x));
      for (const RegistrationRow& r : x.registrations) {
        if (disclosed.contains(r.facility)) visible.insert(r.id);
      }
    }
    json events = json::array();
    for (const LinkEventRow& e : rows) {
      if (who.role == Role::kOperator || visible.contains(e.registration)) events.push_back(EventJson(e));
    }
    return http::Json(200, {{"regional_id", x.regional_id}, {"events", events}});
  }

  StatusOr<http::Response> Search(http::Request& request, const Principal& who) {
    SearchRequest s;
    static constexpr std::pair<const char*, std::string mpi::Demographics::*> kParams[] = {
        {"family", &mpi::Demographics::family_kanji}, {"given", &mpi::Demographics::given_kanji},
        {"family_kanji", &mpi::Demographics::family_kanji}, {"given_kanji", &mpi::Demographics::given_kanji},
        {"family_kana", &mpi::Demographics::family_kana}, {"given_kana", &mpi::Demographics::given_kana},
        {"birth_date", &mpi::Demographics::birth_date}, {"sex", &mpi::Demographics::sex},
        {"phone", &mpi::Demographics::phone}, {"postal_code", &mpi::Demographics::postal_code},
        {"address", &mpi::Demographics::address}};
    for (const auto& [name, member] : kParams) {
      if (auto v = request.Query1(name)) s.demographics.*member = v->substr(0, 512);
    }
    RENKEI_ASSIGN_OR_RETURN(int64_t limit, OptionalNumber(request, "limit", 20, 1, 100));
    s.limit = static_cast<size_t>(limit);
    RENKEI_ASSIGN_OR_RETURN(auto hits, index_.Search(s));
    json persons = json::array();
    for (const SearchHit& h : hits) {
      if (!Authorize(who, Action::kRead, FacilitiesOf(h.person)).ok()) continue;  // not the caller's patients
      RENKEI_ASSIGN_OR_RETURN(const auto disclosed, Disclosed(who, h.person));
      json p = PersonJson(h.person, who, disclosed);
      p["score"] = h.score;
      persons.push_back(p);
    }
    return http::Json(200, {{"persons", persons}});
  }

  StatusOr<http::Response> Link(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kCorrect, {}));
    RENKEI_ASSIGN_OR_RETURN(json body, http::JsonBody(request));
    LocalId id;
    RENKEI_ASSIGN_OR_RETURN(id.facility, StringMember(body, "facility"));
    RENKEI_ASSIGN_OR_RETURN(id.local_id, StringMember(body, "local_id"));
    RENKEI_ASSIGN_OR_RETURN(std::string target, StringMember(body, "regional_id"));
    RENKEI_ASSIGN_OR_RETURN(std::string reason, StringMember(body, "reason"));
    RENKEI_ASSIGN_OR_RETURN(ChangeResult c, index_.Link(id, target, who.name, reason));
    return http::Json(200, ChangeJson(c));
  }

  StatusOr<http::Response> Unlink(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kCorrect, {}));
    RENKEI_ASSIGN_OR_RETURN(json body, http::JsonBody(request));
    LocalId id;
    RENKEI_ASSIGN_OR_RETURN(id.facility, StringMember(body, "facility"));
    RENKEI_ASSIGN_OR_RETURN(id.local_id, StringMember(body, "local_id"));
    RENKEI_ASSIGN_OR_RETURN(std::string reason, StringMember(body, "reason"));
    RENKEI_ASSIGN_OR_RETURN(ChangeResult c, index_.Unlink(id, who.name, reason));
    return http::Json(200, ChangeJson(c));
  }

  StatusOr<http::Response> Merge(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kCorrect, {}));
    RENKEI_ASSIGN_OR_RETURN(json body, http::JsonBody(request));
    RENKEI_ASSIGN_OR_RETURN(std::string from, StringMember(body, "from"));
    RENKEI_ASSIGN_OR_RETURN(std::string into, StringMember(body, "into"));
    RENKEI_ASSIGN_OR_RETURN(std::string reason, StringMember(body, "reason"));
    RENKEI_ASSIGN_OR_RETURN(ChangeResult c, index_.Merge(from, into, who.name, reason));
    return http::Json(200, ChangeJson(c));
  }

  StatusOr<http::Response> Revert(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kCorrect, {}));
    RENKEI_ASSIGN_OR_RETURN(int64_t change, Number("change", request.params.at("change"), 1, INT64_MAX));
    RENKEI_ASSIGN_OR_RETURN(json body, http::JsonBody(request));
    RENKEI_ASSIGN_OR_RETURN(std::string reason, StringMember(body, "reason"));
    RENKEI_ASSIGN_OR_RETURN(ChangeResult c, index_.Revert(change, who.name, reason));
    return http::Json(200, ChangeJson(c));
  }

  StatusOr<http::Response> Reviews(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kCorrect, {}));
    std::optional<ReviewStatus> status = ReviewStatus::kOpen;
    if (auto s = request.Query1("status")) {
      if (*s == "all") {
        status.reset();
      } else {
        status = ParseReviewStatus(*s);
        if (!status) return InvalidArgument("status must be open, linked, kept_apart, obsolete or all");
      }
    }
    RENKEI_ASSIGN_OR_RETURN(int64_t limit, OptionalNumber(request, "limit", 50, 1, 1000));
    RENKEI_ASSIGN_OR_RETURN(int64_t after, OptionalNumber(request, "after", 0, 0, INT64_MAX));
    RENKEI_ASSIGN_OR_RETURN(auto rows, index_.Reviews(status, static_cast<size_t>(limit), after));
    json reviews = json::array();
    for (const ReviewRow& r : rows) reviews.push_back(ReviewJson(r));
    return http::Json(200, {{"reviews", reviews}});
  }

  StatusOr<http::Response> Review(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kCorrect, {}));
    RENKEI_ASSIGN_OR_RETURN(int64_t id, Number("review id", request.params.at("id"), 1, INT64_MAX));
    RENKEI_ASSIGN_OR_RETURN(ReviewDetail d, index_.Review(id));
    auto side = [](const RegistrationRow& r, const std::string& regional_id) {
      return json{{"facility", r.facility},
                  {"local_id", r.local_id},
                  {"regional_id", regional_id},
                  {"demographics", DemographicsJson(r.demographics)}};
    };
    json j = ReviewJson(d.review);
    j["registration"] = side(d.registration, d.registration_regional_id);
    j["candidate"] = side(d.candidate, d.candidate_regional_id);
    return http::Json(200, j);
  }

  StatusOr<http::Response> Resolve(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kCorrect, {}));
    RENKEI_ASSIGN_OR_RETURN(int64_t id, Number("review id", request.params.at("id"), 1, INT64_MAX));
    RENKEI_ASSIGN_OR_RETURN(json body, http::JsonBody(request));
    RENKEI_ASSIGN_OR_RETURN(std::string decision, StringMember(body, "decision"));
    RENKEI_ASSIGN_OR_RETURN(std::string reason, StringMember(body, "reason"));
    RENKEI_ASSIGN_OR_RETURN(ChangeResult c, index_.ResolveReview(id, decision, who.name, reason));
    return http::Json(200, ChangeJson(c));
  }

  StatusOr<std::shared_ptr<http::ChannelHandler>> Connect(http::Request& request) {
    std::optional<Principal> who = Authenticate(credentials_, users_, services_, request, NowUnixMs());
    if (!who) return PermissionDenied("authentication required: a client certificate or Authorization: Bearer <token>");
    return edges_.Admit(*who, request.remote);
  }

  StatusOr<http::Response> Edges(http::Request&, const Principal& who) {
    json list = json::array();
    for (const EdgePresence& e : edges_.List()) {
      if (who.role != Role::kOperator && e.facility != who.facility) continue;
      list.push_back({{"facility", e.facility}, {"name", e.name}, {"connected", e.connected}, {"version", e.version},
                      {"remote", e.remote}, {"connected_since", e.connected_since},
                      {"last_heartbeat", e.last_heartbeat.empty() ? json(nullptr) : json(e.last_heartbeat)},
                      {"rtt_ms", e.rtt_ms < 0 ? json(nullptr) : json(e.rtt_ms)}, {"connections", e.connections},
                      {"last_disconnect", e.last_disconnect}, {"in_flight", e.in_flight}});
    }
    return http::Json(200, {{"edges", list}});
  }

  // ?patient= or ?regional_id=, ?type=, ?facility=, ?from=, ?to=, ?deadline_ms=, ?signed=.
  static Status ReadPatientQuery(const http::Request& request, PatientQuery* q) {
    q->local_id = request.Query1("patient").value_or("");
    q->regional_id = request.Query1("regional_id").value_or("");
    q->types = QueryValues(request, "type");
    q->facilities = QueryValues(request, "facility");
    q->from = request.Query1("from").value_or("");
    q->to = request.Query1("to").value_or("");
    RENKEI_ASSIGN_OR_RETURN(const int64_t deadline, OptionalNumber(request, "deadline_ms", 5000, 100, 60'000));
    q->deadline = std::chrono::milliseconds(deadline);
    RENKEI_ASSIGN_OR_RETURN(q->include_signed, OptionalBool(request, "signed", false));
    q->origin = From(request);
    return Status::Ok();
  }

  StatusOr<http::Response> ChartOf(http::Request& request, const Principal& who) {
    ChartRequest c;
    RENKEI_RETURN_IF_ERROR(ReadPatientQuery(request, &c));
    c.department = request.Query1("department").value_or("");
    c.cursor = request.Query1("cursor").value_or("");
    RENKEI_ASSIGN_OR_RETURN(c.limit, OptionalNumber(request, "limit", 100, 1, 1000));
    RENKEI_ASSIGN_OR_RETURN(c.refresh, OptionalBool(request, "refresh", false));
    http::Response response;
    RENKEI_ASSIGN_OR_RETURN(response.body, Chart(hub_, who, c));
    return response;
  }

  StatusOr<http::Response> EntityOf(http::Request& request, const Principal& who) {
    EntityRequest e;
    e.local_id = request.Query1("patient").value_or("");
    e.regional_id = request.Query1("regional_id").value_or("");
    e.facility = request.params.at("facility");
    e.reference = request.params.at("type") + "/" + request.params.at("id");
    e.origin = From(request);
    RENKEI_ASSIGN_OR_RETURN(e.version, OptionalNumber(request, "version", 0, 0, INT64_MAX));
    RENKEI_ASSIGN_OR_RETURN(json entity, Entity(hub_, who, e));
    return http::Json(200, entity);
  }

  StatusOr<http::Response> ResourcesOf(http::Request& request, const Principal& who) {
    ResourcesRequest q;
    RENKEI_RETURN_IF_ERROR(ReadPatientQuery(request, &q));
    RENKEI_ASSIGN_OR_RETURN(q.limit, OptionalNumber(request, "limit", 1000, 1, 5000));
    RENKEI_ASSIGN_OR_RETURN(json page, Resources(hub_, who, q));
    return http::Json(200, page);
  }

  // Why the caller may or may not see a person's clinical data, from which facilities.
  // ?as=LOGIN: an operator asks how the policy decides for that person (a support call: "why
  // can't Dr Sato see this patient?"); the operator's question is what the trail records.
  StatusOr<http::Response> Explain(http::Request& request, const Principal& who) {
    policy::Decision decision;
    if (auto as = request.Query1("as")) {
      RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kExplainOthers, {}));
      RENKEI_ASSIGN_OR_RETURN(const identity::User user, users_.FindByLogin(*as));
      const Principal subject = PrincipalOf(user);
      RENKEI_ASSIGN_OR_RETURN(const CrossReference x, index_.LookupRegional(request.Query1("regional_id").value_or("")));
      RENKEI_ASSIGN_OR_RETURN(decision, DecideFor(hub_, subject, x));
      RENKEI_RETURN_IF_ERROR(RecordAccess(hub_.audit, who, From(request),
                                          {.action = "access.explain",
                                           .regional_id = x.regional_id,
                                           .reason = fmt::format("for {}: {}: {}", subject.name, decision.rule,
                                                                 decision.reason),
                                           .basis = decision.basis}));
    } else {
      RENKEI_ASSIGN_OR_RETURN(Viewing v, DecideView(hub_, who, request.Query1("patient").value_or(""),
                                                     request.Query1("regional_id").value_or(""), "access.explain",
                                                     From(request)));
      if (v.entry) RENKEI_RETURN_IF_ERROR(Recorded(*v.entry, "access.explain"));
      decision = std::move(v.decision);
    }
    json withheld = json::array();
    for (const policy::Withheld& w : decision.withheld) withheld.push_back({{"facility", w.facility}, {"reason", w.reason}});
    return http::Json(200, {{"effect", policy::EffectName(decision)}, {"rule", decision.rule},
                            {"reason", decision.reason}, {"basis", decision.basis},
                            {"facilities", decision.facilities}, {"withheld", withheld}});
  }

  static json ConsentJson(const policy::ConsentRecord& c) {
    return {{"id", c.id}, {"state", policy::ConsentStateName(c.state)}, {"linked", c.linked},
            {"recorded_by", c.recorded_by}, {"recorded_facility", c.recorded_facility},
            {"proxy", c.proxy.empty() ? json(nullptr) : json(c.proxy)},
            {"document_sha256", c.document_sha256.empty() ? json(nullptr) : json(c.document_sha256)},
            {"document_type", c.document_type.empty() ? json(nullptr) : json(c.document_type)},
            {"recorded_at", c.recorded_at}};
  }

  // The person's consent as the policy sees it, and every recorded change, newest first.
  StatusOr<http::Response> ConsentOf(http::Request& request, const Principal& who) {
    RENKEI_ASSIGN_OR_RETURN(CrossReference x, ReadablePerson(request, who));
    RENKEI_ASSIGN_OR_RETURN(auto history, consents_.History(x.regional_id));
    const policy::Consent effective = policy::EffectiveConsent(
        history.empty() ? std::nullopt : std::optional<policy::ConsentRecord>(history.front()), ConsentingFacilitiesOf(x));
    json changes = json::array();
    for (const policy::ConsentRecord& c : history) changes.push_back(ConsentJson(c));
    return http::Json(200, {{"regional_id", x.regional_id},
                            {"consent", {{"state", policy::ConsentStateName(effective.state)},
                                         {"id", effective.id.empty() ? json(nullptr) : json(effective.id)},
                                         {"linked", effective.linked}}},
                            {"history", changes}});
  }

  // Records a consent (the linked facilities, optionally a proxy and the signed form) or its
  // withdrawal: {"state": "active"|"withdrawn", "linked": [...], "proxy", "document_base64", "document_type"}.
  StatusOr<http::Response> RecordConsent(http::Request& request, const Principal& who) {
    RENKEI_ASSIGN_OR_RETURN(json body, http::JsonBody(request));
    auto x = index_.LookupRegional(request.params.at("regional_id"));
    if (!x.ok() && x.status().code() == StatusCode::kNotFound) {
      return Authorize(who, Action::kConsent, {}, request.params.at("regional_id"));
    }
    if (!x.ok()) return x.status();
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kConsent, FacilitiesOf(*x), x->regional_id));
    policy::ConsentRecord r;
    r.regional_id = x->regional_id;
    RENKEI_ASSIGN_OR_RETURN(const std::string state, StringMember(body, "state"));
    if (state != "active" && state != "withdrawn") return InvalidArgument("'state' is \"active\" or \"withdrawn\"");
    r.state = state == "active" ? policy::Consent::State::kActive : policy::Consent::State::kWithdrawn;
    if (body.contains("linked")) {
      if (!body["linked"].is_array()) return InvalidArgument("'linked' must be an array of facility codes");
      for (const json& f : body["linked"]) {
        if (!f.is_string()) return InvalidArgument("'linked' must be an array of facility codes");
        r.linked.push_back(f.get<std::string>());
      }
    }
    RENKEI_ASSIGN_OR_RETURN(r.proxy, StringMember(body, "proxy", false));
    if (who.proxy) r.proxy = who.name;  // a proxy signed in records for the patient as themself
    RENKEI_ASSIGN_OR_RETURN(const std::string document64, StringMember(body, "document_base64", false));
    RENKEI_ASSIGN_OR_RETURN(r.document_type, StringMember(body, "document_type", false));
    std::string document;
    if (!document64.empty()) {
      auto decoded = text::Base64Decode(document64);
      if (!decoded.ok()) return decoded.status().Annotate("document_base64");
      document = *std::move(decoded);
      if (r.document_type.empty()) return InvalidArgument("'document_type' is required with a document");
    }
    r.recorded_by = who.name;
    r.recorded_facility = who.facility;
    RENKEI_ASSIGN_OR_RETURN(policy::ConsentRecord stored, consents_.Record(std::move(r), document));
    RENKEI_RETURN_IF_ERROR(RecordAccess(hub_.audit, who, From(request),
                                        {.action = "consent.change",
                                         .regional_id = stored.regional_id,
                                         .facilities = stored.linked,
                                         .resources = {"Consent/" + stored.id},
                                         .reason = stored.proxy.empty() ? state : state + ", recorded for the patient by " + stored.proxy,
                                         .basis = stored.id}));
    return http::Json(201, ConsentJson(stored));
  }

  static json OverrideJson(const policy::OverrideRecord& o) {
    return {{"id", o.id}, {"requester", o.requester}, {"facility", o.facility}, {"regional_id", o.regional_id},
            {"reason", o.reason}, {"started_ms", o.started_ms}, {"until_ms", o.until_ms},
            {"stopped_ms", o.stopped_ms == 0 ? json(nullptr) : json(o.stopped_ms)},
            {"reviewed_by", o.reviewed_by.empty() ? json(nullptr) : json(o.reviewed_by)},
            {"review_note", o.review_note.empty() ? json(nullptr) : json(o.review_note)}};
  }

  // The signed form attached to one of the person's consents, as it was uploaded.
  StatusOr<http::Response> ConsentDocument(http::Request& request, const Principal& who) {
    RENKEI_ASSIGN_OR_RETURN(CrossReference x, ReadablePerson(request, who));
    const std::string& id = request.params.at("id");
    RENKEI_ASSIGN_OR_RETURN(auto history, consents_.History(x.regional_id));
    auto c = std::find_if(history.begin(), history.end(), [&](const auto& r) { return r.id == id; });
    if (c == history.end()) return NotFound(fmt::format("this person has no consent {}", id.substr(0, 40)));
    if (c->document_sha256.empty()) return NotFound(fmt::format("consent {} has no document attached", c->id));
    http::Response response;
    RENKEI_ASSIGN_OR_RETURN(response.body, consents_.Document(c->id));
    response.content_type = c->document_type;
    response.headers.push_back({"Content-Disposition", "attachment; filename=\"consent-" + c->id + "\""});
    response.headers.push_back({"X-Content-Type-Options", "nosniff"});
    return response;
  }

  // Break-glass: {"patient": LOCAL_ID | "regional_id": RK…, "reason": "…", "minutes": 30}.
  StatusOr<http::Response> StartBreakGlass(http::Request& request, const Principal& who) {
    RENKEI_ASSIGN_OR_RETURN(json body, http::JsonBody(request));
    RENKEI_ASSIGN_OR_RETURN(const std::string local_id, StringMember(body, "patient", false));
    RENKEI_ASSIGN_OR_RETURN(const std::string regional_id, StringMember(body, "regional_id", false));
    RENKEI_ASSIGN_OR_RETURN(const std::string reason, StringMember(body, "reason"));
    int64_t minutes = 30;
    if (body.contains("minutes")) {
      if (!body["minutes"].is_number_integer()) return InvalidArgument("'minutes' must be a whole number");
      minutes = body["minutes"].get<int64_t>();
    }
    if (local_id.empty() == regional_id.empty()) {
      return InvalidArgument("name the patient by your facility's local ID or by a regional ID (one of them)");
    }
    auto x = local_id.empty() ? index_.LookupRegional(regional_id) : index_.Lookup({who.facility, local_id});
    if (!x.ok() && x.status().code() == StatusCode::kNotFound) return Authorize(who, Action::kBreakGlass, {});
    if (!x.ok()) return x.status();
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kBreakGlass, FacilitiesOf(*x)));
    RENKEI_ASSIGN_OR_RETURN(policy::OverrideRecord o,
                            consents_.StartOverride(who.name, who.facility, x->regional_id, reason, minutes, NowUnixMs()));
    RENKEI_RETURN_IF_ERROR(RecordAccess(hub_.audit, who, From(request), BreakGlassRecord("breakglass.start", o)));
    return http::Json(201, OverrideJson(o));
  }

  StatusOr<http::Response> StopBreakGlass(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kBreakGlass, {who.facility}));
    RENKEI_ASSIGN_OR_RETURN(policy::OverrideRecord o, consents_.StopOverride(request.params.at("id"), who.name, NowUnixMs()));
    RENKEI_RETURN_IF_ERROR(RecordAccess(hub_.audit, who, From(request), BreakGlassRecord("breakglass.stop", o)));
    return http::Json(200, OverrideJson(o));
  }

  // The operators' review list: ?status=unreviewed (default) or all.
  StatusOr<http::Response> Overrides(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kReviewOverrides, {}));
    const std::string status = request.Query1("status").value_or("unreviewed");
    if (status != "unreviewed" && status != "all") return InvalidArgument("status is unreviewed or all");
    RENKEI_ASSIGN_OR_RETURN(auto list, consents_.Overrides("", status == "unreviewed"));
    json out = json::array();
    for (const policy::OverrideRecord& o : list) out.push_back(OverrideJson(o));
    return http::Json(200, {{"overrides", out}});
  }

  StatusOr<http::Response> ReviewBreakGlass(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kReviewOverrides, {}));
    RENKEI_ASSIGN_OR_RETURN(json body, http::JsonBody(request));
    RENKEI_ASSIGN_OR_RETURN(const std::string note, StringMember(body, "note"));
    RENKEI_ASSIGN_OR_RETURN(policy::OverrideRecord o, consents_.ReviewOverride(request.params.at("id"), who.name, note));
    return http::Json(200, OverrideJson(o));
  }

  // Who accessed a person's record, newest first (?before=N&limit=…), and the emergencies
  // declared on it: for the patient, their proxy and the operators.
  StatusOr<http::Response> AccessesOf(http::Request& request, const Principal& who) {
    const std::string& rk = request.params.at("regional_id");
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kReadAccesses, {}, rk));
    audit::Query q;
    q.patient = rk;
    RENKEI_ASSIGN_OR_RETURN(json page, AuditPage(request, q));
    RENKEI_ASSIGN_OR_RETURN(auto overrides, consents_.Overrides(rk, false));
    json notices = json::array();
    for (const policy::OverrideRecord& o : overrides) notices.push_back(OverrideJson(o));
    page["regional_id"] = rk;
    page["breakglass"] = notices;
    return http::Json(200, page);
  }

  // The operators' audit search: ?patient=&principal=&facility=&action=&from=&to= (ISO 8601 UTC
  // or milliseconds) &before=&limit=, newest first.
  StatusOr<http::Response> SearchAudit(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kSearchAudit, {}));
    audit::Query q;
    q.patient = request.Query1("patient").value_or("");
    q.principal = request.Query1("principal").value_or("");
    q.facility = request.Query1("facility").value_or("");
    q.action = request.Query1("action").value_or("");
    for (auto [name, bound] : {std::pair{"from", &q.from_ms}, std::pair{"to", &q.to_ms}}) {
      if (auto v = request.Query1(name)) {
        auto t = audit::ParseTime(*v);
        if (!t.ok()) return t.status().Annotate(name);
        *bound = *t;
      }
    }
    RENKEI_ASSIGN_OR_RETURN(json page, AuditPage(request, q));
    return http::Json(200, page);
  }

  // A page of the audit trail for `q` with the request's ?before= and ?limit=:
  // {"entries": [...], "next_before"}.
  StatusOr<json> AuditPage(const http::Request& request, audit::Query q) {
    RENKEI_ASSIGN_OR_RETURN(const int64_t limit, OptionalNumber(request, "limit", 100, 1, audit::kMaxListLimit));
    q.limit = static_cast<size_t>(limit);
    if (request.Query1("before")) {
      RENKEI_ASSIGN_OR_RETURN(q.before, OptionalNumber(request, "before", 0, 0, INT64_MAX));
    }
    RENKEI_ASSIGN_OR_RETURN(audit::Page page, hub_.audit.List(q));
    json entries = json::array();
    for (const audit::Entry& e : page.entries) {
      const audit::Event& ev = e.event;
      entries.push_back({{"seq", e.seq}, {"time", audit::FormatTime(ev.time_ms)}, {"action", ev.action},
                         {"who", ev.who.name}, {"role", ev.who.role}, {"facility", ev.who.facility},
                         {"patient", ev.patient}, {"purpose", ev.purpose},
                         {"decision", audit::DecisionName(ev.decision)}, {"reason", ev.reason}, {"basis", ev.basis},
                         {"data_from", ev.data.facilities}, {"remote", ev.remote}});
    }
    return json{{"entries", entries}, {"next_before", page.next_before ? json(*page.next_before) : json(nullptr)}};
  }

  // --- People: sign-in, sessions, accounts ---

  static json UserJson(const identity::User& u) {
    return {{"id", u.id}, {"login", u.login}, {"display_name", u.display_name},
            {"role", identity::RoleName(u.role)}, {"facility", u.facility}, {"regional_ids", u.regional_ids},
            {"certificate_sha256", u.certificate_sha256.empty() ? json(nullptr) : json(u.certificate_sha256)},
            {"disabled", u.disabled}, {"created_ms", u.created_ms}};
  }

  // {"login", "password", "code"} → 201 {"token", "session", "user"}; 401 for wrong credentials
  // or a locked account, 429 when the address has spent its attempts. Every attempt is audited
  // with what really went wrong; the caller is told only what identity/ allows.
  http::Response SignIn(http::Request& request) {
    auto body = http::JsonBody(request);
    if (!body.ok()) return http::Error(body.status());
    std::string fields[3];
    const char* names[3] = {"login", "password", "code"};
    for (int i = 0; i < 3; ++i) {
      auto v = StringMember(*body, names[i]);
      if (!v.ok()) return http::Error(v.status());
      fields[i] = *std::move(v);
    }
    const int64_t now = NowUnixMs();
    identity::LoginResult result = users_.Login(fields[0], fields[1], fields[2], request.remote, now);
    // The audit trail names the account tried; a login no account has is named as typed.
    Principal who = MakePrincipal(identity::CanonicalLogin(fields[0]).value_or("(malformed login)"), Role::kPatient);
    if (result.session.ok()) {
      who = PrincipalOf(result.session->user, result.session->id);
    } else if (!result.user_id.empty()) {
      if (auto user = users_.Get(result.user_id); user.ok()) who = PrincipalOf(*user);
    }
    AccessDecision record{.action = "session.login",
                          .allowed = result.session.ok(),
                          .reason = std::string(identity::LoginFailureName(result.failure)),
                          .basis = result.session.ok() ? result.session->id : ""};
    if (result.session.ok()) record.reason = "signed in with password and code";
    if (Status s = RecordAccess(hub_.audit, who, From(request), record); !s.ok()) return http::Error(s);
    if (!result.session.ok()) {
      const Status& e = result.session.status();
      if (e.code() == StatusCode::kResourceExhausted) return http::Error(429, e);
      if (e.code() == StatusCode::kPermissionDenied) return http::Error(401, e);
      return http::Error(e);
    }
    const identity::Session& session = *result.session;
    return http::Json(201, {{"token", session.token},
                            {"session", {{"id", session.id}, {"expires_ms", session.expires_ms},
                                         {"idle_expires_ms", session.idle_expires_ms}}},
                            {"user", UserJson(session.user)}});
  }

  // Signs the caller's session out (a bearer session token; certificates and credentials have none).
  StatusOr<http::Response> SignOut(http::Request& request, const Principal& who) {
    if (who.session.empty()) return InvalidArgument("this caller did not sign in with a password: no session to end");
    const std::string auth = request.Header("authorization").value_or("");
    RENKEI_RETURN_IF_ERROR(users_.Revoke(std::string_view(auth).substr(std::min<size_t>(7, auth.size()))));
    return http::Json(200, {{"signed_out", who.session}});
  }

  // The caller as the hub sees it.
  StatusOr<http::Response> Me(http::Request&, const Principal& who) {
    return http::Json(200, {{"name", who.name}, {"display_name", who.display_name.empty() ? who.name : who.display_name},
                            {"role", RoleName(who.role)}, {"facility", who.facility},
                            {"acts_for", who.acts_for}, {"proxy", who.proxy},
                            {"user_id", who.user_id.empty() ? json(nullptr) : json(who.user_id)},
                            {"session", who.session.empty() ? json(nullptr) : json(who.session)}});
  }

  // {"login", "display_name", "role", "facility", "regional_ids", "password"} → 201 {"user",
  // "totp": {"secret_base32", "uri"}} — the authenticator app's secret, shown this once.
  StatusOr<http::Response> CreateUser(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageUsers, {}));
    RENKEI_ASSIGN_OR_RETURN(json body, http::JsonBody(request));
    identity::User u;
    RENKEI_ASSIGN_OR_RETURN(u.login, StringMember(body, "login"));
    RENKEI_ASSIGN_OR_RETURN(u.display_name, StringMember(body, "display_name"));
    RENKEI_ASSIGN_OR_RETURN(const std::string role, StringMember(body, "role"));
    RENKEI_ASSIGN_OR_RETURN(u.role, identity::ParseRole(role));
    RENKEI_ASSIGN_OR_RETURN(u.facility, StringMember(body, "facility", false));
    if (body.contains("regional_ids")) {
      if (!body["regional_ids"].is_array()) return InvalidArgument("'regional_ids' must be an array of regional IDs");
      for (const json& r : body["regional_ids"]) {
        if (!r.is_string()) return InvalidArgument("'regional_ids' must be an array of regional IDs");
        u.regional_ids.push_back(r.get<std::string>());
      }
    }
    RENKEI_ASSIGN_OR_RETURN(const std::string password, StringMember(body, "password"));
    RENKEI_ASSIGN_OR_RETURN(identity::CreatedUser made, users_.CreateUser(std::move(u), password, NowUnixMs()));
    return http::Json(201, {{"user", UserJson(made.user)},
                            {"totp", {{"secret_base32", made.totp.secret_base32}, {"uri", made.totp.uri}}}});
  }

  StatusOr<http::Response> Users(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageUsers, {}));
    RENKEI_ASSIGN_OR_RETURN(const int64_t limit, OptionalNumber(request, "limit", 100, 1, 1000));
    RENKEI_ASSIGN_OR_RETURN(auto list, users_.List(request.Query1("after").value_or(""), static_cast<size_t>(limit)));
    json out = json::array();
    for (const identity::User& u : list) out.push_back(UserJson(u));
    return http::Json(200, {{"users", out}});
  }

  // POST /v1/users/{id}/{change}: disable, enable, reset-totp (→ the new secret, shown once).
  StatusOr<http::Response> ChangeUser(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageUsers, {}));
    const std::string& id = request.params.at("id");
    const std::string& change = request.params.at("change");
    json out = {{"id", id}, {"change", change}};
    if (change == "disable") {
      RENKEI_RETURN_IF_ERROR(users_.Disable(id));
    } else if (change == "enable") {
      RENKEI_RETURN_IF_ERROR(users_.Enable(id));
    } else if (change == "reset-totp") {
      RENKEI_ASSIGN_OR_RETURN(identity::TotpEnrollment totp, users_.ResetTotp(id));
      out["totp"] = {{"secret_base32", totp.secret_base32}, {"uri", totp.uri}};
    } else {
      return NotFound("a user's changes are disable, enable and reset-totp");
    }
    return http::Json(200, out);
  }

  // --- The region: its facilities, the CA's certificates, the audit trail's integrity ---

  StatusOr<http::Response> Facilities(http::Request&, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kReadDirectory, {}));
    RENKEI_ASSIGN_OR_RETURN(const auto list, hub_.facilities.List());
    json out = json::array();
    for (const Facility& f : list) out.push_back(FacilityJson(f));
    return http::Json(200, {{"facilities", out}});
  }

  // {"facility", "name", "kind", "prefecture", "city", "address", "phone"} → 201 when new, 200
  // when it replaced what was known.
  StatusOr<http::Response> PutFacility(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageFacilities, {}));
    RENKEI_ASSIGN_OR_RETURN(const json body, http::JsonBody(request));
    Facility f;
    const std::pair<const char*, std::string*> fields[] = {{"facility", &f.code}, {"name", &f.name},
                                                           {"kind", &f.kind},     {"prefecture", &f.prefecture},
                                                           {"city", &f.city},     {"address", &f.address},
                                                           {"phone", &f.phone}};
    for (const auto& [key, value] : body.items()) {
      if (std::none_of(std::begin(fields), std::end(fields), [&](const auto& f) { return key == f.first; })) {
        return InvalidArgument(fmt::format("unknown member '{}'", key.substr(0, 40)));
      }
    }
    for (const auto& [name, member] : fields) {
      RENKEI_ASSIGN_OR_RETURN(*member, StringMember(body, name, name == std::string_view("facility")));
    }
    RENKEI_ASSIGN_OR_RETURN(const auto known, hub_.facilities.Get(f.code));
    RENKEI_ASSIGN_OR_RETURN(const Facility stored, hub_.facilities.Put(std::move(f)));
    return http::Json(known ? 200 : 201, FacilityJson(stored));
  }

  // Walks the whole audit trail (audit/verify.h) and reports whether it is intact, or the first
  // entry that cannot be trusted; heads are checked against the regional CA when the hub has it.
  StatusOr<http::Response> VerifyAudit(http::Request&, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kVerifyAudit, {}));
    if (hub_.audit_url.empty()) return FailedPrecondition("this hub was not told where its audit trail is");
    RENKEI_ASSIGN_OR_RETURN(auto db, audit::OpenForReading(hub_.audit_url));
    RENKEI_ASSIGN_OR_RETURN(const audit::VerifyReport report, audit::Verify(*db, {.ca_pem = hub_.ca_pem}));
    return http::Json(200, audit::ReportJson(report));
  }

  static json CertificateJson(const pki::IssuedEntry& e) {
    return {{"serial", e.serial_hex},
            {"name", e.name},
            {"role", pki::RoleName(e.role)},
            {"facility", e.facility},
            {"not_after", e.not_after},
            {"revoked_at", e.revoked_at.empty() ? json(nullptr) : json(e.revoked_at)},
            {"reason", e.reason}};
  }

  Status NeedCa() const {
    if (hub_.ca_dir.empty()) {
      return FailedPrecondition("this hub runs without the regional CA: start it with --ca-dir to issue certificates");
    }
    return Status::Ok();
  }

  StatusOr<pki::IssuedEntry> IssuedBySerial(const std::string& serial) {
    RENKEI_ASSIGN_OR_RETURN(const auto issued, pki::ListIssued(hub_.ca_dir));
    for (const pki::IssuedEntry& e : issued) {
      if (e.serial_hex == serial || e.name == serial) return e;
    }
    return NotFound("no certificate of that serial");
  }

  StatusOr<http::Response> Certificates(http::Request&, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageCertificates, {}));
    RENKEI_RETURN_IF_ERROR(NeedCa());
    RENKEI_ASSIGN_OR_RETURN(const auto issued, pki::ListIssued(hub_.ca_dir));
    json out = json::array();
    for (auto it = issued.rbegin(); it != issued.rend(); ++it) out.push_back(CertificateJson(*it));
    return http::Json(200, {{"certificates", out}});
  }

  // {"name", "role": edge|user|operator|service, "facility", "days"} → 201 {"certificate",
  // "certificate_pem", "private_key_pem", "ca_pem"}: a new key, shown this once and kept nowhere.
  StatusOr<http::Response> IssueCertificate(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageCertificates, {}));
    RENKEI_RETURN_IF_ERROR(NeedCa());
    RENKEI_ASSIGN_OR_RETURN(const json body, http::JsonBody(request));
    pki::IssueRequest issue;
    RENKEI_ASSIGN_OR_RETURN(issue.name, StringMember(body, "name"));
    RENKEI_ASSIGN_OR_RETURN(const std::string role, StringMember(body, "role"));
    RENKEI_ASSIGN_OR_RETURN(issue.role, pki::ParseRole(role));
    if (issue.role == pki::Role::kHub) {
      return InvalidArgument("a hub's certificate is issued with `renkei ca issue` where the hub is deployed");
    }
    RENKEI_ASSIGN_OR_RETURN(issue.facility, StringMember(body, "facility", false));
    if (body.contains("days")) {
      if (!body["days"].is_number_integer() || body["days"].get<int64_t>() < 1 || body["days"].get<int64_t>() > 3650) {
        return InvalidArgument("'days' must be a whole number from 1 to 3650");
      }
      issue.days = body["days"].get<int>();
    }
    // The files Issue writes go to a directory of this request's own, read back, then removed.
    std::string out = (std::filesystem::temp_directory_path() / "renkei-issue-XXXXXX").string();
    if (::mkdtemp(out.data()) == nullptr) return Unavailable("cannot make a temporary directory");
    struct Remove {
      std::string dir;
      ~Remove() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
      }
    } remove{out};
    RENKEI_ASSIGN_OR_RETURN(const pki::Issued issued, pki::Issue(hub_.ca_dir, issue, out));
    RENKEI_ASSIGN_OR_RETURN(const std::string cert, ReadFile(issued.cert_path, 1 << 20));
    RENKEI_ASSIGN_OR_RETURN(const std::string key, ReadFile(issued.key_path, 1 << 20));
    RENKEI_ASSIGN_OR_RETURN(const std::string ca, ReadFile(out + "/ca.crt", 1 << 20));
    RENKEI_ASSIGN_OR_RETURN(const pki::IssuedEntry entry, IssuedBySerial(issued.serial_hex));
    return http::Json(201, {{"certificate", CertificateJson(entry)},
                            {"certificate_pem", cert},
                            {"private_key_pem", key},
                            {"ca_pem", ca}});
  }

  // POST /v1/certificates/{serial}/revoke {"reason"}: refused on its holder's next connection.
  StatusOr<http::Response> RevokeCertificate(http::Request& request, const Principal& who) {
    RENKEI_RETURN_IF_ERROR(Authorize(who, Action::kManageCertificates, {}));
    RENKEI_RETURN_IF_ERROR(NeedCa());
    RENKEI_ASSIGN_OR_RETURN(const json body, http::JsonBody(request));
    RENKEI_ASSIGN_OR_RETURN(const std::string reason, StringMember(body, "reason"));
    const std::string& serial = request.params.at("serial");
    RENKEI_ASSIGN_OR_RETURN(const pki::IssuedEntry before, IssuedBySerial(serial));
    RENKEI_RETURN_IF_ERROR(pki::Revoke(hub_.ca_dir, before.serial_hex, reason));
    RENKEI_ASSIGN_OR_RETURN(const pki::IssuedEntry after, IssuedBySerial(before.serial_hex));
    return http::Json(200, CertificateJson(after));
  }

 private:
  const HubServices hub_;
  PatientIndex& index_;
  const Credentials& credentials_;
  EdgeRegistry& edges_;
  policy::ConsentStore& consents_;
  identity::UserStore& users_;
  gateway::Registry& services_;
};

}  // namespace

http::Router MakeApi(const HubServices& hub, std::shared_ptr<log::Logger> logger) {
  auto api = std::make_shared<Api>(hub);
  http::Router router(std::move(logger));
  auto route = [&](const char* method, const char* pattern, auto member, const char* action, Audited audit) {
    router.Add(method, pattern, api->Guard([api, member](http::Request& r, const Principal& who) {
      return ((*api).*member)(r, who);
    }, action, audit));
  };
  using enum Audited;
  route("POST", "/v1/registrations", &Api::Register, "index.register", kAll);
  route("GET", "/v1/registrations/{facility}/{local_id}", &Api::LookupLocal, "index.read", kAll);
  route("GET", "/v1/patients", &Api::Search, "index.search", kAll);
  route("GET", "/v1/patients/{regional_id}", &Api::LookupRegional, "index.read", kAll);
  route("GET", "/v1/patients/{regional_id}/locations", &Api::Locations, "index.locations", kAll);
  route("GET", "/v1/patients/{regional_id}/history", &Api::History, "index.history", kAll);
  route("POST", "/v1/links", &Api::Link, "index.correct", kAll);
  route("POST", "/v1/unlinks", &Api::Unlink, "index.correct", kAll);
  route("POST", "/v1/merges", &Api::Merge, "index.correct", kAll);
  route("POST", "/v1/changes/{change}/revert", &Api::Revert, "index.correct", kAll);
  route("GET", "/v1/reviews", &Api::Reviews, "index.reviews", kAll);
  route("GET", "/v1/reviews/{id}", &Api::Review, "index.reviews", kAll);
  route("POST", "/v1/reviews/{id}/resolve", &Api::Resolve, "index.correct", kAll);
  route("GET", "/v1/edges", &Api::Edges, "", kSelf);
  route("GET", "/v1/chart", &Api::ChartOf, "chart.view", kSelf);
  route("GET", "/v1/entities/{facility}/{type}/{id}", &Api::EntityOf, "entity.read", kSelf);
  route("GET", "/v1/resources", &Api::ResourcesOf, "resources.read", kSelf);
  route("GET", "/v1/access/explain", &Api::Explain, "access.explain", kSelf);
  route("GET", "/v1/patients/{regional_id}/consent", &Api::ConsentOf, "consent.read", kAll);
  route("POST", "/v1/patients/{regional_id}/consent", &Api::RecordConsent, "consent.change", kDenials);
  route("GET", "/v1/patients/{regional_id}/consent/{id}/document", &Api::ConsentDocument, "consent.document", kAll);
  route("POST", "/v1/breakglass", &Api::StartBreakGlass, "breakglass.start", kDenials);
  route("GET", "/v1/breakglass", &Api::Overrides, "breakglass.list", kAll);
  route("POST", "/v1/breakglass/{id}/stop", &Api::StopBreakGlass, "breakglass.stop", kDenials);
  route("POST", "/v1/breakglass/{id}/review", &Api::ReviewBreakGlass, "breakglass.review", kAll);
  route("GET", "/v1/patients/{regional_id}/accesses", &Api::AccessesOf, "audit.read", kAll);
  route("GET", "/v1/audit", &Api::SearchAudit, "audit.search", kAll);
  route("DELETE", "/v1/sessions/current", &Api::SignOut, "session.logout", kAll);
  route("GET", "/v1/me", &Api::Me, "", kSelf);
  route("POST", "/v1/users", &Api::CreateUser, "user.create", kAll);
  route("GET", "/v1/users", &Api::Users, "user.list", kAll);
  route("POST", "/v1/users/{id}/{change}", &Api::ChangeUser, "user.change", kAll);
  route("GET", "/v1/facilities", &Api::Facilities, "", kSelf);
  route("POST", "/v1/facilities", &Api::PutFacility, "facility.put", kAll);
  route("POST", "/v1/audit/verify", &Api::VerifyAudit, "audit.verify", kAll);
  route("GET", "/v1/certificates", &Api::Certificates, "certificate.list", kAll);
  route("POST", "/v1/certificates", &Api::IssueCertificate, "certificate.issue", kAll);
  route("POST", "/v1/certificates/{serial}/revoke", &Api::RevokeCertificate, "certificate.revoke", kAll);
  // Signing in is the one route without a principal: it makes one.
  router.Add("POST", "/v1/sessions", [api](http::Request& r) { return api->SignIn(r); });
  router.AddWebSocket("/v1/edges/connect", [api](http::Request& r) { return api->Connect(r); });
  AddServiceRoutes(router, hub, [api](GuardedHandler handler, std::string action, Audited audit) {
    return api->Guard(std::move(handler), std::move(action), audit);
  });
  return router;
}

}  // namespace renkei::hub
