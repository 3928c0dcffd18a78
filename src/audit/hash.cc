#include "audit/hash.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace renkei::audit {
namespace {

// OpenSSL 3 looks an algorithm up on every EVP_DigestInit given EVP_sha256(); fetching it once
// saves that on the hot path (two hashes per entry, on every append and every verify).
const EVP_MD* Sha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// SHA-256 of `a` then `b`, with a context kept per thread.
Digest Hash2(const void* a, size_t a_len, const void* b, size_t b_len) {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  Digest out{};
  unsigned int len = 0;
  if (!ctx || Sha256() == nullptr || EVP_DigestInit_ex(ctx.get(), Sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), a, a_len) != 1 || EVP_DigestUpdate(ctx.get(), b, b_len) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    // Only an OpenSSL without SHA-256, or out of memory, gets here; a made-up digest would
    // silently break the chain, so stop instead.
    std::fputs("renkei: audit: OpenSSL cannot compute SHA-256\n", stderr);
    std::abort();
  }
  return out;
}

}  // namespace

Digest LeafHash(std::string_view text) {
  static constexpr uint8_t kLeafPrefix = 0x00;
  return Hash2(&kLeafPrefix, 1, text.data(), text.size());
}

Digest ChainHash(const Digest& previous, const Digest& leaf) {
  return Hash2(previous.data(), previous.size(), leaf.data(), leaf.size());
}

std::string Hex(const Digest& d) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(d.size() * 2);
  for (uint8_t b : d) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

std::string Bytes(const Digest& d) { return std::string(reinterpret_cast<const char*>(d.data()), d.size()); }

bool FromBytes(std::string_view bytes, Digest* out) {
  if (bytes.size() != out->size()) return false;
  std::memcpy(out->data(), bytes.data(), out->size());
  return true;
}

}  // namespace renkei::audit
