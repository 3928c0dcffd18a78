#include "hub/index_store.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/time.h"
#include "text/iso2022jp.h"

namespace renkei::hub {
namespace {

using sql::SqlRow;
using sql::SqlValue;

// Schema migrations, in order (sql::Migrate). Text that is compared by range or sorted is
// {text_c}, so that both databases order it byte by byte (= by code point for UTF-8).
constexpr sql::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE identities (
  id {id},
  merged_into BIGINT REFERENCES identities (id),
  created_at TEXT NOT NULL
);
CREATE TABLE facilities (
  facility_no {id},
  code {text_c} NOT NULL UNIQUE
);
CREATE TABLE registrations (
  id {id},
  facility_no BIGINT NOT NULL REFERENCES facilities (facility_no),
  local_id {text_c} NOT NULL,
  identity BIGINT NOT NULL REFERENCES identities (id),
  family_kanji TEXT NOT NULL, given_kanji TEXT NOT NULL,
  family_kana TEXT NOT NULL, given_kana TEXT NOT NULL,
  birth_date TEXT NOT NULL, sex TEXT NOT NULL,
  postal_code TEXT NOT NULL, address TEXT NOT NULL, phone TEXT NOT NULL, identifier TEXT NOT NULL,
  consent BIGINT NOT NULL,
  key_family {text_c} NOT NULL, key_given {text_c} NOT NULL,
  key_family_reading {text_c} NOT NULL, key_given_reading {text_c} NOT NULL,
  key_birth_date BIGINT NOT NULL, key_sex TEXT NOT NULL,
  key_phone {text_c} NOT NULL, key_postal_code {text_c} NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (facility_no, local_id)
);
CREATE INDEX registrations_by_identity ON registrations (identity);
CREATE INDEX registrations_by_birth_date ON registrations (key_birth_date, key_family_reading);
CREATE INDEX registrations_by_reading ON registrations (key_family_reading, key_given_reading);
CREATE INDEX registrations_by_name ON registrations (key_family, key_given);
CREATE INDEX registrations_by_phone ON registrations (key_phone);
CREATE TABLE changes (
  id {id},
  created_at TEXT NOT NULL
);
CREATE TABLE link_events (
  id {id},
  change_id BIGINT NOT NULL REFERENCES changes (id),
  occurred_at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  registration BIGINT REFERENCES registrations (id),
  from_identity BIGINT REFERENCES identities (id),
  to_identity BIGINT REFERENCES identities (id),
  score TEXT,
  breakdown TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX link_events_by_change ON link_events (change_id);
CREATE INDEX link_events_by_registration ON link_events (registration);
CREATE INDEX link_events_by_from ON link_events (from_identity);
CREATE INDEX link_events_by_to ON link_events (to_identity);
CREATE TABLE reviews (
  id {id},
  registration BIGINT NOT NULL REFERENCES registrations (id),
  candidate BIGINT NOT NULL REFERENCES registrations (id),
  score TEXT NOT NULL,
  breakdown TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  resolved_at TEXT NOT NULL,
  resolved_by TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX reviews_by_status ON reviews (status, id);
CREATE INDEX reviews_by_registration ON reviews (registration);
CREATE INDEX reviews_by_candidate ON reviews (candidate);
CREATE UNIQUE INDEX reviews_open_pair ON reviews (registration, candidate) WHERE status = 'open';
)sql",
     // The locator, one entry per registration, must stay small at billions of entries (goal:
     // 64 bytes each on disk; index_store_test.cc measures it). SQLite keeps it in its primary
     // key's b-tree alone: ~24 bytes an entry with 10-digit local IDs. A PostgreSQL table keeps
     // its rows apart from its indexes, and the row alone takes ~52 bytes: a b-tree over all
     // three columns would add ~40 more, one over `identity`, whose repeated keys PostgreSQL
     // stores once, adds ~10. The registrations' unique (facility_no, local_id) already keeps a
     // local record to one entry.
     R"sql(
CREATE TABLE locator (
  identity BIGINT NOT NULL,
  facility_no INTEGER NOT NULL,
  local_id TEXT NOT NULL,
  PRIMARY KEY (identity, facility_no, local_id)
) WITHOUT ROWID;
)sql",
     R"sql(
CREATE TABLE locator (
  identity BIGINT NOT NULL,
  facility_no INTEGER NOT NULL,
  local_id TEXT COLLATE "C" NOT NULL
);
CREATE INDEX locator_by_identity ON locator (identity);
)sql"},
};

// Registrations with their facility's code; add WHERE ...
constexpr std::string_view kSelectRegistrations =
    "SELECT r.id, f.code, r.local_id, r.identity, r.family_kanji, r.given_kanji, r.family_kana, r.given_kana, "
    "r.birth_date, r.sex, r.postal_code, r.address, r.phone, r.identifier, r.consent, r.created_at, r.updated_at "
    "FROM registrations r JOIN facilities f ON f.facility_no = r.facility_no";
constexpr std::string_view kLinkEventColumns =
    "id, change_id, occurred_at, actor, action, registration, from_identity, to_identity, score, breakdown, reason";
