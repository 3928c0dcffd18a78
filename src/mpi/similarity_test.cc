#include "mpi/similarity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <random>
#include <string>
#include <vector>

#include "mpi/normalize.h"

namespace renkei::mpi {
namespace {

// Textbook versions over code point vectors, as references for the fast implementations.
std::string ToUtf8(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) {  // kana and ASCII only in these tests
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

double ReferenceJaroWinkler(const std::u32string& a, const std::u32string& b) {
  if (a == b) return 1;
  if (a.empty() || b.empty()) return 0;
  const size_t longer = std::max(a.size(), b.size());
  const size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
  std::vector<bool> am(a.size()), bm(b.size());
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const size_t lo = i > window ? i - window : 0;
    const size_t hi = std::min(b.size() - 1, i + window);
    for (size_t j = lo; j <= hi && j < b.size(); ++j) {
      if (!bm[j] && a[i] == b[j]) {
        am[i] = bm[j] = true;
        ++m;
        break;
      }
    }
  }
  if (m == 0) return 0;
  double t = 0;
  for (size_t i = 0, j = 0; i < a.size(); ++i) {
    if (!am[i]) continue;
    while (!bm[j]) ++j;
    if (a[i] != b[j]) ++t;
    ++j;
  }
  const double jaro = (m / a.size() + m / b.size() + (m - t / 2) / m) / 3;
  size_t l = 0;
  while (l < 4 && l < a.size() && l < b.size() && a[l] == b[l]) ++l;
  return jaro + l * 0.1 * (1 - jaro);
}

int ReferenceEditDistance(const std::u32string& a, const std::u32string& b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1), prev[j] + 1, cur[j - 1] + 1});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// A random kana string over a small alphabet (so that matches and transpositions are common).
std::u32string RandomKana(std::mt19937_64& rng, size_t max_length, int alphabet) {
  std::u32string s(rng() % (max_length + 1), U'\0');
  for (char32_t& c : s) c = static_cast<char32_t>(U'あ' + rng() % alphabet);
  return s;
}

TEST(JaroWinklerTest, KnownValues) {
  EXPECT_NEAR(JaroWinkler("MARTHA", "MARHTA"), 0.961, 0.001);
  EXPECT_NEAR(JaroWinkler("DWAYNE", "DUANE"), 0.840, 0.001);
  EXPECT_NEAR(JaroWinkler("DIXON", "DICKSONX"), 0.813, 0.001);
  // Over code points: さとう/さと share 2 of 3 and 2 of 2 characters and a prefix of 2.
  EXPECT_NEAR(JaroWinkler("さとう", "さと"), (2.0 / 3 + 1 + 1) / 3 + 2 * 0.1 * (1 - (2.0 / 3 + 1 + 1) / 3), 1e-12);
  EXPECT_NEAR(JaroWinkler("高橋", "髙橋"), 2.0 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(JaroWinkler("山田太郎", "山田太郎"), 1.0);
  EXPECT_DOUBLE_EQ(JaroWinkler(NormalizeName("髙橋　一郎"), NormalizeName("高橋一郎")), 1.0);
  EXPECT_GT(JaroWinkler(KanaKey("タカハシ"), KanaKey("タカバシ")), JaroWinkler(KanaKey("タカハシ"), KanaKey("タナカ")));
}

TEST(JaroWinklerTest, EmptyAndDisjointStrings) {
  EXPECT_DOUBLE_EQ(JaroWinkler("", ""), 1.0);  // equal
  EXPECT_DOUBLE_EQ(JaroWinkler("", "やまだ"), 0.0);
  EXPECT_DOUBLE_EQ(JaroWinkler("やまだ", ""), 0.0);
  EXPECT_DOUBLE_EQ(JaroWinkler("abc", "xyz"), 0.0);
  // A match outside the window does not count: a is 5 apart in strings of length 6.
  EXPECT_DOUBLE_EQ(JaroWinkler("abcdez", "zfghij"), 0.0);
}

TEST(JaroWinklerTest, AgreesWithTheTextbookAlgorithm) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 20000; ++round) {
    const size_t max_length = round < 19000 ? 12 : 400;  // long strings exercise wide windows
    const std::u32string a = RandomKana(rng, max_length, round % 2 ? 4 : 12);
    const std::u32string b = RandomKana(rng, max_length, round % 2 ? 4 : 12);
    const double expected = ReferenceJaroWinkler(a, b);
    const double actual = JaroWinkler(ToUtf8(a), ToUtf8(b));
    ASSERT_NEAR(actual, expected, 1e-12) << ToUtf8(a) << " / " << ToUtf8(b);
    ASSERT_GE(actual, 0.0);
    ASSERT_LE(actual, 1.0);
  }
}

