// The relay end to end: a generated region of three facilities, each imported into its own
// edge repository; `renkei hub serve`; one `renkei edge connect` per facility (outbound
// WebSocket); `renkei chart` and the hub's HTTP API as a clinician's client would use them.
#include <sys/socket.h>

#include <condition_variable>
#include <csignal>
#include <functional>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/time.h"
#include "http/client.h"
#include "renkei_cli.h"

namespace renkei::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct Region {
  std::filesystem::path dir;
  std::vector<std::string> facilities;
  std::map<std::string, std::string> tokens;   // facility → token
  std::map<std::string, std::string> person;   // facility → local ID of one person held at all three
  std::string operator_token;
};

std::string TokenOf(const Result& r) {
  const size_t at = r.out.find("rk_");
  return at == std::string::npos ? "" : r.out.substr(at, 67);
}

// Three facilities, 60 persons; the first person registered at all three is `person`.
Region MakeRegion(const std::string& name) {
  Region region;
  region.dir = FreshTestDir(name);
  EXPECT_EQ(RunRenkei(region.dir, "gen region --facilities 3 --patients 60 --out region").exit_code, 0);
  std::istringstream facilities(Slurp(region.dir / "region/facilities.csv"));
  std::string line;
  std::getline(facilities, line);
  while (std::getline(facilities, line)) region.facilities.push_back(line.substr(0, line.find(',')));
  EXPECT_EQ(region.facilities.size(), 3u);
  std::map<std::string, std::map<std::string, std::string>> persons;  // person → facility → local ID
  std::istringstream truth(Slurp(region.dir / "region/ground_truth.csv"));
  std::getline(truth, line);
  while (std::getline(truth, line)) {
    std::vector<std::string> cells;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    persons[cells[1]][cells[2]] = cells[3];
  }
  for (const auto& [id, held] : persons) {
    if (held.size() == 3) {
      region.person = held;
      break;
    }
  }
  EXPECT_EQ(region.person.size(), 3u);
  for (const std::string& f : region.facilities) {
    EXPECT_EQ(RunRenkei(region.dir, fmt::format("edge import --root region/{0} --store sqlite:edge-{0}.db --facility {0} "
                                                "--no-progress --log-level off", f))
                  .exit_code,
              0);
    region.tokens[f] = TokenOf(RunRenkei(region.dir, fmt::format("hub token add --name edge-{0} --facility {0}", f)));
  }
  region.operator_token = TokenOf(RunRenkei(region.dir, "hub token add --name operator-sato --role operator"));
  return region;
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

class Edge {
 public:
  void Start(const Region& r, const std::string& facility, int hub_port, const std::string& extra = "") {
    std::vector<std::string> args = {"edge", "connect", "--hub", fmt::format("ws://127.0.0.1:{}", hub_port),
                                     "--store", fmt::format("sqlite:edge-{}.db", facility), "--facility", facility,
                                     "--root", "region/" + facility, "--token", r.tokens.at(facility), "--log-level", "warn"};
    std::istringstream more(extra);
    for (std::string a; more >> a;) args.push_back(a);
    process_ = std::make_unique<BackgroundRenkei>();
    process_->Start(r.dir, "edge-" + facility, args);
    EXPECT_TRUE(WaitFor([&] { return process_->out().find("connected (connection") != std::string::npos; }))
        << process_->err();
  }
  void Kill() { process_.reset(); }  // SIGKILL: the edge dies mid-whatever
  BackgroundRenkei& process() { return *process_; }

 private:
  std::unique_ptr<BackgroundRenkei> process_;
};

json Chart(const Region& r, int port, const std::string& facility, const std::string& query) {
  auto response = http::Fetch("GET", fmt::format("http://127.0.0.1:{}/v1/chart?{}", port, query), {}, "application/json",
                              30s, {{"Authorization", "Bearer " + r.tokens.at(facility)}});
  EXPECT_TRUE(response.ok());
  if (!response.ok()) return nullptr;
  EXPECT_EQ(response->status, 200) << response->body;
  return json::parse(response->body, nullptr, false);
}

// Waits until the edges' registrations have linked the person at all three facilities, as `viewer` sees them.
bool LinkedEverywhere(const Region& r, int port, const std::string& viewer) {
  return WaitFor([&] {
    json c = Chart(r, port, viewer, "patient=" + r.person.at(viewer) + "&limit=1");
    return c.is_object() && c["patient"]["identifiers"].size() == 3;
  });
}

// Every event of the person at every facility, as the edges' own CLI lists them.
std::set<std::pair<std::string, int64_t>> AllEvents(const Region& r) {
  std::set<std::pair<std::string, int64_t>> all;
  for (const auto& [facility, local] : r.person) {
    json page = RunJson(r.dir, fmt::format("edge events --store sqlite:edge-{0}.db --patient {1} --limit 10000 --json "
                                           "--facility {0} --log-level off",
                                           facility, local));
    for (const json& e : page["events"]) all.insert({facility, e["record_id"].get<int64_t>()});
  }
  return all;
}

// A region with its hub running (`hub serve` plus `flags`) and one connected edge per facility.
struct LiveRegion {
  Region r;
  BackgroundRenkei hub;
  int port = 0;
  std::map<std::string, Edge> edges;

  // False (with a test failure) when the hub did not start.
  bool Start(const std::string& name, const std::vector<std::string>& flags) {
    r = MakeRegion(name);
    std::vector<std::string> args = {"hub", "serve", "--listen", "127.0.0.1:0", "--store", "sqlite:hub.db", "--log-level", "warn"};
    args.insert(args.end(), flags.begin(), flags.end());
    port = hub.Start(r.dir, "hub", args);
    EXPECT_GT(port, 0) << hub.err();
    if (port <= 0) return false;
    for (const std::string& f : r.facilities) edges[f].Start(r, f, port);
    return true;
  }

  // An HTTP call to the hub as the holder of `token` ("" for none): {status, body}, {0, ""}
  // (with a test failure) when it could not be made.
  std::pair<int, std::string> Call(const std::string& method, const std::string& target, const std::string& token,
                                   const json& body = nullptr) const {
    auto response = http::Fetch(method, fmt::format("http://127.0.0.1:{}{}", port, target),
                                body.is_null() ? "" : body.dump(), "application/json", 30s,
                                token.empty() ? http::HeaderList{} : http::HeaderList{{"Authorization", "Bearer " + token}});
    EXPECT_TRUE(response.ok()) << method << " " << target;
    return response.ok() ? std::pair<int, std::string>{response->status, response->body}
                         : std::pair<int, std::string>{0, ""};
  }
};

// Makes a person's account with `renkei hub user add` and signs them in over HTTP with the code
// `renkei hub user code` computes from the printed secret, as their authenticator app would;
// the session's token, or "" (with a test failure).
std::string SignIn(const Region& r, int port, const std::string& login, const std::string& role,
                   const std::string& extra_flags) {
  const std::string password = "correct horse battery " + login;
  std::ofstream(r.dir / (login + ".pw")) << password << "\n";
  json made = RunJson(r.dir, fmt::format("hub user add --store sqlite:hub.db --login {} --role {} {} --password-file {}.pw "
                                         "--json",
                                         login, role, extra_flags, login));
  if (!made.contains("totp")) return "";
  const std::string secret = made["totp"]["secret_base32"];
  auto code = RunRenkei(r.dir, "hub user code --secret " + secret);
  EXPECT_EQ(code.exit_code, 0) << code.err;
  const json body = {{"login", login}, {"password", password}, {"code", code.out.substr(0, code.out.find('\n'))}};
  auto response =
      http::Fetch("POST", fmt::format("http://127.0.0.1:{}/v1/sessions", port), body.dump(), "application/json", 30s);
  EXPECT_TRUE(response.ok() && response->status == 201) << (response.ok() ? response->body : response.status().ToString());
  if (!response.ok() || response->status != 201) return "";
  return json::parse(response->body)["token"];
}

TEST(RelayCliTest, OneChartAcrossThreeFacilitiesPagedPartialWhenAnEdgeIsDownWholeWhenBack) {
  LiveRegion live;
  ASSERT_TRUE(live.Start("renkei-relay", {"--heartbeat-ms", "200"}));
  auto& [r, hub, port, edges] = live;

  // Registrations flowed from the edges: the person is one regional ID at all three facilities.
  const std::string viewer = r.facilities[0];
  const std::string local = r.person.at(viewer);
  ASSERT_TRUE(LinkedEverywhere(r, port, viewer)) << "the edges' registrations did not link the person";

  // Page through the whole chart, 7 at a time: every event of every facility exactly once, newest first.
  const auto expected = AllEvents(r);
  ASSERT_GT(expected.size(), 10u);
  std::set<std::pair<std::string, int64_t>> seen;
  std::string cursor, previous_key = "99999999999999";
  int pages = 0;
  for (;; ++pages) {
    json page = Chart(r, port, viewer, "patient=" + local + "&limit=7" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_FALSE(page["partial"].get<bool>());
    for (const json& s : page["sources"]) EXPECT_EQ(s["status"], "answered") << s.dump();
    for (const json& e : page["events"]) {
      EXPECT_LE(e["sort_key"].get<std::string>(), previous_key);
      previous_key = e["sort_key"].get<std::string>();
      EXPECT_TRUE(seen.insert({e["facility"].get<std::string>(), e["record_id"].get<int64_t>()}).second)
          << "repeated: " << e.dump();
    }
    if (page["next_cursor"].is_null()) break;
    cursor = page["next_cursor"].get<std::string>();
    ASSERT_LT(pages, 200);
  }
  EXPECT_EQ(seen, expected);
  std::set<std::string> facilities_seen;
  for (const auto& [f, id] : seen) facilities_seen.insert(f);
  EXPECT_EQ(facilities_seen.size(), 3u);

  // Filters pass through to every edge.
  json labs = Chart(r, port, viewer, "patient=" + local + "&type=prescription&limit=1000");
  ASSERT_GT(labs["events"].size(), 0u);
  for (const json& e : labs["events"]) EXPECT_EQ(e["type"], "prescription");

  // The CLI prints the same chart.
  Result cli = RunRenkei(r.dir, fmt::format("chart --hub http://127.0.0.1:{} --token {} --patient {} --limit 5", port,
                                            r.tokens.at(viewer), local));
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("5 events"), std::string::npos) << cli.out;

  // An entity, relayed from the facility that holds it.
  json first = Chart(r, port, viewer, "patient=" + local + "&limit=1&facility=" + r.facilities[1]);
  ASSERT_EQ(first["events"].size(), 1u);
  const std::string ref = first["events"][0]["entity_refs"][0].get<std::string>();
  auto entity = http::Fetch("GET", fmt::format("http://127.0.0.1:{}/v1/entities/{}/{}?patient={}", port, r.facilities[1],
                                                ref, local),
                            {}, "application/json", 30s, {{"Authorization", "Bearer " + r.tokens.at(viewer)}});
  ASSERT_TRUE(entity.ok());
  ASSERT_EQ(entity->status, 200) << entity->body;
  EXPECT_EQ(json::parse(entity->body)["resource"]["resourceType"], ref.substr(0, ref.find('/')));

  // One edge killed: the chart comes back at once, partial, saying which facility and why.
  const std::string down = r.facilities[2];
  edges[down].Kill();
  ASSERT_TRUE(WaitFor([&] {
    json c = Chart(r, port, viewer, "patient=" + local + "&limit=1000&deadline_ms=1000");
    for (const json& s : c["sources"]) {
      if (s["facility"] == down) return s["status"] == "offline";
    }
    return false;
  }));
  json partial = Chart(r, port, viewer, "patient=" + local + "&limit=1000&deadline_ms=1000");
  EXPECT_TRUE(partial["partial"].get<bool>());
  for (const json& e : partial["events"]) EXPECT_NE(e["facility"], down);
  for (const json& s : partial["sources"]) {
    if (s["facility"] == down) {
      EXPECT_EQ(s["reason"], "the facility's edge is not connected to the hub");
    }
  }

  // Back again: whole.
  edges[down].Start(r, down, port);
  json whole = Chart(r, port, viewer, "patient=" + local + "&limit=1000");
  EXPECT_FALSE(whole["partial"].get<bool>());
  EXPECT_EQ(whole["events"].size(), std::min<size_t>(1000, expected.size()));

  // The hub restarts: the edges reconnect by themselves and the chart is whole again.
  ASSERT_EQ(hub.Stop(), 0);
  BackgroundRenkei hub2;
  ASSERT_EQ(hub2.Start(r.dir, "hub", {"hub", "serve", "--listen", fmt::format("127.0.0.1:{}", port), "--store",
                                      "sqlite:hub.db", "--heartbeat-ms", "200", "--log-level", "warn"}),
            port)
      << hub2.err();
  ASSERT_TRUE(WaitFor([&] {
    json c = Chart(r, port, viewer, "patient=" + local + "&limit=1000");
    return c.is_object() && !c["partial"].get<bool>();
  }, 30s)) << "the edges did not come back after the hub restarted";

  // The presence the hub exposes.
  auto presence = http::Fetch("GET", fmt::format("http://127.0.0.1:{}/v1/edges", port), {}, "application/json", 10s,
                              {{"Authorization", "Bearer " + r.operator_token}});
  ASSERT_TRUE(presence.ok());
  json list = json::parse(presence->body)["edges"];
  EXPECT_EQ(list.size(), 3u);
  for (const json& e : list) {
    EXPECT_TRUE(e["connected"].get<bool>());
    EXPECT_EQ(e["version"], "renkei 0.1.0");
  }
}

// A chart waits for the edges' answers; those answers arrive on the hub's I/O threads. With more
// charts at once than the hub has threads of either kind, every chart is still whole: the waits
// never hold the thread that reads the answers (which once stalled every chart to its deadline).
TEST(RelayCliTest, MoreConcurrentChartsThanHubThreadsAreAllWhole) {
  LiveRegion live;
  ASSERT_TRUE(live.Start("renkei-relay-concurrent", {"--threads", "1", "--handler-threads", "3"}));
  const auto& [r, hub, port, edges] = live;
  const std::string viewer = r.facilities[0];
  ASSERT_TRUE(LinkedEverywhere(r, port, viewer)) << "the edges' registrations did not link the person";
  const size_t expected = std::min<size_t>(1000, AllEvents(r).size());

  constexpr int kCharts = 12;
  std::vector<std::future<json>> charts;
  for (int i = 0; i < kCharts; ++i) {
    charts.push_back(std::async(std::launch::async, [&] {
      return Chart(r, port, viewer, "patient=" + r.person.at(viewer) + "&limit=1000&deadline_ms=5000");
    }));
  }
  for (auto& future : charts) {
    json chart = future.get();
    ASSERT_TRUE(chart.is_object());
    EXPECT_FALSE(chart["partial"].get<bool>()) << chart["sources"].dump();
    for (const json& s : chart["sources"]) EXPECT_EQ(s["status"], "answered") << s.dump();
    EXPECT_EQ(chart["events"].size(), expected);
  }
}

TEST(RelayCliTest, TheAuthorisationPointRefusesOthersAndRecordsEveryDecision) {
  Region r = MakeRegion("renkei-relay-authz");
  BackgroundRenkei hub;
  const int port = hub.Start(r.dir, "hub", {"hub", "serve", "--listen", "127.0.0.1:0", "--store", "sqlite:hub.db",
                                            "--log-level", "warn"});
  ASSERT_GT(port, 0) << hub.err();
  std::map<std::string, Edge> edges;
  for (const std::string& f : r.facilities) edges[f].Start(r, f, port);
  const std::string viewer = r.facilities[0];
  ASSERT_TRUE(LinkedEverywhere(r, port, viewer));
  const auto get = [&](const std::string& target, const std::string& token) {
    auto response = http::Fetch("GET", fmt::format("http://127.0.0.1:{}{}", port, target), {}, "application/json", 10s,
                                token.empty() ? http::HeaderList{} : http::HeaderList{{"Authorization", "Bearer " + token}});
    EXPECT_TRUE(response.ok());
    return response.ok() ? *response : http::ClientResponse{};
  };
  const std::string rk = Chart(r, port, viewer, "patient=" + r.person.at(viewer) + "&limit=1")["regional_id"];
  EXPECT_EQ(get("/v1/chart?regional_id=" + rk, "").status, 401);
  EXPECT_EQ(get("/v1/chart?regional_id=" + rk, "rk_forged").status, 401);
  EXPECT_EQ(get("/v1/chart?regional_id=" + rk, r.operator_token).status, 403);
  EXPECT_EQ(get("/v1/chart?regional_id=RK0000000000", r.tokens.at(viewer)).status, 400);  // not a regional ID
  EXPECT_EQ(get("/v1/chart?patient=no-such-patient", r.tokens.at(viewer)).status, 404);
  EXPECT_EQ(get("/v1/chart", r.tokens.at(viewer)).status, 400);
  EXPECT_EQ(get("/v1/chart?patient=x&regional_id=" + rk, r.tokens.at(viewer)).status, 400);
  EXPECT_EQ(get("/v1/chart?regional_id=" + rk + "&cursor=garbage", r.tokens.at(viewer)).status, 400);
  EXPECT_EQ(get("/v1/chart?regional_id=" + rk + "&limit=0", r.tokens.at(viewer)).status, 400);
  EXPECT_EQ(get("/v1/chart?regional_id=" + rk + "&type=x-ray", r.tokens.at(viewer)).status, 400);
  EXPECT_EQ(get("/v1/chart?regional_id=" + rk + "&deadline_ms=5", r.tokens.at(viewer)).status, 400);
  auto missing = get("/v1/entities/" + r.facilities[1] + "/Observation/nope?regional_id=" + rk, r.tokens.at(viewer));
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(get("/v1/edges/connect", r.tokens.at(viewer)).status, 426);
  // A person registered at only one other facility is not visible to the viewer.
  std::string other_only;
  std::istringstream truth(Slurp(r.dir / "region/ground_truth.csv"));
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> persons;
  std::string line;
  std::getline(truth, line);
  while (std::getline(truth, line)) {
    std::vector<std::string> c;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) c.push_back(cell);
    persons[c[1]].push_back({c[2], c[3]});
  }
  for (const auto& [id, held] : persons) {
    if (held.size() == 1 && held[0].first == r.facilities[1]) {
      auto x = get(fmt::format("/v1/registrations/{}/{}", held[0].first, held[0].second), r.tokens.at(r.facilities[1]));
      if (x.status != 200) continue;
      other_only = json::parse(x.body)["regional_id"];
      break;
    }
  }
  ASSERT_FALSE(other_only.empty());
  auto denied = get("/v1/chart?regional_id=" + other_only, r.tokens.at(viewer));
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(get("/v1/chart?regional_id=" + other_only, r.tokens.at(r.facilities[1])).status, 200);

  // Every decision is on the audit trail (beside the store), allowed and denied, with the caller's
  // address, without the hub's operational log holding any; the trail verifies intact meanwhile.
  json denials = RunJson(r.dir, "audit list --store sqlite:hub-audit.db --json --patient " + other_only);
  ASSERT_GE(denials["entries"].size(), 2u);
  const json& denial = denials["entries"][1];  // newest first: the other facility's allowed chart came after
  EXPECT_EQ(denials["entries"][0]["decision"], "allow");
  EXPECT_EQ(denial["action"], "chart.view");
  EXPECT_EQ(denial["decision"], "deny");
  EXPECT_EQ(denial["who"]["name"], "edge-" + viewer);
  EXPECT_TRUE(denial["remote"].get<std::string>().starts_with("127.0.0.1:")) << denial.dump();
  EXPECT_FALSE(denial["reason"].get<std::string>().empty());
  json views = RunJson(r.dir, "audit list --store sqlite:hub-audit.db --json --action chart.view --limit 1000");
  EXPECT_TRUE(std::any_of(views["entries"].begin(), views["entries"].end(),
                          [](const json& e) { return e["decision"] == "allow"; }));
  json index_reads = RunJson(r.dir, "audit list --store sqlite:hub-audit.db --json --action index.read --limit 1000");
  EXPECT_FALSE(index_reads["entries"].empty()) << "PIX lookups are on the trail too";
  const auto verified = RunRenkei(r.dir, "audit verify --store sqlite:hub-audit.db --no-progress");
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_TRUE(verified.out.starts_with("intact:")) << verified.out;
  EXPECT_EQ(hub.err().find(other_only), std::string::npos);
}

