#include "identity/user_store.h"

#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <ranges>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "identity/totp.h"
#include "pki/digest.h"
#include "text/base64.h"

namespace renkei::identity {
namespace {

using sql::SqlRow;
using sql::SqlValue;

constexpr sql::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE identity_users (
  id {id},
  login {text_c} NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  facility TEXT NOT NULL,
  regional_ids TEXT NOT NULL,
  certificate_sha256 TEXT UNIQUE,
  disabled BIGINT NOT NULL,
  locked_until_ms BIGINT NOT NULL,
  created_ms BIGINT NOT NULL,
  password_hash TEXT NOT NULL,
  totp_secret {blob} NOT NULL,
  totp_last_step BIGINT NOT NULL,
  failures BIGINT NOT NULL
);
CREATE TABLE identity_sessions (
  token_sha256 TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES identity_users (id),
  method TEXT NOT NULL,
  from_address TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  last_used_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL
);
CREATE INDEX identity_sessions_by_user ON identity_sessions (user_id);
)sql"},
};

constexpr size_t kTokenBytes = 32;
constexpr size_t kTokenChars = 43;           // base64url of 32 bytes, without padding
constexpr int64_t kSessionTouchMs = 60'000;  // how often a session's last use is written
constexpr size_t kMaxAddressBytes = 64;
constexpr size_t kMaxListed = 1000;

// The table identity_users is always named `u`, so that these also serve a join.
constexpr std::string_view kUserColumns =
    "u.id, u.login, u.display_name, u.role, u.facility, u.regional_ids, u.certificate_sha256, u.disabled, "
    "u.locked_until_ms, u.created_ms";
constexpr size_t kUserColumnCount = 10;

// The number in "U12"; nullopt for anything else (also "U012": one account, one spelling).
std::optional<int64_t> UserNumber(std::string_view id) {
  int64_t n = 0;
  if (id.size() < 2 || id.size() > 20 || id[0] != 'U' || id[1] == '0') return std::nullopt;
  const auto [end, error] = std::from_chars(id.data() + 1, id.data() + id.size(), n);
  if (error != std::errc() || end != id.data() + id.size() || n <= 0) return std::nullopt;
  return n;
}

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

std::vector<std::string> SplitIds(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  for (const auto part : text | std::views::split(',')) out.emplace_back(part.begin(), part.end());
  return out;
}

StatusOr<User> UserOf(const SqlRow& r) {
  User u;
  u.id = fmt::format("U{}", r.Int(0));
  u.login = r.Text(1);
  u.display_name = r.Text(2);
  const StatusOr<Role> role = ParseRole(r.Text(3));
  if (!role.ok()) return DataLoss(fmt::format("user {} has the unknown role '{}'", u.id, r.Text(3)));
  u.role = *role;
  u.facility = r.Text(4);
  u.regional_ids = SplitIds(r.Text(5));
  u.certificate_sha256 = r.Text(6);
  u.disabled = r.Int(7) != 0;
  u.locked_until_ms = r.Int(8);
  u.created_ms = r.Int(9);
  return u;
}

TotpEnrollment Enrollment(const std::string& login, std::string secret) {
  return {secret, Base32Encode(secret), TotpUri(login, secret)};
}

// base64url without padding (RFC 4648 section 5): a token fit for headers and cookies.
std::string Base64Url(std::string_view bytes) {
  std::string out = text::Base64Encode(bytes);
  out.erase(out.find_last_not_of('=') + 1);
  std::replace(out.begin(), out.end(), '+', '-');
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

std::string UtcTime(int64_t unix_ms) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(static_cast<std::time_t>(unix_ms / 1000)));
}

Status CheckOptions(const UserStoreOptions& o) {
  const AttemptLimits& a = o.address_limits;
  if (o.max_failures < 1 || o.lockout_ms < 1 || o.session_idle_ms < 1 || o.session_max_ms < 1 || a.attempts < 1 ||
      a.window_ms < a.attempts || a.max_addresses < 1) {
    return InvalidArgument("sign-in limits and session times must be at least 1 (and an address's window at least "
                           "1 ms per attempt)");
  }
  return Status::Ok();
}

}  // namespace

