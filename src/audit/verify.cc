#include "audit/verify.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "audit/event.h"
#include "audit/hash.h"
#include "audit/head.h"
#include "audit/store.h"
#include "pki/identity.h"
#include "pki/signature.h"

namespace renkei::audit {
namespace {

// Rows of a table in key order, a page at a time (keyset pagination: constant memory, and each
// page found through the primary key).
template <typename Row>
class Cursor {
 public:
  using ReadFn = Row (*)(const sql::SqlRow&);
  using KeyFn = int64_t (*)(const Row&);

  // `first_sql` reads the first page ($1: the page size); `next_sql` the page after key $1 ($2:
  // the page size).
  Cursor(sql::SqlConnection& db, std::string first_sql, std::string next_sql, size_t page, ReadFn read, KeyFn key)
      : db_(db), first_sql_(std::move(first_sql)), next_sql_(std::move(next_sql)), page_(page), read_(read), key_(key) {}

  // The next row (valid until the next call), or nullptr after the last.
  StatusOr<const Row*> Next() {
    RENKEI_ASSIGN_OR_RETURN(const Row* next, Peek());
    if (next == nullptr) return next;
    current_ = std::move(rows_[pos_++]);
    return &current_;
  }

  // The row Next() will return, without moving on; nullptr after the last.
  StatusOr<const Row*> Peek() {
    if (pos_ == rows_.size() && !end_) RENKEI_RETURN_IF_ERROR(Fill());
    if (pos_ == rows_.size()) return static_cast<const Row*>(nullptr);
    return &rows_[pos_];
  }

 private:
  Status Fill() {
    const int64_t page = static_cast<int64_t>(page_);
    RENKEI_ASSIGN_OR_RETURN(auto rows, last_key_ ? db_.Query(next_sql_, {*last_key_, page}) : db_.Query(first_sql_, {page}));
    rows_.clear();
    pos_ = 0;
    for (const sql::SqlRow& row : rows) rows_.push_back(read_(row));
    if (rows_.size() < page_) end_ = true;
    if (!rows_.empty()) last_key_ = key_(rows_.back());
    return Status::Ok();
  }

  sql::SqlConnection& db_;
  const std::string first_sql_, next_sql_;
  const size_t page_;
  const ReadFn read_;
  const KeyFn key_;
  std::vector<Row> rows_;
  size_t pos_ = 0;
  bool end_ = false;
  std::optional<int64_t> last_key_;
  Row current_;
};

int64_t EntryKey(const StoredEntry& e) { return e.seq; }
int64_t HeadKey(const StoredHead& h) { return h.head.size; }

// One run of Verify: the chain walked so far and the report being filled.
class Verifier {
 public:
  Verifier(sql::SqlConnection& db, const VerifyOptions& options, VerifyReport& report)
      : db_(db), options_(options), report_(report),
        entries_(db, fmt::format("SELECT {} FROM audit_entries ORDER BY seq LIMIT $1", kEntryColumns),
                 fmt::format("SELECT {} FROM audit_entries WHERE seq > $1 ORDER BY seq LIMIT $2", kEntryColumns),
                 options.page, ReadStoredEntry, EntryKey),
        heads_(db, fmt::format("{} ORDER BY h.size LIMIT $1", kHeadSelect),
               fmt::format("{} WHERE h.size > $1 ORDER BY h.size LIMIT $2", kHeadSelect), options.page, ReadStoredHead,
               HeadKey) {}

