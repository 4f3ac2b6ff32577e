#include "arflow/bus/consumer_runner.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <deque>
#include <future>

#include "arflow/bus/dead_letter.h"
#include "arflow/bus/topics.h"
#include "arflow/core/log.h"
#include "arflow/core/thread_name.h"
#include "arflow/eventstore/keys.h"

namespace arflow::bus {

using eventstore::Envelope;
using eventstore::Transaction;

namespace {
// Bounds the high-water cache; a miss only costs a read of the row.
constexpr size_t kMaxCachedStreams = 1'000'000;
}  // namespace

std::string ConsumerRunner::offset_key(std::string_view consumer, std::string_view topic,
                                       int32_t partition) {
  return fmt::format(FMT_COMPILE("consumer/{}/offset/{}/{}"), consumer, topic, partition);
}

std::string ConsumerRunner::high_water_key(std::string_view consumer, std::string_view tenant,
                                           std::string_view stream) {
  return fmt::format(FMT_COMPILE("consumer/{}/hw/{}/{}"), consumer, tenant, stream);
}

std::string ConsumerRunner::held_key(std::string_view consumer, std::string_view tenant,
                                     std::string_view stream, uint64_t version) {
  std::string key = fmt::format(FMT_COMPILE("consumer/{}/held/{}/{}"), consumer, tenant, stream);
  key.push_back('\0');
  eventstore::append_be64(key, version);
  return key;
}

Result<std::unique_ptr<ConsumerRunner>> ConsumerRunner::start(eventstore::Store& store,
                                                              eventstore::CommandLoop& loop,
                                                              Projection& projection,
                                                              ConsumerOptions options) {
  if (options.name.empty()) {
    return invalid_field("consumer.name", "must not be empty");
  }
  if (options.topics.empty()) {
    return invalid_field("consumer.topics", "must name at least one topic");
  }
  if (options.shard_count < 1 || options.shard < 0 || options.shard >= options.shard_count) {
    return invalid_field("consumer.shard", "must be in [0, shard_count)");
  }
  if (options.answers_republish_requests) {
    options.topics.emplace_back(kRepublishRequests);
  }
  std::unique_ptr<ConsumerRunner> runner(
      new ConsumerRunner(store, loop, projection, std::move(options)));
  ARFLOW_RETURN_IF_ERROR(runner->load_held());
  ARFLOW_RETURN_IF_ERROR(runner->connect());
  ARFLOW_RETURN_IF_ERROR(runner->assign_from_stored_offsets());
  runner->thread_ = std::thread([r = runner.get()] {
    name_this_thread("arflow-consume");
    r->run();
  });
  return runner;
}

ConsumerRunner::ConsumerRunner(eventstore::Store& store, eventstore::CommandLoop& loop,
                               Projection& projection, ConsumerOptions options)
    : store_(store), loop_(loop), projection_(projection), options_(std::move(options)) {}

ConsumerRunner::~ConsumerRunner() {
  stopping_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
  queue_.reset();
  if (consumer_) {
    rd_kafka_consumer_close(consumer_.get());
  }
}

absl::Status ConsumerRunner::connect() {
  auto conf = make_conf(
      {
          {"bootstrap.servers", options_.bootstrap_servers},
          {"group.id", options_.name},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"auto.offset.reset", "earliest"},
          // Low: the embedded broker holds an empty fetch for the whole wait (DESIGN.md).
          {"fetch.wait.max.ms", "10"},
          {"queued.min.messages", "200000"},
          {"log_level", "4"},
      },
      options_.kafka_config);
  if (!conf.ok()) {
    return conf.status();
  }
  auto consumer = make_client(RD_KAFKA_CONSUMER, *std::move(conf));
  if (!consumer.ok()) {
    return consumer.status();
  }
  consumer_ = *std::move(consumer);
  rd_kafka_poll_set_consumer(consumer_.get());
  queue_.reset(rd_kafka_queue_get_consumer(consumer_.get()));

