#include <random>

#include "arflow/events/v1/dead_letter.pb.h"
#include "arflow/process/child_process.h"
#include "kernel_fixture.h"
#include "support/counter_projection.h"
#include "support/seed.h"

namespace arflow::bus {
namespace {

using testing::append_events;
using testing::wait_for_empty_outbox;

constexpr int kStreams = 1000;
constexpr int kPerStream = 100;  // 100,000 events

class ConsumerTest : public testing::PublishingStoreTest {
 protected:
  void SetUp() override {
    PublishingStoreTest::SetUp();
    start_relay();
  }
};

TEST_F(ConsumerTest, KilledAtRandomWhileConsuming100kEventsItStillAppliesEachExactlyOnce) {
  // A message that is no Envelope, and one the projection refuses: both dead letters.
  ASSERT_TRUE(arflow::testing::produce_raw(bootstrap(), std::string(kInvoicingEvents), "acme/x",
                                           "\x08\x96garbage")
                  .ok());
  append_events(*loop_, 1, 1, 1, 1, "poison");  // stream invoice/0 version 1, refused
  append_events(*loop_, kStreams, kPerStream, /*customers=*/200);
  // invoice/0 got one refused event first: it is held, and its versions 2..101 wait behind it.
  const std::string db = dir_.sub("consumer");
  std::mt19937_64 rng(arflow::testing::test_seed());
  for (int kill = 0; kill < 6; ++kill) {
    arflow::process::ChildProcess child;
    ASSERT_TRUE(
        child.start({ARFLOW_TEST_CHILD, "consume", db, bootstrap(), std::string(kInvoicingEvents)})
            .ok());
    auto ready = child.read_line();
    ASSERT_TRUE(ready.has_value());
    ASSERT_EQ(*ready, "ready");
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 400));
    child.signal(SIGKILL);
    ASSERT_TRUE(WIFSIGNALED(child.wait()));
  }
  ASSERT_TRUE(wait_for_empty_outbox(*store_, std::chrono::seconds(60)));

  // The last run goes to the end of the topic and stops cleanly.
  {
    arflow::process::ChildProcess child;
    ASSERT_TRUE(
        child.start({ARFLOW_TEST_CHILD, "consume", db, bootstrap(), std::string(kInvoicingEvents)})
            .ok());
    ASSERT_EQ(child.read_line().value_or(""), "ready");
    int quiet_ticks = 0;
    while (quiet_ticks < 10) {
      auto line = child.read_line();
      ASSERT_TRUE(line.has_value()) << "consumer died";
      quiet_ticks = line->ends_with(" lag=0") ? quiet_ticks + 1 : 0;
    }
    child.signal(SIGTERM);
    const int status = child.wait();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }

  auto store = eventstore::Store::open({.path = db, .events_topic = ""});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_FALSE((*store)->get(eventstore::Column::kState, "count/invoice/0")->has_value())
      << "events of a stream applied past a refused one";
  size_t held = 0;
  ASSERT_TRUE((*store)
                  ->scan(eventstore::Column::kState, "consumer/test.counter/held/acme/", "",
                         [&](std::string_view, std::string_view) {
                           ++held;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(held, size_t{kPerStream} + 2) << "invoice/0's 101 events and the undecodable one";
  for (int s = 1; s < kStreams; ++s) {
    const std::string stream = "invoice/" + std::to_string(s);
    const uint64_t first = 1;
    const uint64_t last = first + kPerStream - 1;
    auto count = (*store)->get(eventstore::Column::kState, "count/" + stream);
    auto sum = (*store)->get(eventstore::Column::kState, "sum/" + stream);
    ASSERT_TRUE(count.ok() && count->has_value()) << stream << " never applied";
    ASSERT_EQ(eventstore::read_be64(**count), uint64_t{kPerStream}) << stream;
    ASSERT_EQ(eventstore::read_be64(**sum), (first + last) * kPerStream / 2) << stream;
  }
  store->reset();

  // Both refused messages are in the dead-letter topic, with their reason and origin.
  std::set<int64_t> dead_offsets;
  std::set<std::string> reasons;
  for (const auto& m : arflow::testing::read_topic(bootstrap(), std::string(kDeadLetters))) {
    events::v1::DeadLetter letter;
    ASSERT_TRUE(letter.ParseFromString(m.value));
    EXPECT_EQ(letter.consumer(), "test.counter");
    EXPECT_EQ(letter.source_topic(), kInvoicingEvents);
    dead_offsets.insert(letter.source_offset() * 100 + letter.source_partition());
    reasons.insert(letter.reason());
  }
  EXPECT_EQ(dead_offsets.size(), 2u);
  EXPECT_TRUE(reasons.contains("not an arflow Envelope with a stream and a version"));
  EXPECT_TRUE(
      reasons.contains("FAILED_PRECONDITION: the counter refuses events of actor 'poison'"));
}

}  // namespace
}  // namespace arflow::bus
