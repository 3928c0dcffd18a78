// A signed tree head: the hub's signature over the audit log's size and the chain value of its
// last entry at a moment, so that what the hub has once signed cannot be changed, reordered or
// cut away afterwards without the signature or the chain giving it away — even by someone who can
// rewrite the whole database but does not hold the hub's key.
//
// The signed bytes are JSON with sorted keys and no whitespace:
//   {"chain":"<64 hex>","log":"renkei-audit","previous":P,"size":N,"time":T}
// N: the head covers entries 0..N-1; chain: chain_{N-1} (hash.h); T: when it was signed (UTC ms);
// P: the size of the head before it (0 for the first), so that a head removed from between two
// others is noticed. The signature is pki::Signer's (ECDSA P-256 over SHA-256, base64) with the
// hub's certificate (`renkei ca issue --role hub`). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "audit/hash.h"

namespace renkei::audit {

struct TreeHead {
  int64_t size = 0;         // entries 0..size-1 are covered; 0: no head yet
  Digest chain{};           // chain value of entry size-1
  int64_t time_ms = 0;      // when it was made, UTC ms
  int64_t previous = 0;     // the size of the head before it; 0 for the first
  std::string signature;    // base64 ECDSA signature of SignedText; "" when the log has no signer
  std::string certificate;  // the signer's certificate (PEM); "" when unsigned
  friend bool operator==(const TreeHead&, const TreeHead&) = default;
};

// The bytes a head's signature covers (above).
std::string SignedText(const TreeHead& head);

}  // namespace renkei::audit
