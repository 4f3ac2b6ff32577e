#include "arflow/core/options.h"

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"

namespace arflow {

void add_service_options(CLI::App& app, ServiceOptions& options, std::string default_grpc_addr,
                         std::string default_metrics_addr, std::string default_data_dir) {
  options.grpc_addr = std::move(default_grpc_addr);
  options.metrics_addr = std::move(default_metrics_addr);
  options.data_dir = std::move(default_data_dir);
  app.add_option("--data-dir", options.data_dir, "Directory of the service's RocksDB")
      ->capture_default_str();
  app.add_option("--grpc-addr", options.grpc_addr, "host:port the gRPC API listens on")
      ->capture_default_str();
  app.add_option("--metrics-addr", options.metrics_addr, "host:port Prometheus scrapes /metrics on")
      ->capture_default_str();
  app.add_option("--kafka-brokers", options.kafka_brokers,
                 "Kafka bootstrap list; empty starts an embedded broker in-process");
  app.add_option_function<std::vector<std::string>>(
      "--kafka-config",
      [&options](const std::vector<std::string>& entries) {
        for (const auto& e : entries) {
          auto kv = parse_key_value("--kafka-config", e);
          if (!kv.ok()) {
            throw CLI::ValidationError(std::string(kv.status().message()));
          }
          options.kafka_config.push_back(*std::move(kv));
        }
      },
      "librdkafka property key=value (repeatable)");
  app.add_option("--clock", options.clock, "system | simulated | simulated:<RFC 3339 start time>")
      ->capture_default_str();
  app.add_option("--tenants", options.tenants_file,
                 "File of tenants and their hashed API keys (see docs/operations.md)");
  app.add_option("--shard", options.shard, "This process's shard, 0-based")->capture_default_str();
  app.add_option("--shard-count", options.shard_count, "Number of shards S (fixed at deploy)")
      ->capture_default_str();
  app.add_option("--drill-refuse-events", options.drill_refuse_events,
                 "Fault drill: refuse consumed events of these types (\"payment_allocated\") as a "
                 "business rule would, to rehearse the dead-letter runbook; never in production")
      ->group("Drills");
}

absl::Status validate(const ServiceOptions& options) {
  if (options.shard_count < 1) {
    return invalid_field("--shard-count", "must be >= 1");
  }
  if (options.shard < 0 || options.shard >= options.shard_count) {
    return invalid_field("--shard", "must be in [0, --shard-count)");
  }
  if (options.data_dir.empty()) {
    return invalid_field("--data-dir", "must not be empty");
  }
  return absl::OkStatus();
}

Result<std::pair<std::string, std::string>> parse_key_value(std::string_view flag,
                                                            std::string_view entry) {
  const auto eq = entry.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return invalid_field(flag, "entry '" + std::string(entry) + "' must be key=value");
  }
  return std::pair{std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1))};
}

}  // namespace arflow
