// Blocking: which registrations are worth comparing with a new one. Each registration gets
// up to kBlockingRules keys — combinations of fields that two registrations of one person
// almost always share at least one of (birth date with the start of a reading, the full
// reading, the phone, ...) — and only registrations sharing a key are compared. Per key only
// the newest `per_key_cap` registrations are visited, so a candidate set stays small however
// large the index grows (a key shared by thousands says little anyway).
//
// BlockIndex is thread-compatible: concurrent Candidates() calls are safe while no Add() runs.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mpi/record.h"

namespace renkei::mpi {

inline constexpr int kBlockingRules = 8;

// The keys of one registration, by rule (0 = the rule does not apply: a field is missing).
std::array<uint64_t, kBlockingRules> BlockingKeys(const Features& f);
std::string_view BlockingRuleName(int rule);  // e.g. "birth_date+family_reading_prefix"

class BlockIndex {
 public:
  explicit BlockIndex(size_t per_key_cap = 40);

  // Adds registration number `record`; records must be added in increasing order from 0.
  void Add(uint32_t record, const Features& f);
  // Appends to `out` the registrations numbered in [from, to) that share a key with `f`,
  // sorted and without repeats.
  void Candidates(const Features& f, uint32_t from, uint32_t to, std::vector<uint32_t>* out) const;

  size_t size() const { return next_[0].size(); }
  size_t MemoryBytes() const;

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Slot {
    uint64_t key = 0;  // 0: empty
    uint32_t newest = kNone;
  };
  Slot* Find(uint64_t key);
  const Slot* Find(uint64_t key) const;
  void Grow();

  size_t per_key_cap_;
  std::vector<Slot> table_;  // open addressing, linear probing, power-of-two size
  size_t used_ = 0;
  std::array<std::vector<uint32_t>, kBlockingRules> next_;  // per rule: the previous record with the same key
};

}  // namespace renkei::mpi
