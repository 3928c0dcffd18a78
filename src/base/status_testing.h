// For tests only (needs GoogleTest): a StatusOr's value, the error failing the test.
#pragma once

#include <utility>

#include <gtest/gtest.h>

#include "base/status.h"

namespace renkei {

// The value of `result`; fails the test (and gives T{}) when it is an error.
template <typename T>
T Ok(StatusOr<T> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : T{};
}

}  // namespace renkei
