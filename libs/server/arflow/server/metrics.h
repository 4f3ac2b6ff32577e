#pragma once
// A service's Prometheus metrics: the registry every component adds its metrics to, and the
// HTTP endpoint (`--metrics-addr`, path /metrics) Prometheus scrapes.
//
// Names follow DESIGN.md, "Operations": arflow_<service>_<what>[_total|_seconds|_bytes].
//
//   auto metrics = MetricsRegistry::create("invoicing", options.metrics_addr);
//   auto& appended = prometheus::BuildCounter()
//                        .Name(metrics->metric_name("events_appended_total"))
//                        .Help("Events appended to the event store")
//                        .Register(metrics->registry());

#include <prometheus/registry.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "arflow/core/error.h"

namespace prometheus {
class Exposer;
}

namespace arflow::server {

// Thread-safety: registry() and everything registered in it are thread-safe (prometheus-cpp);
// the exposer serves scrapes on its own thread. create() and the destructor must not race
// with other uses.
class MetricsRegistry {
 public:
  // `service` ([a-z][a-z0-9_]*, e.g. "invoicing") becomes part of every metric name. With a
  // non-empty `listen_address` ("host:port", port 0 picks a free one) the registry is served
  // over HTTP at /metrics; UNAVAILABLE if that address cannot be bound. With an empty one the
  // registry is not exposed (tests, tools).
  static Result<std::unique_ptr<MetricsRegistry>> create(std::string_view service,
                                                         std::string_view listen_address);

  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  const std::string& service() const { return service_; }

  // "arflow_<service>_<suffix>".
  std::string metric_name(std::string_view suffix) const;

  prometheus::Registry& registry() { return *registry_; }

  // Serves what `collectable` reports at /metrics too (e.g. KernelMetrics); it is dropped
  // once the caller lets go of it. No-op when not exposed.
  void add_collectable(const std::weak_ptr<prometheus::Collectable>& collectable);

  // Shared ownership, for objects (interceptors) that may outlive a borrowed reference.
  std::shared_ptr<prometheus::Registry> shared_registry() const { return registry_; }

  // The TCP port /metrics is served on (the bound one when port 0 was asked for); nullopt
  // when not exposed.
  std::optional<std::uint16_t> port() const { return port_; }

 private:
  explicit MetricsRegistry(std::string service);

  std::string service_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::optional<std::uint16_t> port_;
};

}  // namespace arflow::server