// The policy decision point at work: the patient's consent decides which facilities see which,
// a withdrawal stops everything at once, and break-glass opens the chart for a time, on record
// and in the operators' review list.
TEST(RelayCliTest, ThePatientsConsentDecidesWhoSeesWhatAndBreakGlassOverridesItOnRecord) {
  LiveRegion live;
  ASSERT_TRUE(live.Start("renkei-relay-consent", {}));
  auto& [r, hub, port, edges] = live;
  const std::string a = r.facilities[0], b = r.facilities[1], c = r.facilities[2];
  ASSERT_TRUE(LinkedEverywhere(r, port, a));
  const auto call = [&](const std::string& method, const std::string& target, const std::string& token,
                        const json& body = nullptr) {
    auto [status, text] = live.Call(method, target, token, body);
    return std::pair<int, json>{status, json::parse(text, nullptr, false)};
  };
  const auto chart_of = [&](const std::string& f) {
    return call("GET", "/v1/chart?limit=1000&patient=" + r.person.at(f), r.tokens.at(f));
  };
  const std::string rk = chart_of(a).second["regional_id"];
  const auto consent_url_of = [](const std::string& id) { return "/v1/patients/" + id + "/consent"; };

  // Before any consent is recorded at the hub, the registrations' consent links all three.
  auto [status, why] = call("GET", "/v1/access/explain?patient=" + r.person.at(a), r.tokens.at(a));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(why["effect"], "allow");
  EXPECT_EQ(why["basis"], "registration");
  EXPECT_EQ(why["facilities"].size(), 3u);

  // The patient links only A and B, through a guardian, with the signed form attached.
  const json consent = {{"state", "active"}, {"linked", {a, b}}, {"proxy", "guardian-yamada"},
                        {"document_base64", "JVBERi0xLjcKc2lnbmVk"}, {"document_type", "application/pdf"}};
  auto [recorded, stored] = call("POST", "/v1/patients/" + rk + "/consent", r.tokens.at(a), consent);
  ASSERT_EQ(recorded, 201) << stored.dump();
  EXPECT_EQ(stored["proxy"], "guardian-yamada");
  EXPECT_EQ(stored["document_sha256"].get<std::string>().size(), 64u);
  const std::string consent_id = stored["id"];

  // A sees A and B, is told C is withheld, and learns nothing of C's local ID.
  auto [a_status, a_chart] = chart_of(a);
  ASSERT_EQ(a_status, 200) << a_chart.dump();
  EXPECT_FALSE(a_chart["partial"].get<bool>());
  EXPECT_EQ(a_chart["access"]["rule"], "consent");
  EXPECT_EQ(a_chart["access"]["basis"], consent_id);
  std::map<std::string, std::string> source_status;
  for (const json& s : a_chart["sources"]) source_status[s["facility"]] = s["status"];
  EXPECT_EQ(source_status, (std::map<std::string, std::string>{{a, "answered"}, {b, "answered"}, {c, "withheld"}}));
  for (const json& e : a_chart["events"]) EXPECT_NE(e["facility"], c);
  for (const json& id : a_chart["patient"]["identifiers"]) EXPECT_NE(id["facility"], c);
  EXPECT_EQ(a_chart.dump().find(r.person.at(c) + "\""), std::string::npos);

  // The drill-downs come from the same decision: A's clinicians get the encounters of A and B,
  // C is withheld, and nothing of C is in the answer.
  auto [res_status, res] = call("GET", "/v1/resources?type=Encounter&patient=" + r.person.at(a), r.tokens.at(a));
  ASSERT_EQ(res_status, 200) << res.dump();
  std::set<std::string> res_facilities;
  for (const json& e : res["resources"]) {
    EXPECT_EQ(e["resource"]["resourceType"], "Encounter");
    EXPECT_EQ(e["event_type"], "visit") << e.dump();
    res_facilities.insert(e["facility"].get<std::string>());
  }
  EXPECT_EQ(res_facilities, (std::set<std::string>{a, b})) << res.dump();
  std::map<std::string, std::string> res_sources;
  for (const json& s : res["sources"]) res_sources[s["facility"]] = s["status"];
  EXPECT_EQ(res_sources, (std::map<std::string, std::string>{{a, "answered"}, {b, "answered"}, {c, "withheld"}}));
  EXPECT_EQ(res.dump().find(r.person.at(c) + "\""), std::string::npos);
  for (const std::string bad : {"type=encounter", "type=Encounter/1", "limit=0", "limit=5001", "from=2024-1-1",
                                "signed=yes"}) {
    EXPECT_EQ(call("GET", "/v1/resources?" + bad + "&patient=" + r.person.at(a), r.tokens.at(a)).first, 400) << bad;
  }
  EXPECT_EQ(call("GET", "/v1/resources?type=Encounter", r.tokens.at(a)).first, 400) << "no patient named";

  // The locator and PIX disclose what the chart does (seed 004): A learns B's local ID, not C's;
  // C learns only its own; operators see every one. The signed form comes back as it went in.
  const auto facilities_in = [](const json& list) {
    std::set<std::string> out;
    for (const json& id : list) out.insert(id["facility"].get<std::string>());
    return out;
  };
  auto [pix_status, pix] = call("GET", "/v1/registrations/" + a + "/" + r.person.at(a), r.tokens.at(a));
  ASSERT_EQ(pix_status, 200) << pix.dump();
  EXPECT_EQ(facilities_in(pix["identifiers"]), (std::set<std::string>{a, b}));
  EXPECT_EQ(facilities_in(call("GET", "/v1/patients/" + rk + "/locations", r.tokens.at(c)).second["facilities"]),
            (std::set<std::string>{c}));
  EXPECT_EQ(call("GET", "/v1/patients/" + rk + "/locations", r.operator_token).second["facilities"].size(), 3u);
  // The link history too: A sees the events about A's and B's registrations, not C's; operators all.
  const auto actors_in = [&](const std::string& token) {
    std::multiset<std::string> actors;
    auto [status, page] = call("GET", "/v1/patients/" + rk + "/history", token);
    EXPECT_EQ(status, 200) << page.dump();
    for (const json& e : page["events"]) {
      actors.insert(e["actor"].get<std::string>());
    }
    return actors;
  };
  const std::multiset<std::string> all_actors = actors_in(r.operator_token);
  ASSERT_EQ(all_actors.count("edge-" + c), 1u) << "C's edge registered the person once: " << ::testing::PrintToString(all_actors);
  const std::multiset<std::string> a_actors = actors_in(r.tokens.at(a));
  EXPECT_EQ(a_actors.count("edge-" + c), 0u);
  EXPECT_EQ(a_actors.count("edge-" + a) + a_actors.count("edge-" + b), 2u);
  EXPECT_EQ(actors_in(r.tokens.at(c)), (std::multiset<std::string>{"edge-" + c}));
  auto [doc_status, doc] = live.Call("GET", consent_url_of(rk) + "/" + consent_id + "/document", r.tokens.at(b));
  EXPECT_EQ(doc_status, 200);
  EXPECT_EQ(doc, "%PDF-1.7\nsigned");
  EXPECT_EQ(live.Call("GET", consent_url_of(rk) + "/C999999/document", r.tokens.at(b)).first, 404);
  EXPECT_EQ(live.Call("GET", consent_url_of(rk) + "/" + consent_id + "/document", "").first, 401);

  // C is not linked: its clinicians see nothing, and are told why.
  auto [c_status, c_answer] = chart_of(c);
  EXPECT_EQ(c_status, 403);
  EXPECT_EQ(call("GET", "/v1/resources?patient=" + r.person.at(c), r.tokens.at(c)).first, 403);
  EXPECT_EQ(c_answer["error"]["message"], fmt::format("the patient has not linked facility {}", c)) << c_answer.dump();

  // Break-glass at C, by a clinician signed in as themself (not C's system): reason required,
  // then the whole chart for the override's time, for that clinician alone.
  const std::string dr_c = SignIn(r, port, "dr-c", "clinician", "--facility " + c);
  ASSERT_FALSE(dr_c.empty());
  const auto glass_chart_of = [&] { return call("GET", "/v1/chart?limit=1000&patient=" + r.person.at(c), dr_c); };
  EXPECT_EQ(glass_chart_of().first, 403);
  auto [as_status, as_dr_c] = call("GET", "/v1/access/explain?regional_id=" + rk + "&as=dr-c", r.operator_token);
  ASSERT_EQ(as_status, 200) << as_dr_c.dump();
  EXPECT_EQ(as_dr_c["rule"], "not-linked") << "the operator sees why Dr C is refused";
  EXPECT_EQ(call("GET", "/v1/access/explain?regional_id=" + rk + "&as=nobody", r.operator_token).first, 404);
  const json emergency = {{"patient", r.person.at(c)}, {"reason", "unconscious on arrival at the ER"}, {"minutes", 10}};
  EXPECT_EQ(call("POST", "/v1/breakglass", r.tokens.at(c), emergency).first, 403) << "a facility's system";
  EXPECT_EQ(call("POST", "/v1/breakglass", dr_c, {{"patient", r.person.at(c)}}).first, 400);
  EXPECT_EQ(call("POST", "/v1/breakglass", dr_c, {{"patient", r.person.at(c)}, {"reason", " "}}).first, 400);
  EXPECT_EQ(call("POST", "/v1/breakglass", r.operator_token, {{"regional_id", rk}, {"reason", "x"}}).first, 403);
  auto [started, override_json] = call("POST", "/v1/breakglass", dr_c, emergency);
  ASSERT_EQ(started, 201) << override_json.dump();
  EXPECT_EQ(override_json["requester"], "dr-c");
  const std::string override_id = override_json["id"];
  auto [glass_status, glass_chart] = glass_chart_of();
  ASSERT_EQ(glass_status, 200) << glass_chart.dump();
  EXPECT_EQ(glass_chart["access"]["rule"], "break-glass");
  EXPECT_EQ(glass_chart["access"]["basis"], override_id);
  EXPECT_EQ(glass_chart["sources"].size(), 3u);
  EXPECT_EQ(chart_of(c).first, 403) << "C's system is not the clinician who declared it";
  EXPECT_EQ(call("POST", "/v1/breakglass/" + override_id + "/stop", r.tokens.at(a)).first, 403) << "not A's override";
  EXPECT_EQ(call("POST", "/v1/breakglass/" + override_id + "/stop", dr_c).first, 200);
  EXPECT_EQ(glass_chart_of().first, 403);

  // The operators' review list: theirs alone.
  EXPECT_EQ(call("GET", "/v1/breakglass", r.tokens.at(c)).first, 403);
  auto [listed, list] = call("GET", "/v1/breakglass", r.operator_token);
  ASSERT_EQ(listed, 200);
  ASSERT_EQ(list["overrides"].size(), 1u);
  EXPECT_EQ(list["overrides"][0]["reason"], "unconscious on arrival at the ER");
  EXPECT_EQ(call("POST", "/v1/breakglass/" + override_id + "/review", r.operator_token, {{"note", "justified"}}).first,
            200);
  EXPECT_EQ(call("GET", "/v1/breakglass", r.operator_token).second["overrides"].size(), 0u);

  // The patient signs in: sees their own record from every facility, who accessed it and the
  // emergency declared on it, and unlinks B — whose clinicians lose access at once.
  const std::string patient = SignIn(r, port, "yamada-taro", "patient", "--regional-id " + rk);
  ASSERT_FALSE(patient.empty());
  auto [own_status, own] = call("GET", "/v1/chart?limit=1000&regional_id=" + rk, patient);
  ASSERT_EQ(own_status, 200) << own.dump();
  EXPECT_EQ(own["access"]["rule"], "own-record");
  EXPECT_EQ(own["sources"].size(), 3u);
  for (const json& src : own["sources"]) EXPECT_EQ(src["status"], "answered") << src.dump();
  auto [accesses_status, accesses] = call("GET", "/v1/patients/" + rk + "/accesses?limit=1000", patient);
  ASSERT_EQ(accesses_status, 200) << accesses.dump();
  ASSERT_EQ(accesses["breakglass"].size(), 1u);
  EXPECT_EQ(accesses["breakglass"][0]["id"], override_id);
  EXPECT_EQ(accesses["breakglass"][0]["reason"], "unconscious on arrival at the ER");
  std::set<std::string> seen_by;
  for (const json& e : accesses["entries"]) {
    if (e["action"] == "chart.view" && e["decision"] == "allow") seen_by.insert(e["who"].get<std::string>());
  }
  EXPECT_TRUE(seen_by.count("edge-" + a) && seen_by.count("dr-c") && seen_by.count("yamada-taro"))
      << accesses["entries"].dump();
  EXPECT_EQ(call("GET", "/v1/patients/" + rk + "/accesses", r.tokens.at(a)).first, 403);
  EXPECT_EQ(call("GET", "/v1/patients/" + rk + "/accesses", r.operator_token).first, 200);
  // The operators' search of the whole trail: by principal and action, paged, times checked.
  auto [searched_status, by_dr_c] =
      call("GET", "/v1/audit?principal=dr-c&action=breakglass.start&from=2026-01-01", r.operator_token);
  ASSERT_EQ(searched_status, 200) << by_dr_c.dump();
  ASSERT_EQ(by_dr_c["entries"].size(), 1u) << by_dr_c.dump();
  EXPECT_EQ(by_dr_c["entries"][0]["basis"], override_id);
  EXPECT_EQ(by_dr_c["entries"][0]["patient"], rk);
  auto [paged_status, paged] = call("GET", "/v1/audit?limit=2", r.operator_token);
  ASSERT_EQ(paged_status, 200);
  EXPECT_EQ(paged["entries"].size(), 2u);
  ASSERT_TRUE(paged["next_before"].is_number());
  auto [next_status, next] =
      call("GET", "/v1/audit?limit=2&before=" + std::to_string(paged["next_before"].get<int64_t>()), r.operator_token);
  EXPECT_LT(next["entries"][0]["seq"].get<int64_t>(), paged["entries"][1]["seq"].get<int64_t>() + 1);
  EXPECT_EQ(call("GET", "/v1/audit?from=yesterday", r.operator_token).first, 400);
  EXPECT_EQ(call("GET", "/v1/audit?limit=0", r.operator_token).first, 400);
  EXPECT_EQ(call("GET", "/v1/audit?limit=1001", r.operator_token).first, 400);
  EXPECT_EQ(call("GET", "/v1/patients/RK00000000307/accesses", patient).first, 403) << "another person's";
  EXPECT_EQ(call("GET", "/v1/breakglass", patient).first, 403);
  auto [searched, found] = call("GET", "/v1/patients?family_kana=%E3%83%A4%E3%83%9E%E3%83%80", patient);
  EXPECT_EQ(found.dump().find("RK"), std::string::npos) << "a patient searches no one: " << searched;
  auto [relinked, relink] = call("POST", "/v1/patients/" + rk + "/consent", patient, {{"state", "active"}, {"linked", {a}}});
  ASSERT_EQ(relinked, 201) << relink.dump();
  EXPECT_EQ(relink["recorded_by"], "yamada-taro");
  EXPECT_EQ(chart_of(b).first, 403);
  EXPECT_EQ(chart_of(a).first, 200);

  // Withdrawal at B stops A at once; the history keeps every change.
  EXPECT_EQ(call("POST", "/v1/patients/" + rk + "/consent", r.tokens.at(b), {{"state", "withdrawn"}}).first, 201);
  auto [withdrawn_status, withdrawn] = chart_of(a);
  EXPECT_EQ(withdrawn_status, 403);
  EXPECT_EQ(withdrawn["error"]["message"], "the patient has withdrawn consent to the exchange");
  EXPECT_EQ(call("GET", "/v1/entities/" + a + "/Patient/x?patient=" + r.person.at(a), r.tokens.at(a)).first, 403);
  EXPECT_EQ(facilities_in(call("GET", "/v1/registrations/" + a + "/" + r.person.at(a), r.tokens.at(a)).second["identifiers"]),
            (std::set<std::string>{a}))
      << "a withdrawal hides the other facilities' local IDs too";
  auto [history_status, history] = call("GET", "/v1/patients/" + rk + "/consent", r.operator_token);
  ASSERT_EQ(history_status, 200);
  EXPECT_EQ(history["consent"]["state"], "withdrawn");
  EXPECT_EQ(history["history"].size(), 3u);

  // Refusals: no credentials, operators, malformed bodies — nothing changes (the operator's refusal is on record).
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/v1/access/explain?regional_id=" + rk}, {"GET", "/v1/patients/" + rk + "/consent"},
           {"POST", "/v1/patients/" + rk + "/consent"}, {"POST", "/v1/breakglass"}, {"GET", "/v1/breakglass"},
           {"POST", "/v1/breakglass/B1/stop"}, {"POST", "/v1/breakglass/B1/review"}}) {
    EXPECT_EQ(call(method, target, "").first, 401) << method << " " << target;
  }
  EXPECT_EQ(call("POST", "/v1/patients/" + rk + "/consent", r.operator_token, consent).first, 403);
  const std::string consent_url = "/v1/patients/" + rk + "/consent";
  EXPECT_EQ(call("POST", consent_url, r.tokens.at(a), {{"state", "maybe"}}).first, 400);
  EXPECT_EQ(call("POST", consent_url, r.tokens.at(a), {{"state", "active"}, {"linked", a}}).first, 400);
  EXPECT_EQ(call("POST", consent_url, r.tokens.at(a), {{"state", "active"}, {"linked", {1, 2}}}).first, 400);
  EXPECT_EQ(call("POST", consent_url, r.tokens.at(a), {{"state", "active"}, {"linked", {"../x"}}}).first, 400);
  EXPECT_EQ(call("POST", consent_url, r.tokens.at(a), {{"state", "active"}, {"linked", {a}}, {"document_base64", "!!"},
                                                       {"document_type", "application/pdf"}})
                .first,
            400);
  EXPECT_EQ(call("POST", "/v1/patients/RK99999999999/consent", r.tokens.at(a), consent).first, 400);  // check digit
  EXPECT_EQ(call("GET", "/v1/patients/" + rk + "/consent", r.operator_token).second["history"].size(), 3u);

  // Every decision and change is on the patient's audit trail with its rule and basis, newest first.
  json trail = RunJson(r.dir, "audit list --store sqlite:hub-audit.db --json --limit 1000 --patient " + rk);
  std::vector<std::string> lines;
  for (const json& e : trail["entries"]) {
    lines.push_back(fmt::format("{} {} {} {} [{}]", e["action"].get<std::string>(), e["decision"].get<std::string>(),
                                e["purpose"].get<std::string>(), e["basis"].get<std::string>(),
                                e["reason"].get<std::string>()));
  }
  const auto has = [&](const std::string& prefix) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.starts_with(prefix); });
  };
  EXPECT_TRUE(has("chart.view deny TREAT  [not-linked: ")) << fmt::format("{}", fmt::join(lines, "\n"));
  EXPECT_TRUE(has("chart.view allow TREAT " + consent_id + " [consent: "));
  EXPECT_TRUE(has("chart.view allow ETREAT " + override_id + " [break-glass: "));
  EXPECT_TRUE(has("breakglass.start allow ETREAT " + override_id + " ["));
  EXPECT_TRUE(has("breakglass.stop allow ETREAT " + override_id + " ["));
  EXPECT_TRUE(has("consent.change allow TREAT "));
  EXPECT_TRUE(has("chart.view deny TREAT  [withdrawn: "));
  EXPECT_TRUE(has("consent.change deny HOPERAT  [")) << "the operator's refused consent is on record";
  EXPECT_TRUE(has("consent.read allow HOPERAT  ["));
  EXPECT_EQ(RunRenkei(r.dir, "audit verify --store sqlite:hub-audit.db --no-progress").exit_code, 0);
  EXPECT_EQ(hub.err().find(rk), std::string::npos) << "the operational log holds no patient";
}

