#include "identity/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cassert>
#include <cctype>

#include <fmt/format.h>

namespace renkei::identity {

std::string HotpCode(std::string_view secret, uint64_t counter, int digits) {
  assert(digits >= 6 && digits <= 8);
  unsigned char message[8];
  for (int i = 7; i >= 0; --i, counter >>= 8) message[i] = static_cast<unsigned char>(counter & 0xFF);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), message, sizeof message, mac, &mac_size);
  // Dynamic truncation (RFC 4226 section 5.3): 31 bits at the offset the last nibble names.
  const int offset = mac[mac_size - 1] & 0x0F;
  const uint32_t bits = (static_cast<uint32_t>(mac[offset] & 0x7F) << 24) | (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                        (static_cast<uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  return fmt::format("{:0{}}", bits % modulus, digits);
}

int64_t TotpStep(int64_t unix_ms) { return unix_ms / kTotpStepMs; }

StatusOr<std::string> NewTotpSecret() {
  std::string secret(kTotpSecretBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), static_cast<int>(secret.size())) != 1) {
    return Internal("no randomness for a TOTP secret");
  }
  return secret;
}

std::string Base32Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    for (bits += 8; bits >= 5; bits -= 5) out += kAlphabet[(buffer >> (bits - 5)) & 0x1F];
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 0x1F];
  return out;
}

StatusOr<std::string> Base32Decode(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '=') continue;
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a';
    if (c >= '2' && c <= '7') v = c - '2' + 26;
    if (v < 0) return InvalidArgument(fmt::format("not base32: character {} (byte {:#04x})", i + 1, static_cast<unsigned char>(c)));
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  if ((buffer & ((1u << bits) - 1)) != 0) return InvalidArgument("not base32: the last character has bits left over");
  return out;
}

std::string TotpUri(std::string_view account, std::string_view secret) {
  std::string label;
  for (unsigned char c : account) {
    const bool unreserved = std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
    label += unreserved ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
  }
  return fmt::format("otpauth://totp/Renkei:{}?secret={}&issuer=Renkei&algorithm=SHA1&digits={}&period={}", label,
                     Base32Encode(secret), kTotpDigits, kTotpStepMs / 1000);
}

TotpCheck CheckTotp(std::string_view secret, std::string_view code, int64_t now_ms, int64_t last_used_step) {
  TotpCheck check;
  if (code.size() != kTotpDigits) return check;
  const int64_t now = TotpStep(now_ms);
  // Every step is computed and compared, so that the time taken does not say which matched.
  for (int64_t step = now - 1; step <= now + 1; ++step) {
    const std::string expected = HotpCode(secret, static_cast<uint64_t>(step), kTotpDigits);
    if (CRYPTO_memcmp(expected.data(), code.data(), kTotpDigits) != 0) continue;
    if (step > last_used_step) {
      check = {TotpCheck::Result::kAccepted, step};
    } else if (check.result != TotpCheck::Result::kAccepted) {
      check = {TotpCheck::Result::kReplayed, step};
    }
  }
  return check;
}

}  // namespace renkei::identity
