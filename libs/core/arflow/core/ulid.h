#pragma once
// ULIDs (https://github.com/ulid/spec): 48-bit millisecond time + 80 random bits, 26
// Crockford base32 characters, sortable by creation time. Event ids and generated resource
// ids are ULIDs.

#include <array>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "arflow/core/clock.h"

namespace arflow {

// Thread-safe. Monotonic: within one millisecond the random part is incremented, so ids
// from one generator sort in the order they were made.
class UlidGenerator {
 public:
  explicit UlidGenerator(const Clock& clock);
  std::string next();

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::mt19937_64 rng_;
  uint64_t last_ms_ = 0;
  std::array<uint8_t, 10> last_random_{};
};

// True when `s` is 26 Crockford base32 characters whose value fits in 128 bits.
bool is_ulid(std::string_view s);

}  // namespace arflow
