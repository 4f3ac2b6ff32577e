#include "arflow/eventstore/fold_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fixture.h"

namespace arflow::eventstore {
namespace {

using testing::event_for;
using testing::StoreFixture;

// An aggregate that remembers which events it was folded from.
struct Seen {
  std::vector<std::string> event_ids;
};
using SeenFolds = FoldCache<Seen>;

class FoldCacheTest : public ::testing::Test {
 protected:
  // Loads `stream` through the executor's cache, counting the events folded.
  Result<Seen> load(const std::string& stream) {
    Result<Seen> loaded = Seen{};
    Command c;
    c.tenant = "t1";
    c.execute = [&](Transaction& txn) -> Result<std::string> {
      loaded = txn.executor_local<SeenFolds>().load(txn, stream, Seen{},
                                                    [&](Seen& seen, const Envelope& e) {
                                                      seen.event_ids.push_back(e.event_id());
                                                      ++folded_;
                                                    });
      return std::string();
    };
    EXPECT_TRUE(f_.loop().execute(std::move(c)).ok());
    return loaded;
  }

  // Appends `n` events to `stream`, keeps the aggregate they make, then fails the command
  // when `refuse` (so the loop rolls the append back).
  absl::Status append_and_keep(const std::string& stream, int n, bool refuse) {
    Command c;
    c.tenant = "t1";
    c.execute = [&](Transaction& txn) -> Result<std::string> {
      auto& cache = txn.executor_local<SeenFolds>();
      auto seen = cache.load(txn, stream, Seen{}, [](Seen& s, const Envelope& e) {
        s.event_ids.push_back(e.event_id());
      });
      if (!seen.ok()) {
        return seen.status();
      }
      std::vector<Envelope> events(static_cast<size_t>(n), event_for("t1", "c1"));
      auto head = txn.append(stream, ExpectedVersion::any(), events);
      if (!head.ok()) {
        return head.status();
      }
      for (const auto& e : events) {
        seen->event_ids.push_back(e.event_id());
      }
      ARFLOW_RETURN_IF_ERROR(cache.keep(txn, stream, *seen, *head));
      if (refuse) {
        return precondition_failed("refused after appending");
      }
      return std::string();
    };
    return f_.loop().execute(std::move(c)).status();
  }

  std::vector<std::string> committed_ids(const std::string& stream) {
    auto events = f_.store().read_stream(stream);
    EXPECT_TRUE(events.ok()) << events.status();
    std::vector<std::string> ids;
    if (events.ok()) {
      for (const auto& e : *events) {
        ids.push_back(e.event_id());
      }
    }
    return ids;
  }

