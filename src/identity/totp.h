// The second factor: time-based one-time passwords (TOTP, RFC 6238) as authenticator apps
// make them — HMAC-SHA1 (OpenSSL) of the count of 30-second steps since the Unix epoch,
// dynamically truncated (HOTP, RFC 4226) to 6 digits — and the otpauth:// URI that enrols an
// app (its QR code).
//
// A code is accepted for the current step and one step either side (for clocks a little off),
// and only for a step newer than the last one accepted for the account, so that a code seen over
// a shoulder or in a log cannot be used again.
//
// Pure functions apart from NewTotpSecret's randomness; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::identity {

constexpr int64_t kTotpStepMs = 30'000;
constexpr int kTotpDigits = 6;
constexpr size_t kTotpSecretBytes = 20;  // 160 bits, as RFC 4226 recommends

// The HOTP code of `counter`: `digits` (6 to 8) decimal digits, with leading zeros.
std::string HotpCode(std::string_view secret, uint64_t counter, int digits);

// The TOTP step of a time: whole 30-second steps since the Unix epoch.
int64_t TotpStep(int64_t unix_ms);

// A fresh random secret of kTotpSecretBytes; Internal when there is no randomness.
StatusOr<std::string> NewTotpSecret();

// RFC 4648 base32 (A-Z, 2-7) without '=' padding, as otpauth:// URIs carry secrets.
std::string Base32Encode(std::string_view bytes);
// The inverse, for a secret typed in by hand: case and spaces are ignored, '=' padding allowed.
// InvalidArgument naming the first character that is not base32, or for left-over bits that
// are not zero (a truncated secret).
StatusOr<std::string> Base32Decode(std::string_view text);

// "otpauth://totp/Renkei:ACCOUNT?secret=BASE32&issuer=Renkei&algorithm=SHA1&digits=6&period=30",
// the account percent-encoded.
std::string TotpUri(std::string_view account, std::string_view secret);

struct TotpCheck {
  enum class Result {
    kAccepted,  // the code of a step within one of now and after `last_used_step`: `step` is it
    kWrong,     // not the code of any step within one of now (or not 6 digits)
    kReplayed,  // the code of a step within one of now, but not after `last_used_step`
  };
  Result result = Result::kWrong;
  int64_t step = 0;  // the step the code is of (kAccepted, kReplayed)
};

// Checks `code` (6 ASCII digits) against the steps now-1, now and now+1, comparing every one in
// constant time. `last_used_step` is the step of the account's last accepted code (0 for none).
TotpCheck CheckTotp(std::string_view secret, std::string_view code, int64_t now_ms, int64_t last_used_step);

}  // namespace renkei::identity
