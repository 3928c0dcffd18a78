// `renkei hub service ...`: the operator's commands for service providers (seed 000) — register
// a service (its secrets printed once), list and show them, enable and disable, connect a
// facility and a service in the permission matrix with the type information, and look after
// deliveries (list, retry, replay). Clients of hub/service_api.h that print its JSON answers.
//
// `renkei example-service reception` (example_service.h) is the other side: a service.
#pragma once

#include <CLI/CLI.hpp>

namespace renkei::cli {

// Adds `service` to the `hub` command. Exit codes as HubExitCode.
void AddServiceCommands(CLI::App* hub, int* exit_code);

}  // namespace renkei::cli
