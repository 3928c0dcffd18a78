// String similarity for record linkage, over Unicode code points of UTF-8 text (a kanji or a
// kana counts as one character, not three bytes). Meant for fields already normalised by
// normalize.h. Pure, thread-safe, never throw; ill-formed UTF-8 is read as U+FFFD, one per
// ill-formed sequence.
#pragma once

#include <string_view>

namespace renkei::mpi {

// Jaro-Winkler similarity in [0, 1]: Jaro similarity (matching window max(|a|,|b|)/2 - 1,
// half the transpositions counted) raised by 0.1 × (1 - Jaro) for each of at most 4 leading
// code points the two share, whatever the Jaro value (no boost threshold). 1 when a and b are
// equal (two empty strings included), 0 when exactly one is empty or nothing matches. Time
// O((|a|+|b|) log |b|) whatever the lengths, so that hostile input cannot stall a comparison.
// JaroWinkler("さとう", "さと") ≈ 0.911; JaroWinkler("MARTHA", "MARHTA") ≈ 0.961.
double JaroWinkler(std::string_view a, std::string_view b);

// Levenshtein distance (insertions, deletions and substitutions of one code point each), or
// max + 1 as soon as it is known to exceed `max`; a negative `max` counts as 0. Time
// O(max(|a|,|b|) × (2·max + 1)) after the common prefix and suffix are set aside, and none
// beyond decoding when the lengths differ by more than `max`: a small bound keeps long input
// cheap.
// BoundedEditDistance("たかはし", "たかばし", 2) == 1; BoundedEditDistance("abcd", "wxyz", 2) == 3.
int BoundedEditDistance(std::string_view a, std::string_view b, int max);

}  // namespace renkei::mpi
