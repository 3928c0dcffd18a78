#include "policy/consent_store.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/code.h"
#include "base/time.h"
#include "pki/digest.h"

namespace renkei::policy {
namespace {

using sql::SqlRow;
using sql::SqlValue;

constexpr sql::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE consents (
  id {id},
  regional_id {text_c} NOT NULL,
  state TEXT NOT NULL,
  linked TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_facility TEXT NOT NULL,
  proxy TEXT NOT NULL,
  document {blob},
  document_sha256 TEXT NOT NULL,
  document_type TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX consents_by_person ON consents (regional_id, id);
CREATE TABLE overrides (
  id {id},
  requester TEXT NOT NULL,
  facility TEXT NOT NULL,
  regional_id {text_c} NOT NULL,
  reason TEXT NOT NULL,
  started_ms BIGINT NOT NULL,
  until_ms BIGINT NOT NULL,
  stopped_ms BIGINT NOT NULL,
  reviewed_by TEXT NOT NULL,
  review_note TEXT NOT NULL
);
CREATE INDEX overrides_by_requester ON overrides (requester, regional_id, until_ms);
CREATE INDEX overrides_by_person ON overrides (regional_id, id);
)sql"},
};

std::string Join(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& s : list) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// The number in "C12" / "B7"; nullopt for anything else.
std::optional<int64_t> Number(std::string_view id, char prefix) {
  if (id.size() < 2 || id.size() > 19 || id[0] != prefix) return std::nullopt;
  int64_t n = 0;
  for (char c : id.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

constexpr std::string_view kConsentColumns =
    "id, regional_id, state, linked, recorded_by, recorded_facility, proxy, document_sha256, document_type, recorded_at";

ConsentRecord ConsentOf(const SqlRow& r) {
  ConsentRecord c;
  c.id = fmt::format("C{}", r.Int(0));
  c.regional_id = r.Text(1);
  c.state = r.Text(2) == "withdrawn" ? Consent::State::kWithdrawn : Consent::State::kActive;
  c.linked = Split(r.Text(3));
  c.recorded_by = r.Text(4);
  c.recorded_facility = r.Text(5);
  c.proxy = r.Text(6);
  c.document_sha256 = r.Text(7);
  c.document_type = r.Text(8);
  c.recorded_at = r.Text(9);
  return c;
}

constexpr std::string_view kOverrideColumns =
    "id, requester, facility, regional_id, reason, started_ms, until_ms, stopped_ms, reviewed_by, review_note";

OverrideRecord OverrideOf(const SqlRow& r) {
  OverrideRecord o;
  o.id = fmt::format("B{}", r.Int(0));
  o.requester = r.Text(1);
  o.facility = r.Text(2);
  o.regional_id = r.Text(3);
  o.reason = r.Text(4);
  o.started_ms = r.Int(5);
  o.until_ms = r.Int(6);
  o.stopped_ms = r.Int(7);
  o.reviewed_by = r.Text(8);
  o.review_note = r.Text(9);
  return o;
}

}  // namespace

std::string_view ConsentStateName(Consent::State s) {
  switch (s) {
    case Consent::State::kNone: return "none";
    case Consent::State::kActive: return "active";
    case Consent::State::kWithdrawn: return "withdrawn";
  }
  return "none";
}

Consent EffectiveConsent(const std::optional<ConsentRecord>& record,
                         const std::vector<std::string>& registered_consenting) {
  Consent c;
  if (record) {
    c.state = record->state;
    c.id = record->id;
    c.linked = record->linked;
    return c;
  }
  if (registered_consenting.empty()) return c;
  c.state = Consent::State::kActive;
  c.id = "registration";
  c.linked = registered_consenting;
  return c;
}

StatusOr<std::unique_ptr<ConsentStore>> ConsentStore::Open(std::string_view url) {
  RENKEI_ASSIGN_OR_RETURN(auto db, sql::Open(url));
  RENKEI_RETURN_IF_ERROR(sql::Migrate(*db, kMigrations, "policy_schema_migrations"));
  return std::unique_ptr<ConsentStore>(new ConsentStore(std::move(db)));
}

StatusOr<ConsentRecord> ConsentStore::Record(ConsentRecord r, std::string_view document) {
  if (!IsPlainCode(r.regional_id, kMaxRegionalIdCode)) return InvalidArgument("a regional ID is 1-40 letters and digits");
  if (r.state == Consent::State::kNone) return InvalidArgument("a recorded consent is active or withdrawn");
  if (r.linked.size() > kMaxLinkedFacilities) {
    return InvalidArgument(fmt::format("at most {} linked facilities", kMaxLinkedFacilities));
  }
  for (const std::string& f : r.linked) {
    if (!IsFacilityCode(f)) return InvalidArgument(fmt::format("'{}' is not a facility code", f.substr(0, 40)));
  }
  std::sort(r.linked.begin(), r.linked.end());
  r.linked.erase(std::unique(r.linked.begin(), r.linked.end()), r.linked.end());
  if (r.state == Consent::State::kActive && r.linked.empty()) {
    return InvalidArgument("an active consent links at least one facility");
  }
  if (r.state == Consent::State::kWithdrawn && !r.linked.empty()) {
    return InvalidArgument("a withdrawal links no facility");
  }
  if (document.size() > kMaxDocumentBytes) {
    return InvalidArgument(fmt::format("the consent document exceeds {} bytes", kMaxDocumentBytes));
  }
  if (r.recorded_by.empty()) return InvalidArgument("who recorded the consent is required");
  r.document_sha256 = document.empty() ? "" : pki::Sha256Hex(document);
  if (document.empty()) r.document_type.clear();
  r.recorded_at = NowUtcIso8601();
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("INSERT INTO consents (regional_id, state, linked, recorded_by, recorded_facility, proxy, document, "
                 "document_sha256, document_type, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                 "RETURNING id",
                 {r.regional_id, std::string(ConsentStateName(r.state)), Join(r.linked), r.recorded_by,
                  r.recorded_facility, r.proxy,
                  document.empty() ? SqlValue() : SqlValue(sql::Blob{std::string(document)}), r.document_sha256,
                  r.document_type, r.recorded_at}));
  r.id = fmt::format("C{}", rows.at(0).Int(0));
  return r;
}

StatusOr<std::optional<ConsentRecord>> ConsentStore::Current(std::string_view regional_id) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query(fmt::format("SELECT {} FROM consents WHERE regional_id = $1 "
                                                            "ORDER BY id DESC LIMIT 1",
                                                            kConsentColumns),
                                                {std::string(regional_id)}));
  if (rows.empty()) return std::optional<ConsentRecord>();
  return std::optional<ConsentRecord>(ConsentOf(rows[0]));
}

