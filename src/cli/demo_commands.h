// `renkei demo`: a whole demo region on this machine — a generated region of facilities and
// patients, the regional CA, one edge per facility (each its own process, store and
// certificate) and the hub, with people to sign in as — started in the background (`up`),
// looked at (`status`), stopped (`down`), or run in the foreground until Ctrl-C (`run`).
// Everything lives in one directory (default .renkei/demo); running it again reuses what is
// there.
#pragma once

#include <CLI/CLI.hpp>

namespace renkei::cli {

void AddDemoCommands(CLI::App& app, int* exit_code);

}  // namespace renkei::cli
