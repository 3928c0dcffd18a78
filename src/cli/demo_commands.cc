#include "cli/demo_commands.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "base/status.h"
#include "cli/stop_signal.h"
#include "http/client.h"
#include "ssmix2/path.h"

extern char** environ;

namespace renkei::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// The demo's people all share this password (each has a TOTP secret of its own): a demo, not a
// deployment — the secrets are kept in DIR/demo.json, mode 0600.
constexpr std::string_view kDemoPassword = "renkei-demo-2026";
constexpr int kExamplePatients = 3;

struct DemoFlags {
  std::string dir = ".renkei/demo";
  int facilities = 5;
  int hospitals = 3;
  int patients = 3000;
  int years = 5;
  int port = 8780;
  std::string portal_dir;  // "": the pages compiled into the hub
  bool as_json = false;
};

std::string Self() { return fs::read_symlink("/proc/self/exe").string(); }

void Progress(const std::string& line) { std::cerr << "renkei demo: " << line << std::endl; }

// Starts `renkei ARGS` with its output in `out`/`err`, in a session of its own (it outlives a
// terminal closed under `up`; `run` and `down` stop it). The child's pid.
StatusOr<pid_t> Spawn(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
  std::vector<std::string> argv_strings = {Self()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Unavailable(fmt::format("cannot start renkei {}: {}", args.front(), std::strerror(rc)));
  return pid;
}

std::string Tail(const fs::path& p) {
  auto text = ReadFile(p.string(), 1 << 20);
  if (!text.ok()) return "";
  std::string t = *text;
  return t.size() > 2000 ? t.substr(t.size() - 2000) : t;
}

// Runs `renkei ARGS` to completion; its standard output, or why it failed (with its errors).
StatusOr<std::string> Run(const fs::path& dir, const std::vector<std::string>& args) {
  const fs::path out = dir / "step.out", err = dir / "step.err";
  RENKEI_ASSIGN_OR_RETURN(const pid_t pid, Spawn(args, out, err));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Internal(fmt::format("`renkei {}` failed:\n{}", fmt::join(args, " "), Tail(err)));
  }
  return ReadFile(out.string(), 64 << 20);
}

bool Alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == pid) return false;  // our own child that has exited
  // A pid reused by another program is not ours; one still starting has no command line yet.
  std::ifstream cmdline(fmt::format("/proc/{}/cmdline", pid));
  const std::string text((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  return text.empty() || text.find("renkei") != std::string::npos;
}

// The port a server printed as 127.0.0.1:PORT on its standard output, once it has.
StatusOr<int> PortOf(const fs::path& out, pid_t pid) {
  const std::regex port(R"(127\.0\.0\.1:([0-9]+))");
  for (auto until = std::chrono::steady_clock::now() + 60s; std::chrono::steady_clock::now() < until;) {
    std::smatch m;
    const std::string text = Tail(out);
    if (std::regex_search(text, m, port)) return std::stoi(m[1]);
    if (!Alive(pid)) return Unavailable("it exited");
    std::this_thread::sleep_for(100ms);
  }
  return Unavailable("it printed no address within 60 s");
}

struct Call {
  int status = 0;
  json body;
};
StatusOr<Call> HubCall(int port, const std::string& method, const std::string& path, const std::string& token,
                       const json& body = nullptr) {
  http::HeaderList headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  RENKEI_ASSIGN_OR_RETURN(http::ClientResponse r,
                          http::Fetch(method, fmt::format("http://127.0.0.1:{}{}", port, path),
                                      body.is_null() ? "" : body.dump(), "application/json", 30s, headers));
  return Call{r.status, json::parse(r.body, nullptr, false)};
}

std::vector<std::vector<std::string>> Table(const fs::path& csv) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (!cells.empty()) rows.push_back(std::move(cells));
  }
  return rows;
}

// The demo as demo.json keeps it.
struct Demo {
  fs::path dir;
  json state;  // {"hub_url", "port", "pids": {...}, "operator_token", "sign_ins": [...], "patients": [...]}

