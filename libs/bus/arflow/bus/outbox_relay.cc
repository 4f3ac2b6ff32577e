#include "arflow/bus/outbox_relay.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "arflow/bus/topics.h"
#include "arflow/core/log.h"
#include "arflow/core/thread_name.h"

namespace arflow::bus {
namespace {

void delivery_report(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  static_cast<OutboxRelay*>(opaque)->on_delivery(*message);
}

rd_kafka_vu_t header(std::string_view name, const std::string& value) {
  rd_kafka_vu_t vu{};
  vu.vtype = RD_KAFKA_VTYPE_HEADER;
  vu.u.header.name = name.data();
  vu.u.header.val = value.data();
  vu.u.header.size = static_cast<ssize_t>(value.size());
  return vu;
}

// One outbox entry as a Kafka message: key, value, event id and type headers; the seq
// rides along as the message's opaque for the delivery report.
rd_kafka_resp_err_t produce(rd_kafka_t* producer, const eventstore::OutboxEntry& entry) {
  const auto& r = entry.record;
  std::array<rd_kafka_vu_t, 7> vus{};
  vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  vus[0].u.cstr = r.topic().c_str();
  vus[1].vtype = RD_KAFKA_VTYPE_KEY;
  vus[1].u.mem = {const_cast<char*>(r.key().data()), r.key().size()};
  vus[2].vtype = RD_KAFKA_VTYPE_VALUE;
  vus[2].u.mem = {const_cast<char*>(r.value().data()), r.value().size()};
  vus[3] = header(kHeaderEventId, r.event_id());
  vus[4] = header(kHeaderEventType, r.event_type());
  vus[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
  // The seq itself rides in the opaque pointer: no allocation per message, nothing to free.
  vus[5].u.ptr = reinterpret_cast<void*>(  // NOLINT(performance-no-int-to-ptr)
      static_cast<uintptr_t>(entry.seq));
  // The entry is gone after this call: librdkafka must copy key and value.
  vus[6].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vus[6].u.i = RD_KAFKA_MSG_F_COPY;
  rd_kafka_error_t* error = rd_kafka_produceva(producer, vus.data(), vus.size());
  if (error == nullptr) {
    return RD_KAFKA_RESP_ERR_NO_ERROR;
  }
  const auto code = rd_kafka_error_code(error);
  rd_kafka_error_destroy(error);
  return code;
}

}  // namespace

Result<std::unique_ptr<OutboxRelay>> OutboxRelay::start(eventstore::Store& store,
                                                        OutboxRelayOptions options) {
  std::unique_ptr<OutboxRelay> relay(new OutboxRelay(store, std::move(options)));
  ARFLOW_RETURN_IF_ERROR(relay->connect());
  // Learn the events topic's partitions and leaders before the first message: messages
  // produced into an unknown topic wait for librdkafka's next metadata round (a second).
  if (!store.options().events_topic.empty()) {
    ARFLOW_RETURN_IF_ERROR(partition_counts(relay->producer_.get(), {store.options().events_topic},
                                            std::chrono::seconds(30))
                               .status());
  }
  auto first = store.read_outbox(0, 1);
  if (!first.ok()) {
    return first.status();
  }
  relay->next_seq_ = first->empty() ? 0 : first->front().seq;
  relay->settled_below_ = relay->next_seq_;
  relay->thread_ = std::thread([r = relay.get()] {
    name_this_thread("arflow-relay");
    r->run();
  });
  return relay;
}

OutboxRelay::OutboxRelay(eventstore::Store& store, OutboxRelayOptions options)
    : store_(store), options_(std::move(options)) {}

absl::Status OutboxRelay::connect() {
  auto conf = make_conf(
      {
          {"bootstrap.servers", options_.bootstrap_servers},
          {"enable.idempotence", "true"},
          {"acks", "all"},
          // Never give up on a message: a later one of the same partition must not be
          // delivered before it. Errors the broker reports are retried in order.
          {"message.timeout.ms", "0"},
          // A message that fails for good must not let later ones of its partition through
          // (they would overtake it when it is republished): make any such failure fatal,
          // which restarts the relay from the oldest undelivered entry.
          {"enable.gapless.guarantee", "true"},
          {"linger.ms", "5"},
          {"batch.num.messages", "10000"},
          {"batch.size", "1000000"},
          {"queue.buffering.max.messages", "1000000"},
          {"queue.buffering.max.kbytes", "1048576"},
          // The Java client's partitioner, so that every client agrees on key -> partition.
          {"partitioner", "murmur2_random"},
          {"log_level", "4"},
      },
      options_.kafka_config);
  if (!conf.ok()) {
    return conf.status();
  }
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &delivery_report);
  rd_kafka_conf_set_opaque(conf->get(), this);
  auto producer = make_client(RD_KAFKA_PRODUCER, *std::move(conf));
  if (!producer.ok()) {
    return producer.status();
  }
  producer_ = *std::move(producer);
  return absl::OkStatus();
}

OutboxRelay::~OutboxRelay() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void OutboxRelay::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

OutboxRelayStats OutboxRelay::stats() const {
  return {published_.load(std::memory_order_relaxed), failures_.load(std::memory_order_relaxed),
          restarts_.load(std::memory_order_relaxed),
          in_flight_count_.load(std::memory_order_relaxed)};
}

Result<uint64_t> OutboxRelay::outbox_depth(uint64_t at_most) const {
  uint64_t n = 0;
  // From the published mark: the records below it may still be in the store until a flush or
  // a compaction drops them.
  ARFLOW_RETURN_IF_ERROR(store_.scan(
      eventstore::Column::kOutbox, "", eventstore::be64(store_.outbox_delivered_below()),
      [&](std::string_view, std::string_view) { return ++n < at_most; }));
  return n;
}

void OutboxRelay::on_delivery(const rd_kafka_message_t& message) {
  const auto seq = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(message._private));
  if (message.err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
      message.err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
    return;  // purged by restart_producer(), which republishes from the oldest undelivered
  }
  if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    failed_ = true;
    ARFLOW_LOG_ERROR("outbox_delivery_failed", "seq={} topic={} reason=\"{}\"", seq,
                     rd_kafka_topic_name(message.rkt), rd_kafka_err2str(message.err));
    return;
  }
  // Delivery reports come in produce order per partition, not across partitions.
  auto it = std::lower_bound(in_flight_.begin(), in_flight_.end(), seq,
                             [](const InFlight& f, uint64_t s) { return f.seq < s; });
  if (it != in_flight_.end() && it->seq == seq) {
    it->delivered = true;
    published_.fetch_add(1, std::memory_order_relaxed);
  }
}

