#pragma once
// The single writer of a Store. Callers submit commands from any thread; one thread takes
// them in batches, runs each against a Transaction, and commits the whole batch in one
// synced WriteBatch (group commit). A command's `done` runs only after its batch is durable,
// so nothing is acknowledged that a crash could take back. Running commands one after the
// other on one thread is what makes expected-version checks and gapless numbering free of
// locks in the domain code.
//
// Idempotency: a command with a request_id is run at most once per (tenant, request_id)
// within the retention period. A retry with the same fingerprint gets the first result
// (even an error, when the error was a deterministic business refusal); the same id with a
// different fingerprint gets ALREADY_EXISTS.
//
// Failure: if a batch cannot be written, every command in it fails with UNAVAILABLE and the
// loop stops accepting work (fail-stop): in-memory state built by the commands may be
// ahead of the disk, so the process must restart and rebuild from the store.
//
// Thread-safety: submit(), execute() and stats() may be called from any thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "arflow/core/clock.h"
#include "arflow/core/ulid.h"
#include "arflow/eventstore/store.h"
#include "arflow/eventstore/transaction.h"

namespace arflow::eventstore {

struct CommandLoopOptions {
  size_t max_batch = 2048;  // commands per WriteBatch at most
  std::chrono::hours idempotency_retention{24 * 7};
  size_t expiry_sweep_limit = 4096;  // idempotency records removed per batch at most
};

struct Command {
  std::string tenant;
  std::string request_id;    // empty: not idempotent (e.g. internal commands)
  uint64_t fingerprint = 0;  // of the request; see keys.h fingerprint()
  // Runs on the loop thread. Returns the serialized response, or an error; on error
  // everything the command staged is rolled back.
  std::function<Result<std::string>(Transaction&)> execute;
  // Runs on the loop thread once the outcome is durable (or the batch failed). Keep it
  // short: finish an RPC, fulfil a promise.
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
  CommandLoop(Store& store, const Clock& clock, CommandLoopOptions options = {});
  // Runs every command already submitted, then stops the thread.
  ~CommandLoop();
  CommandLoop(const CommandLoop&) = delete;
  CommandLoop& operator=(const CommandLoop&) = delete;

  void submit(Command command);
  // Submits and waits for the durable outcome. `command.done` must be empty.
  Result<std::string> execute(Command command);

  // Called on the loop thread after each durable batch (e.g. to wake the outbox relay).
  void add_commit_listener(std::function<void()> listener);

  CommandLoopStats stats() const;
  bool healthy() const { return healthy_.load(std::memory_order_acquire); }

 private:
  void run();
  void run_batch(std::vector<Command>& batch);
  Result<std::string> run_one(Transaction& txn, Command& command, bool& replayed);
  void sweep_expired_idempotency(Transaction& txn);

  Store& store_;
  const Clock& clock_;
  const CommandLoopOptions options_;
  UlidGenerator ids_;
  uint64_t next_outbox_seq_ = 0;      // loop thread only
  int64_t last_sweep_cutoff_ms_ = 0;  // loop thread only
  std::string sweep_from_;            // loop thread only

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Command> queue_;                    // guarded by mu_
  bool stopping_ = false;                         // guarded by mu_
  std::vector<std::function<void()>> listeners_;  // guarded by mu_

  std::atomic<bool> healthy_{true};
  std::atomic<uint64_t> batches_{0}, commands_{0}, events_{0}, replays_{0};
  std::thread thread_;
};

}  // namespace arflow::eventstore