  auto counts = partition_counts(consumer_.get(), options_.topics, std::chrono::seconds(30));
  if (!counts.ok()) {
    return counts.status();
  }
  for (size_t t = 0; t < options_.topics.size(); ++t) {
    for (int p = 0; p < (*counts)[t]; ++p) {
      if (p % options_.shard_count == options_.shard) {
        partitions_.push_back({options_.topics[t], p});
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ConsumerRunner::assign_from_stored_offsets() {
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions_.size())));
  std::lock_guard lock(offsets_mu_);
  for (const auto& p : partitions_) {
    auto stored =
        store_.get(eventstore::Column::kState, offset_key(options_.name, p.topic, p.partition));
    if (!stored.ok()) {
      return stored.status();
    }
    const int64_t offset = stored->has_value()
                               ? static_cast<int64_t>(eventstore::read_be64(**stored))
                               : RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition)->offset = offset;
    next_offsets_[{p.topic, p.partition}] = offset;
  }
  const auto err = rd_kafka_assign(consumer_.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(fmt::format("assign partitions: {}", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

// One poll batch on its way through the command loop. The messages stay alive until the
// command has run; the counters are read once it is durable.
struct ConsumerRunner::InFlightBatch {
  std::vector<rd_kafka_message_t*> messages;
  std::map<std::pair<std::string, int32_t>, int64_t> offsets;  // next offset per partition
  Counts counts;
  std::optional<Position> failed_at;  // the event the batch failed on, if one did
  std::string failure;
  std::future<Result<std::string>> outcome;

  ~InFlightBatch() {
    for (auto* m : messages) {
      rd_kafka_message_destroy(m);
    }
  }
};

void ConsumerRunner::run() {
  std::vector<rd_kafka_message_t*> polled(options_.max_batch);
  // At most two batches in the loop: one being written while the next one runs.
  std::deque<std::unique_ptr<InFlightBatch>> in_flight;
  while (!stopping_.load()) {
    const auto n =
        rd_kafka_consume_batch_queue(queue_.get(), static_cast<int>(options_.poll_timeout.count()),
                                     polled.data(), polled.size());
    if (n > 0) {
      auto batch = std::make_unique<InFlightBatch>();
      batch->messages.assign(polled.begin(), polled.begin() + n);
      submit(*batch);
      in_flight.push_back(std::move(batch));
    }
    while (in_flight.size() > 1 || (n <= 0 && !in_flight.empty())) {
      const std::unique_ptr<InFlightBatch> front = std::move(in_flight.front());
      in_flight.pop_front();
      const auto settled = settle(*front);
      if (!settled.ok()) {
        // Nothing after the failed batch may count (each refuses to run once a batch before
        // it failed): let them finish, then go back to the stored offsets.
        for (auto& later : in_flight) {
          (void)later->outcome.get();
        }
        in_flight.clear();
        poisoned_ = false;
        commit_failures_.fetch_add(1);
        ARFLOW_LOG_ERROR("consumer_batch_failed", "consumer={} reason=\"{}\"", options_.name,
                         settled.ToString());
        back_off(*front);
        const auto rewound = assign_from_stored_offsets();
        if (!rewound.ok()) {
          ARFLOW_LOG_ERROR("consumer_rewind_failed", "consumer={} reason=\"{}\"", options_.name,
                           rewound.ToString());
        }
      }
    }
  }
  for (auto& batch : in_flight) {
    (void)settle(*batch);
  }
}

void ConsumerRunner::back_off(const InFlightBatch& failed) {
  if (!failed.failed_at.has_value()) {
    // Not an event's failure (a read of the runner's own rows): try again in a second.
    std::this_thread::sleep_for(std::chrono::seconds(1));
    return;
  }
  // Counted per event: two poison events of one batch each reach their limit in turn.
  const int failures = ++failures_[*failed.failed_at];
  if (failures >= options_.max_attempts) {
    // The next runs hold that event with its stream instead of trying it again.
    std::lock_guard lock(give_up_mu_);
    give_up_.insert_or_assign(*failed.failed_at, failed.failure);
    return;
  }
  constexpr auto kFirst = std::chrono::milliseconds(100);
  constexpr auto kLongest = std::chrono::seconds(5);
  std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
      kLongest, kFirst * (int64_t{1} << std::min(failures - 1, 10))));
}

void ConsumerRunner::forget_failures_before(
    const std::map<std::pair<std::string, int32_t>, int64_t>& offsets) {
  if (failures_.empty()) {
    return;
  }
  const auto passed = [&](const Position& p) {
    const auto it = offsets.find({p.topic, p.partition});
    return it != offsets.end() && p.offset < it->second;
  };
  std::erase_if(failures_, [&](const auto& entry) { return passed(entry.first); });
  std::lock_guard lock(give_up_mu_);
  std::erase_if(give_up_, [&](const auto& entry) { return passed(entry.first); });
}

absl::Status ConsumerRunner::settle(InFlightBatch& batch) {
  const auto result = batch.outcome.get();
  if (!result.ok()) {
    return result.status();
  }
  {
    std::lock_guard lock(offsets_mu_);
    for (const auto& [tp, next] : batch.offsets) {
      next_offsets_[tp] = next;
    }
  }
  forget_failures_before(batch.offsets);
  applied_.fetch_add(batch.counts.applied);
  duplicates_.fetch_add(batch.counts.duplicates);
  dead_.fetch_add(batch.counts.dead);
  gaps_.fetch_add(batch.counts.gaps);
  replayed_.fetch_add(batch.counts.replayed);
  republish_requests_.fetch_add(batch.counts.republish_requests);
  batches_.fetch_add(1);
  return absl::OkStatus();
}

void ConsumerRunner::submit(InFlightBatch& batch) {
  auto promise = std::make_shared<std::promise<Result<std::string>>>();
  batch.outcome = promise->get_future();
  eventstore::Command command;
  command.done = [promise](Result<std::string> r) { promise->set_value(std::move(r)); };
  // Runs on the loop's executor thread, which alone touches high_water_ and held_.
  command.execute = [this, &batch](Transaction& txn) -> Result<std::string> {
    if (poisoned_.load()) {
      return absl::AbortedError("an earlier batch of this consumer failed");
    }
    // Set first: should the batch throw (the loop catches it and rolls the command back),
    // the next one, read on top of it, must not run either.
    poisoned_ = true;
    auto result = apply_batch(batch, txn);
    if (result.ok()) {
      poisoned_ = false;
    }
    return result;
  };
  loop_.submit(std::move(command));
}

Result<std::string> ConsumerRunner::apply_batch(InFlightBatch& batch, Transaction& txn) {
  Staged staged;
  batch.offsets.clear();
  batch.counts = {};
  batch.failed_at.reset();
  Envelope event;
  for (auto* m : batch.messages) {
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        ARFLOW_LOG_WARN("consumer_fetch_error", "consumer={} reason=\"{}\"", options_.name,
                        rd_kafka_message_errstr(m));
      }
      continue;
    }
    std::string topic = rd_kafka_topic_name(m->rkt);
    batch.offsets[{topic, m->partition}] = m->offset + 1;
    const Source source{.position = {std::move(topic), m->partition, m->offset},
                        .key = {static_cast<const char*>(m->key), m->key_len},
                        .value = {static_cast<const char*>(m->payload), m->len}};
    if (m->payload == nullptr || !event.ParseFromArray(m->payload, static_cast<int>(m->len)) ||
        event.stream().empty() || event.version() == 0) {
      ARFLOW_RETURN_IF_ERROR(
          hold_undecodable(txn, source, "not an arflow Envelope with a stream and a version"));
      ++batch.counts.dead;
      continue;
    }
    if (auto offered = offer(txn, staged, batch.counts, event, source); !offered.ok()) {
      batch.failed_at = source.position;
      batch.failure = offered.ToString();
      return offered;
    }
  }
  for (const auto& [tp, next] : batch.offsets) {
    txn.put(offset_key(options_.name, tp.first, tp.second),
            eventstore::be64(static_cast<uint64_t>(next)));
  }
  keep(staged);
  return std::string();
}

