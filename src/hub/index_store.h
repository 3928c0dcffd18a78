// IndexStore: the hub's durable master patient index. It keeps
//   * registrations: one facility's local patient ID with the demographics it recorded, and
//     the identity (person) the registration is in. One local record is in exactly one
//     identity at any time: (facility, local ID) is unique;
//   * identities: one per person, numbered 1, 2, 3 ... (shown as regional IDs, mpi/regional_id.h);
//     an identity emptied by a merge is marked as merged into the one that absorbed it;
//   * the record locator: identity → the facilities (and their local IDs) holding data, kept
//     in step with the registrations in a compact table of its own that can grow to national
//     scale (~20 facilities per person, billions of entries);
//   * the link history: every automatic or manual decision, with its score breakdown, grouped
//     by change so that an operator action can be reverted;
//   * the review queue: pairs of registrations the linker could not decide on.
// It holds no clinical content. Linkage decisions are made elsewhere (mpi/); this is storage.
//
// One implementation over sql::SqlConnection: SQLite and PostgreSQL behave alike and both pass
// index_store_test.cc. Open() applies pending schema migrations.
//
// Threads: an IndexStore is used by one thread at a time (thread-compatible); the hub
// serialises its writes through one IndexStore, and nothing else writes to its database.
//
// Transactions: outside Begin()/Commit(), each method is atomic on its own. Inside, the
// errors a method documents (kInvalidArgument and kResourceExhausted for bad input,
// kNotFound, kAlreadyExists, kFailedPrecondition) leave nothing written and the transaction
// usable, so it may go on (PostgreSQL included, which aborts a transaction at its first failed
// statement); after any other error (kUnavailable, kDataLoss, kInternal) call Rollback().
//
// Text: every text given must be UTF-8 without NUL bytes (kInvalidArgument naming the field
// otherwise) and at most kMaxTextBytes long (kResourceExhausted); facility codes and local IDs
// are non-empty and at most kMaxIdBytes long.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "mpi/record.h"
#include "sql/sql.h"

