#include "arflow/eventstore/store.h"

#include <fmt/format.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/sst_file_manager.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>

namespace arflow::eventstore {

uint64_t event_tag(std::string_view stored_event) {
  // Never 0, which stands for "no event".
  return std::hash<std::string_view>{}(stored_event) | 1U;
}

absl::Status to_status(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) {
    return absl::OkStatus();
  }
  const std::string message = fmt::format("{}: {}", what, s.ToString());
  if (s.IsCorruption()) {
    return absl::InternalError(message);
  }
  if (s.IsInvalidArgument()) {
    return absl::InvalidArgumentError(message);
  }
  return absl::UnavailableError(message);
}

namespace {

// How obsolete files are deleted (see Store::open): 8 MB at a time, at most 512 MB/s (far
// above what the service writes, so deletions never fall behind), and however much is
// waiting; a file renamed for deletion and left by a crash is deleted at the next open.
constexpr int64_t kDeleteBytesPerSecond = int64_t{512} << 20;
constexpr uint64_t kDeleteChunkBytes = uint64_t{8} << 20;
constexpr double kMaxTrashRatio = 1000.0;

// Every outbox entry below the seq this row holds is published (Store::mark_outbox_delivered).
const std::string kOutboxDeliveredKey = std::string("\0kernel/outbox_delivered_below", 30);

// Drops published outbox entries from the files flushes and compactions write.
class DeliveredOutbox final : public rocksdb::CompactionFilter {
 public:
  explicit DeliveredOutbox(const Store& store) : store_(store) {}
  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice&, std::string*,
              bool*) const override {
    return key.size() == 8 &&
           read_be64(std::string_view(key.data(), key.size())) < store_.outbox_delivered_below();
  }
  const char* Name() const override { return "arflow.DeliveredOutbox"; }

 private:
  const Store& store_;
};

// A factory, because only a factory's filters also run when a memtable is flushed: most
// entries are published before their memtable is, and need never reach a file.
class DeliveredOutboxFactory final : public rocksdb::CompactionFilterFactory {
 public:
  explicit DeliveredOutboxFactory(const Store& store) : store_(store) {}
  bool ShouldFilterTableFileCreation(rocksdb::TableFileCreationReason) const override {
    return true;
  }
  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context&) override {
    return std::make_unique<DeliveredOutbox>(store_);
  }
  const char* Name() const override { return "arflow.DeliveredOutboxFactory"; }

 private:
  const Store& store_;
};

// Drops idempotency records past retention when their files are compacted.
class IdempotencyExpiry final : public rocksdb::CompactionFilter {
 public:
  explicit IdempotencyExpiry(const Store& store) : store_(store) {}
  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value, std::string*,
              bool*) const override {
    internal::v1::IdempotencyRecord record;
    // An undecodable record is kept: dropping it would let a retry run twice.
    return record.ParseFromArray(value.data(), static_cast<int>(value.size())) &&
           store_.idempotency_expired(record.recorded_at_unix_ms());
  }
  const char* Name() const override { return "arflow.IdempotencyExpiry"; }

 private:
  const Store& store_;
};

