// Verify: walks a stored audit log from its first entry to its last, recomputing the hash chain
// (hash.h) and checking every signed head (head.h), and says whether it is intact or which entry
// is the first that cannot be trusted, and why:
//
//   entry N: missing (numbering jumps from N-1 to M)               a row deleted
//   entry N: it was inserted (entry N+1 chains from entry N-1)     a row added and the rest renumbered
//   entry N: entries N and N+1 were swapped                        two rows (or their texts) reordered
//   entry N: its text was changed ...                              a row's text or chain value changed
//   entry N: its patient column (...) differs from its text (...)  an indexed column changed
//   entry N: entries N..M-1 do not match signed head M: ...        the chain rewritten, or a head forged,
//                                                                  unsigned, or signed by another key
//   entry N: missing: signed head M covers entries up to M-1       the log's end cut away
//
// A change made without recomputing the chain is pinpointed to the entry. Someone who rewrites
// the chain from some entry on cannot produce the signed head after it, so the report names the
// first entry after the last head that still matches: the entries before it are proven as signed,
// those from it on are not. Entries after the last head are proven by the chain alone (the report
// counts them), until the Log signs its next head.
//
// Streaming: reads a page of rows at a time, in constant memory whatever the log's length, all in
// one read-only snapshot (a transaction on `db`), so that a Log may go on appending meanwhile.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "sql/sql.h"

namespace renkei::audit {

struct VerifyOptions {
  // The region's CA certificate (PEM). When given, every head must carry a valid signature by a
  // certificate of this CA whose role is hub; when empty, signatures are not checked (the report
  // says so) but heads must still match the chain.
  std::string ca_pem{};
  // When given (with ca_pem), the heads must be signed by the certificate of this name.
  std::string signer_name{};
  // Called after each page with the entries checked so far and the number expected in all.
  std::function<void(int64_t checked, int64_t total)> progress{};
  size_t page = 10'000;  // rows read at a time (>= 2)
};

struct VerifyReport {
  bool intact = true;
  int64_t first_bad = -1;   // the first entry that cannot be trusted; -1 when intact
  std::string reason;       // why (without the "entry N: " of Describe)
  int64_t first = 0;        // the log's first entry (above 0 after Prune)
  int64_t entries = 0;      // entries checked
  int64_t heads = 0;        // heads checked
  int64_t signatures = 0;   // head signatures checked (0 without a CA)
  int64_t covered = 0;      // entries 0..covered-1 are under a head that matched
  int64_t last_head_time_ms = 0;  // when that head was made; 0 without one
  std::string signer;       // the name on the last signature checked; "" when none was
};

// "intact: N entries ..." or "entry N: reason".
std::string Describe(const VerifyReport& report);

// The report as `renkei audit verify --json` and the hub's POST /v1/audit/verify print it:
// {"intact", "first_bad" (null when intact), "reason", "message" (Describe), "first", "entries",
//  "heads", "signatures", "signer", "covered", "last_head_time", "unsigned_tail"}.
nlohmann::json ReportJson(const VerifyReport& report);

// Verifies the log in `db` (store.h's tables). Errors only when it cannot be read (kUnavailable,
// kInvalidArgument for page < 2 or a CA certificate that does not parse); every kind of damage
// is a report with intact = false.
StatusOr<VerifyReport> Verify(sql::SqlConnection& db, const VerifyOptions& options = {});

}  // namespace renkei::audit
