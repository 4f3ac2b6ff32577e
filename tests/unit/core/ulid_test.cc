#include "arflow/core/ulid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "arflow/core/clock.h"

namespace arflow {
namespace {

using std::chrono::milliseconds;

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// 2026-01-31T00:00:00Z.
constexpr int64_t kJan31Millis = 1'769'817'600'000;

// The 48-bit millisecond time in the first 10 characters, decoded independently of ulid.cc.
uint64_t decoded_millis(std::string_view ulid) {
  uint64_t ms = 0;
  for (char c : ulid.substr(0, 10)) {
    ms = ms * 32 + kCrockford.find(c);
  }
  return ms;
}

TEST(UlidTest, IsTwentySixCrockfordCharactersCarryingTheClockTime) {
  SimulatedClock clock(from_unix_millis(kJan31Millis));
  UlidGenerator ids(clock);
  const std::string id = ids.next();
  EXPECT_EQ(id.size(), 26u);
  EXPECT_TRUE(is_ulid(id)) << id;
  for (char c : id) {
    EXPECT_NE(kCrockford.find(c), std::string_view::npos) << id;
  }
  EXPECT_EQ(decoded_millis(id), static_cast<uint64_t>(kJan31Millis)) << id;
}

TEST(UlidTest, EncodesTheTimeAsTheSpecSays) {
  // Reference vector of the ULID spec's implementations: 1469918176385 ms -> "01ARYZ6S41".
  SimulatedClock clock(from_unix_millis(1'469'918'176'385));
  UlidGenerator ids(clock);
  EXPECT_EQ(ids.next().substr(0, 10), "01ARYZ6S41");
}

TEST(UlidTest, IsUlidRecognisesOnlyWellFormedIds) {
  EXPECT_TRUE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
  EXPECT_TRUE(is_ulid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ")) << "the largest 128-bit value";
  EXPECT_FALSE(is_ulid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ")) << "more than 128 bits";
  EXPECT_FALSE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FA")) << "25 characters";
  EXPECT_FALSE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAVX")) << "27 characters";
  EXPECT_FALSE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAU")) << "U is not Crockford base32";
  EXPECT_FALSE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAI"));
  EXPECT_FALSE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FA-"));
  EXPECT_FALSE(is_ulid(""));
}

TEST(UlidTest, MonotonicWithinTheSameSimulatedMillisecond) {
  SimulatedClock clock(from_unix_millis(kJan31Millis));
  UlidGenerator ids(clock);
  std::string previous = ids.next();
  for (int i = 0; i < 10'000; ++i) {
    const std::string id = ids.next();
    ASSERT_LT(previous, id) << "id " << i;
    ASSERT_EQ(decoded_millis(id), static_cast<uint64_t>(kJan31Millis));
    previous = id;
  }
}

TEST(UlidTest, SortsByCreationTimeAcrossMilliseconds) {
  SimulatedClock clock(from_unix_millis(kJan31Millis));
  UlidGenerator ids(clock);
  std::vector<std::string> made;
  for (int i = 0; i < 1'000; ++i) {
    made.push_back(ids.next());
    if (i % 7 == 0) {
      clock.advance(milliseconds(1 + i % 3));
    }
  }
  EXPECT_TRUE(std::is_sorted(made.begin(), made.end()));
  EXPECT_EQ(std::adjacent_find(made.begin(), made.end()), made.end());
  EXPECT_EQ(decoded_millis(made.back()), static_cast<uint64_t>(to_unix_millis(clock.now())));
}

TEST(UlidTest, UniqueAcrossAHundredThousand) {
  SystemClock clock;
  UlidGenerator ids(clock);
  std::vector<std::string> made;
  made.reserve(100'000);
  for (int i = 0; i < 100'000; ++i) {
    made.push_back(ids.next());
  }
  EXPECT_TRUE(std::is_sorted(made.begin(), made.end())) << "one generator is monotonic";
  std::sort(made.begin(), made.end());
  EXPECT_EQ(std::adjacent_find(made.begin(), made.end()), made.end());
}

TEST(UlidTest, ThreadSafeFromFourThreads) {
  SimulatedClock clock(from_unix_millis(kJan31Millis));
  UlidGenerator ids(clock);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25'000;
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto& mine = made[static_cast<size_t>(t)];
      mine.reserve(kPerThread);
      for (int i = 0; i < kPerThread; ++i) {
        mine.push_back(ids.next());
        if (t == 0 && i % 1000 == 0) {
          clock.advance(milliseconds(1));  // time moves while the others generate
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  std::vector<std::string> all;
  for (const auto& mine : made) {
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end())) << "each thread sees increasing ids";
    all.insert(all.end(), mine.begin(), mine.end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
  for (const auto& id : all) {
    ASSERT_TRUE(is_ulid(id)) << id;
  }
}

}  // namespace
}  // namespace arflow