constexpr std::string_view kReviewColumns =
    "id, registration, candidate, score, breakdown, status, created_at, resolved_at, resolved_by, reason";

constexpr std::pair<LinkAction, std::string_view> kLinkActionNames[] = {
    {LinkAction::kNew, "new"},       {LinkAction::kAutoLink, "auto_link"}, {LinkAction::kReview, "review"},
    {LinkAction::kLink, "link"},     {LinkAction::kUnlink, "unlink"},      {LinkAction::kMerge, "merge"},
    {LinkAction::kKeepApart, "keep_apart"}, {LinkAction::kRevert, "revert"}, {LinkAction::kUpdate, "update"},
};
constexpr std::pair<ReviewStatus, std::string_view> kReviewStatusNames[] = {
    {ReviewStatus::kOpen, "open"},
    {ReviewStatus::kLinked, "linked"},
    {ReviewStatus::kKeptApart, "kept_apart"},
    {ReviewStatus::kObsolete, "obsolete"},
};

// --- Checks of what callers give ---

Status CheckText(std::string_view field, std::string_view text) {
  if (text.size() > kMaxTextBytes) {
    return ResourceExhausted(
        fmt::format("{} is {} bytes long; at most {} are kept", field, text.size(), kMaxTextBytes));
  }
  // PostgreSQL text cannot hold NUL; SQLite could, but both must keep the same things.
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return InvalidArgument(fmt::format("{}: byte {}: NUL is not allowed in text", field, nul));
  }
  if (Status s = text::ValidateUtf8(text); !s.ok()) return s.Annotate(field);
  return Status::Ok();
}

Status CheckId(std::string_view field, std::string_view id) {
  if (id.empty()) return InvalidArgument(fmt::format("{} is empty", field));
  if (id.size() > kMaxIdBytes) {
    return ResourceExhausted(fmt::format("{} is {} bytes long; at most {}", field, id.size(), kMaxIdBytes));
  }
  return CheckText(field, id);
}

Status CheckSex(std::string_view field, char sex) {
  if (sex == 0 || (sex > ' ' && sex < 0x7f)) return Status::Ok();
  return InvalidArgument(fmt::format("{} must be a printable ASCII character or unset, not byte 0x{:02X}", field,
                                     static_cast<unsigned char>(sex)));
}

Status CheckRegistrationData(const mpi::Demographics& d, const SearchKeys& k) {
  const std::pair<std::string_view, const std::string*> texts[] = {
      {"family_kanji", &d.family_kanji}, {"given_kanji", &d.given_kanji}, {"family_kana", &d.family_kana},
      {"given_kana", &d.given_kana},     {"birth_date", &d.birth_date},   {"sex", &d.sex},
      {"postal_code", &d.postal_code},   {"address", &d.address},         {"phone", &d.phone},
      {"identifier", &d.identifier},     {"keys.family", &k.family},      {"keys.given", &k.given},
      {"keys.family_key", &k.family_key}, {"keys.given_key", &k.given_key}, {"keys.phone", &k.phone},
      {"keys.postal_code", &k.postal_code},
  };
  for (const auto& [field, text] : texts) RENKEI_RETURN_IF_ERROR(CheckText(field, *text));
  return CheckSex("keys.sex", k.sex);
}

Status CheckScore(std::string_view field, double score) {
  if (std::isfinite(score)) return Status::Ok();
  return InvalidArgument(fmt::format("{} must be a finite number", field));
}

// A score breakdown is "" or JSON text. The parser's message is not returned: it quotes the
// text, which may hold demographics.
Status CheckBreakdown(std::string_view breakdown) {
  RENKEI_RETURN_IF_ERROR(CheckText("breakdown", breakdown));
  if (breakdown.empty()) return Status::Ok();
  if (nlohmann::json::accept(breakdown)) return Status::Ok();
  size_t byte = 0;
  try {
    [[maybe_unused]] const nlohmann::json parsed = nlohmann::json::parse(breakdown);
  } catch (const nlohmann::json::parse_error& e) {
    byte = e.byte;
  }
  return InvalidArgument(fmt::format("breakdown is not JSON (byte {})", byte));
}

Status CheckLimit(size_t limit) {
  if (limit >= 1 && limit <= kMaxListLimit) return Status::Ok();
  return InvalidArgument(fmt::format("limit must be 1..{}, not {}", kMaxListLimit, limit));
}

// --- Search keys ---

// `key` (valid UTF-8) as stored and compared: at most kMaxSearchKeyBytes, cut before a
// character that would not fit whole.
std::string StoredKey(std::string_view key) {
  if (key.size() <= kMaxSearchKeyBytes) return std::string(key);
  size_t cut = kMaxSearchKeyBytes;
  while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) --cut;
  return std::string(key.substr(0, cut));
}

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// The code point of one whole, valid UTF-8 character.
char32_t DecodeUtf8(std::string_view c) {
  const auto byte = [&](size_t i) { return static_cast<char32_t>(static_cast<unsigned char>(c[i])); };
  switch (c.size()) {
    case 1: return byte(0);
    case 2: return (byte(0) & 0x1F) << 6 | (byte(1) & 0x3F);
    case 3: return (byte(0) & 0x0F) << 12 | (byte(1) & 0x3F) << 6 | (byte(2) & 0x3F);
    default: return (byte(0) & 0x07) << 18 | (byte(1) & 0x3F) << 12 | (byte(2) & 0x3F) << 6 | (byte(3) & 0x3F);
  }
}