struct UserStore::Credentials {
  User user;
  std::string password_hash;
  std::string totp_secret;
  int64_t totp_last_step = 0;
};

std::string_view SignInMethodName(SignInMethod m) {
  return m == SignInMethod::kCertificate ? "certificate" : "password_and_code";
}

std::string_view LoginFailureName(LoginFailure f) {
  switch (f) {
    case LoginFailure::kNone: return "none";
    case LoginFailure::kRateLimited: return "rate_limited";
    case LoginFailure::kUnknownUser: return "unknown_user";
    case LoginFailure::kWrongPassword: return "wrong_password";
    case LoginFailure::kWrongCode: return "wrong_code";
    case LoginFailure::kReplayedCode: return "replayed_code";
    case LoginFailure::kDisabled: return "disabled";
    case LoginFailure::kLocked: return "locked";
    case LoginFailure::kStoreFailed: return "store_failed";
  }
  return "none";
}

UserStore::UserStore(std::unique_ptr<sql::SqlConnection> db, const UserStoreOptions& options,
                     std::string unknown_user_hash)
    : options_(options),
      unknown_user_hash_(std::move(unknown_user_hash)),
      address_limiter_(options.address_limits),
      db_(std::move(db)) {}

StatusOr<std::unique_ptr<UserStore>> UserStore::Open(std::string_view url, const UserStoreOptions& options) {
  RENKEI_RETURN_IF_ERROR(CheckOptions(options));
  // Also proves, before anyone signs up, that libargon2 takes the costs.
  RENKEI_ASSIGN_OR_RETURN(std::string unknown_user_hash, HashPassword("no account has this password", options.hashing));
  RENKEI_ASSIGN_OR_RETURN(auto db, sql::Open(url));
  RENKEI_RETURN_IF_ERROR(sql::Migrate(*db, kMigrations, "identity_schema_migrations"));
  return std::unique_ptr<UserStore>(new UserStore(std::move(db), options, std::move(unknown_user_hash)));
}

Status UserStore::Transaction(const std::function<Status()>& body) {
  RENKEI_RETURN_IF_ERROR(db_->Execute("BEGIN"));
  if (Status s = body(); !s.ok()) {
    db_->Execute("ROLLBACK").IgnoreError();
    return s;
  }
  return db_->Execute("COMMIT");
}

StatusOr<std::optional<UserStore::Credentials>> UserStore::CredentialsWhere(std::string_view condition,
                                                                            SqlValue param) {
  RENKEI_ASSIGN_OR_RETURN(auto rows,
                          db_->Query(fmt::format("SELECT {}, u.password_hash, u.totp_secret, u.totp_last_step "
                                                 "FROM identity_users u WHERE {}",
                                                 kUserColumns, condition),
                                     {std::move(param)}));
  if (rows.empty()) return std::optional<Credentials>();
  const SqlRow& r = rows[0];
  RENKEI_ASSIGN_OR_RETURN(User user, UserOf(r));
  return std::optional<Credentials>(Credentials{std::move(user), r.Text(kUserColumnCount),
                                                r.Text(kUserColumnCount + 1), r.Int(kUserColumnCount + 2)});
}

StatusOr<User> UserStore::UserWhere(std::string_view condition, SqlValue param, std::string_view not_found) {
  RENKEI_ASSIGN_OR_RETURN(std::optional<Credentials> found, CredentialsWhere(condition, std::move(param)));
  if (!found) return NotFound(std::string(not_found));
  return std::move(found->user);
}

StatusOr<bool> UserStore::Exists(std::string_view column, const std::string& value) {
  RENKEI_ASSIGN_OR_RETURN(auto rows,
                          db_->Query(fmt::format("SELECT 1 FROM identity_users WHERE {} = $1", column), {value}));
  return !rows.empty();
}

// --- Accounts ---

