#include "arflow/bus/consumer_runner.h"

#include <fmt/compile.h>
#include <fmt/format.h>
#include <google/protobuf/text_format.h>

#include <charconv>
#include <deque>
#include <future>
#include <limits>

#include "arflow/bus/dead_letter.h"
#include "arflow/bus/topics.h"
#include "arflow/contract/limits.h"
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
struct ConsumerRunner::Counts {
  uint64_t applied = 0, duplicates = 0, dead = 0, gaps = 0, replayed = 0, republish_requests = 0;
};

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

// What a command changed of the runner's memory, kept once the command cannot fail.
struct ConsumerRunner::Staged {
  std::unordered_map<std::string, uint64_t> high_water;
  std::unordered_map<std::string, std::set<uint64_t>> held;  // copies of the streams touched
};

// Where a message came from, and its bytes.
struct ConsumerRunner::Source {
  Position position;
  std::string_view key;
  std::string_view value;
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

namespace {

// The stream as an operator names it within the tenant: "invoice/inv-1".
std::string_view within_tenant(std::string_view stream, std::string_view tenant) {
  if (stream.size() > tenant.size() && stream.starts_with(tenant) && stream[tenant.size()] == '/') {
    return stream.substr(tenant.size() + 1);
  }
  return stream;
}

constexpr std::string_view kUndecodable = "undecodable/";

// At most kMaxTextLength bytes, cut before a UTF-8 character rather than inside one (a
// string field must stay valid UTF-8, or the row would not parse).
std::string truncated_reason(std::string reason) {
  if (reason.size() > contract::kMaxTextLength) {
    size_t end = contract::kMaxTextLength;
    while (end > 0 && (static_cast<unsigned char>(reason[end]) & 0xC0U) == 0x80U) {
      --end;
    }
    reason.resize(end);
  }
  return reason;
}

}  // namespace

absl::Status ConsumerRunner::hold(Transaction& txn, Staged& staged, const Envelope& event,
                                  const Source& source, admin::v1::DeadLetterState state,
                                  std::string reason) {
  admin::v1::DeadLetter row;
  const std::string_view stream = within_tenant(event.stream(), event.tenant_id());
  row.set_id(fmt::format("{}@{}", stream, event.version()));
  row.set_consumer(options_.name);
  row.set_state(state);
  row.set_reason(truncated_reason(std::move(reason)));
  row.set_source_topic(source.position.topic);
  row.set_source_partition(source.position.partition);
  row.set_source_offset(source.position.offset);
  row.set_stream(std::string(stream));
  row.set_version(event.version());
  row.set_event_type(std::string(eventstore::event_type(event)));
  eventstore::to_proto(txn.now(), *row.mutable_held_at());
  row.set_attempts(state == admin::v1::DEAD_LETTER_STATE_FAILED
                       ? static_cast<uint32_t>(options_.max_attempts)
                   : state == admin::v1::DEAD_LETTER_STATE_REFUSED ? 1U
                                                                   : 0U);
  row.set_source_key(std::string(source.key));
  row.set_source_value(std::string(source.value));
  row.set_tenant_id(event.tenant_id());
  txn.put(held_key(options_.name, event.tenant_id(), event.stream(), event.version()),
          row.SerializeAsString(), eventstore::RowUse::kQueriesOnly);
  held_versions_for_change(staged, high_water_key(options_.name, event.tenant_id(), event.stream()))
      .insert(event.version());
  return absl::OkStatus();
}

absl::Status ConsumerRunner::hold_undecodable(Transaction& txn, const Source& source,
                                              std::string reason) {
  const RefusedMessage refused{
      options_.name, source.position.topic, source.position.partition, source.position.offset,
      source.key,    source.value};
  ARFLOW_RETURN_IF_ERROR(txn.enqueue(bus::dead_letter(refused, reason, txn.now())));
  ARFLOW_LOG_WARN("consumer_dead_letter",
                  "consumer={} topic={} partition={} offset={} reason=\"{}\"", options_.name,
                  source.position.topic, source.position.partition, source.position.offset, reason);
  // Listed under the tenant its key names ("<tenant>/<customer>"); it parks no stream.
  const std::string_view tenant = source.key.substr(0, source.key.find('/'));
  const std::string stream = fmt::format("{}{}/{}/{}", kUndecodable, source.position.topic,
                                         source.position.partition, source.position.offset);
  admin::v1::DeadLetter row;
  row.set_id(stream + "@1");
  row.set_consumer(options_.name);
  row.set_state(admin::v1::DEAD_LETTER_STATE_UNDECODABLE);
  row.set_reason(truncated_reason(std::move(reason)));
  row.set_source_topic(source.position.topic);
  row.set_source_partition(source.position.partition);
  row.set_source_offset(source.position.offset);
  row.set_stream(stream);
  row.set_version(1);
  eventstore::to_proto(txn.now(), *row.mutable_held_at());
  row.set_attempts(1);
  row.set_source_key(std::string(source.key));
  row.set_source_value(std::string(source.value));
  row.set_tenant_id(std::string(tenant));
  txn.put(held_key(options_.name, tenant, stream, 1), row.SerializeAsString(),
          eventstore::RowUse::kQueriesOnly);
  return absl::OkStatus();
}

absl::Status ConsumerRunner::drain(Transaction& txn, Staged& staged, Counts& counts,
                                   std::string_view tenant, std::string_view stream,
                                   bool operator_replay) {
  const std::string hw_key = high_water_key(options_.name, tenant, stream);
  std::set<uint64_t>& held = held_versions_for_change(staged, hw_key);
  ARFLOW_ASSIGN_OR_RETURN(uint64_t hw, high_water(txn, staged, hw_key));
  Envelope event;
  while (!held.empty() && *held.begin() <= hw + 1) {
    const uint64_t version = *held.begin();
    const std::string key = held_key(options_.name, tenant, stream, version);
    if (version <= hw) {  // applied meanwhile: a copy
      txn.remove(key);
      held.erase(version);
      continue;
    }
    ARFLOW_ASSIGN_OR_RETURN(const auto bytes, txn.get(key));
    admin::v1::DeadLetter row;
    if (!bytes.has_value() || !row.ParseFromString(*bytes) ||
        !event.ParseFromString(row.source_value())) {
      return absl::DataLossError(
          fmt::format("held event {} of stream {} is missing or unreadable", version, stream));
    }
    absl::Status applied = apply_event(txn, event);
    if (!applied.ok()) {
      const bool refused = is_business_refusal(applied.code());
      if (!refused && !operator_replay) {
        return applied;  // as for any event: the batch is tried again after a backoff
      }
      if (refused && row.state() == admin::v1::DEAD_LETTER_STATE_WAITING) {
        // Refused the first time: a dead letter now, like one refused on arrival.
        ++counts.dead;
        const RefusedMessage copy{options_.name,       row.source_topic(), row.source_partition(),
                                  row.source_offset(), row.source_key(),   row.source_value()};
        ARFLOW_RETURN_IF_ERROR(txn.enqueue(bus::dead_letter(copy, applied.ToString(), txn.now())));
      }
      row.set_state(refused ? admin::v1::DEAD_LETTER_STATE_REFUSED
                            : admin::v1::DEAD_LETTER_STATE_FAILED);
      row.set_reason(truncated_reason(applied.ToString()));
      row.set_attempts(row.attempts() + 1);
      txn.put(key, row.SerializeAsString(), eventstore::RowUse::kQueriesOnly);
      return absl::OkStatus();  // still held: the stream stays parked
    }
    txn.remove(key);
    held.erase(version);
    hw = version;
    set_high_water(txn, staged, hw_key, version);
    ++counts.applied;
    ++counts.replayed;
  }
  return absl::OkStatus();
}

absl::Status ConsumerRunner::request_republish(Transaction& txn, const Envelope& event,
                                               uint64_t from, uint64_t to) {
  Envelope request;
  request.set_event_id(txn.new_id());
  request.set_tenant_id(event.tenant_id());
  request.set_stream(fmt::format("{}/republish/{}", event.tenant_id(), request.event_id()));
  request.set_version(1);
  request.set_customer_id(event.customer_id());
  eventstore::to_proto(txn.now(), *request.mutable_occurred_at());
  *request.mutable_recorded_at() = request.occurred_at();
  request.set_actor(options_.name);
  request.set_causation_id(event.event_id());
  request.set_correlation_id(event.correlation_id());
  auto* asked = request.mutable_republish_requested();
  asked->set_stream(event.stream());
  asked->set_from_version(from);
  asked->set_to_version(to);
  asked->set_consumer(options_.name);
  internal::v1::OutboxRecord record;
  record.set_topic(std::string(kRepublishRequests));
  record.set_key(eventstore::message_key(event.tenant_id(), event.customer_id()));
  record.set_value(request.SerializeAsString());
  record.set_event_id(request.event_id());
  record.set_event_type("republish_requested");
  return txn.enqueue(record);
}

absl::Status ConsumerRunner::answer_republish(Transaction& txn, const Envelope& event) {
  const auto& asked = event.republish_requested();
  const uint64_t to =
      asked.to_version() == 0 ? std::numeric_limits<uint64_t>::max() : asked.to_version();
  if (asked.stream().empty() || asked.from_version() == 0 || asked.from_version() > to) {
    return absl::OkStatus();  // nothing a store could answer
  }
  ARFLOW_ASSIGN_OR_RETURN(const uint64_t republished,
                          txn.republish(asked.stream(), asked.from_version(), to));
  if (republished > 0) {
    ARFLOW_LOG_INFO("stream_republished", "stream={} from={} events={} asked_by={}", asked.stream(),
                    asked.from_version(), republished, asked.consumer());
  }
  return absl::OkStatus();
}

absl::Status ConsumerRunner::load_held() {
  const std::string prefix = fmt::format("consumer/{}/held/", options_.name);
  absl::Status parsed = absl::OkStatus();
  ARFLOW_RETURN_IF_ERROR(store_.scan(
      eventstore::Column::kState, prefix, "", [&](std::string_view key, std::string_view) {
        // <tenant>/<stream>\0<version:be64>
        std::string_view rest = key.substr(prefix.size());
        const size_t slash = rest.find('/');
        const size_t nul = rest.size() < 9 ? std::string_view::npos : rest.size() - 9;
        if (slash == std::string_view::npos || nul == std::string_view::npos || nul < slash ||
            rest[nul] != '\0') {
          parsed = absl::DataLossError(fmt::format("held event row '{}' is malformed", key));
          return false;
        }
        const std::string_view tenant = rest.substr(0, slash);
        const std::string_view stream = rest.substr(slash + 1, nul - slash - 1);
        if (!stream.starts_with(kUndecodable)) {
          held_[high_water_key(options_.name, tenant, stream)].insert(
              eventstore::read_be64(rest.substr(nul + 1)));
        }
        return true;
      }));
  ARFLOW_RETURN_IF_ERROR(parsed);
  uint64_t held = 0;
  for (const auto& [k, versions] : held_) {
    held += versions.size();
  }
  held_count_ = held;
  parked_streams_ = held_.size();
  return absl::OkStatus();
}

namespace {

// "invoice/inv-1@3" -> {"invoice/inv-1", 3}; "invoice/inv-1" -> {"invoice/inv-1", 0}.
Result<std::pair<std::string_view, uint64_t>> parse_dead_letter_id(std::string_view id) {
  const size_t at = id.rfind('@');
  if (at == std::string_view::npos) {
    if (id.empty()) {
      return invalid_field("id", "must name a held event (\"invoice/inv-1@3\") or its stream");
    }
    return std::pair{id, uint64_t{0}};
  }
  uint64_t version = 0;
  const std::string_view digits = id.substr(at + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (at == 0 || ec != std::errc() || end != digits.data() + digits.size() || version == 0) {
    return invalid_field("id", fmt::format("'{}' is not <stream>@<version>", id));
  }
  return std::pair{id.substr(0, at), version};
}

// The names a stream an operator gave ("invoice/inv-1") may have in events: under the
// tenant, as arflow's services name them, or as given (undecodable messages, and streams
// not named under their tenant).
std::vector<std::string> candidate_streams(std::string_view tenant, std::string_view stream) {
  if (stream.starts_with(kUndecodable)) {
    return {std::string(stream)};
  }
  return {fmt::format("{}/{}", tenant, stream), std::string(stream)};
}

}  // namespace

Result<std::vector<admin::v1::DeadLetter>> ConsumerRunner::dead_letters(std::string_view tenant,
                                                                        size_t max,
                                                                        uint64_t* total) const {
  std::vector<admin::v1::DeadLetter> out;
  uint64_t count = 0;
  absl::Status parsed = absl::OkStatus();
  ARFLOW_RETURN_IF_ERROR(store_.scan(
      eventstore::Column::kState, fmt::format("consumer/{}/held/{}/", options_.name, tenant), "",
      [&](std::string_view key, std::string_view value) {
        ++count;
        if (out.size() < max) {
          admin::v1::DeadLetter row;
          if (!row.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            parsed = absl::DataLossError(fmt::format("held event row '{}' is unreadable", key));
            return false;
          }
          row.clear_source_value();
          out.push_back(std::move(row));
        }
        return true;
      }));
  ARFLOW_RETURN_IF_ERROR(parsed);
  if (total != nullptr) {
    *total = count;
  }
  return out;
}

Result<admin::v1::DeadLetter> ConsumerRunner::dead_letter(std::string_view tenant,
                                                          std::string_view id) const {
  ARFLOW_ASSIGN_OR_RETURN(const auto parsed, parse_dead_letter_id(id));
  const auto& [stream, version] = parsed;
  if (version == 0) {
    return invalid_field("id", fmt::format("'{}' is not <stream>@<version>", id));
  }
  std::optional<std::string> bytes;
  for (const auto& candidate : candidate_streams(tenant, stream)) {
    ARFLOW_ASSIGN_OR_RETURN(bytes, store_.get(eventstore::Column::kState,
                                              held_key(options_.name, tenant, candidate, version)));
    if (bytes.has_value()) {
      break;
    }
  }
  admin::v1::DeadLetter row;
  if (!bytes.has_value()) {
    return absl::NotFoundError(
        fmt::format("id: consumer {} holds no event '{}'", options_.name, id));
  }
  if (!row.ParseFromString(*bytes)) {
    return absl::DataLossError(fmt::format("held event '{}' is unreadable", id));
  }
  Envelope event;
  if (event.ParseFromString(row.source_value())) {
    google::protobuf::TextFormat::PrintToString(event, row.mutable_event_text());
  }
  return row;
}

Result<ReplayOutcome> ConsumerRunner::replay(std::string_view tenant, std::string_view id) {
  ARFLOW_ASSIGN_OR_RETURN(const auto parsed, parse_dead_letter_id(id));
  auto outcome = std::make_shared<ReplayOutcome>();
  eventstore::Command command;
  command.tenant = std::string(tenant);
  // On the loop's executor thread, like the batches, which alone touch high_water_ and held_.
  command.execute = [this, outcome, tenant = std::string(tenant),
                     candidates = candidate_streams(tenant, parsed.first),
                     shown = std::string(id)](Transaction& txn) -> Result<std::string> {
    Staged staged;
    Counts counts;
    std::string stream = candidates.front();
    for (const auto& candidate : candidates) {
      const auto* held = held_versions(staged, high_water_key(options_.name, tenant, candidate));
      if (held != nullptr && !held->empty()) {
        stream = candidate;
        break;
      }
    }
    if (stream.starts_with(kUndecodable)) {
      const std::string key = held_key(options_.name, tenant, stream, 1);
      ARFLOW_ASSIGN_OR_RETURN(const auto bytes, txn.get(key));
      admin::v1::DeadLetter row;
      if (!bytes.has_value() || !row.ParseFromString(*bytes)) {
        return absl::NotFoundError(
            fmt::format("id: consumer {} holds no event '{}'", options_.name, shown));
      }
      Envelope event;
      const bool decoded = event.ParseFromString(row.source_value()) && !event.stream().empty() &&
                           event.version() > 0;
      if (!decoded || event.tenant_id() != tenant) {
        // Still unreadable, or an event of another tenant than its key named: stays held.
        row.set_attempts(row.attempts() + 1);
        if (decoded) {
          row.set_reason("its event is of another tenant than its key names");
        }
        txn.put(key, row.SerializeAsString(), eventstore::RowUse::kQueriesOnly);
        row.clear_source_value();
        outcome->held.push_back(std::move(row));
        return std::string();
      }
      txn.remove(key);
      const Source source{
          .position = {row.source_topic(), row.source_partition(), row.source_offset()},
          .key = row.source_key(),
          .value = row.source_value()};
      ARFLOW_RETURN_IF_ERROR(offer(txn, staged, counts, event, source));
    } else {
      const std::string hw_key = high_water_key(options_.name, tenant, stream);
      const std::set<uint64_t>* held = held_versions(staged, hw_key);
      if (held == nullptr || held->empty()) {
        return absl::NotFoundError(fmt::format("id: consumer {} holds nothing of stream '{}'",
                                               options_.name, within_tenant(stream, tenant)));
      }
      ARFLOW_RETURN_IF_ERROR(drain(txn, staged, counts, tenant, stream, /*operator_replay=*/true));
      ARFLOW_ASSIGN_OR_RETURN(const uint64_t hw, high_water(txn, staged, hw_key));
      held = held_versions(staged, hw_key);
      for (const uint64_t version : *held) {
        ARFLOW_ASSIGN_OR_RETURN(const auto bytes,
                                txn.get(held_key(options_.name, tenant, stream, version)));
        admin::v1::DeadLetter row;
        if (!bytes.has_value() || !row.ParseFromString(*bytes)) {
          return absl::DataLossError(
              fmt::format("held event {} of stream {} is unreadable", version, stream));
        }
        if (version == *held->begin() && version > hw + 1) {
          // Still missing what comes before: ask its service again.
          Envelope event;
          if (event.ParseFromString(row.source_value())) {
            ARFLOW_RETURN_IF_ERROR(request_republish(txn, event, hw + 1, version - 1));
            ++counts.republish_requests;
          }
        }
        row.clear_source_value();
        outcome->held.push_back(std::move(row));
      }
    }
    keep(staged);
    outcome->applied = counts.applied;
    applied_.fetch_add(counts.applied);
    replayed_.fetch_add(counts.replayed);
    republish_requests_.fetch_add(counts.republish_requests);
    return std::string();
  };
  ARFLOW_RETURN_IF_ERROR(loop_.execute(std::move(command)).status());
  ARFLOW_LOG_INFO("dead_letters_replayed", "consumer={} tenant={} id={} applied={} still_held={}",
                  options_.name, tenant, id, outcome->applied, outcome->held.size());
  return std::move(*outcome);
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