// The smallest valid UTF-8 string greater, byte by byte, than every string that starts with
// `prefix` (valid UTF-8): the prefix with its last character replaced by the next code point.
// So `key >= prefix AND key < end` is a prefix match that an index can serve in both
// databases (a bytewise successor could be invalid UTF-8, which PostgreSQL refuses).
// nullopt when there is none (the prefix is all U+10FFFF).
std::optional<std::string> PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    size_t start = end.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(end[start]) & 0xC0) == 0x80) --start;
    const char32_t last = DecodeUtf8(std::string_view(end).substr(start));
    end.resize(start);
    if (last == 0x10FFFF) continue;
    AppendUtf8(end, last == 0xD7FF ? 0xE000 : last + 1);  // surrogates are not characters
    return end;
  }
  return std::nullopt;
}

// --- Conversions ---

SqlValue OrNull(int64_t id) { return id == 0 ? SqlValue() : SqlValue(id); }

std::string ScoreText(double score) { return fmt::format("{}", score); }  // shortest text that reads back exactly

StatusOr<double> ParseScore(std::string_view text, std::string_view what) {
  double score = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), score);
  if (error != std::errc() || end != text.data() + text.size()) {
    return DataLoss(fmt::format("{} has a malformed score", what));
  }
  return score;
}

std::string SexText(char sex) { return sex == 0 ? std::string() : std::string(1, sex); }

// The columns the statements that write a registration set from $1..$20, and their values:
// its demographics, consent and search keys, and the time of the change.
constexpr std::string_view kRegistrationColumnsWritten =
    "family_kanji, given_kanji, family_kana, given_kana, birth_date, sex, postal_code, address, phone, identifier, "
    "consent, key_family, key_given, key_family_reading, key_given_reading, key_birth_date, key_sex, key_phone, "
    "key_postal_code, updated_at";
std::vector<SqlValue> RegistrationValues(const mpi::Demographics& d, const SearchKeys& k, bool consent) {
  return {d.family_kanji, d.given_kanji, d.family_kana, d.given_kana, d.birth_date, d.sex,
          d.postal_code, d.address, d.phone, d.identifier, int64_t{consent},
          StoredKey(k.family), StoredKey(k.given), StoredKey(k.family_key), StoredKey(k.given_key),
          int64_t{k.birth_date}, SexText(k.sex), StoredKey(k.phone), StoredKey(k.postal_code), NowUtcIso8601()};
}
RegistrationRow ToRegistration(const SqlRow& r) {
  RegistrationRow row;
  row.id = r.Int(0);
  row.facility = r.Text(1);
  row.local_id = r.Text(2);
  row.identity = r.Int(3);
  mpi::Demographics& d = row.demographics;
  d.family_kanji = r.Text(4);
  d.given_kanji = r.Text(5);
  d.family_kana = r.Text(6);
  d.given_kana = r.Text(7);
  d.birth_date = r.Text(8);
  d.sex = r.Text(9);
  d.postal_code = r.Text(10);
  d.address = r.Text(11);
  d.phone = r.Text(12);
  d.identifier = r.Text(13);
  row.consent = r.Int(14) != 0;
  row.created_at = r.Text(15);
  row.updated_at = r.Text(16);
  return row;
}

std::vector<RegistrationRow> ToRegistrations(const std::vector<SqlRow>& rows) {
  std::vector<RegistrationRow> out;
  out.reserve(rows.size());
  for (const SqlRow& r : rows) out.push_back(ToRegistration(r));
  return out;
}

StatusOr<LinkEventRow> ToLinkEvent(const SqlRow& r) {
  LinkEventRow e;
  e.id = r.Int(0);
  e.change = r.Int(1);
  e.at = r.Text(2);
  e.actor = r.Text(3);
  std::optional<LinkAction> action = ParseLinkAction(r.Text(4));
  if (!action) return DataLoss(fmt::format("link event {} has an unknown action", e.id));
  e.action = *action;
  e.registration = r.Int(5);
  e.from_identity = r.Int(6);
  e.to_identity = r.Int(7);
  if (!r.IsNull(8)) {
    RENKEI_ASSIGN_OR_RETURN(e.score, ParseScore(r.Text(8), fmt::format("link event {}", e.id)));
  }
  e.breakdown = r.Text(9);
  e.reason = r.Text(10);
  return e;
}

StatusOr<std::vector<LinkEventRow>> ToLinkEvents(const std::vector<SqlRow>& rows) {
  std::vector<LinkEventRow> out;
  out.reserve(rows.size());
  for (const SqlRow& r : rows) {
    RENKEI_ASSIGN_OR_RETURN(LinkEventRow e, ToLinkEvent(r));
    out.push_back(std::move(e));
  }
  return out;
}

