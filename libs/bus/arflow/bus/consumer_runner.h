#pragma once
// Consumes topics into a Projection, exactly once in effect (DESIGN.md, "The read path").
//
// Each poll batch becomes one command of the service's CommandLoop. In that one WriteBatch:
// what the projection staged, the per-stream high-water version (events at or below it are
// duplicates and skipped), the next offset of every partition the batch read, and the
// events the runner holds instead of applying. At start the runner seeks each partition to
// its stored offset, so a crash at any point neither loses nor applies twice. Kafka's own
// offset commits are not used (enable.auto.commit=false).
//
// Held events (docs/architecture.md, "Dead letters, parked streams and gaps"). An event is
// applied only right after the version before it, so a stream never skips one:
//  - refused by the projection (a business refusal), or failing for another reason after
//    kMaxAttempts tries with backoff: held with its reason, and its stream is parked;
//  - beyond the stream's next version (one never arrived): held, and the stream's service is
//    asked to publish the missing ones again (arflow.republish.v1); when the missing one
//    arrives it is applied and what waits behind it follows, in order;
//  - of a parked stream: held behind.
// Other streams on the same partition keep flowing. Refused, failed and undecodable ones
// also go to arflow.dlq.v1. An operator lists, shows and replays them (dead_letters(),
// replay(): the admin API); a replayed event is applied once, like any other.
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
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "arflow/admin/v1/admin_service.pb.h"
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
  // Also read arflow.republish.v1 and answer the requests for this service's streams (one
  // consumer of each service does).
  bool answers_republish_requests = false;
  // A fault drill: events of these types ("payment_allocated") are refused as a business
  // rule would refuse them, to rehearse the dead-letter runbook. Empty in normal operation.
  std::vector<std::string> drill_refuse_event_types;
  // How many times an event that fails for a reason other than a business refusal is tried
  // (the batch retried after 100 ms, 200 ms, 400 ms, ...) before its stream is parked.
  int max_attempts = 5;
};

struct ConsumerStats {
  uint64_t applied = 0;
  uint64_t duplicates = 0;  // at or below the stream's high-water version
  uint64_t dead_lettered = 0;
  uint64_t gaps = 0;  // a version beyond high-water + 1: an event went missing
  uint64_t batches = 0;
  uint64_t commit_failures = 0;
  uint64_t held = 0;                // events held now (dead letters and what waits behind them)
  uint64_t parked_streams = 0;      // streams with held events now
  uint64_t replayed = 0;            // held events applied since (a replay, or a gap filled)
  uint64_t republish_requests = 0;  // asked of other services
};

// What a replay did: how many events it applied, and what the stream still holds.
struct ReplayOutcome {
  uint64_t applied = 0;
  std::vector<admin::v1::DeadLetter> held;
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
  const std::string& name() const { return options_.name; }

  // The events held for `tenant`, in stream and version order: at most `max`, without their
  // bytes; `total` gets how many there are. Reads committed rows; any thread.
  Result<std::vector<admin::v1::DeadLetter>> dead_letters(std::string_view tenant, size_t max,
                                                          uint64_t* total) const;
  // One held event by its id ("invoice/inv-1@3"), with its bytes. NOT_FOUND when not held.
  Result<admin::v1::DeadLetter> dead_letter(std::string_view tenant, std::string_view id) const;
  // Applies what is held for the stream of `id` (an id or a stream alone) as a command of the
  // loop, and waits for it to be durable. NOT_FOUND when nothing is held there. Any thread.
  Result<ReplayOutcome> replay(std::string_view tenant, std::string_view id);

  // Row keys, for tools and tests.
  static std::string offset_key(std::string_view consumer, std::string_view topic,
                                int32_t partition);
  static std::string high_water_key(std::string_view consumer, std::string_view tenant,
                                    std::string_view stream);
  static std::string held_key(std::string_view consumer, std::string_view tenant,
                              std::string_view stream, uint64_t version);