TEST(JaroWinklerTest, IllFormedUtf8AndHugeInput) {
  EXPECT_DOUBLE_EQ(JaroWinkler("\xff", "\xfe"), 1.0);  // both one U+FFFD
  EXPECT_DOUBLE_EQ(JaroWinkler("山\xe7\x94", "山\xef\xbf\xbd"), 1.0);  // truncated 田 is U+FFFD
  EXPECT_GT(JaroWinkler("山田\xff", "山田"), 0.8);
  std::string a;
  while (a.size() < (1u << 20)) a += "やまだたろう";
  std::string b = a;
  b.replace(b.size() / 2, 3, "か");
  // One changed kana in a periodic text shifts the later matches of that kana by a period, so
  // Jaro counts many transpositions; the point here is that it finishes and stays in range.
  const double s = JaroWinkler(a, b);
  EXPECT_GT(s, 0.9);
  EXPECT_LT(s, 1.0);
  EXPECT_DOUBLE_EQ(JaroWinkler(a, a), 1.0);
  EXPECT_DOUBLE_EQ(JaroWinkler(a, std::string(1 << 20, 'x')), 0.0);
}

TEST(BoundedEditDistanceTest, KnownValues) {
  EXPECT_EQ(BoundedEditDistance("たかはし", "たかばし", 2), 1);
  EXPECT_EQ(BoundedEditDistance("abcd", "wxyz", 2), 3);
  EXPECT_EQ(BoundedEditDistance("abcd", "wxyz", 4), 4);
  EXPECT_EQ(BoundedEditDistance("kitten", "sitting", 3), 3);
  EXPECT_EQ(BoundedEditDistance("kitten", "sitting", 2), 3);
  EXPECT_EQ(BoundedEditDistance("髙橋", "高橋", 1), 1);  // one code point, not three bytes
  EXPECT_EQ(BoundedEditDistance("さとう", "さと", 1), 1);
  EXPECT_EQ(BoundedEditDistance("", "abc", 5), 3);
  EXPECT_EQ(BoundedEditDistance("abc", "", 2), 3);
  EXPECT_EQ(BoundedEditDistance("", "", 0), 0);
  EXPECT_EQ(BoundedEditDistance("abc", "abc", 0), 0);
  EXPECT_EQ(BoundedEditDistance("abc", "abd", 0), 1);
  EXPECT_EQ(BoundedEditDistance("a", "b", -5), 1);  // a negative bound counts as 0
  EXPECT_EQ(BoundedEditDistance("a", "a", -5), 0);
  EXPECT_EQ(BoundedEditDistance("abc", "xyz", INT_MAX), 3);  // no overflow at the top
}

TEST(BoundedEditDistanceTest, AgreesWithTheFullTable) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20000; ++round) {
    const std::u32string a = RandomKana(rng, round < 19000 ? 10 : 80, round % 2 ? 3 : 8);
    const std::u32string b = RandomKana(rng, round < 19000 ? 10 : 80, round % 2 ? 3 : 8);
    const int max = static_cast<int>(rng() % 12);
    const int d = ReferenceEditDistance(a, b);
    ASSERT_EQ(BoundedEditDistance(ToUtf8(a), ToUtf8(b), max), d <= max ? d : max + 1)
        << ToUtf8(a) << " / " << ToUtf8(b) << " max " << max;
  }
}

TEST(BoundedEditDistanceTest, IllFormedUtf8AndHugeInput) {
  EXPECT_EQ(BoundedEditDistance("\xff", "\xfe", 0), 0);  // both one U+FFFD
  EXPECT_EQ(BoundedEditDistance("ab\xff", "ab", 3), 1);
  std::string a;
  while (a.size() < (1u << 20)) a += "やまだたろう";
  std::string b = a;
  b.replace(b.size() / 2, 3, "か");
  EXPECT_EQ(BoundedEditDistance(a, b, 2), 1);
  EXPECT_EQ(BoundedEditDistance(a, std::string(1 << 20, 'x'), 3), 4);
  EXPECT_EQ(BoundedEditDistance(a, a + "x", 0), 1);
}

}  // namespace
}  // namespace renkei::mpi
