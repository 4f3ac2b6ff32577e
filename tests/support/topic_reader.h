#pragma once
// Reads every message of a topic, from the beginning to the current end of each partition,
// with a plain librdkafka consumer: an independent view of what was published.

#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "arflow/bus/kafka.h"

namespace arflow::testing {

struct ReadMessage {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

inline std::vector<ReadMessage> read_topic(const std::string& bootstrap, const std::string& topic) {
  std::vector<ReadMessage> out;
  auto conf = bus::make_conf({{"bootstrap.servers", bootstrap},
                              {"group.id", "test-reader"},
                              {"enable.auto.commit", "false"},
                              {"fetch.wait.max.ms", "10"}},
                             {});
  if (!conf.ok()) {
    return out;
  }
  auto consumer = bus::make_client(RD_KAFKA_CONSUMER, *std::move(conf));
  if (!consumer.ok()) {
    return out;
  }
  auto counts = bus::partition_counts(consumer->get(), {topic}, std::chrono::seconds(10));
  if (!counts.ok()) {
    return out;
  }
  // Read each partition up to the high watermark it has now: counting end-of-partition
  // events instead would stop early when a partition reports its end twice.
  const int partitions = (*counts)[0];
  std::vector<int64_t> high(static_cast<size_t>(partitions), 0);
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0;
    if (rd_kafka_query_watermark_offsets(consumer->get(), topic.c_str(), p, &low,
                                         &high[static_cast<size_t>(p)],
                                         10'000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return out;
    }
  }
  bus::PartitionList list(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer->get(), list.get());
  std::vector<int64_t> next(static_cast<size_t>(partitions), 0);
  auto done = [&] {
    for (int p = 0; p < partitions; ++p) {
      if (next[static_cast<size_t>(p)] < high[static_cast<size_t>(p)]) {
        return false;
      }
    }
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    bus::KafkaMessage m(rd_kafka_consumer_poll(consumer->get(), 100));
    if (!m || m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      continue;
    }
    next[static_cast<size_t>(m->partition)] = m->offset + 1;
    ReadMessage r;
    r.partition = m->partition;
    r.offset = m->offset;
    r.key.assign(static_cast<const char*>(m->key), m->key_len);
    r.value.assign(static_cast<const char*>(m->payload), m->len);
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(m.get(), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0;
           rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        r.headers[name] = std::string(static_cast<const char*>(value), size);
      }
    }
    out.push_back(std::move(r));
  }
  rd_kafka_consumer_close(consumer->get());
  return out;
}

// Produces raw messages (for poison-message tests).
// Produces (key, value) messages to `topic` in order, and waits for them to be delivered.
inline absl::Status produce_all(const std::string& bootstrap, const std::string& topic,
                                const std::vector<std::pair<std::string, std::string>>& messages) {
  auto conf = bus::make_conf({{"bootstrap.servers", bootstrap}}, {});
  if (!conf.ok()) {
    return conf.status();
  }
  auto producer = bus::make_client(RD_KAFKA_PRODUCER, *std::move(conf));
  if (!producer.ok()) {
    return producer.status();
  }
  for (const auto& [key, value] : messages) {
    std::array<rd_kafka_vu_t, 4> vus{};
    vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    vus[0].u.cstr = topic.c_str();
    vus[1].vtype = RD_KAFKA_VTYPE_KEY;
    vus[1].u.mem = {const_cast<char*>(key.data()), key.size()};
    vus[2].vtype = RD_KAFKA_VTYPE_VALUE;
    vus[2].u.mem = {const_cast<char*>(value.data()), value.size()};
    vus[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vus[3].u.i = RD_KAFKA_MSG_F_COPY;
    while (rd_kafka_error_t* e = rd_kafka_produceva(producer->get(), vus.data(), vus.size())) {
      const bool full = rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR__QUEUE_FULL;
      rd_kafka_error_destroy(e);
      if (!full) {
        return absl::InternalError("produce failed");
      }
      rd_kafka_poll(producer->get(), 10);
    }
  }
  if (rd_kafka_flush(producer->get(), 30'000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError("flush timed out");
  }
  return absl::OkStatus();
}

inline absl::Status produce_raw(const std::string& bootstrap, const std::string& topic,
                                const std::string& key, const std::string& value) {
  return produce_all(bootstrap, topic, {{key, value}});
}

}  // namespace arflow::testing
