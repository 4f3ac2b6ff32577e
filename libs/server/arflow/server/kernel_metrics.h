#pragma once
// The kernel's own figures as Prometheus metrics (DESIGN.md, "Operations"): commands and
// events through the command loop, publishing through the outbox relay, consumption per
// consumer (applied, duplicates, dead letters, gaps, lag) and the store's size. They are
// read from the components' counters at scrape time, so the hot paths keep plain atomics.
//
//   auto kernel = std::make_shared<KernelMetrics>("invoicing", store, loop);
//   kernel->set_relay(relay.get());
//   kernel->add_consumer("payments-reaction", runner.get());
//   metrics->add_collectable(kernel);
//
// Thread-safety: set_relay() and add_consumer() before the first scrape; Collect() from the
// exposer's thread. The components must outlive it (or be removed by destroying it first).

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

#include "arflow/bus/consumer_runner.h"
#include "arflow/bus/outbox_relay.h"
#include "arflow/eventstore/command_loop.h"

namespace arflow::server {

class KernelMetrics final : public prometheus::Collectable {
 public:
  KernelMetrics(std::string service, const eventstore::Store& store,
                const eventstore::CommandLoop& loop);

  void set_relay(const bus::OutboxRelay* relay) { relay_ = relay; }
  void add_consumer(std::string name, const bus::ConsumerRunner* runner);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string name(std::string_view suffix) const;

  std::string service_;
  const eventstore::Store& store_;
  const eventstore::CommandLoop& loop_;
  const bus::OutboxRelay* relay_ = nullptr;
  std::vector<std::pair<std::string, const bus::ConsumerRunner*>> consumers_;
};

}  // namespace arflow::server
