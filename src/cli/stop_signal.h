// Ctrl-C and SIGTERM for long-running commands: after InstallStopHandler(), StopRequested()
// turns true on the first signal so the command can stop cleanly (a signal handler can only
// reach static storage; this flag is the one piece of it in the program).
#pragma once

#include <atomic>

namespace renkei::cli {

void InstallStopHandler();
bool StopRequested();
// The flag itself, for work that takes a cancellation flag (importers, generators).
const std::atomic<bool>* StopFlag();

}  // namespace renkei::cli
