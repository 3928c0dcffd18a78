#include "identity/password.h"

#include <argon2.h>
#include <openssl/rand.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "text/iso2022jp.h"

namespace renkei::identity {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The password as it is counted and hashed: checked to be UTF-8 of at most kMaxPasswordBytes
// without NUL, then NFKC. CheckPasswordPolicy's first three errors.
StatusOr<std::string> Normalized(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgument(
        fmt::format("a password has at most {} bytes; this one has {}", kMaxPasswordBytes, password.size()));
  }
  if (Status utf8 = text::ValidateUtf8(password); !utf8.ok()) {
    return InvalidArgument("a password is UTF-8 text: " + utf8.message());
  }
  if (password.find('\0') != std::string_view::npos) return InvalidArgument("a password may not contain a NUL character");
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(error);
  if (U_FAILURE(error)) return Internal(fmt::format("no NFKC normaliser: {}", u_errorName(error)));
  const icu::UnicodeString normal =
      nfkc->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(password.data(), password.size())), error);
  if (U_FAILURE(error)) return Internal(fmt::format("NFKC normalisation failed: {}", u_errorName(error)));
  std::string out;
  normal.toUTF8String(out);
  return out;
}

// The normalised password, when it meets the policy; CheckPasswordPolicy's errors otherwise.
StatusOr<std::string> PolicyChecked(std::string_view password) {
  RENKEI_ASSIGN_OR_RETURN(std::string normal, Normalized(password));
  const size_t code_points = std::count_if(normal.begin(), normal.end(), [](char c) { return !IsContinuationByte(c); });
  if (code_points < kMinPasswordCodePoints) {
    return InvalidArgument(
        fmt::format("a password has at least {} characters; this one has {}", kMinPasswordCodePoints, code_points));
  }
  // One character repeated is the bytes of its first code point, over and over.
  size_t first = 1;
  while (first < normal.size() && IsContinuationByte(normal[first])) ++first;
  bool repeated = true;
  for (size_t at = first; repeated && at < normal.size(); at += first) {
    repeated = normal.compare(at, first, normal, 0, first) == 0;
  }
  if (repeated) return InvalidArgument("a password may not be one character repeated");
  return normal;
}

}  // namespace

Status CheckPasswordPolicy(std::string_view password) { return PolicyChecked(password).status(); }

StatusOr<std::string> HashPassword(std::string_view password, const PasswordHashing& costs) {
  RENKEI_ASSIGN_OR_RETURN(const std::string normal, PolicyChecked(password));
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) return Internal("no randomness for a password's salt");
  std::string encoded(argon2_encodedlen(costs.iterations, costs.memory_kib, costs.parallelism, kSaltBytes,
                                        kHashBytes, Argon2_id),
                      '\0');
  const int result =
      argon2id_hash_encoded(costs.iterations, costs.memory_kib, costs.parallelism, normal.data(), normal.size(), salt,
                            sizeof salt, kHashBytes, encoded.data(), encoded.size());
  if (result == ARGON2_MEMORY_ALLOCATION_ERROR) return Internal("no memory to hash a password");
  if (result != ARGON2_OK) {
    return InvalidArgument(fmt::format("argon2id refuses the costs m={} KiB, t={}, p={}: {}", costs.memory_kib,
                                       costs.iterations, costs.parallelism, argon2_error_message(result)));
  }
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

StatusOr<bool> VerifyPassword(std::string_view password, const std::string& encoded) {
  const StatusOr<std::string> normal = Normalized(password);
  if (!normal.ok()) return normal.status().code() == StatusCode::kInvalidArgument ? StatusOr<bool>(false) : normal.status();
  // libargon2 compares the computed hash with the stored one in constant time.
  const int result = argon2id_verify(encoded.c_str(), normal->data(), normal->size());
  switch (result) {
    case ARGON2_OK: return true;
    case ARGON2_VERIFY_MISMATCH: return false;
    case ARGON2_MEMORY_ALLOCATION_ERROR: return Internal("no memory to verify a password");
    default: return DataLoss(fmt::format("a stored password hash is not argon2id: {}", argon2_error_message(result)));
  }
}

}  // namespace renkei::identity
