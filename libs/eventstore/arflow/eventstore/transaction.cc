#include "arflow/eventstore/transaction.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <utility>

namespace arflow::eventstore {

size_t ExecutorLocals::next_index() {
  static std::atomic<size_t> next{0};
  return next.fetch_add(1, std::memory_order_relaxed);
}

Transaction::Transaction(Store& store, PendingWrites& batch, const PendingWrites* committing,
                         StreamHeads& heads, RowCache& rows, ExecutorLocals& locals,
                         const Clock& clock, UlidGenerator& ids, uint64_t& next_outbox_seq)
    : store_(store),
      batch_(batch),
      committing_(committing),
      heads_(heads),
      rows_(rows),
      locals_(locals),
      clock_(clock),
      ids_(ids),
      next_outbox_seq_(next_outbox_seq),
      now_(clock.now()) {}

Result<std::optional<std::string>> Transaction::get(Column column, std::string_view key) {
  for (const PendingWrites* layer : {static_cast<const PendingWrites*>(&batch_), committing_}) {
    if (layer == nullptr) {
      continue;
    }
    if (const auto* row = layer->find(column, key)) {
      return *row;
    }
  }
  // Neither this batch nor the one being written has the row: what is committed is it.
  // Only state rows are cached: events are folded once (FoldCache), and an idempotency
  // record is read again only by a retry, while caching one per request would hold every
  // response in memory.
  if (column != Column::kState) {
    return store_.get(column, key);
  }
  if (const auto it = rows_.find(SlotRef{column, key}); it != rows_.end()) {
    return it->second;
  }
  auto committed = store_.get(column, key);
  if (committed.ok()) {
    rows_.emplace(PendingWrites::slot(column, key), *committed);
  }
  return committed;
}

void Transaction::put(Column column, std::string_view key, std::string value) {
  batch_.put(column, key, std::move(value));
}

void Transaction::remove(Column column, std::string_view key) { batch_.remove(column, key); }

Result<std::optional<std::string>> Transaction::get(std::string_view key) {
  return get(Column::kState, key);
}
void Transaction::put(std::string_view key, std::string value, RowUse use) {
  batch_.put(Column::kState, key, std::move(value), use);
}
void Transaction::remove(std::string_view key) { remove(Column::kState, key); }

namespace {

// A head as PendingWrites stages it under kStreamHeads: version, then tag.
std::string head_row(StreamHead head) {
  std::string row = be64(head.version);
  append_be64(row, head.tag);
  return row;
}

}  // namespace

StreamHead read_head_row(std::string_view row) {
  return StreamHead{.version = read_be64(row), .tag = read_be64(row.substr(8))};
}

Result<uint64_t> Transaction::stream_version(std::string_view stream) {
  auto head = stream_head(stream);
  if (!head.ok()) {
    return head.status();
  }
  return head->version;
}

Result<StreamHead> Transaction::stream_head(std::string_view stream) {
  ARFLOW_RETURN_IF_ERROR(validate_stream(stream));
  for (const PendingWrites* layer : {static_cast<const PendingWrites*>(&batch_), committing_}) {
    if (layer == nullptr) {
      continue;
    }
    if (const auto* head = layer->find(Column::kStreamHeads, stream)) {
      return read_head_row(**head);
    }
  }
  // Neither this batch nor the one being written touched the stream: what is committed is
  // its head.
  if (const auto it = heads_.find(stream); it != heads_.end()) {
    return it->second;
  }
  auto committed = store_.stream_head(stream);
  if (committed.ok()) {
    heads_.emplace(std::string(stream), *committed);
  }
  return committed;
}

Result<std::optional<StreamHead>> Transaction::replay_after(
    std::string_view stream, StreamHead from, const std::function<void(const Envelope&)>& visit) {
  auto head = stream_head(stream);
  if (!head.ok()) {
    return head.status();
  }
  if (*head == from) {
    return *head;
  }
  if (head->version < from.version) {
    return std::nullopt;
  }
  if (from.version > 0) {
    auto row = get(Column::kEvents, event_key(stream, from.version));
    if (!row.ok()) {
      return row.status();
    }
    if (!row->has_value() || event_tag(**row) != from.tag) {
      return std::nullopt;
    }
  }
  ARFLOW_RETURN_IF_ERROR(visit_events(stream, from.version + 1, head->version, visit));
  return *head;
}

absl::Status Transaction::replay_until(std::string_view stream, uint64_t version,
                                       const std::function<void(const Envelope&)>& visit) {
  return visit_events(stream, 1, version, visit);
}

absl::Status Transaction::visit_events(std::string_view stream, uint64_t first, uint64_t last,
                                       const std::function<void(const Envelope&)>& visit) {
  Envelope event;
  for (uint64_t version = first; version <= last; ++version) {
    auto row = get(Column::kEvents, event_key(stream, version));
    if (!row.ok()) {
      return row.status();
    }
    if (!row->has_value() || !event.ParseFromString(**row)) {
      return absl::DataLossError(
          fmt::format("stream {}: event {} of {} is missing or unreadable", stream, version, last));
    }
    visit(event);
  }
  return absl::OkStatus();
}

Result<uint64_t> Transaction::republish(std::string_view stream, uint64_t first, uint64_t last) {
  if (first == 0 || first > last) {
    return invalid_field("republish", fmt::format("versions {}..{} of stream {} are not a range",
                                                  first, last, stream));
  }
  if (store_.options().events_topic.empty()) {
    return absl::InternalError("this store publishes no events");
  }
  ARFLOW_ASSIGN_OR_RETURN(const uint64_t head, stream_version(stream));
  last = std::min(last, head);
  absl::Status queued = absl::OkStatus();
  uint64_t count = 0;
  if (first <= last) {
    ARFLOW_RETURN_IF_ERROR(visit_events(stream, first, last, [&](const Envelope& e) {
      if (!queued.ok()) {
        return;
      }
      internal::v1::OutboxRecord record;
      record.set_topic(store_.options().events_topic);
      record.set_key(message_key(e.tenant_id(), e.customer_id()));
      record.set_event_row(event_key(stream, e.version()));
      record.set_event_id(e.event_id());
      record.set_event_type(std::string(event_type(e)));
      queued = enqueue(record);
      ++count;
    }));
  }
  ARFLOW_RETURN_IF_ERROR(queued);
  return count;
}

Result<uint64_t> Transaction::append(std::string_view stream, ExpectedVersion expected,
                                     std::span<Envelope> events, Publication publication) {
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
  uint64_t tag = 0;
  const bool published = publication == Publication::kOnEventsTopic;
  if (published && store_.options().events_topic.empty()) {
    return absl::InternalError("this store publishes no events: it has no events topic");
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
    if (scratch_.size() > kMaxMessageBytes) {
      return invalid_field("event", fmt::format("of stream {} is {} bytes, more than the {} an "
                                                "event may have",
                                                stream, scratch_.size(), kMaxMessageBytes));
    }
    if (&e == &events.back()) {
      tag = event_tag(scratch_);  // only the head's tag is kept
    }
    std::string row = event_key(stream, version);
    if (published) {
      // The outbox names the event's row instead of holding a second copy of it.
      internal::v1::OutboxRecord record;
      record.set_topic(store_.options().events_topic);
      record.set_key(message_key(e.tenant_id(), e.customer_id()));
      record.set_event_row(row);
      record.set_event_id(e.event_id());
      record.set_event_type(std::string(event_type(e)));
      ARFLOW_RETURN_IF_ERROR(enqueue(record));
    }
    put(Column::kEvents, row, std::move(scratch_));
    scratch_.clear();  // valid but unspecified once moved from
  }
  put(Column::kStreamHeads, stream, head_row(StreamHead{.version = version, .tag = tag}));
  appended_events_ += events.size();
  return version;
}

absl::Status Transaction::enqueue(const internal::v1::OutboxRecord& record) {
  if (record.topic().empty()) {
    return invalid_field("outbox.topic", "must not be empty");
  }
  if (record.value().size() > kMaxMessageBytes) {
    return invalid_field("outbox.value", fmt::format("must be at most {} bytes", kMaxMessageBytes));
  }
  std::string value;
  record.SerializeToString(&value);
  put(Column::kOutbox, be64(next_outbox_seq_++), std::move(value));
  return absl::OkStatus();
}

void Transaction::set_savepoint() {
  batch_.set_savepoint();
  appended_at_savepoint_.push_back(appended_events_);
}

void Transaction::rollback_to_savepoint() {
  batch_.rollback_to_savepoint();
  if (!appended_at_savepoint_.empty()) {
    appended_events_ = appended_at_savepoint_.back();
    appended_at_savepoint_.pop_back();
  }
}

void Transaction::pop_savepoint() {
  batch_.pop_savepoint();
  if (!appended_at_savepoint_.empty()) {
    appended_at_savepoint_.pop_back();
  }
}

}  // namespace arflow::eventstore
