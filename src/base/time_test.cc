#include "base/time.h"

#include <regex>

#include <gtest/gtest.h>

namespace renkei {
namespace {

TEST(TimeTest, NowIsIso8601UtcWithMilliseconds) {
  const std::string now = NowUtcIso8601();
  EXPECT_TRUE(std::regex_match(now, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)"))) << now;
  EXPECT_GE(now, "2024-01-01T00:00:00.000Z");
  EXPECT_LE(now, NowUtcIso8601());  // text order is time order
}

}  // namespace
}  // namespace renkei
