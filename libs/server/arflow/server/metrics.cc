#include "arflow/server/metrics.h"

#include <fmt/format.h>
#include <prometheus/exposer.h>

#include <exception>
#include <utility>
#include <vector>

#include "arflow/core/log.h"

namespace arflow::server {
namespace {

bool is_valid_service(std::string_view service) {
  if (service.empty() || service.front() < 'a' || service.front() > 'z') {
    return false;
  }
  for (const char c : service) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace

MetricsRegistry::MetricsRegistry(std::string service)
    : service_(std::move(service)), registry_(std::make_shared<prometheus::Registry>()) {}

MetricsRegistry::~MetricsRegistry() = default;

Result<std::unique_ptr<MetricsRegistry>> MetricsRegistry::create(std::string_view service,
                                                                 std::string_view listen_address) {
  if (!is_valid_service(service)) {
    return invalid_field("service", "must match [a-z][a-z0-9_]* (it is part of metric names)");
  }
  std::unique_ptr<MetricsRegistry> metrics(new MetricsRegistry(std::string(service)));
  if (listen_address.empty()) {
    return metrics;
  }

  // prometheus-cpp (civetweb) reports a bind failure by throwing; nothing may cross our API.
  try {
    // One thread: scrapes are rare and small.
    auto exposer = std::make_unique<prometheus::Exposer>(std::string(listen_address), 1);
    exposer->RegisterCollectable(metrics->registry_);
    const std::vector<int> ports = exposer->GetListeningPorts();
    if (ports.empty() || ports.front() <= 0 || ports.front() > 65535) {
      return absl::UnavailableError(
          fmt::format("metrics endpoint on {} reports no listening port", listen_address));
    }
    metrics->port_ = static_cast<std::uint16_t>(ports.front());
    metrics->exposer_ = std::move(exposer);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        fmt::format("cannot serve metrics on {}: {}", listen_address, e.what()));
  }
  ARFLOW_LOG_INFO("metrics_listening", "addr={} port={} path=/metrics", listen_address,
                  *metrics->port_);
  return metrics;
}

std::string MetricsRegistry::metric_name(std::string_view suffix) const {
  return fmt::format("arflow_{}_{}", service_, suffix);
}

void MetricsRegistry::add_collectable(const std::weak_ptr<prometheus::Collectable>& collectable) {
  if (exposer_) {
    exposer_->RegisterCollectable(collectable);
  }
}

}  // namespace arflow::server
