#include "mpi/compare.h"

#include <cstdlib>

#include "mpi/similarity.h"

namespace renkei::mpi {
namespace {

// Names (kanji or Latin): exact, close (a typo: Jaro-Winkler ≥ 0.9), partial (≥ 0.75), different.
int8_t CompareName(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return kMissing;
  if (a == b) return 0;
  const double jw = JaroWinkler(a, b);
  if (jw >= 0.9) return 1;
  if (jw >= 0.75) return 2;
  return 3;
}

// Readings: exact, equivalent (the same KanaKey: サトウ/サトー, シュウ/シユウ, ﾀﾞ/タ),
// close (Jaro-Winkler of the keys ≥ 0.88), different.
int8_t CompareKana(std::string_view a, std::string_view b, std::string_view key_a, std::string_view key_b) {
  if (a.empty() || b.empty()) return kMissing;
  if (a == b) return 0;
  if (key_a == key_b) return 1;
  if (JaroWinkler(key_a, key_b) >= 0.88) return 2;
  return 3;
}

// Birth dates: exact, one keying slip (one digit wrong, two adjacent digits swapped, or month
// and day swapped), the same year, different.
int8_t CompareBirthDate(uint32_t a, uint32_t b) {
  if (a == 0 || b == 0) return kMissing;
  if (a == b) return 0;
  char x[9], y[9];
  for (int i = 7; i >= 0; --i) {
    x[i] = static_cast<char>('0' + a % 10), a /= 10;
    y[i] = static_cast<char>('0' + b % 10), b /= 10;
  }
  int diffs = 0, first = -1, last = -1;
  for (int i = 0; i < 8; ++i) {
    if (x[i] != y[i]) {
      if (first < 0) first = i;
      last = i;
      ++diffs;
    }
  }
  if (diffs == 1) return 1;
  if (diffs == 2 && last == first + 1 && x[first] == y[last] && x[last] == y[first]) return 1;
  const bool same_year = std::string_view(x, 4) == std::string_view(y, 4);
  if (same_year && std::string_view(x + 4, 2) == std::string_view(y + 6, 2) &&
      std::string_view(x + 6, 2) == std::string_view(y + 4, 2)) {
    return 1;
  }
  return same_year ? 2 : 3;
}

int8_t CompareSex(char a, char b) {
  if (a == 'U' || b == 'U') return kMissing;
  return a == b ? 0 : 1;
}

// Postal codes: exact, the same first three digits (the same district), different.
int8_t ComparePostal(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return kMissing;
  if (a == b) return 0;
  return a.substr(0, 3) == b.substr(0, 3) ? 1 : 2;
}

// Addresses: exact, the same place and block numbers (the building written differently or
// left out), close (the same locality, or Jaro-Winkler ≥ 0.9 of the whole), different.
int8_t CompareAddress(const Features& a, const Features& b) {
  if (a.address().empty() || b.address().empty()) return kMissing;
  if (a.address() == b.address()) return 0;
  const bool same_locality = !a.address_locality().empty() && a.address_locality() == b.address_locality();
  if (same_locality && a.address_numbers() == b.address_numbers()) return 1;
  if (same_locality || JaroWinkler(a.address(), b.address()) >= 0.9) return 2;
  return 3;
}

// Phones and shared identifiers: exact, one keying slip, different.
int8_t CompareCode(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return kMissing;
  if (a == b) return 0;
  return BoundedEditDistance(a, b, 1) <= 1 ? 1 : 2;
}

}  // namespace

int LevelCount(Field f) {
  switch (f) {
    case Field::kSex: return 2;
    case Field::kPostalCode:
    case Field::kPhone:
    case Field::kIdentifier: return 3;
    default: return 4;
  }
}

std::string_view LevelName(Field f, int level) {
  if (level == kMissing) return "missing";
  if (level == 0) return "exact";
  if (level == LevelCount(f) - 1) return "different";
  switch (f) {
    case Field::kFamilyKana:
    case Field::kGivenKana: return level == 1 ? "equivalent" : "close";
    case Field::kBirthDate: return level == 1 ? "one_slip" : "same_year";
    case Field::kPostalCode: return "same_district";
    case Field::kAddress: return level == 1 ? "same_block" : "close";
    case Field::kPhone:
    case Field::kIdentifier: return "one_slip";
    default: return level == 1 ? "close" : "partial";
  }
}

Comparison Compare(const Features& a, const Features& b) {
  Comparison c;
  auto set = [&](Field f, int8_t level) { c.level[static_cast<size_t>(f)] = level; };
  int8_t family = CompareName(a.family(), b.family());
  int8_t given = CompareName(a.given(), b.given());
  int8_t family_kana = CompareKana(a.family_kana(), b.family_kana(), a.family_key(), b.family_key());
  int8_t given_kana = CompareKana(a.given_kana(), b.given_kana(), a.given_key(), b.given_key());
  // Family and given names entered in each other's place (FEBRL swaps them; forms with one
  // name box do too): compare crosswise and keep it when it agrees better.
  if (family > 0 && given > 0) {
    const int8_t f2 = CompareName(a.family(), b.given());
    const int8_t g2 = CompareName(a.given(), b.family());
    if (f2 >= 0 && g2 >= 0 && f2 + g2 < family + given && f2 <= 1 && g2 <= 1) {
      family = f2, given = g2, c.names_swapped = true;
      const int8_t fk = CompareKana(a.family_kana(), b.given_kana(), a.family_key(), b.given_key());
      const int8_t gk = CompareKana(a.given_kana(), b.family_kana(), a.given_key(), b.family_key());
      if (fk != kMissing) family_kana = fk;
      if (gk != kMissing) given_kana = gk;
    }
  }
  set(Field::kFamilyName, family);
  set(Field::kGivenName, given);
  set(Field::kFamilyKana, family_kana);
  set(Field::kGivenKana, given_kana);
  set(Field::kBirthDate, CompareBirthDate(a.birth_date(), b.birth_date()));
  set(Field::kSex, CompareSex(a.sex(), b.sex()));
  set(Field::kPostalCode, ComparePostal(a.postal_code(), b.postal_code()));
  set(Field::kAddress, CompareAddress(a, b));
  set(Field::kPhone, CompareCode(a.phone(), b.phone()));
  set(Field::kIdentifier, CompareCode(a.identifier(), b.identifier()));
  return c;
}

}  // namespace renkei::mpi
