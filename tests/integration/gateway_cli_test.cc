// The service-provider gateway end to end (seed 000): a generated region, `renkei hub serve`,
// `renkei edge connect` per facility (outbound WebSocket), services registered and connected by
// the operator's `renkei hub service ...` commands, and the services themselves: webhook
// receivers in this test (a real HTTP server that checks every signature and counts every
// arrival) and `renkei example-service reception`. Changes are made the way a facility makes
// them: `renkei edge upload --fhir` into the edge's repository while the edge runs.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/time.h"
#include "gateway/signature.h"
#include "http/client.h"
#include "http/server.h"
#include "pki/tls.h"
#include "renkei_cli.h"
#include "text/base64.h"

namespace renkei::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 20s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

int FreePort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// One webhook arrival as a receiver saw it.
struct Arrival {
  std::string key;
  json body;
  bool signature_ok = false;
};

// The services' webhook receivers: one HTTP server, POST /hook/{service}. Each arrival's
// signature is checked with that service's signing secret; each is recorded, duplicates too;
// the answer is 200 unless the test sets another (a service that is down, or that loses its
// first acknowledgements).
class Receivers {
 public:
  Receivers() {
    http::Router router;
    router.Add("POST", "/hook/{service}", [this](http::Request& r) {
      const std::string service = r.params.at("service");
      std::lock_guard lock(mutex_);
      Arrival a;
      a.key = r.Header("idempotency-key").value_or("");
      a.body = json::parse(r.body, nullptr, false);
      a.signature_ok = gateway::VerifyWebhook(secrets_[service], r.Header("renkei-signature").value_or(""), r.body,
                                              NowUnixMs() / 1000)
                           .ok();
      arrivals_[service].push_back(a);
      int status = 200;
      if (auto it = fail_first_.find(service); it != fail_first_.end() && it->second > 0) {
        --it->second;
        status = 500;  // taken, but the acknowledgement is lost: the hub must send it again
      }
      return http::Json(status, {{"ok", status == 200}});
    });
    http::ServerOptions o;
    o.handler_threads = 8;
    server_ = std::move(http::Server::Start(o, std::move(router), log::Logger::Null())).value();
  }
  std::string Url(const std::string& service) const {
    return fmt::format("http://127.0.0.1:{}/hook/{}", server_->port(), service);
  }
  void SetSecret(const std::string& service, const std::string& secret) {
    std::lock_guard lock(mutex_);
    secrets_[service] = secret;
  }
  void FailFirst(const std::string& service, int n) {
    std::lock_guard lock(mutex_);
    fail_first_[service] = n;
  }
  std::vector<Arrival> Of(const std::string& service) {
    std::lock_guard lock(mutex_);
    return arrivals_[service];
  }
  // The first arrival of each key, in order.
  std::vector<Arrival> Distinct(const std::string& service) {
    std::set<std::string> seen;
    std::vector<Arrival> out;
    for (Arrival& a : Of(service)) {
      if (seen.insert(a.key).second) out.push_back(std::move(a));
    }
    return out;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> secrets_;
  std::map<std::string, std::vector<Arrival>> arrivals_;
  std::map<std::string, int> fail_first_;
  std::unique_ptr<http::Server> server_;
};

std::string TokenOf(const Result& r) {
  const size_t at = r.out.find("rk_");
  return at == std::string::npos ? "" : r.out.substr(at, 67);
}

// A region of two facilities with its hub and edges running.
struct Region {
  std::filesystem::path dir;
  std::vector<std::string> facilities;
  std::map<std::string, std::string> tokens;  // facility → its edge's token
  std::string operator_token;
  std::string patient;  // a local ID at facilities[0]
  int port = 0;
  std::unique_ptr<BackgroundRenkei> hub;
  std::map<std::string, std::unique_ptr<BackgroundRenkei>> edges;

  // Generates and imports the region; starts nothing.
  void Make(const std::string& name) {
    dir = FreshTestDir(name);
    ASSERT_EQ(RunRenkei(dir, "gen region --facilities 2 --patients 20 --out region").exit_code, 0);
    std::istringstream list(Slurp(dir / "region/facilities.csv"));
    std::string line;
    std::getline(list, line);
    while (std::getline(list, line)) facilities.push_back(line.substr(0, line.find(',')));
    ASSERT_EQ(facilities.size(), 2u);
    std::istringstream truth(Slurp(dir / "region/ground_truth.csv"));
    std::getline(truth, line);
    while (std::getline(truth, line) && patient.empty()) {
      std::vector<std::string> cells;
      std::istringstream row(line);
      for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
      if (cells.size() > 3 && cells[2] == facilities[0]) patient = cells[3];
    }
    ASSERT_FALSE(patient.empty());
    for (const std::string& f : facilities) {
      ASSERT_EQ(RunRenkei(dir, fmt::format("edge import --root region/{0} --store sqlite:edge-{0}.db --facility {0} "
                                           "--no-progress --log-level off", f))
                    .exit_code,
                0);
      tokens[f] = TokenOf(RunRenkei(dir, fmt::format("hub token add --name edge-{0} --facility {0}", f)));
    }
    operator_token = TokenOf(RunRenkei(dir, "hub token add --name operator-sato --role operator"));
    ASSERT_FALSE(operator_token.empty());
  }

  void StartHub(const std::vector<std::string>& extra = {}) {
    if (port == 0) port = FreePort();
    hub = std::make_unique<BackgroundRenkei>();
    std::vector<std::string> args = {"hub", "serve", "--listen", fmt::format("127.0.0.1:{}", port), "--store",
                                     "sqlite:hub.db", "--heartbeat-ms", "500", "--log-level", "warn"};
    args.insert(args.end(), extra.begin(), extra.end());
    ASSERT_EQ(hub->Start(dir, "hub", args), port) << hub->err();
  }

  void StartEdge(const std::string& f) {
    edges[f] = std::make_unique<BackgroundRenkei>();
    edges[f]->Start(dir, "edge-" + f,
                    {"edge", "connect", "--hub", fmt::format("ws://127.0.0.1:{}", port), "--store",
                     fmt::format("sqlite:edge-{}.db", f), "--facility", f, "--root", "region/" + f, "--token", tokens.at(f),
                     "--backoff-max-ms", "1000", "--log-level", "warn"});
    ASSERT_TRUE(WaitFor([&] { return edges[f]->out().find("connected (connection") != std::string::npos; }))
        << edges[f]->err();
  }

  void Start() {
    StartHub();
    for (const std::string& f : facilities) StartEdge(f);
  }

  std::string Hub() const { return fmt::format("http://127.0.0.1:{}", port); }

  // `renkei hub service ARGS` as the operator; its JSON answer.
  json Service(const std::string& args, int expected_exit = 0) const {
    return RunJson(dir, fmt::format("hub service {} --hub {} --token {}", args, Hub(), operator_token), expected_exit);
  }