  fs::path File() const { return dir / "demo.json"; }
  Status Save() const { return WriteFileAtomically(File().string(), state.dump(2) + "\n", 0600); }
  static StatusOr<Demo> Load(const fs::path& dir) {
    Demo d{dir, json::object()};
    if (!fs::exists(d.File())) return d;
    RENKEI_ASSIGN_OR_RETURN(const std::string text, ReadFile(d.File().string(), 16 << 20));
    d.state = json::parse(text, nullptr, false);
    if (!d.state.is_object()) return InvalidArgument(fmt::format("{}: not the demo's state; remove it", d.File().string()));
    return d;
  }
  std::vector<std::pair<std::string, pid_t>> Pids() const {
    std::vector<std::pair<std::string, pid_t>> out;
    if (state.contains("pids")) {
      for (const auto& [name, pid] : state["pids"].items()) out.emplace_back(name, pid.get<pid_t>());
    }
    return out;
  }
  bool Running() const {
    const auto pids = Pids();
    return !pids.empty() && std::all_of(pids.begin(), pids.end(), [](const auto& p) { return Alive(p.second); });
  }
};

// What `up --json` and `status --json` print.
json Summary(const Demo& d, bool running) {
  json edges = json::object();
  if (running) {
    auto listed = HubCall(d.state.value("port", 0), "GET", "/v1/edges", d.state.value("operator_token", ""));
    if (listed.ok() && listed->status == 200) {
      for (const json& e : listed->body["edges"]) edges[e["facility"].get<std::string>()] = e["connected"];
    }
  }
  return {{"running", running},
          {"dir", fs::absolute(d.dir).string()},
          {"hub_url", d.state.value("hub_url", "")},
          {"portal_url", d.state.value("portal_url", "")},
          {"edges", edges},
          {"sign_ins", d.state.value("sign_ins", json::array())},
          {"services", d.state.contains("service")
                           ? json::array({{{"id", d.state["service"]["id"]},
                                           {"name", d.state["service"]["name"]},
                                           {"client_id", d.state["service"]["client_id"]},
                                           {"webhook_url", d.state["service"].value("webhook_url", "")},
                                           {"notifications", (fs::absolute(d.dir) / "service-reception.out").string()}}})
                           : json::array()},
          {"patients", d.state.value("patients", json::array())}};
}

void PrintSummary(const json& s) {
  fmt::print("Demo region {} — portals {} (API {})\n", s["running"].get<bool>() ? "running" : "stopped",
             s["portal_url"].get<std::string>(), s["hub_url"].get<std::string>());
  for (const auto& [facility, connected] : s["edges"].items()) {
    fmt::print("  edge {} {}\n", facility, connected.get<bool>() ? "connected" : "not connected");
  }
  fmt::print("Sign-ins (password {}; code: renkei hub user code --secret SECRET):\n", kDemoPassword);
  for (const json& u : s["sign_ins"]) {
    fmt::print("  {:<10} {:<16} {:<12} secret {}\n", u["role"].get<std::string>(), u["login"].get<std::string>(),
               u["facility"].get<std::string>(), u["totp_secret"].get<std::string>());
  }
  for (const json& service : s["services"]) {
    fmt::print("Service {} ({}): notified at {}; what it received: {}\n", service["name"].get<std::string>(),
               service["id"].get<std::string>(), service["webhook_url"].get<std::string>(),
               service["notifications"].get<std::string>());
  }
  fmt::print("Example patients:\n");
  for (const json& p : s["patients"]) {
    std::string ids;
    for (const auto& [f, id] : p["local_ids"].items()) ids += fmt::format(" {}:{}", f, id.get<std::string>());
    fmt::print("  {} {}{}\n", p["regional_id"].get<std::string>(), p["name"].get<std::string>(), ids);
  }
}