StatusOr<std::vector<ConsentRecord>> ConsentStore::History(std::string_view regional_id) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query(fmt::format("SELECT {} FROM consents WHERE regional_id = $1 ORDER BY id DESC", kConsentColumns),
                            {std::string(regional_id)}));
  std::vector<ConsentRecord> out;
  for (const SqlRow& r : rows) out.push_back(ConsentOf(r));
  return out;
}

StatusOr<std::string> ConsentStore::Document(std::string_view id) {
  const auto n = Number(id, 'C');
  if (!n) return NotFound("no such consent");
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT document FROM consents WHERE id = $1", {*n}));
  if (rows.empty()) return NotFound("no such consent");
  if (rows[0].IsNull(0)) return NotFound(fmt::format("consent {} has no document", id));
  return rows[0].Text(0);
}

StatusOr<OverrideRecord> ConsentStore::StartOverride(const std::string& requester, const std::string& facility,
                                                     const std::string& regional_id, const std::string& reason,
                                                     int64_t minutes, int64_t now_ms) {
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgument("break-glass needs the emergency's reason");
  }
  if (reason.size() > kMaxReasonBytes) return InvalidArgument(fmt::format("the reason exceeds {} bytes", kMaxReasonBytes));
  if (minutes < 1 || minutes > kMaxOverrideMinutes) {
    return InvalidArgument(fmt::format("an override lasts 1 to {} minutes", kMaxOverrideMinutes));
  }
  if (!IsPlainCode(regional_id, kMaxRegionalIdCode)) return InvalidArgument("a regional ID is 1-40 letters and digits");
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("INSERT INTO overrides (requester, facility, regional_id, reason, started_ms, until_ms, stopped_ms, "
                 "reviewed_by, review_note) VALUES ($1, $2, $3, $4, $5, $6, 0, '', '') RETURNING id",
                 {requester, facility, regional_id, reason, now_ms, now_ms + minutes * 60'000}));
  return OverrideById(fmt::format("B{}", rows.at(0).Int(0)));
}

StatusOr<OverrideRecord> ConsentStore::OverrideById(std::string_view id) {
  const auto n = Number(id, 'B');
  if (!n) return NotFound("no such override");
  RENKEI_ASSIGN_OR_RETURN(auto rows,
                          db_->Query(fmt::format("SELECT {} FROM overrides WHERE id = $1", kOverrideColumns), {*n}));
  if (rows.empty()) return NotFound("no such override");
  return OverrideOf(rows[0]);
}

StatusOr<OverrideRecord> ConsentStore::StopOverride(std::string_view id, const std::string& requester, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(OverrideRecord o, OverrideById(id));
  if (o.requester != requester) return PermissionDenied("only who started an override stops it");
  if (o.stopped_ms != 0 || o.until_ms <= now_ms) return FailedPrecondition(fmt::format("override {} is already over", id));
  RENKEI_RETURN_IF_ERROR(
      db_->Query("UPDATE overrides SET stopped_ms = $1, until_ms = $1 WHERE id = $2", {now_ms, *Number(id, 'B')}).status());
  return OverrideById(id);
}

StatusOr<std::optional<Override>> ConsentStore::RunningOverride(const std::string& requester,
                                                                const std::string& regional_id, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT id, until_ms FROM overrides WHERE requester = $1 AND "
                                                "regional_id = $2 AND until_ms > $3 ORDER BY until_ms DESC LIMIT 1",
                                                {requester, regional_id, now_ms}));
  if (rows.empty()) return std::optional<Override>();
  return std::optional<Override>(Override{fmt::format("B{}", rows[0].Int(0)), requester, regional_id, rows[0].Int(1)});
}

