// SHA-256 of bytes as lower-case hex: how the hub keeps token digests and the fingerprints of
// attached documents (consent forms); and random hex for nonces and secrets. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace renkei::pki {

std::string Sha256Hex(std::string_view bytes);

// `bytes` random bytes (OpenSSL's RAND_bytes) as lower-case hex: nonces, secrets and tokens.
// Empty when the system has no randomness to give (RAND_bytes failed): callers refuse then.
std::string RandomHex(size_t bytes);

}  // namespace renkei::pki