  Status Run() {
    RENKEI_ASSIGN_OR_RETURN(auto bounds, db_.Query("SELECT MIN(seq), MAX(seq) FROM audit_entries", {}));
    const bool empty = bounds.empty() || bounds[0].IsNull(0);
    const int64_t first = empty ? 0 : bounds[0].Int(0);
    const int64_t total = empty ? 0 : bounds[0].Int(1) - first + 1;
    RENKEI_ASSIGN_OR_RETURN(bool started, Start(first, empty));
    if (!started) return Status::Ok();
    int64_t since_progress = 0;
    while (true) {
      RENKEI_ASSIGN_OR_RETURN(const StoredEntry* row, entries_.Next());
      if (row == nullptr) break;
      RENKEI_ASSIGN_OR_RETURN(bool good, CheckEntry(*row));
      if (!good) return Status::Ok();
      RENKEI_ASSIGN_OR_RETURN(good, CheckHeadsAt(next_));
      if (!good) return Status::Ok();
      if (options_.progress && ++since_progress == static_cast<int64_t>(options_.page)) {
        since_progress = 0;
        options_.progress(report_.entries, total);
      }
    }
    // Heads beyond the last entry: the end of the log was cut away.
    RENKEI_ASSIGN_OR_RETURN(const StoredHead* beyond, heads_.Next());
    if (beyond != nullptr) {
      Fail(next_, fmt::format("missing: signed head {} covers entries up to {} but the log {}", beyond->head.size,
                              beyond->head.size - 1, empty ? "is empty" : fmt::format("ends at {}", next_ - 1)));
      return Status::Ok();
    }
    if (report_.first > 0 && !prune_recorded_) {
      Fail(0, fmt::format("entries 0..{} were removed without a prune record (an audit.prune entry with basis head:{})",
                          report_.first - 1, report_.first));
      return Status::Ok();
    }
    if (options_.progress) options_.progress(report_.entries, total);
    return Status::Ok();
  }

 private:
  // Records the first damage found; returns false to stop the walk.
  bool Fail(int64_t entry, std::string reason) {
    report_.intact = false;
    report_.first_bad = entry;
    report_.reason = std::move(reason);
    return false;
  }

  // Where the walk starts: entry 0 from the zero chain value, or — after Prune — the first entry
  // kept, from the chain value of the head kept at the cut.
  StatusOr<bool> Start(int64_t first, bool empty) {
    report_.first = first;
    next_ = first;
    first_unproven_ = first;
    if (first < 0) return Fail(first, "it is numbered below 0 (inserted)");
    if (empty || first == 0) return true;
    // Skips the heads before the cut; the one at the cut anchors the chain.
    while (true) {
      RENKEI_ASSIGN_OR_RETURN(const StoredHead* head, heads_.Peek());
      if (head == nullptr || head->head.size > first) break;
      RENKEI_ASSIGN_OR_RETURN(head, heads_.Next());
      if (head->head.size == first) {
        RENKEI_ASSIGN_OR_RETURN(bool good, CheckSignature(*head));
        if (!good) return false;
        chain_ = head->head.chain;
        previous_head_ = first;
        report_.covered = first;
        report_.last_head_time_ms = head->head.time_ms;
        return true;
      }
    }
    return Fail(0, fmt::format("missing: the log starts at entry {} and no signed head marks a cut there", first));
  }

  StatusOr<bool> CheckEntry(const StoredEntry& row) {
    const int64_t k = next_;
    if (!row.damage.empty()) return Fail(k, row.damage);
    if (row.seq != k) return Fail(k, fmt::format("missing (numbering jumps from {} to {})", k - 1, row.seq));
    Digest stored;
    if (!FromBytes(row.chain, &stored)) {
      return Fail(k, fmt::format("its stored chain value is {} bytes, not 32 (a damaged row)", row.chain.size()));
    }
    const Digest leaf = LeafHash(row.text);
    const Digest chain = ChainHash(chain_, leaf);
    if (chain != stored) {
      RENKEI_ASSIGN_OR_RETURN(auto why, Classify(k, leaf, stored));
      return Fail(why.first, std::move(why.second));
    }
    auto event = ParseEvent(row.text);
    if (!event.ok()) return Fail(k, "its text is not a valid entry: " + event.status().message());
    if (Status s = CheckColumns(row, *event); !s.ok()) return Fail(k, s.message());
    if (report_.first > 0 && event->action == "audit.prune" && event->basis == fmt::format("head:{}", report_.first)) {
      prune_recorded_ = true;
    }
    before_previous_ = chain_;
    chain_ = chain;
    ++next_;
    ++report_.entries;
    return true;
  }

