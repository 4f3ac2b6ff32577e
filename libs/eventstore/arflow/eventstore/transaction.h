#pragma once
// What one command may do while the CommandLoop runs it: read and append streams, read and
// write state rows, and put messages in the outbox. Everything it stages is committed with
// the rest of its batch in one synced WriteBatch, or not at all.
//
// Reads see, in this order: what this batch staged (this command's writes and those of the
// commands before it), what the batch being committed meanwhile staged, then the database.
// Thread-safety: none; a Transaction lives on the loop's thread for one batch.

#include <absl/container/flat_hash_map.h>
#include <absl/hash/hash.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

// Transparent on string_view, so that a lookup by stream name allocates nothing.
struct StreamNameHash {
  using is_transparent = void;
  size_t operator()(std::string_view stream) const { return absl::HashOf(as_absl(stream)); }
};
using StreamHeads = absl::flat_hash_map<std::string, StreamHead, StreamNameHash, std::equal_to<>>;

// A head as a batch stages it under Column::kStreamHeads (Transaction::append writes it).
StreamHead read_head_row(std::string_view row);

// Objects the executor keeps from one command to the next (caches of folded streams, say):
// one per type, made on first use, destroyed with the loop. Only the executor thread
// touches them, and a batch that cannot be written stops the loop for good, so nothing
// they hold outlives the writes it was built from.
class ExecutorLocals {
 public:
  template <class T>
  T& get() {
    // An index per type, taken once: commands ask for their caches several times each, and
    // hashing a type_index hashes the type's name.
    static const size_t index = next_index();
    if (index >= objects_.size()) {
      objects_.resize(index + 1);
    }
    auto& object = objects_[index];
    if (object == nullptr) {
      object = std::make_shared<T>();  // shared_ptr<void> keeps T's deleter
    }
    return *static_cast<T*>(object.get());
  }

 private:
  static size_t next_index();  // thread-safe
  std::vector<std::shared_ptr<void>> objects_;
};

// Committed state rows the loop has seen (written by its batches, but for rows only queries
// read, or read from the database), by PendingWrites slot; nullopt for a row known to be absent.
// The loop is the only writer, so an entry is never stale; a miss costs a database read. Flat:
// nothing points into it, and its rows are looked up in place.
using RowCache = absl::flat_hash_map<std::string, std::optional<std::string>, SlotHash, SlotEqual>;

// Whether a stream's events go out on the events topic. Messages are keyed by customer, so
// only a stream whose events all belong to one customer keeps its order for consumers; a
// stream that spans customers stays in the store, its facts published in the events of the
// documents it concerns. (Invoicing's numbering series were such streams until a series kept
// its last number as a row; a store written before still holds them.)
enum class Publication { kOnEventsTopic, kStoreOnly };

// Where a command's answer can be made again: its stream folded up to a version (see
// Transaction::answer_from).
struct AnswerSource {
  std::string stream;
  uint64_t version = 0;
};

