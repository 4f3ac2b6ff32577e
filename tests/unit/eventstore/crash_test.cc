// A child process appends in a tight loop and reports each acknowledged command on a pipe;
// the parent kills it with SIGKILL at a random moment and reopens the store.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "fixture.h"

namespace arflow::eventstore {
namespace {

constexpr int kEventsPerCommand = 3;

[[noreturn]] void append_until_killed(const std::string& path, int ack_fd) {
  SimulatedClock clock(from_unix_millis(1'790'000'000'000));
  auto store = Store::open({.path = path, .events_topic = testing::kTopic});
  if (!store.ok()) {
    _exit(3);
  }
  CommandLoop loop(**store, clock);
  std::mutex write_mu;
  for (uint32_t i = 0;; ++i) {
    // Each command writes two streams: both appear or neither does.
    Command c;
    c.execute = [i](Transaction& txn) -> Result<std::string> {
      std::vector<Envelope> events(kEventsPerCommand, testing::event_for("t1", "c"));
      ARFLOW_RETURN_IF_ERROR(
          txn.append("a/" + std::to_string(i), ExpectedVersion::no_stream(), events).status());
      std::vector<Envelope> mirror{testing::event_for("t1", "c")};
      ARFLOW_RETURN_IF_ERROR(
          txn.append("b/" + std::to_string(i), ExpectedVersion::no_stream(), mirror).status());
      return std::string();
    };
    c.done = [i, ack_fd, &write_mu](Result<std::string> r) {
      if (r.ok()) {
        std::lock_guard lock(write_mu);
        (void)!::write(ack_fd, &i, sizeof i);
      }
    };
    loop.submit(std::move(c));
    if (i % 64 == 63) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // let batches form
    }
  }
}

TEST(EventStoreCrash, SigkillMidStreamKeepsEveryAcknowledgedAppendAndNoPartialBatch) {
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < 3; ++round) {
    arflow::testing::TempDir dir;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      append_until_killed(dir.sub("db"), fds[1]);
    }
    ::close(fds[1]);
    const auto kill_after = static_cast<uint32_t>(500 + rng() % 3000);
    std::set<uint32_t> acked;
    uint32_t id = 0;
    while (acked.size() < kill_after && ::read(fds[0], &id, sizeof id) == sizeof id) {
      acked.insert(id);
    }
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    // Acks already in the pipe were acknowledged before the kill: they count too.
    while (::read(fds[0], &id, sizeof id) == sizeof id) {
      acked.insert(id);
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited on its own with " << status;

    auto store = Store::open({.path = dir.sub("db"), .events_topic = testing::kTopic});
    ASSERT_TRUE(store.ok()) << store.status();
    for (uint32_t i : acked) {
      ASSERT_EQ(*(*store)->stream_version("a/" + std::to_string(i)), uint64_t{kEventsPerCommand})
          << "acknowledged command " << i << " lost";
    }
    // Whatever survived, survived whole: each command's two streams together, all events.
    uint64_t streams = 0;
    uint64_t events = 0;
    ASSERT_TRUE((*store)
                    ->for_each_event([&](const Envelope& e) {
                      ++events;
                      if (e.stream().starts_with("a/") && e.version() == 1) {
                        ++streams;
                        const auto mirror = "b/" + e.stream().substr(2);
                        EXPECT_EQ(*(*store)->stream_version(e.stream()), uint64_t{kEventsPerCommand});
                        EXPECT_EQ(*(*store)->stream_version(mirror), 1u) << e.stream();
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    EXPECT_GE(streams, acked.size());
    EXPECT_EQ(events, streams * (kEventsPerCommand + 1));
    // The outbox holds exactly the surviving events: written in the same batch.
    EXPECT_EQ((*store)->read_outbox(0, 1'000'000)->size(), events);
  }
}

}  // namespace
}  // namespace arflow::eventstore
