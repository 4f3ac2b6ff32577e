#include "arflow/eventstore/command_loop.h"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <future>

#include "arflow/core/log.h"
#include "arflow/core/thread_name.h"

namespace arflow::eventstore {
namespace {

// Successes and business refusals are what a retry must get again; transient failures are
// not remembered, so that a retry may succeed.
bool remembered(absl::StatusCode code) {
  return code == absl::StatusCode::kOk || is_business_refusal(code);
}

// The highest outbox seq handed out, kept durably: removing every entry must not let the
// numbering start again below what the relay has already read past.
const std::string kOutboxFloorKey = std::string("\0kernel/outbox_next_seq", 23);

// The first answer to `command`'s request, from its idempotency record.
Result<std::string> replay(Transaction& txn, const Command& command,
                           const internal::v1::IdempotencyRecord& record) {
  if (record.status_code() != 0) {
    return absl::Status(static_cast<absl::StatusCode>(record.status_code()),
                        record.status_message());
  }
  if (record.answer_stream().empty()) {
    return record.response();
  }
  if (!command.rebuild_answer) {
    return absl::InternalError(
        "the first answer to this request was kept as a reference this request cannot follow");
  }
  return command.rebuild_answer(
      txn, AnswerSource{.stream = record.answer_stream(), .version = record.answer_version()});
}

constexpr size_t kMaxCachedHeads = 1'000'000;
constexpr size_t kMaxCachedRows = 1'000'000;

}  // namespace

// One batch on its way: built by the executor, written and answered by the committer.
// The executor reads `writes` of the batch being committed while it builds the next one;
// the committer only reads `writes` too, so sharing it needs no lock.
struct CommandLoop::Batch {
  std::vector<Command> commands;
  std::vector<Result<std::string>> results;
  PendingWrites writes;
  size_t events = 0;
  uint64_t replays = 0;
};

CommandLoop::CommandLoop(Store& store, CommandLoopOptions options)
    : store_(store), options_(options), ids_(*store.options().clock) {
  auto next = store_.next_outbox_seq();
  auto floor = store_.get(Column::kState, kOutboxFloorKey);
  if (!next.ok() || !floor.ok()) {
    ARFLOW_LOG_ERROR("command_loop_start_failed", "reason=\"{}\"",
                     (!next.ok() ? next.status() : floor.status()).ToString());
    healthy_ = false;
  } else {
    floor_written_ = floor->has_value() ? read_be64(**floor) : 0;
    next_outbox_seq_ = std::max(*next, floor_written_);
  }
  committer_ = std::thread([this] {
    name_this_thread("arflow-commit");
    commit_batches();
  });
  executor_ = std::thread([this] {
    name_this_thread("arflow-execute");
    execute_batches();
  });
}

CommandLoop::~CommandLoop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  executor_.join();   // runs what was submitted, hands over its last batch
  committer_.join();  // writes it
}

void CommandLoop::submit(Command command) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(command));
      work_cv_.notify_one();
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

CommandLoop::Subscription CommandLoop::on_commit(std::function<void()> listener) {
  std::lock_guard lock(listeners_mu_);
  const uint64_t id = next_listener_id_++;
  listeners_.emplace(id, std::move(listener));
  return Subscription(this, id);
}

CommandLoop::Subscription::~Subscription() {
  if (loop_ != nullptr) {
    std::lock_guard lock(loop_->listeners_mu_);  // waits for a call in progress
    loop_->listeners_.erase(id_);
  }
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

void CommandLoop::fail(Batch& batch, const absl::Status& why) {
  for (auto& c : batch.commands) {
    c.done(why);
  }
  batch.commands.clear();
}

void CommandLoop::execute_batches() {
  // The batch last handed to the committer: its writes may not be in the database yet, so
  // the next batch reads through them.
  std::shared_ptr<Batch> committing;
  while (true) {
    std::vector<Command> commands;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        executor_done_ = true;
        commit_cv_.notify_all();
        return;
      }
      if (queue_.size() <= options_.max_batch) {
        commands.swap(queue_);
      } else {
        const auto n = static_cast<std::ptrdiff_t>(options_.max_batch);
        commands.assign(std::make_move_iterator(queue_.begin()),
                        std::make_move_iterator(queue_.begin() + n));
        queue_.erase(queue_.begin(), queue_.begin() + n);
      }
    }
    if (!healthy()) {
      Batch refused;
      refused.commands = std::move(commands);
      fail(refused,
           absl::UnavailableError("the event store failed earlier; the service must restart"));
      continue;
    }
    std::shared_ptr<Batch> batch =
        run_batch(std::move(commands), committing ? &committing->writes : nullptr);
    {
      std::unique_lock lock(mu_);
      commit_cv_.wait(lock, [&] { return to_commit_ == nullptr; });
      if (!healthy()) {
        // The batch below this one was not written: what this one read of it is void.
        lock.unlock();
        fail(*batch, absl::UnavailableError("the event store failed; the service must restart"));
        committing.reset();
        continue;
      }
      to_commit_ = batch;
      // The batch before it is written and no longer read: the committer frees it, off the
      // executor.
      to_retire_ = std::move(committing);
    }
    commit_cv_.notify_all();
    remember(batch->writes);
    committing = std::move(batch);
  }
}