StatusOr<ReviewRow> ToReview(const SqlRow& r) {
  ReviewRow v;
  v.id = r.Int(0);
  v.registration = r.Int(1);
  v.candidate = r.Int(2);
  RENKEI_ASSIGN_OR_RETURN(v.score, ParseScore(r.Text(3), fmt::format("review {}", v.id)));
  v.breakdown = r.Text(4);
  std::optional<ReviewStatus> status = ParseReviewStatus(r.Text(5));
  if (!status) return DataLoss(fmt::format("review {} has an unknown status", v.id));
  v.status = *status;
  v.created_at = r.Text(6);
  v.resolved_at = r.Text(7);
  v.resolved_by = r.Text(8);
  v.reason = r.Text(9);
  return v;
}

StatusOr<std::vector<ReviewRow>> ToReviews(const std::vector<SqlRow>& rows) {
  std::vector<ReviewRow> out;
  out.reserve(rows.size());
  for (const SqlRow& r : rows) {
    RENKEI_ASSIGN_OR_RETURN(ReviewRow v, ToReview(r));
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

std::string_view LinkActionName(LinkAction a) {
  for (const auto& [action, name] : kLinkActionNames) {
    if (action == a) return name;
  }
  return "unknown";
}

std::optional<LinkAction> ParseLinkAction(std::string_view name) {
  for (const auto& [action, n] : kLinkActionNames) {
    if (n == name) return action;
  }
  return std::nullopt;
}

std::string_view ReviewStatusName(ReviewStatus s) {
  for (const auto& [status, name] : kReviewStatusNames) {
    if (status == s) return name;
  }
  return "unknown";
}

std::optional<ReviewStatus> ParseReviewStatus(std::string_view name) {
  for (const auto& [status, n] : kReviewStatusNames) {
    if (n == name) return status;
  }
  return std::nullopt;
}

StatusOr<std::unique_ptr<IndexStore>> IndexStore::Open(std::string_view url) {
  RENKEI_ASSIGN_OR_RETURN(auto db, sql::Open(url));
  RENKEI_RETURN_IF_ERROR(sql::Migrate(*db, kMigrations));
  if (db->dialect() == sql::Dialect::kPostgres) {
    // The connection prepares each statement once. PostgreSQL would soon switch it to a
    // generic plan made while the tables were small (at start, or early in a bulk load that
    // registers a region in one transaction) and keep scanning them whole with it as they
    // grow; planning every execution anew keeps the lookups on their indexes.
    RENKEI_RETURN_IF_ERROR(db->Execute("SET plan_cache_mode = force_custom_plan"));
  }
  return std::unique_ptr<IndexStore>(new IndexStore(std::move(db)));
}

Status IndexStore::RequireDurableCommits() {
  if (db_->dialect() == sql::Dialect::kSqlite) return db_->Execute("PRAGMA synchronous=FULL");
  return Status::Ok();
}

Status IndexStore::Begin() {
  if (in_transaction_) return FailedPrecondition("a transaction is already open");
  RENKEI_RETURN_IF_ERROR(db_->Execute("BEGIN"));
  in_transaction_ = true;
  return Status::Ok();
}

Status IndexStore::Commit() {
  if (!in_transaction_) return FailedPrecondition("no transaction to commit");
  in_transaction_ = false;
  Status s = db_->Execute("COMMIT");
  if (!s.ok()) db_->Execute("ROLLBACK").IgnoreError();  // SQLite keeps a transaction whose COMMIT failed
  return s;
}

Status IndexStore::Rollback() {
  if (!in_transaction_) return FailedPrecondition("no transaction to roll back");
  in_transaction_ = false;
  return db_->Execute("ROLLBACK");
}

Status IndexStore::Atomically(const std::function<Status()>& body) {
  if (in_transaction_) return body();  // the caller's transaction makes it atomic
  RENKEI_RETURN_IF_ERROR(db_->Execute("BEGIN"));
  Status s = body();
  if (s.ok()) s = db_->Execute("COMMIT");
  if (!s.ok()) db_->Execute("ROLLBACK").IgnoreError();
  return s;
}

// --- Identities ---

StatusOr<int64_t> IndexStore::NewIdentity() {
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query("INSERT INTO identities (created_at) VALUES ($1) RETURNING id", {NowUtcIso8601()}));
  return rows.at(0).Int(0);
}

StatusOr<int64_t> IndexStore::IdentityCount() {
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT COUNT(*) FROM identities WHERE merged_into IS NULL", {}));
  return rows.at(0).Int(0);
}

StatusOr<std::optional<int64_t>> IndexStore::IdentityState(int64_t identity) {
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT merged_into FROM identities WHERE id = $1", {identity}));
  if (rows.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(rows[0].Int(0));
}

Status IndexStore::CheckLiveIdentity(int64_t identity) {
  RENKEI_ASSIGN_OR_RETURN(std::optional<int64_t> merged_into, IdentityState(identity));
  if (!merged_into) return NotFound(fmt::format("no identity {}", identity));
  if (*merged_into != 0) {
    return FailedPrecondition(fmt::format("identity {} was merged into identity {}", identity, *merged_into));
  }
  return Status::Ok();
}

Status IndexStore::MarkMerged(int64_t identity, int64_t into) {
  if (identity == into) return InvalidArgument(fmt::format("identity {} cannot be merged into itself", identity));
  RENKEI_RETURN_IF_ERROR(CheckLiveIdentity(identity));
  RENKEI_RETURN_IF_ERROR(CheckLiveIdentity(into));
  RENKEI_ASSIGN_OR_RETURN(auto used,
                          db_->Query("SELECT id FROM registrations WHERE identity = $1 LIMIT 1", {identity}));
  if (!used.empty()) {
    return FailedPrecondition(fmt::format("identity {} still has registrations (e.g. {}); move them first", identity,
                                          used[0].Int(0)));
  }
  return db_->Query("UPDATE identities SET merged_into = $2 WHERE id = $1", {identity, into}).status();
}

Status IndexStore::ClearMerged(int64_t identity) {
  RENKEI_ASSIGN_OR_RETURN(std::optional<int64_t> merged_into, IdentityState(identity));
  if (!merged_into) return NotFound(fmt::format("no identity {}", identity));
  if (*merged_into == 0) return FailedPrecondition(fmt::format("identity {} is not merged", identity));
  return db_->Query("UPDATE identities SET merged_into = NULL WHERE id = $1", {identity}).status();
}

StatusOr<std::optional<int64_t>> IndexStore::MergedInto(int64_t identity) {
  RENKEI_ASSIGN_OR_RETURN(std::optional<int64_t> merged_into, IdentityState(identity));
  if (!merged_into) return NotFound(fmt::format("no identity {}", identity));
  if (*merged_into == 0) return std::optional<int64_t>();
  return merged_into;
}

// --- Registrations ---

StatusOr<int64_t> IndexStore::FacilityNumber(std::string_view code) {
  RENKEI_ASSIGN_OR_RETURN(auto rows,
                          db_->Query("SELECT facility_no FROM facilities WHERE code = $1", {std::string(code)}));
  if (rows.empty()) {
    RENKEI_ASSIGN_OR_RETURN(
        rows, db_->Query("INSERT INTO facilities (code) VALUES ($1) RETURNING facility_no", {std::string(code)}));
  }
  return rows.at(0).Int(0);
}

StatusOr<int64_t> IndexStore::InsertRegistration(std::string_view facility, std::string_view local_id,
                                                 int64_t identity, const mpi::Demographics& demographics,
                                                 const SearchKeys& keys, bool consent) {
  RENKEI_RETURN_IF_ERROR(CheckId("facility", facility));
  RENKEI_RETURN_IF_ERROR(CheckId("local_id", local_id));
  RENKEI_RETURN_IF_ERROR(CheckRegistrationData(demographics, keys));
  RENKEI_RETURN_IF_ERROR(CheckLiveIdentity(identity));
  int64_t id = 0;
  RENKEI_RETURN_IF_ERROR(Atomically([&]() -> Status {
    RENKEI_ASSIGN_OR_RETURN(const int64_t facility_no, FacilityNumber(facility));
    std::vector<SqlValue> values = RegistrationValues(demographics, keys, consent);
    values.insert(values.end(), {facility_no, std::string(local_id), identity});
    // DO NOTHING rather than a unique violation, which would abort a PostgreSQL transaction.
    RENKEI_ASSIGN_OR_RETURN(
        auto rows, db_->Query(fmt::format("INSERT INTO registrations ({}, created_at, facility_no, local_id, identity) "
                                          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
                                          "$16, $17, $18, $19, $20, $20, $21, $22, $23) "
                                          "ON CONFLICT (facility_no, local_id) DO NOTHING RETURNING id",
                                          kRegistrationColumnsWritten),
                              values));
    if (rows.empty()) {
      RENKEI_ASSIGN_OR_RETURN(auto existing,
                              db_->Query("SELECT id FROM registrations WHERE facility_no = $1 AND local_id = $2",
                                         {facility_no, std::string(local_id)}));
      // The local ID is not repeated: it identifies a patient.
      return AlreadyExists(fmt::format("facility {} already registered this local ID (registration {})", facility,
                                       existing.empty() ? 0 : existing[0].Int(0)));
    }
    id = rows.at(0).Int(0);
    return db_->Query("INSERT INTO locator (identity, facility_no, local_id) VALUES ($1, $2, $3)",
                      {identity, facility_no, std::string(local_id)})
        .status();
  }));
  return id;
}

Status IndexStore::UpdateRegistration(int64_t id, const mpi::Demographics& demographics, const SearchKeys& keys,
                                      bool consent) {
  RENKEI_RETURN_IF_ERROR(CheckRegistrationData(demographics, keys));
  std::vector<SqlValue> values = RegistrationValues(demographics, keys, consent);
  values.insert(values.end(), {id});
  RENKEI_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(fmt::format("UPDATE registrations SET ({}) = ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                             "$13, $14, $15, $16, $17, $18, $19, $20) WHERE id = $21 RETURNING id",
                             kRegistrationColumnsWritten),
                 values));
  if (rows.empty()) return NotFound(fmt::format("no registration {}", id));
  return Status::Ok();
}

