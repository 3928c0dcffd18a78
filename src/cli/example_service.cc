#include "cli/example_service.h"

#include <chrono>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/time.h"
#include "cli/hub_commands.h"
#include "cli/stop_signal.h"
#include "gateway/signature.h"
#include "http/client.h"
#include "http/server.h"
#include "http/target.h"
#include "pki/tls.h"
#include "text/base64.h"

namespace renkei::cli {
namespace {

using nlohmann::json;

constexpr size_t kRemembered = 100'000;  // idempotency keys kept for de-duplication

struct ExampleFlags {
  std::string hub = "http://127.0.0.1:8780";
  std::string ca;  // for an https:// hub (and the hub's webhooks over https)
  std::string client_id, client_secret_file, signing_secret_file;
  std::string listen = "127.0.0.1:0";
  std::string tls_cert, tls_key;  // serve the webhook over HTTPS
  std::string receive, fetch;     // FACILITY/LOCAL_ID
  std::string department = "01", reason = "再診", at, key;
  bool json = false;
};

// The text at `key` of a JSON object, "" when it is missing or not a string: the service reads
// what the hub sends without trusting its shape.
std::string Text(const json& j, std::string_view key) {
  if (!j.is_object()) return "";
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

StatusOr<std::string> FirstLine(const std::string& path, std::string_view what) {
  std::ifstream in(path);
  std::string line;
  if (path.empty() || !in || !std::getline(in, line)) return NotFound(fmt::format("cannot read {} from '{}'", what, path));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// The service's side of the hub: an access token, asked for again before it expires.
class HubSession {
 public:
  HubSession(const ExampleFlags& f, std::string secret) : f_(f), secret_(std::move(secret)) {}

  StatusOr<http::ClientResponse> Call(std::string_view method, const std::string& path, const json& body,
                                      http::HeaderList headers = {}) {
    RENKEI_ASSIGN_OR_RETURN(std::string token, Token());
    headers.emplace_back("Authorization", "Bearer " + token);
    RENKEI_ASSIGN_OR_RETURN(auto tls, Tls());
    return http::Client(tls).Fetch(method, f_.hub + path, body.is_null() ? "" : body.dump(), "application/json",
                                   std::chrono::seconds(30), headers);
  }

 private:
  StatusOr<std::shared_ptr<boost::asio::ssl::context>> Tls() {
    if (!f_.hub.starts_with("https://")) return std::shared_ptr<boost::asio::ssl::context>();
    if (f_.ca.empty()) return InvalidArgument("an https:// hub needs --ca");
    pki::TlsFiles trust;
    trust.ca = f_.ca;
    return pki::ClientContext(trust);
  }

  // RFC 6749 §4.4 with the client's credentials by HTTP Basic (§2.3.1).
  StatusOr<std::string> Token() {
    const int64_t now = NowUnixMs();
    if (!token_.empty() && now < expires_ms_ - 60'000) return token_;
    RENKEI_ASSIGN_OR_RETURN(auto tls, Tls());
    const std::string basic = text::Base64Encode(http::PercentEncode(f_.client_id) + ":" + http::PercentEncode(secret_));
    RENKEI_ASSIGN_OR_RETURN(auto response, http::Client(tls).Fetch("POST", f_.hub + "/v1/oauth/token", "grant_type=client_credentials",
                                                                   "application/x-www-form-urlencoded", std::chrono::seconds(30),
                                                                   {{"Authorization", "Basic " + basic}}));
    const json answer = json::parse(response.body, nullptr, false);
    if (response.status != 200 || Text(answer, "access_token").empty()) {
      // RFC 6749 §5.2 names the error in "error"; any other answer is described by its status.
      std::string why = Text(answer, "error");
      if (why.empty()) why = fmt::format("HTTP {} from {}/v1/oauth/token", response.status, f_.hub);
      return PermissionDenied(fmt::format("the hub refused the client credentials: {}", why));
    }
    token_ = Text(answer, "access_token");
    const auto expires = answer.find("expires_in");
    expires_ms_ = now + (expires != answer.end() && expires->is_number_integer() ? expires->get<int64_t>() : 60) * 1000;
    return token_;
  }

  const ExampleFlags& f_;
  const std::string secret_;
  std::string token_;
  int64_t expires_ms_ = 0;
};

// Each notification once, by its idempotency key.
class Seen {
 public:
  bool First(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (!keys_.insert(key).second) return false;
    order_.push_back(key);
    if (order_.size() > kRemembered) {
      keys_.erase(order_.front());
      order_.pop_front();
    }
    return true;
  }

 private:
  std::mutex mutex_;
  std::set<std::string> keys_;
  std::deque<std::string> order_;
};

int Fail(const Status& s) {
  std::cerr << "renkei example-service reception: " << s.message() << "\n";
  return HubExitCode(s);
}

// FACILITY/LOCAL_ID → the API path of that patient.
StatusOr<std::string> PatientPath(const std::string& spec) {
  const size_t slash = spec.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == spec.size()) {
    return InvalidArgument("name the patient as FACILITY/LOCAL_ID");
  }
  return fmt::format("/v1/facilities/{}/patients/{}", http::PercentEncode(spec.substr(0, slash)),
                     http::PercentEncode(spec.substr(slash + 1)));
}

int Print(const StatusOr<http::ClientResponse>& response) {
  if (!response.ok()) return Fail(response.status());
  if (Status s = http::ResponseStatus(*response); !s.ok()) return Fail(s);
  std::cout << json::parse(response->body, nullptr, false).dump(2) << "\n";
  return 0;
}

// The reception (seed 000 S110): the patient has arrived, at a time, for a reason, at a department.
json Reception(const ExampleFlags& f) {
  const std::string at = f.at.empty() ? NowUtcIso8601().substr(0, 19) + "Z" : f.at;
  return {{"resourceType", "Encounter"},
          {"status", "arrived"},
          {"class", {{"system", "http://terminology.hl7.org/CodeSystem/v3-ActCode"}, {"code", "AMB"}}},
          {"serviceType", {{"coding", {{{"code", f.department}}}}}},
          {"reasonCode", {{{"text", f.reason}}}},
          {"period", {{"start", at}}}};
}

int Run(const ExampleFlags& f) {
  auto secret = FirstLine(f.client_secret_file, "the client secret");
  if (!secret.ok()) return Fail(secret.status());
  HubSession hub(f, *secret);
  if (!f.fetch.empty()) {
    auto path = PatientPath(f.fetch);
    if (!path.ok()) return Fail(path.status());
    return Print(hub.Call("GET", *path + "/resources", nullptr));
  }
  if (!f.receive.empty()) {
    auto path = PatientPath(f.receive);
    if (!path.ok()) return Fail(path.status());
    const std::string key = f.key.empty() ? fmt::format("reception-{}-{}", f.receive, NowUnixMs()) : f.key;
    return Print(hub.Call("POST", *path + "/writes", Reception(f), {{"Idempotency-Key", key}}));
  }
  auto signing = FirstLine(f.signing_secret_file, "the signing secret");
  if (!signing.ok()) return Fail(signing.status());
  auto logger = log::Logger::Null();
  auto seen = std::make_shared<Seen>();
  auto out = std::make_shared<std::mutex>();
  http::Router router(logger);
  router.Add("POST", "/webhook", [f, seen, out, signing_secret = *signing](http::Request& r) {
    const Status verified =
        gateway::VerifyWebhook(signing_secret, r.Header("renkei-signature").value_or(""), r.body, NowUnixMs() / 1000);
    if (!verified.ok()) return http::Error(401, verified);
    const json body = json::parse(r.body, nullptr, false);
    const std::string key = r.Header("idempotency-key").value_or("");
    if (!body.is_object() || key.empty() || Text(body, "idempotency_key") != key) {
      return http::Error(InvalidArgument("not a Renkei notification"));
    }
    if (seen->First(key)) {  // a redelivery is acknowledged, not handled again
      std::lock_guard lock(*out);
      if (f.json) {
        std::cout << body.dump() << std::endl;
      } else {
        const json change = body.value("change", json::object()), patient = body.value("patient", json::object());
        const json resources = body.value("resources", json::array());
        std::cout << fmt::format("notification {}: {} {} of patient {} at facility {} ({} resources)", key,
                                 Text(change, "kind"), Text(change, "resource_type"), Text(patient, "local_id"),
                                 Text(body, "facility"), resources.is_array() ? resources.size() : 0)
                  << std::endl;
      }
    }
    return http::Json(200, {{"received", key}});
  });
  http::ServerOptions options;
  options.listen = f.listen;
  if (!f.tls_cert.empty()) {
    pki::TlsFiles files;
    files.cert = f.tls_cert;
    files.key = f.tls_key;
    files.ca = f.ca;
    auto context = pki::ServerContext(files, /*require_client_cert=*/false);
    if (!context.ok()) return Fail(context.status());
    options.tls = *context;
  }
  InstallStopHandler();
  auto server = http::Server::Start(options, std::move(router), logger);
  if (!server.ok()) return Fail(server.status());
  fmt::print("listening on {}://{}:{}/webhook\n", options.tls ? "https" : "http", f.listen.substr(0, f.listen.rfind(':')),
             (*server)->port());
  std::fflush(stdout);
  while (!StopRequested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (*server)->Stop();
  return 0;
}

}  // namespace

void AddExampleServiceCommands(CLI::App& app, const GlobalOptions&, int* exit_code) {
  CLI::App* example = app.add_subcommand("example-service", "Example service providers that use only the hub's public API");
  example->require_subcommand(1);
  auto f = std::make_shared<ExampleFlags>();
  CLI::App* r = example->add_subcommand(
      "reception", "A reception service: receives signed webhooks (once each), writes a reception back, asks for data");
  r->add_option("--hub", f->hub, "the hub's URL (default http://127.0.0.1:8780)");
  r->add_option("--ca", f->ca, "the regional CA's certificate, for an https:// hub");
  r->add_option("--client-id", f->client_id, "the service's OAuth2 client ID (from `renkei hub service add`)")->required();
  r->add_option("--client-secret-file", f->client_secret_file, "a file holding its client secret")->required();
  r->add_option("--signing-secret-file", f->signing_secret_file, "a file holding its webhook signing secret (to listen)");
  r->add_option("--listen", f->listen, "host:port for the webhook (default 127.0.0.1:0: a free port)");
  r->add_option("--tls-cert", f->tls_cert, "serve the webhook over HTTPS with this certificate");
  r->add_option("--tls-key", f->tls_key, "its private key");
  r->add_flag("--json", f->json, "print each new notification as one JSON line");
  r->add_option("--receive", f->receive, "write a reception for FACILITY/LOCAL_ID, print the hub's answer and exit");
  r->add_option("--department", f->department, "the reception's department code (default 01)");
  r->add_option("--reason", f->reason, "the reason for the visit (default 再診)");
  r->add_option("--at", f->at, "the reception's time, YYYY-MM-DDTHH:MM:SSZ (default now)");
  r->add_option("--key", f->key, "the write's idempotency key (default one of its own)");
  r->add_option("--fetch", f->fetch, "print the data the hub gives for FACILITY/LOCAL_ID and exit");
  r->callback([f, exit_code] {
    while (f->hub.ends_with('/')) f->hub.pop_back();  // "http://host:8780/" names the same hub
    *exit_code = Run(*f);
  });
}

}  // namespace renkei::cli
