#include "arflow/server/kernel_metrics.h"

#include <fmt/format.h>

namespace arflow::server {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Past this many entries the outbox depth is reported as this many: the figure is for an
// alert on a relay that fell behind, and a scrape must stay cheap.
constexpr uint64_t kMaxCountedOutbox = 1'000'000;

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

void add(MetricFamily& f, double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  if (f.type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
}

}  // namespace

KernelMetrics::KernelMetrics(std::string service, const eventstore::Store& store,
                             const eventstore::CommandLoop& loop)
    : service_(std::move(service)), store_(store), loop_(loop) {}

void KernelMetrics::add_consumer(std::string consumer, const bus::ConsumerRunner* runner) {
  consumers_.emplace_back(std::move(consumer), runner);
}

std::string KernelMetrics::name(std::string_view suffix) const {
  return fmt::format("arflow_{}_{}", service_, suffix);
}

std::vector<MetricFamily> KernelMetrics::Collect() const {
  std::vector<MetricFamily> out;
  const auto loop = loop_.stats();
  auto counter = [&](std::string_view suffix, std::string help, double value) {
    out.push_back(family(name(suffix), std::move(help), MetricType::Counter));
    add(out.back(), value);
  };
  auto gauge = [&](std::string_view suffix, std::string help, double value) {
    out.push_back(family(name(suffix), std::move(help), MetricType::Gauge));
    add(out.back(), value);
  };
  counter("commands_total", "Commands committed by the command loop",
          static_cast<double>(loop.commands));
  counter("command_batches_total", "Synced WriteBatches (one fsync each)",
          static_cast<double>(loop.batches));
  counter("events_appended_total", "Events appended to the event store",
          static_cast<double>(loop.events_appended));
  counter("idempotent_replays_total", "Retried requests answered with their first result",
          static_cast<double>(loop.idempotent_replays));
  gauge("commands_queued", "Commands waiting for the command loop",
        static_cast<double>(loop.queued));
  gauge("event_store_healthy", "1 while the event store accepts writes, 0 after a failed write",
        loop_.healthy() ? 1 : 0);
  gauge("event_store_size_bytes", "Approximate size of the event store (SST files + memtables)",
        static_cast<double>(store_.approximate_size_bytes()));

  if (relay_ != nullptr) {
    const auto relay = relay_->stats();
    counter("events_published_total", "Outbox entries delivered to Kafka (acks=all)",
            static_cast<double>(relay.published));
    counter("outbox_delivery_failures_total", "Deliveries Kafka refused for good",
            static_cast<double>(relay.delivery_failures));
    counter("outbox_relay_restarts_total", "Producer restarts after a failed delivery",
            static_cast<double>(relay.restarts));
    gauge("outbox_in_flight", "Outbox entries produced and awaiting their delivery report",
          static_cast<double>(relay.in_flight));
    if (auto depth = relay_->outbox_depth(kMaxCountedOutbox); depth.ok()) {
      gauge("outbox_depth", "Outbox entries not yet delivered (capped at 1,000,000)",
            static_cast<double>(*depth));
    }
  }

  if (!consumers_.empty()) {
    auto applied =
        family(name("events_consumed_total"), "Events applied by a consumer", MetricType::Counter);
    auto duplicates = family(name("events_duplicate_total"), "Events skipped as already applied",
                             MetricType::Counter);
    auto dead = family(name("dead_letters_total"),
                       "Messages refused, failed or undecodable (held, and sent to arflow.dlq.v1)",
                       MetricType::Counter);
    auto gaps = family(name("consumer_version_gaps_total"),
                       "Events that arrived beyond their stream's next version (alert)",
                       MetricType::Counter);
    auto lag = family(name("consumer_lag_messages"), "Messages behind the partitions' ends",
                      MetricType::Gauge);
    auto held = family(name("consumer_held_events"),
                       "Events held instead of applied: dead letters and what waits behind them "
                       "(alert: arflow dlq list)",
                       MetricType::Gauge);
    auto parked =
        family(name("consumer_parked_streams"), "Streams with held events", MetricType::Gauge);
    auto replayed = family(name("consumer_replayed_total"),
                           "Held events applied later (a replay, or a missing event arrived)",
                           MetricType::Counter);
    auto republish =
        family(name("consumer_republish_requests_total"),
               "Missing events asked of the service that owns their stream", MetricType::Counter);
    for (const auto& [consumer, runner] : consumers_) {
      const auto s = runner->stats();
      const std::vector<ClientMetric::Label> labels{{"consumer", consumer}};
      add(applied, static_cast<double>(s.applied), labels);
      add(duplicates, static_cast<double>(s.duplicates), labels);
      add(dead, static_cast<double>(s.dead_lettered), labels);
      add(gaps, static_cast<double>(s.gaps), labels);
      add(lag, static_cast<double>(runner->lag()), labels);
      add(held, static_cast<double>(s.held), labels);
      add(parked, static_cast<double>(s.parked_streams), labels);
      add(replayed, static_cast<double>(s.replayed), labels);
      add(republish, static_cast<double>(s.republish_requests), labels);
    }
    for (auto* f :
         {&applied, &duplicates, &dead, &gaps, &lag, &held, &parked, &replayed, &republish}) {
      out.push_back(std::move(*f));
    }
  }
  return out;
}

}  // namespace arflow::server
