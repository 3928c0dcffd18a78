// One entry of the hub's audit trail: who did what to whose data, from where, why, and whether
// it was allowed — and the one text it is stored, hashed and signed as.
//
// An Event maps onto FHIR R4 AuditEvent as IHE Basic Audit Log Patterns (BALP) shape it:
//   time        → AuditEvent.recorded                (UTC, milliseconds since 1970)
//   action      → AuditEvent.type / subtype          ("chart.view", "entity.read", "consent.change",
//                                                      "policy.change", "breakglass.start",
//                                                      "breakglass.stop", "login", "audit.prune" ...)
//   who         → AuditEvent.agent (requestor)       name, role, facility (agent.location)
//   remote      → AuditEvent.agent.network.address
//   patient     → AuditEvent.entity (role patient)   the regional ID, "" when no one in particular
//   data        → AuditEvent.entity (data)           data types, resource references, and the
//                                                     facilities the data came from
//   purpose     → AuditEvent.purposeOfEvent          v3 PurposeOfUse: TREAT, ETREAT (break-glass),
//                                                     PATRQT (the patient), HOPERAT (operations)...
//   decision    → AuditEvent.outcome                 allow = 0 (success), deny = 4 (minor failure),
//                 with `reason` in outcomeDesc
//   basis       → AuditEvent.entity (consent)        the consent or override that allowed it
//   request_id  → AuditEvent.entity (transaction)    the HTTP request's ID, to join with the logs
//
// The canonical text (CanonicalText) is JSON with keys sorted and no whitespace, every key always
// present. That exact text is what the log stores, hashes and signs: an entry is never
// re-serialised once written, so a later change of how JSON is printed cannot break old entries.
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace renkei::audit {

// Limits on what one entry may hold, so that a hostile caller cannot bloat the log. Each text is
// counted in bytes of UTF-8.
inline constexpr size_t kMaxActionBytes = 64;       // [a-z0-9._-]+
inline constexpr size_t kMaxNameBytes = 256;        // who.name, basis, remote, request_id, a data item
inline constexpr size_t kMaxCodeBytes = 64;         // who.role, who.facility, patient, purpose
inline constexpr size_t kMaxReasonBytes = 4096;     // the decision's reason
inline constexpr size_t kMaxDataItems = 256;        // items in each list of `data`
inline constexpr size_t kMaxEntryBytes = 64 * 1024; // the whole canonical text

enum class Decision {
  kAllow,  // the action was allowed (and, for a read, the data disclosed)
  kDeny,   // the action was refused; `reason` says why
};
std::string_view DecisionName(Decision d);                    // "allow", "deny"
std::optional<Decision> ParseDecision(std::string_view name);  // the inverse; nullopt otherwise

// Who acted.
struct Principal {
  std::string name;      // the principal's name: "sato-doctor", "edge-1111111111", "operator-ito"
  std::string role;      // "user", "edge", "operator", "service", "patient" ...
  std::string facility;  // the facility it acts for, "" when none
  friend bool operator==(const Principal&, const Principal&) = default;
};

// What data the action touched.
struct DataRefs {
  std::vector<std::string> types;       // data types: "lab_result", "prescription", "ADT-00" ...
  std::vector<std::string> resources;   // resource references: "Observation/abc", "Consent/12" ...
  std::vector<std::string> facilities;  // the facilities the data came from
  friend bool operator==(const DataRefs&, const DataRefs&) = default;
};

struct Event {
  int64_t time_ms = 0;        // UTC milliseconds since 1970; 0: Log::Append fills in the time
  std::string action;         // see above
  Principal who;
  std::string patient;        // the regional ID; "" when the action concerns no one patient
  DataRefs data;
  std::string purpose;        // v3 PurposeOfUse code; "" when not applicable (a login)
  Decision decision = Decision::kAllow;
  std::string reason;         // why allowed or denied (always given for a deny)
  std::string basis;          // the consent or override ID that allowed it; "" when none
  std::string remote;         // the caller's network address, "" when unknown
  std::string request_id;     // "" when none
  friend bool operator==(const Event&, const Event&) = default;
};

// OK when `e` may be stored: InvalidArgument naming the field for an empty or malformed action,
// a time before 1970, text that is not UTF-8 ("who.name: byte 3: invalid UTF-8: ...") or a deny
// without a reason; ResourceExhausted naming the field and both sizes for a text or list over its
// limit ("reason: 5000 bytes, at most 4096").
Status Validate(const Event& e);

// The canonical text of `e` (see the top of this file). Validate(e) first; InvalidArgument or
// ResourceExhausted as it says, and ResourceExhausted when the whole text exceeds kMaxEntryBytes.
StatusOr<std::string> CanonicalText(const Event& e);

// The event a canonical text holds. InvalidArgument saying what is wrong when `text` is not
// JSON, not an object of exactly the keys CanonicalText writes with their types, of another
// version, or fails Validate. Does not require the text to be canonical byte for byte.
StatusOr<Event> ParseEvent(std::string_view text);

// The time as ISO 8601 UTC with milliseconds, "2026-11-21T05:59:01.123Z".
std::string FormatTime(int64_t time_ms);
// Reads "2026-11-21", "2026-11-21T05:59:01Z", "2026-11-21T05:59:01.123Z" (UTC) or a number of
// milliseconds since 1970; InvalidArgument otherwise.
StatusOr<int64_t> ParseTime(std::string_view text);

}  // namespace renkei::audit
