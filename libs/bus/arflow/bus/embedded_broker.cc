#include "arflow/bus/embedded_broker.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka_mock.h>

#include "arflow/bus/topics.h"

namespace arflow::bus {

Result<std::unique_ptr<EmbeddedBroker>> EmbeddedBroker::start(
    const EmbeddedBrokerOptions& options) {
  if (options.brokers < 1) {
    return invalid_field("brokers", "must be >= 1");
  }
  if (options.partitions < 1) {
    return invalid_field("partitions", "must be >= 1");
  }
  // The mock cluster belongs to a client handle; a bare producer that never produces.
  auto conf = make_conf({{"log_level", "3"}}, {});
  if (!conf.ok()) {
    return conf.status();
  }
  auto owner = make_client(RD_KAFKA_PRODUCER, *std::move(conf));
  if (!owner.ok()) {
    return owner.status();
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(owner->get(), options.brokers);
  if (cluster == nullptr) {
    return absl::UnavailableError("cannot start the embedded Kafka broker");
  }
  std::unique_ptr<EmbeddedBroker> broker(new EmbeddedBroker(*std::move(owner), cluster));
  std::vector<std::string> topics = options.topics;
  if (topics.empty()) {
    topics.assign(kAllTopics.begin(), kAllTopics.end());
  }
  const int replication = std::min(options.brokers, 3);
  for (const auto& t : topics) {
    const auto err =
        rd_kafka_mock_topic_create(cluster, t.c_str(), options.partitions, replication);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::UnavailableError(
          fmt::format("cannot create topic {}: {}", t, rd_kafka_err2str(err)));
    }
  }
  return broker;
}

EmbeddedBroker::EmbeddedBroker(KafkaHandle owner, rd_kafka_mock_cluster_t* cluster)
    : owner_(std::move(owner)),
      cluster_(cluster),
      bootstrap_(rd_kafka_mock_cluster_bootstraps(cluster)) {}

EmbeddedBroker::~EmbeddedBroker() { rd_kafka_mock_cluster_destroy(cluster_); }

}  // namespace arflow::bus
