#pragma once
// What one command may do while the CommandLoop runs it: read and append streams, read and
// write state rows, and put messages in the outbox. Everything it stages is committed with
// the rest of its batch in one synced WriteBatch, or not at all.
//
// Reads see, in this order: what this batch staged (this command's writes and those of the
// commands before it), what the batch being committed meanwhile staged, then the database.
// Thread-safety: none; a Transaction lives on the loop's thread for one batch.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "arflow/core/clock.h"
#include "arflow/core/error.h"
#include "arflow/core/ulid.h"
#include "arflow/eventstore/pending_writes.h"
#include "arflow/eventstore/store.h"

namespace arflow::eventstore {

// The version a stream must be at for an append to go through.
class ExpectedVersion {
 public:
  static ExpectedVersion exactly(uint64_t version) { return ExpectedVersion(version); }
  static ExpectedVersion no_stream() { return ExpectedVersion(0); }
  static ExpectedVersion any() { return ExpectedVersion(std::nullopt); }
  const std::optional<uint64_t>& version() const { return version_; }

 private:
  explicit ExpectedVersion(std::optional<uint64_t> v) : version_(v) {}
  std::optional<uint64_t> version_;
};

using StreamHeads = std::unordered_map<std::string, uint64_t>;

// Committed state and idempotency rows the loop has seen (written by its batches or read
// from the database), by PendingWrites slot; nullopt for a row known to be absent. The
// loop is the only writer, so an entry is never stale; a miss costs a database read.
using RowCache = std::unordered_map<std::string, std::optional<std::string>>;

class Transaction {
 public:
  // `committing`: the batch whose synced write may still be under way (or nullptr).
  // `heads`: stream head versions known to be committed (a cache the loop owns; it may
  // miss a stream, never be wrong about one).
  Transaction(Store& store, PendingWrites& batch, const PendingWrites* committing,
              StreamHeads& heads, RowCache& rows, const Clock& clock, UlidGenerator& ids,
              uint64_t& next_outbox_seq);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Appends `events` to `stream` when its head is at `expected`; ABORTED otherwise (never a
  // silent overwrite). Fills each envelope's stream, version, recorded_at and, when empty,
  // event_id and occurred_at; queues each for publishing on the store's events topic with
  // key "<tenant_id>/<customer_id>". Returns the new head version. INVALID_ARGUMENT for an
  // event too large to publish; INTERNAL when the store publishes no events.
  Result<uint64_t> append(std::string_view stream, ExpectedVersion expected,
                          std::span<Envelope> events);
  // Head version of `stream`, 0 when it has no event.
  Result<uint64_t> stream_version(std::string_view stream);
  // Calls `visit` with each event of `stream`, oldest first, as this transaction sees them
  // (what its batch staged included); returns the head version. DATA_LOSS for an event
  // missing below the head or unreadable.
  Result<uint64_t> replay(std::string_view stream,
                          const std::function<void(const Envelope&)>& visit);

  // Queues a message for the relay to publish (e.g. a dead letter). Refuses what Kafka
  // would refuse for good (no topic, more than kMaxMessageBytes): one such entry would
  // stop the relay at it.
  absl::Status enqueue(const internal::v1::OutboxRecord& record);

  // The largest message value the outbox takes (librdkafka's message.max.bytes is 1 MB,
  // with room kept for key, headers and framing).
  static constexpr size_t kMaxMessageBytes = size_t{512} * 1024;

  // State rows.
  Result<std::optional<std::string>> get(std::string_view key);
  void put(std::string_view key, std::string_view value);
  void remove(std::string_view key);

  // Savepoints: roll back what was staged since the last set_savepoint().
  void set_savepoint();
  void rollback_to_savepoint();
  void pop_savepoint();

  // The store, for what a command may read as committed only (a prefix scan: it does not
  // see this batch's writes, nor the batch being committed).
  const Store& store() const { return store_; }
  Timestamp now() const { return now_; }
  std::string new_id() { return ids_.next(); }
  const Clock& clock() const { return clock_; }
  size_t appended_events() const { return appended_events_; }

  // For the CommandLoop's idempotency bookkeeping.
  Result<std::optional<std::string>> get(Column column, std::string_view key);
  void put(Column column, std::string_view key, std::string_view value);
  void remove(Column column, std::string_view key);

 private:
  Store& store_;
  PendingWrites& batch_;
  const PendingWrites* committing_;
  StreamHeads& heads_;
  RowCache& rows_;
  const Clock& clock_;
  UlidGenerator& ids_;
  uint64_t& next_outbox_seq_;
  Timestamp now_;
  size_t appended_events_ = 0;
  std::vector<size_t> appended_at_savepoint_;
  std::string scratch_;
};

}  // namespace arflow::eventstore