  StoreFixture f_;
  int folded_ = 0;
};

TEST_F(FoldCacheTest, LoadingAStreamAgainFoldsOnlyTheEventsAppendedSince) {
  ASSERT_TRUE(f_.loop().execute(testing::append_command("s", ExpectedVersion::any(), 3)).ok());
  ASSERT_EQ(load("s")->event_ids.size(), 3U);
  EXPECT_EQ(folded_, 3);

  ASSERT_TRUE(f_.loop().execute(testing::append_command("s", ExpectedVersion::any(), 2)).ok());
  auto seen = load("s");
  EXPECT_EQ(folded_, 5);  // the two new ones only
  EXPECT_EQ(seen->event_ids, committed_ids("s"));

  EXPECT_EQ(load("s")->event_ids, committed_ids("s"));
  EXPECT_EQ(folded_, 5);  // nothing new: nothing folded
}

TEST_F(FoldCacheTest, WhatACommandKeptAfterAppendingIsTheNextCommandsStartingPoint) {
  ASSERT_TRUE(append_and_keep("s", 2, /*refuse=*/false).ok());
  EXPECT_EQ(load("s")->event_ids, committed_ids("s"));
  EXPECT_EQ(folded_, 0);
}

TEST_F(FoldCacheTest, AFoldKeptFromAnAppendRolledBackIsNeverUsed) {
  ASSERT_TRUE(append_and_keep("s", 1, /*refuse=*/false).ok());
  // Kept at version 2, then rolled back: the stream stays at version 1.
  ASSERT_EQ(append_and_keep("s", 1, /*refuse=*/true).code(), absl::StatusCode::kFailedPrecondition);
  auto seen = load("s");
  EXPECT_EQ(seen->event_ids, committed_ids("s"));
  EXPECT_EQ(seen->event_ids.size(), 1U);
}

TEST_F(FoldCacheTest, AFoldKeptFromAnAppendRolledBackAndReplacedAtTheSameVersionIsNeverUsed) {
  ASSERT_TRUE(append_and_keep("s", 1, /*refuse=*/false).ok());
  ASSERT_EQ(append_and_keep("s", 1, /*refuse=*/true).code(), absl::StatusCode::kFailedPrecondition);
  // Another event takes version 2: same head version as the rolled-back fold, other event.
  ASSERT_TRUE(f_.loop().execute(testing::append_command("s", ExpectedVersion::exactly(1))).ok());
  auto seen = load("s");
  ASSERT_EQ(seen->event_ids.size(), 2U);
  EXPECT_EQ(seen->event_ids, committed_ids("s"));
}

TEST_F(FoldCacheTest, KeepingAnAggregateNotFoldedUpToTheHeadIsABug) {
  ASSERT_TRUE(f_.loop().execute(testing::append_command("s", ExpectedVersion::any(), 2)).ok());
  Command c;
  c.tenant = "t1";
  c.execute = [](Transaction& txn) -> Result<std::string> {
    ARFLOW_RETURN_IF_ERROR(txn.executor_local<SeenFolds>().keep(txn, "s", Seen{}, 1));
    return std::string();
  };
  EXPECT_EQ(f_.loop().execute(std::move(c)).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(load("s")->event_ids, committed_ids("s"));
}

TEST_F(FoldCacheTest, AFullCacheReplacesAnEntryAndStillFoldsEveryStreamRight) {
  Command c;
  c.tenant = "t1";
  std::vector<std::vector<std::string>> loaded;
  c.execute = [&](Transaction& txn) -> Result<std::string> {
    SeenFolds small(2);
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 5; ++i) {
        const std::string stream = "s" + std::to_string(i);
        if (round == 0) {
          std::vector<Envelope> events(static_cast<size_t>(i + 1), event_for("t1", "c1"));
          ARFLOW_RETURN_IF_ERROR(txn.append(stream, ExpectedVersion::any(), events).status());
        }
        auto seen = small.load(txn, stream, Seen{}, [](Seen& s, const Envelope& e) {
          s.event_ids.push_back(e.event_id());
        });
        ARFLOW_RETURN_IF_ERROR(seen.status());
        loaded.push_back(seen->event_ids);
        EXPECT_LE(small.size(), 2U);
      }
    }
    return std::string();
  };
  ASSERT_TRUE(f_.loop().execute(std::move(c)).ok());
  ASSERT_EQ(loaded.size(), 10U);
  for (size_t i = 0; i < loaded.size(); ++i) {
    EXPECT_EQ(loaded[i], committed_ids("s" + std::to_string(i % 5))) << i;
  }
}

// A full cache gives no place to a stream a command creates (most are read again only long
// after), but still refreshes the ones it keeps, and gives a place to a stream a load folds.
TEST_F(FoldCacheTest, AFullCacheGivesAPlaceToAStreamACommandCameBackToNotToOneItCreated) {
  Command c;
  c.tenant = "t1";
  int folded = 0;
  c.execute = [&](Transaction& txn) -> Result<std::string> {
    SeenFolds small(2);
    auto create = [&](const std::string& stream) -> absl::Status {
      std::vector<Envelope> events{event_for("t1", "c1")};
      auto head = txn.append(stream, ExpectedVersion::any(), events);
      ARFLOW_RETURN_IF_ERROR(head.status());
      return small.keep(txn, stream, Seen{{events[0].event_id()}}, *head);
    };
    auto load = [&](const std::string& stream) {
      return small.load(txn, stream, Seen{}, [&](Seen& s, const Envelope& e) {
        s.event_ids.push_back(e.event_id());
        ++folded;
      });
    };
    for (const char* stream : {"s0", "s1", "s2"}) {
      ARFLOW_RETURN_IF_ERROR(create(stream));
    }
    EXPECT_EQ(small.size(), 2U);
    ARFLOW_RETURN_IF_ERROR(load("s0").status());
    ARFLOW_RETURN_IF_ERROR(load("s1").status());
    EXPECT_EQ(folded, 0);  // kept as they were created, while there was room
    ARFLOW_RETURN_IF_ERROR(load("s2").status());
    EXPECT_EQ(folded, 1);  // created when full: folded from the batch's writes, then kept
    ARFLOW_RETURN_IF_ERROR(load("s2").status());
    EXPECT_EQ(folded, 1);
    EXPECT_EQ(small.size(), 2U);
    return std::string();
  };
  ASSERT_TRUE(f_.loop().execute(std::move(c)).ok());
}

// Payments come for invoices in about the order they were issued. With more invoices than
// places, a full cache still keeps most of them between two passes: the second pass folds
// only the streams it lost, not every stream (as starting again empty, or LRU, would).
TEST_F(FoldCacheTest, WithMoreStreamsThanPlacesASecondPassInOrderStillHitsMostOfThem) {
  constexpr int kStreams = 60;
  Command c;
  c.tenant = "t1";
  int refolded = 0;
  c.execute = [&](Transaction& txn) -> Result<std::string> {
    SeenFolds cache(50);
    for (int pass = 0; pass < 2; ++pass) {
      for (int i = 0; i < kStreams; ++i) {
        const std::string stream = "s" + std::to_string(i);
        if (pass == 0) {
          std::vector<Envelope> events{event_for("t1", "c1")};
          ARFLOW_RETURN_IF_ERROR(txn.append(stream, ExpectedVersion::any(), events).status());
        }
        auto seen = cache.load(txn, stream, Seen{}, [&](Seen& s, const Envelope& e) {
          s.event_ids.push_back(e.event_id());
          refolded += pass;
        });
        ARFLOW_RETURN_IF_ERROR(seen.status());
        EXPECT_EQ(seen->event_ids.size(), 1U) << stream;
        EXPECT_LE(cache.size(), 50U);
      }
    }
    return std::string();
  };
  ASSERT_TRUE(f_.loop().execute(std::move(c)).ok());
  EXPECT_LT(refolded, kStreams / 2);  // starting again empty would fold all 60 again
}

// Forgetting a fold (rolled back) kept among others leaves every other one usable, and
// keeps after it stay consistent.
TEST_F(FoldCacheTest, AFoldForgottenAmongOthersLeavesTheOthersKept) {
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(append_and_keep("s" + std::to_string(i), 1, /*refuse=*/false).ok());
  }
  ASSERT_FALSE(append_and_keep("s1", 1, /*refuse=*/true).ok());  // its kept fold is void
  folded_ = 0;
  for (int i = 0; i < 4; ++i) {
    const std::string stream = "s" + std::to_string(i);
    EXPECT_EQ(load(stream)->event_ids, committed_ids(stream)) << stream;
  }
  EXPECT_EQ(folded_, 1);  // s1 alone, folded again from its first event
  for (int i = 4; i < 8; ++i) {
    ASSERT_TRUE(append_and_keep("s" + std::to_string(i), 2, /*refuse=*/false).ok());
  }
  for (int i = 0; i < 8; ++i) {
    const std::string stream = "s" + std::to_string(i);
    EXPECT_EQ(load(stream)->event_ids, committed_ids(stream)) << stream;
  }
}

}  // namespace
}  // namespace arflow::eventstore
