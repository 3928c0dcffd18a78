// Log: the hub's append-only, tamper-evident audit trail — every access to patient data and
// every change of policy, consent or override, as Events (event.h) numbered 0, 1, 2 ... over
// sql/ (SQLite or PostgreSQL, store.h).
//
// Tamper evidence. Each entry's row keeps its chain value (hash.h): chain_i = SHA-256(chain_{i-1}
// || SHA-256(0x00 || text_i)), so changing, removing, inserting or reordering an entry breaks the
// chain at that entry. Someone able to rewrite the database can recompute the chain, so the Log
// also writes signed heads (head.h): the hub's signature over (size, chain value) every
// `head_every` entries, at most `head_delay` after an entry it does not cover yet, on Flush() and
// on Close(). What a signed head covers cannot be rewritten without the hub's key; Verify
// (verify.h) checks the chain and every head and names the first entry that is wrong. Entries
// after the last head are protected by the chain alone until the next head; publishing heads
// outside the database (a witness, the operator's mail) would also protect against a
// database rolled back whole — not done here.
//
// Durability and throughput. Append() returns once the entry is committed. Appends from many
// threads are grouped (group commit): one writer thread takes every entry waiting, up to
// `max_batch`, and writes them in one transaction, so one disk flush serves them all. SQLite
// runs in WAL mode with synchronous=FULL, which flushes the WAL at every commit: committed means
// on disk, also after a power cut (with NORMAL, a commit becomes durable only at the next
// checkpoint and the last transactions can be lost — acceptable for caches, not for an audit
// trail). PostgreSQL commits are durable with its default synchronous_commit=on.
// The queue is bounded (`max_pending`): when the disk falls behind, Append blocks.
//
// Only one Log should write to a database at a time: a second one's appends collide with the
// first's numbers and fail (kAlreadyExists) until it has read the log's end again. Readers (List,
// `renkei audit verify`) may read concurrently.
//
// Retention. Entries are kept `retention` (default 7 years). Prune(before) removes only a whole
// prefix, and only up to a signed head: it deletes entries 0..s-1, where s is the largest head
// size such that every entry below s is older than `before`, keeps that head — its chain value is
// where Verify starts — and appends an "audit.prune" entry whose basis names the cut
// ("head:<s>"), so that a prefix removed without it is reported. Nothing prunes on its own: the
// hub calls Prune(NowUnixMs() - retention) (daily). Appends wait while Prune deletes.
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "audit/event.h"
#include "audit/hash.h"
#include "audit/head.h"
#include "audit/store.h"
#include "base/status.h"
#include "pki/signature.h"
#include "sql/sql.h"

namespace renkei::audit {

struct LogOptions {
  // Signs the heads: the hub's key and certificate (`renkei ca issue --role hub`). Without one
  // heads are written unsigned, and Verify with a CA reports them.
  std::optional<pki::Signer> signer{};
  int64_t head_every = 10'000;                        // entries between heads (>= 1)
  std::chrono::milliseconds head_delay{10'000};       // longest an entry waits for a head (> 0)
  size_t max_batch = 4096;                            // entries in one transaction (>= 1)
  size_t max_pending = 65'536;                        // entries queued before Append blocks (>= max_batch)
  // SQLite: synchronous=FULL (see above). false gives NORMAL: for tests and for filling a
  // benchmark's log only.
  bool durable = true;
  std::chrono::hours retention{24 * (7 * 365 + 2)};   // 7 years, for the caller's Prune
};

struct PruneResult {
  int64_t removed = 0;  // entries deleted
  int64_t first = 0;    // the lowest entry number kept (the size of the head kept at the cut)
};

class Log {
  struct Request;

 public:
  // Opens (creating if needed) the log at `url` — "sqlite:PATH" or "postgresql://..." — brings
  // its schema up to date, and starts its writer. Errors: kInvalidArgument for a malformed URL
  // or options; kUnavailable when the database cannot be opened; kFailedPrecondition when its
  // schema is newer than this program; kDataLoss when the log's end does not match its last
  // signed head (entries removed or changed: run Verify before writing to it again).
  static StatusOr<std::unique_ptr<Log>> Open(std::string_view url, LogOptions options = {});
  ~Log();  // Close()

  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Appends `event` and returns its number once it is committed. A time_ms of 0 becomes now.
  // Errors: Validate's and CanonicalText's (nothing written); kFailedPrecondition after Close();
  // the database's errors (kUnavailable ...) when the transaction holding it failed.
  StatusOr<int64_t> Append(const Event& event);
  // Appends `events` as consecutive entries in one transaction (all or none) and returns the
  // number of the first. kInvalidArgument for an empty span; otherwise as Append, naming the
  // index of an invalid event ("event 3: reason: ...").
  StatusOr<int64_t> AppendAll(std::span<const Event> events);

  // An append under way (Begin): the caller does other work — gathers the data whose access it
  // records — while the entry is committed, and Wait()s before disclosing it. The destructor
  // waits too (the writer uses the entry until it is committed); the Log must outlive it.
  class Pending {
   public:
    Pending(Pending&&) noexcept = default;
    Pending& operator=(Pending&& other) noexcept;  // waits for this one's entry first
    ~Pending();
    // The entry's number once committed, or why it was not (as Append). May be called again.
    StatusOr<int64_t> Wait();