std::unique_ptr<CommandLoop::Batch> CommandLoop::run_batch(std::vector<Command> commands,
                                                           const PendingWrites* committing) {
  auto batch = std::make_unique<Batch>();
  batch->commands = std::move(commands);
  batch->results.reserve(batch->commands.size());
  Transaction txn(store_, batch->writes, committing, heads_, rows_, locals_,
                  *store_.options().clock, ids_, next_outbox_seq_);
  for (auto& command : batch->commands) {
    bool replayed = false;
    batch->results.push_back(run_one(txn, command, replayed));
    batch->replays += replayed ? 1 : 0;
  }
  batch->events = txn.appended_events();
  if (next_outbox_seq_ != floor_written_) {
    batch->writes.put(Column::kState, kOutboxFloorKey, be64(next_outbox_seq_));
    floor_written_ = next_outbox_seq_;
  }
  return batch;
}

void CommandLoop::remember(const PendingWrites& writes) {
  // The batch is as good as committed: if its write fails, the loop stops for good.
  if (heads_.size() > kMaxCachedHeads) {
    heads_.clear();  // a miss costs one seek
  }
  if (rows_.size() > kMaxCachedRows) {
    rows_.clear();  // a miss costs one read
  }
  writes.for_each_row([&](const std::string& slot, const StagedRow& row) {
    const auto column = static_cast<Column>(slot[0]);
    if (column == Column::kStreamHeads && row.value.has_value()) {
      heads_.insert_or_assign(slot.substr(1), read_head_row(*row.value));
    } else if (column == Column::kState) {
      if (row.use == RowUse::kReadBack) {
        rows_.insert_or_assign(slot, row.value);
      } else {
        rows_.erase(slot);  // a copy a command read earlier is stale now
      }
    }
  });
}

void CommandLoop::commit_batches() {
  while (true) {
    std::shared_ptr<Batch> batch;
    std::shared_ptr<Batch> retired;  // freed once this batch is answered
    {
      std::unique_lock lock(mu_);
      commit_cv_.wait(lock, [&] { return to_commit_ != nullptr || executor_done_; });
      if (to_commit_ == nullptr) {
        return;
      }
      batch = to_commit_;
      retired = std::move(to_retire_);
    }
    absl::Status written;
    if (!batch->writes.empty()) {
      // Built here rather than by the executor: the executor is the loop's bottleneck (it
      // decides every command), while this thread mostly waits on the sync.
      rocksdb::WriteBatch write_batch;
      batch->writes.to_write_batch(store_, write_batch);
      rocksdb::WriteOptions wo;
      wo.sync = true;
      written = to_status(store_.db()->Write(wo, &write_batch), "commit batch");
    }
    if (!written.ok()) {
      healthy_.store(false, std::memory_order_release);
      ARFLOW_LOG_ERROR("event_store_write_failed", "commands={} reason=\"{}\"",
                       batch->commands.size(), written.ToString());
      fail(*batch,
           absl::UnavailableError(fmt::format("event store write failed: {}", written.message())));
    } else {
      batches_.fetch_add(1, std::memory_order_relaxed);
      commands_.fetch_add(batch->commands.size(), std::memory_order_relaxed);
      events_.fetch_add(batch->events, std::memory_order_relaxed);
      replays_.fetch_add(batch->replays, std::memory_order_relaxed);
      {
        std::lock_guard lock(listeners_mu_);
        for (auto& [id, listener] : listeners_) {
          listener();
        }
      }
      for (size_t i = 0; i < batch->commands.size(); ++i) {
        batch->commands[i].done(std::move(batch->results[i]));
      }
    }
    {
      std::lock_guard lock(mu_);
      to_commit_.reset();
    }
    commit_cv_.notify_all();
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
      // Past retention the record is as good as gone, whether or not a compaction has
      // removed it yet: the request runs again.
      if (!store_.idempotency_expired(record.recorded_at_unix_ms())) {
        if (record.request_fingerprint() != command.fingerprint) {
          return absl::AlreadyExistsError(fmt::format(
              "request_id '{}' was already used for a different request", command.request_id));
        }
        replayed = true;
        return replay(txn, command, record);
      }
    }
  }

  txn.set_savepoint();
  txn.clear_answer_source();
  Result<std::string> result = absl::InternalError("the command threw");
  try {
    result = command.execute(txn);
  } catch (const std::exception& e) {
    // A bug in one command must not take the loop (and every caller) down with it.
    ARFLOW_LOG_ERROR("command_threw", "what=\"{}\"", e.what());
    result = absl::InternalError(fmt::format("the command failed: {}", e.what()));
  }
  if (result.ok()) {
    txn.pop_savepoint();
  } else {
    txn.rollback_to_savepoint();
  }

  if (!idem_key.empty() && remembered(result.status().code())) {
    internal::v1::IdempotencyRecord record;
    record.set_request_fingerprint(command.fingerprint);
    record.set_status_code(static_cast<int32_t>(result.status().code()));
    if (result.ok() && command.rebuild_answer && txn.answer_source().has_value()) {
      record.set_answer_stream(txn.answer_source()->stream);
      record.set_answer_version(txn.answer_source()->version);
    } else if (result.ok()) {
      record.set_response(*result);
    } else {
      record.set_status_message(std::string(result.status().message()));
    }
    record.set_recorded_at_unix_ms(to_unix_millis(txn.now()));
    txn.put(Column::kIdempotency, idem_key, record.SerializeAsString());
  }
  return result;
}

}  // namespace arflow::eventstore
