// People's passwords: the policy a new password must meet, and its argon2id hash (libargon2),
// kept as the encoded string "$argon2id$v=19$m=...,t=...,p=...$salt$hash", which carries its
// own parameters and salt, so that hashes made with older parameters still verify.
//
// A password is UTF-8 text, normalised to NFKC before anything is counted or hashed (as NIST
// SP 800-63B advises): the same password typed with a Japanese input method in full-width or
// half-width form ("ｐａｓｓ" / "pass"), or with composed or decomposed kana, is the same password.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::identity {

constexpr size_t kMinPasswordCodePoints = 12;  // counted after normalisation
constexpr size_t kMaxPasswordBytes = 1024;     // counted as given

// argon2id's costs. The defaults are OWASP's first choice for a server (19 MiB, 2 passes, one
// lane); tests use cheap ones so that they stay fast.
struct PasswordHashing {
  uint32_t memory_kib = 19 * 1024;
  uint32_t iterations = 2;
  uint32_t parallelism = 1;
};

// Whether `password` may be chosen. InvalidArgument, with what is wrong:
//   "a password has at most 1024 bytes; this one has N"
//   "a password is UTF-8 text: byte N: invalid UTF-8: <reason>"
//   "a password may not contain a NUL character"
//   "a password has at least 12 characters; this one has N"
//   "a password may not be one character repeated"
Status CheckPasswordPolicy(std::string_view password);

// The encoded argon2id hash of `password` with a fresh 16-byte random salt. CheckPasswordPolicy's
// errors; InvalidArgument for costs libargon2 refuses (e.g. memory below 8 KiB per lane);
// Internal when there is no randomness or memory.
StatusOr<std::string> HashPassword(std::string_view password, const PasswordHashing& costs);

// Whether `password` is the one `encoded` was made from; the hash is compared in constant time.
// A password that could not have been chosen (too long, not UTF-8) is false at once. DataLoss
// when `encoded` is not an argon2id hash; Internal when memory runs out.
StatusOr<bool> VerifyPassword(std::string_view password, const std::string& encoded);

}  // namespace renkei::identity
