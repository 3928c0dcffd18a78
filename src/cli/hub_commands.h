// `renkei hub ...`: the region's hub. `hub serve` runs the patient index (名寄せ, PIX/PDQ,
// record locator) as a JSON HTTP API; `hub token add` issues callers' credentials; `hub
// patients ...`, `hub review ...` and `hub service ...` (service_commands.h) are command-line clients of that API for operators and
// scripts (they print the API's JSON answers).
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/status.h"
#include "cli/edge_commands.h"
#include "http/client.h"
#include "pki/tls.h"

namespace renkei::cli {

// Adds the `hub` subcommand tree to `app`. Exit codes: 0 done, 2 invalid input, 3 not found,
// 4 the hub or its store unavailable, 5 not authenticated or not allowed, 1 other.
void AddHubCommands(CLI::App& app, const GlobalOptions& global, int* exit_code);

// The exit code for an error status (shared by every client of the hub).
int HubExitCode(const Status& s);

// Where the hub's API is and who calls it, as a client command's flags give them.
struct ClientFlags {
  std::string hub;    // the hub's URL
  std::string token;  // the caller's bearer token
  pki::TlsFiles tls;  // for https://: ca (the regional CA), and cert/key to sign in with a certificate
};
// Adds --hub, --token, --ca, --cert and --key to a client command.
void AddClientFlags(CLI::App* cmd, ClientFlags* f);
// The flags completed from RENKEI_HUB / RENKEI_HUB_TOKEN and the default hub
// (http://127.0.0.1:8780), the URL without a trailing '/'. InvalidArgument without a token or
// a client certificate, or for https:// without --ca.
StatusOr<ClientFlags> ResolveClient(const ClientFlags& f);

// Calls the hub's API at `path` ("/v1/...") as the resolved flags say (the token as a bearer
// token, the certificate over TLS); http::Client's errors.
// Calls the API as CallHub does and prints its JSON answer; on failure prints
// "<program> <command>: <the error the hub sent>" to stderr. The exit code (HubExitCode).
int CallAndPrint(std::string_view program, std::string_view command, const ClientFlags& f, std::string_view method,
                 const std::string& path, const nlohmann::json& body = nullptr);

StatusOr<http::ClientResponse> CallHub(const ClientFlags& resolved, std::string_view method, const std::string& path,
                                       std::string_view body, std::chrono::milliseconds timeout);

}  // namespace renkei::cli