rocksdb::ColumnFamilyOptions column_options(Column c, const Store& store,
                                            const std::shared_ptr<rocksdb::Cache>& cache,
                                            const rocksdb::CompactionFilter* idempotency_expiry) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Flushes and the first level of compactions write uncompressed files: they run on the
  // cores the executor needs, and their files are soon compacted again. Deeper levels, where
  // data settles, are compressed with LZ4. Measured, invoicing batched: RocksDB's threads
  // 0.09 core instead of 0.13 (snappy everywhere, the default).
  cf.compression_per_level = {rocksdb::kNoCompression, rocksdb::kNoCompression,
                              rocksdb::kLZ4Compression};
  // The outbox is a queue: written, published soon, then dropped by the flush of its
  // memtable (DeliveredOutbox). A small memtable drops it sooner.
  cf.write_buffer_size = c == Column::kOutbox ? (16u << 20) : (64u << 20);
  // Most point reads of events and idempotency records look for what is not there (the
  // first event of a new stream, a new request id): a memtable bloom filter answers them
  // without searching the memtables' skiplists (measured: ~5% of the executor).
  if (c == Column::kEvents || c == Column::kIdempotency) {
    cf.memtable_prefix_bloom_size_ratio = 0.02;
    cf.memtable_whole_key_filtering = true;
  }
  if (c == Column::kOutbox) {
    cf.compaction_filter_factory = std::make_shared<DeliveredOutboxFactory>(store);
  }
  if (c == Column::kIdempotency) {
    cf.compaction_filter = idempotency_expiry;
    // Even with no writes to trigger compactions, old files are revisited once a day.
    cf.periodic_compaction_seconds = uint64_t{24} * 3600;
  }
  return cf;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const StoreOptions& options) {
  if (options.path.empty()) {
    return invalid_field("data_dir", "must not be empty");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return absl::UnavailableError(fmt::format("cannot create {}: {}", options.path, ec.message()));
  }
  std::unique_ptr<Store> store(new Store(options));
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1u << 20;
  // One writer (the CommandLoop): the lock-free concurrent memtable insert only costs.
  db_options.allow_concurrent_memtable_write = false;
  // Events, outbox and idempotency records of one batch must be durable together; the WAL
  // is the only place where that holds across column families, so it is never disabled.
  db_options.manual_wal_flush = false;
  // Obsolete WALs and table files are deleted a few MB at a time by a background thread, not
  // unlinked whole by the flush that made them obsolete: on ext4 mounted with `discard`, the
  // journal commit that frees a 100 MB file discards it all, and every WAL sync waits behind
  // it (measured: the service stopped answering for ~100 ms after each large WAL deletion).
  rocksdb::Status manager_status;
  db_options.sst_file_manager.reset(
      rocksdb::NewSstFileManager(rocksdb::Env::Default(), nullptr, "", kDeleteBytesPerSecond, true,
                                 &manager_status, kMaxTrashRatio, kDeleteChunkBytes));
  ARFLOW_RETURN_IF_ERROR(to_status(manager_status, "start the file deleter"));

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kColumnCount; ++i) {
    const auto c = static_cast<Column>(i);
    descriptors.emplace_back(std::string(column_name(c)),
                             column_options(c, *store, cache, store->idempotency_expiry_.get()));
  }
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());

  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(db_options, options.path, descriptors, &store->handles_, &raw);
  ARFLOW_RETURN_IF_ERROR(to_status(s, fmt::format("open event store at {}", options.path)));
  store->db_.reset(raw);
  auto delivered = store->get(Column::kState, kOutboxDeliveredKey);
  if (!delivered.ok()) {
    return delivered.status();
  }
  if (delivered->has_value()) {
    if ((*delivered)->size() != 8) {
      return absl::DataLossError("the outbox's published mark is unreadable");
    }
    store->outbox_delivered_below_.store(read_be64(**delivered), std::memory_order_relaxed);
  }
  return store;
}

Store::Store(StoreOptions options)
    : options_(std::move(options)),
      owned_clock_(options_.clock == nullptr ? std::make_unique<SystemClock>() : nullptr),
      idempotency_expiry_(std::make_unique<IdempotencyExpiry>(*this)) {
  if (options_.clock == nullptr) {
    options_.clock = owned_clock_.get();
  }
}

bool Store::idempotency_expired(int64_t recorded_at_unix_ms) const {
  const int64_t retention_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.idempotency_retention).count();
  return recorded_at_unix_ms < to_unix_millis(options_.clock->now()) - retention_ms;
}

absl::Status Store::compact_idempotency() {
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  ARFLOW_RETURN_IF_ERROR(
      to_status(db_->Flush(rocksdb::FlushOptions(), column(Column::kIdempotency)),
                "flush idempotency records"));
  return to_status(db_->CompactRange(o, column(Column::kIdempotency), nullptr, nullptr),
                   "compact idempotency records");
}

Store::~Store() {
  if (!db_) {
    return;
  }
  for (auto* h : handles_) {
    db_->DestroyColumnFamilyHandle(h);
  }
  db_->Close();
}