// The authorisation matrix: every endpoint of the hub × every kind of caller × the states a
// person's record can be in (linked, a facility unlinked, consent withdrawn, a break-glass
// override running), each asserting allowed (any answer but 401/403) or denied (403), and 401
// for every endpoint without credentials. The expectations are written out from the rules of
// hub/access.h and policy/decide.h, not read back from the hub.
TEST(RelayCliTest, TheAuthorisationMatrixHoldsForEveryEndpointRoleAndConsentState) {
  LiveRegion live;
  ASSERT_TRUE(live.Start("renkei-relay-matrix", {}));
  auto& [r, hub, port, edges] = live;
  const std::string a = r.facilities[0], b = r.facilities[1], c = r.facilities[2];
  ASSERT_TRUE(LinkedEverywhere(r, port, a));
  const auto call = [&](const std::string& method, const std::string& target, const std::string& token,
                        const json& body = nullptr) { return live.Call(method, target, token, body); };
  auto [first, first_body] = call("GET", "/v1/chart?limit=1&patient=" + r.person.at(a), r.tokens.at(a));
  ASSERT_EQ(first, 200) << first_body;
  const std::string rk = json::parse(first_body)["regional_id"];

  // The callers.
  std::map<std::string, std::string> token = {
      {"system-A", r.tokens.at(a)},
      {"operator", r.operator_token},
      {"clinician-A", SignIn(r, port, "dr-a", "clinician", "--facility " + a)},
      {"staff-A", SignIn(r, port, "desk-a", "staff", "--facility " + a)},
      {"clinician-C", SignIn(r, port, "dr-c", "clinician", "--facility " + c)},
      {"patient", SignIn(r, port, "patient-self", "patient", "--regional-id " + rk)},
      {"proxy", SignIn(r, port, "guardian", "proxy", "--regional-id " + rk + " --regional-id RK00000000307")},
      {"other-patient", SignIn(r, port, "patient-other", "patient", "--regional-id RK00000000307")},
  };
  // A service provider (seed 000), registered by the operator and connected to A, signing in
  // with OAuth2 client credentials.
  auto [added, service_body] = call("POST", "/v1/services", r.operator_token, {{"name", "reception"}});
  ASSERT_EQ(added, 201) << service_body;
  const json service = json::parse(service_body);
  const std::string sid = service["service"]["id"];
  ASSERT_EQ(call("PUT", "/v1/matrix/" + a + "/" + sid, r.operator_token, {{"notify", "none"}, {"types", {{{"type", "Patient"}}}}}).first,
            200);
  auto oauth = http::Fetch("POST", fmt::format("http://127.0.0.1:{}/v1/oauth/token", port),
                           fmt::format("grant_type=client_credentials&client_id={}&client_secret={}",
                                       service["service"]["client_id"].get<std::string>(),
                                       service["client_secret"].get<std::string>()),
                           "application/x-www-form-urlencoded", 30s);
  ASSERT_TRUE(oauth.ok() && oauth->status == 200) << (oauth.ok() ? oauth->body : "");
  token["service"] = json::parse(oauth->body)["access_token"];
  for (const auto& [who, t] : token) ASSERT_FALSE(t.empty()) << who;
  const auto any = [](const std::string&, const std::string&) { return true; };
  const auto only = [](std::set<std::string> allowed) {
    return [allowed](const std::string& who, const std::string&) { return allowed.count(who) > 0; };
  };
  const std::set<std::string> index_readers = {"system-A", "clinician-A", "staff-A", "clinician-C", "operator",
                                               "patient", "proxy"};
  // Clinical data: the policy. A and its people see it while linked; C (unlinked) only under its
  // clinician's override; staff and operators never; the patient and proxy always.
  const auto clinical = [](const std::string& who, const std::string& state) {
    if (who == "patient" || who == "proxy") return true;
    if (who == "system-A" || who == "clinician-A") return state == "linked";
    if (who == "clinician-C") return state == "break-glass";
    return false;
  };
  int n = 0;
  struct Endpoint {
    std::string method, target;
    std::function<json()> body;
    std::function<bool(const std::string& who, const std::string& state)> allowed;
  };
  const std::string consent_url = "/v1/patients/" + rk + "/consent";
  std::string state_consent;  // what the consent is in the current state, re-recorded unchanged
  const std::vector<Endpoint> endpoints = {
      {"GET", "/v1/me", nullptr, any},
      {"GET", "/v1/edges", nullptr, any},
      {"GET", "/v1/access/explain?regional_id=" + rk, nullptr, any},
      {"GET", "/v1/access/explain?regional_id=" + rk + "&as=dr-c", nullptr, only({"operator"})},
      {"GET", "/v1/patients?family_kana=%E3%83%A4", nullptr, any},  // each caller's own hits
      {"GET", "/v1/chart?limit=5&regional_id=" + rk, nullptr, clinical},
      {"GET", "/v1/entities/" + a + "/Patient/none?regional_id=" + rk, nullptr, clinical},
      {"GET", "/v1/resources?type=Encounter&limit=5&regional_id=" + rk, nullptr, clinical},
      {"GET", "/v1/patients/" + rk, nullptr, only(index_readers)},
      {"GET", "/v1/patients/" + rk + "/locations", nullptr, only(index_readers)},
      {"GET", "/v1/patients/" + rk + "/history", nullptr, only(index_readers)},
      {"GET", consent_url, nullptr, only(index_readers)},
      {"GET", consent_url + "/C999/document", nullptr, only(index_readers)},
      {"GET", "/v1/registrations/" + a + "/" + r.person.at(a), nullptr,
       only({"system-A", "clinician-A", "staff-A", "operator"})},
      {"POST", "/v1/registrations", [&] { return json{{"facility", a}, {"local_id", fmt::format("M{}", ++n)}}; },
       only({"system-A", "staff-A"})},
      {"POST", consent_url, [&] { return json::parse(state_consent); },
       only({"system-A", "clinician-A", "staff-A", "clinician-C", "patient", "proxy"})},
      {"GET", "/v1/patients/" + rk + "/accesses", nullptr, only({"operator", "patient", "proxy"})},
      {"GET", "/v1/audit?patient=" + rk + "&limit=5", nullptr, only({"operator"})},
      {"POST", "/v1/audit/verify", nullptr, only({"operator"})},
      {"GET", "/v1/facilities", nullptr, any},
      {"POST", "/v1/facilities", [] { return json{{"facility", "1310000009"}, {"name", "matrix"}}; }, only({"operator"})},
      {"GET", "/v1/certificates", nullptr, only({"operator"})},
      {"POST", "/v1/certificates", [] { return json{{"name", "m"}, {"role", "user"}}; }, only({"operator"})},
      {"POST", "/v1/certificates/ff/revoke", [] { return json{{"reason", "matrix"}}; }, only({"operator"})},
      {"POST", "/v1/breakglass", [&] { return json{{"regional_id", rk}, {"reason", "matrix"}, {"minutes", 1}}; },
       only({"clinician-A", "clinician-C"})},
      {"POST", "/v1/breakglass/B999/stop", nullptr, only({"clinician-A", "clinician-C"})},
      {"GET", "/v1/breakglass", nullptr, only({"operator"})},
      {"POST", "/v1/breakglass/B999/review", [] { return json::object(); }, only({"operator"})},
      {"POST", "/v1/links", [] { return json::object(); }, only({"operator"})},
      {"POST", "/v1/unlinks", [] { return json::object(); }, only({"operator"})},
      {"POST", "/v1/merges", [] { return json::object(); }, only({"operator"})},
      {"POST", "/v1/changes/999/revert", [] { return json::object(); }, only({"operator"})},
      {"GET", "/v1/reviews", nullptr, only({"operator"})},
      {"GET", "/v1/reviews/999", nullptr, only({"operator"})},
      {"POST", "/v1/reviews/999/resolve", [] { return json::object(); }, only({"operator"})},
      {"GET", "/v1/users", nullptr, only({"operator"})},
      {"POST", "/v1/users", [] { return json::object(); }, only({"operator"})},
      {"POST", "/v1/users/U999/disable", nullptr, only({"operator"})},
      // The service gateway (hub/service_api.h): operators manage, services exchange.
      {"GET", "/v1/services", nullptr, only({"operator"})},
      {"POST", "/v1/services", [] { return json::object(); }, only({"operator"})},
      {"GET", "/v1/services/" + sid, nullptr, only({"operator", "service"})},
      {"POST", "/v1/services/" + sid + "/enable", nullptr, only({"operator"})},
      {"GET", "/v1/matrix", nullptr, only({"operator"})},
      {"PUT", "/v1/matrix/" + b + "/" + sid, [] { return json{{"notify", "none"}}; }, only({"operator"})},
      {"DELETE", "/v1/matrix/" + c + "/" + sid, nullptr, only({"operator"})},
      {"GET", "/v1/services/" + sid + "/deliveries", nullptr, only({"operator", "service"})},
      {"POST", "/v1/services/" + sid + "/deliveries/999/retry", nullptr, only({"operator"})},
      {"POST", "/v1/services/" + sid + "/replay?since=" + UtcIso8601(NowUnixMs()).substr(0, 19) + "Z", nullptr,
       only({"operator", "service"})},
      {"GET", "/v1/facilities/" + a + "/patients/" + r.person.at(a) + "/resources?type=Patient", nullptr, only({"service"})},
      {"POST", "/v1/facilities/" + a + "/patients/" + r.person.at(a) + "/writes", [] { return json::object(); },
       only({"service"})},
  };

  for (const std::string state : {"linked", "withdrawn", "break-glass"}) {
    // Bring the record into the state.
    state_consent = state == "linked" ? json{{"state", "active"}, {"linked", {a, b}}}.dump()
                                      : json{{"state", "withdrawn"}}.dump();
    ASSERT_EQ(call("POST", consent_url, r.tokens.at(a), json::parse(state_consent)).first, 201);
    if (state == "break-glass") {
      auto [started, body] = call("POST", "/v1/breakglass", token["clinician-C"],
                                  {{"regional_id", rk}, {"reason", "the matrix's emergency"}, {"minutes", 30}});
      ASSERT_EQ(started, 201) << body;
    }
    for (const Endpoint& e : endpoints) {
      EXPECT_EQ(call(e.method, e.target, "", e.body ? e.body() : json(nullptr)).first, 401)
          << e.method << " " << e.target << " without credentials";
      for (const auto& [who, t] : token) {
        auto [status, body] = call(e.method, e.target, t, e.body ? e.body() : json(nullptr));
        if (e.allowed(who, state)) {
          EXPECT_TRUE(status != 401 && status != 403 && status != 0)
              << e.method << " " << e.target << " as " << who << " (" << state << "): " << status << " " << body;
        } else {
          EXPECT_EQ(status, 403) << e.method << " " << e.target << " as " << who << " (" << state << "): " << body;
        }
        // An emergency started by the matrix itself ends at once, so the states stay as set.
        if (e.method == "POST" && e.target == "/v1/breakglass" && status == 201) {
          const std::string id = json::parse(body)["id"];
          EXPECT_EQ(call("POST", "/v1/breakglass/" + id + "/stop", t).first, 200);
        }
      }
    }
  }
  // The sign-in route is the only one open, and it names no account that does not exist.
  auto [refused, why] = call("POST", "/v1/sessions", "", {{"login", "nobody"}, {"password", "x"}, {"code", "000000"}});
  EXPECT_EQ(refused, 401);
  EXPECT_NE(why.find("wrong login, password or code"), std::string::npos) << why;
  const auto sign_in = [&](const std::string& body) {
    auto response = http::Fetch("POST", fmt::format("http://127.0.0.1:{}/v1/sessions", port), body, "application/json", 30s);
    return response.ok() ? response->status : 0;
  };
  EXPECT_EQ(sign_in("{\"login\": \"dr-a\", \"password\""), 400);  // truncated
  EXPECT_EQ(sign_in(R"({"login": "dr-a", "password": "correct horse battery dr-a"})"), 400);  // no code
  EXPECT_EQ(sign_in(R"({"login": 7, "password": "x", "code": "1"})"), 400);
  EXPECT_EQ(sign_in("{\"login\": \"" + std::string(100'000, 'a') + "\", \"password\": \"x\", \"code\": \"1\"}"), 401);
  EXPECT_EQ(sign_in(R"({"login": "dr-a' OR '1'='1", "password": "x", "code": "1"})"), 401);
  // Five wrong passwords lock the account: then even the right password is refused, saying until when.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(sign_in(R"({"login": "dr-a", "password": "wrong password!!", "code": "123456"})"), 401);
  auto locked = http::Fetch("POST", fmt::format("http://127.0.0.1:{}/v1/sessions", port),
                            R"({"login": "dr-a", "password": "correct horse battery dr-a", "code": "123456"})",
                            "application/json", 30s);
  ASSERT_TRUE(locked.ok());
  EXPECT_EQ(locked->status, 401);
  EXPECT_NE(locked->body.find("locked"), std::string::npos) << locked->body;
  // Every attempt is on the audit trail with its real reason.
  json logins = RunJson(r.dir, "audit list --store sqlite:hub-audit.db --json --action session.login --limit 1000");
  std::map<std::string, int> reasons;
  for (const json& e : logins["entries"]) ++reasons[e["reason"].get<std::string>()];
  EXPECT_EQ(reasons["wrong_password"], 5) << logins.dump();
  EXPECT_EQ(reasons["locked"], 1);
  EXPECT_GE(reasons["unknown_user"], 3);
  EXPECT_EQ(reasons["signed in with password and code"], 6);  // the six people above
  // Signing out ends the session at once.
  EXPECT_EQ(call("DELETE", "/v1/sessions/current", token["staff-A"]).first, 200);
  EXPECT_EQ(call("GET", "/v1/me", token["staff-A"]).first, 401);
  EXPECT_EQ(call("DELETE", "/v1/sessions/current", r.tokens.at(a)).first, 400) << "a credential has no session";
}

// A TCP link between an edge and the hub that the test can cut and restore: while cut, bytes
// are held in both directions (the connection stays open, as across a dead network path); once
// restored, they flow again, including those held back.
class CuttableLink {
 public:
  explicit CuttableLink(int hub_port)
      : acceptor_(io_, boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0)), hub_port_(hub_port) {
    accepting_ = std::thread([this] { Accept(); });
  }
  ~CuttableLink() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      cut_ = false;
      for (auto& s : sockets_) ::shutdown(s->native_handle(), SHUT_RDWR);
    }
    flowing_.notify_all();
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    accepting_.join();
    for (auto& t : pumps_) t.join();
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  void Cut() {
    std::lock_guard lock(mutex_);
    cut_ = true;
  }
  void Restore() {
    {
      std::lock_guard lock(mutex_);
      cut_ = false;
    }
    flowing_.notify_all();
  }

 private:
  using Socket = std::shared_ptr<boost::asio::ip::tcp::socket>;
  void Accept() {
    for (;;) {
      auto edge = std::make_shared<boost::asio::ip::tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*edge, ec);
      if (ec) return;
      auto hub = std::make_shared<boost::asio::ip::tcp::socket>(io_);
      hub->connect({boost::asio::ip::address_v4::loopback(), static_cast<uint16_t>(hub_port_)}, ec);
      std::lock_guard lock(mutex_);
      if (ec || stopping_) continue;
      sockets_.push_back(edge);
      sockets_.push_back(hub);
      pumps_.emplace_back([this, edge, hub] { Pump(edge, hub); });
      pumps_.emplace_back([this, edge, hub] { Pump(hub, edge); });
    }
  }
  void Pump(const Socket& from, const Socket& to) {
    char buffer[16384];
    for (;;) {
      boost::system::error_code ec;
      const size_t n = from->read_some(boost::asio::buffer(buffer), ec);
      {
        std::unique_lock lock(mutex_);
        flowing_.wait(lock, [&] { return !cut_ || stopping_; });
        if (stopping_) return;
      }
      if (ec) {
        ::shutdown(to->native_handle(), SHUT_WR);
        return;
      }
      boost::asio::write(*to, boost::asio::buffer(buffer, n), ec);
      if (ec) return;
    }
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  const int hub_port_;
  std::thread accepting_;
  std::mutex mutex_;
  std::condition_variable flowing_;
  bool cut_ = false, stopping_ = false;
  std::vector<Socket> sockets_;
  std::vector<std::thread> pumps_;
};

TEST(RelayCliTest, ACutNetworkGivesAPartialChartWithTheReasonAndTheChartIsWholeOnceRestored) {
  Region r = MakeRegion("renkei-relay-cut");
  BackgroundRenkei hub;
  const int port = hub.Start(r.dir, "hub", {"hub", "serve", "--listen", "127.0.0.1:0", "--store", "sqlite:hub.db",
                                            "--heartbeat-ms", "300", "--log-level", "warn"});
  ASSERT_GT(port, 0) << hub.err();
  const std::string viewer = r.facilities[0], far = r.facilities[2];
  CuttableLink link(port);
  std::map<std::string, Edge> edges;
  edges[r.facilities[0]].Start(r, r.facilities[0], port);
  edges[r.facilities[1]].Start(r, r.facilities[1], port);
  edges[far].Start(r, far, link.port());  // the third facility reaches the hub over the link
  const std::string query = "patient=" + r.person.at(viewer) + "&limit=1000&deadline_ms=700";
  const auto source_of = [&](const json& chart, const std::string& facility) {
    for (const json& s : chart["sources"]) {
      if (s["facility"] == facility) return s;
    }
    return json();
  };
  ASSERT_TRUE(WaitFor([&] {
    json c = Chart(r, port, viewer, query);
    return c.is_object() && c["patient"]["identifiers"].size() == 3 && !c["partial"].get<bool>();
  }));
  const size_t whole = AllEvents(r).size();

  link.Cut();
  // Asked while the link is dead: the far facility times out, the chart comes back within the deadline, partial.
  const auto asked = std::chrono::steady_clock::now();
  json cut = Chart(r, port, viewer, query);
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 3s);
  ASSERT_TRUE(cut.is_object());
  EXPECT_TRUE(cut["partial"].get<bool>());
  EXPECT_NE(source_of(cut, far)["status"], "answered") << cut["sources"].dump();
  EXPECT_FALSE(source_of(cut, far).value("reason", "").empty());
  EXPECT_EQ(source_of(cut, viewer)["status"], "answered");
  // Three silent heartbeats later the hub has dropped the dead connection (a chart waiting on it
  // then hears "the connection closed: the peer stopped answering"): offline, with why.
  json offline;
  EXPECT_TRUE(WaitFor([&] {
    offline = Chart(r, port, viewer, query);
    return offline.is_object() && source_of(offline, far)["status"] == "offline" &&
           source_of(offline, far)["reason"] == "the facility's edge is not connected to the hub";
  })) << offline.dump();
  EXPECT_TRUE(offline["partial"].get<bool>());

  link.Restore();
  // The edge learns its connection is gone, reconnects over the restored link, and the chart is whole and correct.
  json back;
  EXPECT_TRUE(WaitFor([&] {
    back = Chart(r, port, viewer, query);
    return back.is_object() && !back["partial"].get<bool>();
  }, 20s)) << back.dump() << edges[far].process().err();
  EXPECT_EQ(back["events"].size(), std::min<size_t>(whole, 1000));
  EXPECT_EQ(source_of(back, far)["answered_events"].get<size_t>() > 0, true);
}