Result<uint64_t> ConsumerRunner::high_water(Transaction& txn, Staged& staged,
                                            const std::string& hw_key) {
  if (auto s = staged.high_water.find(hw_key); s != staged.high_water.end()) {
    return s->second;
  }
  if (auto c = high_water_.find(hw_key); c != high_water_.end()) {
    return c->second;
  }
  auto row = txn.get(hw_key);
  if (!row.ok()) {
    return row.status();
  }
  return row->has_value() ? eventstore::read_be64(**row) : 0;
}

void ConsumerRunner::set_high_water(Transaction& txn, Staged& staged, const std::string& hw_key,
                                    uint64_t version) {
  staged.high_water[hw_key] = version;
  txn.put(hw_key, eventstore::be64(version));
}

std::set<uint64_t>* ConsumerRunner::held_versions(Staged& staged, const std::string& hw_key) {
  if (auto s = staged.held.find(hw_key); s != staged.held.end()) {
    return &s->second;
  }
  if (auto c = held_.find(hw_key); c != held_.end()) {
    return &c->second;  // read only: changes go through held_versions_for_change
  }
  return nullptr;
}

std::set<uint64_t>& ConsumerRunner::held_versions_for_change(Staged& staged,
                                                             const std::string& hw_key) {
  if (auto s = staged.held.find(hw_key); s != staged.held.end()) {
    return s->second;
  }
  std::set<uint64_t> copy;
  if (auto c = held_.find(hw_key); c != held_.end()) {
    copy = c->second;
  }
  return staged.held.emplace(hw_key, std::move(copy)).first->second;
}

