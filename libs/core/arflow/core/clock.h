#pragma once
// Time comes from a Clock passed in, never from the system directly, so that a test or a
// demo can run a 90-day scenario in seconds and replay it deterministically.

#include <atomic>
#include <chrono>
#include <memory>
#include <string_view>

#include "arflow/core/error.h"

namespace arflow {

// Microseconds since the Unix epoch, UTC.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// Thread-safe: now() may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
};

// A clock that only moves when told to. It never moves backwards.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(Timestamp start);
  Timestamp now() const override;
  // Moves time forward by `by` (>= 0) and returns the new time.
  Timestamp advance(std::chrono::microseconds by);
  // Sets the time; refuses to go backwards.
  absl::Status set(Timestamp to);

 private:
  std::atomic<int64_t> micros_;
};

// "system" or "simulated" (starts at the current system time) or
// "simulated:2026-01-31T00:00:00Z".
Result<std::unique_ptr<Clock>> make_clock(std::string_view spec);

int64_t to_unix_millis(Timestamp t);
Timestamp from_unix_millis(int64_t ms);

}  // namespace arflow