 private:
  ConsumerRunner(eventstore::Store& store, eventstore::CommandLoop& loop, Projection& projection,
                 ConsumerOptions options);
  struct Position {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = 0;
    friend bool operator==(const Position&, const Position&) = default;
    friend bool operator<(const Position& a, const Position& b) {
      return std::tie(a.topic, a.partition, a.offset) < std::tie(b.topic, b.partition, b.offset);
    }
  };
  // What a command changed of the runner's memory, kept once the command cannot fail.
  struct Staged {
    std::unordered_map<std::string, uint64_t> high_water;
    std::unordered_map<std::string, std::set<uint64_t>> held;  // copies of the streams touched
  };
  struct Counts {
    uint64_t applied = 0, duplicates = 0, dead = 0, gaps = 0, replayed = 0, republish_requests = 0;
  };
  // Where a message came from, and its bytes.
  struct Source {
    Position position;
    std::string_view key;
    std::string_view value;
  };

  absl::Status connect();
  absl::Status assign_from_stored_offsets();
  absl::Status load_held();
  void run();
  struct InFlightBatch;
  void submit(InFlightBatch& batch);
  absl::Status settle(InFlightBatch& batch);
  // After a failed batch: waits its backoff, and gives up on the event that failed it once it
  // failed max_attempts times in a row.
  void back_off(const InFlightBatch& failed);
  // Forgets the failures of events before `offsets` (a committed batch's next offsets).
  void forget_failures_before(const std::map<std::pair<std::string, int32_t>, int64_t>& offsets);
  Result<std::string> apply_batch(InFlightBatch& batch, eventstore::Transaction& txn);

  // On the loop's executor thread (inside commands):
  Result<uint64_t> high_water(eventstore::Transaction& txn, Staged& staged,
                              const std::string& hw_key);
  void set_high_water(eventstore::Transaction& txn, Staged& staged, const std::string& hw_key,
                      uint64_t version);
  std::set<uint64_t>* held_versions(Staged& staged, const std::string& hw_key);
  std::set<uint64_t>& held_versions_for_change(Staged& staged, const std::string& hw_key);
  // Offers one decoded event: applies it, skips it as a duplicate, or holds it.
  absl::Status offer(eventstore::Transaction& txn, Staged& staged, Counts& counts,
                     const eventstore::Envelope& event, const Source& source);
  absl::Status apply_event(eventstore::Transaction& txn, const eventstore::Envelope& event);
  absl::Status hold(eventstore::Transaction& txn, Staged& staged, const eventstore::Envelope& event,
                    const Source& source, admin::v1::DeadLetterState state, std::string reason);
  absl::Status hold_undecodable(eventstore::Transaction& txn, const Source& source,
                                std::string reason);
  // Applies the stream's held events from its next version on, while they apply. One that
  // is refused stays held with its reason. One that fails otherwise stays held too in an
  // operator's replay; in a batch, it fails the batch, to be tried again like any event.
  absl::Status drain(eventstore::Transaction& txn, Staged& staged, Counts& counts,
                     std::string_view tenant, std::string_view stream, bool operator_replay);
  absl::Status request_republish(eventstore::Transaction& txn, const eventstore::Envelope& event,
                                 uint64_t from, uint64_t to);
  absl::Status answer_republish(eventstore::Transaction& txn, const eventstore::Envelope& event);
  void keep(Staged& staged);  // the command's changes, once it cannot fail any more

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

  // High-water versions of batches handed to the loop, and the versions held per stream
  // (keyed by the stream's high-water key); touched only on the loop's executor thread
  // (inside the commands). held_ is loaded from the rows at start and is exact.
  std::unordered_map<std::string, uint64_t> high_water_;
  std::unordered_map<std::string, std::set<uint64_t>> held_;

  // How many times each event failed its batch (run() thread), and the events to hold as
  // failed instead of trying again, with why (set by run() before it resubmits, read by the
  // executor). Both forget an event once a committed batch's offsets are past it.
  std::map<Position, int> failures_;
  mutable std::mutex give_up_mu_;
  std::map<Position, std::string> give_up_;  // guarded by give_up_mu_

  std::atomic<bool> stopping_{false};
  // A batch failed in the loop: later ones refuse to run until the runner has rewound.
  std::atomic<bool> poisoned_{false};
  std::atomic<uint64_t> applied_{0}, duplicates_{0}, dead_{0}, gaps_{0}, batches_{0},
      commit_failures_{0}, held_count_{0}, parked_streams_{0}, replayed_{0}, republish_requests_{0};
  std::thread thread_;
};

}  // namespace arflow::bus
