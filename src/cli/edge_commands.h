// `renkei edge ...`: the command line of the edge repository (import, watch,
// quarantine list|show|replay, patients, records).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace renkei::cli {

// Options every command shares (set on the top-level app).
struct GlobalOptions {
  std::string config_path;  // --config FILE (TOML)
  std::string log_level;    // --log-level overrides the configuration
  std::string facility;     // --facility overrides edge.facility_id
};

// Adds the `edge` subcommand tree to `app`. `exit_code` receives the command's result.
void AddEdgeCommands(CLI::App& app, const GlobalOptions& global, int* exit_code);

}  // namespace renkei::cli