// The region, its CA, certificates, edge stores and tokens: made once, reused after.
Status Prepare(const DemoFlags& f, Demo& d) {
  const fs::path& dir = d.dir;
  if (!fs::exists(dir / "region/facilities.csv")) {
    Progress(fmt::format("generating a region of {} facilities and {} patients over {} years", f.facilities, f.patients,
                         f.years));
    fs::remove_all(dir / "region");
    RENKEI_RETURN_IF_ERROR(Run(dir, {"gen", "region", "--facilities", std::to_string(f.facilities), "--hospitals",
                                     std::to_string(f.hospitals), "--patients", std::to_string(f.patients), "--years",
                                     std::to_string(f.years), "--seed", "1", "--out", (dir / "region").string(),
                                     "--no-progress"})
                               .status());
  }
  if (!fs::exists(dir / "ca/ca.crt")) {
    Progress("making the region's certificate authority");
    RENKEI_RETURN_IF_ERROR(Run(dir, {"ca", "init", "--dir", (dir / "ca").string(), "--name", "Renkei demo region"}).status());
  }
  json tokens = d.state.value("tokens", json::object());
  for (const auto& row : Table(dir / "region/facilities.csv")) {
    const std::string& facility = row[0];
    const std::string store = "sqlite:" + (dir / ("edge-" + facility + ".db")).string();
    if (!fs::exists(dir / ("edge-" + facility + ".db"))) {
      Progress("importing facility " + facility + "'s SS-MIX2 storage into its edge");
      RENKEI_RETURN_IF_ERROR(Run(dir, {"edge", "import", "--root", (dir / "region" / facility).string(), "--store", store,
                                       "--facility", facility, "--no-progress", "--log-level", "off"})
                                 .status());
    }
    if (!fs::exists(dir / "certs" / ("edge-" + facility + ".crt"))) {
      RENKEI_RETURN_IF_ERROR(Run(dir, {"ca", "issue", "--dir", (dir / "ca").string(), "--name", "edge-" + facility,
                                       "--role", "edge", "--facility", facility, "--out", (dir / "certs").string()})
                                 .status());
    }
    if (!tokens.contains(facility)) {
      RENKEI_ASSIGN_OR_RETURN(const std::string out,
                              Run(dir, {"hub", "token", "add", "--credentials", (dir / "hub-credentials.json").string(),
                                        "--name", "edge-" + facility, "--facility", facility}));
      tokens[facility] = out.substr(0, out.find('\n'));
    }
  }
  RENKEI_RETURN_IF_ERROR(Run(dir, {"hub", "facility", "import", "--store", "sqlite:" + (dir / "hub.db").string(), "--csv",
                                   (dir / "region/facilities.csv").string()})
                             .status());
  if (!d.state.contains("operator_token")) {
    RENKEI_ASSIGN_OR_RETURN(const std::string out,
                            Run(dir, {"hub", "token", "add", "--credentials", (dir / "hub-credentials.json").string(),
                                      "--name", "demo-operator-system", "--role", "operator"}));
    d.state["operator_token"] = out.substr(0, out.find('\n'));
  }
  d.state["tokens"] = tokens;
  return d.Save();
}

// Starts the hub and one edge per facility; their pids into d.state.
Status Start(const DemoFlags& f, Demo& d) {
  const fs::path& dir = d.dir;
  const std::string store = "sqlite:" + (dir / "hub.db").string();
  std::vector<std::string> serve = {"hub", "serve", "--listen", fmt::format("127.0.0.1:{}", f.port), "--store", store,
                                    "--credentials", (dir / "hub-credentials.json").string(), "--ca-dir",
                                    (dir / "ca").string(), "--log-level", "warn"};
  if (!f.portal_dir.empty()) serve.insert(serve.end(), {"--portal-dir", fs::absolute(f.portal_dir).string()});
  RENKEI_ASSIGN_OR_RETURN(const pid_t hub, Spawn(serve, dir / "hub.out", dir / "hub.err"));
  d.state["pids"] = {{"hub", hub}};
  auto port = PortOf(dir / "hub.out", hub);
  if (!port.ok()) {
    return Unavailable(fmt::format("the hub did not start ({}):\n{}", port.status().message(), Tail(dir / "hub.err")));
  }
  d.state["port"] = *port;
  d.state["hub_url"] = fmt::format("http://127.0.0.1:{}/v1", *port);
  d.state["portal_url"] = fmt::format("http://127.0.0.1:{}/", *port);
  for (const auto& [facility, token] : d.state["tokens"].items()) {
    RENKEI_ASSIGN_OR_RETURN(
        const pid_t edge,
        Spawn({"edge", "connect", "--hub", fmt::format("ws://127.0.0.1:{}", *port), "--store",
               "sqlite:" + (dir / ("edge-" + facility + ".db")).string(), "--facility", facility, "--root",
               (dir / "region" / facility).string(), "--token",
               token.get<std::string>(), "--cert", (dir / "certs" / ("edge-" + facility + ".crt")).string(), "--key",
               (dir / "certs" / ("edge-" + facility + ".key")).string(), "--ca", (dir / "ca/ca.crt").string(),
               "--log-level", "warn"},
              dir / ("edge-" + facility + ".out"), dir / ("edge-" + facility + ".err")));
    d.state["pids"]["edge-" + facility] = edge;
  }
  return d.Save();
}

