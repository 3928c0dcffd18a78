// BlockSignals: lets a server start threads that never receive process signals.
//
// While a BlockSignals is alive, every signal is blocked in the calling thread, so threads it
// starts meanwhile inherit a mask with every signal blocked; the destructor restores the
// caller's mask. Servers (mllp/, http/) wrap the creation of their threads in one, so that
// SIGINT and SIGTERM reach the caller's threads, which handle them and call Stop().
// Not copyable; use on one thread, in one scope.
#pragma once

#include <signal.h>

namespace renkei {

class BlockSignals {
 public:
  BlockSignals() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved_);
  }
  ~BlockSignals() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  BlockSignals(const BlockSignals&) = delete;
  BlockSignals& operator=(const BlockSignals&) = delete;

 private:
  sigset_t saved_;
};

}  // namespace renkei
