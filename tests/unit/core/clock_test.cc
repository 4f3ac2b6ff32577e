#include "arflow/core/clock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace arflow {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

// 2026-01-31T00:00:00Z.
constexpr int64_t kJan31Millis = 1'769'817'600'000;

Timestamp jan31() { return from_unix_millis(kJan31Millis); }

std::string message_of(const absl::Status& status) { return std::string(status.message()); }

TEST(SimulatedClockTest, StandsStillUntilAdvanced) {
  SimulatedClock clock(jan31());
  EXPECT_EQ(clock.now(), jan31());
  EXPECT_EQ(clock.now(), jan31());
}

TEST(SimulatedClockTest, AdvanceMovesForwardAndReturnsTheNewTime) {
  SimulatedClock clock(jan31());
  // 90 days of dunning pass in one call.
  const Timestamp later = clock.advance(hours(24 * 90));
  EXPECT_EQ(later, jan31() + hours(24 * 90));
  EXPECT_EQ(clock.now(), later);
  EXPECT_EQ(clock.advance(microseconds(1)), later + microseconds(1));
  EXPECT_EQ(clock.advance(microseconds(0)), later + microseconds(1));
}

TEST(SimulatedClockTest, NegativeAdvanceDoesNotMoveBackwards) {
  SimulatedClock clock(jan31());
  EXPECT_EQ(clock.advance(-hours(1)), jan31());
  EXPECT_EQ(clock.now(), jan31());
}

TEST(SimulatedClockTest, SetMovesForwardButNeverBackwards) {
  SimulatedClock clock(jan31());
  EXPECT_TRUE(clock.set(jan31() + hours(2)).ok());
  EXPECT_EQ(clock.now(), jan31() + hours(2));
  EXPECT_TRUE(clock.set(jan31() + hours(2)).ok()) << "setting the same time is allowed";

  const absl::Status back = clock.set(jan31() + hours(1));
  EXPECT_EQ(back.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(message_of(back), HasSubstr("backwards"));
  EXPECT_EQ(clock.now(), jan31() + hours(2)) << "a refused set leaves the time alone";
}

TEST(SimulatedClockTest, ConcurrentAdvancesAreAllCounted) {
  SimulatedClock clock(jan31());
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < 10'000; ++i) {
        clock.advance(microseconds(1));
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(clock.now(), jan31() + microseconds(40'000));
}

TEST(MakeClockTest, SystemClockFollowsTheWallClock) {
  auto clock = make_clock("system");
  ASSERT_TRUE(clock.ok()) << clock.status();
  const Timestamp before = SystemClock().now();
  const Timestamp now = (*clock)->now();
  const Timestamp after = SystemClock().now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
  EXPECT_EQ(dynamic_cast<SimulatedClock*>(clock->get()), nullptr);
}

TEST(MakeClockTest, SimulatedStartsNowAndStandsStill) {
  const Timestamp before = SystemClock().now();
  auto clock = make_clock("simulated");
  ASSERT_TRUE(clock.ok()) << clock.status();
  auto* simulated = dynamic_cast<SimulatedClock*>(clock->get());
  ASSERT_NE(simulated, nullptr);
  const Timestamp start = simulated->now();
  EXPECT_GE(start, before);
  EXPECT_LE(start, SystemClock().now());
  std::this_thread::sleep_for(milliseconds(2));
  EXPECT_EQ(simulated->now(), start);
}

TEST(MakeClockTest, SimulatedStartsAtTheGivenRfc3339Time) {
  for (const char* spec : {"simulated:2026-01-31T00:00:00Z", "simulated:2026-01-31T01:00:00+01:00",
                           "simulated:2026-01-30T19:00:00-05:00"}) {
    auto clock = make_clock(spec);
    ASSERT_TRUE(clock.ok()) << spec << ": " << clock.status();
    EXPECT_EQ((*clock)->now(), jan31()) << spec;
    EXPECT_NE(dynamic_cast<SimulatedClock*>(clock->get()), nullptr) << spec;
  }
  auto fractional = make_clock("simulated:2026-01-31T00:00:00.250Z");
  ASSERT_TRUE(fractional.ok()) << fractional.status();
  EXPECT_EQ((*fractional)->now(), jan31() + milliseconds(250));
}

TEST(MakeClockTest, RefusesABadSpecNamingTheFlag) {
  for (const char* spec : {"", "wallclock", "System", "simulated:", "simulated:yesterday",
                           "simulated:2026-13-01T00:00:00Z", "simulated:2026-01-31"}) {
    auto clock = make_clock(spec);
    ASSERT_FALSE(clock.ok()) << "'" << spec << "'";
    EXPECT_EQ(clock.status().code(), absl::StatusCode::kInvalidArgument) << spec;
    EXPECT_THAT(message_of(clock.status()), HasSubstr("--clock ")) << spec;
  }
}

TEST(ClockConversionTest, UnixMillisRoundTrip) {
  EXPECT_EQ(to_unix_millis(jan31()), kJan31Millis);
  EXPECT_EQ(to_unix_millis(from_unix_millis(0)), 0);
  EXPECT_EQ(to_unix_millis(jan31() + microseconds(1999)), kJan31Millis + 1)
      << "sub-millisecond time is truncated";
  EXPECT_EQ(from_unix_millis(kJan31Millis).time_since_epoch(), milliseconds(kJan31Millis));
}

}  // namespace
}  // namespace arflow
