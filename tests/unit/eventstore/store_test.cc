#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fixture.h"

namespace arflow::eventstore {
namespace {

using testing::append_command;
using testing::StoreFixture;

TEST(Store, AppendedEventsReadBackInOrderWithTheirEnvelopeFilledIn) {
  StoreFixture f;
  ASSERT_EQ(*f.loop().execute(append_command("invoice/1", ExpectedVersion::no_stream(), 3)), "3");
  ASSERT_EQ(*f.loop().execute(append_command("invoice/1", ExpectedVersion::exactly(3), 2)), "5");

  auto events = f.store().read_stream("invoice/1");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 5u);
  for (size_t i = 0; i < events->size(); ++i) {
    const auto& e = (*events)[i];
    EXPECT_EQ(e.version(), i + 1);
    EXPECT_EQ(e.stream(), "invoice/1");
    EXPECT_EQ(e.event_id().size(), 26u);
    EXPECT_EQ(from_proto(e.recorded_at()), f.clock().now());
  }
  EXPECT_EQ(*f.store().stream_version("invoice/1"), 5u);
  EXPECT_EQ(*f.store().stream_version("invoice/unknown"), 0u);
  EXPECT_EQ(f.store().read_stream("invoice/1", 4)->size(), 2u);
}

TEST(Store, EveryAppendedEventIsInTheOutboxWithItsCustomerKeyAndType) {
  StoreFixture f;
  Command c;
  c.execute = [](Transaction& txn) -> Result<std::string> {
    std::vector<Envelope> events{testing::event_for("acme", "cust-9")};
    events[0].mutable_customer_registered()->set_customer_id("cust-9");
    auto v = txn.append("customer/cust-9", ExpectedVersion::no_stream(), events);
    return v.ok() ? Result<std::string>("") : v.status();
  };
  ASSERT_TRUE(f.loop().execute(std::move(c)).ok());

  auto outbox = f.store().read_outbox(0, 10);
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 1u);
  const auto& record = (*outbox)[0].record;
  EXPECT_EQ(record.topic(), testing::kTopic);
  EXPECT_EQ(record.key(), "acme/cust-9");
  EXPECT_EQ(record.event_type(), "customer_registered");
  Envelope published;
  ASSERT_TRUE(published.ParseFromString(record.value()));
  EXPECT_EQ(published.event_id(), record.event_id());
  EXPECT_EQ(published.version(), 1u);
}

TEST(Store, AnEventIsWrittenOnceAndItsOutboxEntryReadsItFromTheEventsColumn) {
  StoreFixture f;
  ASSERT_TRUE(f.loop().execute(append_command("invoice/1", ExpectedVersion::no_stream(), 2)).ok());

  // As stored: the entry names the event's row and holds no copy of it.
  std::unique_ptr<rocksdb::Iterator> it(
      f.store().db()->NewIterator(rocksdb::ReadOptions(), f.store().column(Column::kOutbox)));
  int stored = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++stored) {
    internal::v1::OutboxRecord raw;
    ASSERT_TRUE(raw.ParseFromString(it->value().ToString()));
    EXPECT_TRUE(raw.value().empty());
    EXPECT_EQ(raw.event_row(), event_key("invoice/1", static_cast<uint64_t>(stored) + 1));
  }
  EXPECT_EQ(stored, 2);

  // As the relay reads it: the event's bytes, as the stream has them.
  auto outbox = f.store().read_outbox(0, 10);
  ASSERT_TRUE(outbox.ok()) << outbox.status();
  ASSERT_EQ(outbox->size(), 2u);
  for (uint64_t v = 1; v <= 2; ++v) {
    auto row = f.store().get(Column::kEvents, event_key("invoice/1", v));
    ASSERT_TRUE(row.ok() && row->has_value());
    EXPECT_EQ((*outbox)[v - 1].record.value(), **row);
  }

  // An entry that carries its value (a dead letter, or one written before entries named
  // their event) is read as it is; one that names an event not stored is data loss.
  internal::v1::OutboxRecord letter;
  letter.set_topic("arflow.dlq.v1");
  letter.set_value("the letter");
  internal::v1::OutboxRecord dangling;
  dangling.set_topic(testing::kTopic);
  dangling.set_event_row(event_key("invoice/never", 1));
  rocksdb::WriteOptions wo;
  ASSERT_TRUE(f.store()
                  .db()
                  ->Put(wo, f.store().column(Column::kOutbox), be64(10), letter.SerializeAsString())
                  .ok());
  ASSERT_TRUE(
      f.store()
          .db()
          ->Put(wo, f.store().column(Column::kOutbox), be64(11), dangling.SerializeAsString())
          .ok());
  auto mixed = f.store().read_outbox(10, 1);
  ASSERT_TRUE(mixed.ok()) << mixed.status();
  EXPECT_EQ(mixed->front().record.value(), "the letter");
  EXPECT_EQ(f.store().read_outbox(10, 10).status().code(), absl::StatusCode::kDataLoss);
}

