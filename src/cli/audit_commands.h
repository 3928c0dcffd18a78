// `renkei audit ...`: the hub's audit trail (audit/) for operators and auditors — `verify` walks
// the whole log and says whether it is intact or which entry is the first that is not, and `list`
// shows entries (a patient's, a principal's, a facility's ...) newest first. Both only read: the
// hub's Log is the only writer.
#pragma once

#include <CLI/CLI.hpp>

namespace renkei::cli {

// Adds the `audit` subcommand tree to `app`. Exit codes: 0 intact / listed, 1 the log is not
// intact (verify) or a stored entry is damaged (list), 2 invalid input, 3 no such log, 4 the
// store unavailable.
void AddAuditCommands(CLI::App& app, int* exit_code);

}  // namespace renkei::cli
