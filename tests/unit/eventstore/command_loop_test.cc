#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <thread>

#include "fixture.h"

namespace arflow::eventstore {
namespace {

using testing::append_command;
using testing::StoreFixture;

TEST(CommandLoop, TwoConcurrentAppendsAtTheSameExpectedVersionExactlyOneWins) {
  StoreFixture f;
  for (int round = 0; round < 50; ++round) {
    const std::string stream = "invoice/" + std::to_string(round);
    std::barrier start(2);
    std::atomic<int> wins{0};
    std::atomic<int> conflicts{0};
    auto writer = [&] {
      start.arrive_and_wait();
      auto r = f.loop().execute(append_command(stream, ExpectedVersion::no_stream()));
      if (r.ok()) {
        ++wins;
      } else if (r.status().code() == absl::StatusCode::kAborted) {
        ++conflicts;
      }
    };
    std::thread a(writer), b(writer);
    a.join();
    b.join();
    EXPECT_EQ(wins.load(), 1) << stream;
    EXPECT_EQ(conflicts.load(), 1) << stream;
    EXPECT_EQ(*f.store().stream_version(stream), 1u);
  }
}

TEST(CommandLoop, AConflictNamesTheStreamAndBothVersions) {
  StoreFixture f;
  ASSERT_TRUE(f.loop().execute(append_command("s", ExpectedVersion::no_stream(), 2)).ok());
  auto r = f.loop().execute(append_command("s", ExpectedVersion::exactly(1)));
  ASSERT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(r.status().message(), "stream s is at version 2, expected 1");
}

TEST(CommandLoop, AFailedCommandLeavesNothingBehindAndDoesNotHurtItsBatch) {
  StoreFixture f;
  std::vector<std::future<Result<std::string>>> results;
  // Submitted together so that they share a batch.
  for (int i = 0; i < 10; ++i) {
    Command c;
    c.execute = [i](Transaction& txn) -> Result<std::string> {
      std::vector<Envelope> events{testing::event_for("t1", "c")};
      auto v = txn.append("s/" + std::to_string(i), ExpectedVersion::no_stream(), events);
      txn.put("row/" + std::to_string(i), "x");
      if (i % 2 == 1) {
        return precondition_failed("odd commands are refused");
      }
      return v.ok() ? Result<std::string>("ok") : v.status();
    };
    results.push_back(testing::submit_async(f.loop(), std::move(c)));
  }
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(results[static_cast<size_t>(i)].get().ok(), i % 2 == 0);
    const auto row = *f.store().get(Column::kState, "row/" + std::to_string(i));
    EXPECT_EQ(row.has_value(), i % 2 == 0);
    EXPECT_EQ(*f.store().stream_version("s/" + std::to_string(i)), i % 2 == 0 ? 1u : 0u);
  }
  EXPECT_EQ(f.store().read_outbox(0, 100)->size(), 5u);
}

Command idempotent(std::string request_id, uint64_t fingerprint, std::atomic<int>& runs,
                   const absl::Status& outcome = absl::OkStatus()) {
  Command c = append_command("invoice/idem", ExpectedVersion::any());
  c.request_id = std::move(request_id);
  c.fingerprint = fingerprint;
  auto inner = std::move(c.execute);
  c.execute = [inner, &runs, outcome](Transaction& txn) -> Result<std::string> {
    ++runs;
    if (!outcome.ok()) {
      return outcome;
    }
    return inner(txn);
  };
  return c;
}

TEST(CommandLoop, ARetriedRequestGetsTheFirstResultAndAppendsNothing) {
  StoreFixture f;
  std::atomic<int> runs{0};
  auto first = f.loop().execute(idempotent("req-1", 42, runs));
  auto retry = f.loop().execute(idempotent("req-1", 42, runs));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(*first, *retry);
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(*f.store().stream_version("invoice/idem"), 1u);
  EXPECT_EQ(f.loop().stats().idempotent_replays, 1u);

  // Still remembered after a restart.
  f.reopen();
  EXPECT_EQ(*f.loop().execute(idempotent("req-1", 42, runs)), *first);
  EXPECT_EQ(runs.load(), 1);
}

TEST(CommandLoop, RetriesInTheSameBatchRunOnce) {
  StoreFixture f;
  std::atomic<int> runs{0};
  std::vector<std::future<Result<std::string>>> results;
  for (int i = 0; i < 20; ++i) {
    auto c = idempotent("same", 7, runs);
    results.push_back(testing::submit_async(f.loop(), std::move(c)));
  }
  for (auto& r : results) {
    EXPECT_EQ(*r.get(), "1");
  }
  EXPECT_EQ(runs.load(), 1);
}

TEST(CommandLoop, TheSameRequestIdForADifferentRequestIsAlreadyExists) {
  StoreFixture f;
  std::atomic<int> runs{0};
  ASSERT_TRUE(f.loop().execute(idempotent("req-1", 1, runs)).ok());
  auto other = f.loop().execute(idempotent("req-1", 2, runs));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(runs.load(), 1);
}

TEST(CommandLoop, RequestIdsOfDifferentTenantsDoNotCollide) {
  StoreFixture f;
  std::atomic<int> runs{0};
  auto a = idempotent("req-1", 1, runs);
  auto b = idempotent("req-1", 2, runs);
  b.tenant = "t2";
  ASSERT_TRUE(f.loop().execute(std::move(a)).ok());
  ASSERT_TRUE(f.loop().execute(std::move(b)).ok());
  EXPECT_EQ(runs.load(), 2);
}

TEST(CommandLoop, ABusinessRefusalIsRememberedButATransientFailureIsNot) {
  StoreFixture f;
  std::atomic<int> runs{0};
  auto refused = f.loop().execute(idempotent("r", 1, runs, precondition_failed("invoice is void")));
  auto again = f.loop().execute(idempotent("r", 1, runs));
  EXPECT_EQ(refused.status(), again.status());
  EXPECT_EQ(runs.load(), 1);

  auto busy = f.loop().execute(idempotent("t", 1, runs, conflict("raced")));
  EXPECT_EQ(busy.status().code(), absl::StatusCode::kAborted);
  EXPECT_TRUE(f.loop().execute(idempotent("t", 1, runs)).ok());
  EXPECT_EQ(runs.load(), 3);
}

// A command that appends one event to stream "s" and answers with the stream's length then,
// declared as the stream at that version; its rebuild counts the events up to it.
// Unless `declare` is false: then it declares nothing.
Command answered_from_stream(std::string request_id, std::atomic<int>& runs, bool declare = true) {
  Command c;
  c.tenant = "t1";
  c.request_id = std::move(request_id);
  c.fingerprint = 9;
  c.execute = [&runs, declare](Transaction& txn) -> Result<std::string> {
    ++runs;
    std::vector<Envelope> events{testing::event_for("t1", "c1")};
    auto head = txn.append("s", ExpectedVersion::any(), events);
    if (!head.ok()) {
      return head.status();
    }
    if (declare) {
      txn.answer_from("s", *head);
    }
    return fmt::format("{} events", *head);
  };
  c.rebuild_answer = [](Transaction& txn, const AnswerSource& source) -> Result<std::string> {
    int seen = 0;
    ARFLOW_RETURN_IF_ERROR(
        txn.replay_until(source.stream, source.version, [&seen](const Envelope&) { ++seen; }));
    return fmt::format("{} events", seen);
  };
  return c;
}

// An answer kept as "this stream at this version": a retry gets it made again from the
// events up to that version, however the stream grew since, and the record holds no copy.
TEST(CommandLoop, ARetryOfAnAnswerKeptAsAStreamVersionGetsItMadeAgainAsItWas) {
  StoreFixture f;
  std::atomic<int> runs{0};
  EXPECT_EQ(*f.loop().execute(answered_from_stream("a", runs)), "1 events");
  EXPECT_EQ(*f.loop().execute(answered_from_stream("b", runs)), "2 events");
  EXPECT_EQ(*f.loop().execute(answered_from_stream("a", runs)), "1 events");
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(*f.store().stream_version("s"), 2u);

  auto row = f.store().get(Column::kIdempotency, idempotency_key("t1", "a"));
  ASSERT_TRUE(row.ok() && row->has_value());
  internal::v1::IdempotencyRecord record;
  ASSERT_TRUE(record.ParseFromString(**row));
  EXPECT_TRUE(record.response().empty());
  EXPECT_EQ(record.answer_stream(), "s");
  EXPECT_EQ(record.answer_version(), 1u);

  f.reopen();
  EXPECT_EQ(*f.loop().execute(answered_from_stream("a", runs)), "1 events");
  EXPECT_EQ(runs.load(), 2);

  // The same request without the means to follow the reference is a bug, not an answer.
  auto blind = answered_from_stream("a", runs);
  blind.rebuild_answer = nullptr;
  EXPECT_EQ(f.loop().execute(std::move(blind)).status().code(), absl::StatusCode::kInternal);
}

// A command that declares no source, or has no rebuild, keeps its answer's bytes; commands
// sharing a batch each keep their own kind of record.
TEST(CommandLoop, AnAnswerWithoutASourceIsKeptAsItsBytes) {
  StoreFixture f;
  std::atomic<int> runs{0};
  std::vector<std::future<Result<std::string>>> results;
  for (int i = 0; i < 12; ++i) {
    auto c = answered_from_stream("r" + std::to_string(i), runs, /*declare=*/i % 3 != 1);
    if (i % 3 == 2) {
      c.rebuild_answer = nullptr;
    }
    results.push_back(testing::submit_async(f.loop(), std::move(c)));
  }
  for (auto& r : results) {
    ASSERT_TRUE(r.get().ok());
  }
  for (int i = 0; i < 12; ++i) {
    auto row = f.store().get(Column::kIdempotency, idempotency_key("t1", "r" + std::to_string(i)));
    ASSERT_TRUE(row.ok() && row->has_value());
    internal::v1::IdempotencyRecord record;
    ASSERT_TRUE(record.ParseFromString(**row));
    EXPECT_EQ(record.answer_stream().empty(), i % 3 != 0) << i;
    EXPECT_EQ(record.response().empty(), i % 3 == 0) << i;
  }
}

TEST(CommandLoop, IdempotencyRecordsExpireAfterTheRetention) {
  StoreFixture f;
  f.reopen(std::chrono::hours(24));
  std::atomic<int> runs{0};
  ASSERT_TRUE(f.loop().execute(idempotent("old", 1, runs)).ok());
  f.clock().advance(std::chrono::hours(23));
  ASSERT_TRUE(f.loop().execute(idempotent("old", 1, runs)).ok());
  EXPECT_EQ(runs.load(), 1);

  // Past retention the request runs again, compacted away or not.
  f.clock().advance(std::chrono::hours(2));
  ASSERT_TRUE(f.loop().execute(idempotent("old", 1, runs)).ok());
  EXPECT_EQ(runs.load(), 2);
  ASSERT_TRUE(f.store().get(Column::kIdempotency, idempotency_key("t1", "old"))->has_value());

  // And a compaction reclaims the space of records past retention.
  f.clock().advance(std::chrono::hours(25));
  ASSERT_TRUE(f.store().compact_idempotency().ok());
  EXPECT_FALSE(f.store().get(Column::kIdempotency, idempotency_key("t1", "old"))->has_value());
}

TEST(CommandLoop, ABatchReadsWhatTheBatchStillBeingCommittedWrote) {
  // Appends chained on exact versions, all submitted without waiting: each must see the
  // one before it, whether it is in its own batch, in the batch being written, or on disk.
  StoreFixture f;
  f.reopen(std::chrono::hours(24), {.max_batch = 16});  // many batches, whatever the timing
  std::vector<std::future<Result<std::string>>> results;
  for (uint64_t v = 0; v < 1000; ++v) {
    results.push_back(
        testing::submit_async(f.loop(), append_command("chain", ExpectedVersion::exactly(v))));
  }
  for (uint64_t v = 0; v < 1000; ++v) {
    auto r = results[v].get();
    ASSERT_TRUE(r.ok()) << "append at " << v << ": " << r.status();
    EXPECT_EQ(*r, std::to_string(v + 1));
  }
  EXPECT_EQ(*f.store().stream_version("chain"), 1000u);
  EXPECT_GE(f.loop().stats().batches, 1000u / 16);
}

TEST(CommandLoop, AStateRowWrittenByOneBatchIsWhatEveryLaterBatchReads) {
  // All submitted without waiting, at most 8 commands a batch, command i:
  //  - writes row-i;
  //  - reads row-(i-20): written at least 2 batches before, so read from the loop's row
  //    cache or the disk, not from a batch still in memory;
  //  - rewrites row-(i-25), or removes it when i-25 is odd; one rewrite in two says only
  //    queries read the row (RowUse::kQueriesOnly), which the loop does not cache;
  //  - reads row-(i-40): read once before (at i-20, so cached), then changed at i-15, at
  //    least 2 batches before: a cache that missed the change would answer the old value;
  //  - reads and rewrites a counter every command changes (removed every 100th): its
  //    own batch, or the batch being committed, has it.
  StoreFixture f;
  f.reopen(std::chrono::hours(24), {.max_batch = 8});
  constexpr int kCommands = 1000;
  const auto row = [](int i) { return fmt::format("row-{}", i); };
  std::vector<std::future<Result<std::string>>> results;
  for (int i = 0; i < kCommands; ++i) {
    Command c;
    c.tenant = "t1";
    c.execute = [i, row](Transaction& txn) -> Result<std::string> {
      auto back20 = txn.get(row(i - 20));
      auto back40 = txn.get(row(i - 40));
      auto counter = txn.get("counter");
      if (!back20.ok() || !back40.ok() || !counter.ok()) {
        return absl::InternalError("a read failed");
      }
      txn.put(row(i), std::to_string(i));
      if (i >= 25 && (i - 25) % 2 == 0) {
        txn.put(row(i - 25), fmt::format("{} changed", i - 25),
                (i - 25) % 4 == 0 ? RowUse::kQueriesOnly : RowUse::kReadBack);
      } else if (i >= 25) {
        txn.remove(row(i - 25));
      }
      if (i % 100 == 99) {
        txn.remove("counter");
      } else {
        txn.put("counter", std::to_string(counter->has_value() ? std::stoi(**counter) + 1 : 1));
      }
      return fmt::format("{} | {} | {}", back20->value_or("absent"), back40->value_or("absent"),
                         counter->value_or("absent"));
    };
    results.push_back(testing::submit_async(f.loop(), std::move(c)));
  }
  std::optional<int> counter;  // what command i must see
  for (int i = 0; i < kCommands; ++i) {
    const std::string back20 = i >= 20 ? std::to_string(i - 20) : "absent";
    std::string back40 = "absent";
    if (i >= 40) {
      back40 = (i - 40) % 2 == 0 ? fmt::format("{} changed", i - 40) : "absent";
    }
    auto r = results[static_cast<size_t>(i)].get();
    ASSERT_TRUE(r.ok()) << "command " << i << ": " << r.status();
    EXPECT_EQ(*r, fmt::format("{} | {} | {}", back20, back40,
                              counter.has_value() ? std::to_string(*counter) : "absent"))
        << "command " << i;
    counter = i % 100 == 99 ? std::nullopt : std::optional<int>(counter.value_or(0) + 1);
  }
  auto stored = f.store().get(Column::kState, "counter");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, std::nullopt);  // command 999 removed it
  EXPECT_GE(f.loop().stats().batches, size_t{kCommands} / 8);
}