StatusOr<CreatedUser> UserStore::CreateUser(User user, std::string_view password, int64_t now_ms) {
  RENKEI_ASSIGN_OR_RETURN(user, CheckUser(std::move(user)));
  RENKEI_ASSIGN_OR_RETURN(const std::string password_hash, HashPassword(password, options_.hashing));
  RENKEI_ASSIGN_OR_RETURN(std::string secret, NewTotpSecret());
  user.disabled = false;
  user.locked_until_ms = 0;
  user.created_ms = now_ms;
  std::lock_guard lock(mutex_);
  auto rows = db_->Query(
      "INSERT INTO identity_users (login, display_name, role, facility, regional_ids, certificate_sha256, disabled, "
      "locked_until_ms, created_ms, password_hash, totp_secret, totp_last_step, failures) "
      "VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7, $8, $9, 0, 0) RETURNING id",
      {user.login, user.display_name, std::string(RoleName(user.role)), user.facility, JoinIds(user.regional_ids),
       user.certificate_sha256.empty() ? SqlValue() : SqlValue(user.certificate_sha256), now_ms, password_hash,
       sql::Blob{secret}});
  if (!rows.ok()) {
    // A unique column's violation: which one, for a message the caller can act on.
    RENKEI_ASSIGN_OR_RETURN(const bool login_taken, Exists("login", user.login));
    if (login_taken) return AlreadyExists(fmt::format("the login name '{}' is taken", user.login));
    RENKEI_ASSIGN_OR_RETURN(const bool certificate_taken, Exists("certificate_sha256", user.certificate_sha256));
    if (certificate_taken) return AlreadyExists("this certificate is bound to another account");
    return rows.status();
  }
  user.id = fmt::format("U{}", rows->at(0).Int(0));
  TotpEnrollment totp = Enrollment(user.login, std::move(secret));
  return CreatedUser{std::move(user), std::move(totp)};
}

StatusOr<User> UserStore::Get(std::string_view id) {
  const std::optional<int64_t> n = UserNumber(id);
  if (!n) return NotFound("no such user");
  std::lock_guard lock(mutex_);
  return UserWhere("u.id = $1", *n, fmt::format("no user {}", id));
}

StatusOr<User> UserStore::FindByLogin(std::string_view login) {
  const std::optional<std::string> canonical = CanonicalLogin(login);
  if (!canonical) return InvalidArgument("a login name is 1-64 letters, digits, '.', '_' or '-'");
  std::lock_guard lock(mutex_);
  return UserWhere("u.login = $1", *canonical, fmt::format("no user has the login name '{}'", *canonical));
}

StatusOr<User> UserStore::FindByCertificate(std::string_view sha256_hex) {
  const std::optional<std::string> fingerprint = CanonicalFingerprint(sha256_hex);
  if (!fingerprint) return InvalidArgument("a certificate fingerprint is 64 hex digits");
  std::lock_guard lock(mutex_);
  return UserWhere("u.certificate_sha256 = $1", *fingerprint, "no user has this certificate");
}

StatusOr<std::vector<User>> UserStore::List(std::string_view after_id, size_t limit) {
  const std::optional<int64_t> after = after_id.empty() ? 0 : UserNumber(after_id);
  if (!after) return InvalidArgument("after_id is not a user ID");
  if (limit < 1 || limit > kMaxListed) return InvalidArgument(fmt::format("list 1 to {} users at a time", kMaxListed));
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query(fmt::format("SELECT {} FROM identity_users u WHERE u.id > $1 ORDER BY u.id LIMIT $2",
                                        kUserColumns),
                            {*after, static_cast<int64_t>(limit)}));
  std::vector<User> out;
  for (const SqlRow& r : rows) {
    RENKEI_ASSIGN_OR_RETURN(User u, UserOf(r));
    out.push_back(std::move(u));
  }
  return out;
}

