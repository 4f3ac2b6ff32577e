#pragma once
// RAII over librdkafka's C handles, and configuration built from key=value pairs.

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arflow/core/error.h"

namespace arflow::bus {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, KafkaDeleter>;
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, KafkaDeleter>;
using KafkaQueue = std::unique_ptr<rd_kafka_queue_t, KafkaDeleter>;
using KafkaMessage = std::unique_ptr<rd_kafka_message_t, KafkaDeleter>;

using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

// A configuration with `defaults` first, then `overrides` (the operator's --kafka-config
// wins). An unknown property or a bad value is INVALID_ARGUMENT naming it.
Result<KafkaConf> make_conf(const KafkaProperties& defaults, const KafkaProperties& overrides);

// Creates a producer or consumer; takes the configuration.
Result<KafkaHandle> make_client(rd_kafka_type_t type, KafkaConf conf);

// Partition counts of `topics`, waiting up to `timeout` for them to exist.
Result<std::vector<int>> partition_counts(rd_kafka_t* rk, const std::vector<std::string>& topics,
                                          std::chrono::milliseconds timeout);

}  // namespace arflow::bus