void ConsumerRunner::keep(Staged& staged) {
  // As good as committed: if the batch's write fails, the loop stops for good.
  if (high_water_.size() + staged.high_water.size() > kMaxCachedStreams) {
    high_water_.clear();
  }
  for (auto& [k, v] : staged.high_water) {
    high_water_.insert_or_assign(k, v);
  }
  if (staged.held.empty()) {
    return;
  }
  for (auto& [k, versions] : staged.held) {
    if (versions.empty()) {
      held_.erase(k);
    } else {
      held_.insert_or_assign(k, std::move(versions));
    }
  }
  uint64_t held = 0;
  for (const auto& [k, versions] : held_) {
    held += versions.size();
  }
  held_count_ = held;
  parked_streams_ = held_.size();
}

absl::Status ConsumerRunner::offer(Transaction& txn, Staged& staged, Counts& counts,
                                   const Envelope& event, const Source& source) {
  if (event.has_republish_requested()) {
    // Answered each time it comes, without a high-water row per request: a second answer
    // republishes again, which consumers skip as duplicates.
    txn.set_savepoint();
    absl::Status answered = answer_republish(txn, event);
    if (answered.ok()) {
      txn.pop_savepoint();
      return answered;
    }
    txn.rollback_to_savepoint();
    std::lock_guard lock(give_up_mu_);
    if (give_up_.contains(source.position)) {
      // Moves no money: dropped after its tries, logged; the asker can ask again.
      ARFLOW_LOG_ERROR("republish_request_dropped", "consumer={} stream={} reason=\"{}\"",
                       options_.name, event.republish_requested().stream(), answered.ToString());
      return absl::OkStatus();
    }
    return answered;
  }
  const std::string hw_key = high_water_key(options_.name, event.tenant_id(), event.stream());
  ARFLOW_ASSIGN_OR_RETURN(const uint64_t hw, high_water(txn, staged, hw_key));
  const uint64_t version = event.version();
  if (version <= hw) {
    ++counts.duplicates;
    return absl::OkStatus();
  }
  const std::set<uint64_t>* held = held_versions(staged, hw_key);
  const bool parked = held != nullptr && !held->empty();
  if (parked && held->contains(version)) {
    ++counts.duplicates;  // the same event again (a republish): it is held already
    return absl::OkStatus();
  }
  if (version > hw + 1) {
    if (parked) {
      const uint64_t first = *held->begin();
      return hold(txn, staged, event, source, admin::v1::DEAD_LETTER_STATE_WAITING,
                  first == hw + 1
                      ? fmt::format("behind version {} of its stream, held", first)
                      : fmt::format("version {} of its stream has not arrived", hw + 1));
    }
    // Never applied out of order, never taken for a duplicate later: held until the missing
    // events come, which their service is asked to publish again.
    ++counts.gaps;
    ARFLOW_LOG_WARN("consumer_version_gap", "consumer={} stream={} expected={} got={}",
                    options_.name, event.stream(), hw + 1, version);
    ARFLOW_RETURN_IF_ERROR(request_republish(txn, event, hw + 1, version - 1));
    ++counts.republish_requests;
    return hold(txn, staged, event, source, admin::v1::DEAD_LETTER_STATE_WAITING,
                fmt::format("version {} of its stream never arrived; its service was asked to "
                            "publish it again",
                            hw + 1));
  }
  // Its turn (version == hw + 1).
  absl::Status applied = apply_event(txn, event);
  if (applied.ok()) {
    set_high_water(txn, staged, hw_key, version);
    ++counts.applied;
    return parked ? drain(txn, staged, counts, event.tenant_id(), event.stream(),
                          /*operator_replay=*/false)
                  : absl::OkStatus();
  }
  const RefusedMessage refused{
      options_.name, source.position.topic, source.position.partition, source.position.offset,
      source.key,    source.value};
  if (is_business_refusal(applied.code())) {
    ++counts.dead;
    ARFLOW_LOG_WARN("consumer_dead_letter",
                    "consumer={} topic={} partition={} offset={} stream={} reason=\"{}\"",
                    options_.name, source.position.topic, source.position.partition,
                    source.position.offset, event.stream(), applied.ToString());
    ARFLOW_RETURN_IF_ERROR(txn.enqueue(bus::dead_letter(refused, applied.ToString(), txn.now())));
    return hold(txn, staged, event, source, admin::v1::DEAD_LETTER_STATE_REFUSED,
                applied.ToString());
  }
  bool gave_up = false;
  {
    std::lock_guard lock(give_up_mu_);
    gave_up = give_up_.contains(source.position);
  }
  if (!gave_up) {
    return applied;  // the batch is tried again after a backoff (run())
  }
  ++counts.dead;
  const std::string reason =
      fmt::format("failed {} times, last: {}", options_.max_attempts, applied.ToString());
  ARFLOW_LOG_ERROR("consumer_stream_parked", "consumer={} stream={} version={} reason=\"{}\"",
                   options_.name, event.stream(), version, reason);
  ARFLOW_RETURN_IF_ERROR(txn.enqueue(bus::dead_letter(refused, reason, txn.now())));
  return hold(txn, staged, event, source, admin::v1::DEAD_LETTER_STATE_FAILED, reason);
}

