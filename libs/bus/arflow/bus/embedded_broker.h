#pragma once
// The embedded broker: librdkafka's mock cluster speaking the Kafka protocol over TCP on
// 127.0.0.1 (random ports), with the topics of DESIGN.md created up front (the mock has no
// CreateTopics API). For development, demos and tests; production uses real Kafka.
// Limits of the mock are listed in docs/architecture.md.
//
// Thread-safety: the broker runs on librdkafka's own threads; the object itself is
// immutable after construction.

#include <memory>
#include <string>
#include <vector>

#include "arflow/bus/kafka.h"

typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

namespace arflow::bus {

struct EmbeddedBrokerOptions {
  // One by default: the cluster lives in one process, so more brokers replicate nothing that
  // outlives it, and every Kafka client connects to and polls each of them (fetch.wait.max.ms
  // is ~10 ms against the mock), which cost ~10% of the CPU per payment end to end
  // (docs/architecture.md, "The embedded broker"). Tests of leader moves and brokers going
  // down ask for several.
  int brokers = 1;
  int partitions = 12;
  std::vector<std::string> topics;  // empty: the topics of topics.h
};

class EmbeddedBroker {
 public:
  static Result<std::unique_ptr<EmbeddedBroker>> start(const EmbeddedBrokerOptions& options);
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  // "127.0.0.1:port,127.0.0.1:port,..."
  const std::string& bootstrap_servers() const { return bootstrap_; }
  // For fault-injection tests (rd_kafka_mock_push_request_errors, broker down/up).
  rd_kafka_mock_cluster_t* cluster() const { return cluster_; }

 private:
  EmbeddedBroker(KafkaHandle owner, rd_kafka_mock_cluster_t* cluster);
  KafkaHandle owner_;
  rd_kafka_mock_cluster_t* cluster_;
  std::string bootstrap_;
};

}  // namespace arflow::bus
