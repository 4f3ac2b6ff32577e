#include "arflow/eventstore/command_loop.h"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include <future>

#include "arflow/core/log.h"

namespace arflow::eventstore {
namespace {

// Business refusals are deterministic for a given state and request: a retry must get the
// same answer, so they are remembered. Transient failures are not: a retry may succeed.
bool remembered(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kPermissionDenied:
      return true;
    default:
      return false;
  }
}

Result<std::string> replay(const internal::v1::IdempotencyRecord& record) {
  if (record.status_code() == 0) {
    return record.response();
  }
  return absl::Status(static_cast<absl::StatusCode>(record.status_code()), record.status_message());
}

}  // namespace

CommandLoop::CommandLoop(Store& store, const Clock& clock, CommandLoopOptions options)
    : store_(store), clock_(clock), options_(options), ids_(clock) {
  auto next = store_.next_outbox_seq();
  if (!next.ok()) {
    ARFLOW_LOG_ERROR("command_loop_start_failed", "reason=\"{}\"", next.status().ToString());
    healthy_ = false;
  } else {
    next_outbox_seq_ = *next;
  }
  thread_ = std::thread([this] { run(); });
}

CommandLoop::~CommandLoop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void CommandLoop::submit(Command command) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(command));
      cv_.notify_one();
      return;
    }
  }
  command.done(absl::UnavailableError("the command loop is stopping"));
}

Result<std::string> CommandLoop::execute(Command command) {
  auto promise = std::make_shared<std::promise<Result<std::string>>>();
  auto future = promise->get_future();
  command.done = [promise](Result<std::string> r) { promise->set_value(std::move(r)); };
  submit(std::move(command));
  return future.get();
}

void CommandLoop::add_commit_listener(std::function<void()> listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

CommandLoopStats CommandLoop::stats() const {
  CommandLoopStats s;
  s.batches = batches_.load(std::memory_order_relaxed);
  s.commands = commands_.load(std::memory_order_relaxed);
  s.events_appended = events_.load(std::memory_order_relaxed);
  s.idempotent_replays = replays_.load(std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  s.queued = queue_.size();
  return s;
}

void CommandLoop::run() {
  std::vector<Command> batch;
  std::vector<Command> pending;
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty() || !pending.empty(); });
      if (pending.empty()) {
        if (queue_.empty() && stopping_) {
          return;
        }
        pending.swap(queue_);
      }
    }
    // Take at most max_batch; the rest waits for the next round (FIFO kept).
    const size_t n = std::min(pending.size(), options_.max_batch);
    batch.assign(std::make_move_iterator(pending.begin()),
                 std::make_move_iterator(pending.begin() + static_cast<std::ptrdiff_t>(n)));
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(n));
    run_batch(batch);
    batch.clear();
  }
}

void CommandLoop::run_batch(std::vector<Command>& batch) {
  if (!healthy()) {
    for (auto& c : batch) {
      c.done(absl::UnavailableError("the event store failed earlier; the service must restart"));
    }
    return;
  }
  rocksdb::WriteBatchWithIndex wb(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true);
  Transaction txn(store_, wb, clock_, ids_, next_outbox_seq_);
  std::vector<Result<std::string>> results;
  results.reserve(batch.size());
  uint64_t replays = 0;
  for (auto& command : batch) {
    bool replayed = false;
    results.push_back(run_one(txn, command, replayed));
    replays += replayed ? 1 : 0;
  }
  sweep_expired_idempotency(txn);

  rocksdb::WriteOptions wo;
  wo.sync = true;
  const auto written = to_status(store_.db()->Write(wo, wb.GetWriteBatch()), "commit batch");
  if (!written.ok()) {
    healthy_.store(false, std::memory_order_release);
    ARFLOW_LOG_ERROR("event_store_write_failed", "commands={} reason=\"{}\"", batch.size(),
                     written.ToString());
    for (auto& c : batch) {
      c.done(
          absl::UnavailableError(fmt::format("event store write failed: {}", written.message())));
    }
    return;
  }
  batches_.fetch_add(1, std::memory_order_relaxed);
  commands_.fetch_add(batch.size(), std::memory_order_relaxed);
  events_.fetch_add(txn.appended_events(), std::memory_order_relaxed);
  replays_.fetch_add(replays, std::memory_order_relaxed);
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = listeners_;
  }
  for (auto& l : listeners) {
    l();
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].done(std::move(results[i]));
  }
}

Result<std::string> CommandLoop::run_one(Transaction& txn, Command& command, bool& replayed) {
  std::string idem_key;
  if (!command.request_id.empty()) {
    idem_key = idempotency_key(command.tenant, command.request_id);
    auto existing = txn.get(Column::kIdempotency, idem_key);
    if (!existing.ok()) {
      return existing.status();
    }
    if (existing->has_value()) {
      internal::v1::IdempotencyRecord record;
      if (!record.ParseFromString(**existing)) {
        return absl::DataLossError("undecodable idempotency record");
      }
      if (record.request_fingerprint() != command.fingerprint) {
        return absl::AlreadyExistsError(fmt::format(
            "request_id '{}' was already used for a different request", command.request_id));
      }
      replayed = true;
      return replay(record);
    }
  }

  txn.set_savepoint();
  Result<std::string> result = command.execute(txn);
  if (result.ok()) {
    txn.pop_savepoint();
  } else {
    auto rolled_back = txn.rollback_to_savepoint();
    if (!rolled_back.ok()) {
      return rolled_back;
    }
  }

  if (!idem_key.empty() && remembered(result.status().code())) {
    internal::v1::IdempotencyRecord record;
    record.set_request_fingerprint(command.fingerprint);
    record.set_status_code(static_cast<int32_t>(result.status().code()));
    if (result.ok()) {
      record.set_response(*result);
    } else {
      record.set_status_message(std::string(result.status().message()));
    }
    const int64_t now_ms = to_unix_millis(txn.now());
    record.set_recorded_at_unix_ms(now_ms);
    txn.put(Column::kIdempotency, idem_key, record.SerializeAsString());
    std::string expiry = be64(static_cast<uint64_t>(now_ms));
    expiry.append(idem_key);
    txn.put(Column::kIdemExpiry, expiry, "");
  }
  return result;
}

void CommandLoop::sweep_expired_idempotency(Transaction& txn) {
  const auto cutoff =
      to_unix_millis(txn.now()) -
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.idempotency_retention).count();
  // Once a second of clock time is often enough, and seeking from where the last sweep
  // stopped keeps the loop from stepping over the tombstones it left behind.
  if (cutoff <= 0 || cutoff < last_sweep_cutoff_ms_ + 1000) {
    return;
  }
  last_sweep_cutoff_ms_ = cutoff;
  std::vector<std::string> expired;
  // Reading committed rows is enough: records staged in this batch are newer than cutoff.
  (void)store_.scan(Column::kIdemExpiry, "", sweep_from_,
                    [&](std::string_view key, std::string_view) {
                      if (key.size() < 8 || read_be64(key) >= static_cast<uint64_t>(cutoff) ||
                          expired.size() >= options_.expiry_sweep_limit) {
                        return false;
                      }
                      expired.emplace_back(key);
                      return true;
                    });
  if (!expired.empty()) {
    sweep_from_ = expired.back();
    sweep_from_.push_back('\0');
  }
  for (const auto& key : expired) {
    txn.remove(Column::kIdemExpiry, key);
    txn.remove(Column::kIdempotency, std::string_view(key).substr(8));
  }
}

}  // namespace arflow::eventstore
