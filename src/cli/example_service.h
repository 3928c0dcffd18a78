// `renkei example-service reception`: a small reception service (seed 000's reservation and
// reception service) that uses only the hub's public service API, written to be copied by a
// service developer:
//   * it signs in with OAuth2 client credentials (POST /v1/oauth/token, HTTP Basic) and asks
//     again shortly before its access token expires;
//   * it listens for webhooks (POST /webhook): checks each Renkei-Signature with its signing
//     secret (gateway/signature.h: HMAC-SHA256 over "<t>.<body>", 5 minutes' tolerance),
//     answers 401 to a bad one, and handles each Idempotency-Key once (a redelivery is
//     answered 200 and not handled again); with --json it prints each new notification as one
//     JSON line (its body), otherwise a line for people;
//   * --receive FACILITY/LOCAL_ID writes a reception back (an Encounter with status "arrived":
//     time, reason, department; seed 000 S110-S118) and prints what the hub returns for it —
//     the facility's data its types allow — then exits;
//   * --fetch FACILITY/LOCAL_ID asks for a patient's data (S102-S108), prints it and exits.
// It prints "listening on http(s)://HOST:PORT/webhook" once it listens (port 0 picks one).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/edge_commands.h"

namespace renkei::cli {

// Adds `example-service` to `app`. Exit codes as HubExitCode.
void AddExampleServiceCommands(CLI::App& app, const GlobalOptions& global, int* exit_code);

}  // namespace renkei::cli