namespace renkei::hub {

inline constexpr size_t kMaxTextBytes = 64 * 1024;  // any one text: names, reasons, breakdowns
inline constexpr size_t kMaxIdBytes = 128;          // a facility code or a local patient ID
// Search keys longer than this are stored, and compared, by their first kMaxSearchKeyBytes
// bytes cut at a character boundary (a database index entry has a size limit). Search
// returns candidates to rank, so a longer key only makes more candidates.
inline constexpr size_t kMaxSearchKeyBytes = 256;
inline constexpr size_t kMaxListLimit = 10'000;     // rows one Search, LinkEvents or ListReviews returns

// What one row of the link history records.
enum class LinkAction {
  kNew,        // a registration arrived and became a new identity
  kAutoLink,   // a registration was put into an existing identity automatically (score above the threshold)
  kReview,     // a registration's match was uncertain and went to the review queue
  kLink,       // an operator put a registration into an identity
  kUnlink,     // an operator took a registration out of its identity
  kMerge,      // an operator merged two identities (one row per registration moved)
  kKeepApart,  // an operator decided that two registrations are different people
  kRevert,     // an earlier change was undone (one row per registration moved back)
  kUpdate,     // a registration's demographics changed
};
std::string_view LinkActionName(LinkAction a);  // "new", "auto_link", "review", "link", "unlink",
                                                // "merge", "keep_apart", "revert", "update"
std::optional<LinkAction> ParseLinkAction(std::string_view name);  // the inverse; nullopt for others

// Where a review stands.
enum class ReviewStatus {
  kOpen,       // waiting for an operator
  kLinked,     // the operator linked the two registrations
  kKeptApart,  // the operator decided they are different people
  kObsolete,   // no longer needed (e.g. one of the registrations changed or was linked otherwise)
};
std::string_view ReviewStatusName(ReviewStatus s);  // "open", "linked", "kept_apart", "obsolete"
std::optional<ReviewStatus> ParseReviewStatus(std::string_view name);  // the inverse

struct RegistrationRow {
  int64_t id = 0;
  std::string facility;            // the facility's code (10 digits for a Japanese medical institution)
  std::string local_id;            // the facility's own patient ID
  int64_t identity = 0;            // the identity the registration is in
  mpi::Demographics demographics;  // as the facility recorded them
  bool consent = false;            // the facility reported the patient's consent to sharing
  std::string created_at;          // UTC ISO 8601
  std::string updated_at;          // last change of demographics, consent or identity
};

// The normalised keys a registration is found by (computed by the caller, e.g. from
// mpi::Features), stored beside its demographics so that Search can use indexes. Empty text
// and 0 mean "not recorded".
struct SearchKeys {
  std::string family;       // normalised written names
  std::string given;
  std::string family_key;   // normalised reading keys
  std::string given_key;
  std::string phone;
  std::string postal_code;
  uint32_t birth_date = 0;  // YYYYMMDD
  char sex = 0;             // a printable ASCII character ('M', 'F', 'U'), or 0
};

// A demographics query (PDQ). Every member set narrows the result; names and reading keys
// match registrations whose key starts with the text given (so a whole key matches too),
// the other members match exactly. A family name, a family reading key, a birth date or a
// phone number must be set, so that the search starts from an index.
struct SearchQuery {
  std::string family{}, given{};          // normalised written names (prefixes)
  std::string family_key{}, given_key{};  // normalised reading keys (prefixes)
  uint32_t birth_date = 0;
  char sex = 0;
  std::string phone{};
  std::string postal_code{};
  size_t limit = 200;  // 1..kMaxListLimit candidates
};

struct SearchResult {
  std::vector<RegistrationRow> candidates;  // unranked, in id order
  bool more = false;  // more registrations matched than `limit`: which ones were returned is
                      // unspecified; narrow the query to see them all
};

// One facility holding data for an identity.
struct LocatorEntry {
  std::string facility;  // its code
  std::string local_id;  // the patient's ID there
  friend bool operator==(const LocatorEntry&, const LocatorEntry&) = default;
};

// One row of the link history: a change of one registration's identity, or a note about one
// (a review opened, two registrations kept apart, demographics updated).
struct LinkEventRow {
  int64_t id = 0;                 // assigned by AppendLinkEvent
  int64_t change = 0;             // from NewChange(); the rows of one action share it
  std::string at{};               // UTC ISO 8601; AppendLinkEvent fills it in when empty
  std::string actor{};            // the operator's user name, or the linker's name; not empty
  LinkAction action = LinkAction::kNew;
  int64_t registration = 0;       // 0 when not about one registration
  int64_t from_identity = 0;      // 0 when none
  int64_t to_identity = 0;        // 0 when none
  std::optional<double> score{};  // the linkage score, when there is one (finite)
  std::string breakdown{};        // the score breakdown as JSON text; "" when none
  std::string reason{};           // the operator's reason; may be empty for automatic decisions
};

// Which history rows LinkEvents returns, newest first; members left 0 do not filter.
struct LinkEventQuery {
  int64_t identity = 0;      // rows moving a registration from or to this identity
  int64_t registration = 0;  // rows about this registration
  int64_t before_id = 0;     // rows older than this one: the next page after a page's last id
  size_t limit = 100;        // 1..kMaxListLimit
};

// A pair of registrations for an operator to compare.
struct ReviewRow {
  int64_t id = 0;              // assigned by AddReview
  int64_t registration = 0;    // the registration the linker was placing
  int64_t candidate = 0;       // the registration (of another identity) it resembles
  double score = 0;            // finite
  std::string breakdown{};     // JSON text; "" when none
  ReviewStatus status = ReviewStatus::kOpen;
  std::string created_at{};    // UTC ISO 8601, set by AddReview
  std::string resolved_at{};   // "" while open
  std::string resolved_by{};   // the operator who resolved it
  std::string reason{};        // the operator's reason
};

class IndexStore {
 public:
  // Opens the index named by `url`: "sqlite:PATH" or "postgresql://..." (sql::Open), and
  // brings its schema up to date. Errors: kInvalidArgument for an unknown scheme, kUnavailable
  // when the database cannot be opened, kFailedPrecondition when its schema is newer than this
  // program.
  static StatusOr<std::unique_ptr<IndexStore>> Open(std::string_view url);

  // Makes every later Commit() durable before it returns (SQLite: synchronous=FULL;
  // PostgreSQL commits are durable already). For a hub that answers once a link is stored.
  Status RequireDurableCommits();

  // A transaction over several calls. kFailedPrecondition for Begin() inside a transaction,
  // and for Commit() or Rollback() outside one. A Commit() that fails rolls back.
  Status Begin();
  Status Commit();
  Status Rollback();

  // --- Identities ---
  // A new identity: 1, 2, 3 ... Committed numbers are never given again; a number taken in a
  // transaction that rolled back may be given again (SQLite) or skipped (PostgreSQL).
  StatusOr<int64_t> NewIdentity();
  // Identities not merged into another (including any left without registrations).
  StatusOr<int64_t> IdentityCount();
  // Records that `identity`, whose registrations have all moved to `into`, is no longer used.
  // Errors: kInvalidArgument when they are the same; kNotFound when either does not exist;
  // kFailedPrecondition when `identity` still has registrations or is already merged, or
  // `into` is merged.
  Status MarkMerged(int64_t identity, int64_t into);
  // Makes a merged identity live again, for reverting a merge. kNotFound, or
  // kFailedPrecondition when it is not merged.
  Status ClearMerged(int64_t identity);
  // The identity `identity` was merged into (which may itself have been merged later: follow
  // the chain); nullopt when it is live. kNotFound when it does not exist.
  StatusOr<std::optional<int64_t>> MergedInto(int64_t identity);

