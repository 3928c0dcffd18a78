// `renkei edge events|export|entity|changes`: the clinical layer of a facility's repository
// for operators and scripts — a patient's chart lines, their record as a FHIR Bundle, one
// entity, and the change feed.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/edge_commands.h"

namespace renkei::cli {

// Adds the commands under `edge`.
void AddEdgeChartCommands(CLI::App& edge, const GlobalOptions& global, int* exit_code);

}  // namespace renkei::cli