rocksdb::ColumnFamilyHandle* Store::column(Column c) const {
  return handles_[static_cast<size_t>(c)];
}

Result<std::vector<Envelope>> Store::read_stream(std::string_view stream,
                                                 uint64_t from_version) const {
  ARFLOW_RETURN_IF_ERROR(validate_stream(stream));
  std::string prefix(stream);
  prefix.push_back('\0');
  std::vector<Envelope> out;
  absl::Status decode_error;
  ARFLOW_RETURN_IF_ERROR(scan(
      Column::kEvents, prefix, event_key(stream, from_version),
      [&](std::string_view, std::string_view value) {
        if (!out.emplace_back().ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          decode_error = absl::DataLossError(fmt::format("undecodable event in stream {}", stream));
          return false;
        }
        return true;
      }));
  ARFLOW_RETURN_IF_ERROR(decode_error);
  return out;
}

Result<StreamHead> Store::stream_head(std::string_view stream) const {
  ARFLOW_RETURN_IF_ERROR(validate_stream(stream));
  // Events are never removed, so a stream without event 1 is empty. Most streams asked about
  // are new (an invoice being created): a point read, which the bloom filters answer, costs
  // far less than creating an iterator and seeking.
  {
    const std::string first_key = event_key(stream, 1);
    rocksdb::PinnableSlice first;
    auto s = db_->Get(rocksdb::ReadOptions(), column(Column::kEvents),
                      rocksdb::Slice(first_key.data(), first_key.size()), &first);
    if (s.IsNotFound()) {
      return StreamHead{};
    }
    ARFLOW_RETURN_IF_ERROR(to_status(s, "read stream head"));
  }
  // The head is the stream's last event key: seek just past the highest possible version.
  const std::string last = event_key(stream, ~uint64_t{0});
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), column(Column::kEvents)));
  it->SeekForPrev(last);
  ARFLOW_RETURN_IF_ERROR(to_status(it->status(), "read stream head"));
  if (!it->Valid()) {
    return StreamHead{};
  }
  const auto key = it->key();
  const rocksdb::Slice prefix(last.data(), last.size() - 8);
  if (key.size() != last.size() || !key.starts_with(prefix)) {
    return StreamHead{};
  }
  return StreamHead{.version = read_be64(std::string_view(key.data() + key.size() - 8, 8)),
                    .tag = event_tag(std::string_view(it->value().data(), it->value().size()))};
}

Result<uint64_t> Store::stream_version(std::string_view stream) const {
  auto head = stream_head(stream);
  if (!head.ok()) {
    return head.status();
  }
  return head->version;
}

absl::Status Store::for_each_event(
    const std::function<absl::Status(const Envelope&)>& visit) const {
  absl::Status result;
  ARFLOW_RETURN_IF_ERROR(scan(Column::kEvents, "", "", [&](std::string_view, std::string_view v) {
    Envelope e;
    if (!e.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      result = absl::DataLossError("undecodable event in the event store");
      return false;
    }
    result = visit(e);
    return result.ok();
  }));
  return result;
}

Result<std::optional<std::string>> Store::get(Column column, std::string_view key) const {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), this->column(column),
                    rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) {
    return std::optional<std::string>();
  }
  ARFLOW_RETURN_IF_ERROR(to_status(s, "read"));
  return std::optional<std::string>(std::move(value));
}

absl::Status Store::scan(
    Column column, std::string_view prefix, std::string_view start,
    const std::function<bool(std::string_view, std::string_view)>& visit) const {
  rocksdb::ReadOptions ro;
  std::string upper;
  rocksdb::Slice upper_slice;
  // Upper bound: the prefix with its last byte incremented (bytes of 0xff carried away).
  upper.assign(prefix);
  while (!upper.empty() && static_cast<uint8_t>(upper.back()) == 0xff) {
    upper.pop_back();
  }
  if (!upper.empty()) {
    upper.back() = static_cast<char>(static_cast<uint8_t>(upper.back()) + 1);
    upper_slice = rocksdb::Slice(upper);
    ro.iterate_upper_bound = &upper_slice;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, this->column(column)));
  const std::string_view from = start.empty() ? prefix : start;
  it->Seek(rocksdb::Slice(from.data(), from.size()));
  for (; it->Valid(); it->Next()) {
    const auto k = it->key();
    const auto v = it->value();
    if (!k.starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) {
      break;
    }
    if (!visit(std::string_view(k.data(), k.size()), std::string_view(v.data(), v.size()))) {
      break;
    }
  }
  return to_status(it->status(), "scan");
}