// How much a registration's SS-MIX2 folder shows of a chart: its laboratory results (OML-11
// files), which make a trend across facilities, and all its files.
struct Richness {
  int lab_files = 0;
  int files = 0;
};
Richness RichnessOf(const fs::path& region, const std::string& facility, const std::string& local_id) {
  Richness r;
  std::error_code ec;
  const fs::path folder = region / facility / ssmix2::PatientFolder(local_id);
  for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    ++r.files;
    r.lab_files += it->path().parent_path().filename() == "OML-11";
  }
  return r;
}

// Waits until the hub has linked the example persons' registrations at every facility holding
// them, then records them with their names and local IDs. The examples are the persons a demo
// shows best: held at the most facilities, with laboratory results at the most of them.
Status FindExamplePatients(Demo& d) {
  if (d.state.contains("patients") && !d.state["patients"].empty()) return Status::Ok();
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> persons;  // person → (facility, local)
  for (const auto& row : Table(d.dir / "region/ground_truth.csv")) {
    if (row.size() >= 4) persons[row[1]].emplace_back(row[2], row[3]);
  }
  struct Candidate {
    std::string person;
    std::vector<std::pair<std::string, std::string>> held;
    int facilities_with_labs = 0, lab_files = 0, files = 0;
  };
  std::vector<Candidate> ranked;
  for (auto& [person, held] : persons) {
    Candidate c{person, held};
    for (const auto& [facility, local] : held) {
      const Richness r = RichnessOf(d.dir / "region", facility, local);
      c.facilities_with_labs += r.lab_files > 0;
      c.lab_files += r.lab_files;
      c.files += r.files;
    }
    ranked.push_back(std::move(c));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.facilities_with_labs, a.lab_files, a.files) > std::tie(b.facilities_with_labs, b.lab_files, b.files);
  });
  if (ranked.size() > kExamplePatients) ranked.resize(kExamplePatients);
  const int port = d.state["port"];
  const std::string op = d.state["operator_token"];
  json patients = json::array();
  Progress("waiting for the edges to register their patients and the hub to link them");
  for (const auto& [person, held, labs, lab_files, files] : ranked) {
    json found;
    for (auto until = std::chrono::steady_clock::now() + 300s; std::chrono::steady_clock::now() < until;) {
      auto x = HubCall(port, "GET", fmt::format("/v1/registrations/{}/{}", held[0].first, held[0].second), op);
      if (x.ok() && x->status == 200 && x->body["identifiers"].size() >= held.size()) {
        found = x->body;
        break;
      }
      if (StopRequested()) return Unavailable("stopped by Ctrl-C");
      std::this_thread::sleep_for(500ms);
    }
    if (found.is_null()) return Unavailable(fmt::format("person {} was not linked across its facilities in 5 minutes", person));
    json p = {{"regional_id", found["regional_id"]}, {"local_ids", json::object()}};
    for (const json& id : found["identifiers"]) {
      p["local_ids"][id["facility"].get<std::string>()] = id["local_id"];
      if (!p.contains("name") && id.contains("demographics")) {
        const json& dem = id["demographics"];
        p["name"] = dem.value("family_kanji", "") + " " + dem.value("given_kanji", "");
        p["kana"] = dem.value("family_kana", "") + " " + dem.value("given_kana", "");
        p["birth_date"] = dem.value("birth_date", "");
      }
    }
    patients.push_back(p);
  }
  d.state["patients"] = patients;
  return d.Save();
}

