// `renkei demo` as a newcomer and a test script use it: up in the background with --json, the
// region's people signing in over HTTP and seeing the chart across facilities, status, up again
// reusing what runs, down, up again reusing what was made — and what it refuses.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/client.h"
#include "renkei_cli.h"

namespace renkei {
namespace {

using nlohmann::json;
using namespace renkei::testing;
using namespace std::chrono_literals;

constexpr const char* kSmallRegion = "--facilities 3 --hospitals 2 --patients 60 --years 2 --port 0";

// Signs `login` in with the demo's password and the code `renkei hub user code` computes.
std::string SignIn(const std::filesystem::path& dir, const json& demo, const std::string& login) {
  for (const json& u : demo["sign_ins"]) {
    if (u["login"] != login) continue;
    auto code = RunRenkei(dir, "hub user code --secret " + u["totp_secret"].get<std::string>());
    EXPECT_EQ(code.exit_code, 0) << code.err;
    const json body = {{"login", login}, {"password", u["password"]}, {"code", code.out.substr(0, 6)}};
    auto r = http::Fetch("POST", demo["hub_url"].get<std::string>() + "/sessions", body.dump(), "application/json", 30s);
    EXPECT_TRUE(r.ok() && r->status == 201) << (r.ok() ? r->body : r.status().ToString());
    if (r.ok() && r->status == 201) return json::parse(r->body)["token"];
  }
  ADD_FAILURE() << "no sign-in " << login;
  return "";
}

json Get(const json& demo, const std::string& path, const std::string& token, int expected = 200) {
  auto r = http::Fetch("GET", demo["hub_url"].get<std::string>() + path, "", "application/json", 30s,
                       {{"Authorization", "Bearer " + token}});
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return nullptr;
  EXPECT_EQ(r->status, expected) << path << ": " << r->body;
  return json::parse(r->body, nullptr, false);
}

bool Alive(pid_t pid) { return ::kill(pid, 0) == 0; }

TEST(DemoCliTest, UpSignInSeeTheChartStatusDownAndUpAgainReusingTheRegion) {
  const auto dir = FreshTestDir("renkei-demo");
  json demo = RunJson(dir, fmt::format("demo up --dir demo {} --json", kSmallRegion));
  ASSERT_TRUE(demo.is_object());
  ASSERT_TRUE(demo["running"].get<bool>()) << demo.dump();
  ASSERT_TRUE(demo["hub_url"].get<std::string>().starts_with("http://127.0.0.1:"));
  // The portals' page is on the hub's port.
  const std::string portal_url = demo["portal_url"];
  EXPECT_EQ(portal_url, demo["hub_url"].get<std::string>().substr(0, portal_url.size() - 1) + "/");
  auto page = http::Fetch("GET", portal_url);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<html"), std::string::npos);
  EXPECT_EQ(demo["edges"].size(), 3u) << demo.dump();
  std::set<std::string> roles;
  for (const json& u : demo["sign_ins"]) roles.insert(u["role"].get<std::string>());
  EXPECT_EQ(roles, (std::set<std::string>{"operator", "clinician", "staff", "patient", "proxy"}));
  ASSERT_EQ(demo["patients"].size(), 3u);
  const json& patient = demo["patients"][0];
  ASSERT_GE(patient["local_ids"].size(), 2u) << "an example patient is held at several facilities";
  EXPECT_FALSE(patient["name"].get<std::string>().empty());

  // A clinician of a facility holding the patient finds them by the local ID and sees every
  // holder's events in one chart.
  const std::string facility = patient["local_ids"].begin().key();
  const std::string local_id = patient["local_ids"].begin().value();
  const std::string dr = SignIn(dir, demo, "dr-" + facility);
  json chart = Get(demo, "/chart?limit=1000&patient=" + local_id, dr);
  ASSERT_TRUE(chart.is_object());
  EXPECT_EQ(chart["regional_id"], patient["regional_id"]);
  EXPECT_EQ(chart["sources"].size(), patient["local_ids"].size());
  for (const json& s : chart["sources"]) {
    EXPECT_EQ(s["status"], "answered") << s.dump();
    EXPECT_GT(s["events"].get<int>(), 0) << s.dump();
  }
  // The hub knows the facilities by name; "request the latest" re-scans each edge's tree.
  const json facilities = Get(demo, "/facilities", dr);
  ASSERT_EQ(facilities["facilities"].size(), 3u) << facilities.dump();
  for (const json& f : facilities["facilities"]) {
    EXPECT_FALSE(f["name"].get<std::string>().empty());
    EXPECT_TRUE(f["kind"] == "hospital" || f["kind"] == "clinic") << f.dump();
  }
  EXPECT_FALSE(Get(demo, "/chart?limit=5&refresh=true&patient=" + local_id, dr)["partial"].get<bool>());
  // The example patients are those with laboratory results: the first has them.
  const json labs = Get(demo, "/resources?type=Observation&patient=" + local_id, dr);
  EXPECT_FALSE(labs["resources"].empty()) << labs.dump().substr(0, 500);

  // The patient sees their own record; the receptionist sees no clinical data.
  const std::string self = SignIn(dir, demo, "patient-1");
  EXPECT_EQ(Get(demo, "/chart?regional_id=" + patient["regional_id"].get<std::string>(), self)["access"]["rule"],
            "own-record");
  Get(demo, "/chart?patient=" + local_id, SignIn(dir, demo, "desk-" + facility), 403);

  // The example service is connected at every facility: its reception written back at the
  // patient's facility becomes a change it is notified of (signed, once), with the encounter
  // and no element of the patient beyond the name, birth date and sex.
  ASSERT_EQ(demo["services"].size(), 1u) << demo.dump();
  const json& service = demo["services"][0];
  auto written = RunRenkei(dir / "demo", fmt::format("example-service reception --hub {} --client-id {} "
                                                     "--client-secret-file service-reception.secret --receive {}/{}",
                                                     demo["portal_url"].get<std::string>(), service["client_id"].get<std::string>(),
                                                     facility, local_id));
  ASSERT_EQ(written.exit_code, 0) << written.err;
  // Pointed at something that is not the hub's OAuth endpoint, it says so and exits (no crash).
  auto astray = RunRenkei(dir / "demo", fmt::format("example-service reception --hub {}elsewhere --client-id {} "
                                                    "--client-secret-file service-reception.secret --receive {}/{}",
                                                    demo["portal_url"].get<std::string>(),
                                                    service["client_id"].get<std::string>(), facility, local_id));
  EXPECT_EQ(astray.exit_code, 5) << astray.err;
  EXPECT_NE(astray.err.find("HTTP 404"), std::string::npos) << astray.err;
  const std::string reference = json::parse(written.out)["record"]["reference"];
  json notification;
  for (auto until = std::chrono::steady_clock::now() + 20s; notification.is_null() && std::chrono::steady_clock::now() < until;) {
    std::istringstream lines(Slurp(service["notifications"].get<std::string>()));
    for (std::string line; std::getline(lines, line);) {
      const json n = json::parse(line, nullptr, false);
      if (n.is_object() && n["resources"].dump().find(reference) != std::string::npos) notification = n;
    }
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_FALSE(notification.is_null()) << "the example service was not notified of its reception";
  EXPECT_EQ(notification["facility"], facility);
  EXPECT_EQ(notification["mode"], "data");
  for (const json& r : notification["resources"]) EXPECT_EQ(r["resource"]["resourceType"], "Encounter") << r.dump();

  // Status says the same; up again reuses the running region.
  json status = RunJson(dir, "demo status --dir demo --json");
  EXPECT_TRUE(status["running"].get<bool>());
  for (const auto& [f, connected] : status["edges"].items()) EXPECT_TRUE(connected.get<bool>()) << f;
  const auto again_started = std::chrono::steady_clock::now();
  json again = RunJson(dir, fmt::format("demo up --dir demo {} --json", kSmallRegion));
  EXPECT_LT(std::chrono::steady_clock::now() - again_started, 10s);
  EXPECT_EQ(again["hub_url"], demo["hub_url"]);
  EXPECT_EQ(again["patients"], demo["patients"]);

  // Down stops every process; status then says so (exit 3).
  const json state = json::parse(Slurp(dir / "demo/demo.json"));
  std::vector<pid_t> pids;
  for (const auto& [name, pid] : state["pids"].items()) pids.push_back(pid.get<pid_t>());
  EXPECT_EQ(pids.size(), 5u);  // the hub, three edges and the example service
  EXPECT_EQ(RunRenkei(dir, "demo down --dir demo").exit_code, 0);
  for (pid_t pid : pids) EXPECT_FALSE(Alive(pid)) << pid;
  json stopped = RunJson(dir, "demo status --dir demo --json", 3);
  EXPECT_FALSE(stopped["running"].get<bool>());
  EXPECT_EQ(RunRenkei(dir, "demo down --dir demo").exit_code, 0) << "down twice is fine";

  // Up again: nothing is generated or imported again, the same people and patients.
  auto restarted = RunRenkei(dir, fmt::format("demo up --dir demo {} --json", kSmallRegion));
  ASSERT_EQ(restarted.exit_code, 0) << restarted.err;
  EXPECT_EQ(restarted.err.find("generating"), std::string::npos) << restarted.err;
  EXPECT_EQ(restarted.err.find("importing"), std::string::npos) << restarted.err;
  json up_again = json::parse(restarted.out);
  EXPECT_TRUE(up_again["running"].get<bool>());
  EXPECT_EQ(up_again["patients"], demo["patients"]);
  EXPECT_EQ(up_again["sign_ins"], demo["sign_ins"]);
  EXPECT_EQ(RunRenkei(dir, "demo down --dir demo").exit_code, 0);

  // The README's form: run in the foreground until Ctrl-C, which stops every process.
  BackgroundRenkei run;
  ASSERT_GT(run.Start(dir, "run", {"demo", "run", "--dir", "demo", "--port", "0"}), 0) << run.err();
  EXPECT_TRUE(RunJson(dir, "demo status --dir demo --json")["running"].get<bool>());
  std::vector<pid_t> running;
  const json run_state = json::parse(Slurp(dir / "demo/demo.json"));
  for (const auto& [name, pid] : run_state["pids"].items()) running.push_back(pid);
  EXPECT_EQ(running.size(), 5u);
  EXPECT_EQ(run.Stop(), 0) << run.err();
  for (pid_t pid : running) EXPECT_FALSE(Alive(pid)) << pid;
  EXPECT_NE(run.out().find("Stopped"), std::string::npos) << run.out();
}

TEST(DemoCliTest, RefusesBadFlagsAndADamagedState) {
  const auto dir = FreshTestDir("renkei-demo-bad");
  auto one = RunRenkei(dir, "demo up --dir demo --facilities 1");
  EXPECT_NE(one.exit_code, 0);
  EXPECT_NE(one.err.find("--facilities"), std::string::npos) << one.err;
  EXPECT_NE(RunRenkei(dir, "demo up --dir demo --port 70000").exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir / "demo/region")) << "nothing made on bad flags";
  std::filesystem::create_directories(dir / "demo");
  std::ofstream(dir / "demo/demo.json") << "{ truncated";
  auto damaged = RunRenkei(dir, "demo status --dir demo --json");
  EXPECT_EQ(damaged.exit_code, 2);
  EXPECT_NE(damaged.err.find("not the demo's state"), std::string::npos) << damaged.err;
  // A status of a demo never made: not running.
  EXPECT_EQ(RunRenkei(dir, "demo status --dir elsewhere").exit_code, 3);
}

}  // namespace
}  // namespace renkei
