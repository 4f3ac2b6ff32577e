#include "arflow/bus/kafka.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

namespace arflow::bus {

Result<KafkaConf> make_conf(const KafkaProperties& defaults, const KafkaProperties& overrides) {
  KafkaConf conf(rd_kafka_conf_new());
  char err[512];
  for (const auto* props : {&defaults, &overrides}) {
    for (const auto& [k, v] : *props) {
      if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), err, sizeof err) !=
          RD_KAFKA_CONF_OK) {
        return invalid_field(fmt::format("kafka config '{}'", k), err);
      }
    }
  }
  return conf;
}

Result<KafkaHandle> make_client(rd_kafka_type_t type, KafkaConf conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof err);
  if (rk == nullptr) {
    return absl::InvalidArgumentError(fmt::format("cannot create Kafka client: {}", err));
  }
  static_cast<void>(conf.release());  // rd_kafka_new took ownership
  return KafkaHandle(rk);
}

Result<std::vector<int>> partition_counts(rd_kafka_t* rk, const std::vector<std::string>& topics,
                                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_error = "no answer";
  while (std::chrono::steady_clock::now() < deadline) {
    const rd_kafka_metadata_t* raw = nullptr;
    const auto err = rd_kafka_metadata(rk, 1, nullptr, &raw, 2000);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::unique_ptr<const rd_kafka_metadata_t, KafkaDeleter> md(raw);
      std::vector<int> counts;
      for (const auto& name : topics) {
        int count = 0;
        for (int i = 0; i < md->topic_cnt; ++i) {
          if (name == md->topics[i].topic && md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            count = md->topics[i].partition_cnt;
          }
        }
        if (count == 0) {
          last_error = fmt::format("topic {} does not exist", name);
          break;
        }
        counts.push_back(count);
      }
      if (counts.size() == topics.size()) {
        return counts;
      }
    } else {
      last_error = rd_kafka_err2str(err);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return absl::UnavailableError(fmt::format("Kafka metadata: {}", last_error));
}

}  // namespace arflow::bus
