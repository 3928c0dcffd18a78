#include "mpi/blocking.h"

#include <algorithm>

namespace renkei::mpi {
namespace {

// The first `n` code points of UTF-8 text.
std::string_view Prefix(std::string_view s, int n) {
  size_t i = 0;
  for (int k = 0; k < n && i < s.size(); ++k) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return s.substr(0, i);
}

// FNV-1a over the rule number and the parts, with a separator between parts.
class KeyHash {
 public:
  explicit KeyHash(int rule) { Byte(static_cast<unsigned char>(rule)); }
  KeyHash& Add(std::string_view s) {
    for (char c : s) Byte(static_cast<unsigned char>(c));
    Byte(0xFF);  // never in UTF-8
    return *this;
  }
  KeyHash& Add(uint32_t v) {
    for (int i = 0; i < 4; ++i) Byte(static_cast<unsigned char>(v >> (8 * i)));
    return *this;
  }
  uint64_t Value() const {
    uint64_t h = h_;  // a final avalanche, since the table uses the low bits
    h ^= h >> 33, h *= 0xff51afd7ed558ccdULL, h ^= h >> 33;
    return h == 0 ? 1 : h;
  }

 private:
  void Byte(unsigned char b) { h_ = (h_ ^ b) * 0x100000001b3ULL; }
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace

std::string_view BlockingRuleName(int rule) {
  static constexpr std::string_view kNames[kBlockingRules] = {
      "birth_date+family_key_prefix", "birth_date+given_key_prefix", "family_key+given_key (any order)", "phone",
      "identifier",                   "birth_date+postal_code+block_numbers",      "family_name+given_name",
      "birth_date+family_name"};
  return rule >= 0 && rule < kBlockingRules ? kNames[rule] : "unknown";
}

std::array<uint64_t, kBlockingRules> BlockingKeys(const Features& f) {
  std::array<uint64_t, kBlockingRules> k{};
  const uint32_t birth = f.birth_date();
  if (birth != 0 && !f.family_key().empty()) k[0] = KeyHash(0).Add(birth).Add(Prefix(f.family_key(), 2)).Value();
  if (birth != 0 && !f.given_key().empty()) k[1] = KeyHash(1).Add(birth).Add(Prefix(f.given_key(), 2)).Value();
  // Both readings in either order: family and given names entered in each other's place meet.
  if (!f.family_key().empty() && !f.given_key().empty()) {
    std::string_view first = f.family_key(), second = f.given_key();
    if (second < first) std::swap(first, second);
    k[2] = KeyHash(2).Add(first).Add(second).Value();
  }
  if (!f.phone().empty()) k[3] = KeyHash(3).Add(f.phone()).Value();
  if (!f.identifier().empty()) k[4] = KeyHash(4).Add(f.identifier()).Value();
  // Birth date and home (postal code and block numbers): a household-sized key, so it stays
  // small in a dense town, for a registration whose names were both recorded differently.
  if (birth != 0 && !f.postal_code().empty() && !f.address_numbers().empty()) {
    k[5] = KeyHash(5).Add(birth).Add(f.postal_code()).Add(f.address_numbers()).Value();
  }
  // Written names, so that a registration without a reading meets one with it.
  if (!f.family().empty() && !f.given().empty()) k[6] = KeyHash(6).Add(f.family()).Add(f.given()).Value();
  if (birth != 0 && !f.family().empty()) k[7] = KeyHash(7).Add(birth).Add(f.family()).Value();
  return k;
}

BlockIndex::BlockIndex(size_t per_key_cap) : per_key_cap_(per_key_cap), table_(1024) {}

const BlockIndex::Slot* BlockIndex::Find(uint64_t key) const {
  const size_t mask = table_.size() - 1;
  for (size_t i = key & mask;; i = (i + 1) & mask) {
    if (table_[i].key == key || table_[i].key == 0) return &table_[i];
  }
}

BlockIndex::Slot* BlockIndex::Find(uint64_t key) {
  return const_cast<Slot*>(static_cast<const BlockIndex*>(this)->Find(key));
}

void BlockIndex::Grow() {
  std::vector<Slot> old(table_.size() * 2);
  old.swap(table_);
  for (const Slot& s : old) {
    if (s.key != 0) *Find(s.key) = s;
  }
}

void BlockIndex::Add(uint32_t record, const Features& f) {
  const auto keys = BlockingKeys(f);
  for (int r = 0; r < kBlockingRules; ++r) {
    uint32_t previous = kNone;
    if (keys[r] != 0) {
      if ((used_ + 1) * 10 > table_.size() * 7) Grow();  // load factor ≤ 0.7
      Slot* slot = Find(keys[r]);
      if (slot->key == 0) slot->key = keys[r], ++used_;
      previous = slot->newest;
      slot->newest = record;
    }
    next_[r].push_back(previous);
  }
}

void BlockIndex::Candidates(const Features& f, uint32_t from, uint32_t to, std::vector<uint32_t>* out) const {
  const size_t start = out->size();
  const auto keys = BlockingKeys(f);
  for (int r = 0; r < kBlockingRules; ++r) {
    if (keys[r] == 0) continue;
    const Slot* slot = Find(keys[r]);
    if (slot->key == 0) continue;
    size_t visited = 0;
    for (uint32_t rec = slot->newest; rec != kNone && visited < per_key_cap_; rec = next_[r][rec]) {
      if (rec < from) break;  // the chain runs newest first
      if (rec >= to) continue;
      out->push_back(rec);
      ++visited;
    }
  }
  std::sort(out->begin() + static_cast<std::ptrdiff_t>(start), out->end());
  out->erase(std::unique(out->begin() + static_cast<std::ptrdiff_t>(start), out->end()), out->end());
}

size_t BlockIndex::MemoryBytes() const {
  size_t bytes = sizeof(*this) + table_.capacity() * sizeof(Slot);
  for (const auto& n : next_) bytes += n.capacity() * sizeof(uint32_t);
  return bytes;
}

}  // namespace renkei::mpi
