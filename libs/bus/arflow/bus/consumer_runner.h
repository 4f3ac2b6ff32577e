#pragma once
// Consumes topics into a Projection, exactly once in effect (DESIGN.md, "The read path").
//
// Each poll batch becomes one command of the service's CommandLoop. In that one WriteBatch:
// what the projection staged, the per-stream high-water version (events at or below it are
// duplicates and skipped), the next offset of every partition the batch read, and a dead
// letter for every message that could not be decoded or applied. At start the runner seeks
// each partition to its stored offset, so a crash at any point neither loses nor applies
// twice. Kafka's own offset commits are not used (enable.auto.commit=false).
//
// Partitions are assigned statically: shard s of S reads the partitions p with p % S == s
// (DESIGN.md, "Scale beyond one machine"); no consumer-group rebalancing is involved.
//
// Thread-safety: stats() may be called from any thread; the Projection is called on the
// loop's thread only, one event at a time.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "arflow/bus/kafka.h"
#include "arflow/eventstore/command_loop.h"

namespace arflow::bus {

// What a consumer applies events to: read-model rows, or a reaction that appends to the
// service's own streams (its command's idempotency is the event's id).
class Projection {
 public:
  virtual ~Projection() = default;
  // Applies one event; on error whatever it staged is rolled back. A business refusal
  // (core/error.h, is_business_refusal) dead-letters the event; any other error is taken as
  // transient and the batch is retried. A Projection must be deterministic: the same events
  // give the same rows. An event that may arrive before what it depends on (cross-topic
  // order is not guaranteed) must be parked by the projection, not refused.
  virtual absl::Status apply(const eventstore::Envelope& event, eventstore::Transaction& txn) = 0;
};

struct ConsumerOptions {
  std::string name;  // e.g. "payments.open-invoices": keys its offsets and dead letters
  std::string bootstrap_servers;
  KafkaProperties kafka_config;
  std::vector<std::string> topics;
  int shard = 0;
  int shard_count = 1;
  size_t max_batch = 10'000;
  std::chrono::milliseconds poll_timeout{20};
};

struct ConsumerStats {
  uint64_t applied = 0;
  uint64_t duplicates = 0;  // at or below the stream's high-water version
  uint64_t dead_lettered = 0;
  uint64_t gaps = 0;  // a version beyond high-water + 1: an event went missing
  uint64_t batches = 0;
  uint64_t commit_failures = 0;
};

class ConsumerRunner {
 public:
  static Result<std::unique_ptr<ConsumerRunner>> start(eventstore::Store& store,
                                                       eventstore::CommandLoop& loop,
                                                       Projection& projection,
                                                       ConsumerOptions options);
  ~ConsumerRunner();
  ConsumerRunner(const ConsumerRunner&) = delete;
  ConsumerRunner& operator=(const ConsumerRunner&) = delete;

  ConsumerStats stats() const;
  // Messages behind the partitions' high watermarks (as last seen by the client).
  int64_t lag() const;

  // Row keys, for tools and tests.
  static std::string offset_key(std::string_view consumer, std::string_view topic,
                                int32_t partition);
  static std::string high_water_key(std::string_view consumer, std::string_view tenant,
                                    std::string_view stream);

 private:
  ConsumerRunner(eventstore::Store& store, eventstore::CommandLoop& loop, Projection& projection,
                 ConsumerOptions options);
  absl::Status connect();
  absl::Status assign_from_stored_offsets();
  void run();
  struct InFlightBatch;
  void submit(InFlightBatch& batch);
  absl::Status settle(InFlightBatch& batch);
  Result<std::string> apply_batch(InFlightBatch& batch, eventstore::Transaction& txn);

  eventstore::Store& store_;
  eventstore::CommandLoop& loop_;
  Projection& projection_;
  const ConsumerOptions options_;
  KafkaHandle consumer_;
  KafkaQueue queue_;

  struct Partition {
    std::string topic;
    int32_t partition;
  };
  std::vector<Partition> partitions_;
  mutable std::mutex offsets_mu_;
  std::map<std::pair<std::string, int32_t>, int64_t> next_offsets_;  // guarded by offsets_mu_

  // High-water versions of batches handed to the loop; touched only on the loop's
  // executor thread (inside the commands).
  std::unordered_map<std::string, uint64_t> high_water_;

  std::atomic<bool> stopping_{false};
  // A batch failed in the loop: later ones refuse to run until the runner has rewound.
  std::atomic<bool> poisoned_{false};
  std::atomic<uint64_t> applied_{0}, duplicates_{0}, dead_{0}, gaps_{0}, batches_{0},
      commit_failures_{0};
  std::thread thread_;
};

}  // namespace arflow::bus