TEST(CommandLoop, CommandsSubmittedTogetherShareOneSyncedBatch) {
  StoreFixture f;
  std::vector<std::future<Result<std::string>>> results;
  for (int i = 0; i < 500; ++i) {
    auto c = append_command("s/" + std::to_string(i), ExpectedVersion::no_stream());
    results.push_back(testing::submit_async(f.loop(), std::move(c)));
  }
  for (auto& r : results) {
    ASSERT_TRUE(r.get().ok());
  }
  const auto stats = f.loop().stats();
  EXPECT_EQ(stats.commands, 500u);
  EXPECT_EQ(stats.events_appended, 500u);
  EXPECT_LT(stats.batches, 500u);  // group commit: fewer fsyncs than commands
}

TEST(CommandLoop, CommitListenersRunAfterEachDurableBatch) {
  StoreFixture f;
  std::atomic<int> notified{0};
  auto subscription = f.loop().on_commit([&] { ++notified; });
  ASSERT_TRUE(f.loop().execute(append_command("s", ExpectedVersion::any())).ok());
  EXPECT_GE(notified.load(), 1);
}

}  // namespace
}  // namespace arflow::eventstore

namespace arflow::eventstore {
namespace {

TEST(CommandLoop, AnEventTooLargeToPublishIsRefusedAndNothingIsStaged) {
  StoreFixture f;
  Command c;
  c.execute = [](Transaction& txn) -> Result<std::string> {
    std::vector<Envelope> events{testing::event_for("t1", "c")};
    events[0].set_actor(std::string(Transaction::kMaxMessageBytes, 'x'));
    auto v = txn.append("big", ExpectedVersion::any(), events);
    return v.ok() ? Result<std::string>("") : v.status();
  };
  auto r = f.loop().execute(std::move(c));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(f.store().read_outbox(0, 10)->empty());
  EXPECT_EQ(*f.store().stream_version("big"), 0u);
}

TEST(CommandLoop, OutboxNumberingNeverGoesBackEvenWhenTheOutboxWasEmptied) {
  StoreFixture f;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(f.loop().execute(append_command("s", ExpectedVersion::any())).ok());
  }
  ASSERT_TRUE(f.store().mark_outbox_delivered(5).ok());  // the relay published everything
  f.reopen();
  ASSERT_TRUE(f.loop().execute(append_command("s", ExpectedVersion::any())).ok());
  auto outbox = f.store().read_outbox(0, 10);
  ASSERT_EQ(outbox->size(), 1u);
  EXPECT_EQ(outbox->front().seq, 5u);  // a relay that read up to 5 would never see a 0
}

TEST(CommandLoop, AListenerIsNotCalledOnceItsSubscriptionIsGone) {
  StoreFixture f;
  std::atomic<int> calls{0};
  {
    auto subscription = f.loop().on_commit([&] { ++calls; });
    ASSERT_TRUE(f.loop().execute(append_command("s", ExpectedVersion::any())).ok());
  }
  const int seen = calls.load();
  EXPECT_GE(seen, 1);
  ASSERT_TRUE(f.loop().execute(append_command("s", ExpectedVersion::any())).ok());
  EXPECT_EQ(calls.load(), seen);
}

TEST(CommandLoop, ACommandThatThrowsFailsAloneAndTheLoopGoesOn) {
  StoreFixture f;
  Command c;
  c.execute = [](Transaction& txn) -> Result<std::string> {
    txn.put("half-done", "x");
    throw std::runtime_error("bug");
  };
  auto r = f.loop().execute(std::move(c));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_FALSE(f.store().get(Column::kState, "half-done")->has_value());
  EXPECT_TRUE(f.loop().execute(append_command("s", ExpectedVersion::any())).ok());
  EXPECT_TRUE(f.loop().healthy());
}

}  // namespace
}  // namespace arflow::eventstore
