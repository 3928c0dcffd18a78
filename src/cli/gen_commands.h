// `renkei gen ...`: synthetic data for demos, tests and benchmarks. `gen region` writes a
// deterministic region of SS-MIX2 trees with the ground truth of who is who (gen/region.h);
// `gen people` only its patient-index tables, fast, for record-linkage benchmarks (gen/people.h).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/edge_commands.h"

namespace renkei::cli {

// Adds the `gen` subcommand tree to `app`. `exit_code` receives the command's result:
// 0 done, 2 invalid options (with the reason on standard error), 1 other failures.
void AddGenCommands(CLI::App& app, const GlobalOptions& global, int* exit_code);

}  // namespace renkei::cli