Status IndexStore::SetIdentity(int64_t registration, int64_t identity) {
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT identity, facility_no, local_id FROM registrations WHERE id = $1", {registration}));
  if (rows.empty()) return NotFound(fmt::format("no registration {}", registration));
  RENKEI_RETURN_IF_ERROR(CheckLiveIdentity(identity));
  const int64_t old_identity = rows[0].Int(0);
  if (old_identity == identity) return Status::Ok();
  return Atomically([&]() -> Status {
    RENKEI_RETURN_IF_ERROR(db_->Query("UPDATE registrations SET identity = $2, updated_at = $3 WHERE id = $1",
                                      {registration, identity, NowUtcIso8601()})
                               .status());
    RENKEI_ASSIGN_OR_RETURN(auto moved, db_->Query("UPDATE locator SET identity = $1 WHERE identity = $2 AND "
                                                   "facility_no = $3 AND local_id = $4 RETURNING identity",
                                                   {identity, old_identity, rows[0].Int(1), rows[0].Text(2)}));
    if (moved.empty()) return DataLoss(fmt::format("the locator has no entry for registration {}", registration));
    return Status::Ok();
  });
}

StatusOr<std::optional<RegistrationRow>> IndexStore::FindRegistration(std::string_view facility,
                                                                      std::string_view local_id) {
  RENKEI_RETURN_IF_ERROR(CheckId("facility", facility));
  RENKEI_RETURN_IF_ERROR(CheckId("local_id", local_id));
  RENKEI_ASSIGN_OR_RETURN(auto rows,
                          db_->Query(fmt::format("{} WHERE f.code = $1 AND r.local_id = $2", kSelectRegistrations),
                                     {std::string(facility), std::string(local_id)}));
  if (rows.empty()) return std::optional<RegistrationRow>();
  return std::optional<RegistrationRow>(ToRegistration(rows[0]));
}