TEST(Store, AStoreOnlyStreamKeepsItsEventsAndPublishesNone) {
  StoreFixture f;
  Command c;
  c.execute = [](Transaction& txn) -> Result<std::string> {
    std::vector<Envelope> numbers{testing::event_for("acme", "cust-1"),
                                  testing::event_for("acme", "cust-2")};
    auto series =
        txn.append("series/2026", ExpectedVersion::no_stream(), numbers, Publication::kStoreOnly);
    std::vector<Envelope> invoice{testing::event_for("acme", "cust-1")};
    auto published = txn.append("invoice/1", ExpectedVersion::no_stream(), invoice);
    if (!series.ok() || !published.ok()) {
      return !series.ok() ? series.status() : published.status();
    }
    return std::to_string(*series);
  };
  ASSERT_EQ(*f.loop().execute(std::move(c)), "2");

  EXPECT_EQ(f.store().read_stream("series/2026")->size(), 2u);
  EXPECT_EQ(*f.store().stream_version("series/2026"), 2u);
  auto outbox = f.store().read_outbox(0, 10);
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 1u);  // the invoice's event only
  Envelope published;
  ASSERT_TRUE(published.ParseFromString((*outbox)[0].record.value()));
  EXPECT_EQ(published.stream(), "invoice/1");
}

TEST(Store, PublishedOutboxEntriesAreNotReadAgainEvenAfterReopenAndNumbersContinue) {
  StoreFixture f;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        f.loop().execute(append_command("s/" + std::to_string(i), ExpectedVersion::any())).ok());
  }
  ASSERT_TRUE(f.store().mark_outbox_delivered(3).ok());
  ASSERT_TRUE(f.store().mark_outbox_delivered(2).ok());  // never goes back
  EXPECT_EQ(f.store().outbox_delivered_below(), 3u);
  auto rest = f.store().read_outbox(0, 10);
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].seq, 3u);

  f.reopen();
  EXPECT_EQ(f.store().outbox_delivered_below(), 3u);
  ASSERT_TRUE(f.loop().execute(append_command("s/x", ExpectedVersion::any())).ok());
  auto after = f.store().read_outbox(0, 10);
  ASSERT_EQ(after->size(), 3u);
  EXPECT_EQ(after->front().seq, 3u);
  EXPECT_EQ(after->back().seq, 5u);
}

