#pragma once
// The single writer of a Store. Callers submit commands from any thread; one thread (the
// executor) takes them in batches and runs each against a Transaction; a second thread (the
// committer) writes each batch in one synced WriteBatch (group commit) while the executor
// already runs the next batch, reading through the writes still being committed. A
// command's `done` runs only after its batch is durable, so nothing is acknowledged that a
// crash could take back. Running commands one after the other on one thread is what makes
// expected-version checks and gapless numbering free of locks in the domain code.
//
// Idempotency: a command with a request_id is run at most once per (tenant, request_id)
// within the retention period. A retry with the same fingerprint gets the first result
// (even an error, when the error was a deterministic business refusal); the same id with a
// different fingerprint gets ALREADY_EXISTS.
//
// Failure: if a batch cannot be written, every command in it and in the batch built on it
// fails with UNAVAILABLE and the loop refuses all later work (fail-stop): in-memory state
// built by the commands may be ahead of the disk, so the process must restart and rebuild
// from the store.
//
// Thread-safety: submit(), execute() and stats() may be called from any thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "arflow/core/clock.h"
#include "arflow/core/ulid.h"
#include "arflow/eventstore/pending_writes.h"
#include "arflow/eventstore/store.h"
#include "arflow/eventstore/transaction.h"

namespace arflow::eventstore {

struct CommandLoopOptions {
  size_t max_batch = 2048;  // commands per WriteBatch at most
};

struct Command {
  std::string tenant;
  std::string request_id;    // empty: not idempotent (e.g. internal commands)
  uint64_t fingerprint = 0;  // of the request; see keys.h fingerprint()
  // Runs on the loop thread. Returns the serialized response, or an error; on error
  // everything the command staged is rolled back.
  std::function<Result<std::string>(Transaction&)> execute;
  // Optional. Makes the serialized answer again, for a retried request, from the source the
  // command declared when it ran (Transaction::answer_from). With it, and a source declared,
  // the request's idempotency record keeps the source instead of a copy of the answer, and
  // `execute` may return an empty string (the answer went to the caller by other means).
  std::function<Result<std::string>(Transaction&, const AnswerSource&)> rebuild_answer;
  // Runs on the committer thread once the outcome is durable (or the batch failed). Keep
  // it short: finish an RPC, fulfil a promise.
  std::function<void(Result<std::string>)> done;
};

struct CommandLoopStats {
  uint64_t batches = 0;
  uint64_t commands = 0;
  uint64_t events_appended = 0;
  uint64_t idempotent_replays = 0;
  uint64_t queued = 0;
};

class CommandLoop {
 public:
  // Time comes from the store's clock (StoreOptions::clock): the one that also decides when
  // idempotency records expire.
  explicit CommandLoop(Store& store, CommandLoopOptions options = {});
  // Runs every command already submitted, then stops the thread.
  ~CommandLoop();
  CommandLoop(const CommandLoop&) = delete;
  CommandLoop& operator=(const CommandLoop&) = delete;

  void submit(Command command);
  // Submits and waits for the durable outcome. `command.done` must be empty.
  Result<std::string> execute(Command command);

  // Calls `listener` on the committer thread after each durable batch (e.g. to wake the
  // outbox relay) for as long as the returned subscription lives. Destroying the
  // subscription waits for a call in progress, so whatever the listener touches may be
  // destroyed right after it.
  class Subscription {
   public:
    Subscription(CommandLoop* loop, uint64_t id) : loop_(loop), id_(id) {}
    Subscription(Subscription&& other) noexcept
        : loop_(std::exchange(other.loop_, nullptr)), id_(other.id_) {}
    Subscription& operator=(Subscription&&) = delete;
    Subscription(const Subscription&) = delete;
    ~Subscription();

   private:
    CommandLoop* loop_;
    uint64_t id_;
  };
  [[nodiscard]] Subscription on_commit(std::function<void()> listener);

  CommandLoopStats stats() const;
  bool healthy() const { return healthy_.load(std::memory_order_acquire); }

 private:
  struct Batch;
  void execute_batches();
  void commit_batches();
  std::unique_ptr<Batch> run_batch(std::vector<Command> commands, const PendingWrites* committing);
  Result<std::string> run_one(Transaction& txn, Command& command, bool& replayed);
  void remember(const PendingWrites& writes);
  static void fail(Batch& batch, const absl::Status& why);

  Store& store_;
  const CommandLoopOptions options_;
  UlidGenerator ids_;
  uint64_t next_outbox_seq_ = 0;  // executor only
  uint64_t floor_written_ = 0;    // executor only: the outbox floor last staged
  StreamHeads heads_;             // executor only: heads of committed (or handed-over) batches
  RowCache rows_;                 // executor only: state rows likewise
  ExecutorLocals locals_;         // executor only

  mutable std::mutex mu_;
  std::condition_variable work_cv_;    // executor: commands queued, or stopping
  std::condition_variable commit_cv_;  // committer: a batch to write; executor: it is written
  std::vector<Command> queue_;         // guarded by mu_
  bool stopping_ = false;              // guarded by mu_
  bool executor_done_ = false;         // guarded by mu_
  // The batch handed to the committer and not yet written; guarded by mu_.
  std::shared_ptr<Batch> to_commit_;
  // The batch written before it, for the committer to free; guarded by mu_.
  std::shared_ptr<Batch> to_retire_;
  // Commit listeners by id; guarded by listeners_mu_, which is held while they are called.
  std::mutex listeners_mu_;
  std::map<uint64_t, std::function<void()>> listeners_;
  uint64_t next_listener_id_ = 0;

  std::atomic<bool> healthy_{true};
  std::atomic<uint64_t> batches_{0}, commands_{0}, events_{0}, replays_{0};
  std::thread committer_;
  std::thread executor_;
};

}  // namespace arflow::eventstore
