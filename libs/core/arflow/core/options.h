#pragma once
// The flags every arflow service takes (DESIGN.md, "Operations"), parsed with CLI11.

#include <string>
#include <utility>
#include <vector>

#include "arflow/core/error.h"

namespace CLI {
class App;
}

namespace arflow {

struct ServiceOptions {
  std::string data_dir;
  std::string grpc_addr;
  std::string metrics_addr;
  std::string kafka_brokers;  // empty: start an embedded broker in-process
  std::vector<std::pair<std::string, std::string>> kafka_config;  // passed to librdkafka as is
  std::string clock = "system";
  std::string tenants_file;
  int shard = 0;
  int shard_count = 1;
  // A fault drill: the consumers refuse events of these types as a business rule would, so
  // that an operator can rehearse the dead-letter runbook (docs/operations.md).
  std::vector<std::string> drill_refuse_events;
};

// Registers the common flags on `app`, with the service's default ports.
void add_service_options(CLI::App& app, ServiceOptions& options, std::string default_grpc_addr,
                         std::string default_metrics_addr, std::string default_data_dir);

// Checks what CLI11 cannot: shard within the shard count, kafka-config as key=value.
absl::Status validate(const ServiceOptions& options);

// Splits "key=value"; an entry without '=' is an error naming the flag.
Result<std::pair<std::string, std::string>> parse_key_value(std::string_view flag,
                                                            std::string_view entry);

}  // namespace arflow