   private:
    friend class Log;
    Pending(Log* log, std::unique_ptr<Request> request, Status status);
    Log* log_;
    std::unique_ptr<Request> request_;  // null when it failed before being queued
    Status status_;                     // why, then
  };
  // Append without waiting: queues `event` (blocking only while the queue is full) and returns.
  Pending Begin(const Event& event);

  // Waits until every entry appended before the call is committed, writes a signed head over
  // them unless the latest head covers them already, and returns that head (size 0 while the
  // log is empty). kFailedPrecondition after Close(); the database's errors.
  StatusOr<TreeHead> Flush();

  // Flushes and stops the writer; later calls fail with kFailedPrecondition. Idempotent: returns
  // the first call's result.
  Status Close();

  // The number of committed entries (the next entry's number).
  int64_t size() const;
  // The latest head written (size 0 when none).
  TreeHead latest_head() const;

  // List (store.h) on a connection of the Log's own for reading.
  StatusOr<Page> List(const Query& query);

  // Removes the entries older than `before_ms` up to a signed head, as described above; nothing
  // when no head allows a cut. kFailedPrecondition after Close(); the database's errors.
  StatusOr<PruneResult> Prune(int64_t before_ms);

 private:
  // An entry made ready by the appending thread: its text and leaf hash.
  struct Prepared {
    std::string text;
    Digest leaf{};
    int64_t time_ms = 0;
    std::string action, principal, facility, patient;
  };
  // What a thread asks the writer for, and waits for: entries appended together, a head
  // (Flush, Close) or a task run in a transaction of its own (Prune's deletion).
  struct Request {
    std::vector<Prepared> entries;
    bool head = false;
    std::function<Status(sql::SqlConnection&)> task;
    uint64_t ticket = 0;  // its place in the queue, given by Enqueue
    // Set by the writer before it publishes completed_ >= ticket, read by the waiter after.
    Status status;
    int64_t first = -1;   // the first entry's number
  };

  Log(std::unique_ptr<sql::SqlConnection> writer, std::unique_ptr<sql::SqlConnection> reader, LogOptions options);
  // Hands `request` to the writer and waits until it is done; its status.
  Status Submit(Request& request);
  // Validates `events` and makes them ready to append, into `request`.
  static Status Prepare(std::span<const Event> events, Request& request);
  // Hands `request` to the writer once the queue has room, without waiting for it.
  Status Admit(Request& request);
  void Enqueue(Request& request);  // with mutex_ held
  void WaitFor(const Request& request);
  void WriterLoop();
  // Writes the entries of `batch`, and a head when `with_head`, in one transaction; on success
  // advances the writer's state (next_seq_, chain_, head_). Writer thread only.
  Status WriteBatch(const std::vector<Request*>& batch, bool with_head);
  Status InsertEntries(const std::vector<const Prepared*>& rows, int64_t first_seq, const std::vector<Digest>& chains);
  StatusOr<TreeHead> MakeHead(int64_t size, const Digest& chain) const;
  Status InsertHead(const TreeHead& head);
  // Reads next_seq_, chain_ and head_ from the database (Open, and the writer after a failed
  // transaction whose outcome is unknown). kDataLoss when they disagree.
  Status LoadEnd();
  Status RegisterSigner();

  // Constant after construction.
  const LogOptions options_;

  // The writer thread's own (and Open's, before it starts).
  std::unique_ptr<sql::SqlConnection> writer_;
  int64_t signer_id_ = 0;   // audit_signers.id of options_.signer; 0 when unsigned
  Digest chain_{};          // chain value of entry next_seq_ - 1
  int64_t next_seq_ = 0;    // the next entry's number
  TreeHead head_;           // the latest head
  bool reload_ = false;     // a transaction failed: LoadEnd() before the next

  mutable std::mutex mutex_;
  std::condition_variable work_;        // the writer waits for requests or a head's time
  std::condition_variable space_;       // appenders wait for room in the queue
  std::deque<Request*> queue_;          // guarded by mutex_
  uint64_t last_ticket_ = 0;            // guarded by mutex_: the last ticket given
  std::atomic<uint64_t> completed_{0};  // the last ticket the writer completed (in order); set with mutex_ held
  std::condition_variable done_;        // waiters for their ticket
  size_t queued_entries_ = 0;           // guarded by mutex_
  int64_t committed_size_ = 0;          // guarded by mutex_
  TreeHead last_head_;                  // guarded by mutex_
  // When the oldest entry not covered by a head was committed (steady clock); guarded by mutex_.
  std::optional<std::chrono::steady_clock::time_point> unheaded_since_;
  bool stopping_ = false;               // guarded by mutex_: Close() was called
  std::optional<Status> close_status_;  // guarded by mutex_

  std::mutex reader_mutex_;
  std::unique_ptr<sql::SqlConnection> reader_;  // guarded by reader_mutex_

  std::thread writer_thread_;
};

}  // namespace renkei::audit
