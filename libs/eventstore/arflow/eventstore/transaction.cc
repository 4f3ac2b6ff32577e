#include "arflow/eventstore/transaction.h"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/write_batch_with_index.h>

namespace arflow::eventstore {

Transaction::Transaction(Store& store, rocksdb::WriteBatchWithIndex& batch, const Clock& clock,
                         UlidGenerator& ids, uint64_t& next_outbox_seq)
    : store_(store),
      batch_(batch),
      clock_(clock),
      ids_(ids),
      next_outbox_seq_(next_outbox_seq),
      now_(clock.now()) {}

Result<std::optional<std::string>> Transaction::get(Column column, std::string_view key) {
  std::string value;
  auto s = batch_.GetFromBatchAndDB(store_.db(), rocksdb::ReadOptions(), store_.column(column),
                                    rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) {
    return std::optional<std::string>();
  }
  ARFLOW_RETURN_IF_ERROR(to_status(s, "read"));
  return std::optional<std::string>(std::move(value));
}

void Transaction::put(Column column, std::string_view key, std::string_view value) {
  // WriteBatchWithIndex only fails on a corrupt batch or an unknown column family, both
  // programming errors in this library, not conditions a caller can handle.
  batch_.Put(store_.column(column), rocksdb::Slice(key.data(), key.size()),
             rocksdb::Slice(value.data(), value.size()));
}

void Transaction::remove(Column column, std::string_view key) {
  batch_.Delete(store_.column(column), rocksdb::Slice(key.data(), key.size()));
}

Result<std::optional<std::string>> Transaction::get(std::string_view key) {
  return get(Column::kState, key);
}
void Transaction::put(std::string_view key, std::string_view value) {
  put(Column::kState, key, value);
}
void Transaction::remove(std::string_view key) { remove(Column::kState, key); }

Result<uint64_t> Transaction::stream_version(std::string_view stream) {
  ARFLOW_RETURN_IF_ERROR(validate_stream(stream));
  auto head = get(Column::kStreams, stream);
  if (!head.ok()) {
    return head.status();
  }
  return head->has_value() ? read_be64(**head) : 0;
}

Result<uint64_t> Transaction::append(std::string_view stream, ExpectedVersion expected,
                                     std::span<Envelope> events) {
  auto head = stream_version(stream);
  if (!head.ok()) {
    return head.status();
  }
  if (expected.version().has_value() && *expected.version() != *head) {
    return conflict(
        fmt::format("stream {} is at version {}, expected {}", stream, *head, *expected.version()));
  }
  if (events.empty()) {
    return *head;
  }
  uint64_t version = *head;
  for (auto& e : events) {
    ++version;
    e.set_stream(std::string(stream));
    e.set_version(version);
    if (e.event_id().empty()) {
      e.set_event_id(ids_.next());
    }
    to_proto(now_, *e.mutable_recorded_at());
    if (!e.has_occurred_at()) {
      *e.mutable_occurred_at() = e.recorded_at();
    }
    if (!e.SerializeToString(&scratch_)) {
      return absl::InternalError(fmt::format("cannot serialize an event of stream {}", stream));
    }
    put(Column::kEvents, event_key(stream, version), scratch_);

    internal::v1::OutboxRecord record;
    record.set_topic(store_.options().events_topic);
    record.set_key(message_key(e.tenant_id(), e.customer_id()));
    record.set_value(std::move(scratch_));
    record.set_event_id(e.event_id());
    record.set_event_type(std::string(event_type(e)));
    enqueue(std::move(record));
    scratch_.clear();
  }
  put(Column::kStreams, stream, be64(version));
  appended_events_ += events.size();
  return version;
}

void Transaction::enqueue(internal::v1::OutboxRecord record) {
  std::string value;
  record.SerializeToString(&value);
  put(Column::kOutbox, be64(next_outbox_seq_++), value);
}

void Transaction::set_savepoint() { batch_.SetSavePoint(); }

absl::Status Transaction::rollback_to_savepoint() {
  return to_status(batch_.RollbackToSavePoint(), "rollback");
}

void Transaction::pop_savepoint() { batch_.PopSavePoint(); }

}  // namespace arflow::eventstore