Result<std::vector<OutboxEntry>> Store::read_outbox(uint64_t from_seq, size_t max) const {
  std::vector<OutboxEntry> out;
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, column(Column::kOutbox)));
  const std::string start = be64(std::max(from_seq, outbox_delivered_below()));
  for (it->Seek(start); it->Valid() && out.size() < max; it->Next()) {
    auto& entry = out.emplace_back();
    entry.seq = read_be64(std::string_view(it->key().data(), it->key().size()));
    if (!entry.record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(fmt::format("undecodable outbox entry {}", entry.seq));
    }
  }
  ARFLOW_RETURN_IF_ERROR(to_status(it->status(), "read outbox"));
  ARFLOW_RETURN_IF_ERROR(read_published_events(out));
  return out;
}

absl::Status Store::read_published_events(std::vector<OutboxEntry>& entries) const {
  std::vector<OutboxEntry*> named;
  std::vector<rocksdb::Slice> rows;
  for (auto& entry : entries) {
    if (!entry.record.event_row().empty()) {
      named.push_back(&entry);
      rows.emplace_back(entry.record.event_row());
    }
  }
  if (rows.empty()) {
    return absl::OkStatus();
  }
  // The entry and its event were written in one batch, and events are never removed: the
  // row is there whenever the entry is.
  std::vector<rocksdb::PinnableSlice> values(rows.size());
  std::vector<rocksdb::Status> statuses(rows.size());
  db_->MultiGet(rocksdb::ReadOptions(), column(Column::kEvents), rows.size(), rows.data(),
                values.data(), statuses.data());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      return absl::DataLossError(
          fmt::format("outbox entry {} names an event that is not stored", named[i]->seq));
    }
    ARFLOW_RETURN_IF_ERROR(to_status(statuses[i], "read a published event"));
    named[i]->record.set_value(values[i].data(), values[i].size());
  }
  return absl::OkStatus();
}

absl::Status Store::mark_outbox_delivered(uint64_t seq) {
  std::lock_guard lock(mark_mu_);  // the check and the write together: the mark never goes back
  if (seq <= outbox_delivered_below()) {
    return absl::OkStatus();
  }
  // One row instead of a tombstone per entry: deleting each published entry cost the relay
  // a memtable insert apiece (~30% of its time), and the tombstones piled up in front of its
  // reads.
  rocksdb::WriteOptions wo;
  wo.sync = false;
  ARFLOW_RETURN_IF_ERROR(
      to_status(db_->Put(wo, column(Column::kState), kOutboxDeliveredKey, be64(seq)),
                "record the published outbox"));
  outbox_delivered_below_.store(seq, std::memory_order_relaxed);
  return absl::OkStatus();
}

uint64_t Store::outbox_delivered_below() const {
  return outbox_delivered_below_.load(std::memory_order_relaxed);
}

Result<uint64_t> Store::next_outbox_seq() const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), column(Column::kOutbox)));
  it->SeekToLast();
  ARFLOW_RETURN_IF_ERROR(to_status(it->status(), "read outbox"));
  if (!it->Valid()) {
    return uint64_t{0};
  }
  return read_be64(std::string_view(it->key().data(), it->key().size())) + 1;
}

uint64_t Store::approximate_size_bytes() const {
  uint64_t total = 0;
  for (int i = 0; i < kColumnCount; ++i) {
    uint64_t v = 0;
    db_->GetIntProperty(column(static_cast<Column>(i)), rocksdb::DB::Properties::kTotalSstFilesSize,
                        &v);
    total += v;
  }
  uint64_t memtables = 0;
  db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &memtables);
  return total + memtables;
}

}  // namespace arflow::eventstore
