// A child process appends in a tight loop and prints each acknowledged command; the test
// kills it with SIGKILL at a random moment and reopens the store.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "arflow/process/child_process.h"
#include "fixture.h"
#include "support/seed.h"

namespace arflow::eventstore {
namespace {

constexpr uint64_t kEventsPerCommand = 3;  // see tests/support/child_main.cc, "append"

TEST(EventStoreCrash, SigkillMidStreamKeepsEveryAcknowledgedAppendAndNoPartialBatch) {
  std::mt19937_64 rng(arflow::testing::test_seed());
  for (int round = 0; round < 3; ++round) {
    arflow::testing::TempDir dir;
    std::set<uint32_t> acked;
    {
      arflow::process::ChildProcess child;
      ASSERT_TRUE(child.start({ARFLOW_TEST_CHILD, "append", dir.sub("db")}).ok());
      const auto kill_after = static_cast<size_t>(500 + rng() % 3000);
      while (acked.size() < kill_after) {
        auto line = child.read_line();
        ASSERT_TRUE(line.has_value()) << "child stopped early";
        acked.insert(static_cast<uint32_t>(std::stoul(*line)));
      }
      child.signal(SIGKILL);
      // Acks already in the pipe were given before the kill: they count too.
      while (auto line = child.read_line()) {
        acked.insert(static_cast<uint32_t>(std::stoul(*line)));
      }
      const int status = child.wait();
      ASSERT_TRUE(WIFSIGNALED(status)) << "child exited on its own with " << status;
    }

    auto store = Store::open({.path = dir.sub("db"), .events_topic = testing::kTopic});
    ASSERT_TRUE(store.ok()) << store.status();
    for (uint32_t i : acked) {
      ASSERT_EQ(*(*store)->stream_version("a/" + std::to_string(i)), kEventsPerCommand)
          << "acknowledged command " << i << " lost";
    }
    // Whatever survived, survived whole: each command's two streams together, all events.
    uint64_t commands = 0;
    uint64_t events = 0;
    ASSERT_TRUE((*store)
                    ->for_each_event([&](const Envelope& e) {
                      ++events;
                      if (e.stream().starts_with("a/") && e.version() == 1) {
                        ++commands;
                        EXPECT_EQ(*(*store)->stream_version(e.stream()), kEventsPerCommand);
                        EXPECT_EQ(*(*store)->stream_version("b/" + e.stream().substr(2)), 1u)
                            << e.stream();
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    EXPECT_GE(commands, acked.size());
    EXPECT_EQ(events, commands * (kEventsPerCommand + 1));
    // The outbox holds exactly the surviving events: written in the same batch.
    EXPECT_EQ((*store)->read_outbox(0, 1'000'000)->size(), events);
  }
}

}  // namespace
}  // namespace arflow::eventstore
