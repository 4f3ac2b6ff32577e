#pragma once
// What the kernel integration tests share: an event store whose events go to a real
// (embedded) broker through the relay, and a way to fill it.

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "arflow/bus/embedded_broker.h"
#include "arflow/bus/outbox_relay.h"
#include "arflow/bus/topics.h"
#include "arflow/eventstore/command_loop.h"
#include "support/temp_dir.h"
#include "support/topic_reader.h"

namespace arflow::bus::testing {

using eventstore::Envelope;

// An event store whose events go to the embedded broker (3 brokers, so that one can go down
// while the others lead; 12 partitions) through an outbox relay, as in a service.
class PublishingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto broker = EmbeddedBroker::start({.brokers = 3});
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = *std::move(broker);
    auto store = eventstore::Store::open(
        {.path = dir_.sub("source"), .events_topic = std::string(kInvoicingEvents)});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    loop_ = std::make_unique<eventstore::CommandLoop>(*store_);
  }

  void start_relay(KafkaProperties kafka_config = {}) {
    auto relay = OutboxRelay::start(
        *store_, {.bootstrap_servers = bootstrap(), .kafka_config = std::move(kafka_config)});
    ASSERT_TRUE(relay.ok()) << relay.status();
    relay_ = *std::move(relay);
    wake_relay_.emplace(loop_->on_commit([r = relay_.get()] { r->wake(); }));
  }

  const std::string& bootstrap() const { return broker_->bootstrap_servers(); }

  arflow::testing::TempDir dir_;
  std::unique_ptr<EmbeddedBroker> broker_;
  std::unique_ptr<eventstore::Store> store_;
  std::unique_ptr<eventstore::CommandLoop> loop_;
  std::unique_ptr<OutboxRelay> relay_;
  std::optional<eventstore::CommandLoop::Subscription> wake_relay_;  // goes before relay_
};

// Appends `per_stream` events to each of `streams` streams (stream i belongs to customer
// i % customers), `per_command` events at a time, with up to 256 commands in flight.
inline void append_events(eventstore::CommandLoop& loop, int streams, int per_stream, int customers,
                          int per_command = 5, const std::string& actor = "test") {
  std::vector<std::future<void>> in_flight;
  for (int v = 0; v < per_stream; v += per_command) {
    for (int s = 0; s < streams; ++s) {
      const int n = std::min(per_command, per_stream - v);
      auto done = std::make_shared<std::promise<void>>();
      in_flight.push_back(done->get_future());
      eventstore::Command c;
      c.execute = [s, n, customers, actor](eventstore::Transaction& txn) -> Result<std::string> {
        std::vector<Envelope> events(static_cast<size_t>(n));
        for (auto& e : events) {
          e.set_tenant_id("acme");
          e.set_customer_id("cust-" + std::to_string(s % customers));
          e.set_actor(actor);
        }
        auto r =
            txn.append("invoice/" + std::to_string(s), eventstore::ExpectedVersion::any(), events);
        return r.ok() ? Result<std::string>("") : r.status();
      };
      c.done = [done](const Result<std::string>& r) {
        EXPECT_TRUE(r.ok()) << r.status();
        done->set_value();
      };
      loop.submit(std::move(c));
      if (in_flight.size() >= 256) {
        for (auto& f : in_flight) {
          f.wait();
        }
        in_flight.clear();
      }
    }
  }
  for (auto& f : in_flight) {
    f.wait();
  }
}

// Waits until the outbox is empty; false on timeout.
inline bool wait_for_empty_outbox(eventstore::Store& store, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto head = store.read_outbox(0, 1);
    if (head.ok() && head->empty()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Checks what a topic holds against the store: every event is there, each stream's events
// are in version order once duplicates are skipped, and one customer's events share a
// partition. Returns the number of duplicates seen.
inline size_t expect_published_in_order(eventstore::Store& store,
                                        const std::vector<arflow::testing::ReadMessage>& messages) {
  std::map<std::string, uint64_t> high_water;   // stream -> highest version seen
  std::map<std::string, int32_t> partition_of;  // key -> partition
  std::set<std::string> seen_ids;
  size_t duplicates = 0;
  for (const auto& m : messages) {
    Envelope e;
    EXPECT_TRUE(e.ParseFromString(m.value));
    EXPECT_EQ(m.key, e.tenant_id() + "/" + e.customer_id());
    EXPECT_EQ(m.headers.at(std::string(kHeaderEventId)), e.event_id());
    auto [it, fresh] = partition_of.emplace(m.key, m.partition);
    EXPECT_EQ(it->second, m.partition) << "customer " << m.key << " on two partitions";
    uint64_t& hw = high_water[e.stream()];
    if (e.version() <= hw) {
      ++duplicates;
      continue;
    }
    EXPECT_EQ(e.version(), hw + 1) << "stream " << e.stream() << " out of order";
    hw = e.version();
    seen_ids.insert(e.event_id());
  }
  size_t stored = 0;
  EXPECT_TRUE(store
                  .for_each_event([&](const Envelope& e) {
                    ++stored;
                    EXPECT_TRUE(seen_ids.contains(e.event_id()))
                        << e.stream() << "@" << e.version() << " was never published";
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(seen_ids.size(), stored);
  return duplicates;
}

}  // namespace arflow::bus::testing
