// Field-by-field comparison of two registrations: for each field an agreement level, from
// 0 (agrees exactly) up to LevelCount(field)-1 (disagrees), or kMissing when either side did
// not record it (missing values carry no evidence either way). Pure and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "mpi/record.h"

namespace renkei::mpi {

inline constexpr int8_t kMissing = -1;

struct Comparison {
  std::array<int8_t, kFieldCount> level{};  // indexed by Field
  bool names_swapped = false;               // family and given name agree crosswise
  int8_t operator[](Field f) const { return level[static_cast<size_t>(f)]; }
};

// How many agreement levels a field has (2 to 4), and the name of each level
// ("exact", "equivalent", "close", "partial", "different").
int LevelCount(Field f);
std::string_view LevelName(Field f, int level);

Comparison Compare(const Features& a, const Features& b);

}  // namespace renkei::mpi
