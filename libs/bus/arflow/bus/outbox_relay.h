#pragma once
// Publishes the outbox to Kafka. One thread reads committed outbox entries in sequence
// order and produces them through an idempotent producer (acks=all, retries without end),
// which keeps the order of each partition through broker errors and restarts. An entry is
// marked published (Store::mark_outbox_delivered) only after a successful delivery report,
// and only as part of the contiguous delivered prefix, so a crash republishes
// (at-least-once) but never skips.
//
// If librdkafka reports a delivery as failed for good (a fatal idempotence error, or a
// message the broker refuses), the relay drains what is in flight, recreates the producer
// and starts again from the oldest undelivered entry: duplicates are possible, losses not.
//
// Thread-safety: wake() and stats() may be called from any thread.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "arflow/bus/kafka.h"
#include "arflow/eventstore/store.h"

namespace arflow::bus {

struct OutboxRelayOptions {
  std::string bootstrap_servers;
  KafkaProperties kafka_config;  // operator overrides
  size_t read_batch = 10'000;
  size_t max_in_flight = 200'000;
};

struct OutboxRelayStats {
  uint64_t published = 0;  // successful delivery reports
  uint64_t delivery_failures = 0;
  uint64_t restarts = 0;  // producer recreated after a failure
  uint64_t in_flight = 0;
};

class OutboxRelay {
 public:
  static Result<std::unique_ptr<OutboxRelay>> start(eventstore::Store& store,
                                                    OutboxRelayOptions options);
  // Stops reading; waits up to a few seconds for deliveries in flight.
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // New entries were committed (a CommandLoop commit listener).
  void wake();
  OutboxRelayStats stats() const;
  // Entries committed but not yet removed, counted up to `at_most` (a scan: for a gauge).
  Result<uint64_t> outbox_depth(uint64_t at_most) const;

  // librdkafka delivery report callback; internal.
  void on_delivery(const rd_kafka_message_t& message);

 private:
  OutboxRelay(eventstore::Store& store, OutboxRelayOptions options);
  absl::Status connect();
  void run();
  // Produces what the outbox holds beyond next_seq_; false when nothing was there.
  bool produce_more();
  void settle_delivered();
  void restart_producer();

  eventstore::Store& store_;
  const OutboxRelayOptions options_;
  KafkaHandle producer_;

  // Relay thread only.
  uint64_t next_seq_ = 0;       // next outbox seq to read
  uint64_t settled_below_ = 0;  // first seq not yet marked published
  struct InFlight {
    uint64_t seq;
    bool delivered;
  };
  std::deque<InFlight> in_flight_;  // produced, in seq order
  bool failed_ = false;             // a delivery failed for good since the last restart

  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;     // guarded by mu_
  bool stopping_ = false;  // guarded by mu_

  std::atomic<uint64_t> published_{0}, failures_{0}, restarts_{0}, in_flight_count_{0};
  std::thread thread_;
};

}  // namespace arflow::bus
