// How the consumer runner treats events that arrive out of order, cannot be applied, or
// fail: held with their stream, never applied out of order, replayed once.
#include <gmock/gmock.h>

#include <atomic>
#include <stdexcept>

#include "arflow/events/v1/dead_letter.pb.h"
#include "kernel_fixture.h"
#include "support/counter_projection.h"

namespace arflow::bus {
namespace {

class ConsumerOrderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto broker = EmbeddedBroker::start({.partitions = 2});
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = *std::move(broker);
    auto store = eventstore::Store::open({.path = dir_.sub("db"), .events_topic = ""});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    loop_ = std::make_unique<eventstore::CommandLoop>(*store_);
  }

  static std::string event(const std::string& stream, uint64_t version,
                           const std::string& customer = "c1") {
    eventstore::Envelope e;
    e.set_event_id(stream + "@" + std::to_string(version));
    e.set_tenant_id("acme");
    e.set_customer_id(customer);
    e.set_stream(stream);
    e.set_version(version);
    return e.SerializeAsString();
  }

  void publish(const std::string& stream, uint64_t version) {
    ASSERT_TRUE(arflow::testing::produce_raw(broker_->bootstrap_servers(),
                                             std::string(kInvoicingEvents), "acme/c1",
                                             event(stream, version))
                    .ok());
  }

  std::unique_ptr<ConsumerRunner> start(Projection& projection) {
    auto runner = ConsumerRunner::start(*store_, *loop_, projection,
                                        {.name = "test.order",
                                         .bootstrap_servers = broker_->bootstrap_servers(),
                                         .topics = {std::string(kInvoicingEvents)},
                                         .answers_republish_requests = true});
    EXPECT_TRUE(runner.ok()) << runner.status();
    return runner.ok() ? *std::move(runner) : nullptr;
  }

  static void wait_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  uint64_t row(const std::string& key) {
    auto value = store_->get(eventstore::Column::kState, key);
    return value.ok() && value->has_value() ? eventstore::read_be64(**value) : 0;
  }

  // What the runner put in the outbox for `topic`.
  std::vector<std::string> outbox(std::string_view topic) {
    std::vector<std::string> values;
    auto entries = store_->read_outbox(0, 100);
    EXPECT_TRUE(entries.ok());
    if (!entries.ok()) {
      return values;
    }
    for (const auto& entry : *entries) {
      if (entry.record.topic() == topic) {
        values.push_back(entry.record.value());
      }
    }
    return values;
  }

  std::vector<std::string> dead_letter_reasons() {
    std::vector<std::string> reasons;
    for (const auto& value : outbox(kDeadLetters)) {
      events::v1::DeadLetter letter;
      EXPECT_TRUE(letter.ParseFromString(value));
      reasons.push_back(letter.reason());
    }
    return reasons;
  }

  arflow::testing::TempDir dir_;
  std::unique_ptr<EmbeddedBroker> broker_;
  std::unique_ptr<eventstore::Store> store_;
  std::unique_ptr<eventstore::CommandLoop> loop_;
};

TEST_F(ConsumerOrderTest, AVersionGapIsHeldUntilTheMissingEventArrivesThenAllApplyOnce) {
  // As after a relay restart: 1, then 3 (2 failed), then the republished 2 and 3.
  for (uint64_t v : {1u, 3u, 2u, 3u}) {
    publish("invoice/g", v);
  }
  arflow::testing::CounterProjection counter;
  auto runner = start(counter);
  ASSERT_NE(runner, nullptr);
  wait_until([&] { return runner->stats().applied + runner->stats().duplicates >= 4; });
  EXPECT_EQ(runner->stats().applied, 3u);
  EXPECT_EQ(runner->stats().gaps, 1u);
  EXPECT_EQ(runner->stats().replayed, 1u);  // 3, held, applied once 2 came
  EXPECT_EQ(runner->stats().held, 0u);
  EXPECT_EQ(row("count/invoice/g"), 3u);
  EXPECT_EQ(row("sum/invoice/g"), 6u);
  // Nothing dead-lettered; the missing version was asked of the stream's service.
  EXPECT_TRUE(dead_letter_reasons().empty());
  const auto asked = outbox(kRepublishRequests);
  ASSERT_EQ(asked.size(), 1u);
  eventstore::Envelope request;
  ASSERT_TRUE(request.ParseFromString(asked[0]));
  EXPECT_EQ(request.republish_requested().stream(), "invoice/g");
  EXPECT_EQ(request.republish_requested().from_version(), 2u);
  EXPECT_EQ(request.republish_requested().to_version(), 2u);
}

