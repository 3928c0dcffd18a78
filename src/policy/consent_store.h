// Where the hub keeps what the policy decides on: the patients' consents (with the links they
// chose and the signed document as an attachment) and break-glass overrides, over sql/ (SQLite
// or PostgreSQL; its tables beside the patient index's, with their own migration history).
//
// A consent is never edited: each change (recorded, links changed, withdrawn) is a new row,
// and the newest row of a person is their consent; the older ones are its history. An
// override ends by itself at its `until`, or earlier when stopped; it stays in the operators'
// review list until reviewed.
//
// Thread-safe: one connection, guarded by a mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "policy/decide.h"
#include "sql/sql.h"

namespace renkei::policy {

// Limits on what callers send.
constexpr size_t kMaxDocumentBytes = 2 << 20;  // the signed consent form (PDF, image)
constexpr size_t kMaxReasonBytes = 1000;
constexpr size_t kMaxLinkedFacilities = 200;
constexpr int64_t kMaxOverrideMinutes = 24 * 60;

struct ConsentRecord {
  std::string id;                   // "C" + number, set by Record()
  std::string regional_id;
  Consent::State state = Consent::State::kActive;  // kActive or kWithdrawn
  std::vector<std::string> linked;  // sorted, unique; empty when withdrawn
  std::string recorded_by;          // the user or credential that recorded it
  std::string recorded_facility;    // where (the facility's code; empty for an operator)
  std::string proxy;                // the guardian who consented for the patient, if one did
  std::string document_sha256;      // hex; empty when no document was attached
  std::string document_type;        // its media type, e.g. "application/pdf"
  std::string recorded_at;          // UTC ISO 8601, set by Record()
};

struct OverrideRecord {
  std::string id;  // "B" + number
  std::string requester;
  std::string facility;
  std::string regional_id;
  std::string reason;
  int64_t started_ms = 0;
  int64_t until_ms = 0;
  int64_t stopped_ms = 0;  // 0 while not stopped early
  std::string reviewed_by;  // empty until reviewed
  std::string review_note;
};

class ConsentStore {
 public:
  // Opens "sqlite:PATH" or "postgresql://…" and applies pending migrations.
  static StatusOr<std::unique_ptr<ConsentStore>> Open(std::string_view url);

  // Stores a new consent row for r.regional_id (r.id and r.recorded_at are set from the store);
  // `document` is the signed form's bytes, or empty. InvalidArgument for a bad regional ID,
  // too many or malformed facility codes, an active consent without links, a withdrawal with
  // links, or a document over kMaxDocumentBytes.
  StatusOr<ConsentRecord> Record(ConsentRecord r, std::string_view document);
  // The person's consent (the newest row), or nullopt when none was recorded at the hub.
  StatusOr<std::optional<ConsentRecord>> Current(std::string_view regional_id);
  // Every row of the person, newest first.
  StatusOr<std::vector<ConsentRecord>> History(std::string_view regional_id);
  // The attached document of consent `id` (NotFound when there is none).
  StatusOr<std::string> Document(std::string_view id);

  // Starts an override for `minutes` (1 to kMaxOverrideMinutes); the reason is required.
  StatusOr<OverrideRecord> StartOverride(const std::string& requester, const std::string& facility,
                                         const std::string& regional_id, const std::string& reason, int64_t minutes,
                                         int64_t now_ms);
  // Ends override `id` now; only its requester may. NotFound, PermissionDenied,
  // FailedPrecondition when it is already over.
  StatusOr<OverrideRecord> StopOverride(std::string_view id, const std::string& requester, int64_t now_ms);
  // The requester's running override for the person, if any.
  StatusOr<std::optional<Override>> RunningOverride(const std::string& requester, const std::string& regional_id,
                                                    int64_t now_ms);
  // Overrides newest first: all of a person's (regional_id non-empty), or those not reviewed yet.
  StatusOr<std::vector<OverrideRecord>> Overrides(std::string_view regional_id, bool unreviewed_only);
  // An operator's review of an ended or running override.
  StatusOr<OverrideRecord> ReviewOverride(std::string_view id, const std::string& reviewer, const std::string& note);

 private:
  explicit ConsentStore(std::unique_ptr<sql::SqlConnection> db) : db_(std::move(db)) {}
  StatusOr<OverrideRecord> OverrideById(std::string_view id);  // with mutex_ held

  std::mutex mutex_;
  std::unique_ptr<sql::SqlConnection> db_;  // guarded by mutex_
};

// The consent Decide() uses: the hub's record when there is one; otherwise what the
// registrations say (each facility that registered the person with the patient's consent to
// sharing is linked; none means no consent), `registered_consenting` being those facilities.
Consent EffectiveConsent(const std::optional<ConsentRecord>& record,
                         const std::vector<std::string>& registered_consenting);

std::string_view ConsentStateName(Consent::State s);  // "none", "active", "withdrawn"

}  // namespace renkei::policy
