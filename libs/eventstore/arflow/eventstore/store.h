#pragma once
// A service's own durable store: its event streams, outbox, idempotency records and state
// rows, in one RocksDB with one column family per kind of row (see keys.h).
//
// Thread-safety: every method may be called from any thread. Reads see committed data only.
// Writes other than mark_outbox_delivered() go through the CommandLoop, the store's single
// writer.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arflow/core/error.h"
#include "arflow/eventstore/envelope.h"
#include "arflow/eventstore/keys.h"
#include "arflow/internal/v1/store.pb.h"

namespace rocksdb {
class CompactionFilter;
class DB;
class ColumnFamilyHandle;
class Status;
}  // namespace rocksdb

namespace arflow::eventstore {

struct StoreOptions {
  std::string path;  // directory, created if missing
  // Where this service's events are published; empty for a store that publishes no
  // events of its own (e.g. a projection that only emits dead letters).
  std::string events_topic;
  size_t block_cache_bytes = 256ull << 20;
  // Idempotency records older than this (by `clock`) are treated as absent and dropped at
  // compaction. `clock` must outlive the store; nullptr means the system clock.
  std::chrono::hours idempotency_retention{24 * 7};
  const Clock* clock = nullptr;
};

// Where a stream stands: its head version (0 when it has no event) and the tag of its head
// event (event_tag of the event's stored bytes; 0 for no event). Every event carries a unique
// event_id, so two heads at the same version with the same tag are the same history: what a
// cache of folded streams checks to know that nothing it folded was rolled back since.
struct StreamHead {
  uint64_t version = 0;
  uint64_t tag = 0;
  bool operator==(const StreamHead&) const = default;
};

// The tag of a stored event (see StreamHead). Stable within a process only: heads are kept
// in memory, never stored.
uint64_t event_tag(std::string_view stored_event);

struct OutboxEntry {
  uint64_t seq = 0;
  internal::v1::OutboxRecord record;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> open(const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const StoreOptions& options() const { return options_; }

  // The events of `stream` from `from_version` (1-based) on, in order.
  Result<std::vector<Envelope>> read_stream(std::string_view stream,
                                            uint64_t from_version = 1) const;
  // The stream's head version; 0 when the stream has no event.
  Result<uint64_t> stream_version(std::string_view stream) const;
  // The stream's head version and the tag of its head event.
  Result<StreamHead> stream_head(std::string_view stream) const;

  // Every event of every stream, stream by stream, each in version order. Used to rebuild
  // in-memory state at start. Stops at the first error `visit` returns.
  absl::Status for_each_event(const std::function<absl::Status(const Envelope&)>& visit) const;

  // A row of `column`, or nullopt.
  Result<std::optional<std::string>> get(Column column, std::string_view key) const;
  // Rows of `column` whose key starts with `prefix`, in key order, from the first key >=
  // `start` (empty = from the prefix; to page on after key k, pass k + '\0').
  // `visit` returns false to stop.
  absl::Status scan(
      Column column, std::string_view prefix, std::string_view start,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  // Up to `max` outbox entries not yet published with seq >= from_seq, in seq order, each
  // with its message value (an event's, read from the events column, when the entry names
  // its row).
  Result<std::vector<OutboxEntry>> read_outbox(uint64_t from_seq, size_t max) const;
  // Records that every outbox entry below `seq` is published: they are read no more, and
  // flushes and compactions drop them. A lower `seq` than recorded changes nothing. Not
  // synced: if a crash loses it, those entries are published again, which consumers absorb
  // (at-least-once publishing). Thread-safe.
  absl::Status mark_outbox_delivered(uint64_t seq);
  // The seq every outbox entry below is published (0 at first). Thread-safe.
  uint64_t outbox_delivered_below() const;
  // The seq the next outbox entry gets: one past the highest present (0 when empty).
  Result<uint64_t> next_outbox_seq() const;

  // True when an idempotency record made at `recorded_at_unix_ms` is past retention.
  bool idempotency_expired(int64_t recorded_at_unix_ms) const;
  // Drops expired idempotency records now (a manual compaction of their column family);
  // compactions do it on their own otherwise.
  absl::Status compact_idempotency();

  // Approximate bytes on disk (SST + memtables), for the metrics.
  uint64_t approximate_size_bytes() const;

  // For the CommandLoop and Transaction.
  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* column(Column c) const;

 private:
  explicit Store(StoreOptions options);
  // Fills in the value of the entries that name their event's row.
  absl::Status read_published_events(std::vector<OutboxEntry>& entries) const;

  StoreOptions options_;
  std::unique_ptr<const Clock> owned_clock_;
  std::unique_ptr<rocksdb::CompactionFilter> idempotency_expiry_;
  std::mutex mark_mu_;  // serializes mark_outbox_delivered()
  std::atomic<uint64_t> outbox_delivered_below_{0};
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // index = Column, then "default"
};

// RocksDB's Status as an absl::Status (UNAVAILABLE for I/O, INTERNAL for corruption).
absl::Status to_status(const rocksdb::Status& s, std::string_view what);

}  // namespace arflow::eventstore