  // --- Registrations ---
  // Adds a facility's local record to `identity` (and to the locator); returns its id.
  // Errors: kAlreadyExists when the facility already registered `local_id`; kNotFound when
  // `identity` does not exist; kFailedPrecondition when it is merged; kInvalidArgument or
  // kResourceExhausted for bad text (see the top of this file), a sex that is not a printable
  // ASCII character.
  StatusOr<int64_t> InsertRegistration(std::string_view facility, std::string_view local_id, int64_t identity,
                                       const mpi::Demographics& demographics, const SearchKeys& keys, bool consent);
  // Replaces a registration's demographics, keys and consent. kNotFound, or bad text.
  Status UpdateRegistration(int64_t id, const mpi::Demographics& demographics, const SearchKeys& keys,
                            bool consent);
  // Moves a registration to `identity`, and its locator entry with it (no-op when it is there
  // already). kNotFound when either does not exist; kFailedPrecondition when `identity` is merged.
  Status SetIdentity(int64_t registration, int64_t identity);
  // nullopt when there is none. kInvalidArgument for bad text.
  StatusOr<std::optional<RegistrationRow>> FindRegistration(std::string_view facility, std::string_view local_id);
  StatusOr<std::optional<RegistrationRow>> GetRegistration(int64_t id);
  // The registrations of an identity, in id order.
  StatusOr<std::vector<RegistrationRow>> RegistrationsOf(int64_t identity);
  // Calls `fn` on every registration in id order, reading `page` rows at a time (for loading
  // the in-memory linker: ten million rows are never all in memory). Stops at the first
  // non-OK status of `fn` and returns it. kInvalidArgument when `page` is 0.
  Status ForEachRegistration(const std::function<Status(const RegistrationRow&)>& fn, size_t page = 10'000);
  // Candidates for a demographics query, to be ranked by the caller. kInvalidArgument when
  // none of family, family_key, birth_date and phone is set, `limit` is out of range, for a
  // sex that is not printable ASCII, or for bad text.
  StatusOr<SearchResult> Search(const SearchQuery& query);

  // --- Locator ---
  // The facilities holding data for `identity`, by facility code then local ID; empty for an
  // unknown or merged identity.
  StatusOr<std::vector<LocatorEntry>> Locate(int64_t identity);
  // Bytes on disk of the locator table and its index (SQLite: from its dbstat table, an
  // error when SQLite was built without it; PostgreSQL: pg_total_relation_size), and its
  // number of entries.
  StatusOr<int64_t> LocatorBytes();
  StatusOr<int64_t> LocatorRows();

  // --- Link history ---
  // A new change number (increasing), grouping the history rows of one action.
  StatusOr<int64_t> NewChange();
  // Appends a row (its `id` is ignored) and returns its id. Errors: kNotFound when its change,
  // registration or identities do not exist; kInvalidArgument for an empty actor, a score that
  // is not finite, a breakdown that is not JSON, or bad text.
  StatusOr<int64_t> AppendLinkEvent(const LinkEventRow& event);
  // History rows matching `query`, newest first. kInvalidArgument when `limit` is out of range.
  StatusOr<std::vector<LinkEventRow>> LinkEvents(const LinkEventQuery& query);
  // The rows of one change in the order they were appended (to revert it).
  StatusOr<std::vector<LinkEventRow>> ChangeRows(int64_t change);

  // --- Review queue ---
  // Opens a review (status, created_at and the resolution are ignored); returns its id.
  // Errors: kInvalidArgument when registration and candidate are the same, the score is not
  // finite, the breakdown is not JSON, or for bad text; kNotFound when either registration
  // does not exist; kAlreadyExists when the pair (in either order) already has an open review.
  StatusOr<int64_t> AddReview(const ReviewRow& review);
  StatusOr<std::optional<ReviewRow>> GetReview(int64_t id);
  // Reviews with id > after_id (0 for the first page) in id order, only those in `status`
  // unless nullopt. kInvalidArgument when `limit` is out of range.
  StatusOr<std::vector<ReviewRow>> ListReviews(std::optional<ReviewStatus> status, size_t limit, int64_t after_id);
  // Every review naming `registration` (as registration or candidate), in id order.
  StatusOr<std::vector<ReviewRow>> ReviewsOf(int64_t registration);
  // Closes an open review. Errors: kInvalidArgument when `status` is kOpen, `by` is empty, or
  // for bad text; kNotFound; kFailedPrecondition when the review is already resolved.
  Status ResolveReview(int64_t id, ReviewStatus status, std::string_view by, std::string_view reason);

 private:
  explicit IndexStore(std::unique_ptr<sql::SqlConnection> db) : db_(std::move(db)) {}
  // Runs `body` atomically: in a transaction of its own, or in the caller's.
  Status Atomically(const std::function<Status()>& body);
  // The identity's merged_into column: nullopt when it does not exist, 0 when live.
  StatusOr<std::optional<int64_t>> IdentityState(int64_t identity);
  // OK when `identity` exists and is live (kNotFound / kFailedPrecondition otherwise).
  Status CheckLiveIdentity(int64_t identity);
  // The number of a facility code in the locator, added on first use.
  StatusOr<int64_t> FacilityNumber(std::string_view code);

  std::unique_ptr<sql::SqlConnection> db_;
  bool in_transaction_ = false;  // between Begin() and Commit()/Rollback()
};

}  // namespace renkei::hub
