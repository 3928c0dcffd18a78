#include "cli/relay_commands.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/edge_context.h"
#include "cli/hub_commands.h"
#include "cli/stop_signal.h"
#include "edge/hub_link.h"
#include "http/client.h"
#include "http/target.h"
#include "pki/signature.h"
#include "pki/tls.h"

namespace renkei::cli {
namespace {

using nlohmann::json;

struct ConnectFlags {
  std::string hub, token, root, store;
  pki::TlsFiles tls;
  bool no_consent = false;
  int workers = 2;
  int backoff_max_ms = 30'000;
};

int RunConnect(const GlobalOptions& g, const ConnectFlags& f) {
  auto ctx = Setup(g, f.store);
  if (!ctx.ok()) return Fail(ctx.status());
  edge::HubLinkOptions o;
  auto facility = ResolveFacility(*ctx, g.facility);
  if (!facility.ok()) return Fail(facility.status());
  o.facility = *facility;
  o.url = f.hub;
  if (o.url.find("/v1/") == std::string::npos) {
    while (o.url.ends_with('/')) o.url.pop_back();
    o.url += "/v1/edges/connect";
  }
  o.token = f.token.empty() && std::getenv("RENKEI_HUB_TOKEN") ? std::getenv("RENKEI_HUB_TOKEN") : f.token;
  if (!f.tls.cert.empty() || !f.tls.key.empty()) {
    if (f.tls.cert.empty() || f.tls.key.empty() || f.tls.ca.empty()) {
      return Fail(InvalidArgument("a client certificate needs --cert, --key and --ca together"));
    }
    auto context = pki::ClientContext(f.tls);
    if (!context.ok()) return Fail(context.status());
    o.tls = *context;
    auto signer = pki::Signer::Load(f.tls.key, f.tls.cert);
    if (!signer.ok()) return Fail(signer.status());
    if (signer->identity().facility != o.facility) {
      return Fail(InvalidArgument(fmt::format("the certificate is facility {}'s, this edge is facility {}",
                                              signer->identity().facility, o.facility)));
    }
    o.signer = std::move(signer).value();
  } else if (o.url.starts_with("wss://")) {
    return Fail(InvalidArgument("a wss:// hub needs the edge's certificate: --cert, --key and --ca"));
  } else if (o.token.empty()) {
    return Fail(InvalidArgument("authenticate with --cert/--key/--ca (wss://) or, for development, --token (ws://)"));
  }
  auto import = ImportOptionsFrom(*ctx, g, f.root);
  if (!import.ok()) return Fail(import.status());
  if (!import->root.empty()) o.rescan = *import;
  o.store_url = f.store.empty() ? ctx->config.edge.store : f.store;
  o.consent = !f.no_consent;
  o.workers = f.workers;
  o.backoff_max = std::chrono::milliseconds(f.backoff_max_ms);
  o.version = "renkei 0.1.0";
  ctx->store.reset();
  InstallStopHandler();
  auto link = edge::HubLink::Start(o, ctx->logger);
  if (!link.ok()) return Fail(link.status());
  fmt::print("Edge of facility {} connecting to {} (Ctrl-C to stop)\n", o.facility, o.url);
  std::fflush(stdout);
  int64_t printed_connections = 0;
  while (!StopRequested()) {
    const edge::HubLinkState s = (*link)->state();
    if (s.connected && s.connections != printed_connections) {
      printed_connections = s.connections;
      fmt::print("connected (connection {})\n", s.connections);
      std::fflush(stdout);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  (*link)->Stop();
  fmt::print("Stopped.\n");
  return 0;
}

struct ChartFlags {
  ClientFlags client;
  std::string patient, regional_id, from, to, department, cursor;
  std::vector<std::string> types, facilities;
  int64_t limit = 100;
  int deadline_ms = 5000;
  bool refresh = false, as_json = false;
};

int Failed(const Status& s) {
  std::cerr << "renkei chart: " << s.message() << "\n";
  return HubExitCode(s);
}

// Checks every source's signature against the CA, and every event against its source's signed
// body; the number of events verified, or why not.
StatusOr<size_t> Verify(const json& chart, const std::string& ca_pem) {
  std::map<std::string, std::vector<json>> signed_events;
  for (const json& source : chart["sources"]) {
    if (!source.contains("signed")) continue;
    const json& s = source["signed"];
    const std::string body = s.value("body", "");
    auto identity = pki::VerifySigned(body, s.value("signature", ""), s.value("certificate", ""), ca_pem);
    const std::string facility = source.value("facility", "");
    if (!identity.ok()) return identity.status().Annotate(fmt::format("facility {}", facility));
    if (identity->facility != facility) {
      return PermissionDenied(fmt::format("facility {}'s answer is signed by facility {}", facility, identity->facility));
    }
    json parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("events")) return PermissionDenied(fmt::format("facility {}: bad signed body", facility));
    for (json& e : parsed["events"]) signed_events[facility].push_back(std::move(e));
  }
  size_t verified = 0;
  for (const json& e : chart["events"]) {
    const auto& list = signed_events[e.value("facility", "")];
    if (std::find(list.begin(), list.end(), e) == list.end()) {
      return PermissionDenied(fmt::format("event {} of facility {} is not what the facility signed",
                                          e.value("record_id", int64_t{0}), e.value("facility", "")));
    }
    ++verified;
  }
  return verified;
}

int RunChart(const ChartFlags& f) {
  auto hub = ResolveClient(f.client);
  if (!hub.ok()) return Failed(hub.status());
  if (f.patient.empty() == f.regional_id.empty()) return Failed(InvalidArgument("give --patient LOCALID or --regional-id RK..."));
  std::string query = f.patient.empty() ? "regional_id=" + http::PercentEncode(f.regional_id)
                                        : "patient=" + http::PercentEncode(f.patient);
  for (const auto& t : f.types) query += "&type=" + http::PercentEncode(t);
  for (const auto& x : f.facilities) query += "&facility=" + http::PercentEncode(x);
  const std::pair<const char*, const std::string*> optional[] = {
      {"from", &f.from}, {"to", &f.to}, {"department", &f.department}, {"cursor", &f.cursor}};
  for (const auto& [name, value] : optional) {
    if (!value->empty()) query += fmt::format("&{}={}", name, http::PercentEncode(*value));
  }
  query += fmt::format("&limit={}&deadline_ms={}", f.limit, f.deadline_ms);
  if (f.refresh) query += "&refresh=true";
  if (!f.client.tls.ca.empty()) query += "&signed=true";  // to verify the events against their facilities' signatures
  auto response = CallHub(*hub, "GET", "/v1/chart?" + query, {}, std::chrono::milliseconds(f.deadline_ms + 10'000));
  if (!response.ok()) return Failed(response.status());
  if (Status s = http::ResponseStatus(*response); !s.ok()) return Failed(s);
  json chart = json::parse(response->body, nullptr, false);
  if (!chart.is_object() || !chart.contains("events") || !chart.contains("sources")) {
    return Failed(Internal("the hub's answer is not a chart"));
  }
  std::optional<size_t> verified;
  if (!hub->tls.ca.empty()) {
    std::ifstream in(hub->tls.ca);
    std::stringstream pem;
    pem << in.rdbuf();
    if (!in) return Failed(NotFound(fmt::format("cannot read --ca {}", hub->tls.ca)));
    auto checked = Verify(chart, pem.str());
    if (!checked.ok()) return Failed(checked.status().Annotate("verification failed"));
    verified = *checked;
  }
  if (f.as_json) {
    if (verified) chart["verified_events"] = *verified;
    std::cout << chart.dump(2) << "\n";
    return 0;
  }
  fmt::print("Patient {} — {} events{}{}\n", chart.value("regional_id", ""), chart["events"].size(),
             chart["partial"].get<bool>() ? " (PARTIAL: some facilities did not answer)" : "",
             verified ? fmt::format(", {} verified against the facilities' signatures", *verified) : "");
  for (const json& s : chart["sources"]) {
    fmt::print("  facility {:<12} {:<9} {:>8.1f} ms  {} events{}\n", s.value("facility", ""), s.value("status", ""),
               s.value("took_ms", 0.0), s.value("events", 0), s.contains("reason") ? "  (" + s["reason"].get<std::string>() + ")" : "");
  }
  for (const json& e : chart["events"]) {
    const std::string when = DisplayTime(e.value("occurred_at", ""));
    fmt::print("{:<16}  {:<10}  {:<14}  {:<8}  {}{}\n", when, e.value("facility", ""), e.value("type", ""),
               e.value("department", ""), e.value("abnormal", false) ? "[異常] " : "", e.value("title", ""));
  }
  if (!chart["next_cursor"].is_null()) fmt::print("more: --cursor {}\n", chart["next_cursor"].get<std::string>());
  return 0;
}

}  // namespace

void AddEdgeConnectCommand(CLI::App& edge, const GlobalOptions& global, int* exit_code) {
  auto f = std::make_shared<ConnectFlags>();
  CLI::App* cmd = edge.add_subcommand(
      "connect",
      "Keep this facility's edge connected to the hub (one outbound WebSocket; no inbound port) until Ctrl-C:\n"
      "register the facility's patients with the hub's patient index and answer the hub's chart and entity\n"
      "requests from the repository, each answer signed with the edge's key. Reconnects with backoff.");
  cmd->add_option("--hub", f->hub, "the hub: wss://host:port (or ws://127.0.0.1:port for development)")->required();
  cmd->add_option("--cert", f->tls.cert, "the edge's certificate (renkei ca issue --role edge)");
  cmd->add_option("--key", f->tls.key, "its private key; also signs every answer");
  cmd->add_option("--ca", f->tls.ca, "the regional CA's certificate: the hub's must chain to it");
  cmd->add_option("--token", f->token, "a facility token instead of a certificate (ws:// development; default $RENKEI_HUB_TOKEN)");
  cmd->add_option("--root", f->root, "the SS-MIX2 root to re-scan when the hub asks for the latest (default edge.ssmix2_root)");
  cmd->add_option("--store", f->store, "the repository (overrides edge.store)");
  cmd->add_option("--workers", f->workers, "threads answering the hub (default 2)")->check(CLI::Range(1, 32));
  cmd->add_option("--backoff-max-ms", f->backoff_max_ms, "the longest wait between reconnection attempts (default 30000)")
      ->check(CLI::Range(500, 600'000));
  cmd->add_flag("--no-consent", f->no_consent,
                "register patients without consent to sharing (their data stays visible to this facility only)");
  cmd->callback([f, &global, exit_code] { *exit_code = RunConnect(global, *f); });
}

void AddChartCommands(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ChartFlags>();
  CLI::App* cmd = app.add_subcommand(
      "chart",
      "One patient's chart from every facility, newest first, through the hub: the events of each facility's\n"
      "edge merged into one timeline, with which facilities answered, how fast, and why not. With --ca, every\n"
      "event is verified against the signature of the facility that holds it (exit code 5 if one fails).");
  AddClientFlags(cmd, &f->client);
  cmd->add_option("--patient", f->patient, "the patient's ID at your own facility");
  cmd->add_option("--regional-id", f->regional_id, "or the patient's regional ID (RK...)");
  cmd->add_option("--type", f->types, "only these event types (repeatable), e.g. lab_result, prescription");
  cmd->add_option("--facility", f->facilities, "only these facilities (repeatable)");
  cmd->add_option("--from", f->from, "only events on or after this date (YYYY-MM-DD)");
  cmd->add_option("--to", f->to, "only events on or before this date (YYYY-MM-DD)");
  cmd->add_option("--department", f->department, "only this department (code or name)");
  cmd->add_option("--limit", f->limit, "events per page (default 100)")->check(CLI::Range(1, 1000));
  cmd->add_option("--cursor", f->cursor, "the next page: the cursor the previous page printed");
  cmd->add_option("--deadline-ms", f->deadline_ms, "how long the hub waits for the facilities (default 5000)")
      ->check(CLI::Range(100, 60'000));
  cmd->add_flag("--refresh", f->refresh, "ask each facility to re-scan its records of the patient first (latest information)");
  cmd->add_flag("--json", f->as_json, "print the chart as JSON");
  cmd->callback([f, exit_code] { *exit_code = RunChart(*f); });
}

}  // namespace renkei::cli
