#include "identity/attempt_limiter.h"

#include <gtest/gtest.h>

namespace renkei::identity {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

TEST(AttemptLimiterTest, TwentyAtOnceThenOneEveryThreeSeconds) {
  AttemptLimiter limiter(AttemptLimits{});
  for (int i = 0; i < 20; ++i) ASSERT_EQ(limiter.Take("192.0.2.1", kNow), 0) << i;
  EXPECT_EQ(limiter.Take("192.0.2.1", kNow), 3000);
  EXPECT_EQ(limiter.Take("192.0.2.1", kNow + 1000), 2000) << "a refused attempt costs nothing";
  EXPECT_EQ(limiter.Take("192.0.2.2", kNow), 0) << "each address has its own budget";
  EXPECT_EQ(limiter.Take("192.0.2.1", kNow + 3000), 0);
  EXPECT_EQ(limiter.Take("192.0.2.1", kNow + 3000), 3000);
  // A whole window later the whole budget is back.
  for (int i = 0; i < 20; ++i) ASSERT_EQ(limiter.Take("192.0.2.1", kNow + 63'000), 0) << i;
  EXPECT_GT(limiter.Take("192.0.2.1", kNow + 63'000), 0);
}

TEST(AttemptLimiterTest, GivingBackMakesRoomForOneMore) {
  AttemptLimiter limiter(AttemptLimits{.attempts = 2, .window_ms = 60'000});
  EXPECT_EQ(limiter.Take("192.0.2.1", kNow), 0);
  EXPECT_EQ(limiter.Take("192.0.2.1", kNow), 0);
  EXPECT_EQ(limiter.Take("192.0.2.1", kNow), 30'000);
  limiter.GiveBack("192.0.2.1");
  EXPECT_EQ(limiter.Take("192.0.2.1", kNow), 0);
  EXPECT_EQ(limiter.Take("192.0.2.1", kNow), 30'000);
  limiter.GiveBack("198.51.100.7");  // never seen: nothing to give back
  EXPECT_EQ(limiter.Take("198.51.100.7", kNow), 0);
}

TEST(AttemptLimiterTest, AFullTableForgetsRecoveredAddressesAndRefusesNewOnesWhileNoneHas) {
  AttemptLimiter limiter(AttemptLimits{.attempts = 2, .window_ms = 60'000, .max_addresses = 2});
  EXPECT_EQ(limiter.Take("a", kNow), 0);
  EXPECT_EQ(limiter.Take("b", kNow), 0);
  EXPECT_EQ(limiter.Take("c", kNow), 30'000) << "both in debt: no room";
  EXPECT_EQ(limiter.Take("a", kNow + 1000), 0) << "known addresses go on";
  EXPECT_EQ(limiter.Take("c", kNow + 29'999), 30'000) << "neither has recovered yet";
  EXPECT_EQ(limiter.Take("c", kNow + 30'000), 0) << "b has recovered: forgotten, room for c";
  EXPECT_EQ(limiter.Take("a", kNow + 30'000), 0);
  EXPECT_EQ(limiter.Take("a", kNow + 30'000), 30'000) << "a is still in debt";
}

}  // namespace
}  // namespace renkei::identity
