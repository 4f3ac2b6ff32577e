// How the consumer runner treats events that arrive out of order or cannot be applied yet.
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

  void publish(const std::string& stream, uint64_t version) {
    eventstore::Envelope e;
    e.set_event_id(stream + "@" + std::to_string(version));
    e.set_tenant_id("acme");
    e.set_customer_id("c1");
    e.set_stream(stream);
    e.set_version(version);
    ASSERT_TRUE(arflow::testing::produce_raw(broker_->bootstrap_servers(),
                                             std::string(kInvoicingEvents), "acme/c1",
                                             e.SerializeAsString())
                    .ok());
  }

  std::unique_ptr<ConsumerRunner> start(Projection& projection) {
    auto runner = ConsumerRunner::start(*store_, *loop_, projection,
                                        {.name = "test.order",
                                         .bootstrap_servers = broker_->bootstrap_servers(),
                                         .topics = {std::string(kInvoicingEvents)}});
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

  std::vector<std::string> dead_letter_reasons() {
    std::vector<std::string> reasons;
    auto outbox = store_->read_outbox(0, 100);
    EXPECT_TRUE(outbox.ok());
    if (!outbox.ok()) {
      return reasons;
    }
    for (const auto& entry : *outbox) {
      events::v1::DeadLetter letter;
      EXPECT_TRUE(letter.ParseFromString(entry.record.value()));
      reasons.push_back(letter.reason());
    }
    return reasons;
  }

  arflow::testing::TempDir dir_;
  std::unique_ptr<EmbeddedBroker> broker_;
  std::unique_ptr<eventstore::Store> store_;
  std::unique_ptr<eventstore::CommandLoop> loop_;
};

TEST_F(ConsumerOrderTest, AVersionGapIsSetAsideUntilTheMissingEventArrivesThenAllApplyOnce) {
  // As after a relay restart: 1, then 3 (2 failed), then the republished 2 and 3.
  for (uint64_t v : {1u, 3u, 2u, 3u}) {
    publish("invoice/g", v);
  }
  arflow::testing::CounterProjection counter;
  auto runner = start(counter);
  ASSERT_NE(runner, nullptr);
  wait_until([&] { return runner->stats().applied + runner->stats().duplicates >= 3; });
  EXPECT_EQ(runner->stats().applied, 3u);
  EXPECT_EQ(runner->stats().gaps, 1u);
  EXPECT_EQ(row("count/invoice/g"), 3u);
  EXPECT_EQ(row("sum/invoice/g"), 6u);
  EXPECT_EQ(dead_letter_reasons(),
            std::vector<std::string>{"version gap in stream invoice/g: expected 2, got 3"});
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
