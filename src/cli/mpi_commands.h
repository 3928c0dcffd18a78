// `renkei mpi ...`: the patient-index linkage engine on its own, over files — to check its
// accuracy (`evaluate`) against a ground truth and to estimate a model for a hub.
#pragma once

#include <CLI/CLI.hpp>

namespace renkei::cli {

// Adds the `mpi` subcommand tree to `app`. `exit_code` receives the command's result:
// 0 done, 2 invalid input (with the reason on standard error), 3 a file not found, 1 other.
void AddMpiCommands(CLI::App& app, int* exit_code);

}  // namespace renkei::cli
