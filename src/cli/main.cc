// The single `renkei` executable. Each node role is a subcommand: `edge`, `hub`; `mpi` runs the
// patient-index linkage over files, `gen` writes synthetic data, `ca` runs the region's
// certificate authority, `audit` reads the hub's audit trail and `demo` runs a whole region on
// one machine.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/audit_commands.h"
#include "cli/ca_commands.h"
#include "cli/demo_commands.h"
#include "cli/edge_commands.h"
#include "cli/example_service.h"
#include "cli/gen_commands.h"
#include "cli/hub_commands.h"
#include "cli/mpi_commands.h"
#include "cli/relay_commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Renkei (連携) — a health information exchange.\n"
      "Each facility's records stay where they were made; `renkei edge` keeps a facility's\n"
      "SS-MIX2 standardized storage as a clean, queryable repository."};
  app.set_version_flag("--version", "renkei 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();  // global options (--config, --log-level) may follow the subcommands
  renkei::cli::GlobalOptions global;
  app.add_option("--config", global.config_path, "TOML configuration file (see docs/configuration.md)")
      ->check(CLI::ExistingFile);
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error or off (overrides the config)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("--facility", global.facility,
                 "the facility's ID (10-digit 医療機関コード) that names its FHIR identifiers; overrides edge.facility_id");
  int exit_code = 0;
  renkei::cli::AddAuditCommands(app, &exit_code);
  renkei::cli::AddCaCommands(app, &exit_code);
  renkei::cli::AddDemoCommands(app, &exit_code);
  renkei::cli::AddEdgeCommands(app, global, &exit_code);
  renkei::cli::AddExampleServiceCommands(app, global, &exit_code);
  renkei::cli::AddGenCommands(app, global, &exit_code);
  renkei::cli::AddHubCommands(app, global, &exit_code);
  renkei::cli::AddMpiCommands(app, &exit_code);
  renkei::cli::AddChartCommands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