Status UserStore::Change(std::string_view id, std::string_view assignments, std::vector<SqlValue> params,
                         bool end_sessions) {
  const std::optional<int64_t> n = UserNumber(id);
  if (!n) return NotFound("no such user");
  params.push_back(*n);
  const std::string update =
      fmt::format("UPDATE identity_users SET {} WHERE id = ${} RETURNING id", assignments, params.size());
  std::lock_guard lock(mutex_);
  return Transaction([&]() -> Status {
    RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query(update, params));
    if (rows.empty()) return NotFound(fmt::format("no user {}", id));
    if (!end_sessions) return Status::Ok();
    return db_->Query("DELETE FROM identity_sessions WHERE user_id = $1", {*n}).status();
  });
}

Status UserStore::SetPassword(std::string_view id, std::string_view password) {
  RENKEI_ASSIGN_OR_RETURN(const std::string password_hash, HashPassword(password, options_.hashing));
  return Change(id, "password_hash = $1, failures = 0, locked_until_ms = 0", {password_hash}, true);
}

Status UserStore::Disable(std::string_view id) { return Change(id, "disabled = 1", {}, true); }

Status UserStore::Enable(std::string_view id) { return Change(id, "disabled = 0", {}, false); }

StatusOr<TotpEnrollment> UserStore::ResetTotp(std::string_view id) {
  RENKEI_ASSIGN_OR_RETURN(std::string secret, NewTotpSecret());
  RENKEI_RETURN_IF_ERROR(Change(id, "totp_secret = $1", {sql::Blob{secret}}, true));
  RENKEI_ASSIGN_OR_RETURN(const User user, Get(id));
  return Enrollment(user.login, std::move(secret));
}

Status UserStore::BindCertificate(std::string_view id, std::string_view sha256_hex) {
  const std::optional<std::string> fingerprint = CanonicalFingerprint(sha256_hex);
  if (!sha256_hex.empty() && !fingerprint) return InvalidArgument("a certificate fingerprint is 64 hex digits");
  const Status s = Change(id, "certificate_sha256 = $1", {fingerprint ? SqlValue(*fingerprint) : SqlValue()}, true);
  if (s.ok() || s.code() == StatusCode::kNotFound || !fingerprint) return s;
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(const bool taken, Exists("certificate_sha256", *fingerprint));
  return taken ? AlreadyExists("this certificate is bound to another account") : s;
}

// --- Signing in ---

LoginResult UserStore::Login(std::string_view login, std::string_view password, std::string_view totp_code,
                             std::string_view from_address, int64_t now_ms) {
  LoginResult result(PermissionDenied(std::string(kWrongCredentials)), LoginFailure::kNone);
  from_address = from_address.substr(0, kMaxAddressBytes);
  if (const int64_t wait_ms = address_limiter_.Take(from_address, now_ms); wait_ms > 0) {
    result.session = ResourceExhausted(
        fmt::format("too many failed sign-ins from this address; try again in {} s", (wait_ms + 999) / 1000));
    result.failure = LoginFailure::kRateLimited;
    return result;
  }
  const std::optional<std::string> canonical = CanonicalLogin(login);
  StatusOr<std::optional<Credentials>> found = std::optional<Credentials>();
  if (canonical) {
    std::lock_guard lock(mutex_);
    found = CredentialsWhere("u.login = $1", *canonical);
  }
  if (!found.ok()) return StoreFailed(std::move(result), found.status());
  if (!found->has_value()) {
    // As long as for a known login, so that the time taken does not tell which logins exist.
    VerifyPassword(password, unknown_user_hash_).status().IgnoreError();
    result.failure = LoginFailure::kUnknownUser;
    return result;
  }
  const Credentials& account = **found;
  result.user_id = account.user.id;
  if (account.user.locked_until_ms > now_ms) return Locked(std::move(result), account.user.locked_until_ms);
  const StatusOr<bool> verified = VerifyPassword(password, account.password_hash);
  if (!verified.ok()) return StoreFailed(std::move(result), verified.status());
  if (account.user.disabled) {
    result.failure = LoginFailure::kDisabled;
    return result;
  }
  if (!*verified) return Failed(std::move(result), LoginFailure::kWrongPassword, now_ms);
  const TotpCheck code = CheckTotp(account.totp_secret, totp_code, now_ms, account.totp_last_step);
  if (code.result != TotpCheck::Result::kAccepted) {
    const bool replayed = code.result == TotpCheck::Result::kReplayed;
    return Failed(std::move(result), replayed ? LoginFailure::kReplayedCode : LoginFailure::kWrongCode, now_ms);
  }

  std::lock_guard lock(mutex_);
  // Claims the code's step, unless a sign-in in between used it, or locked or disabled the account.
  auto claimed = db_->Query(
      "UPDATE identity_users SET totp_last_step = $1, failures = 0 WHERE id = $2 AND totp_last_step < $1 AND "
      "locked_until_ms <= $3 AND disabled = 0 RETURNING id",
      {code.step, *UserNumber(account.user.id), now_ms});
  if (!claimed.ok()) return StoreFailed(std::move(result), claimed.status());
  if (claimed->empty()) {
    result.failure = LoginFailure::kReplayedCode;
    return result;
  }
  result.session = OpenSession(account.user, SignInMethod::kPasswordAndCode, from_address, now_ms);
  if (!result.session.ok()) return StoreFailed(std::move(result), result.session.status());
  address_limiter_.GiveBack(from_address);
  return result;
}