StatusOr<std::optional<RegistrationRow>> IndexStore::GetRegistration(int64_t id) {
  RENKEI_ASSIGN_OR_RETURN(auto rows,
                          db_->Query(fmt::format("{} WHERE r.id = $1", kSelectRegistrations), {id}));
  if (rows.empty()) return std::optional<RegistrationRow>();
  return std::optional<RegistrationRow>(ToRegistration(rows[0]));
}

StatusOr<std::vector<RegistrationRow>> IndexStore::RegistrationsOf(int64_t identity) {
  RENKEI_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(fmt::format("{} WHERE r.identity = $1 ORDER BY r.id", kSelectRegistrations), {identity}));
  return ToRegistrations(rows);
}

Status IndexStore::ForEachRegistration(const std::function<Status(const RegistrationRow&)>& fn, size_t page) {
  if (page == 0) return InvalidArgument("page must be at least 1");
  const std::string sql = fmt::format("{} WHERE r.id > $1 ORDER BY r.id LIMIT $2", kSelectRegistrations);
  int64_t after = 0;
  while (true) {
    RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query(sql, {after, static_cast<int64_t>(page)}));
    for (const SqlRow& r : rows) {
      const RegistrationRow row = ToRegistration(r);
      RENKEI_RETURN_IF_ERROR(fn(row));
      after = row.id;
    }
    if (rows.size() < page) return Status::Ok();
  }
}

StatusOr<SearchResult> IndexStore::Search(const SearchQuery& q) {
  RENKEI_RETURN_IF_ERROR(CheckLimit(q.limit));
  const std::pair<std::string_view, const std::string*> texts[] = {
      {"family", &q.family}, {"given", &q.given}, {"family_key", &q.family_key}, {"given_key", &q.given_key},
      {"phone", &q.phone},   {"postal_code", &q.postal_code},
  };
  for (const auto& [field, text] : texts) RENKEI_RETURN_IF_ERROR(CheckText(field, *text));
  RENKEI_RETURN_IF_ERROR(CheckSex("sex", q.sex));
  // Every query must be able to start from an index: a search by sex or postal code alone
  // would read the whole index.
  if (q.family.empty() && q.family_key.empty() && q.birth_date == 0 && q.phone.empty()) {
    return InvalidArgument("a search needs a family name, a family reading key, a birth date or a phone number");
  }

  std::string where;
  std::vector<SqlValue> params;
  auto condition = [&](std::string_view column, std::string_view op, SqlValue value) {
    params.push_back(std::move(value));
    where += fmt::format("{}{} {} ${}", where.empty() ? "" : " AND ", column, op, params.size());
  };
  auto prefix = [&](std::string_view column, const std::string& text) {
    if (text.empty()) return;
    const std::string key = StoredKey(text);
    std::optional<std::string> end = PrefixEnd(key);
    condition(column, ">=", key);
    if (end) condition(column, "<", *end);
  };
  prefix("r.key_family", q.family);
  prefix("r.key_given", q.given);
  prefix("r.key_family_reading", q.family_key);
  prefix("r.key_given_reading", q.given_key);
  if (q.birth_date != 0) condition("r.key_birth_date", "=", int64_t{q.birth_date});
  if (q.sex != 0) condition("r.key_sex", "=", SexText(q.sex));
  if (!q.phone.empty()) condition("r.key_phone", "=", StoredKey(q.phone));
  if (!q.postal_code.empty()) condition("r.key_postal_code", "=", StoredKey(q.postal_code));
  // No ORDER BY: sorting would let the planner prefer walking the primary key to the index
  // that matches; the candidates are sorted below.
  params.push_back(static_cast<int64_t>(q.limit) + 1);
  RENKEI_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(fmt::format("{} WHERE {} LIMIT ${}", kSelectRegistrations, where, params.size()), params));
  SearchResult result;
  result.more = rows.size() > q.limit;
  if (result.more) rows.pop_back();
  result.candidates = ToRegistrations(rows);
  std::sort(result.candidates.begin(), result.candidates.end(),
            [](const RegistrationRow& a, const RegistrationRow& b) { return a.id < b.id; });
  return result;
}