  // An HTTP call to the hub: {status, body as JSON (null when not JSON)}.
  std::pair<int, json> Call(const std::string& method, const std::string& target, const http::HeaderList& headers,
                            const std::string& body = "", const std::string& type = "application/json") const {
    auto r = http::Fetch(method, Hub() + target, body, type, 30s, headers);
    EXPECT_TRUE(r.ok()) << method << " " << target;
    if (!r.ok()) return {0, nullptr};
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  std::pair<int, json> AsOperator(const std::string& method, const std::string& target, const json& body = nullptr) const {
    return Call(method, target, {{"Authorization", "Bearer " + operator_token}}, body.is_null() ? "" : body.dump());
  }

  // Uploads `resources` (FHIR, each given its subject) for `local_id` into `facility`'s repository,
  // as the facility's EMR would while the edge runs.
  void Upload(const std::string& facility, const std::string& local_id, const std::vector<json>& resources,
              const std::string& name) const {
    json bundle = {{"resourceType", "Bundle"}, {"type", "collection"}, {"entry", json::array()}};
    for (json r : resources) {
      if (r["resourceType"] != "Patient") r["subject"] = {{"identifier", {{"system", System(facility)}, {"value", local_id}}}};
      bundle["entry"].push_back({{"resource", r}});
    }
    std::ofstream(dir / name) << bundle.dump();
    Result up = RunRenkei(dir, fmt::format("--facility {0} --log-level off edge upload --fhir {1} --store sqlite:edge-{0}.db",
                                           facility, name));
    ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  }

  static std::string System(const std::string& facility) { return "urn:oid:1.2.392.100495.20.3.51.1" + facility; }
};

json Encounter(const std::string& id, const std::string& start, const std::string& status = "finished") {
  return {{"resourceType", "Encounter"},
          {"id", id},
          {"status", status},
          {"class", {{"code", "AMB"}}},
          {"serviceType", {{"coding", {{{"code", "01"}}}}}},
          {"reasonCode", {{{"text", "腹痛"}}}},
          {"period", {{"start", start}}}};
}

// A registered service: its ID, client credentials and signing secret.
struct Service {
  std::string id, client_id, client_secret, signing_secret;
};

Service AddService(Region& r, Receivers* receivers, const std::string& name) {
  const std::string webhook = receivers ? receivers->Url(name) : "";
  json made = r.Service(fmt::format("add --name {}{}", name, webhook.empty() ? "" : " --webhook " + webhook));
  Service s{made["service"]["id"], made["service"]["client_id"], made["client_secret"], made["signing_secret"]};
  if (receivers) receivers->SetSecret(name, s.signing_secret);
  return s;
}

// An access token by the client credentials grant (HTTP Basic).
std::string TokenFor(const Region& r, const Service& s) {
  auto response = http::Fetch("POST", r.Hub() + "/v1/oauth/token", "grant_type=client_credentials",
                              "application/x-www-form-urlencoded", 30s,
                              {{"Authorization", "Basic " + text::Base64Encode(s.client_id + ":" + s.client_secret)}});
  EXPECT_TRUE(response.ok() && response->status == 200) << (response.ok() ? response->body : "");
  if (!response.ok()) return "";
  json j = json::parse(response->body, nullptr, false);
  return j.is_object() ? j.value("access_token", "") : "";
}

http::HeaderList Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

TEST(GatewayCliTest, OperationExamplesOneToThreeEachPermittedServiceHearsOfAChangeInItsModeAndTypesAndAForbiddenOneNothing) {
  Region r;
  ASSERT_NO_FATAL_FAILURE(r.Make("renkei-gateway-notify"));
  ASSERT_NO_FATAL_FAILURE(r.Start());
  Receivers hooks;
  const std::string f0 = r.facilities[0], f1 = r.facilities[1];
  const Service signal = AddService(r, &hooks, "signal-svc");
  const Service data = AddService(r, &hooks, "data-svc");
  const Service labs = AddService(r, &hooks, "labs-svc");
  const Service forbidden = AddService(r, &hooks, "forbidden-svc");
  r.Service(fmt::format("grant --facility {} --id {} --notify signal --type Encounter", f0, signal.id));
  r.Service(fmt::format("grant --facility {} --id {} --notify data --type Encounter --type Patient:name", f0, data.id));
  r.Service(fmt::format("grant --facility {} --id {} --notify signal --type Observation", f0, labs.id));
  // Connected to the other facility only: nothing of f0 may reach it.
  r.Service(fmt::format("grant --facility {} --id {} --notify data --type Encounter --type Patient", f1, forbidden.id));
  json matrix = r.Service("matrix --facility " + f0);
  ASSERT_EQ(matrix["grants"].size(), 3u);

  // Operation example 1 and 2: a visit recorded at f0.
  r.Upload(f0, r.patient, {Encounter("visit-1", "2026-12-07T09:30:00+09:00")}, "visit.json");
  ASSERT_TRUE(WaitFor([&] { return hooks.Of("signal-svc").size() >= 1 && hooks.Of("data-svc").size() >= 1; }))
      << r.hub->err();
  const Arrival s = hooks.Of("signal-svc")[0];
  EXPECT_TRUE(s.signature_ok);
  EXPECT_EQ(s.body["idempotency_key"], s.key);
  EXPECT_TRUE(s.key.starts_with(f0 + ":")) << s.key;
  EXPECT_TRUE(s.key.ends_with(":" + signal.id)) << s.key;
  EXPECT_EQ(s.body["type"], "renkei.change");
  EXPECT_EQ(s.body["mode"], "signal");
  EXPECT_EQ(s.body["facility"], f0);
  EXPECT_EQ(s.body["patient"]["local_id"], r.patient);
  EXPECT_TRUE(s.body["patient"]["regional_id"].is_string());  // linked by the hub
  EXPECT_EQ(s.body["change"]["kind"], "created");
  EXPECT_EQ(s.body["change"]["resource_type"], "Encounter");
  EXPECT_FALSE(s.body.contains("resources"));  // a signal carries no clinical content
  // Operation example 2: the changed data itself.
  const Arrival d = hooks.Of("data-svc")[0];
  EXPECT_TRUE(d.signature_ok);
  EXPECT_EQ(d.body["mode"], "data");
  ASSERT_EQ(d.body["resources"].size(), 1u) << d.body.dump();
  EXPECT_EQ(d.body["resources"][0]["resource"]["resourceType"], "Encounter");
  EXPECT_EQ(d.body["resources"][0]["resource"]["reasonCode"][0]["text"], "腹痛");  // every element of an Encounter

  // Operation example 3: demographics changed; the data service gets the Patient with the name only.
  json patient = {{"resourceType", "Patient"},
                  {"meta", {{"lastUpdated", "2030-01-01T00:00:00+09:00"}}},
                  {"identifier", {{{"system", Region::System(f0)}, {"value", r.patient}}}},
                  {"name", {{{"text", "改姓 花子"}, {"family", "改姓"}}}},
                  {"birthDate", "1970-01-01"},
                  {"address", {{{"text", "岡山市北区"}}}}};
  r.Upload(f0, r.patient, {patient}, "patient.json");
  ASSERT_TRUE(WaitFor([&] {
    for (const Arrival& a : hooks.Of("data-svc")) {
      if (a.body["change"]["resource_type"] == "Patient") return true;
    }
    return false;
  })) << r.hub->err();
  for (const Arrival& a : hooks.Of("data-svc")) {
    EXPECT_TRUE(a.signature_ok);
    for (const json& e : a.body["resources"]) {
      const json& res = e["resource"];
      if (res["resourceType"] != "Patient") continue;
      EXPECT_TRUE(res.contains("name")) << res.dump();
      EXPECT_FALSE(res.contains("birthDate")) << res.dump();
      EXPECT_FALSE(res.contains("address")) << res.dump();
      EXPECT_FALSE(res.contains("identifier")) << res.dump();
    }
  }
  // The signal service's types hold no Patient; the others were never permitted anything of f0.
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(hooks.Distinct("signal-svc").size(), 1u);
  EXPECT_TRUE(hooks.Of("labs-svc").empty());
  EXPECT_TRUE(hooks.Of("forbidden-svc").empty());
  for (const std::string name : {"signal-svc", "data-svc"}) EXPECT_EQ(hooks.Distinct(name).size(), hooks.Of(name).size()) << name;

  // Every decision is on the audit trail: the allowed ones and the type the labs service may not have.
  auto [status, audit] = r.AsOperator("GET", "/v1/audit?action=service.notify&limit=200");
  ASSERT_EQ(status, 200) << audit.dump();
  std::set<std::string> decided;
  for (const json& e : audit["entries"]) decided.insert(e["who"].get<std::string>() + "|" + e["decision"].get<std::string>());
  EXPECT_TRUE(decided.contains("signal-svc|allow"));
  EXPECT_TRUE(decided.contains("data-svc|allow"));
  EXPECT_TRUE(decided.contains("labs-svc|deny"));
  EXPECT_FALSE(decided.contains("forbidden-svc|allow"));
  EXPECT_NE(audit.dump().find("type-not-allowed"), std::string::npos);
  // The operator sees each delivery, delivered.
  json deliveries = r.Service(fmt::format("deliveries --id {} --state delivered", data.id));
  EXPECT_GE(deliveries["deliveries"].size(), 2u);
  EXPECT_TRUE(r.Service(fmt::format("deliveries --id {}", forbidden.id))["deliveries"].empty());
}

TEST(GatewayCliTest, UseCasesOneToThreeAReceptionIsWrittenBackOnceAndEachChainedServiceReceivesWhatItMay) {
  Region r;
  ASSERT_NO_FATAL_FAILURE(r.Make("renkei-gateway-usecases"));
  ASSERT_NO_FATAL_FAILURE(r.Start());
  Receivers hooks;
  const std::string f0 = r.facilities[0];
  // The reception service is the shipped example; its webhook is its own listener.
  json made = r.Service("add --name reception");
  const Service reception{made["service"]["id"], made["service"]["client_id"], made["client_secret"], made["signing_secret"]};
  std::ofstream(r.dir / "reception.secret") << reception.client_secret << "\n";
  std::ofstream(r.dir / "reception.signing") << reception.signing_secret << "\n";
  BackgroundRenkei listener;
  const int listener_port =
      listener.Start(r.dir, "reception", {"example-service", "reception", "--hub", r.Hub(), "--client-id", reception.client_id,
                                          "--client-secret-file", "reception.secret", "--signing-secret-file",
                                          "reception.signing", "--json"});
  ASSERT_GT(listener_port, 0) << listener.err();
  r.Service(fmt::format("webhook --id {} --webhook http://127.0.0.1:{}/webhook", reception.id, listener_port));
  const Service questionnaire = AddService(r, &hooks, "questionnaire");
  const Service exam = AddService(r, &hooks, "exam-reservation");
  const Service forbidden = AddService(r, &hooks, "forbidden");
  r.Service(fmt::format("grant --facility {} --id {} --notify signal --type Patient:name,birthDate --type Encounter", f0,
                        reception.id));
  r.Service(fmt::format("grant --facility {} --id {} --notify data --type Encounter:status,period,serviceType "
                        "--type QuestionnaireResponse",
                        f0, questionnaire.id));
  r.Service(fmt::format("grant --facility {} --id {} --notify data --type Encounter --type QuestionnaireResponse", f0, exam.id));
  const std::string example = fmt::format("example-service reception --hub {} --client-id {} --client-secret-file reception.secret ",
                                          r.Hub(), reception.client_id);

  // Use case 1, S102-S108: the reception asks for what it needs; the hub filters to its types.
  json fetched = RunJson(r.dir, example + fmt::format("--fetch {}/{}", f0, r.patient));
  ASSERT_TRUE(fetched.contains("resources")) << fetched.dump();
  EXPECT_EQ(fetched["access"]["rule"], "matrix");
  bool saw_patient = false;
  for (const json& e : fetched["resources"]) {
    const std::string type = e["resource"]["resourceType"];
    EXPECT_TRUE(type == "Patient" || type == "Encounter") << type;
    if (type == "Patient") {
      saw_patient = true;
      EXPECT_TRUE(e["resource"].contains("name"));
      EXPECT_FALSE(e["resource"].contains("address"));
      EXPECT_FALSE(e["resource"].contains("telecom"));
    }
  }
  EXPECT_TRUE(saw_patient) << fetched.dump();

  // S110-S118: the reception is written back; the sender gets what its types allow, at once.
  const std::string receive = example + fmt::format("--receive {}/{} --key visit-42 --department 01 --reason 腹痛 "
                                                    "--at 2026-12-07T00:05:00Z",
                                                    f0, r.patient);
  json written = RunJson(r.dir, receive);
  EXPECT_EQ(written["outcome"], "created") << written.dump();
  const std::string reference = written["record"]["reference"];
  EXPECT_TRUE(reference.starts_with("Encounter/")) << reference;
  bool saw_reception = false;
  for (const json& e : written["resources"]) {
    const std::string type = e["resource"]["resourceType"];
    EXPECT_TRUE(type == "Patient" || type == "Encounter") << type;
    if (e["reference"] == reference) saw_reception = e["resource"]["status"] == "arrived";
  }
  EXPECT_TRUE(saw_reception) << written.dump();
  // The same write again (its idempotency key) is the same record.
  json again = RunJson(r.dir, receive);
  EXPECT_EQ(again["outcome"], "unchanged") << again.dump();
  EXPECT_EQ(again["record"]["reference"], reference);
  // It is a new event of the facility's chart, once.
  json events = RunJson(r.dir, fmt::format("edge events --store sqlite:edge-{0}.db --patient {1} --limit 1000 --json "
                                           "--facility {0} --log-level off",
                                           f0, r.patient));
  int receptions = 0;
  for (const json& e : events["events"]) receptions += e["title"] == "受付: 内科";
  EXPECT_EQ(receptions, 1) << events.dump();

  // Use case 3, S309-S314: the other permitted services hear of the reception, each as allowed.
  ASSERT_TRUE(WaitFor([&] { return !hooks.Of("questionnaire").empty() && !hooks.Of("exam-reservation").empty(); }))
      << r.hub->err();
  const json q = hooks.Of("questionnaire")[0].body;
  ASSERT_EQ(q["resources"].size(), 1u) << q.dump();
  EXPECT_EQ(q["resources"][0]["resource"]["status"], "arrived");
  EXPECT_FALSE(q["resources"][0]["resource"].contains("reasonCode"));  // not among its elements
  const json x = hooks.Of("exam-reservation")[0].body;
  EXPECT_EQ(x["resources"][0]["resource"]["reasonCode"][0]["text"], "腹痛");
  // The reception service itself is subscribed too: its example prints the notification once.
  ASSERT_TRUE(WaitFor([&] { return listener.out().find("\"renkei.change\"") != std::string::npos; }))
      << listener.out() << listener.err();

  // The questionnaire service writes its answers; the exam service is told, the reception is not.
  const std::string qtoken = TokenFor(r, questionnaire);
  json answers = {{"resourceType", "QuestionnaireResponse"},
                  {"status", "completed"},
                  {"questionnaire", "問診票（内科）"},
                  {"authored", "2026-12-07T09:10:00+09:00"},
                  {"item", {{{"linkId", "1"}, {"text", "いつから"}, {"answer", {{{"valueString", "昨日から"}}}}}}}};
  auto [qstatus, qanswer] =
      r.Call("POST", fmt::format("/v1/facilities/{}/patients/{}/writes", f0, r.patient),
             {{"Authorization", "Bearer " + qtoken}, {"Idempotency-Key", "q-1"}}, answers.dump());
  ASSERT_EQ(qstatus, 201) << qanswer.dump();
  EXPECT_EQ(qanswer["outcome"], "created");
  ASSERT_TRUE(WaitFor([&] {
    for (const Arrival& a : hooks.Of("exam-reservation")) {
      if (a.body["change"]["resource_type"] == "QuestionnaireResponse") return true;
    }
    return false;
  })) << r.hub->err();
  // The exam service books the examination: a planned Encounter; the reception hears of it.
  const std::string xtoken = TokenFor(r, exam);
  const size_t printed = listener.out().size();
  auto [xstatus, xanswer] =
      r.Call("POST", fmt::format("/v1/facilities/{}/patients/{}/writes", f0, r.patient),
             {{"Authorization", "Bearer " + xtoken}, {"Idempotency-Key", "exam-7"}},
             Encounter("ignored", "2026-12-14T10:00:00+09:00", "planned").dump());
  ASSERT_EQ(xstatus, 201) << xanswer.dump();
  ASSERT_TRUE(WaitFor([&] { return listener.out().size() > printed; })) << listener.err();
  std::istringstream lines(listener.out());
  int notifications = 0;
  for (std::string line; std::getline(lines, line);) {
    const json n = json::parse(line, nullptr, false);
    if (!n.is_object()) continue;
    ++notifications;
    EXPECT_NE(n["change"]["resource_type"], "QuestionnaireResponse") << line;  // not among the reception's types
  }
  EXPECT_GE(notifications, 2);

  // The example checks every signature and handles each key once: a forged notification is
  // refused; one sent twice (a redelivery) is acknowledged both times and printed once.
  const json test_note = {{"type", "renkei.change"}, {"idempotency_key", "test:1:" + reception.id}, {"facility", f0},
                          {"patient", {{"local_id", "X"}}}, {"change", {{"kind", "created"}, {"resource_type", "Test"}}}};
  const std::string hook = fmt::format("http://127.0.0.1:{}/webhook", listener_port);
  const auto post = [&](const std::string& secret) {
    const std::string body = test_note.dump();
    auto response = http::Fetch("POST", hook, body, "application/json", 10s,
                                {{"Idempotency-Key", "test:1:" + reception.id},
                                 {"Renkei-Signature", gateway::SignWebhook(secret, NowUnixMs() / 1000, body)}});
    return response.ok() ? response->status : 0;
  };
  EXPECT_EQ(post("whsec_forged"), 401);
  EXPECT_EQ(post(reception.signing_secret), 200);
  EXPECT_EQ(post(reception.signing_secret), 200);
  ASSERT_TRUE(WaitFor([&] { return listener.out().find("\"Test\"") != std::string::npos; }));
  std::this_thread::sleep_for(200ms);
  const std::string printed_all = listener.out();
  EXPECT_EQ(printed_all.find("\"Test\""), printed_all.rfind("\"Test\"")) << printed_all;

  // A service the matrix does not connect to f0 may neither write nor read there.
  const std::string ftoken = TokenFor(r, forbidden);
  EXPECT_EQ(r.Call("POST", fmt::format("/v1/facilities/{}/patients/{}/writes", f0, r.patient),
                   {{"Authorization", "Bearer " + ftoken}, {"Idempotency-Key", "f-1"}}, answers.dump())
                .first,
            403);
  EXPECT_EQ(r.Call("GET", fmt::format("/v1/facilities/{}/patients/{}/resources", f0, r.patient), Bearer(ftoken)).first, 403);
  EXPECT_TRUE(hooks.Of("forbidden").empty());

  // Use case 2: a first visit. The facility registers the new patient; the edge registers them
  // with the hub; the reception is written back for them.
  json newcomer = {{"resourceType", "Patient"},
                   {"identifier", {{{"system", Region::System(f0)}, {"value", "NEW0001"}}}},
                   {"name", {{{"text", "初診 太郎"}, {"family", "初診"}, {"given", {"太郎"}}}}},
                   {"birthDate", "1990-04-01"},
                   {"gender", "male"}};
  r.Upload(f0, "NEW0001", {newcomer}, "newcomer.json");
  ASSERT_TRUE(WaitFor([&] {
    return r.Call("GET", fmt::format("/v1/registrations/{}/NEW0001", f0), Bearer(r.tokens.at(f0))).first == 200;
  })) << "the edge did not register the new patient";
  json first_visit = RunJson(r.dir, example + fmt::format("--receive {}/NEW0001 --key first-visit --reason 初診", f0));
  EXPECT_EQ(first_visit["outcome"], "created") << first_visit.dump();
  EXPECT_TRUE(first_visit["patient"]["regional_id"].is_string());
  bool named = false;
  for (const json& e : first_visit["resources"]) {
    if (e["resource"]["resourceType"] == "Patient") named = e["resource"]["birthDate"] == "1990-04-01";
  }
  EXPECT_TRUE(named) << first_visit.dump();
}

TEST(GatewayCliTest, KillingTheHubAndTheEdgeDuringFanOutLosesNoNotificationAndEachArrivesOnceByItsKey) {
  Region r;
  ASSERT_NO_FATAL_FAILURE(r.Make("renkei-gateway-crash"));
  ASSERT_NO_FATAL_FAILURE(r.StartHub());
  const std::string f0 = r.facilities[0];
  ASSERT_NO_FATAL_FAILURE(r.StartEdge(f0));
  Receivers hooks;
  const Service a = AddService(r, &hooks, "a");
  const Service b = AddService(r, &hooks, "b");
  r.Service(fmt::format("grant --facility {} --id {} --notify data --type Encounter", f0, a.id));
  r.Service(fmt::format("grant --facility {} --id {} --notify signal --type Encounter", f0, b.id));
  // b takes its first two but loses the acknowledgements (each is retried after a backoff, and
  // holds the patient's later changes back meanwhile: they are in order).
  hooks.FailFirst("b", 2);

  std::vector<json> first, second;
  for (int i = 0; i < 40; ++i) first.push_back(Encounter(fmt::format("burst-{}", i), fmt::format("2026-11-{:02}T09:00:00+09:00", i % 28 + 1)));
  for (int i = 0; i < 20; ++i) second.push_back(Encounter(fmt::format("later-{}", i), fmt::format("2026-10-{:02}T09:00:00+09:00", i + 1)));
  r.Upload(f0, r.patient, first, "burst.json");
  // kill -9 the hub as soon as the fan-out has begun.
  ASSERT_TRUE(WaitFor([&] { return !hooks.Of("a").empty(); }, 30s)) << r.hub->err();
  r.hub.reset();
  // Changes go on at the facility meanwhile; then the edge dies too, and both come back.
  r.Upload(f0, r.patient, second, "later.json");
  r.edges[f0].reset();
  ASSERT_NO_FATAL_FAILURE(r.StartHub());
  ASSERT_NO_FATAL_FAILURE(r.StartEdge(f0));

  ASSERT_TRUE(WaitFor([&] { return hooks.Distinct("a").size() >= 60 && hooks.Distinct("b").size() >= 60; }, 60s))
      << hooks.Distinct("a").size() << " and " << hooks.Distinct("b").size() << " of 60\n" << r.hub->err();
  std::this_thread::sleep_for(1s);
  for (const std::string service : {"a", "b"}) {
    const auto distinct = hooks.Distinct(service);
    EXPECT_EQ(distinct.size(), 60u) << service;  // none lost, none invented
    int64_t previous = 0;
    for (const Arrival& x : distinct) {
      EXPECT_TRUE(x.signature_ok) << x.key;
      // Ordered per patient: a later change never arrives before an earlier one.
      const int64_t seq = x.body["change"]["seq"];
      EXPECT_GT(seq, previous) << service << " " << x.key;
      previous = seq;
    }
  }
  // b lost two acknowledgements: those came again, under the same keys.
  EXPECT_GE(hooks.Of("b").size(), 62u);
  json delivered = r.Service(fmt::format("deliveries --id {} --state delivered --limit 1000", b.id));
  EXPECT_EQ(delivered["deliveries"].size(), 60u);
  EXPECT_TRUE(r.Service(fmt::format("deliveries --id {} --state pending", a.id))["deliveries"].empty());

  // Replay: the service asks for everything again; it arrives under the same keys.
  const std::string token = TokenFor(r, a);
  const size_t before = hooks.Of("a").size();
  auto [replayed, body] = r.Call("POST", fmt::format("/v1/services/{}/replay?since={}", a.id,
                                                     UtcIso8601(NowUnixMs() - 3'600'000).substr(0, 19) + "Z"),
                                 Bearer(token));
  ASSERT_EQ(replayed, 200) << body.dump();
  EXPECT_EQ(body["replayed"], 60);
  ASSERT_TRUE(WaitFor([&] { return hooks.Of("a").size() >= before + 60; }, 30s));
  EXPECT_EQ(hooks.Distinct("a").size(), 60u);
}

// The operator's other commands: list, show, retry one delivery, replay, revoke a cell, enable
// after a disable; and their mistakes, each with its exit code.
TEST(GatewayCliTest, TheOperatorListsShowsRetriesReplaysRevokesAndEnablesFromTheCommandLine) {
  Region r;
  ASSERT_NO_FATAL_FAILURE(r.Make("renkei-gateway-operator"));
  ASSERT_NO_FATAL_FAILURE(r.Start());
  const std::string f0 = r.facilities[0];
  Receivers hooks;
  const Service s = AddService(r, &hooks, "reservations");
  r.Service(fmt::format("grant --facility {} --id {} --notify signal --type Encounter", f0, s.id));
  r.Upload(f0, r.patient, {Encounter("cli-1", "2026-12-01T09:00:00+09:00")}, "one.json");
  ASSERT_TRUE(WaitFor([&] { return hooks.Of("reservations").size() == 1; })) << r.hub->err();

  const json list = r.Service("list");
  ASSERT_EQ(list["services"].size(), 1u);
  EXPECT_EQ(list["services"][0]["id"], s.id);
  EXPECT_EQ(list["services"][0]["webhook_url"], hooks.Url("reservations"));
  json shown;
  ASSERT_TRUE(WaitFor([&] {
    shown = r.Service("show --id " + s.id);
    return shown["deliveries"].value("delivered", 0) == 1;
  })) << shown.dump();
  EXPECT_EQ(shown["service"]["name"], "reservations");
  ASSERT_EQ(shown["grants"].size(), 1u);
  EXPECT_EQ(shown["grants"][0]["facility"], f0);

  // Retry the one delivery: sent again under its key.
  const json delivered = r.Service(fmt::format("deliveries --id {} --state delivered", s.id))["deliveries"];
  ASSERT_EQ(delivered.size(), 1u);
  const int64_t delivery = delivered[0]["id"];
  r.Service(fmt::format("retry --id {} --delivery {}", s.id, delivery));
  ASSERT_TRUE(WaitFor([&] { return hooks.Of("reservations").size() == 2; })) << r.hub->err();
  // Replay since an hour ago: the same one once more.
  const json replayed = r.Service(fmt::format("replay --id {} --since {}", s.id, UtcIso8601(NowUnixMs() - 3'600'000).substr(0, 19) + "Z"));
  EXPECT_EQ(replayed["replayed"], 1);
  ASSERT_TRUE(WaitFor([&] { return hooks.Of("reservations").size() == 3; })) << r.hub->err();
  EXPECT_EQ(hooks.Distinct("reservations").size(), 1u);
  for (const Arrival& a : hooks.Of("reservations")) EXPECT_TRUE(a.signature_ok) << a.key;

  // Revoked, the cell is gone from the matrix.
  r.Service(fmt::format("revoke --facility {} --id {}", f0, s.id));
  EXPECT_TRUE(r.Service("matrix --id " + s.id)["grants"].empty());
  // Disabled, its credentials are refused; enabled again, they work.
  r.Service("disable --id " + s.id);
  EXPECT_EQ(r.Service("show --id " + s.id)["service"]["enabled"], false);
  const auto token_status = [&] {
    auto answer = http::Fetch("POST", r.Hub() + "/v1/oauth/token", "grant_type=client_credentials",
                              "application/x-www-form-urlencoded", 30s,
                              {{"Authorization", "Basic " + text::Base64Encode(s.client_id + ":" + s.client_secret)}});
    return answer.ok() ? answer->status : 0;
  };
  EXPECT_EQ(token_status(), 401);
  r.Service("enable --id " + s.id);
  EXPECT_EQ(token_status(), 200);

  // Mistakes: the hub's message on stderr, an exit code a script can act on.
  const auto fails = [&](const std::string& args, int code, const std::string& says) {
    Result x = RunRenkei(r.dir, fmt::format("hub service {} --hub {} --token {}", args, r.Hub(), r.operator_token));
    EXPECT_EQ(x.exit_code, code) << args << "\n" << x.err;
    EXPECT_NE(x.err.find(says), std::string::npos) << args << "\n" << x.err;
    EXPECT_TRUE(x.out.empty()) << x.out;
  };
  fails("show --id S999", 3, "renkei hub service show:");
  fails(fmt::format("retry --id {} --delivery 999", s.id), 3, "renkei hub service retry:");
  fails(fmt::format("replay --id {} --since yesterday", s.id), 2, "since");
  fails(fmt::format("replay --id {} --since 2020-01-01T00:00:00Z", s.id), 2, "30 days");
  fails("add --name reservations", 2, "renkei hub service add:");
  fails(fmt::format("grant --facility {} --id {} --type encounter", f0, s.id), 2, "renkei hub service grant:");
  Result as_edge = RunRenkei(r.dir, fmt::format("hub service list --hub {} --token {}", r.Hub(), r.tokens.at(f0)));
  EXPECT_EQ(as_edge.exit_code, 5) << as_edge.err;
}

TEST(GatewayCliTest, TheServiceEndpointsAnswerMalformedOversizedAndHostileInputPrecisely) {
  Region r;
  ASSERT_NO_FATAL_FAILURE(r.Make("renkei-gateway-hostile"));
  ASSERT_NO_FATAL_FAILURE(r.Start());
  const std::string f0 = r.facilities[0];
  const Service s = AddService(r, nullptr, "reception");
  r.Service(fmt::format("grant --facility {} --id {} --notify none --type Encounter", f0, s.id));
  const auto token_call = [&](const std::string& body, const http::HeaderList& headers = {},
                              const std::string& type = "application/x-www-form-urlencoded") {
    return r.Call("POST", "/v1/oauth/token", headers, body, type);
  };
  const auto basic = [](const std::string& credentials) {
    return http::HeaderList{{"Authorization", "Basic " + text::Base64Encode(credentials)}};
  };
  const std::string good = s.client_id + ":" + s.client_secret;
  // RFC 6749 §5.2's answers.
  EXPECT_EQ(token_call("grant_type=client_credentials", basic(good)).first, 200);
  EXPECT_EQ(token_call("grant_type=client_credentials&client_id=" + s.client_id + "&client_secret=" + s.client_secret).first, 200);
  const std::vector<std::tuple<std::string, http::HeaderList, std::string, int, std::string>> oauth = {
      {"grant_type=client_credentials", basic(good), "application/json", 400, "invalid_request"},
      {"", basic(good), "application/x-www-form-urlencoded", 400, "invalid_request"},
      {"grant_type=password&username=a&password=b", basic(good), "application/x-www-form-urlencoded", 400,
       "unsupported_grant_type"},
      {"grant_type=client_credentials&grant_type=client_credentials", basic(good), "application/x-www-form-urlencoded", 400,
       "invalid_request"},
      {"grant_type=client_credentials&x=" + std::string(5000, 'a'), basic(good), "application/x-www-form-urlencoded", 400,
       "invalid_request"},
      {"grant_type=client_credentials&x=%zz", basic(good), "application/x-www-form-urlencoded", 400, "invalid_request"},
      {"grant_type=client_credentials&client_secret=x", basic(good), "application/x-www-form-urlencoded", 400,
       "invalid_request"},
      {"grant_type=client_credentials", basic(s.client_id + ":rks_wrong"), "application/x-www-form-urlencoded", 401,
       "invalid_client"},
      {"grant_type=client_credentials", basic("no colon"), "application/x-www-form-urlencoded", 401, "invalid_client"},
      {"grant_type=client_credentials", {{"Authorization", "Basic %%%"}}, "application/x-www-form-urlencoded", 401,
       "invalid_client"},
      {"grant_type=client_credentials", basic("' OR '1'='1:x"), "application/x-www-form-urlencoded", 401, "invalid_client"},
      {"grant_type=client_credentials", {}, "application/x-www-form-urlencoded", 401, "invalid_client"},
  };
  for (const auto& [body, headers, type, status, error] : oauth) {
    auto [got, answer] = token_call(body, headers, type);
    EXPECT_EQ(got, status) << body.substr(0, 60);
    EXPECT_EQ(answer.value("error", ""), error) << body.substr(0, 60) << " " << answer.dump();
  }
  auto [challenged, unused] = token_call("grant_type=client_credentials", basic(s.client_id + ":wrong"));
  EXPECT_EQ(challenged, 401);
  const std::string token = TokenFor(r, s);
  ASSERT_FALSE(token.empty());

  // The operator's routes.
  const std::vector<std::tuple<std::string, std::string, std::string, int>> operator_cases = {
      {"POST", "/v1/services", "{}", 400},
      {"POST", "/v1/services", R"({"name": "a b"})", 400},
      {"POST", "/v1/services", R"({"name": "x", "webhook_url": "http://10.0.0.1/hook"})", 400},
      {"POST", "/v1/services", R"J({"name": "x", "webhook_url": "javascript:alert(1)"})J", 400},
      {"POST", "/v1/services", R"({"name": "x", "nickname": "y"})", 400},
      {"POST", "/v1/services", R"({"name": "x", "client_credentials": "yes"})", 400},
      {"POST", "/v1/services", R"({"name": "x", "client_credentials": false})", 400},  // no way to sign in
      {"POST", "/v1/services", R"({"name": "reception"})", 409},
      {"POST", "/v1/services", R"({"name": "tru)", 400},
      {"POST", "/v1/services", "[1, 2]", 400},
      {"POST", "/v1/services", "{\"name\": \"" + std::string(2 << 20, 'x') + "\"}", 413},
      {"PUT", "/v1/matrix/" + f0 + "/" + s.id, R"({"notify": "loud"})", 400},
      {"PUT", "/v1/matrix/" + f0 + "/" + s.id, R"({"types": "Encounter"})", 400},
      {"PUT", "/v1/matrix/" + f0 + "/" + s.id, R"({"types": [{"type": "encounter"}]})", 400},
      {"PUT", "/v1/matrix/" + f0 + "/" + s.id, R"({"types": [{"type": "Encounter", "elements": ["a'; DROP"]}]})", 400},
      {"PUT", "/v1/matrix/" + f0 + "/S999", R"({"notify": "signal"})", 404},
      {"PUT", "/v1/matrix/" + f0 + "/S1%3B%20DROP", R"({"notify": "signal"})", 404},
      {"PUT", "/v1/matrix/a%20b/" + s.id, R"({"notify": "signal"})", 400},
      {"DELETE", "/v1/matrix/" + f0 + "/S999", "", 404},
      {"POST", "/v1/services/" + s.id + "/explode", "", 404},
      {"POST", "/v1/services/" + s.id + "/webhook", R"({"webhook_url": "ftp://x"})", 400},
      {"GET", "/v1/services/S999", "", 404},
      {"GET", "/v1/services/" + s.id + "/deliveries?state=lost", "", 400},
      {"GET", "/v1/services/" + s.id + "/deliveries?limit=5000", "", 400},
      {"GET", "/v1/services/" + s.id + "/deliveries?before=-1", "", 400},
      {"POST", "/v1/services/" + s.id + "/deliveries/abc/retry", "", 400},
      {"POST", "/v1/services/" + s.id + "/deliveries/999/retry", "", 404},
      {"POST", "/v1/services/" + s.id + "/replay", "", 400},
      {"POST", "/v1/services/" + s.id + "/replay?since=yesterday", "", 400},
      {"POST", "/v1/services/" + s.id + "/replay?since=2020-01-01T00:00:00Z", "", 400},  // older than 30 days
  };
  for (const auto& [method, target, body, status] : operator_cases) {
    auto [got, answer] = r.Call(method, target, {{"Authorization", "Bearer " + r.operator_token}}, body);
    EXPECT_EQ(got, status) << method << " " << target << " " << body.substr(0, 80) << " → " << answer.dump().substr(0, 200);
    if (got >= 400 && got != 413) {
      EXPECT_TRUE(answer.contains("error")) << target;
    }
  }

  // The service's routes.
  const std::string writes = fmt::format("/v1/facilities/{}/patients/{}/writes", f0, r.patient);
  const json reception = Encounter("x", "2026-12-07T09:00:00+09:00", "arrived");
  const auto write = [&](const std::string& key, const std::string& body) {
    http::HeaderList h = Bearer(token);
    if (!key.empty()) h.push_back({"Idempotency-Key", key});
    return r.Call("POST", writes, h, body);
  };
  std::string deep = std::string(200, '[') + std::string(200, ']');
  json nested = reception;
  nested["extension"] = json::parse(deep);
  const std::vector<std::tuple<std::string, std::string, int, std::string>> write_cases = {
      {"", reception.dump(), 400, "Idempotency-Key"},
      {"has space", reception.dump(), 400, "Idempotency-Key"},
      {std::string(256, 'k'), reception.dump(), 400, "Idempotency-Key"},
      {"k1", "{\"resourceType\": \"Encounter\"", 400, "line"},
      {"k2", "not json", 400, ""},
      {"k3", R"({"resourceType": "Observation", "status": "final"})", 400, "Encounter"},
      {"k5", "[]", 400, ""},
      {"k6", std::string(2 << 20, ' '), 413, ""},
      {"k7", nested.dump(), 400, ""},
  };
  for (const auto& [key, body, status, says] : write_cases) {
    auto [got, answer] = write(key, body);
    EXPECT_EQ(got, status) << key.substr(0, 20) << " " << body.substr(0, 60) << " → " << answer.dump().substr(0, 300);
    if (!says.empty()) {
      EXPECT_NE(answer.dump().find(says), std::string::npos) << answer.dump().substr(0, 300);
    }
  }
  // A write naming another patient as its subject is still the named patient's.
  json other = reception;
  other["subject"] = {{"reference", "Patient/someone-else"}};
  auto [created, answer] = write("k-subject", other.dump());
  ASSERT_EQ(created, 201) << answer.dump();
  EXPECT_EQ(answer["patient"]["local_id"], r.patient);
  bool found = false;
  for (const json& e : answer["resources"]) {
    EXPECT_EQ(e["resource"]["resourceType"], "Encounter");  // its one type
    if (e["reference"] == answer["record"]["reference"]) {
      found = true;
      EXPECT_EQ(e["resource"]["subject"]["reference"].get<std::string>().find("someone-else"), std::string::npos);
    }
  }
  EXPECT_TRUE(found) << answer.dump();
  const std::string reads = fmt::format("/v1/facilities/{}/patients/{}/resources", f0, r.patient);
  for (const std::string query : {"?limit=0", "?limit=abc", "?from=2026/01/01", "?to=yesterday"}) {
    EXPECT_EQ(r.Call("GET", reads + query, Bearer(token)).first, 400) << query;
  }
  EXPECT_EQ(r.Call("GET", reads + "?type=Encounter", Bearer(token)).first, 200);
  EXPECT_EQ(r.Call("GET", reads + "?type=Observation", Bearer(token)).first, 403);
  // Services are none of the other routes' principals, and the other routes' principals no service.
  EXPECT_EQ(r.Call("GET", "/v1/services", Bearer(token)).first, 403);
  EXPECT_EQ(r.Call("GET", "/v1/services/S999/deliveries", Bearer(token)).first, 403);
  EXPECT_EQ(r.Call("GET", reads, Bearer(r.tokens.at(f0))).first, 403);
  EXPECT_EQ(r.Call("GET", reads, {}).first, 401);
  EXPECT_EQ(r.Call("GET", reads, Bearer("rkt_" + std::string(64, '0'))).first, 401);
  // A disabled service is refused at once, its tokens with it.
  r.Service("disable --id " + s.id);
  EXPECT_EQ(r.Call("GET", reads, Bearer(token)).first, 401);
  EXPECT_EQ(token_call("grant_type=client_credentials", basic(good)).first, 401);
}

// Webhooks go over HTTPS to a server the hub trusts (the system's CAs, the regional CA,
// --webhook-ca), named as its URL says; one of an unknown CA gets nothing and its delivery
// stays pending with the reason.
TEST(GatewayCliTest, AnHttpsWebhookIsDeliveredToACertificateTheHubTrustsAndNotToAnother) {
  Region r;
  ASSERT_NO_FATAL_FAILURE(r.Make("renkei-gateway-https"));
  for (const char* ca : {"webhook-ca", "stranger-ca"}) {
    ASSERT_EQ(RunRenkei(r.dir, fmt::format("ca init --dir {} --name '{}'", ca, ca)).exit_code, 0);
    Result issued = RunRenkei(r.dir, fmt::format("ca issue --dir {0} --name hooks --role hub --ip 127.0.0.1 --out {0}-out", ca));
    ASSERT_EQ(issued.exit_code, 0) << issued.err;
  }
  ASSERT_NO_FATAL_FAILURE(r.StartHub({"--webhook-ca", "webhook-ca/ca.crt"}));
  const std::string f0 = r.facilities[0];
  ASSERT_NO_FATAL_FAILURE(r.StartEdge(f0));
  struct Listener {
    Service service;
    BackgroundRenkei process;
  };
  std::map<std::string, Listener> listeners;
  for (const std::string ca : {"webhook-ca", "stranger-ca"}) {
    Listener& l = listeners[ca];
    l.service = AddService(r, nullptr, ca == "webhook-ca" ? "trusted" : "stranger");
    std::ofstream(r.dir / (ca + ".secret")) << l.service.client_secret;
    std::ofstream(r.dir / (ca + ".signing")) << l.service.signing_secret;
    const int port = l.process.Start(
        r.dir, "listener-" + ca,
        {"example-service", "reception", "--hub", r.Hub(), "--client-id", l.service.client_id, "--client-secret-file",
         ca + ".secret", "--signing-secret-file", ca + ".signing", "--tls-cert", ca + "-out/hooks.crt", "--tls-key",
         ca + "-out/hooks.key", "--ca", ca + "/ca.crt", "--json"});
    ASSERT_GT(port, 0) << l.process.err();
    EXPECT_NE(l.process.out().find(fmt::format("https://127.0.0.1:{}/webhook", port)), std::string::npos) << l.process.out();
    r.Service(fmt::format("webhook --id {} --webhook https://127.0.0.1:{}/webhook", l.service.id, port));
    r.Service(fmt::format("grant --facility {} --id {} --notify signal --type Encounter", f0, l.service.id));
  }
  r.Upload(f0, r.patient, {Encounter("https-1", "2026-12-02T09:00:00+09:00")}, "https.json");

  Listener& trusted = listeners["webhook-ca"];
  ASSERT_TRUE(WaitFor([&] { return trusted.process.out().find("\"idempotency_key\"") != std::string::npos; }))
      << trusted.process.out() << trusted.process.err() << r.hub->err();
  json delivered;
  ASSERT_TRUE(WaitFor([&] {
    delivered = r.Service(fmt::format("deliveries --id {} --state delivered", trusted.service.id))["deliveries"];
    return delivered.size() == 1;
  })) << delivered.dump();

  Listener& stranger = listeners["stranger-ca"];
  json pending;
  ASSERT_TRUE(WaitFor([&] {
    pending = r.Service(fmt::format("deliveries --id {} --state pending", stranger.service.id))["deliveries"];
    return pending.size() == 1 && pending[0].value("attempts", 0) >= 1;
  })) << pending.dump();
  EXPECT_NE(pending[0]["last_error"].get<std::string>().find("certificate verify failed"), std::string::npos) << pending.dump();
  EXPECT_EQ(stranger.process.out().find("\"idempotency_key\""), std::string::npos) << stranger.process.out();
}

// Production's shape: the hub serves HTTPS; a service signs in with its client certificate of
// the regional CA (role service) or with client credentials, over TLS.
TEST(GatewayCliTest, OverTlsAServiceSignsInWithItsCertificateOrItsClientCredentialsAndAnUnknownOneNot) {
  Region r;
  ASSERT_NO_FATAL_FAILURE(r.Make("renkei-gateway-tls"));
  ASSERT_EQ(RunRenkei(r.dir, "ca init --dir ca --name 'Test region'").exit_code, 0);
  ASSERT_EQ(RunRenkei(r.dir, "ca issue --dir ca --name hub --role hub --ip 127.0.0.1 --out certs").exit_code, 0);
  for (const char* name : {"svc-reception", "svc-unknown"}) {
    Result issued = RunRenkei(r.dir, fmt::format("ca issue --dir ca --name {} --role service --out certs", name));
    ASSERT_EQ(issued.exit_code, 0) << issued.err;
  }
  ASSERT_NO_FATAL_FAILURE(r.StartHub({"--tls-cert", "certs/hub.crt", "--tls-key", "certs/hub.key", "--ca", "ca/ca.crt"}));
  const std::string hub = fmt::format("https://127.0.0.1:{}", r.port);
  const auto service = [&](const std::string& args) {
    return RunJson(r.dir, fmt::format("hub service {} --hub {} --ca ca/ca.crt --token {}", args, hub, r.operator_token));
  };
  json by_cert = service("add --name reception --cert-name svc-reception --no-client-credentials");
  EXPECT_TRUE(by_cert["client_secret"].is_null());
  const std::string cert_id = by_cert["service"]["id"];
  json by_secret = service("add --name questionnaire");
  const std::string secret_id = by_secret["service"]["id"];

  const auto get = [&](const std::string& who, const std::string& target, const http::HeaderList& headers = {}) {
    pki::TlsFiles files;
    files.ca = (r.dir / "ca/ca.crt").string();
    if (!who.empty()) {
      files.cert = (r.dir / fmt::format("certs/{}.crt", who)).string();
      files.key = (r.dir / fmt::format("certs/{}.key", who)).string();
    }
    auto context = pki::ClientContext(files);
    EXPECT_TRUE(context.ok()) << context.status().ToString();
    auto response = http::Client(*context).Fetch("GET", hub + target, {}, "application/json", 30s, headers);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? response->status : 0;
  };
  EXPECT_EQ(get("svc-reception", "/v1/services/" + cert_id), 200);
  EXPECT_EQ(get("svc-reception", "/v1/services/" + secret_id), 403);  // another service's
  EXPECT_EQ(get("svc-reception", "/v1/services"), 403);               // the operators'
  EXPECT_EQ(get("svc-unknown", "/v1/services/" + cert_id), 401);      // a certificate the register does not know

  // Client credentials over TLS.
  pki::TlsFiles trust;
  trust.ca = (r.dir / "ca/ca.crt").string();
  auto context = pki::ClientContext(trust);
  ASSERT_TRUE(context.ok());
  auto token = http::Client(*context).Fetch(
      "POST", hub + "/v1/oauth/token",
      fmt::format("grant_type=client_credentials&client_id={}&client_secret={}", by_secret["service"]["client_id"].get<std::string>(),
                  by_secret["client_secret"].get<std::string>()),
      "application/x-www-form-urlencoded", 30s);
  ASSERT_TRUE(token.ok() && token->status == 200) << (token.ok() ? token->body : token.status().ToString());
  EXPECT_EQ(token->headers["cache-control"], "no-store");
  const std::string access = json::parse(token->body)["access_token"];
  EXPECT_EQ(get("", "/v1/services/" + secret_id, Bearer(access)), 200);

  // Disabled: its certificate no longer signs it in.
  service("disable --id " + cert_id);
  EXPECT_EQ(get("svc-reception", "/v1/services/" + cert_id), 401);
}

}  // namespace
}  // namespace renkei::testing