// The demo's people: an operator; a clinician and a receptionist at each facility; each
// example patient, and a proxy for the first. Made once; their TOTP secrets kept in demo.json.
Status MakePeople(Demo& d) {
  if (d.state.contains("sign_ins") && !d.state["sign_ins"].empty()) return Status::Ok();
  const fs::path pw = d.dir / "demo-password.txt";
  RENKEI_RETURN_IF_ERROR(WriteFileAtomically(pw.string(), std::string(kDemoPassword) + "\n", 0600));
  struct Person {
    std::string login, role, facility;
    std::vector<std::string> regional_ids;
    std::string display_name;
  };
  std::map<std::string, std::string> facility_names;
  for (const auto& row : Table(d.dir / "region/facilities.csv")) {
    if (row.size() >= 2) facility_names[row[0]] = row[1];
  }
  std::vector<Person> people = {{"operator", "operator", "", {}, "地域連携 運用担当"}};
  for (const auto& [facility, token] : d.state["tokens"].items()) {
    people.push_back({"dr-" + facility, "clinician", facility, {}, facility_names[facility] + " 医師"});
    people.push_back({"desk-" + facility, "staff", facility, {}, facility_names[facility] + " 受付"});
  }
  int n = 0;
  for (const json& p : d.state["patients"]) {
    people.push_back({fmt::format("patient-{}", ++n), "patient", "", {p["regional_id"]}, p.value("name", "")});
  }
  if (!d.state["patients"].empty()) {
    const json& first = d.state["patients"][0];
    const std::string name = first.value("name", "");
    people.push_back({"guardian-1", "proxy", "", {first["regional_id"]}, name.substr(0, name.find(' ')) + " (保護者)"});
  }
  json sign_ins = json::array();
  for (const Person& p : people) {
    std::vector<std::string> args = {"hub", "user", "add", "--store", "sqlite:" + (d.dir / "hub.db").string(),
                                     "--login", p.login, "--role", p.role, "--password-file", pw.string(), "--json"};
    if (!p.facility.empty()) args.insert(args.end(), {"--facility", p.facility});
    if (!p.display_name.empty()) args.insert(args.end(), {"--display-name", p.display_name});
    for (const std::string& r : p.regional_ids) args.insert(args.end(), {"--regional-id", r});
    RENKEI_ASSIGN_OR_RETURN(const std::string out, Run(d.dir, args));
    const json made = json::parse(out, nullptr, false);
    if (!made.contains("totp")) return Internal("`renkei hub user add` printed no secret: " + out);
    sign_ins.push_back({{"role", p.role}, {"login", p.login}, {"password", kDemoPassword},
                        {"totp_secret", made["totp"]["secret_base32"]}, {"facility", p.facility},
                        {"regional_ids", p.regional_ids}});
  }
  d.state["sign_ins"] = sign_ins;
  return d.Save();
}

Status StopAll(Demo& d) {
  auto pids = d.Pids();
  // Edges first, then the hub, so the hub's audit trail closes last.
  std::stable_sort(pids.begin(), pids.end(), [](const auto& a, const auto& b) { return a.first != "hub" && b.first == "hub"; });
  for (const auto& [name, pid] : pids) {
    if (!Alive(pid)) continue;
    ::kill(pid, SIGTERM);
    for (auto until = std::chrono::steady_clock::now() + 10s; Alive(pid) && std::chrono::steady_clock::now() < until;) {
      std::this_thread::sleep_for(50ms);
    }
    if (Alive(pid)) ::kill(pid, SIGKILL);
  }
  d.state.erase("pids");
  return d.Save();
}

