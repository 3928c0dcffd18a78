// The hub's people: their accounts (user.h), how they sign in, and their sessions, over sql/
// (SQLite or PostgreSQL; tables named identity_*, with their own migration history, so that
// they may share the hub's database).
//
// Signing in takes the login name, the password (password.h: argon2id) and the code of the
// authenticator app enrolled when the account was made (totp.h); every account has one. A
// clinician whose certificate is bound to the account may instead sign in with it (the TLS
// handshake has proved the key). A sign-in opens a session: a random 256-bit token given to the
// client once, of which the store keeps only the SHA-256. A session ends after a time unused
// (sliding) and at the latest a fixed time after it began, when revoked, and when its account's
// password or second factor is changed or the account is disabled.
//
// Against guessing: after `max_failures` failed sign-ins in a row an account is locked for
// `lockout_ms` (kept in the database, so a restart does not reset it); each source address has a
// budget of failed attempts (attempt_limiter.h). A caller is told only "wrong login, password or
// code" whatever was wrong — an unknown login takes as long as a known one, a password hash
// being verified either way — while LoginResult tells the hub's audit trail what really was.
//
// Times are the caller's (now_ms, Unix milliseconds), so that tests can move the clock.
// Thread-safe: one connection, guarded by a mutex; passwords are hashed and verified outside it,
// so that a sign-in does not hold up other requests' Authenticate.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "identity/attempt_limiter.h"
#include "identity/password.h"
#include "identity/user.h"
#include "sql/sql.h"

namespace renkei::identity {

struct UserStoreOptions {
  PasswordHashing hashing;                 // for new passwords (and the unknown-login check)
  int max_failures = 5;                    // failed sign-ins in a row that lock an account
  int64_t lockout_ms = 15 * 60'000;
  AttemptLimits address_limits;            // failed attempts per source address
  int64_t session_idle_ms = 30 * 60'000;   // a session unused this long has ended
  int64_t session_max_ms = 12 * 3'600'000; // a session has ended this long after sign-in
};

// What an authenticator app is enrolled with; shown to the person once.
struct TotpEnrollment {
  std::string secret;         // kTotpSecretBytes random bytes
  std::string secret_base32;  // the same, to type in by hand
  std::string uri;            // otpauth://totp/Renkei:LOGIN?secret=…, for a QR code
};

struct CreatedUser {
  User user;
  TotpEnrollment totp;
};

enum class SignInMethod {
  kPasswordAndCode,  // login name, password and TOTP code
  kCertificate,      // a client certificate bound to the account
};
std::string_view SignInMethodName(SignInMethod m);  // "password_and_code", "certificate"

struct Session {
  std::string token;  // base64url of 256 random bits; set only by a sign-in, "" from Authenticate
  // Names the session in logs and the audit trail: the first 16 hex digits of the token's
  // SHA-256. Cannot be used as the token.
  std::string id;
  User user;
  SignInMethod method = SignInMethod::kPasswordAndCode;
  std::string from_address;  // where the sign-in came from
  int64_t created_ms = 0;
  int64_t idle_expires_ms = 0;  // ends then unless used before
  int64_t expires_ms = 0;       // ends then in any case
};

// Why a sign-in failed, for the audit trail only: the caller is told kWrongCredentials for
// kUnknownUser, kWrongPassword, kWrongCode, kReplayedCode and kDisabled alike.
enum class LoginFailure {
  kNone,          // signed in
  kRateLimited,   // the source address has spent its budget of failed attempts
  kUnknownUser,   // no account has this login name (or this certificate), or it is malformed
  kWrongPassword,
  kWrongCode,     // not the TOTP code of the current step or one either side
  kReplayedCode,  // the code of a step already used to sign in
  kDisabled,      // the account is disabled (whatever else was right)
  kLocked,        // the account is locked after failed sign-ins
  kStoreFailed,   // the database failed; the status says how
};
std::string_view LoginFailureName(LoginFailure f);  // "none", "rate_limited", "unknown_user", ...

// What the caller is told for every failure but kRateLimited, kLocked and kStoreFailed.
inline constexpr std::string_view kWrongCredentials = "wrong login, password or code";

struct [[nodiscard]] LoginResult {
  LoginResult(StatusOr<Session> s, LoginFailure f) : session(std::move(s)), failure(f) {}

  // The session, or the error for the caller:
  //   PermissionDenied kWrongCredentials
  //   PermissionDenied "this account is locked after 5 failed sign-ins; it unlocks at <UTC ISO 8601>"
  //   ResourceExhausted "too many failed sign-ins from this address; try again in N s"
  //   the database's error (kStoreFailed)
  StatusOr<Session> session;
  LoginFailure failure = LoginFailure::kNone;
  std::string user_id;          // the account the attempt named; "" when none
  int64_t locked_until_ms = 0;  // set when the account is locked (also by this very attempt)
};

class UserStore {
 public:
  // Opens "sqlite:PATH" or "postgresql://…" and applies pending migrations. InvalidArgument
  // for options out of range (counts and times below 1, costs libargon2 refuses).
  static StatusOr<std::unique_ptr<UserStore>> Open(std::string_view url, const UserStoreOptions& options = {});