  // Entry k's chain value is not what its text and the entry before it give: which change
  // explains it, from entry k+1 (when there is one) and the chain value before entry k-1. Returns
  // the entry to blame and why.
  using Blame = std::pair<int64_t, std::string>;
  StatusOr<Blame> Classify(int64_t k, const Digest& leaf, const Digest& stored) {
    // Entry k-1 passed only because it was inserted with a chain value made to fit: entry k
    // chains from entry k-2.
    if (k > report_.first && ChainHash(before_previous_, leaf) == stored) {
      return Blame{k - 1, fmt::format("it was inserted (entry {} chains from entry {})", k, k - 2)};
    }
    RENKEI_ASSIGN_OR_RETURN(const StoredEntry* after, entries_.Peek());
    Digest after_stored;
    if (after != nullptr && after->seq == k + 1 && after->damage.empty() && FromBytes(after->chain, &after_stored)) {
      const Digest after_leaf = LeafHash(after->text);
      if (ChainHash(chain_, after_leaf) == stored && ChainHash(stored, leaf) == after_stored) {
        return Blame{k, fmt::format("entries {} and {} were swapped (their texts are in each other's place)", k, k + 1)};
      }
      if (ChainHash(chain_, after_leaf) == after_stored) {
        if (ChainHash(after_stored, leaf) == stored) {
          return Blame{k, fmt::format("entries {} and {} were swapped", k, k + 1)};
        }
        return Blame{k, fmt::format("it was inserted (entry {} chains from entry {})", k + 1, k - 1)};
      }
      if (ChainHash(stored, after_leaf) == after_stored) {
        return Blame{k, "its text was changed (its hash differs; the entries after it chain from its stored value), "
                            "or an entry before it was removed and the rest renumbered"};
      }
    }
    return Blame{k, std::string("its hash does not match its chain value: its text or chain value was changed, or "
                                    "it was put in another entry's place")};
  }

  // Checks the heads of size `size` (the entries walked so far) and skips none.
  StatusOr<bool> CheckHeadsAt(int64_t size) {
    while (true) {
      RENKEI_ASSIGN_OR_RETURN(const StoredHead* peek, heads_.Peek());
      if (peek == nullptr) return true;
      if (peek->head.size > size) return true;
      RENKEI_ASSIGN_OR_RETURN(const StoredHead* h, heads_.Next());
      RENKEI_ASSIGN_OR_RETURN(bool good, CheckHead(*h, size));
      if (!good) return false;
    }
  }

  StatusOr<bool> CheckHead(const StoredHead& h, int64_t size) {
    const auto fail = [&](std::string why) {
      return Fail(first_unproven_, fmt::format("entries {}..{} do not match signed head {}: {}", first_unproven_,
                                               size - 1, h.head.size, why));
    };
    if (!h.damage.empty()) return fail(h.damage);
    if (h.head.size != size) return fail("it is out of order");  // below the walk: cannot happen with ordered sizes
    if (h.head.chain != chain_) return fail("its chain value differs (the entries were rewritten, or the head forged)");
    if (h.head.previous != previous_head_) {
      return fail(fmt::format("it names head {} before it, but the head before it is {} (a head was removed)",
                              h.head.previous, previous_head_));
    }
    RENKEI_ASSIGN_OR_RETURN(bool good, CheckSignature(h));
    if (!good) return false;
    ++report_.heads;
    previous_head_ = size;
    first_unproven_ = size;
    report_.covered = size;
    report_.last_head_time_ms = h.head.time_ms;
    return true;
  }

