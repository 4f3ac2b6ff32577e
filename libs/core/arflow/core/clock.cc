#include "arflow/core/clock.h"

#include <string>

#include "absl/time/time.h"

namespace arflow {

Timestamp SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

SimulatedClock::SimulatedClock(Timestamp start) : micros_(start.time_since_epoch().count()) {}

Timestamp SimulatedClock::now() const {
  return Timestamp(std::chrono::microseconds(micros_.load(std::memory_order_acquire)));
}

Timestamp SimulatedClock::advance(std::chrono::microseconds by) {
  const int64_t step = by.count() < 0 ? 0 : by.count();
  return Timestamp(
      std::chrono::microseconds(micros_.fetch_add(step, std::memory_order_acq_rel) + step));
}

absl::Status SimulatedClock::set(Timestamp to) {
  int64_t current = micros_.load(std::memory_order_acquire);
  const int64_t target = to.time_since_epoch().count();
  while (true) {
    if (target < current) {
      return absl::FailedPreconditionError("time must not move backwards");
    }
    if (micros_.compare_exchange_weak(current, target, std::memory_order_acq_rel)) {
      return absl::OkStatus();
    }
  }
}

Result<std::unique_ptr<Clock>> make_clock(std::string_view spec) {
  if (spec == "system") {
    return std::unique_ptr<Clock>(std::make_unique<SystemClock>());
  }
  if (spec == "simulated") {
    return std::unique_ptr<Clock>(std::make_unique<SimulatedClock>(SystemClock().now()));
  }
  constexpr std::string_view kPrefix = "simulated:";
  if (spec.starts_with(kPrefix)) {
    absl::Time start;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, std::string(spec.substr(kPrefix.size())), &start,
                         &err)) {
      return invalid_field("--clock", "start must be an RFC 3339 time, e.g. 2026-01-31T00:00:00Z");
    }
    return std::unique_ptr<Clock>(std::make_unique<SimulatedClock>(
        Timestamp(std::chrono::microseconds(absl::ToUnixMicros(start)))));
  }
  return invalid_field("--clock", "must be 'system', 'simulated' or 'simulated:<RFC 3339 time>'");
}

int64_t to_unix_millis(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Timestamp from_unix_millis(int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }

}  // namespace arflow