LoginResult UserStore::Failed(LoginResult result, LoginFailure failure, int64_t now_ms) {
  result.failure = failure;
  std::lock_guard lock(mutex_);
  const auto rows = db_->Query(
      "UPDATE identity_users SET "
      "failures = CASE WHEN failures + 1 >= $1 THEN 0 ELSE failures + 1 END, "
      "locked_until_ms = CASE WHEN failures + 1 >= $1 THEN $2 ELSE locked_until_ms END "
      "WHERE id = $3 RETURNING locked_until_ms",
      {int64_t{options_.max_failures}, now_ms + options_.lockout_ms, *UserNumber(result.user_id)});
  // A failure that could not be counted is the database's error, not the generic one: the
  // lockout must not be bypassed by a database that reads but does not write.
  if (!rows.ok()) return StoreFailed(std::move(result), rows.status());
  if (!rows->empty() && rows->at(0).Int(0) > now_ms) result.locked_until_ms = rows->at(0).Int(0);
  return result;
}

LoginResult UserStore::Locked(LoginResult result, int64_t locked_until_ms) {
  result.failure = LoginFailure::kLocked;
  result.locked_until_ms = locked_until_ms;
  result.session = PermissionDenied(fmt::format("this account is locked after {} failed sign-ins; it unlocks at {}",
                                                options_.max_failures, UtcTime(locked_until_ms)));
  return result;
}

LoginResult UserStore::StoreFailed(LoginResult result, const Status& error) {
  if (result.failure == LoginFailure::kNone) result.failure = LoginFailure::kStoreFailed;
  result.session = error;
  return result;
}

LoginResult UserStore::LoginWithCertificate(std::string_view sha256_hex, std::string_view from_address,
                                            int64_t now_ms) {
  LoginResult result(PermissionDenied(std::string(kNoAccountForCertificate)), LoginFailure::kUnknownUser);
  const std::optional<std::string> fingerprint = CanonicalFingerprint(sha256_hex);
  if (!fingerprint) return result;
  std::lock_guard lock(mutex_);
  StatusOr<std::optional<Credentials>> found = CredentialsWhere("u.certificate_sha256 = $1", *fingerprint);
  if (!found.ok()) return StoreFailed(std::move(result), found.status());
  if (!found->has_value()) return result;
  const User& user = (*found)->user;
  result.user_id = user.id;
  if (user.disabled) {
    result.failure = LoginFailure::kDisabled;
    return result;
  }
  result.failure = LoginFailure::kNone;
  result.session = OpenSession(user, SignInMethod::kCertificate, from_address.substr(0, kMaxAddressBytes), now_ms);
  if (!result.session.ok()) return StoreFailed(std::move(result), result.session.status());
  return result;
}

// --- Sessions ---