  StatusOr<bool> CheckSignature(const StoredHead& h) {
    if (options_.ca_pem.empty()) return true;
    const int64_t last = h.head.size - 1;
    const auto fail = [&](std::string why) {
      return Fail(first_unproven_, fmt::format("entries {}..{} do not match signed head {}: {}", first_unproven_, last,
                                               h.head.size, why));
    };
    if (h.head.signature.empty()) return fail("it is not signed");
    auto identity = pki::VerifySigned(SignedText(h.head), h.head.signature, h.head.certificate, options_.ca_pem);
    if (!identity.ok()) return fail(identity.status().message());
    if (identity->role != pki::Role::kHub) {
      return fail(fmt::format("it is signed by {}, whose role is {}, not hub", identity->name,
                              pki::RoleName(identity->role)));
    }
    if (!options_.signer_name.empty() && identity->name != options_.signer_name) {
      return fail(fmt::format("it is signed by {}, not {}", identity->name, options_.signer_name));
    }
    ++report_.signatures;
    report_.signer = identity->name;
    return true;
  }

  sql::SqlConnection& db_;
  const VerifyOptions& options_;
  VerifyReport& report_;
  Cursor<StoredEntry> entries_;
  Cursor<StoredHead> heads_;
  int64_t next_ = 0;             // the entry expected next
  Digest chain_ = kChainStart;   // the chain value of entry next_ - 1
  Digest before_previous_ = kChainStart;  // ... of entry next_ - 2
  int64_t previous_head_ = 0;    // the size of the last head checked (or of the cut)
  int64_t first_unproven_ = 0;   // the first entry no checked head covers
  bool prune_recorded_ = false;  // an audit.prune entry names the cut the log starts at
};

}  // namespace

std::string Describe(const VerifyReport& r) {
  if (!r.intact) return fmt::format("entry {}: {}", r.first_bad, r.reason);
  std::string out = fmt::format("intact: {} entries", r.entries);
  if (r.first > 0) out += fmt::format(" ({}..{}; those before were pruned)", r.first, r.first + r.entries - 1);
  out += fmt::format(", {} signed head{}", r.heads, r.heads == 1 ? "" : "s");
  if (r.covered > 0) out += fmt::format(", the last over {} entries at {}", r.covered, FormatTime(r.last_head_time_ms));
  out += r.signatures > 0 ? fmt::format(", signatures checked (signer {})", r.signer)
                          : std::string(", signatures not checked (no CA given)");
  const int64_t end = r.first + r.entries;
  if (end > r.covered) {
    out += fmt::format("; entries {}..{} are not under a signed head yet", std::max(r.covered, r.first), end - 1);
  }
  return out;
}

StatusOr<VerifyReport> Verify(sql::SqlConnection& db, const VerifyOptions& options) {
  if (options.page < 2) return InvalidArgument("page must be at least 2");
  if (!options.ca_pem.empty()) {
    // VerifySigned reads the CA certificate before anything else: InvalidArgument means it has none.
    auto probe = pki::VerifySigned("", "", "", options.ca_pem);
    if (probe.status().code() == StatusCode::kInvalidArgument) return probe.status();
  }
  // One snapshot for the whole walk: a Log appending meanwhile must not show entries read in
  // one page and their head in another as a log whose end was cut away.
  RENKEI_RETURN_IF_ERROR(
      db.Execute(db.dialect() == sql::Dialect::kPostgres ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN"));
  VerifyReport report;
  Verifier verifier(db, options, report);
  Status s = verifier.Run();
  db.Execute("ROLLBACK").IgnoreError();  // it only read
  RENKEI_RETURN_IF_ERROR(s);
  return report;
}

nlohmann::json ReportJson(const VerifyReport& r) {
  using nlohmann::json;
  const int64_t end = r.first + r.entries;
  return {{"intact", r.intact},
          {"first_bad", r.intact ? json(nullptr) : json(r.first_bad)},
          {"reason", r.intact ? json(nullptr) : json(r.reason)},
          {"message", Describe(r)},
          {"first", r.first},
          {"entries", r.entries},
          {"heads", r.heads},
          {"signatures", r.signatures},
          {"signer", r.signer.empty() ? json(nullptr) : json(r.signer)},
          {"covered", r.covered},
          {"last_head_time", r.covered > 0 ? json(FormatTime(r.last_head_time_ms)) : json(nullptr)},
          {"unsigned_tail", r.intact ? std::max<int64_t>(0, end - std::max(r.covered, r.first)) : 0}};
}

}  // namespace renkei::audit