TEST(Store, FlushesDropPublishedOutboxEntriesAndKeepTheOthers) {
  StoreFixture f;
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(
        f.loop().execute(append_command("s/" + std::to_string(i), ExpectedVersion::any())).ok());
  }
  ASSERT_TRUE(f.store().mark_outbox_delivered(4).ok());
  ASSERT_TRUE(
      f.store().db()->Flush(rocksdb::FlushOptions(), f.store().column(Column::kOutbox)).ok());

  // What the files hold, below what read_outbox shows.
  std::vector<uint64_t> stored;
  std::unique_ptr<rocksdb::Iterator> it(
      f.store().db()->NewIterator(rocksdb::ReadOptions(), f.store().column(Column::kOutbox)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    stored.push_back(read_be64(std::string_view(it->key().data(), it->key().size())));
  }
  EXPECT_EQ(stored, (std::vector<uint64_t>{4, 5}));
  auto outbox = f.store().read_outbox(0, 10);
  ASSERT_TRUE(outbox.ok()) << outbox.status();
  ASSERT_EQ(outbox->size(), 2u);
  EXPECT_FALSE((*outbox)[0].record.value().empty());
}

// The files a store no longer needs (WALs whose data every column has flushed, tables a
// compaction replaced) are deleted a few MB at a time in the background (Store::open):
// the disk space comes back all the same, and a file left half-deleted by a crash goes at the
// next open.
std::vector<std::string> files_ending(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().string().ends_with(suffix)) {
      found.push_back(entry.path().filename().string());
    }
  }
  return found;
}

bool gone_within(const std::function<bool()>& gone, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!gone()) {
    if (std::chrono::steady_clock::now() > until) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

TEST(Store, FilesNoLongerNeededAreDeletedAndLeftoversOfACrashedDeletionGoAtOpen) {
  StoreFixture f;
  const std::string db = f.dir().sub("db");
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(
        f.loop().execute(append_command("s/" + std::to_string(i), ExpectedVersion::any())).ok());
  }
  const auto wals_before = files_ending(db, ".log");
  ASSERT_FALSE(wals_before.empty());
  for (int c = 0; c < kColumnCount; ++c) {
    ASSERT_TRUE(f.store()
                    .db()
                    ->Flush(rocksdb::FlushOptions(), f.store().column(static_cast<Column>(c)))
                    .ok());
  }
  // Every column flushed: the WALs that held the appends are obsolete, and go.
  EXPECT_TRUE(gone_within(
      [&] {
        for (const auto& wal : files_ending(db, ".log")) {
          if (std::find(wals_before.begin(), wals_before.end(), wal) != wals_before.end()) {
            return false;
          }
        }
        return files_ending(db, ".trash").empty();
      },
      std::chrono::seconds(10)));

  std::ofstream(db + "/000999.sst.trash") << std::string(1 << 20, 'x');
  f.reopen();
  EXPECT_TRUE(
      gone_within([&] { return files_ending(db, ".trash").empty(); }, std::chrono::seconds(10)));
  EXPECT_EQ(*f.store().stream_version("s/7"), 1u);
}

TEST(Store, ScanPagesThroughStateRowsByPrefix) {
  StoreFixture f;
  Command c;
  c.execute = [](Transaction& txn) -> Result<std::string> {
    for (const char* k : {"a/1", "a/2", "a/3", "b/1"}) {
      txn.put(k, k);
    }
    return std::string();
  };
  ASSERT_TRUE(f.loop().execute(std::move(c)).ok());
  std::vector<std::string> seen;
  ASSERT_TRUE(f.store()
                  .scan(Column::kState, "a/", std::string("a/1") + '\0',
                        [&](std::string_view k, std::string_view) {
                          seen.emplace_back(k);
                          return true;
                        })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a/2", "a/3"}));
}

TEST(Store, ForEachEventVisitsEveryStreamInVersionOrder) {
  StoreFixture f;
  ASSERT_TRUE(f.loop().execute(append_command("b", ExpectedVersion::any(), 2)).ok());
  ASSERT_TRUE(f.loop().execute(append_command("a", ExpectedVersion::any(), 2)).ok());
  std::vector<std::string> seen;
  ASSERT_TRUE(f.store()
                  .for_each_event([&](const Envelope& e) {
                    seen.push_back(e.stream() + "@" + std::to_string(e.version()));
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a@1", "a@2", "b@1", "b@2"}));
}

}  // namespace
}  // namespace arflow::eventstore
