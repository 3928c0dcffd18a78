#include "gateway/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

#include <fmt/format.h>

#include "pki/digest.h"

namespace renkei::gateway {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

std::string Mac(std::string_view secret, int64_t t, std::string_view body) {
  const std::string message = fmt::format("{}.{}", t, body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), digest, &length);
  return Hex(digest, length);
}

}  // namespace

std::string SignWebhook(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  return fmt::format("t={},v1={}", unix_seconds, Mac(secret, unix_seconds, body));
}

Status VerifyWebhook(std::string_view secret, std::string_view header, std::string_view body, int64_t now_seconds,
                     int64_t tolerance_seconds) {
  if (header.size() > 1024) return PermissionDenied("malformed signature header: too long");
  int64_t t = -1;
  bool matched = false, any_v1 = false;
  size_t start = 0;
  while (start <= header.size()) {
    const size_t end = std::min(header.find(',', start), header.size());
    const std::string_view part = header.substr(start, end - start);
    start = end + 1;
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) return PermissionDenied("malformed signature header: expected t=...,v1=...");
    const std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "t") {
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
      if (ec != std::errc() || p != value.data() + value.size() || t < 0) {
        return PermissionDenied("malformed signature header: t is not a Unix time");
      }
    } else if (key == "v1") {
      any_v1 = true;
      if (t >= 0) {
        const std::string expected = Mac(secret, t, body);
        matched |= value.size() == expected.size() && CRYPTO_memcmp(value.data(), expected.data(), expected.size()) == 0;
      }
    }
  }
  if (t < 0) return PermissionDenied("malformed signature header: no timestamp t= before the signatures");
  if (!any_v1) return PermissionDenied("no v1 signature in the header");
  if (!matched) return PermissionDenied("the signature does not match the body");
  if (now_seconds - t > tolerance_seconds || t - now_seconds > tolerance_seconds) {
    return PermissionDenied(fmt::format("the signature's timestamp is more than {} s away", tolerance_seconds));
  }
  return Status::Ok();
}

StatusOr<std::string> RandomSecret(std::string_view prefix) {
  const std::string random = pki::RandomHex(32);
  if (random.empty()) return Internal("no randomness for a secret");
  return std::string(prefix) + random;
}

}  // namespace renkei::gateway
