#include "arflow/core/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <string>
#include <utility>
#include <vector>

namespace arflow {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::string message_of(const absl::Status& status) { return std::string(status.message()); }

// Parses `args` (without the program name) the way a service's main() does.
void parse(CLI::App& app, std::vector<const char*> args) {
  args.insert(args.begin(), "arflow-invoicing");
  app.parse(static_cast<int>(args.size()), args.data());
}

ServiceOptions valid_options() {
  ServiceOptions options;
  options.data_dir = "/var/lib/arflow/invoicing";
  return options;
}

TEST(ParseKeyValueTest, SplitsAtTheFirstEqualsSign) {
  EXPECT_THAT(parse_key_value("--kafka-config", "acks=all").value(), Pair("acks", "all"));
  EXPECT_THAT(parse_key_value("--kafka-config", "sasl.jaas.config=a=b").value(),
              Pair("sasl.jaas.config", "a=b"));
  EXPECT_THAT(parse_key_value("--kafka-config", "client.id=").value(), Pair("client.id", ""));
}

TEST(ParseKeyValueTest, RefusesAnEntryWithoutAKeyNamingTheFlag) {
  for (const char* entry : {"acks", "=all", ""}) {
    auto kv = parse_key_value("--kafka-config", entry);
    ASSERT_FALSE(kv.ok()) << "'" << entry << "'";
    EXPECT_EQ(kv.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(message_of(kv.status()),
              "--kafka-config entry '" + std::string(entry) + "' must be key=value");
  }
}

TEST(ValidateTest, AcceptsASingleShardDeployment) {
  EXPECT_TRUE(validate(valid_options()).ok());
  ServiceOptions sharded = valid_options();
  sharded.shard = 3;
  sharded.shard_count = 4;
  EXPECT_TRUE(validate(sharded).ok());
}

TEST(ValidateTest, RefusesAShardOutsideTheShardCount) {
  ServiceOptions options = valid_options();
  options.shard_count = 0;
  EXPECT_EQ(message_of(validate(options)), "--shard-count must be >= 1");

  options = valid_options();
  options.shard = 4;
  options.shard_count = 4;
  EXPECT_EQ(validate(options).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(message_of(validate(options)), "--shard must be in [0, --shard-count)");

  options.shard = -1;
  EXPECT_EQ(message_of(validate(options)), "--shard must be in [0, --shard-count)");
}

TEST(ValidateTest, RefusesAnEmptyDataDir) {
  ServiceOptions options = valid_options();
  options.data_dir.clear();
  EXPECT_EQ(message_of(validate(options)), "--data-dir must not be empty");
}

TEST(AddServiceOptionsTest, UsesTheServiceDefaultsWhenNoFlagIsGiven) {
  CLI::App app("invoicing");
  ServiceOptions options;
  add_service_options(app, options, "0.0.0.0:50051", "0.0.0.0:9464", "/var/lib/arflow/inv");
  parse(app, {});
  EXPECT_EQ(options.grpc_addr, "0.0.0.0:50051");
  EXPECT_EQ(options.metrics_addr, "0.0.0.0:9464");
  EXPECT_EQ(options.data_dir, "/var/lib/arflow/inv");
  EXPECT_EQ(options.kafka_brokers, "") << "empty means the embedded broker";
  EXPECT_TRUE(options.kafka_config.empty());
  EXPECT_EQ(options.clock, "system");
  EXPECT_EQ(options.shard, 0);
  EXPECT_EQ(options.shard_count, 1);
  EXPECT_TRUE(validate(options).ok());
}

TEST(AddServiceOptionsTest, ParsesEveryFlagIncludingRepeatedKafkaConfig) {
  CLI::App app("invoicing");
  ServiceOptions options;
  add_service_options(app, options, "0.0.0.0:50051", "0.0.0.0:9464", "/data");
  parse(app, {"--data-dir",      "/srv/arflow",
              "--grpc-addr",     "127.0.0.1:6000",
              "--metrics-addr",  "127.0.0.1:6001",
              "--kafka-brokers", "k1:9092,k2:9092",
              "--kafka-config",  "acks=all",
              "--kafka-config",  "compression.type=zstd",
              "--clock",         "simulated:2026-01-31T00:00:00Z",
              "--tenants",       "/etc/arflow/tenants.yaml",
              "--shard",         "2",
              "--shard-count",   "8"});
  EXPECT_EQ(options.data_dir, "/srv/arflow");
  EXPECT_EQ(options.grpc_addr, "127.0.0.1:6000");
  EXPECT_EQ(options.metrics_addr, "127.0.0.1:6001");
  EXPECT_EQ(options.kafka_brokers, "k1:9092,k2:9092");
  EXPECT_THAT(options.kafka_config,
              ElementsAre(Pair("acks", "all"), Pair("compression.type", "zstd")));
  EXPECT_EQ(options.clock, "simulated:2026-01-31T00:00:00Z");
  EXPECT_EQ(options.tenants_file, "/etc/arflow/tenants.yaml");
  EXPECT_EQ(options.shard, 2);
  EXPECT_EQ(options.shard_count, 8);
  EXPECT_TRUE(validate(options).ok());
}

TEST(AddServiceOptionsTest, KafkaConfigValueMayContainEqualsAndCommas) {
  CLI::App app("invoicing");
  ServiceOptions options;
  add_service_options(app, options, "a", "b", "c");
  parse(app, {"--kafka-config=sasl.jaas.config=user=x,password=y"});
  EXPECT_THAT(options.kafka_config, ElementsAre(Pair("sasl.jaas.config", "user=x,password=y")));
}

TEST(AddServiceOptionsTest, RefusesAKafkaConfigEntryWithoutEquals) {
  CLI::App app("invoicing");
  ServiceOptions options;
  add_service_options(app, options, "a", "b", "c");
  // CLI11 reports errors by throwing; a service's main() turns that into app.exit(e).
  try {
    parse(app, {"--kafka-config", "acks=all", "--kafka-config", "compression"});
    FAIL() << "a kafka-config entry without '=' must be refused";
  } catch (const CLI::ValidationError& e) {
    EXPECT_THAT(e.what(), HasSubstr("--kafka-config entry 'compression' must be key=value"));
  }
}

TEST(AddServiceOptionsTest, RefusesANonNumericShard) {
  CLI::App app("invoicing");
  ServiceOptions options;
  add_service_options(app, options, "a", "b", "c");
  EXPECT_THROW(parse(app, {"--shard", "two"}), CLI::ParseError);
}

}  // namespace
}  // namespace arflow
