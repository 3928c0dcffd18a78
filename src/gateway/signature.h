// Webhook signatures, Stripe-style: the hub signs every notification it delivers with the
// service's signing secret (HMAC-SHA256, OpenSSL), and the service checks it before trusting
// the body — the header
//   Renkei-Signature: t=<unix seconds>,v1=<lower-case hex of HMAC-SHA256(secret, "<t>.<body>")>
// The timestamp is signed with the body, so a captured request cannot be replayed later than
// the receiver's tolerance. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::gateway {

inline constexpr std::string_view kSignatureHeader = "Renkei-Signature";

// The header's value for `body` signed at `unix_seconds`.
std::string SignWebhook(std::string_view secret, int64_t unix_seconds, std::string_view body);

// OK when `header` holds a v1 signature of `body` by `secret` made within `tolerance_seconds`
// of `now_seconds`. PermissionDenied saying which: a malformed header, no v1 signature, a
// signature that does not match, or a timestamp outside the tolerance.
Status VerifyWebhook(std::string_view secret, std::string_view header, std::string_view body, int64_t now_seconds,
                     int64_t tolerance_seconds = 300);

// 32 random bytes as "<prefix>" + 64 hex digits: client secrets, signing secrets, tokens.
StatusOr<std::string> RandomSecret(std::string_view prefix);

}  // namespace renkei::gateway
