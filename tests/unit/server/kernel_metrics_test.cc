#include "arflow/server/kernel_metrics.h"

#include <gtest/gtest.h>

#include <map>

#include "support/temp_dir.h"

namespace arflow::server {
namespace {

std::map<std::string, double> by_name(const std::vector<prometheus::MetricFamily>& families) {
  std::map<std::string, double> values;
  for (const auto& f : families) {
    for (const auto& m : f.metric) {
      std::string key = f.name;
      for (const auto& l : m.label) {
        key += "{" + l.name + "=" + l.value + "}";
      }
      values[key] = f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return values;
}

TEST(KernelMetrics, ReportWhatTheCommandLoopDidAtScrapeTime) {
  arflow::testing::TempDir dir;
  SimulatedClock clock(from_unix_millis(1'790'000'000'000));
  auto store =
      eventstore::Store::open({.path = dir.sub("db"), .events_topic = "t", .clock = &clock});
  ASSERT_TRUE(store.ok());
  eventstore::CommandLoop loop(**store);
  KernelMetrics metrics("invoicing", **store, loop);

  for (int i = 0; i < 3; ++i) {
    eventstore::Command c;
    c.tenant = "acme";
    c.request_id = "req-1";  // the second and third are retries
    c.fingerprint = 7;
    c.execute = [](eventstore::Transaction& txn) -> Result<std::string> {
      std::vector<eventstore::Envelope> events(2);
      for (auto& e : events) {
        e.set_tenant_id("acme");
      }
      auto v = txn.append("invoice/1", eventstore::ExpectedVersion::any(), events);
      return v.ok() ? Result<std::string>("") : v.status();
    };
    ASSERT_TRUE(loop.execute(std::move(c)).ok());
  }

  const auto values = by_name(metrics.Collect());
  EXPECT_EQ(values.at("arflow_invoicing_commands_total"), 3);
  EXPECT_EQ(values.at("arflow_invoicing_events_appended_total"), 2);
  EXPECT_EQ(values.at("arflow_invoicing_idempotent_replays_total"), 2);
  EXPECT_EQ(values.at("arflow_invoicing_commands_queued"), 0);
  EXPECT_EQ(values.at("arflow_invoicing_event_store_healthy"), 1);
  EXPECT_GE(values.at("arflow_invoicing_command_batches_total"), 1);
  EXPECT_FALSE(values.contains("arflow_invoicing_events_published_total"));  // no relay here
}

}  // namespace
}  // namespace arflow::server