StatusOr<std::vector<OverrideRecord>> ConsentStore::Overrides(std::string_view regional_id, bool unreviewed_only) {
  std::string where = "1 = 1";
  std::vector<SqlValue> params;
  if (!regional_id.empty()) {
    where += " AND regional_id = $1";
    params.push_back(std::string(regional_id));
  }
  if (unreviewed_only) where += " AND reviewed_by = ''";
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(fmt::format("SELECT {} FROM overrides WHERE {} ORDER BY id DESC LIMIT 1000", kOverrideColumns, where),
                 params));
  std::vector<OverrideRecord> out;
  for (const SqlRow& r : rows) out.push_back(OverrideOf(r));
  return out;
}

StatusOr<OverrideRecord> ConsentStore::ReviewOverride(std::string_view id, const std::string& reviewer,
                                                      const std::string& note) {
  if (note.size() > kMaxReasonBytes) return InvalidArgument(fmt::format("the note exceeds {} bytes", kMaxReasonBytes));
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(OverrideRecord o, OverrideById(id));
  if (!o.reviewed_by.empty()) return FailedPrecondition(fmt::format("override {} was reviewed by {}", id, o.reviewed_by));
  RENKEI_RETURN_IF_ERROR(db_->Query("UPDATE overrides SET reviewed_by = $1, review_note = $2 WHERE id = $3",
                                    {reviewer, note, *Number(id, 'B')})
                             .status());
  return OverrideById(id);
}

}  // namespace renkei::policy