// Refuses version 1 of invoice/r while `refusing`, as a rule of an older release would.
class RefusingProjection final : public Projection {
 public:
  absl::Status apply(const eventstore::Envelope& event, eventstore::Transaction& txn) override {
    if (refusing && event.stream() == "invoice/r" && event.version() == 1) {
      return absl::FailedPreconditionError("allocation exceeds the balance");
    }
    return counter_.apply(event, txn);
  }
  bool refusing = true;

 private:
  arflow::testing::CounterProjection counter_;
};

TEST_F(ConsumerOrderTest, ARefusedEventHoldsItsStreamUntilReplayedThenAppliesOnceInOrder) {
  for (const char* stream : {"invoice/r", "invoice/o"}) {
    for (uint64_t v : {1u, 2u, 3u}) {
      publish(stream, v);
    }
  }
  RefusingProjection projection;
  auto runner = start(projection);
  ASSERT_NE(runner, nullptr);
  wait_until([&] { return runner->stats().applied == 3 && runner->stats().held == 3; });
  // The other stream flowed; the refused one counts as nothing, and what follows waits.
  EXPECT_EQ(row("count/invoice/o"), 3u);
  EXPECT_EQ(row("count/invoice/r"), 0u);
  uint64_t total = 0;
  auto held = runner->dead_letters("acme", 10, &total);
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_EQ(total, 3u);
  EXPECT_EQ((*held)[0].id(), "invoice/r@1");
  EXPECT_EQ((*held)[0].state(), admin::v1::DEAD_LETTER_STATE_REFUSED);
  EXPECT_EQ((*held)[0].reason(), "FAILED_PRECONDITION: allocation exceeds the balance");
  EXPECT_EQ((*held)[1].state(), admin::v1::DEAD_LETTER_STATE_WAITING);
  EXPECT_EQ((*held)[2].id(), "invoice/r@3");
  EXPECT_EQ(dead_letter_reasons(),
            std::vector<std::string>{"FAILED_PRECONDITION: allocation exceeds the balance"});
  auto shown = runner->dead_letter("acme", "invoice/r@1");
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_NE(shown->event_text().find("stream: \"invoice/r\""), std::string::npos)
      << shown->event_text();

  // Replayed while the cause stands: still held, tried once more.
  auto again = runner->replay("acme", "invoice/r@1");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->applied, 0u);
  ASSERT_EQ(again->held.size(), 3u);
  EXPECT_EQ(again->held[0].attempts(), 2u);

  // The cause fixed (an upgrade): replayed, the three apply once, in order.
  projection.refusing = false;
  auto replayed = runner->replay("acme", "invoice/r");
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->applied, 3u);
  EXPECT_TRUE(replayed->held.empty());
  EXPECT_EQ(row("count/invoice/r"), 3u);
  EXPECT_EQ(row("sum/invoice/r"), 6u);
  EXPECT_EQ(runner->stats().held, 0u);
  // A second replay changes nothing.
  EXPECT_EQ(runner->replay("acme", "invoice/r@1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(row("count/invoice/r"), 3u);
  // Redelivered, they are duplicates.
  publish("invoice/r", 1);
  wait_until([&] { return runner->stats().duplicates >= 1; });
  EXPECT_EQ(row("count/invoice/r"), 3u);
}

// Fails every event of invoice/p with DATA_LOSS, and throws on those of invoice/q (bugs, not
// business refusals) until fixed.
class PoisonedProjection final : public Projection {
 public:
  absl::Status apply(const eventstore::Envelope& event, eventstore::Transaction& txn) override {
    if (broken && event.stream() == "invoice/p") {
      return absl::DataLossError("the projection cannot read its row");
    }
    if (broken && event.stream() == "invoice/q") {
      throw std::runtime_error("a bug");
    }
    return counter_.apply(event, txn);
  }
  std::atomic<bool> broken = true;

 private:
  arflow::testing::CounterProjection counter_;
};

TEST_F(ConsumerOrderTest, PoisonStreamsAreParkedAfterTheirRetriesAndTheOthersOnTheirPartitionFlow) {
  // One partition's messages (one key): the poisoned streams' first, then 10,000 events of
  // 1,000 other customers' streams.
  std::vector<std::pair<std::string, std::string>> messages;
  messages.emplace_back("acme/c1", event("invoice/p", 1));
  messages.emplace_back("acme/c1", event("invoice/q", 1));
  constexpr int kStreams = 1000;
  constexpr int kVersions = 10;
  for (int v = 1; v <= kVersions; ++v) {
    for (int s = 0; s < kStreams; ++s) {
      messages.emplace_back("acme/c1", event("invoice/s" + std::to_string(s),
                                             static_cast<uint64_t>(v), "c" + std::to_string(s)));
    }
  }
  messages.emplace_back("acme/c1", event("invoice/p", 2));
  ASSERT_TRUE(arflow::testing::produce_all(broker_->bootstrap_servers(),
                                           std::string(kInvoicingEvents), messages)
                  .ok());
  PoisonedProjection projection;
  auto runner = start(projection);
  ASSERT_NE(runner, nullptr);
  wait_until([&] { return runner->stats().applied == uint64_t{kStreams} * kVersions; });
  EXPECT_EQ(runner->stats().applied, uint64_t{kStreams} * kVersions);
  for (int s = 0; s < kStreams; ++s) {
    ASSERT_EQ(row("count/invoice/s" + std::to_string(s)), uint64_t{kVersions}) << s;
  }
  wait_until([&] { return runner->stats().held == 3; });
  uint64_t total = 0;
  auto held = runner->dead_letters("acme", 10, &total);
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_EQ(total, 3u);
  EXPECT_EQ((*held)[0].id(), "invoice/p@1");
  EXPECT_EQ((*held)[0].state(), admin::v1::DEAD_LETTER_STATE_FAILED);
  EXPECT_EQ((*held)[0].attempts(), 5u);
  EXPECT_EQ((*held)[1].state(), admin::v1::DEAD_LETTER_STATE_WAITING);
  EXPECT_EQ((*held)[2].id(), "invoice/q@1");
  EXPECT_THAT((*held)[2].reason(), ::testing::HasSubstr("the projection threw: a bug"));
  EXPECT_EQ(runner->stats().parked_streams, 2u);

  projection.broken = false;
  auto replayed = runner->replay("acme", "invoice/p");
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->applied, 2u);
  EXPECT_EQ(row("count/invoice/p"), 2u);
  EXPECT_EQ(runner->replay("acme", "invoice/p").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(row("count/invoice/p"), 2u);
  ASSERT_TRUE(runner->replay("acme", "invoice/q@1").ok());
  EXPECT_EQ(row("count/invoice/q"), 1u);
  EXPECT_EQ(runner->stats().held, 0u);
}

// Fails with UNAVAILABLE the first time it sees version 2, as a failed read would.
class FlakyProjection final : public Projection {
 public:
  absl::Status apply(const eventstore::Envelope& event, eventstore::Transaction& txn) override {
    if (event.version() == 2 && !failed_once_) {
      failed_once_ = true;
      return absl::UnavailableError("disk hiccup");
    }
    return counter_.apply(event, txn);
  }

 private:
  bool failed_once_ = false;
  arflow::testing::CounterProjection counter_;
};

TEST_F(ConsumerOrderTest, ATransientFailureIsRetriedAndNotDeadLettered) {
  for (uint64_t v : {1u, 2u, 3u}) {
    publish("invoice/t", v);
  }
  FlakyProjection flaky;
  auto runner = start(flaky);
  ASSERT_NE(runner, nullptr);
  wait_until([&] { return row("count/invoice/t") == 3; });
  EXPECT_EQ(row("count/invoice/t"), 3u);
  EXPECT_EQ(row("sum/invoice/t"), 6u);
  EXPECT_GE(runner->stats().commit_failures, 1u);
  EXPECT_EQ(runner->stats().dead_lettered, 0u);
  EXPECT_TRUE(dead_letter_reasons().empty());
}

}  // namespace
}  // namespace arflow::bus