// Development's shape (ws:// and tokens): the edges sign with their certificates all the same.
TEST(RelayCliTest, EveryAnswerIsSignedByItsFacilityAndTheViewerVerifiesIt) {
  Region r = MakeRegion("renkei-relay-signed");
  ASSERT_EQ(RunRenkei(r.dir, "ca init --dir ca --name 'Test region'").exit_code, 0);
  BackgroundRenkei hub;
  const int port = hub.Start(r.dir, "hub", {"hub", "serve", "--listen", "127.0.0.1:0", "--store", "sqlite:hub.db",
                                            "--log-level", "warn"});
  ASSERT_GT(port, 0) << hub.err();
  std::map<std::string, Edge> edges;
  for (const std::string& f : r.facilities) {
    Result issued = RunRenkei(r.dir, fmt::format("ca issue --dir ca --name edge-{0} --role edge --facility {0} --out certs", f));
    ASSERT_EQ(issued.exit_code, 0) << issued.err;
    edges[f].Start(r, f, port, fmt::format("--cert certs/edge-{0}.crt --key certs/edge-{0}.key --ca ca/ca.crt", f));
  }
  const std::string viewer = r.facilities[0];
  const std::string local = r.person.at(viewer);
  ASSERT_TRUE(LinkedEverywhere(r, port, viewer));
  Result verified = RunRenkei(r.dir, fmt::format("chart --hub http://127.0.0.1:{} --token {} --patient {} --limit 50 "
                                                 "--ca ca/ca.crt --json",
                                                 port, r.tokens.at(viewer), local));
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  json chart = json::parse(verified.out);
  EXPECT_EQ(chart["verified_events"].get<size_t>(), chart["events"].size());
  EXPECT_GT(chart["events"].size(), 0u);
  for (const json& s : chart["sources"]) EXPECT_FALSE(s["signed"]["signature"].get<std::string>().empty());

  // A CA the edges do not belong to: verification fails, naming the facility.
  ASSERT_EQ(RunRenkei(r.dir, "ca init --dir other-ca --name 'Another region'").exit_code, 0);
  Result foreign = RunRenkei(r.dir, fmt::format("chart --hub http://127.0.0.1:{} --token {} --patient {} --ca other-ca/ca.crt",
                                                port, r.tokens.at(viewer), local));
  EXPECT_EQ(foreign.exit_code, 5) << foreign.out << foreign.err;
  EXPECT_NE(foreign.err.find("verification failed: facility"), std::string::npos) << foreign.err;
}

