// The relay from the command line: `renkei edge connect` keeps a facility's edge connected to
// the hub (outbound only), and `renkei chart` asks the hub for one patient's chart across every
// facility, for operators, scripts and tests.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/edge_commands.h"

namespace renkei::cli {

// Adds `connect` under `edge`.
void AddEdgeConnectCommand(CLI::App& edge, const GlobalOptions& global, int* exit_code);
// Adds `chart` and `entity` to the top level.
void AddChartCommands(CLI::App& app, int* exit_code);

}  // namespace renkei::cli
