// `renkei ca ...`: the hub operator's regional certificate authority (pki/ca.h) on the command
// line — `init` a CA directory, `issue` certificates for the hub, edges, services, users and
// operators, `revoke` them (a running hub refuses the revoked certificate on its next
// connection), `list` what was issued and re-sign the `crl`.
#pragma once

#include <CLI/CLI.hpp>

namespace renkei::cli {

// Adds the `ca` subcommand tree to `app`. Exit codes as HubExitCode: 0 done, 2 invalid input
// (or the CA is not initialised, or the name is in use), 3 not found, 4 a file could not be
// read or written, 1 other (a damaged CA directory).
void AddCaCommands(CLI::App& app, int* exit_code);

}  // namespace renkei::cli