class Transaction {
 public:
  // `committing`: the batch whose synced write may still be under way (or nullptr).
  // `heads`: stream head versions known to be committed (a cache the loop owns; it may
  // miss a stream, never be wrong about one).
  Transaction(Store& store, PendingWrites& batch, const PendingWrites* committing,
              StreamHeads& heads, RowCache& rows, ExecutorLocals& locals, const Clock& clock,
              UlidGenerator& ids, uint64_t& next_outbox_seq);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Appends `events` to `stream` when its head is at `expected`; ABORTED otherwise (never a
  // silent overwrite). Fills each envelope's stream, version, recorded_at and, when empty,
  // event_id and occurred_at; unless `publication` is kStoreOnly, queues each for publishing
  // on the store's events topic with key "<tenant_id>/<customer_id>". Returns the new head
  // version. INVALID_ARGUMENT for an event too large to publish; INTERNAL when the store
  // publishes no events and `publication` asks for it.
  Result<uint64_t> append(std::string_view stream, ExpectedVersion expected,
                          std::span<Envelope> events,
                          Publication publication = Publication::kOnEventsTopic);
  // Head version of `stream`, 0 when it has no event.
  Result<uint64_t> stream_version(std::string_view stream);
  // Head version of `stream` and the tag of its head event, as this transaction sees them.
  Result<StreamHead> stream_head(std::string_view stream);
  // Calls `visit` with each event of `stream` after `from` (a head seen earlier), oldest
  // first, as this transaction sees them (what its batch staged included), and returns the
  // head now. From StreamHead{} it visits every event. nullopt, having visited nothing, when
  // the event `from` names is no longer in the stream (its append was rolled back): what was
  // folded up to it is void. DATA_LOSS for an event missing below the head or unreadable.
  Result<std::optional<StreamHead>> replay_after(std::string_view stream, StreamHead from,
                                                 const std::function<void(const Envelope&)>& visit);

  // Calls `visit` with each event of `stream` from the first up to `version`, as this
  // transaction sees them. DATA_LOSS when one is missing or unreadable.
  absl::Status replay_until(std::string_view stream, uint64_t version,
                            const std::function<void(const Envelope&)>& visit);

  // Queues the stream's events `first`..`last` (1-based, at most its head) for publishing
  // again on the store's events topic, each naming its row as when it was appended: what a
  // consumer that missed one asks for. Consumers skip the ones they had (their high-water
  // mark). Returns how many were queued: 0 for a stream this store does not have.
  // INVALID_ARGUMENT for first == 0 or first > last; DATA_LOSS for an event missing below
  // the head.
  Result<uint64_t> republish(std::string_view stream, uint64_t first, uint64_t last);

  // Declares that the running command's answer is what its Command::rebuild_answer makes of
  // `stream` folded up to `version`. The request's idempotency record then keeps this
  // reference rather than a copy of the answer, and a retry gets the answer made again.
  void answer_from(std::string stream, uint64_t version) {
    answer_source_ = AnswerSource{std::move(stream), version};
  }
  // What the running command declared; the CommandLoop clears it before each command.
  const std::optional<AnswerSource>& answer_source() const { return answer_source_; }
  void clear_answer_source() { answer_source_.reset(); }

  // The executor's object of type T (see ExecutorLocals).
  template <class T>
  T& executor_local() {
    return locals_.get<T>();
  }

  // Queues a message for the relay to publish (e.g. a dead letter). Refuses what Kafka
  // would refuse for good (no topic, more than kMaxMessageBytes): one such entry would
  // stop the relay at it.
  absl::Status enqueue(const internal::v1::OutboxRecord& record);

  // The largest message value the outbox takes (librdkafka's message.max.bytes is 1 MB,
  // with room kept for key, headers and framing).
  static constexpr size_t kMaxMessageBytes = size_t{512} * 1024;

  // State rows. put() takes `value` (callers pass the row they just serialized); `use` says
  // whether commands read the row back (see RowUse).
  Result<std::optional<std::string>> get(std::string_view key);
  void put(std::string_view key, std::string value, RowUse use = RowUse::kReadBack);
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
  void put(Column column, std::string_view key, std::string value);
  void remove(Column column, std::string_view key);

 private:
  // Visits the events of `stream` at versions first..last.
  absl::Status visit_events(std::string_view stream, uint64_t first, uint64_t last,
                            const std::function<void(const Envelope&)>& visit);

  Store& store_;
  PendingWrites& batch_;
  const PendingWrites* committing_;
  StreamHeads& heads_;
  RowCache& rows_;
  ExecutorLocals& locals_;
  const Clock& clock_;
  UlidGenerator& ids_;
  uint64_t& next_outbox_seq_;
  Timestamp now_;
  size_t appended_events_ = 0;
  std::vector<size_t> appended_at_savepoint_;
  std::optional<AnswerSource> answer_source_;
  std::string scratch_;
};

}  // namespace arflow::eventstore
