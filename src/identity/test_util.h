// For identity/'s tests only: cheap password hashing and reading results.
#pragma once

#include <gtest/gtest.h>

#include "base/status.h"
#include "identity/password.h"

namespace renkei::identity::testing {

// Costs libargon2 accepts at their cheapest, so that a test may sign in hundreds of times.
inline PasswordHashing CheapHashing() { return {.memory_kib = 64, .iterations = 1, .parallelism = 1}; }

// The value of `result`; fails the test (and gives T{}) when it is an error.
template <typename T>
T Ok(StatusOr<T> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : T{};
}

}  // namespace renkei::identity::testing
