#include "arflow/bus/consumer_runner.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <deque>
#include <future>

#include "arflow/bus/dead_letter.h"
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
  std::unique_ptr<ConsumerRunner> runner(
      new ConsumerRunner(store, loop, projection, std::move(options)));
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
  uint64_t applied = 0, duplicates = 0, dead = 0, gaps = 0;
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
      const auto settled = settle(*in_flight.front());
      in_flight.pop_front();
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
        std::this_thread::sleep_for(std::chrono::seconds(1));
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
  applied_.fetch_add(batch.applied);
  duplicates_.fetch_add(batch.duplicates);
  dead_.fetch_add(batch.dead);
  gaps_.fetch_add(batch.gaps);
  batches_.fetch_add(1);
  return absl::OkStatus();
}

void ConsumerRunner::submit(InFlightBatch& batch) {
  auto promise = std::make_shared<std::promise<Result<std::string>>>();
  batch.outcome = promise->get_future();
  eventstore::Command command;
  command.done = [promise](Result<std::string> r) { promise->set_value(std::move(r)); };
  // Runs on the loop's executor thread, which alone touches high_water_.
  command.execute = [this, &batch](Transaction& txn) -> Result<std::string> {
    if (poisoned_.load()) {
      return absl::AbortedError("an earlier batch of this consumer failed");
    }
    auto result = apply_batch(batch, txn);
    if (!result.ok()) {
      poisoned_ = true;
    }
    return result;
  };
  loop_.submit(std::move(command));
}

Result<std::string> ConsumerRunner::apply_batch(InFlightBatch& batch, Transaction& txn) {
  {
    std::unordered_map<std::string, uint64_t> staged_hw;
    batch.offsets.clear();
    batch.applied = batch.duplicates = batch.dead = batch.gaps = 0;
    Envelope event;
    for (auto* m : batch.messages) {
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          ARFLOW_LOG_WARN("consumer_fetch_error", "consumer={} reason=\"{}\"", options_.name,
                          rd_kafka_message_errstr(m));
        }
        continue;
      }
      const std::string topic = rd_kafka_topic_name(m->rkt);
      batch.offsets[{topic, m->partition}] = m->offset + 1;
      const RefusedMessage source{options_.name,
                                  topic,
                                  m->partition,
                                  m->offset,
                                  {static_cast<const char*>(m->key), m->key_len},
                                  {static_cast<const char*>(m->payload), m->len}};
      if (m->payload == nullptr || !event.ParseFromArray(m->payload, static_cast<int>(m->len)) ||
          event.stream().empty() || event.version() == 0) {
        ARFLOW_RETURN_IF_ERROR(txn.enqueue(
            dead_letter(source, "not an arflow Envelope with a stream and a version", txn.now())));
        ++batch.dead;
        continue;
      }
      const std::string hw_key = high_water_key(options_.name, event.tenant_id(), event.stream());
      uint64_t hw = 0;
      if (auto s = staged_hw.find(hw_key); s != staged_hw.end()) {
        hw = s->second;
      } else if (auto c = high_water_.find(hw_key); c != high_water_.end()) {
        hw = c->second;
      } else {
        auto row = txn.get(hw_key);
        if (!row.ok()) {
          return row.status();
        }
        hw = row->has_value() ? eventstore::read_be64(**row) : 0;
      }
      if (event.version() <= hw) {
        ++batch.duplicates;
        continue;
      }
      if (event.version() > hw + 1) {
        // An event before this one is missing. The relay republishes from the oldest
        // undelivered entry after any failure, so the missing one and this one come again in
        // order; until then this one is set aside in the dead-letter topic, and the
        // high-water mark stays where it is so that the missing event is not taken for a
        // duplicate when it arrives. Counted and logged: it should never happen.
        ++batch.gaps;
        ++batch.dead;
        const auto reason = fmt::format("version gap in stream {}: expected {}, got {}",
                                        event.stream(), hw + 1, event.version());
        ARFLOW_LOG_WARN("consumer_version_gap", "consumer={} {}", options_.name, reason);
        ARFLOW_RETURN_IF_ERROR(txn.enqueue(dead_letter(source, reason, txn.now())));
        continue;
      }
      txn.set_savepoint();
      const auto applied = projection_.apply(event, txn);
      if (applied.ok()) {
        txn.pop_savepoint();
        ++batch.applied;
      } else {
        txn.rollback_to_savepoint();
        if (!is_business_refusal(applied.code())) {
          // Transient (a read failed, a conflict): the whole batch is retried from the stored
          // offsets rather than the event given up.
          return applied;
        }
        ARFLOW_RETURN_IF_ERROR(txn.enqueue(dead_letter(source, applied.ToString(), txn.now())));
        ARFLOW_LOG_WARN("consumer_dead_letter",
                        "consumer={} topic={} partition={} offset={} reason=\"{}\"", options_.name,
                        topic, m->partition, m->offset, applied.ToString());
        ++batch.dead;
      }
      // Past this version either way: a refused event is not retried in place (an operator
      // replays it from the dead-letter topic).
      staged_hw[hw_key] = event.version();
      txn.put(hw_key, eventstore::be64(event.version()));
    }
    for (const auto& [tp, next] : batch.offsets) {
      txn.put(offset_key(options_.name, tp.first, tp.second),
              eventstore::be64(static_cast<uint64_t>(next)));
    }
    // As good as committed: if this batch's write fails, the loop stops for good.
    if (high_water_.size() + staged_hw.size() > kMaxCachedStreams) {
      high_water_.clear();
    }
    for (auto& [k, v] : staged_hw) {
      high_water_.insert_or_assign(k, v);
    }
    return std::string();
  }
}

ConsumerStats ConsumerRunner::stats() const {
  return {applied_.load(), duplicates_.load(), dead_.load(),
          gaps_.load(),    batches_.load(),    commit_failures_.load()};
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