  // --- Accounts ---

  // Makes an account from `user` (CheckUser's form; id, disabled, locked_until_ms and created_ms
  // are the store's) with `password` (CheckPasswordPolicy) and a new TOTP secret. CheckUser's
  // and CheckPasswordPolicy's errors; AlreadyExists when the login name is taken (in any case)
  // or the certificate is bound to another account.
  StatusOr<CreatedUser> CreateUser(User user, std::string_view password, int64_t now_ms);
  // NotFound for an unknown id; FindByLogin: InvalidArgument for a malformed name; FindBy-
  // Certificate: InvalidArgument when the fingerprint is not 64 hex digits.
  StatusOr<User> Get(std::string_view id);
  StatusOr<User> FindByLogin(std::string_view login);
  StatusOr<User> FindByCertificate(std::string_view sha256_hex);
  // Accounts in the order they were made, after `after_id` ("" for the first), at most `limit`
  // (1 to 1000).
  StatusOr<std::vector<User>> List(std::string_view after_id, size_t limit);

  // Each change below but Enable ends the account's sessions (Enable: a disabled account has
  // none). NotFound for an unknown id.
  // A new password (CheckPasswordPolicy's errors); also lifts a lockout.
  Status SetPassword(std::string_view id, std::string_view password);
  Status Disable(std::string_view id);
  Status Enable(std::string_view id);
  // A new TOTP secret, for a lost or exposed authenticator app.
  StatusOr<TotpEnrollment> ResetTotp(std::string_view id);
  // Binds the certificate whose DER SHA-256 is `sha256_hex` to the account, or unbinds it ("").
  // InvalidArgument for a malformed fingerprint; AlreadyExists when another account has it.
  Status BindCertificate(std::string_view id, std::string_view sha256_hex);

  // --- Signing in ---

  // See LoginResult for the errors. `from_address` is the client's (the key of the attempt
  // limiter; at most 64 bytes are kept).
  LoginResult Login(std::string_view login, std::string_view password, std::string_view totp_code,
                    std::string_view from_address, int64_t now_ms);
  // For a client whose certificate (DER SHA-256 `sha256_hex`) the TLS layer has verified. The
  // second factor and the lockout do not apply: the key is the proof, and a clinician locked out
  // by someone guessing their password can still sign in this way. Fails with PermissionDenied
  // kNoAccountForCertificate (kUnknownUser, kDisabled) or the database's error.
  LoginResult LoginWithCertificate(std::string_view sha256_hex, std::string_view from_address, int64_t now_ms);

  // The session of `token`, its idle time restarted (in steps of a minute). PermissionDenied
  // kNoSession when there is none, it has ended or its account is disabled.
  StatusOr<Session> Authenticate(std::string_view token, int64_t now_ms);
  // Ends the session of `token` (signing out). NotFound when there is none.
  Status Revoke(std::string_view token);
  // Ends every session of the account; how many there were.
  StatusOr<int64_t> RevokeAllOf(std::string_view user_id);

  static constexpr std::string_view kNoSession = "not signed in, or the session has ended; sign in again";
  static constexpr std::string_view kNoAccountForCertificate = "this certificate signs in to no account";

 private:
  struct Credentials;

  UserStore(std::unique_ptr<sql::SqlConnection> db, const UserStoreOptions& options, std::string unknown_user_hash);

  // With mutex_ held:
  StatusOr<std::optional<Credentials>> CredentialsWhere(std::string_view condition, sql::SqlValue param);
  StatusOr<User> UserWhere(std::string_view condition, sql::SqlValue param, std::string_view not_found);
  // Whether an account has `value` in unique column `column`. (sql/ reports SQLite's unique
  // violations as kInvalidArgument, so a failed write asks.)
  StatusOr<bool> Exists(std::string_view column, const std::string& value);
  StatusOr<Session> OpenSession(const User& user, SignInMethod method, std::string_view from_address, int64_t now_ms);
  Status Transaction(const std::function<Status()>& body);

  // Without mutex_ held:
  // Updates account `id` (`assignments` is "column = $1, ..." for `params`) in a transaction,
  // ending its sessions too when `end_sessions`. NotFound for an unknown account.
  Status Change(std::string_view id, std::string_view assignments, std::vector<sql::SqlValue> params,
                bool end_sessions);
  // Counts a failed sign-in of account result.user_id, locking it at max_failures.
  LoginResult Failed(LoginResult result, LoginFailure failure, int64_t now_ms);
  LoginResult Locked(LoginResult result, int64_t locked_until_ms);
  static LoginResult StoreFailed(LoginResult result, const Status& error);

  // Constant after construction.
  const UserStoreOptions options_;
  const std::string unknown_user_hash_;  // verified against when no account has the login name

  AttemptLimiter address_limiter_;  // thread-safe itself

  std::mutex mutex_;
  std::unique_ptr<sql::SqlConnection> db_;  // guarded by mutex_
};

}  // namespace renkei::identity
