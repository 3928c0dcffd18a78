#include "cli/service_commands.h"

#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/hub_commands.h"
#include "http/target.h"

namespace renkei::cli {
namespace {

using nlohmann::json;

struct ServiceFlags {
  std::string id, name, webhook, cert_name, facility, notify = "signal", state, since;
  std::vector<std::string> types;  // Type or Type:element,element
  bool no_client_credentials = false;
  int64_t delivery = 0;
  int limit = 100;
};

// "Patient:name,birthDate" → {"type": "Patient", "elements": ["name", "birthDate"]}.
json TypeOf(const std::string& spec) {
  const size_t colon = spec.find(':');
  json t = {{"type", spec.substr(0, colon)}};
  if (colon != std::string::npos) {
    json elements = json::array();
    for (size_t start = colon + 1; start <= spec.size();) {
      const size_t comma = std::min(spec.find(',', start), spec.size());
      if (comma > start) elements.push_back(spec.substr(start, comma - start));
      start = comma + 1;
    }
    t["elements"] = elements;
  }
  return t;
}

}  // namespace

void AddServiceCommands(CLI::App* hub, int* exit_code) {
  CLI::App* service = hub->add_subcommand(
      "service", "Operator: service providers (reservations, reception, questionnaires...) and the permission matrix");
  service->require_subcommand(1);
  auto cf = std::make_shared<ClientFlags>();
  auto sf = std::make_shared<ServiceFlags>();
  const auto call = [cf, exit_code](std::string command, std::string method, std::string path, json body = nullptr) {
    *exit_code = CallAndPrint("renkei hub service", command, *cf, method, path, body);
  };
  const auto id_path = [sf] { return "/v1/services/" + http::PercentEncode(sf->id); };

  CLI::App* add = service->add_subcommand("add", "Register a service: prints its client ID and secret and its webhook "
                                                 "signing secret, this once");
  AddClientFlags(add, cf.get());
  add->add_option("--name", sf->name, "the service's name: 1-64 of A-Z a-z 0-9 . _ -")->required();
  add->add_option("--webhook", sf->webhook, "where notifications go: https://..., or http://127.0.0.1:PORT/... to develop");
  add->add_option("--cert-name", sf->cert_name, "the CN of its client certificate (`renkei ca issue --role service`)");
  add->add_flag("--no-client-credentials", sf->no_client_credentials,
                "issue no OAuth2 client ID and secret (the service signs in with its certificate only)");
  add->callback([=] {
    json body = {{"name", sf->name}, {"client_credentials", !sf->no_client_credentials}};
    if (!sf->webhook.empty()) body["webhook_url"] = sf->webhook;
    if (!sf->cert_name.empty()) body["cert_name"] = sf->cert_name;
    call("add", "POST", "/v1/services", body);
  });

  CLI::App* list = service->add_subcommand("list", "Every registered service");
  AddClientFlags(list, cf.get());
  list->callback([=] { call("list", "GET", "/v1/services"); });

  CLI::App* show = service->add_subcommand("show", "A service, its cells of the matrix and its deliveries by state");
  AddClientFlags(show, cf.get());
  show->add_option("--id", sf->id, "the service (S...)")->required();
  show->callback([=] { call("show", "GET", id_path()); });

  for (const char* change : {"enable", "disable"}) {
    CLI::App* cmd = service->add_subcommand(change, fmt::format("{} a service", change == std::string("enable") ? "Enable" : "Disable"));
    AddClientFlags(cmd, cf.get());
    cmd->add_option("--id", sf->id, "the service (S...)")->required();
    cmd->callback([=] { call(change, "POST", id_path() + "/" + change); });
  }

  CLI::App* webhook = service->add_subcommand("webhook", "Change where a service's notifications go");
  AddClientFlags(webhook, cf.get());
  webhook->add_option("--id", sf->id, "the service (S...)")->required();
  webhook->add_option("--webhook", sf->webhook, "the new URL")->required();
  webhook->callback([=] { call("webhook", "POST", id_path() + "/webhook", {{"webhook_url", sf->webhook}}); });

  CLI::App* grant = service->add_subcommand(
      "grant", "Connect a facility and a service in the permission matrix, with the data types it may receive");
  AddClientFlags(grant, cf.get());
  grant->add_option("--facility", sf->facility, "the facility's code")->required();
  grant->add_option("--id", sf->id, "the service (S...)")->required();
  grant->add_option("--notify", sf->notify, "how it hears of changes there: none, signal (default) or data")
      ->check(CLI::IsMember({"none", "signal", "data"}));
  grant->add_option("--type", sf->types,
                    "a FHIR resource type it may receive, all elements (Encounter) or only some (Patient:name,birthDate); "
                    "repeat");
  grant->callback([=] {
    json types = json::array();
    for (const std::string& t : sf->types) types.push_back(TypeOf(t));
    call("grant", "PUT", fmt::format("/v1/matrix/{}/{}", http::PercentEncode(sf->facility), http::PercentEncode(sf->id)),
         {{"notify", sf->notify}, {"types", types}});
  });

  CLI::App* revoke = service->add_subcommand("revoke", "Disconnect a facility and a service");
  AddClientFlags(revoke, cf.get());
  revoke->add_option("--facility", sf->facility, "the facility's code")->required();
  revoke->add_option("--id", sf->id, "the service (S...)")->required();
  revoke->callback([=] {
    call("revoke", "DELETE", fmt::format("/v1/matrix/{}/{}", http::PercentEncode(sf->facility), http::PercentEncode(sf->id)));
  });

  CLI::App* matrix = service->add_subcommand("matrix", "The permission matrix (optionally one facility's or one service's)");
  AddClientFlags(matrix, cf.get());
  matrix->add_option("--facility", sf->facility, "only this facility");
  matrix->add_option("--id", sf->id, "only this service");
  matrix->callback([=] {
    call("matrix", "GET", fmt::format("/v1/matrix?facility={}&service={}", http::PercentEncode(sf->facility),
                                      http::PercentEncode(sf->id)));
  });

  CLI::App* deliveries = service->add_subcommand("deliveries", "A service's notifications, newest first");
  AddClientFlags(deliveries, cf.get());
  deliveries->add_option("--id", sf->id, "the service (S...)")->required();
  deliveries->add_option("--state", sf->state, "only pending, delivered, dead or withheld ones");
  deliveries->add_option("--limit", sf->limit, "at most this many (default 100)")->check(CLI::Range(1, 1000));
  deliveries->callback([=] {
    std::string path = fmt::format("{}/deliveries?limit={}", id_path(), sf->limit);
    if (!sf->state.empty()) path += "&state=" + http::PercentEncode(sf->state);
    call("deliveries", "GET", path);
  });

  CLI::App* retry = service->add_subcommand("retry", "Send a dead notification again now");
  AddClientFlags(retry, cf.get());
  retry->add_option("--id", sf->id, "the service (S...)")->required();
  retry->add_option("--delivery", sf->delivery, "the delivery's number")->required()->check(CLI::PositiveNumber);
  retry->callback([=] { call("retry", "POST", fmt::format("{}/deliveries/{}/retry", id_path(), sf->delivery)); });

  CLI::App* replay = service->add_subcommand("replay", "Send every notification since a time again (30 days back at most)");
  AddClientFlags(replay, cf.get());
  replay->add_option("--id", sf->id, "the service (S...)")->required();
  replay->add_option("--since", sf->since, "YYYY-MM-DDTHH:MM:SSZ")->required();
  replay->callback([=] { call("replay", "POST", fmt::format("{}/replay?since={}", id_path(), http::PercentEncode(sf->since))); });
}

}  // namespace renkei::cli