// --- Locator ---

StatusOr<std::vector<LocatorEntry>> IndexStore::Locate(int64_t identity) {
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT f.code, l.local_id FROM locator l JOIN facilities f ON "
                                                "f.facility_no = l.facility_no WHERE l.identity = $1 "
                                                "ORDER BY f.code, l.local_id",
                                                {identity}));
  std::vector<LocatorEntry> out;
  out.reserve(rows.size());
  for (const SqlRow& r : rows) out.push_back({r.Text(0), r.Text(1)});
  return out;
}

StatusOr<int64_t> IndexStore::LocatorBytes() {
  if (db_->dialect() == sql::Dialect::kPostgres) {
    RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT pg_total_relation_size('locator')", {}));
    return rows.at(0).Int(0);
  }
  // A WITHOUT ROWID table is one b-tree, its primary key: there is no other index to add.
  auto rows = db_->Query("SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name = 'locator'", {});
  if (!rows.ok()) return rows.status().Annotate("measuring the locator (needs SQLite's dbstat table)");
  return rows->at(0).Int(0);
}

StatusOr<int64_t> IndexStore::LocatorRows() {
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT COUNT(*) FROM locator", {}));
  return rows.at(0).Int(0);
}

// --- Link history ---

StatusOr<int64_t> IndexStore::NewChange() {
  RENKEI_ASSIGN_OR_RETURN(auto rows,
                          db_->Query("INSERT INTO changes (created_at) VALUES ($1) RETURNING id", {NowUtcIso8601()}));
  return rows.at(0).Int(0);
}

StatusOr<int64_t> IndexStore::AppendLinkEvent(const LinkEventRow& e) {
  if (e.actor.empty()) return InvalidArgument("actor is empty");
  RENKEI_RETURN_IF_ERROR(CheckText("actor", e.actor));
  RENKEI_RETURN_IF_ERROR(CheckText("at", e.at));
  RENKEI_RETURN_IF_ERROR(CheckText("reason", e.reason));
  RENKEI_RETURN_IF_ERROR(CheckBreakdown(e.breakdown));
  if (e.score) RENKEI_RETURN_IF_ERROR(CheckScore("score", *e.score));
  // What the row names must exist (checked here rather than by the foreign keys, whose
  // failure would abort a PostgreSQL transaction).
  RENKEI_ASSIGN_OR_RETURN(
      auto found, db_->Query("SELECT (SELECT COUNT(*) FROM changes WHERE id = $1), "
                             "(SELECT COUNT(*) FROM registrations WHERE id = $2), "
                             "(SELECT COUNT(*) FROM identities WHERE id = $3), "
                             "(SELECT COUNT(*) FROM identities WHERE id = $4)",
                             {e.change, e.registration, e.from_identity, e.to_identity}));
  if (found.at(0).Int(0) == 0) return NotFound(fmt::format("no change {}", e.change));
  if (e.registration != 0 && found[0].Int(1) == 0) return NotFound(fmt::format("no registration {}", e.registration));
  for (int i : {2, 3}) {
    const int64_t identity = i == 2 ? e.from_identity : e.to_identity;
    if (identity != 0 && found[0].Int(i) == 0) return NotFound(fmt::format("no identity {}", identity));
  }
  RENKEI_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("INSERT INTO link_events (change_id, occurred_at, actor, action, registration, from_identity, "
                 "to_identity, score, breakdown, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                 {e.change, e.at.empty() ? NowUtcIso8601() : e.at, e.actor, std::string(LinkActionName(e.action)),
                  OrNull(e.registration), OrNull(e.from_identity), OrNull(e.to_identity),
                  e.score ? SqlValue(ScoreText(*e.score)) : SqlValue(), e.breakdown, e.reason}));
  return rows.at(0).Int(0);
}

StatusOr<std::vector<LinkEventRow>> IndexStore::LinkEvents(const LinkEventQuery& q) {
  RENKEI_RETURN_IF_ERROR(CheckLimit(q.limit));
  std::string where;
  std::vector<SqlValue> params;
  auto condition = [&](std::string_view text, int64_t value) {
    params.push_back(value);
    where += fmt::format("{}{}", where.empty() ? " WHERE " : " AND ", fmt::format(fmt::runtime(text), params.size()));
  };
  if (q.identity != 0) condition("(from_identity = ${0} OR to_identity = ${0})", q.identity);
  if (q.registration != 0) condition("registration = ${}", q.registration);
  if (q.before_id != 0) condition("id < ${}", q.before_id);
  params.push_back(static_cast<int64_t>(q.limit));
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query(fmt::format("SELECT {} FROM link_events{} ORDER BY id DESC LIMIT ${}",
                                                            kLinkEventColumns, where, params.size()),
                                                params));
  return ToLinkEvents(rows);
}