absl::Status ConsumerRunner::apply_event(Transaction& txn, const Envelope& event) {
  const std::string_view type = eventstore::event_type(event);
  for (const auto& refused : options_.drill_refuse_event_types) {
    if (refused == type) {
      return precondition_failed(fmt::format("{} refused by the fault drill", type));
    }
  }
  txn.set_savepoint();
  absl::Status applied;
  try {
    applied = projection_.apply(event, txn);
  } catch (const std::exception& e) {
    // A projection's bug: failed like any other, so retried, then held with its stream.
    applied = absl::InternalError(fmt::format("the projection threw: {}", e.what()));
  }
  if (applied.ok()) {
    txn.pop_savepoint();
  } else {
    txn.rollback_to_savepoint();
  }
  return applied;
}

ConsumerStats ConsumerRunner::stats() const {
  return {.applied = applied_.load(),
          .duplicates = duplicates_.load(),
          .dead_lettered = dead_.load(),
          .gaps = gaps_.load(),
          .batches = batches_.load(),
          .commit_failures = commit_failures_.load(),
          .held = held_count_.load(),
          .parked_streams = parked_streams_.load(),
          .replayed = replayed_.load(),
          .republish_requests = republish_requests_.load()};
}

int64_t ConsumerRunner::lag() const {
  int64_t total = 0;
  std::lock_guard lock(offsets_mu_);
  for (const auto& [tp, next] : next_offsets_) {
    int64_t low = 0;
    int64_t high = 0;
    if (rd_kafka_get_watermark_offsets(consumer_.get(), tp.first.c_str(), tp.second, &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    const int64_t from = next < 0 ? low : next;
    total += std::max<int64_t>(0, high - from);
  }
  return total;
}

}  // namespace arflow::bus
