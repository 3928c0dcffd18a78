#include "cli/hub_commands.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/log.h"
#include "gateway/deliverer.h"
#include "base/file.h"
#include "base/time.h"
#include "cli/service_commands.h"
#include "cli/stop_signal.h"
#include "http/client.h"
#include "http/server.h"
#include "http/target.h"
#include "hub/access.h"
#include "hub/api.h"
#include "hub/facility_directory.h"
#include "hub/patient_index.h"
#include "hub/service_gateway.h"
#include "identity/totp.h"
#include "identity/user_store.h"
#include "log/log.h"
#include "pki/ca.h"
#include "pki/signature.h"
#include "pki/tls.h"
#include "policy/consent_store.h"
#include "portal/routes.h"

namespace renkei::cli {
namespace {

using nlohmann::json;

constexpr const char* kDefaultHub = "http://127.0.0.1:8780";

int Fail(std::string_view command, const Status& s) {
  std::cerr << "renkei hub " << command << ": " << s.message() << "\n";
  return HubExitCode(s);
}

int Call(std::string_view command, const ClientFlags& f, std::string_view method, const std::string& path,
         const json& body = nullptr) {
  return CallAndPrint("renkei hub", command, f, method, path, body);
}

std::string Segment(std::string_view text) { return http::PercentEncode(text); }

struct ServeFlags {
  std::string store = "sqlite:renkei-hub.db";
  std::string listen = "127.0.0.1:8780";
  std::string credentials = "hub-credentials.json";
  std::string model;
  std::string audit;  // "": beside the store (see AuditUrl)
  int audit_retention_days = 7 * 365 + 2;
  pki::TlsFiles tls;  // cert and key: serve HTTPS with client certificates
  std::string webhook_ca;  // CAs webhooks' certificates may chain to besides the system's and the regional CA
  int threads = 2;
  int handler_threads = 32;
  int heartbeat_ms = 10'000;
  size_t max_connections = 4096;
  std::string ca_dir;      // the regional CA's directory: certificates issued and revoked over the API
  std::string portal_dir;  // "": the pages compiled in
  bool no_portal = false;
};

// The audit trail's database: --audit, else the store's PostgreSQL database (tables of its own),
// else a SQLite file beside the store's: sqlite:renkei-hub.db -> sqlite:renkei-hub-audit.db.
std::string AuditUrl(const ServeFlags& f) {
  if (!f.audit.empty()) return f.audit;
  if (!f.store.starts_with("sqlite:")) return f.store;
  std::string path = f.store;
  if (path.ends_with(".db")) path.resize(path.size() - 3);
  return path + "-audit.db";
}

int RunServe(const GlobalOptions& g, ServeFlags f) {
  if (!f.ca_dir.empty() && !f.tls.cert.empty()) {
    if (f.tls.ca.empty()) f.tls.ca = f.ca_dir + "/ca.crt";
    if (f.tls.crl.empty()) f.tls.crl = f.ca_dir + "/crl.pem";
  }
  auto logger = log::Logger::Create(g.log_level.empty() ? "info" : g.log_level, "json", "");
  if (!logger.ok()) return Fail("serve", logger.status());
  auto credentials = hub::Credentials::Load(f.credentials);
  if (!credentials.ok()) return Fail("serve", credentials.status());
  if (credentials->size() == 0 && f.tls.cert.empty()) {
    return Fail("serve", FailedPrecondition(fmt::format(
                             "no callers in {}: issue tokens first with `renkei hub token add --credentials {} ...`",
                             f.credentials, f.credentials)));
  }
  hub::PatientIndexOptions options;
  options.store_url = f.store;
  if (!f.model.empty()) {
    std::ifstream in(f.model);
    json j = json::parse(in, nullptr, false);
    if (!in || j.is_discarded()) return Fail("serve", InvalidArgument(fmt::format("--model {}: not a JSON file", f.model)));
    auto model = mpi::Model::FromJson(j);
    if (!model.ok()) return Fail("serve", model.status().Annotate(f.model));
    options.model = std::move(model).value();
  }
  const auto started = std::chrono::steady_clock::now();
  auto index = hub::PatientIndex::Open(options);
  if (!index.ok()) return Fail("serve", index.status());
  (*logger)->Info("hub.index_loaded",
                  {{"registrations", (*index)->size()},
                   {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()}});
  http::ServerOptions server_options;
  server_options.listen = f.listen;
  server_options.threads = f.threads;
  server_options.handler_threads = f.handler_threads;
  server_options.max_connections = f.max_connections;
  if (f.tls.cert.empty() != f.tls.key.empty() || (!f.tls.cert.empty() && f.tls.ca.empty())) {
    return Fail("serve", InvalidArgument("TLS needs --tls-cert, --tls-key and --ca together"));
  }
  if (!f.tls.cert.empty()) {
    auto context = pki::ServerContext(f.tls, /*require_client_cert=*/false);
    if (!context.ok()) return Fail("serve", context.status());
    server_options.tls = *context;
  } else if (!f.listen.starts_with("127.") && !f.listen.starts_with("[::1]")) {
    return Fail("serve", InvalidArgument("plain HTTP is for localhost development only: listen on 127.0.0.1, or give "
                                         "--tls-cert, --tls-key and --ca"));
  }
  audit::LogOptions audit_options;
  if (!f.tls.cert.empty()) {
    auto signer = pki::Signer::Load(f.tls.key, f.tls.cert);
    if (!signer.ok()) return Fail("serve", signer.status().Annotate("signing the audit trail's heads"));
    audit_options.signer = *std::move(signer);
  }
  const auto retention = std::chrono::hours(24) * f.audit_retention_days;
  audit_options.retention = retention;
  const std::string audit_url = AuditUrl(f);
  auto trail = audit::Log::Open(audit_url, std::move(audit_options));
  if (!trail.ok()) return Fail("serve", trail.status().Annotate("the audit trail " + audit_url));
  // The consents and overrides live beside the index, in tables of their own.
  auto consents = policy::ConsentStore::Open(f.store);
  if (!consents.ok()) return Fail("serve", consents.status().Annotate("the consent store"));
  auto users = identity::UserStore::Open(f.store);
  if (!users.ok()) return Fail("serve", users.status().Annotate("the user store"));
  auto facilities = hub::FacilityDirectory::Open(f.store);
  if (!facilities.ok()) return Fail("serve", facilities.status().Annotate("the facility directory"));
  std::string ca_pem;
  if (!f.tls.ca.empty()) {
    auto pem = ReadFile(f.tls.ca, 1 << 20);
    if (!pem.ok()) return Fail("serve", pem.status().Annotate("--ca"));
    ca_pem = *std::move(pem);
  }
  if (!f.ca_dir.empty()) {
    if (auto issued = pki::ListIssued(f.ca_dir); !issued.ok()) return Fail("serve", issued.status().Annotate("--ca-dir"));
  }
  hub::EdgeRegistryOptions edge_options;
  edge_options.heartbeat = std::chrono::milliseconds(f.heartbeat_ms);
  // A link that carried nothing for three heartbeats (not even a ping's answer) is dead.
  server_options.channel.idle_timeout = std::max(3 * edge_options.heartbeat, std::chrono::milliseconds(1000));
  // Ended explicitly below, while the deliverer that fetches through it and that its edges'
  // pushes wake still lives.
  auto edges = std::make_unique<hub::EdgeRegistry>(**index, edge_options, *logger);
  // The service-provider gateway: its register and outbox beside the index, and the deliverer.
  auto services = gateway::Registry::Open(f.store);
  if (!services.ok()) return Fail("serve", services.status().Annotate("the service register"));
  auto outbox = gateway::Outbox::Open(f.store);
  if (!outbox.ok()) return Fail("serve", outbox.status().Annotate("the service outbox"));
  // Services' webhooks are outside the region: public CAs, the regional CA, and --webhook-ca.
  auto webhook_tls = pki::PublicClientContext({f.tls.ca, f.webhook_ca});
  if (!webhook_tls.ok()) return Fail("serve", webhook_tls.status().Annotate("the webhooks' trusted CAs (--ca, --webhook-ca)"));
  gateway::DelivererOptions delivery;
  delivery.now_ms = NowUnixMs;
  delivery.send = hub::WebhookSender(*webhook_tls);
  delivery.fetch = [&edges](const gateway::Delivery& d) { return hub::FetchChangeData(*edges, d); };
  delivery.audit = [&trail, logger = *logger](const gateway::Delivery& d, const gateway::Service& s,
                                               const policy::ServiceDecision& decision) {
    if (Status recorded = hub::RecordDelivery(**trail, d, s, decision); !recorded.ok()) {
      logger->Error("hub.delivery_not_audited", {{"delivery", d.id}, {"error", recorded.message()}});
    }
  };
  gateway::Deliverer deliverer(**outbox, **services, std::move(delivery), *logger);
  const hub::HubServices hub_services{.index = **index,
                                      .credentials = *credentials,
                                      .edges = *edges,
                                      .audit = **trail,
                                      .consents = **consents,
                                      .users = **users,
                                      .facilities = **facilities,
                                      .services = **services,
                                      .outbox = **outbox,
                                      .deliverer = deliverer,
                                      .audit_url = audit_url,
                                      .ca_pem = ca_pem,
                                      .ca_dir = f.ca_dir};
  edges->AddOp("changes", [&hub_services](const std::string& facility, const json& args) {
    return hub::TakeChanges(hub_services, facility, args);
  });
  http::Router router = hub::MakeApi(hub_services, *logger);
  if (!f.no_portal) {
    auto assets = f.portal_dir.empty() ? portal::Assets::Embedded() : portal::Assets::FromDirectory(f.portal_dir);
    if (!assets.ok()) return Fail("serve", assets.status().Annotate("--portal-dir"));
    portal::AddRoutes(router, std::make_shared<const portal::Assets>(*std::move(assets)));
  }
  deliverer.Start();
  InstallStopHandler();
  auto server = http::Server::Start(server_options, std::move(router), *logger);
  if (!server.ok()) return Fail("serve", server.status());
  fmt::print("Hub on {}://{}:{}/v1 ({} registrations; edges connect to {}://{}:{}/v1/edges/connect; Ctrl-C to stop)\n",
             server_options.tls ? "https" : "http", f.listen.substr(0, f.listen.rfind(':')), (*server)->port(),
             (*index)->size(), server_options.tls ? "wss" : "ws", f.listen.substr(0, f.listen.rfind(':')),
             (*server)->port());
  if (!f.no_portal) {
    fmt::print("Portals on {}://{}:{}/ (clinicians, patients and operators sign in there)\n",
               server_options.tls ? "https" : "http", f.listen.substr(0, f.listen.rfind(':')), (*server)->port());
  }
  std::fflush(stdout);
  // Entries past their retention go daily, from the first signed head that allows a cut.
  auto next_prune = std::chrono::steady_clock::now();
  while (!StopRequested()) {
    if (std::chrono::steady_clock::now() >= next_prune) {
      next_prune += std::chrono::hours(24);
      auto pruned = (*trail)->Prune(NowUnixMs() - std::chrono::milliseconds(retention).count());
      if (!pruned.ok()) {
        (*logger)->Error("hub.audit_prune_failed", {{"error", pruned.status().message()}});
      } else if (pruned->removed > 0) {
        (*logger)->Info("hub.audit_pruned", {{"removed", pruned->removed}, {"first", pruned->first}});
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  (*server)->Stop();
  deliverer.Stop();
  edges.reset();
  if (Status s = (*trail)->Close(); !s.ok()) return Fail("serve", s.Annotate("closing the audit trail"));
  fmt::print("Stopped\n");
  return 0;
}

struct UserFlags {
  std::string store = "sqlite:renkei-hub.db", login, display_name, role, facility, password_file;
  std::vector<std::string> regional_ids;
  bool as_json = false;
};

int RunUserAdd(const UserFlags& f) {
  std::string password;
  if (f.password_file == "-") {
    std::getline(std::cin, password);
  } else {
    std::ifstream in(f.password_file);
    if (!in) return Fail("user add", NotFound(fmt::format("cannot read --password-file {}", f.password_file)));
    std::getline(in, password);
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  auto role = identity::ParseRole(f.role);
  if (!role.ok()) return Fail("user add", role.status());
  identity::User u;
  u.login = f.login;
  u.display_name = f.display_name.empty() ? f.login : f.display_name;
  u.role = *role;
  u.facility = f.facility;
  u.regional_ids = f.regional_ids;
  auto users = identity::UserStore::Open(f.store);
  if (!users.ok()) return Fail("user add", users.status());
  auto made = (*users)->CreateUser(std::move(u), password, NowUnixMs());
  if (!made.ok()) return Fail("user add", made.status());
  if (f.as_json) {
    std::cout << json{{"user", {{"id", made->user.id}, {"login", made->user.login}, {"role", f.role},
                                {"facility", made->user.facility}, {"regional_ids", made->user.regional_ids}}},
                      {"totp", {{"secret_base32", made->totp.secret_base32}, {"uri", made->totp.uri}}}}
                     .dump(2)
              << "\n";
  } else {
    fmt::print("{} {} ({}): enrol the authenticator app with\n  {}\n  (secret {}; shown this once)\n", made->user.id,
               made->user.login, f.role, made->totp.uri, made->totp.secret_base32);
  }
  return 0;
}

struct FacilityFlags {
  std::string store = "sqlite:renkei-hub.db", csv;
  hub::Facility f;  // `add`'s facility
};

// `import` (--csv) or `add` (the one facility of the flags).
int RunFacilityImport(const FacilityFlags& f) {
  const std::string command = f.csv.empty() ? "facility add" : "facility import";
  std::vector<hub::Facility> facilities = {f.f};
  if (!f.csv.empty()) {
    auto text = ReadFile(f.csv, 64 << 20);
    if (!text.ok()) return Fail(command, text.status().Annotate("--csv"));
    auto read = hub::ReadFacilitiesCsv(*text);
    if (!read.ok()) return Fail(command, read.status().Annotate(f.csv));
    facilities = *std::move(read);
  }
  auto directory = hub::FacilityDirectory::Open(f.store);
  if (!directory.ok()) return Fail(command, directory.status());
  for (const hub::Facility& facility : facilities) {
    if (auto put = (*directory)->Put(facility); !put.ok()) {
      return Fail(command, put.status().Annotate("facility " + facility.code.substr(0, 20)));
    }
  }
  fmt::print("{} facilit{} in the directory\n", facilities.size(), facilities.size() == 1 ? "y" : "ies");
  return 0;
}

int RunFacilityList(const FacilityFlags& f) {
  auto directory = hub::FacilityDirectory::Open(f.store);
  if (!directory.ok()) return Fail("facility list", directory.status());
  auto list = (*directory)->List();
  if (!list.ok()) return Fail("facility list", list.status());
  json out = json::array();
  for (const hub::Facility& x : *list) out.push_back(hub::FacilityJson(x));
  std::cout << json{{"facilities", out}}.dump(2) << "\n";
  return 0;
}

}  // namespace

void AddClientFlags(CLI::App* cmd, ClientFlags* f) {
  cmd->add_option("--hub", f->hub, fmt::format("the hub's URL (default: $RENKEI_HUB or {})", kDefaultHub))
      ->type_name("URL");
  cmd->add_option("--token", f->token, "the caller's token (default: $RENKEI_HUB_TOKEN)")->type_name("TOKEN");
  cmd->add_option("--ca", f->tls.ca, "the regional CA's certificate (https:// hubs must chain to it)")->type_name("FILE");
  cmd->add_option("--cert", f->tls.cert, "sign in with this client certificate instead of a token (https://)")
      ->type_name("FILE");
  cmd->add_option("--key", f->tls.key, "the client certificate's private key")->type_name("FILE");
}

StatusOr<ClientFlags> ResolveClient(const ClientFlags& f) {
  ClientFlags out = f;
  if (out.hub.empty() && std::getenv("RENKEI_HUB")) out.hub = std::getenv("RENKEI_HUB");
  if (out.hub.empty()) out.hub = kDefaultHub;
  while (out.hub.ends_with('/')) out.hub.pop_back();
  if (out.token.empty() && std::getenv("RENKEI_HUB_TOKEN")) out.token = std::getenv("RENKEI_HUB_TOKEN");
  if (out.tls.cert.empty() != out.tls.key.empty()) return InvalidArgument("--cert and --key go together");
  const bool https = out.hub.starts_with("https://");
  if (https && out.tls.ca.empty()) return InvalidArgument("an https:// hub needs --ca (the regional CA's certificate)");
  if (!out.tls.cert.empty() && !https) return InvalidArgument("a client certificate needs an https:// hub");
  if (out.token.empty() && out.tls.cert.empty()) {
    return InvalidArgument("a token (--token or RENKEI_HUB_TOKEN) or a client certificate (--cert, --key) is required");
  }
  return out;
}

int CallAndPrint(std::string_view program, std::string_view command, const ClientFlags& f, std::string_view method,
                 const std::string& path, const json& body) {
  const auto fail = [&](const Status& s) {
    std::cerr << program << " " << command << ": " << s.message() << "\n";
    return HubExitCode(s);
  };
  auto hub = ResolveClient(f);
  if (!hub.ok()) return fail(hub.status());
  auto response = CallHub(*hub, method, path, body.is_null() ? std::string() : body.dump(), std::chrono::seconds(30));
  if (!response.ok()) return fail(response.status());
  if (Status s = http::ResponseStatus(*response); !s.ok()) return fail(s);
  json j = json::parse(response->body, nullptr, false);
  std::cout << (j.is_discarded() ? response->body : j.dump(2)) << "\n";
  return 0;
}

StatusOr<http::ClientResponse> CallHub(const ClientFlags& resolved, std::string_view method, const std::string& path,
                                       std::string_view body, std::chrono::milliseconds timeout) {
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (resolved.hub.starts_with("https://")) {
    RENKEI_ASSIGN_OR_RETURN(tls, pki::ClientContext(resolved.tls));
  }
  http::HeaderList headers;
  if (!resolved.token.empty()) headers.emplace_back("Authorization", "Bearer " + resolved.token);
  return http::Client(std::move(tls)).Fetch(method, resolved.hub + path, body, "application/json", timeout, headers);
}

int HubExitCode(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists: return 2;
    case StatusCode::kNotFound: return 3;
    case StatusCode::kUnavailable: return 4;
    case StatusCode::kPermissionDenied: return 5;
    default: return 1;
  }
}

void AddHubCommands(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* hub = app.add_subcommand("hub", "The region's hub: the master patient index (名寄せ) and record locator");
  hub->require_subcommand(1);

  auto serve = std::make_shared<ServeFlags>();
  CLI::App* s = hub->add_subcommand(
      "serve",
      "Run the hub until Ctrl-C: the patient index as a JSON API (/v1/registrations, /v1/patients, /v1/reviews ...),\n"
      "the edges' WebSocket (/v1/edges/connect) and the one chart (/v1/chart, /v1/entities).\n"
      "Callers present a client certificate of the regional CA (with --tls-cert/--tls-key/--ca) or a token from\n"
      "`renkei hub token add`. Plain HTTP only on loopback, for development.");
  s->add_option("--store", serve->store, "the index's database: sqlite:PATH or postgresql://... (default sqlite:renkei-hub.db)");
  s->add_option("--listen", serve->listen, "host:port to listen on (default 127.0.0.1:8780; port 0 picks one)");
  s->add_option("--credentials", serve->credentials, "the callers' credentials file (default hub-credentials.json)");
  s->add_option("--model", serve->model, "linkage model JSON (as `renkei mpi evaluate --model-out` writes)");
  s->add_option("--threads", serve->threads, "I/O threads: HTTP and the edges' WebSockets (default 2)")
      ->check(CLI::Range(1, 256));
  s->add_option("--handler-threads", serve->handler_threads,
                "threads answering requests; a chart holds one while it waits for the edges, so this many charts\n"
                "are gathered at once and more wait their turn (default 32)")
      ->check(CLI::Range(1, 1024));
  s->add_option("--audit", serve->audit,
                "the audit trail's database, where every access and change of consent is recorded, hash-chained\n"
                "under heads signed with --tls-cert (check it with `renkei audit verify`): sqlite:PATH or\n"
                "postgresql://... (default: the store's PostgreSQL database, or sqlite:STORE-audit.db beside a SQLite store)");
  s->add_option("--audit-retention-days", serve->audit_retention_days,
                "how long audit entries are kept; older ones are pruned daily up to a signed head (default 2557: 7 years)")
      ->check(CLI::Range(1, 100 * 366));
  s->add_option("--tls-cert", serve->tls.cert, "the hub's certificate (from `renkei ca issue --role hub`): serve HTTPS/WSS");
  s->add_option("--tls-key", serve->tls.key, "its private key");
  s->add_option("--ca", serve->tls.ca, "the regional CA's certificate: clients may present certificates of it");
  s->add_option("--webhook-ca", serve->webhook_ca,
                "a PEM file of further CAs services' https:// webhooks may chain to (always trusted: the system's CAs\n"
                "of ca-certificates, and the regional CA of --ca)");
  s->add_option("--crl", serve->tls.crl, "the CA's crl.pem: revoked certificates are refused on connect (re-read on change)");
  s->add_option("--max-connections", serve->max_connections,
                "open connections at most, the edges' WebSockets included; more are closed on accept (default 4096;\n"
                "each takes a file descriptor, see ulimit -n)")
      ->check(CLI::Range(1, 1'000'000));
  s->add_option("--heartbeat-ms", serve->heartbeat_ms,
                "how often each edge is pinged (default 10000); an edge silent for three heartbeats is disconnected")
      ->check(CLI::Range(100, 600'000));
  s->add_option("--ca-dir", serve->ca_dir,
                "the regional CA's directory (`renkei ca init`): operators issue and revoke certificates over the API "
                "and the operator portal; with TLS, --ca and --crl default to its ca.crt and crl.pem")
      ->type_name("DIR");
  s->add_option("--portal-dir", serve->portal_dir,
                "serve the portals' pages from this folder (src/portal/web), read again on every request, instead of "
                "the pages compiled in: for working on them")
      ->type_name("DIR");
  s->add_flag("--no-portal", serve->no_portal, "serve the API only, without the portals' pages");
  s->callback([serve, &global, exit_code] { *exit_code = RunServe(global, *serve); });

  // hub token add
  CLI::App* token = hub->add_subcommand("token", "Credentials of the hub's callers");
  token->require_subcommand(1);
  struct TokenFlags {
    std::string credentials = "hub-credentials.json", name, role = "facility", facility;
  };
  auto tf = std::make_shared<TokenFlags>();
  CLI::App* add = token->add_subcommand(
      "add", "Issue a token for a facility (its edge or registration desk) or an operator; printed once, only its hash is kept");
  add->add_option("--credentials", tf->credentials, "credentials file (default hub-credentials.json)");
  add->add_option("--name", tf->name, "the caller's name, e.g. edge-1234567890 or operator-sato")->required();
  add->add_option("--role", tf->role, "facility or operator (default facility)")->check(CLI::IsMember({"facility", "operator"}));
  add->add_option("--facility", tf->facility, "the facility's code (for a facility caller)");
  add->callback([tf, exit_code] {
    const hub::Principal who =
        hub::MakePrincipal(tf->name, tf->role == "operator" ? hub::Role::kOperator : hub::Role::kFacility, tf->facility);
    auto t = hub::Credentials::Issue(tf->credentials, who);
    if (!t.ok()) {
      *exit_code = Fail("token add", t.status());
      return;
    }
    std::cout << *t << "\n";
    *exit_code = 0;
  });

  // hub user add
  CLI::App* user = hub->add_subcommand("user", "People's accounts at the hub (sign-in with a password and a TOTP code)");
  user->require_subcommand(1);
  auto uf = std::make_shared<UserFlags>();
  CLI::App* user_add = user->add_subcommand(
      "add",
      "Make an account directly in the hub's database (the first operator; later ones an operator makes with\n"
      "POST /v1/users). Prints the authenticator app's secret and otpauth:// URI, shown this once.");
  user_add->add_option("--store", uf->store, "the hub's database (default sqlite:renkei-hub.db)");
  user_add->add_option("--login", uf->login, "the login name: 1-64 of a-z 0-9 . _ -")->required();
  user_add->add_option("--display-name", uf->display_name, "the name screens show (default the login)");
  user_add->add_option("--role", uf->role, "clinician, staff, operator, patient or proxy")
      ->required()
      ->check(CLI::IsMember({"clinician", "staff", "operator", "patient", "proxy"}));
  user_add->add_option("--facility", uf->facility, "a clinician's or staff member's facility code");
  user_add->add_option("--regional-id", uf->regional_ids, "a patient's own regional ID; a proxy's patients (repeat)");
  user_add->add_option("--password-file", uf->password_file,
                       "a file whose first line is the password (at least 12 characters); - reads standard input")
      ->required();
  user_add->add_flag("--json", uf->as_json, "print {\"user\", \"totp\": {\"secret_base32\", \"uri\"}}");
  user_add->callback([uf, exit_code] { *exit_code = RunUserAdd(*uf); });

  auto code_secret = std::make_shared<std::string>();
  CLI::App* user_code = user->add_subcommand(
      "code", "Print the current TOTP code of a secret (as an authenticator app would): for demos and scripts");
  user_code->add_option("--secret", *code_secret, "the base32 secret `hub user add` printed")->required();
  user_code->callback([code_secret, exit_code] {
    auto secret = identity::Base32Decode(*code_secret);
    if (!secret.ok() || secret->empty()) {
      *exit_code = Fail("user code", secret.ok() ? InvalidArgument("the secret is empty") : secret.status());
      return;
    }
    std::cout << identity::HotpCode(*secret, static_cast<uint64_t>(identity::TotpStep(NowUnixMs())),
                                    identity::kTotpDigits)
              << "\n";
    *exit_code = 0;
  });

  // hub facility ...
  CLI::App* facility = hub->add_subcommand(
      "facility", "The region's facility directory in the hub's database (names the portals show for facility codes)");
  facility->require_subcommand(1);
  auto ff = std::make_shared<FacilityFlags>();
  CLI::App* facility_import = facility->add_subcommand(
      "import", "Add or update every facility of a facilities.csv (as `renkei gen region` writes it)");
  facility_import->add_option("--store", ff->store, "the hub's database (default sqlite:renkei-hub.db)");
  facility_import->add_option("--csv", ff->csv, "the file: facility_id,name[,kind,prefecture,city,address,phone...]")
      ->required();
  facility_import->callback([ff, exit_code] { *exit_code = RunFacilityImport(*ff); });
  CLI::App* facility_add = facility->add_subcommand("add", "Add one facility, or change what is known of it");
  facility_add->add_option("--store", ff->store, "the hub's database (default sqlite:renkei-hub.db)");
  facility_add->add_option("--facility", ff->f.code, "its code (医療機関コード)")->required();
  facility_add->add_option("--name", ff->f.name, "its name")->required();
  facility_add->add_option("--kind", ff->f.kind, "hospital, clinic, pharmacy, vault or other (default other)");
  for (const auto& [flag, member] : {std::pair{"--prefecture", &hub::Facility::prefecture}, {"--city", &hub::Facility::city},
                                     {"--address", &hub::Facility::address}, {"--phone", &hub::Facility::phone}}) {
    facility_add->add_option(flag, ff->f.*member, std::string("its ") + (flag + 2));
  }
  facility_add->callback([ff, exit_code] { *exit_code = RunFacilityImport(*ff); });
  CLI::App* facility_list = facility->add_subcommand("list", "Print the directory as JSON");
  facility_list->add_option("--store", ff->store, "the hub's database (default sqlite:renkei-hub.db)");
  facility_list->callback([ff, exit_code] { *exit_code = RunFacilityList(*ff); });

  // hub patients ...
  CLI::App* patients = hub->add_subcommand("patients", "Clients of the patient index API (print its JSON answers)");
  patients->require_subcommand(1);
  auto cf = std::make_shared<ClientFlags>();

  struct PatientFlags {
    std::string facility, local_id, regional_id, reason, into;
    std::map<std::string, std::string> d;
    bool consent = false;
    int64_t change = 0;
    int limit = 20;
  };
  auto pf = std::make_shared<PatientFlags>();
  const char* kFields[] = {"family-kanji", "given-kanji", "family-kana", "given-kana", "birth-date",
                           "sex",          "postal-code", "address",     "phone",      "identifier"};
  auto demographics = [pf] {
    json d = json::object();
    for (const auto& [k, v] : pf->d) {
      std::string key = k;
      std::replace(key.begin(), key.end(), '-', '_');
      if (!v.empty()) d[key] = v;
    }
    return d;
  };
  auto add_demographics = [&](CLI::App* cmd) {
    for (const char* f : kFields) cmd->add_option(std::string("--") + f, pf->d[f], std::string("the patient's ") + f);
  };

  CLI::App* reg = patients->add_subcommand("register", "Register (or update) a patient of your facility, with consent");
  AddClientFlags(reg, cf.get());
  reg->add_option("--facility", pf->facility, "the facility's code (default: the token's facility)");
  reg->add_option("--local-id", pf->local_id, "the facility's patient ID")->required();
  add_demographics(reg);
  reg->add_flag("--consent", pf->consent, "the patient consented to sharing (required to register)");
  reg->callback([=] {
    json body = {{"local_id", pf->local_id}, {"consent", pf->consent}, {"demographics", demographics()}};
    if (!pf->facility.empty()) body["facility"] = pf->facility;
    *exit_code = Call("patients register", *cf, "POST", "/v1/registrations", body);
  });

  CLI::App* show = patients->add_subcommand(
      "show", "PIX: a person by your facility's local ID (--facility, --local-id) or by regional ID (--regional-id)");
  AddClientFlags(show, cf.get());
  show->add_option("--facility", pf->facility, "the facility's code");
  show->add_option("--local-id", pf->local_id, "the facility's patient ID");
  show->add_option("--regional-id", pf->regional_id, "the regional patient ID (RK...)");
  show->callback([=] {
    if (!pf->regional_id.empty()) {
      *exit_code = Call("patients show", *cf, "GET", "/v1/patients/" + Segment(pf->regional_id));
    } else if (!pf->facility.empty() && !pf->local_id.empty()) {
      *exit_code = Call("patients show", *cf, "GET",
                        "/v1/registrations/" + Segment(pf->facility) + "/" + Segment(pf->local_id));
    } else {
      *exit_code = Fail("patients show", InvalidArgument("give --regional-id, or --facility and --local-id"));
    }
  });

  CLI::App* search = patients->add_subcommand("search", "PDQ: persons by name, reading, birth date, phone ... ranked");
  AddClientFlags(search, cf.get());
  add_demographics(search);
  search->add_option("--limit", pf->limit, "at most this many persons (default 20)")->check(CLI::Range(1, 100));
  search->callback([=] {
    std::string query;
    const json wanted = demographics();
    for (const auto& [k, v] : wanted.items()) {
      query += (query.empty() ? "?" : "&") + k + "=" + http::PercentEncode(v.get<std::string>());
    }
    query += fmt::format("{}limit={}", query.empty() ? "?" : "&", pf->limit);
    *exit_code = Call("patients search", *cf, "GET", "/v1/patients" + query);
  });

  auto regional_command = [&](const char* name, const char* help, const char* suffix) {
    CLI::App* cmd = patients->add_subcommand(name, help);
    AddClientFlags(cmd, cf.get());
    cmd->add_option("--regional-id", pf->regional_id, "the regional patient ID (RK...)")->required();
    std::string sfx = suffix;
    std::string command = std::string("patients ") + name;
    cmd->callback([=] {
      *exit_code = Call(command, *cf, "GET", "/v1/patients/" + Segment(pf->regional_id) + sfx);
    });
  };
  regional_command("locate", "The record locator: facilities (and local IDs) holding data for a person", "/locations");
  regional_command("history", "The link history of a person, newest first, with score breakdowns and reasons", "/history");

  CLI::App* link = patients->add_subcommand("link", "Operator: put a facility's record into a person (with a reason)");
  AddClientFlags(link, cf.get());
  link->add_option("--facility", pf->facility, "the facility's code")->required();
  link->add_option("--local-id", pf->local_id, "the facility's patient ID")->required();
  link->add_option("--regional-id", pf->regional_id, "the person to put it in")->required();
  link->add_option("--reason", pf->reason, "why (kept in the history)")->required();
  link->callback([=] {
    *exit_code = Call("patients link", *cf, "POST", "/v1/links",
                      {{"facility", pf->facility}, {"local_id", pf->local_id}, {"regional_id", pf->regional_id},
                       {"reason", pf->reason}});
  });
  CLI::App* unlink = patients->add_subcommand("unlink", "Operator: take a facility's record out of its person into a new one");
  AddClientFlags(unlink, cf.get());
  unlink->add_option("--facility", pf->facility, "the facility's code")->required();
  unlink->add_option("--local-id", pf->local_id, "the facility's patient ID")->required();
  unlink->add_option("--reason", pf->reason, "why (kept in the history)")->required();
  unlink->callback([=] {
    *exit_code = Call("patients unlink", *cf, "POST", "/v1/unlinks",
                      {{"facility", pf->facility}, {"local_id", pf->local_id}, {"reason", pf->reason}});
  });
  CLI::App* merge = patients->add_subcommand("merge", "Operator: merge one person into another (the first ID then points to the second)");
  AddClientFlags(merge, cf.get());
  merge->add_option("--regional-id", pf->regional_id, "the person merged away")->required();
  merge->add_option("--into", pf->into, "the person that remains")->required();
  merge->add_option("--reason", pf->reason, "why (kept in the history)")->required();
  merge->callback([=] {
    *exit_code = Call("patients merge", *cf, "POST", "/v1/merges",
                      {{"from", pf->regional_id}, {"into", pf->into}, {"reason", pf->reason}});
  });
  CLI::App* revert = patients->add_subcommand("revert", "Operator: undo a change (link, unlink, merge, automatic link)");
  AddClientFlags(revert, cf.get());
  revert->add_option("--change", pf->change, "the change number (from the history)")->required()->check(CLI::PositiveNumber);
  revert->add_option("--reason", pf->reason, "why (kept in the history)")->required();
  revert->callback([=] {
    *exit_code = Call("patients revert", *cf, "POST", fmt::format("/v1/changes/{}/revert", pf->change),
                      {{"reason", pf->reason}});
  });

  // hub service ...
  AddServiceCommands(hub, exit_code);

  // hub review ...
  CLI::App* review = hub->add_subcommand("review", "Operator: the review queue of uncertain matches");
  review->require_subcommand(1);
  struct ReviewFlags {
    std::string status = "open", decision, reason;
    int64_t id = 0;
  };
  auto rf = std::make_shared<ReviewFlags>();
  CLI::App* list = review->add_subcommand("list", "Reviews waiting (or --status linked|kept_apart|obsolete|all)");
  AddClientFlags(list, cf.get());
  list->add_option("--status", rf->status, "which reviews (default open)");
  list->callback([=] {
    *exit_code = Call("review list", *cf, "GET", "/v1/reviews?status=" + http::PercentEncode(rf->status));
  });
  CLI::App* rshow = review->add_subcommand("show", "Both records side by side, with the score breakdown");
  AddClientFlags(rshow, cf.get());
  rshow->add_option("--id", rf->id, "the review")->required()->check(CLI::PositiveNumber);
  rshow->callback([=] { *exit_code = Call("review show", *cf, "GET", fmt::format("/v1/reviews/{}", rf->id)); });
  CLI::App* resolve = review->add_subcommand("resolve", "Decide: link the two records, or keep them apart");
  AddClientFlags(resolve, cf.get());
  resolve->add_option("--id", rf->id, "the review")->required()->check(CLI::PositiveNumber);
  resolve->add_option("--decision", rf->decision, "link or keep_apart")->required()->check(CLI::IsMember({"link", "keep_apart"}));
  resolve->add_option("--reason", rf->reason, "why (kept in the history)")->required();
  resolve->callback([=] {
    *exit_code = Call("review resolve", *cf, "POST", fmt::format("/v1/reviews/{}/resolve", rf->id),
                      {{"decision", rf->decision}, {"reason", rf->reason}});
  });
}

}  // namespace renkei::cli