StatusOr<Session> UserStore::OpenSession(const User& user, SignInMethod method, std::string_view from_address,
                                         int64_t now_ms) {
  unsigned char random[kTokenBytes];
  if (RAND_bytes(random, sizeof random) != 1) return Internal("no randomness for a session token");
  Session s;
  s.token = Base64Url(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
  const std::string digest = pki::Sha256Hex(s.token);
  s.id = digest.substr(0, 16);
  s.user = user;
  s.method = method;
  s.from_address = std::string(from_address);
  s.created_ms = now_ms;
  s.expires_ms = now_ms + options_.session_max_ms;
  s.idle_expires_ms = std::min(now_ms + options_.session_idle_ms, s.expires_ms);
  const int64_t user_number = *UserNumber(user.id);
  // The account's ended sessions go when it opens a new one, so that they do not pile up.
  RENKEI_RETURN_IF_ERROR(db_->Query("DELETE FROM identity_sessions WHERE user_id = $1 AND (expires_ms <= $2 OR "
                                    "last_used_ms <= $3)",
                                    {user_number, now_ms, now_ms - options_.session_idle_ms})
                             .status());
  RENKEI_RETURN_IF_ERROR(
      db_->Query("INSERT INTO identity_sessions (token_sha256, user_id, method, from_address, created_ms, "
                 "last_used_ms, expires_ms) VALUES ($1, $2, $3, $4, $5, $5, $6)",
                 {digest, user_number, std::string(SignInMethodName(method)), s.from_address, now_ms, s.expires_ms})
          .status());
  return s;
}

StatusOr<Session> UserStore::Authenticate(std::string_view token, int64_t now_ms) {
  const Status no_session = PermissionDenied(std::string(kNoSession));
  if (token.size() != kTokenChars) return no_session;
  const std::string digest = pki::Sha256Hex(token);
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query(fmt::format("SELECT {}, s.method, s.from_address, s.created_ms, s.last_used_ms, "
                                        "s.expires_ms FROM identity_sessions s JOIN identity_users u ON "
                                        "u.id = s.user_id WHERE s.token_sha256 = $1",
                                        kUserColumns),
                            {digest}));
  if (rows.empty()) return no_session;
  const SqlRow& r = rows[0];
  Session s;
  RENKEI_ASSIGN_OR_RETURN(s.user, UserOf(r));
  s.id = digest.substr(0, 16);
  s.method = r.Text(kUserColumnCount) == "certificate" ? SignInMethod::kCertificate : SignInMethod::kPasswordAndCode;
  s.from_address = r.Text(kUserColumnCount + 1);
  s.created_ms = r.Int(kUserColumnCount + 2);
  int64_t last_used_ms = r.Int(kUserColumnCount + 3);
  s.expires_ms = r.Int(kUserColumnCount + 4);
  if (now_ms >= s.expires_ms || now_ms >= last_used_ms + options_.session_idle_ms || s.user.disabled) {
    RENKEI_RETURN_IF_ERROR(db_->Query("DELETE FROM identity_sessions WHERE token_sha256 = $1", {digest}).status());
    return no_session;
  }
  if (now_ms - last_used_ms >= kSessionTouchMs) {
    RENKEI_RETURN_IF_ERROR(
        db_->Query("UPDATE identity_sessions SET last_used_ms = $1 WHERE token_sha256 = $2", {now_ms, digest}).status());
    last_used_ms = now_ms;
  }
  s.idle_expires_ms = std::min(last_used_ms + options_.session_idle_ms, s.expires_ms);
  return s;
}

Status UserStore::Revoke(std::string_view token) {
  if (token.size() != kTokenChars) return NotFound("no such session");
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("DELETE FROM identity_sessions WHERE token_sha256 = $1 RETURNING 1",
                                                {pki::Sha256Hex(token)}));
  if (rows.empty()) return NotFound("no such session");
  return Status::Ok();
}

StatusOr<int64_t> UserStore::RevokeAllOf(std::string_view user_id) {
  const std::optional<int64_t> n = UserNumber(user_id);
  if (!n) return NotFound("no such user");
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("DELETE FROM identity_sessions WHERE user_id = $1 RETURNING 1", {*n}));
  return static_cast<int64_t>(rows.size());
}

}  // namespace renkei::identity
