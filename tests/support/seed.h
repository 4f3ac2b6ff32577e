#pragma once
// The seed of a randomised test: ARFLOW_TEST_SEED when set (to replay a failure), else
// `fallback`, or a fresh random one when the test wants a new sequence each run. The seed is
// printed and recorded in the test's XML properties, so that a failure can be replayed:
//   ARFLOW_TEST_SEED=1234567 build/bin/eventstore_test --gtest_filter='EventStoreCrash.*'

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <random>
#include <string>

namespace arflow::testing {

inline uint64_t test_seed(std::optional<uint64_t> fallback = std::nullopt) {
  uint64_t seed = 0;
  if (const char* given = std::getenv("ARFLOW_TEST_SEED"); given != nullptr && *given != '\0') {
    seed = std::strtoull(given, nullptr, 10);
  } else if (fallback.has_value()) {
    seed = *fallback;
  } else {
    seed = (uint64_t{std::random_device{}()} << 32U) | std::random_device{}();
  }
  std::cout << "seed=" << seed << " (replay with ARFLOW_TEST_SEED=" << seed << ")\n";
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  return seed;
}

}  // namespace arflow::testing
