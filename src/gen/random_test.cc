#include "gen/random.h"

#include <set>

#include <gtest/gtest.h>

namespace renkei::gen {
namespace {

// Known answers, computed apart from this code from the published algorithms: the region is
// byte-identical on every platform only while these hold.
TEST(Rng, DrawsTheSequenceOfXoshiro256StarStarSeededBySplitMix64) {
  EXPECT_EQ(Mix64(0), 0xE220A8397B1DCDAFull) << "SplitMix64's first output from 0";
  Rng zero(0);
  EXPECT_EQ(zero.Next(), 0x99EC5F36CB75F2B4ull);
  EXPECT_EQ(zero.Next(), 0xBF6E1F784956452Aull);
  EXPECT_EQ(zero.Next(), 0x1A5F849D4933E6E0ull);
  Rng one(1);
  EXPECT_EQ(one.Next(), 0xB3F2AF6D0FC710C5ull);
  EXPECT_EQ(one.Next(), 0x853B559647364CEAull);
  Rng person = Rng::For(1, StreamKind::kPerson, 0);
  EXPECT_EQ(person.Next(), 0x238DB533B5DFBE5Eull);
  EXPECT_EQ(person.Next(), 0x0D1EE9B3A7CABEA3ull);
}

TEST(Rng, ACopyRepeatsTheStreamAndStreamsOfOtherKindsOrIndexesDiffer) {
  Rng a = Rng::For(7, StreamKind::kHistory, 3);
  a.Next();
  Rng b = a;
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.Next(), b.Next());
  std::set<uint64_t> firsts;
  for (StreamKind kind : {StreamKind::kRegion, StreamKind::kPerson, StreamKind::kFacility, StreamKind::kHistory}) {
    for (uint64_t index = 0; index < 100; ++index) firsts.insert(Rng::For(7, kind, index).Next());
  }
  EXPECT_EQ(firsts.size(), 400u);
}

TEST(Rng, RangesStayInBoundsAndCoverThem) {
  Rng r(42);
  std::set<uint64_t> below;
  std::set<int64_t> between;
  int chances = 0;
  for (int i = 0; i < 20000; ++i) {
    const uint64_t x = r.Below(7);
    ASSERT_LT(x, 7u);
    below.insert(x);
    const int64_t y = r.Between(-2, 2);
    ASSERT_GE(y, -2);
    ASSERT_LE(y, 2);
    between.insert(y);
    const double u = r.Unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    chances += r.Chance(0.25);
  }
  EXPECT_EQ(below.size(), 7u);
  EXPECT_EQ(between.size(), 5u);
  EXPECT_NEAR(chances / 20000.0, 0.25, 0.02);
  EXPECT_EQ(r.Between(5, 5), 5);
  const int weights[] = {0, 3, 0, 1};
  int counts[4] = {};
  for (int i = 0; i < 8000; ++i) ++counts[r.Weighted(weights)];
  EXPECT_EQ(counts[0] + counts[2], 0) << "zero weights are never chosen";
  EXPECT_NEAR(counts[1] / 8000.0, 0.75, 0.03);
}

}  // namespace
}  // namespace renkei::gen