// Production's shape: the hub serves HTTPS, the edges connect over wss:// with their client
// certificates (mutual TLS, no token), and a doctor signs in to `renkei chart` with a user
// certificate of the regional CA; every event is verified against its facility's signature.
TEST(RelayCliTest, OverMutualTlsEveryAnswerIsSignedByItsFacilityAndTheViewerVerifiesIt) {
  Region r = MakeRegion("renkei-relay-signed");
  ASSERT_EQ(RunRenkei(r.dir, "ca init --dir ca --name 'Test region'").exit_code, 0);
  ASSERT_EQ(RunRenkei(r.dir, "ca issue --dir ca --name hub --role hub --out certs").exit_code, 0);
  const std::string viewer = r.facilities[0];
  ASSERT_EQ(RunRenkei(r.dir, fmt::format("ca issue --dir ca --name dr-kato --role user --facility {} --out certs", viewer))
                .exit_code,
            0);
  BackgroundRenkei hub;
  const int port = hub.Start(r.dir, "hub", {"hub", "serve", "--listen", "127.0.0.1:0", "--store", "sqlite:hub.db",
                                            "--tls-cert", "certs/hub.crt", "--tls-key", "certs/hub.key", "--ca",
                                            "ca/ca.crt", "--crl", "ca/crl.pem", "--log-level", "warn"});
  ASSERT_GT(port, 0) << hub.err();
  std::map<std::string, BackgroundRenkei> edges;
  for (const std::string& f : r.facilities) {
    Result issued = RunRenkei(r.dir, fmt::format("ca issue --dir ca --name edge-{0} --role edge --facility {0} --out certs", f));
    ASSERT_EQ(issued.exit_code, 0) << issued.err;
    edges[f].Start(r.dir, "edge-" + f,
                   {"edge", "connect", "--hub", fmt::format("wss://127.0.0.1:{}", port), "--store",
                    fmt::format("sqlite:edge-{}.db", f), "--facility", f, "--cert", fmt::format("certs/edge-{}.crt", f),
                    "--key", fmt::format("certs/edge-{}.key", f), "--ca", "ca/ca.crt", "--log-level", "warn"});
  }
  const std::string local = r.person.at(viewer);
  const std::string chart_command = fmt::format(
      "chart --hub https://127.0.0.1:{} --cert certs/dr-kato.crt --key certs/dr-kato.key --patient {} --limit 50 ", port,
      local);
  Result verified;
  ASSERT_TRUE(WaitFor([&] {
    verified = RunRenkei(r.dir, chart_command + "--ca ca/ca.crt --json");
    if (verified.exit_code != 0) return false;
    json c = json::parse(verified.out, nullptr, false);
    return c.is_object() && c["patient"]["identifiers"].size() == 3 && !c["partial"].get<bool>();
  }, 20s)) << verified.out << verified.err << hub.err();
  json chart = json::parse(verified.out);
  EXPECT_EQ(chart["verified_events"].get<size_t>(), chart["events"].size());
  EXPECT_GT(chart["events"].size(), 0u);
  for (const json& s : chart["sources"]) EXPECT_FALSE(s["signed"]["signature"].get<std::string>().empty());

  // The hub's certificate does not chain to another region's CA: the client refuses it.
  ASSERT_EQ(RunRenkei(r.dir, "ca init --dir other-ca --name 'Another region'").exit_code, 0);
  Result foreign = RunRenkei(r.dir, chart_command + "--ca other-ca/ca.crt");
  EXPECT_EQ(foreign.exit_code, 4) << foreign.out << foreign.err;
  EXPECT_NE(foreign.err.find("certificate verify failed"), std::string::npos) << foreign.err;
  // Neither a token nor a certificate: refused before anything is sent; a plain-HTTP client gets no answer.
  Result anonymous = RunRenkei(r.dir, fmt::format("chart --hub https://127.0.0.1:{} --ca ca/ca.crt --patient {}", port, local));
  EXPECT_EQ(anonymous.exit_code, 2) << anonymous.err;
  auto plain = http::Fetch("GET", fmt::format("http://127.0.0.1:{}/v1/chart?patient={}", port, local), {},
                           "application/json", 5s);
  EXPECT_FALSE(plain.ok() && plain->status == 200);

  // A revoked user certificate no longer signs in (the hub re-reads the CRL).
  Result revoked = RunRenkei(r.dir, fmt::format("ca revoke --dir ca --name dr-kato"));
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  Result refused;
  ASSERT_TRUE(WaitFor([&] { return (refused = RunRenkei(r.dir, chart_command + "--ca ca/ca.crt")).exit_code != 0; }, 10s))
      << "a revoked user certificate still signs in";
  EXPECT_EQ(refused.exit_code, 4);
  EXPECT_NE(refused.err.find("certificate revoked"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace renkei::testing