int Fail(const std::string& command, const Status& s) {
  std::cerr << "renkei demo " << command << ": " << s.message() << "\n";
  return s.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

// The demo's example service (`renkei example-service reception`, seed 000): registered once
// with the hub and connected at every facility, notified of each change there with the
// encounters and the patient's name, birth date and sex; started as a process of its own, its
// webhook pointed at the port it listens on, its notifications in DIR/service-reception.out.
Status StartService(Demo& d) {
  const fs::path& dir = d.dir;
  const std::string hub = fmt::format("http://127.0.0.1:{}", d.state["port"].get<int>());
  const std::string op = d.state["operator_token"];
  const fs::path secret = dir / "service-reception.secret", signing = dir / "service-reception.signing";
  if (!d.state.contains("service")) {
    RENKEI_ASSIGN_OR_RETURN(const std::string out,
                            Run(dir, {"hub", "service", "add", "--hub", hub, "--token", op, "--name", "reception-demo"}));
    const json made = json::parse(out, nullptr, false);
    if (!made.contains("client_secret")) return Internal("`renkei hub service add` printed no secret: " + out);
    RENKEI_RETURN_IF_ERROR(WriteFileAtomically(secret.string(), made["client_secret"].get<std::string>(), 0600));
    RENKEI_RETURN_IF_ERROR(WriteFileAtomically(signing.string(), made["signing_secret"].get<std::string>(), 0600));
    const std::string id = made["service"]["id"];
    for (const auto& [facility, token] : d.state["tokens"].items()) {
      RENKEI_RETURN_IF_ERROR(Run(dir, {"hub", "service", "grant", "--hub", hub, "--token", op, "--facility", facility,
                                       "--id", id, "--notify", "data", "--type", "Encounter", "--type",
                                       "Patient:name,birthDate,gender"})
                                 .status());
    }
    d.state["service"] = {{"id", id}, {"name", "reception-demo"}, {"client_id", made["service"]["client_id"]}};
    RENKEI_RETURN_IF_ERROR(d.Save());
  }
  const json& service = d.state["service"];
  RENKEI_ASSIGN_OR_RETURN(
      const pid_t pid,
      Spawn({"example-service", "reception", "--hub", hub, "--client-id", service["client_id"].get<std::string>(),
             "--client-secret-file", secret.string(), "--signing-secret-file", signing.string(), "--listen",
             "127.0.0.1:0", "--json"},
            dir / "service-reception.out", dir / "service-reception.err"));
  d.state["pids"]["service-reception"] = pid;
  RENKEI_RETURN_IF_ERROR(d.Save());
  auto port = PortOf(dir / "service-reception.out", pid);
  if (!port.ok()) {
    return Unavailable(fmt::format("the example service did not start ({}):\n{}", port.status().message(),
                                   Tail(dir / "service-reception.err")));
  }
  const std::string webhook = fmt::format("http://127.0.0.1:{}/webhook", *port);
  RENKEI_RETURN_IF_ERROR(Run(dir, {"hub", "service", "webhook", "--hub", hub, "--token", op, "--id",
                                   service["id"].get<std::string>(), "--webhook", webhook})
                             .status());
  d.state["service"]["webhook_url"] = webhook;
  return d.Save();
}

StatusOr<Demo> Up(const DemoFlags& f) {
  std::error_code ec;
  fs::create_directories(f.dir, ec);
  if (ec) return Unavailable(fmt::format("cannot make {}: {}", f.dir, ec.message()));
  RENKEI_ASSIGN_OR_RETURN(Demo d, Demo::Load(f.dir));
  if (d.Running()) return d;
  if (!d.Pids().empty()) RENKEI_RETURN_IF_ERROR(StopAll(d));  // what is left of a demo that died
  RENKEI_RETURN_IF_ERROR(Prepare(f, d));
  RENKEI_RETURN_IF_ERROR(Start(f, d));
  Status s = FindExamplePatients(d);
  if (s.ok()) s = MakePeople(d);
  if (s.ok()) s = StartService(d);
  if (!s.ok()) {
    StopAll(d).IgnoreError();
    return s;
  }
  return d;
}

void AddFlags(CLI::App* cmd, DemoFlags* f, bool region) {
  cmd->add_option("--dir", f->dir, "where the demo keeps everything (default .renkei/demo)");
  cmd->add_flag("--json", f->as_json, "print {running, dir, hub_url, portal_url, edges, sign_ins, patients} as JSON");
  if (!region) return;
  cmd->add_option("--facilities", f->facilities, "facilities in a new region (default 5)")->check(CLI::Range(2, 50));
  cmd->add_option("--hospitals", f->hospitals, "of which hospitals, the rest clinics (default 3)")->check(CLI::Range(1, 50));
  cmd->add_option("--patients", f->patients, "patients in a new region (default 3000)")->check(CLI::Range(10, 1'000'000));
  cmd->add_option("--years", f->years, "years of records (default 5)")->check(CLI::Range(1, 30));
  cmd->add_option("--port", f->port, "the hub's port on 127.0.0.1 (default 8780; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--portal-dir", f->portal_dir,
                  "the hub serves the portals' pages from this folder (src/portal/web), read again on every request: "
                  "for working on them")
      ->type_name("DIR");
}

}  // namespace

