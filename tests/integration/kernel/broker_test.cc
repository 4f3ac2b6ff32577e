#include <gtest/gtest.h>

#include <fstream>

#include "arflow/bus/embedded_broker.h"
#include "arflow/bus/topics.h"
#include "arflow/process/child_process.h"
#include "support/shell.h"
#include "support/temp_dir.h"
#include "support/topic_reader.h"

namespace arflow::bus {
namespace {

TEST(EmbeddedBroker, StartsOneBrokerWithTheArflowTopicsAndTwelvePartitionsByDefault) {
  auto broker = EmbeddedBroker::start({});
  ASSERT_TRUE(broker.ok()) << broker.status();
  const std::string bootstrap = (*broker)->bootstrap_servers();
  EXPECT_EQ(std::count(bootstrap.begin(), bootstrap.end(), ','), 0) << bootstrap;
  EXPECT_TRUE(bootstrap.starts_with("127.0.0.1:")) << bootstrap;

  auto conf = make_conf({{"bootstrap.servers", bootstrap}}, {});
  auto client = make_client(RD_KAFKA_PRODUCER, *std::move(conf));
  ASSERT_TRUE(client.ok());
  std::vector<std::string> topics(kAllTopics.begin(), kAllTopics.end());
  auto counts = partition_counts(client->get(), topics, std::chrono::seconds(10));
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(*counts, std::vector<int>(kAllTopics.size(), 12));
}

TEST(EmbeddedBroker, RefusesNonsenseSizes) {
  EXPECT_EQ(EmbeddedBroker::start({.brokers = 0}).status().message(), "brokers must be >= 1");
  EXPECT_EQ(EmbeddedBroker::start({.partitions = 0}).status().message(), "partitions must be >= 1");
}

// kcat, a Kafka client nobody here wrote, produces to and consumes from arflow-broker
// through the bootstrap list the broker prints.
TEST(ArflowBroker, KcatProducesAndConsumesThroughThePrintedBootstrapList) {
  arflow::testing::TempDir dir;
  const std::string file = dir.sub("bootstrap");
  arflow::process::ChildProcess broker;
  ASSERT_TRUE(broker
                  .start({std::string(ARFLOW_BIN_DIR) + "/arflow-broker", "--brokers", "3",
                          "--partitions", "4", "--bootstrap-file", file})
                  .ok());
  auto printed = broker.read_line();
  ASSERT_TRUE(printed.has_value());
  std::string from_file;
  std::getline(std::ifstream(file), from_file);
  EXPECT_EQ(*printed, from_file);

  const std::string b = *printed;
  int rc = -1;
  arflow::testing::run_capture(
      "printf 'acme/c1:first\\nacme/c2:second\\nacme/c1:third\\n' | kcat -b " + b +
          " -t arflow.dlq.v1 -P -K: 2>&1",
      &rc);
  ASSERT_EQ(rc, 0);
  const std::string consumed = arflow::testing::run_capture(
      "kcat -b " + b +
          " -t arflow.dlq.v1 -C -o beginning -e -q -X fetch.wait.max.ms=10 -f '%k=%s\\n' 2>&1",
      &rc);
  ASSERT_EQ(rc, 0) << consumed;
  // Order holds per key: c1's two messages share a partition.
  EXPECT_NE(consumed.find("acme/c2=second"), std::string::npos) << consumed;
  const auto first = consumed.find("acme/c1=first");
  const auto third = consumed.find("acme/c1=third");
  ASSERT_NE(first, std::string::npos) << consumed;
  ASSERT_NE(third, std::string::npos) << consumed;
  EXPECT_LT(first, third);

  const std::string listing = arflow::testing::run_capture("kcat -b " + b + " -L 2>&1", &rc);
  EXPECT_NE(listing.find("3 brokers"), std::string::npos) << listing;
  EXPECT_NE(listing.find("topic \"arflow.invoicing.events.v1\" with 4 partitions"),
            std::string::npos)
      << listing;

  broker.signal(SIGTERM);
  const int status = broker.wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace arflow::bus
