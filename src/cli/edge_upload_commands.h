// `renkei edge upload --csv FILE | --fhir FILE`: a facility without an SS-MIX2 tree sends its
// records as a receipt-computer CSV or a FHIR R4 Bundle (edge/upload.h). Prints what became
// of every row or entry; exit status 0 when everything went in, 1 when something was
// quarantined, 2 when the file cannot be used.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/edge_commands.h"

namespace renkei::cli {

// Adds `upload` under `edge`.
void AddEdgeUploadCommand(CLI::App& edge, const GlobalOptions& global, int* exit_code);

}  // namespace renkei::cli
