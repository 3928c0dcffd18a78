// The signing-in half of the user store's suite (lockout, second factor, sessions,
// certificates, the per-address budget), against SQLite and against PostgreSQL.
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <thread>
#include <vector>

#include "identity/test_util.h"
#include "identity/user_store.h"
#include "pki/digest.h"

namespace renkei::identity::testing {
namespace {

constexpr std::string_view kAddress = "192.0.2.1";
constexpr std::string_view kFingerprint = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const std::string kWrong = "permission_denied: wrong login, password or code";

class SignInTest : public UserStoreTest {
 protected:
  // Signs in to `account` at `at` with `password` and the code its app shows then.
  LoginResult SignIn(const CreatedUser& account, int64_t at, std::string_view password = kPassword,
                     std::string_view address = kAddress) {
    return store_->Login(account.user.login, password, CodeAt(account.totp.secret, at), address, at);
  }
  // The token of a sign-in that must succeed.
  std::string TokenOf(const LoginResult& r) {
    EXPECT_TRUE(r.session.ok()) << r.session.status().ToString() << " (" << LoginFailureName(r.failure) << ")";
    return r.session.ok() ? r.session->token : "";
  }
  bool SignedIn(const std::string& token, int64_t at) { return store_->Authenticate(token, at).ok(); }
};

TEST_P(SignInTest, PasswordAndCodeOpenASession) {
  const CreatedUser sato = CreateClinician();
  const LoginResult r = SignIn(sato, kNow);
  ASSERT_TRUE(r.session.ok()) << r.session.status().ToString();
  EXPECT_EQ(r.failure, LoginFailure::kNone);
  EXPECT_EQ(r.user_id, "U1");
  const Session& s = *r.session;
  EXPECT_EQ(s.token.size(), 43u);
  EXPECT_EQ(s.token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(s.id, pki::Sha256Hex(s.token).substr(0, 16));
  EXPECT_EQ(s.user, sato.user);
  EXPECT_EQ(s.method, SignInMethod::kPasswordAndCode);
  EXPECT_EQ(s.from_address, kAddress);
  EXPECT_EQ(s.created_ms, kNow);
  EXPECT_EQ(s.idle_expires_ms, kNow + 30 * kMinute);
  EXPECT_EQ(s.expires_ms, kNow + 12 * 60 * kMinute);

  const Session seen = Ok(store_->Authenticate(s.token, kNow + 1000));
  EXPECT_EQ(seen.token, "");
  EXPECT_EQ(seen.id, s.id);
  EXPECT_EQ(seen.user, sato.user);
  EXPECT_EQ(seen.method, SignInMethod::kPasswordAndCode);
  EXPECT_EQ(seen.created_ms, kNow);

  // The login name in another case, the next step's code: a second session of its own.
  const LoginResult again = store_->Login("SATO", kPassword, CodeAt(sato.totp.secret, kNow + 30'000), kAddress,
                                          kNow + 30'000);
  EXPECT_NE(TokenOf(again), s.token);
  EXPECT_TRUE(SignedIn(s.token, kNow + 30'000));
  EXPECT_FALSE(SignedIn(s.token + "x", kNow));
  EXPECT_FALSE(SignedIn("", kNow));
}

TEST_P(SignInTest, FiveFailuresInARowLockTheAccountForFifteenMinutes) {
  const CreatedUser sato = CreateClinician();
  for (int i = 0; i < 4; ++i) {
    const LoginResult r = SignIn(sato, kNow + i * 1000, "wrong password 123");
    EXPECT_EQ(r.session.status().ToString(), kWrong);
    EXPECT_EQ(r.failure, LoginFailure::kWrongPassword);
    EXPECT_EQ(r.locked_until_ms, 0);
  }
  const LoginResult fifth = SignIn(sato, kNow + 4000, "wrong password 123");
  EXPECT_EQ(fifth.session.status().ToString(), kWrong);
  EXPECT_EQ(fifth.failure, LoginFailure::kWrongPassword);
  const int64_t until = kNow + 4000 + 15 * kMinute;
  EXPECT_EQ(fifth.locked_until_ms, until) << "the attempt that locks says so to the audit trail";
  EXPECT_EQ(Ok(store_->Get("U1")).locked_until_ms, until);

  const LoginResult right_while_locked = SignIn(sato, kNow + 5000);
  EXPECT_EQ(right_while_locked.session.status().ToString(),
            "permission_denied: this account is locked after 5 failed sign-ins; it unlocks at 2027-01-15T08:15:04Z");
  EXPECT_EQ(right_while_locked.failure, LoginFailure::kLocked);
  EXPECT_EQ(right_while_locked.locked_until_ms, until);
  EXPECT_EQ(SignIn(sato, until - 1).failure, LoginFailure::kLocked);
  TokenOf(SignIn(sato, until));
}

TEST_P(SignInTest, TheLockoutOutlivesARestart) {
  const CreatedUser sato = CreateClinician();
  for (int i = 0; i < 5; ++i) {
    const LoginResult r = store_->Login("sato", kPassword, "000000", kAddress, kNow + i * 1000);
    // (1 in a million: 000000 is the right code of this step.)
    EXPECT_EQ(r.failure, LoginFailure::kWrongCode);
  }
  Reopen();
  EXPECT_EQ(SignIn(sato, kNow + 10'000).failure, LoginFailure::kLocked);
}

TEST_P(SignInTest, ASuccessStartsTheCountAgain) {
  const CreatedUser sato = CreateClinician();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(SignIn(sato, kNow, "wrong password 123").failure, LoginFailure::kWrongPassword);
  TokenOf(SignIn(sato, kNow));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(SignIn(sato, kNow + 30'000, "wrong password 123").failure, LoginFailure::kWrongPassword);
  }
  TokenOf(SignIn(sato, kNow + 30'000));
}

TEST_P(SignInTest, ACodeIsGoodOnceAndOnlyNearNow) {
  const CreatedUser sato = CreateClinician();
  const auto with_code_of = [&](int64_t code_time, int64_t at) {
    return store_->Login("sato", kPassword, CodeAt(sato.totp.secret, code_time), kAddress, at);
  };
  TokenOf(with_code_of(kNow - 30'000, kNow));  // one step behind
  const LoginResult replay = with_code_of(kNow - 30'000, kNow + 1000);
  EXPECT_EQ(replay.session.status().ToString(), kWrong);
  EXPECT_EQ(replay.failure, LoginFailure::kReplayedCode);
  TokenOf(with_code_of(kNow, kNow + 2000));
  TokenOf(with_code_of(kNow + 30'000, kNow + 3000));  // one step ahead
  EXPECT_EQ(with_code_of(kNow, kNow + 4000).failure, LoginFailure::kReplayedCode) << "older than the last used";
  EXPECT_EQ(with_code_of(kNow, kNow + 60'000).failure, LoginFailure::kWrongCode) << "two steps behind";
  EXPECT_EQ(with_code_of(kNow + 120'000, kNow + 60'000).failure, LoginFailure::kWrongCode) << "two steps ahead";
}

TEST_P(SignInTest, ConcurrentSignInsWithOneCodeOpenOneSession) {
  const CreatedUser sato = CreateClinician();
  // Five, so that the four replays (failures) do not lock the account.
  std::atomic<int> signed_in{0}, replayed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&] {
      const LoginResult r = SignIn(sato, kNow);
      if (r.session.ok()) ++signed_in;
      if (r.failure == LoginFailure::kReplayedCode) ++replayed;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(signed_in, 1);
  EXPECT_EQ(replayed, 4);
}

TEST_P(SignInTest, UnknownAndMalformedLoginsLookLikeAWrongPassword) {
  const CreatedUser sato = CreateClinician();
  const LoginResult wrong_password = SignIn(sato, kNow, "wrong password 123");
  EXPECT_EQ(wrong_password.session.status().ToString(), kWrong);
  EXPECT_EQ(wrong_password.user_id, "U1");
  for (const std::string& login : {std::string("ito"), std::string("sato'--"), std::string("sato\xff\xfe"),
                                   std::string(10'000, 's'), std::string(), std::string("sato\0", 5)}) {
    const LoginResult r = store_->Login(login, kPassword, CodeAt(sato.totp.secret, kNow), kAddress, kNow);
    EXPECT_EQ(r.session.status().ToString(), kWrong) << login.substr(0, 20);
    EXPECT_EQ(r.failure, LoginFailure::kUnknownUser);
    EXPECT_EQ(r.user_id, "");
  }
  EXPECT_EQ(store_->Login("sato", "\xff\xfe not text at all", "123456", kAddress, kNow).failure,
            LoginFailure::kWrongPassword);
  EXPECT_EQ(store_->Login("sato", kPassword, "", kAddress, kNow).failure, LoginFailure::kWrongCode);
  EXPECT_EQ(store_->Login("sato", kPassword, std::string(10'000, '1'), kAddress, kNow).failure,
            LoginFailure::kWrongCode);
}

TEST_P(SignInTest, ADisabledAccountCannotSignInAndLosesItsSessions) {
  const CreatedUser sato = CreateClinician();
  const std::string token = TokenOf(SignIn(sato, kNow));
  ASSERT_TRUE(store_->Disable("U1").ok());
  EXPECT_EQ(store_->Authenticate(token, kNow + 1000).status().ToString(),
            "permission_denied: not signed in, or the session has ended; sign in again");
  const LoginResult r = SignIn(sato, kNow + 30'000);
  EXPECT_EQ(r.session.status().ToString(), kWrong);
  EXPECT_EQ(r.failure, LoginFailure::kDisabled);
  EXPECT_EQ(r.user_id, "U1");
  EXPECT_TRUE(Ok(store_->Get("U1")).disabled);
  ASSERT_TRUE(store_->Enable("U1").ok());
  TokenOf(SignIn(sato, kNow + 60'000));
}

TEST_P(SignInTest, ASessionEndsWhenUnusedForHalfAnHour) {
  const CreatedUser sato = CreateClinician();
  const std::string token = TokenOf(SignIn(sato, kNow));
  EXPECT_EQ(Ok(store_->Authenticate(token, kNow + 30'000)).idle_expires_ms, kNow + 30 * kMinute)
      << "last use is written in steps of a minute";
  EXPECT_EQ(Ok(store_->Authenticate(token, kNow + 29 * kMinute)).idle_expires_ms, kNow + 59 * kMinute);
  EXPECT_TRUE(SignedIn(token, kNow + 58 * kMinute)) << "sliding: 58 minutes after sign-in, 29 after last use";
  EXPECT_FALSE(SignedIn(token, kNow + 88 * kMinute));
  EXPECT_FALSE(SignedIn(token, kNow + 59 * kMinute)) << "an ended session is gone";
}

TEST_P(SignInTest, ASessionEndsTwelveHoursAfterSignInHoweverBusy) {
  const CreatedUser sato = CreateClinician();
  const std::string token = TokenOf(SignIn(sato, kNow));
  const int64_t end = kNow + 12 * 60 * kMinute;
  for (int64_t t = kNow; t < end; t += 20 * kMinute) ASSERT_TRUE(SignedIn(token, t)) << (t - kNow) / kMinute;
  EXPECT_EQ(Ok(store_->Authenticate(token, end - 1)).idle_expires_ms, end);
  EXPECT_FALSE(SignedIn(token, end));
}

TEST_P(SignInTest, RevokeEndsOneSessionRevokeAllOfEveryOne) {
  const CreatedUser sato = CreateClinician();
  const CreatedUser ito = CreateClinician("ito");
  const std::string first = TokenOf(SignIn(sato, kNow));
  const std::string second = TokenOf(SignIn(sato, kNow + 30'000));
  const std::string itos = TokenOf(SignIn(ito, kNow));
  ASSERT_TRUE(store_->Revoke(first).ok());
  EXPECT_FALSE(SignedIn(first, kNow + 40'000));
  EXPECT_TRUE(SignedIn(second, kNow + 40'000));
  EXPECT_EQ(store_->Revoke(first).ToString(), "not_found: no such session");
  EXPECT_EQ(store_->Revoke("'; DELETE FROM identity_sessions; --").code(), StatusCode::kNotFound);

  const std::string third = TokenOf(SignIn(sato, kNow + 60'000));
  EXPECT_EQ(Ok(store_->RevokeAllOf("U1")), 2);
  EXPECT_FALSE(SignedIn(second, kNow + 70'000));
  EXPECT_FALSE(SignedIn(third, kNow + 70'000));
  EXPECT_TRUE(SignedIn(itos, kNow + 70'000));
}

TEST_P(SignInTest, ANewPasswordOrSecondFactorEndsTheSessions) {
  CreatedUser sato = CreateClinician();
  const std::string before_password = TokenOf(SignIn(sato, kNow));
  for (int i = 0; i < 5; ++i) EXPECT_NE(SignIn(sato, kNow + 1000, "wrong password 123").failure, LoginFailure::kNone);
  ASSERT_TRUE(store_->SetPassword("U1", "a new password for sato").ok());
  EXPECT_FALSE(SignedIn(before_password, kNow + 2000));
  EXPECT_EQ(SignIn(sato, kNow + 30'000).failure, LoginFailure::kWrongPassword) << "the lockout is lifted too";
  const std::string before_totp = TokenOf(SignIn(sato, kNow + 30'000, "a new password for sato"));

  const TotpEnrollment fresh = Ok(store_->ResetTotp("U1"));
  EXPECT_NE(fresh.secret, sato.totp.secret);
  EXPECT_EQ(fresh.uri, TotpUri("sato", fresh.secret));
  EXPECT_FALSE(SignedIn(before_totp, kNow + 31'000));
  EXPECT_EQ(SignIn(sato, kNow + 60'000, "a new password for sato").failure, LoginFailure::kWrongCode);
  sato.totp = fresh;
  TokenOf(SignIn(sato, kNow + 90'000, "a new password for sato"));
}

TEST_P(SignInTest, ABoundCertificateSignsInWithoutPasswordOrCode) {
  CreateClinician();
  ASSERT_TRUE(store_->BindCertificate("U1", kFingerprint).ok());
  std::string upper(kFingerprint);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const LoginResult r = store_->LoginWithCertificate(upper, kAddress, kNow);
  ASSERT_TRUE(r.session.ok()) << r.session.status().ToString();
  EXPECT_EQ(r.session->method, SignInMethod::kCertificate);
  EXPECT_EQ(r.session->user.login, "sato");
  EXPECT_EQ(Ok(store_->Authenticate(r.session->token, kNow + 1000)).method, SignInMethod::kCertificate);

  const std::string nobody = "permission_denied: this certificate signs in to no account";
  const LoginResult unknown = store_->LoginWithCertificate(std::string(64, 'e'), kAddress, kNow);
  EXPECT_EQ(unknown.session.status().ToString(), nobody);
  EXPECT_EQ(unknown.failure, LoginFailure::kUnknownUser);
  EXPECT_EQ(store_->LoginWithCertificate("'; --", kAddress, kNow).failure, LoginFailure::kUnknownUser);

  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(store_->Login("sato", "wrong password 123", "1", kAddress, kNow).failure, LoginFailure::kWrongPassword);
  }
  EXPECT_TRUE(store_->LoginWithCertificate(kFingerprint, kAddress, kNow + 1000).session.ok()) << "despite the lockout";

  ASSERT_TRUE(store_->Disable("U1").ok());
  const LoginResult disabled = store_->LoginWithCertificate(kFingerprint, kAddress, kNow + 2000);
  EXPECT_EQ(disabled.session.status().ToString(), nobody);
  EXPECT_EQ(disabled.failure, LoginFailure::kDisabled);
  EXPECT_EQ(disabled.user_id, "U1");
}

TEST_P(SignInTest, EachAddressHasABudgetOfFailedAttempts) {
  options_.address_limits = {.attempts = 3, .window_ms = 60'000};
  Reopen();
  const CreatedUser sato = CreateClinician();
  EXPECT_EQ(store_->Login("ito", kPassword, "123456", kAddress, kNow).failure, LoginFailure::kUnknownUser);
  EXPECT_EQ(store_->Login("kato", kPassword, "123456", kAddress, kNow).failure, LoginFailure::kUnknownUser);
  TokenOf(SignIn(sato, kNow));  // a success costs the address nothing
  EXPECT_EQ(store_->Login("mori", kPassword, "123456", kAddress, kNow).failure, LoginFailure::kUnknownUser);
  const LoginResult limited = SignIn(sato, kNow);
  EXPECT_EQ(limited.session.status().ToString(),
            "resource_exhausted: too many failed sign-ins from this address; try again in 20 s");
  EXPECT_EQ(limited.failure, LoginFailure::kRateLimited);
  EXPECT_EQ(limited.user_id, "");
  TokenOf(SignIn(sato, kNow + 30'000, kPassword, "198.51.100.7"));  // another address
  EXPECT_EQ(store_->Login("mori", kPassword, "123456", kAddress, kNow + 20'000).failure,
            LoginFailure::kUnknownUser) << "after 20 s, one more";
}

INSTANTIATE_TEST_SUITE_P(Backends, SignInTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace renkei::identity::testing