void OutboxRelay::run() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (stopping_) {
        break;
      }
    }
    if (failed_ || !producer_) {
      restart_producer();
      continue;
    }
    const bool produced = produce_more();
    // Serves delivery reports (on this thread, so in_flight_ needs no lock).
    rd_kafka_poll(producer_.get(), produced ? 0 : 1);
    settle_delivered();
    if (!produced && in_flight_.empty()) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return woken_ || stopping_; });
      woken_ = false;
    }
  }
  // Give what is in flight a chance to be delivered and removed before going away; what is
  // not is published again at the next start.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (producer_ && !in_flight_.empty() && !failed_ &&
         std::chrono::steady_clock::now() < deadline) {
    rd_kafka_poll(producer_.get(), 10);
    settle_delivered();
  }
}

bool OutboxRelay::produce_more() {
  if (in_flight_.size() >= options_.max_in_flight) {
    return false;
  }
  const size_t room = std::min(options_.read_batch, options_.max_in_flight - in_flight_.size());
  auto entries = store_.read_outbox(next_seq_, room);
  if (!entries.ok()) {
    ARFLOW_LOG_ERROR("outbox_read_failed", "reason=\"{}\"", entries.status().ToString());
    return false;
  }
  for (auto& entry : *entries) {
    const auto& r = entry.record;
    while (true) {
      const auto err = produce(producer_.get(), entry);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        break;
      }
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(producer_.get(), 10);
        settle_delivered();
        continue;
      }
      // Unknown topic or an invalid message: nothing later may overtake it, so stop here
      // and try again from this entry after a pause.
      ARFLOW_LOG_ERROR("outbox_produce_failed", "seq={} topic={} reason=\"{}\"", entry.seq,
                       r.topic(), rd_kafka_err2str(err));
      failed_ = true;
      return true;
    }
    in_flight_.push_back({entry.seq, false});
    next_seq_ = entry.seq + 1;
  }
  in_flight_count_.store(in_flight_.size(), std::memory_order_relaxed);
  return !entries->empty();
}

void OutboxRelay::settle_delivered() {
  uint64_t settled_to = settled_below_;
  bool any = false;
  while (!in_flight_.empty() && in_flight_.front().delivered) {
    settled_to = in_flight_.front().seq + 1;
    in_flight_.pop_front();
    any = true;
  }
  in_flight_count_.store(in_flight_.size(), std::memory_order_relaxed);
  if (!any) {
    return;
  }
  const auto removed = store_.mark_outbox_delivered(settled_to);
  if (!removed.ok()) {
    // Harmless for correctness: the entries are published again after a restart.
    ARFLOW_LOG_WARN("outbox_remove_failed", "reason=\"{}\"", removed.ToString());
    return;
  }
  settled_below_ = settled_to;
}

void OutboxRelay::restart_producer() {
  // Drop what librdkafka still holds of ours and start over from the oldest undelivered
  // entry with a fresh producer (a new producer id resets the idempotence sequences).
  if (producer_) {
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(producer_.get(), 100);
    settle_delivered();
    producer_.reset();
    restarts_.fetch_add(1, std::memory_order_relaxed);
  }
  in_flight_.clear();
  in_flight_count_.store(0);
  next_seq_ = settled_below_;
  failed_ = false;
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping_; });
  }
  const auto reconnected = connect();
  if (!reconnected.ok()) {
    ARFLOW_LOG_ERROR("outbox_relay_reconnect_failed", "reason=\"{}\"", reconnected.ToString());
    return;  // producer_ stays empty: run() tries again
  }
  ARFLOW_LOG_WARN("outbox_relay_restarted", "from_seq={}", next_seq_);
}

}  // namespace arflow::bus