void AddDemoCommands(CLI::App& app, int* exit_code) {
  CLI::App* demo = app.add_subcommand(
      "demo",
      "A whole demo region on this machine: a generated region, the CA, one edge per facility and the hub, each its\n"
      "own process with its own store, and people to sign in as. Everything lives in --dir; running it again reuses\n"
      "what is there. Exit codes: 0 done (status: running), 1 failed, 2 invalid input, 3 (status) not running.");
  demo->require_subcommand(1);
  auto f = std::make_shared<DemoFlags>();

  CLI::App* up = demo->add_subcommand("up", "Start the demo region in the background (making it first if needed)");
  AddFlags(up, f.get(), true);
  up->callback([f, exit_code] {
    auto d = Up(*f);
    if (!d.ok()) {
      *exit_code = Fail("up", d.status());
      return;
    }
    const json s = Summary(*d, true);
    if (f->as_json) {
      std::cout << s.dump(2) << "\n";
    } else {
      PrintSummary(s);
      fmt::print("Stop it with: renkei demo down --dir {}\n", f->dir);
    }
    *exit_code = 0;
  });

  CLI::App* run = demo->add_subcommand("run", "Start the demo region and keep it running until Ctrl-C, then stop it");
  AddFlags(run, f.get(), true);
  run->callback([f, exit_code] {
    InstallStopHandler();
    auto d = Up(*f);
    if (!d.ok()) {
      *exit_code = Fail("run", d.status());
      return;
    }
    PrintSummary(Summary(*d, true));
    fmt::print("Ctrl-C stops the region.\n");
    std::fflush(stdout);
    while (!StopRequested() && d->Running()) std::this_thread::sleep_for(200ms);
    const bool died = !StopRequested();
    *exit_code = StopAll(*d).ok() && !died ? 0 : 1;
    if (died) {
      fmt::print("A process of the region exited; stopped the rest (logs in {})\n", f->dir);
    } else {
      fmt::print("Stopped\n");
    }
  });

  CLI::App* status = demo->add_subcommand("status", "Whether the demo region runs, with its URLs, sign-ins and patients");
  AddFlags(status, f.get(), false);
  status->callback([f, exit_code] {
    auto d = Demo::Load(f->dir);
    if (!d.ok()) {
      *exit_code = Fail("status", d.status());
      return;
    }
    const bool running = d->Running();
    const json s = Summary(*d, running);
    if (f->as_json) {
      std::cout << s.dump(2) << "\n";
    } else {
      PrintSummary(s);
    }
    *exit_code = running ? 0 : 3;
  });

  CLI::App* down = demo->add_subcommand("down", "Stop the demo region's processes (its data stays for the next up)");
  AddFlags(down, f.get(), false);
  down->callback([f, exit_code] {
    auto d = Demo::Load(f->dir);
    Status s = d.ok() ? StopAll(*d) : d.status();
    *exit_code = s.ok() ? 0 : Fail("down", s);
    if (s.ok() && !f->as_json) fmt::print("Stopped\n");
    if (s.ok() && f->as_json) std::cout << json{{"running", false}}.dump() << "\n";
  });
}

}  // namespace renkei::cli