StatusOr<std::vector<LinkEventRow>> IndexStore::ChangeRows(int64_t change) {
  RENKEI_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(fmt::format("SELECT {} FROM link_events WHERE change_id = $1 ORDER BY id", kLinkEventColumns),
                 {change}));
  return ToLinkEvents(rows);
}

// --- Review queue ---

StatusOr<int64_t> IndexStore::AddReview(const ReviewRow& v) {
  if (v.registration == v.candidate) {
    return InvalidArgument(fmt::format("registration {} cannot be reviewed against itself", v.registration));
  }
  RENKEI_RETURN_IF_ERROR(CheckScore("score", v.score));
  RENKEI_RETURN_IF_ERROR(CheckBreakdown(v.breakdown));
  for (int64_t id : {v.registration, v.candidate}) {
    RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT id FROM registrations WHERE id = $1", {id}));
    if (rows.empty()) return NotFound(fmt::format("no registration {}", id));
  }
  RENKEI_ASSIGN_OR_RETURN(auto open, db_->Query("SELECT id FROM reviews WHERE status = 'open' AND ((registration = $1 "
                                                "AND candidate = $2) OR (registration = $2 AND candidate = $1))",
                                                {v.registration, v.candidate}));
  if (!open.empty()) {
    return AlreadyExists(fmt::format("registrations {} and {} already have an open review ({})", v.registration,
                                     v.candidate, open[0].Int(0)));
  }
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query("INSERT INTO reviews (registration, candidate, score, breakdown, status, created_at, "
                            "resolved_at, resolved_by, reason) VALUES ($1, $2, $3, $4, 'open', $5, '', '', '') "
                            "RETURNING id",
                            {v.registration, v.candidate, ScoreText(v.score), v.breakdown, NowUtcIso8601()}));
  return rows.at(0).Int(0);
}

StatusOr<std::optional<ReviewRow>> IndexStore::GetReview(int64_t id) {
  RENKEI_ASSIGN_OR_RETURN(auto rows,
                          db_->Query(fmt::format("SELECT {} FROM reviews WHERE id = $1", kReviewColumns), {id}));
  if (rows.empty()) return std::optional<ReviewRow>();
  RENKEI_ASSIGN_OR_RETURN(ReviewRow v, ToReview(rows[0]));
  return std::optional<ReviewRow>(std::move(v));
}

StatusOr<std::vector<ReviewRow>> IndexStore::ListReviews(std::optional<ReviewStatus> status, size_t limit,
                                                         int64_t after_id) {
  RENKEI_RETURN_IF_ERROR(CheckLimit(limit));
  const int64_t n = static_cast<int64_t>(limit);
  StatusOr<std::vector<SqlRow>> rows =
      status ? db_->Query(fmt::format("SELECT {} FROM reviews WHERE status = $1 AND id > $2 ORDER BY id LIMIT $3",
                                      kReviewColumns),
                          {std::string(ReviewStatusName(*status)), after_id, n})
             : db_->Query(fmt::format("SELECT {} FROM reviews WHERE id > $1 ORDER BY id LIMIT $2", kReviewColumns),
                          {after_id, n});
  if (!rows.ok()) return rows.status();
  return ToReviews(*rows);
}

StatusOr<std::vector<ReviewRow>> IndexStore::ReviewsOf(int64_t registration) {
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query(fmt::format("SELECT {} FROM reviews WHERE registration = $1 OR candidate = $1 ORDER BY id",
                                        kReviewColumns),
                            {registration}));
  return ToReviews(rows);
}

Status IndexStore::ResolveReview(int64_t id, ReviewStatus status, std::string_view by, std::string_view reason) {
  if (status == ReviewStatus::kOpen) return InvalidArgument("a review is resolved as linked, kept_apart or obsolete");
  if (by.empty()) return InvalidArgument("by is empty");
  RENKEI_RETURN_IF_ERROR(CheckText("by", by));
  RENKEI_RETURN_IF_ERROR(CheckText("reason", reason));
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT status FROM reviews WHERE id = $1", {id}));
  if (rows.empty()) return NotFound(fmt::format("no review {}", id));
  if (rows[0].Text(0) != ReviewStatusName(ReviewStatus::kOpen)) {
    return FailedPrecondition(fmt::format("review {} is already resolved ({})", id, rows[0].Text(0)));
  }
  return db_
      ->Query("UPDATE reviews SET status = $2, resolved_at = $3, resolved_by = $4, reason = $5 WHERE id = $1",
              {id, std::string(ReviewStatusName(status)), NowUtcIso8601(), std::string(by), std::string(reason)})
      .status();
}

}  // namespace renkei::hub
