// The hashes that make the audit trail tamper-evident: SHA-256 over an entry's canonical text,
// domain-separated as in RFC 6962 (a leaf is hashed with a 0x00 prefix, so that a Merkle tree can
// be built over the same leaves later without a leaf ever being taken for an inner node), and a
// hash chain through every entry in order:
//
//   leaf_i  = SHA-256(0x00 || text_i)
//   chain_i = SHA-256(chain_{i-1} || leaf_i),   chain_{-1} = 32 zero bytes
//
// chain_i commits to every entry 0..i and their order; a signed head (head.h) signs one.
// Pure; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace renkei::audit {

using Digest = std::array<uint8_t, 32>;

// The chain value before the first entry: 32 zero bytes.
inline constexpr Digest kChainStart{};

Digest LeafHash(std::string_view text);
Digest ChainHash(const Digest& previous, const Digest& leaf);

// Lower-case hex (64 characters).
std::string Hex(const Digest& d);
// The digest's 32 bytes as a string (for a BLOB column), and back: false unless exactly 32 bytes.
std::string Bytes(const Digest& d);
bool FromBytes(std::string_view bytes, Digest* out);

}  // namespace renkei::audit
