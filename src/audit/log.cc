#include "audit/log.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/time.h"

namespace renkei::audit {
namespace {

using Clock = std::chrono::steady_clock;

// Rows one INSERT statement writes. PostgreSQL: 64, one round trip instead of 64. SQLite: 1,
// because sql/'s SQLite binds each $N by looking its name up among the statement's parameters,
// which makes a statement's binding cost grow with the square of its rows.
constexpr size_t kRowsPerPostgresInsert = 64;
constexpr size_t kColumnsPerRow = 8;

// "INSERT INTO audit_entries (...) VALUES ($1, ..., $8), ($9, ...) ..." for `rows` rows.
std::string InsertStatement(size_t rows) {
  std::string sql = fmt::format("INSERT INTO audit_entries ({}) VALUES ", kEntryColumns);
  for (size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (size_t c = 0; c < kColumnsPerRow; ++c) {
      sql += fmt::format("{}${}", c == 0 ? "" : ", ", r * kColumnsPerRow + c + 1);
    }
    sql += ")";
  }
  return sql;
}

Status CheckOptions(const LogOptions& o) {
  if (o.head_every < 1) return InvalidArgument("head_every must be at least 1");
  if (o.head_delay.count() <= 0) return InvalidArgument("head_delay must be positive");
  if (o.max_batch < 1) return InvalidArgument("max_batch must be at least 1");
  if (o.max_pending < o.max_batch) return InvalidArgument("max_pending must be at least max_batch");
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<Log>> Log::Open(std::string_view url, LogOptions options) {
  RENKEI_RETURN_IF_ERROR(CheckOptions(options));
  RENKEI_ASSIGN_OR_RETURN(auto writer, sql::Open(url));
  RENKEI_RETURN_IF_ERROR(MigrateSchema(*writer));
  if (writer->dialect() == sql::Dialect::kSqlite) {
    RENKEI_RETURN_IF_ERROR(writer->Execute(options.durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
    // Each entry lands on a random page of the patient index: a cache of 32 MiB (SQLite's
    // default is 2) keeps those pages at hand instead of re-reading them from the OS.
    RENKEI_RETURN_IF_ERROR(writer->Execute("PRAGMA cache_size=-32768"));
  }
  RENKEI_ASSIGN_OR_RETURN(auto reader, sql::Open(url));
  std::unique_ptr<Log> log(new Log(std::move(writer), std::move(reader), std::move(options)));
  RENKEI_RETURN_IF_ERROR(log->RegisterSigner());
  RENKEI_RETURN_IF_ERROR(log->LoadEnd());
  {
    std::lock_guard lock(log->mutex_);
    log->committed_size_ = log->next_seq_;
    log->last_head_ = log->head_;
    // Entries left without a head (the hub stopped before writing one) get one soon.
    if (log->next_seq_ > log->head_.size) log->unheaded_since_ = Clock::now();
  }
  log->writer_thread_ = std::thread([raw = log.get()] { raw->WriterLoop(); });
  return log;
}

Log::Log(std::unique_ptr<sql::SqlConnection> writer, std::unique_ptr<sql::SqlConnection> reader, LogOptions options)
    : options_(std::move(options)), writer_(std::move(writer)), reader_(std::move(reader)) {}

Log::~Log() { Close().IgnoreError(); }

Status Log::RegisterSigner() {
  if (!options_.signer) return Status::Ok();
  const std::string& pem = options_.signer->certificate_pem();
  RENKEI_RETURN_IF_ERROR(
      writer_->Query("INSERT INTO audit_signers (certificate) VALUES ($1) ON CONFLICT DO NOTHING", {pem}).status());
  RENKEI_ASSIGN_OR_RETURN(auto rows, writer_->Query("SELECT id FROM audit_signers WHERE certificate = $1", {pem}));
  if (rows.empty()) return Internal("the signer's certificate was not stored");
  signer_id_ = rows[0].Int(0);
  return Status::Ok();
}

Status Log::LoadEnd() {
  RENKEI_ASSIGN_OR_RETURN(
      auto last, writer_->Query("SELECT seq, chain FROM audit_entries ORDER BY seq DESC LIMIT 1", {}));
  RENKEI_ASSIGN_OR_RETURN(auto heads, writer_->Query(fmt::format("{} ORDER BY h.size DESC LIMIT 1", kHeadSelect), {}));
  TreeHead head;
  if (!heads.empty()) {
    StoredHead stored = ReadStoredHead(heads[0]);
    if (!stored.damage.empty()) {
      return DataLoss(fmt::format("the last signed head is damaged: {}; run renkei audit verify", stored.damage));
    }
    head = std::move(stored.head);
  }
  int64_t next = head.size;
  Digest chain = head.chain;
  if (!last.empty()) {
    next = last[0].Int(0) + 1;
    if (!FromBytes(last[0].Text(1), &chain)) {
      return DataLoss(fmt::format("entry {}: its chain value is not 32 bytes; run renkei audit verify", next - 1));
    }
  }
  if (head.size > next) {
    return DataLoss(fmt::format("the audit log ends at entry {} but its last signed head covers {} entries; run "
                                "renkei audit verify",
                                next - 1, head.size));
  }
  if (head.size > 0 && head.size <= next) {
    RENKEI_ASSIGN_OR_RETURN(auto at, writer_->Query("SELECT chain FROM audit_entries WHERE seq = $1", {head.size - 1}));
    if (!at.empty() && at[0].Text(0) != Bytes(head.chain)) {
      return DataLoss(fmt::format("entry {}: its chain value differs from the signed head's; run renkei audit verify",
                                  head.size - 1));
    }
  }
  next_seq_ = next;
  chain_ = chain;
  head_ = std::move(head);
  return Status::Ok();
}

StatusOr<int64_t> Log::Append(const Event& event) { return AppendAll(std::span<const Event>(&event, 1)); }

StatusOr<int64_t> Log::AppendAll(std::span<const Event> events) {
  Request request;
  RENKEI_RETURN_IF_ERROR(Prepare(events, request));
  RENKEI_RETURN_IF_ERROR(Submit(request));
  return request.first;
}

Status Log::Prepare(std::span<const Event> events, Request& request) {
  if (events.empty()) return InvalidArgument("nothing to append");
  request.entries.reserve(events.size());
  const int64_t now = NowUnixMs();
  for (size_t i = 0; i < events.size(); ++i) {
    Event e = events[i];
    if (e.time_ms == 0) e.time_ms = now;
    auto text = CanonicalText(e);
    if (!text.ok()) return events.size() == 1 ? text.status() : text.status().Annotate(fmt::format("event {}", i));
    Prepared p;
    p.leaf = LeafHash(*text);
    p.text = std::move(text).value();
    p.time_ms = e.time_ms;
    p.action = std::move(e.action);
    p.principal = std::move(e.who.name);
    p.facility = std::move(e.who.facility);
    p.patient = std::move(e.patient);
    request.entries.push_back(std::move(p));
  }
  return Status::Ok();
}

Log::Pending Log::Begin(const Event& event) {
  auto request = std::make_unique<Request>();
  Status s = Prepare(std::span<const Event>(&event, 1), *request);
  if (s.ok()) s = Admit(*request);
  if (!s.ok()) request.reset();
  return Pending(this, std::move(request), std::move(s));
}

Log::Pending::Pending(Log* log, std::unique_ptr<Request> request, Status status)
    : log_(log), request_(std::move(request)), status_(std::move(status)) {}

Log::Pending& Log::Pending::operator=(Pending&& other) noexcept {
  if (this == &other) return *this;
  if (request_) log_->WaitFor(*request_);
  log_ = other.log_;
  request_ = std::move(other.request_);
  status_ = std::move(other.status_);
  return *this;
}

Log::Pending::~Pending() {
  if (request_) log_->WaitFor(*request_);
}

StatusOr<int64_t> Log::Pending::Wait() {
  if (!request_) return status_;
  log_->WaitFor(*request_);
  RENKEI_RETURN_IF_ERROR(request_->status);
  return request_->first;
}

StatusOr<TreeHead> Log::Flush() {
  Request request;
  request.head = true;
  RENKEI_RETURN_IF_ERROR(Submit(request));
  return latest_head();
}

Status Log::Submit(Request& request) {
  RENKEI_RETURN_IF_ERROR(Admit(request));
  WaitFor(request);
  return request.status;
}

Status Log::Admit(Request& request) {
  std::unique_lock lock(mutex_);
  const size_t n = request.entries.size();
  // Wait for room; a request larger than the whole queue goes alone.
  space_.wait(lock, [&] { return stopping_ || queued_entries_ == 0 || queued_entries_ + n <= options_.max_pending; });
  if (stopping_) return FailedPrecondition("the audit log is closed");
  Enqueue(request);
  return Status::Ok();
}

void Log::Enqueue(Request& request) {
  request.ticket = ++last_ticket_;
  queue_.push_back(&request);
  queued_entries_ += request.entries.size();
  work_.notify_one();
}

void Log::WaitFor(const Request& request) {
  // The writer completes requests in ticket order and publishes the last one it completed; it
  // does not touch a request after that. A condition variable, not atomic::wait, whose spinning
  // on sched_yield took an eighth of the CPU with eight threads appending.
  if (completed_.load(std::memory_order_acquire) >= request.ticket) return;
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return completed_.load(std::memory_order_acquire) >= request.ticket; });
}

Status Log::Close() {
  Request request;
  request.head = true;
  {
    std::unique_lock lock(mutex_);
    if (close_status_) return *close_status_;
    if (!writer_thread_.joinable()) {  // Open() failed before starting the writer
      close_status_ = Status::Ok();
      return Status::Ok();
    }
    if (stopping_) {
      // Another thread is closing: wait for it.
      space_.wait(lock, [&] { return close_status_.has_value(); });
      return *close_status_;
    }
    stopping_ = true;
    space_.notify_all();
    Enqueue(request);
  }
  WaitFor(request);
  writer_thread_.join();
  std::lock_guard lock(mutex_);
  close_status_ = request.status;
  space_.notify_all();
  return request.status;
}

int64_t Log::size() const {
  std::lock_guard lock(mutex_);
  return committed_size_;
}

TreeHead Log::latest_head() const {
  std::lock_guard lock(mutex_);
  return last_head_;
}

StatusOr<Page> Log::List(const Query& query) {
  std::lock_guard lock(reader_mutex_);
  return audit::List(*reader_, query);
}

void Log::WriterLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    // A head is due head_delay after the first entry it would cover (a head every head_every
    // entries is written with the batch that reaches the count).
    const auto head_due = [&] { return unheaded_since_ && Clock::now() >= *unheaded_since_ + options_.head_delay; };
    while (queue_.empty() && !head_due()) {
      if (unheaded_since_) {
        work_.wait_until(lock, *unheaded_since_ + options_.head_delay);
      } else {
        work_.wait(lock);
      }
    }
    // A task goes alone; otherwise every request waiting, up to max_batch entries (a larger
    // request alone).
    std::vector<Request*> batch;
    size_t entries = 0;
    bool head_asked = false;
    while (!queue_.empty()) {
      Request* next = queue_.front();
      if (next->task && !batch.empty()) break;
      if (!batch.empty() && entries + next->entries.size() > options_.max_batch) break;
      queue_.pop_front();
      batch.push_back(next);
      entries += next->entries.size();
      head_asked = head_asked || next->head;
      if (next->task) break;
    }
    queued_entries_ -= entries;
    space_.notify_all();
    const bool last = stopping_ && queue_.empty();
    const bool time_due = head_due();
    lock.unlock();

    Status status;
    if (reload_) {
      status = LoadEnd();
      reload_ = !status.ok();
    }
    if (status.ok() && !batch.empty() && batch.front()->task) {
      status = writer_->Execute("BEGIN");
      if (status.ok()) status = batch.front()->task(*writer_);
      if (status.ok()) status = writer_->Execute("COMMIT");
      if (!status.ok()) writer_->Execute("ROLLBACK").IgnoreError();
    } else if (status.ok()) {
      const int64_t size_after = next_seq_ + static_cast<int64_t>(entries);
      const bool with_head = size_after > head_.size &&
                             (head_asked || last || time_due || size_after - head_.size >= options_.head_every);
      if (entries > 0 || with_head) {
        status = WriteBatch(batch, with_head);
        if (!status.ok()) reload_ = true;  // a failed COMMIT may have committed: read the end again
      }
    }

    lock.lock();
    int64_t seq = committed_size_;
    if (status.ok()) {
      committed_size_ = next_seq_;
      last_head_ = head_;
      if (committed_size_ == last_head_.size) {
        unheaded_since_.reset();
      } else if (!unheaded_since_) {
        unheaded_since_ = Clock::now();
      }
    }
    for (Request* r : batch) {
      r->status = status;
      if (status.ok() && !r->entries.empty()) {
        r->first = seq;
        seq += static_cast<int64_t>(r->entries.size());
      }
    }
    if (!batch.empty()) {
      completed_.store(batch.back()->ticket, std::memory_order_release);  // the requests are theirs again
      done_.notify_all();
    }
    if (last) break;
    if (!status.ok() && batch.empty()) {
      // A head that could not be written: try again after head_delay, not in a busy loop.
      unheaded_since_ = Clock::now();
    }
  }
}

Status Log::WriteBatch(const std::vector<Request*>& batch, bool with_head) {
  std::vector<const Prepared*> rows;
  for (const Request* r : batch) {
    for (const Prepared& p : r->entries) rows.push_back(&p);
  }
  std::vector<Digest> chains;
  chains.reserve(rows.size());
  Digest chain = chain_;
  for (const Prepared* p : rows) {
    chain = ChainHash(chain, p->leaf);
    chains.push_back(chain);
  }
  const int64_t size_after = next_seq_ + static_cast<int64_t>(rows.size());
  RENKEI_RETURN_IF_ERROR(writer_->Execute("BEGIN"));
  Status s = InsertEntries(rows, next_seq_, chains);
  TreeHead head;
  if (s.ok() && with_head) {
    auto made = MakeHead(size_after, chain);
    s = made.status();
    if (s.ok()) {
      head = std::move(made).value();
      s = InsertHead(head);
    }
  }
  if (s.ok()) s = writer_->Execute("COMMIT");
  if (!s.ok()) {
    writer_->Execute("ROLLBACK").IgnoreError();
    return s;
  }
  next_seq_ = size_after;
  chain_ = chain;
  if (with_head) head_ = std::move(head);
  return Status::Ok();
}

Status Log::InsertEntries(const std::vector<const Prepared*>& rows, int64_t first_seq,
                          const std::vector<Digest>& chains) {
  static const std::string kMany = InsertStatement(kRowsPerPostgresInsert);
  static const std::string kOne = InsertStatement(1);
  const size_t many = writer_->dialect() == sql::Dialect::kPostgres ? kRowsPerPostgresInsert : 1;
  std::vector<sql::SqlValue> params;
  params.reserve(many * kColumnsPerRow);
  for (size_t i = 0; i < rows.size();) {
    const size_t n = rows.size() - i >= many ? many : 1;
    params.clear();
    for (size_t k = i; k < i + n; ++k) {
      const Prepared& p = *rows[k];
      params.emplace_back(first_seq + static_cast<int64_t>(k));
      params.emplace_back(p.time_ms);
      params.emplace_back(p.action);
      params.emplace_back(p.principal);
      params.emplace_back(p.facility);
      params.emplace_back(p.patient);
      params.emplace_back(p.text);
      params.emplace_back(sql::Blob{Bytes(chains[k])});
    }
    RENKEI_RETURN_IF_ERROR(writer_->Query(n > 1 ? kMany : kOne, params).status());
    i += n;
  }
  return Status::Ok();
}

StatusOr<TreeHead> Log::MakeHead(int64_t size, const Digest& chain) const {
  TreeHead head;
  head.size = size;
  head.chain = chain;
  head.time_ms = NowUnixMs();
  head.previous = head_.size;
  if (options_.signer) {
    head.signature = options_.signer->Sign(SignedText(head));
    if (head.signature.empty()) return Internal("cannot sign the audit log's head (OpenSSL failed)");
    head.certificate = options_.signer->certificate_pem();
  }
  return head;
}

Status Log::InsertHead(const TreeHead& head) {
  return writer_
      ->Query("INSERT INTO audit_heads (size, previous, chain, time_ms, signature, signer) VALUES ($1, $2, $3, $4, $5, $6)",
              {head.size, head.previous, sql::Blob{Bytes(head.chain)}, head.time_ms, head.signature,
               signer_id_ > 0 ? sql::SqlValue(signer_id_) : sql::SqlValue()})
      .status();
}

StatusOr<PruneResult> Log::Prune(int64_t before_ms) {
  // Where the cut may be: the largest head no newer entry precedes.
  int64_t first = 0, cut = 0;
  {
    std::lock_guard lock(reader_mutex_);
    RENKEI_ASSIGN_OR_RETURN(auto rows, reader_->Query("SELECT MIN(seq), MAX(seq) FROM audit_entries", {}));
    if (rows.empty() || rows[0].IsNull(0)) return PruneResult{0, size()};
    first = rows[0].Int(0);
    // The first entry as new as `before`: scanned in order, so this reads what is to go.
    RENKEI_ASSIGN_OR_RETURN(
        auto newer, reader_->Query("SELECT seq FROM audit_entries WHERE time_ms >= $1 ORDER BY seq LIMIT 1", {before_ms}));
    const int64_t limit = newer.empty() ? rows[0].Int(1) + 1 : newer[0].Int(0);
    RENKEI_ASSIGN_OR_RETURN(
        auto heads, reader_->Query("SELECT MAX(size) FROM audit_heads WHERE size <= $1 AND size > $2", {limit, first}));
    if (heads.empty() || heads[0].IsNull(0)) return PruneResult{0, first};
    cut = heads[0].Int(0);
  }
  // The record of the cut comes first: a crash between the two leaves a record without a cut,
  // never a cut without its record.
  Event record;
  record.action = "audit.prune";
  record.who = {options_.signer ? options_.signer->identity().name : "hub", "hub", ""};
  record.purpose = "HOPERAT";
  record.reason = fmt::format("retention: entries {}..{}, older than {}, removed", first, cut - 1, FormatTime(before_ms));
  record.basis = fmt::format("head:{}", cut);
  RENKEI_RETURN_IF_ERROR(Append(record).status());
  Request request;
  request.task = [cut](sql::SqlConnection& db) {
    RENKEI_RETURN_IF_ERROR(db.Query("DELETE FROM audit_entries WHERE seq < $1", {cut}).status());
    return db.Query("DELETE FROM audit_heads WHERE size < $1", {cut}).status();
  };
  RENKEI_RETURN_IF_ERROR(Submit(request));
  return PruneResult{cut - first, cut};
}

}  // namespace renkei::audit
