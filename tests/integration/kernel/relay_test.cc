// clang-format off
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>  // must follow rdkafka.h
// clang-format on

#include <rocksdb/db.h>

#include "kernel_fixture.h"

namespace arflow::bus {
namespace {

using testing::append_events;
using testing::expect_published_in_order;
using testing::wait_for_empty_outbox;

constexpr int16_t kProduceApiKey = 0;  // Kafka protocol ApiKey of Produce

class RelayTest : public testing::PublishingStoreTest {
 protected:
  std::vector<arflow::testing::ReadMessage> published() {
    return arflow::testing::read_topic(bootstrap(), std::string(kInvoicingEvents));
  }
};

TEST_F(RelayTest, PublishesEveryEventInStreamOrderAndEmptiesTheOutbox) {
  start_relay();
  append_events(*loop_, /*streams=*/200, /*per_stream=*/50, /*customers=*/40);
  ASSERT_TRUE(wait_for_empty_outbox(*store_, std::chrono::seconds(60)));
  const auto messages = published();
  EXPECT_EQ(messages.size(), 10'000u);
  EXPECT_EQ(expect_published_in_order(*store_, messages), 0u);
  EXPECT_EQ(relay_->stats().published, 10'000u);
}

TEST_F(RelayTest, BrokerErrorsAndABrokerGoingDownLoseNothingAndKeepOrder) {
  // One request in flight per connection. With several, librdkafka's idempotent producer
  // takes the success of a later batch as proof that the earlier ones were written (true of
  // Kafka, which refuses out-of-sequence batches) and reports them delivered; the embedded
  // broker's injected errors refuse a batch yet accept the next, so that proof is false
  // there (librdkafka issue #2501) and three events were once lost in this test.
  start_relay({{"max.in.flight.requests.per.connection", "1"}});
  auto* cluster = broker_->cluster();
  std::thread faults([&] {
    for (int round = 0; round < 5; ++round) {
      rd_kafka_mock_push_request_errors(
          cluster, kProduceApiKey, 6, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
          RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
          RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
          RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const int32_t broker_id = 1 + round % 3;
      rd_kafka_mock_broker_set_down(cluster, broker_id);
      std::this_thread::sleep_for(std::chrono::milliseconds(700));
      rd_kafka_mock_broker_set_up(cluster, broker_id);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  append_events(*loop_, /*streams=*/300, /*per_stream=*/100, /*customers=*/60, /*per_command=*/3);
  faults.join();
  ASSERT_TRUE(wait_for_empty_outbox(*store_, std::chrono::seconds(120)));
  const auto messages = published();
  EXPECT_GE(messages.size(), 30'000u);
  expect_published_in_order(*store_, messages);
}

TEST_F(RelayTest, ARelayStoppedMidwayIsFollowedByOneThatPublishesTheRest) {
  append_events(*loop_, /*streams=*/100, /*per_stream=*/100, /*customers=*/20);
  start_relay();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  wake_relay_.reset();  // the subscription goes before the relay it wakes
  relay_.reset();       // as a crash would, minus the process
  start_relay();
  ASSERT_TRUE(wait_for_empty_outbox(*store_, std::chrono::seconds(60)));
  const auto messages = published();
  EXPECT_GE(messages.size(), 10'000u);
  expect_published_in_order(*store_, messages);
}

// A relay started on an empty outbox (the usual restart) removes, once it has published,
// the entries it read and no others: not one delete per number the outbox ever used.
TEST_F(RelayTest, ARelayRestartedOnAnEmptyOutboxMarksWhatItPublishedWithoutTombstones) {
  start_relay();
  append_events(*loop_, /*streams=*/100, /*per_stream=*/100, /*customers=*/20);
  ASSERT_TRUE(wait_for_empty_outbox(*store_, std::chrono::seconds(60)));
  EXPECT_EQ(store_->outbox_delivered_below(), 10'000u);
  wake_relay_.reset();
  relay_.reset();
  start_relay();
  // The published records are still in the store (no tombstones): none counts as waiting.
  EXPECT_EQ(*relay_->outbox_depth(1'000'000), 0u);
  append_events(*loop_, /*streams=*/1, /*per_stream=*/3, /*customers=*/1, /*per_command=*/3);
  ASSERT_TRUE(wait_for_empty_outbox(*store_, std::chrono::seconds(60)));
  EXPECT_EQ(store_->outbox_delivered_below(), 10'003u);
  uint64_t deletes = 0;
  ASSERT_TRUE(store_->db()->GetIntProperty(store_->column(eventstore::Column::kOutbox),
                                           "rocksdb.num-deletes-active-mem-table", &deletes));
  EXPECT_EQ(deletes, 0u);  // one row says what is published, not a tombstone per entry
  EXPECT_EQ(*relay_->outbox_depth(1'000'000), 0u);
}

}  // namespace
}  // namespace arflow::bus
