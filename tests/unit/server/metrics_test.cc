#include "arflow/server/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/counter.h>

#include "server_test_support.h"

namespace arflow::server {
namespace {

using ::testing::HasSubstr;

TEST(MetricsRegistry, NamesMetricsAfterTheService) {
  auto metrics = MetricsRegistry::create("invoicing", "");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ((*metrics)->service(), "invoicing");
  EXPECT_EQ((*metrics)->metric_name("events_appended_total"),
            "arflow_invoicing_events_appended_total");
  EXPECT_EQ((*metrics)->port(), std::nullopt);
}

TEST(MetricsRegistry, RejectsServiceNamesThatBreakMetricNames) {
  for (const char* bad : {"", "Invoicing", "in-voicing", "1nvoicing", "invoicing service"}) {
    EXPECT_EQ(MetricsRegistry::create(bad, "").status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(MetricsRegistry, ServesTheRegistryOverHttpOnAnEphemeralPort) {
  auto metrics = MetricsRegistry::create("payments", "127.0.0.1:0");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  ASSERT_TRUE((*metrics)->port().has_value());
  EXPECT_GT(*(*metrics)->port(), 0);
  auto& counter = prometheus::BuildCounter()
                      .Name((*metrics)->metric_name("payments_recorded_total"))
                      .Help("test")
                      .Register((*metrics)->registry())
                      .Add({{"currency", "EUR"}});
  counter.Increment(3);
  const std::string response = testing::http_get(*(*metrics)->port(), "/metrics");
  EXPECT_THAT(response, HasSubstr("HTTP/1.1 200 OK"));
  EXPECT_THAT(testing::sample_value(response, "arflow_payments_payments_recorded_total",
                                    {{"currency", "EUR"}}),
              ::testing::Optional(3.0));
}

TEST(MetricsRegistry, AddressInUseIsUnavailable) {
  auto first = MetricsRegistry::create("payments", "127.0.0.1:0");
  ASSERT_TRUE(first.ok()) << first.status();
  const auto second =
      MetricsRegistry::create("payments", "127.0.0.1:" + std::to_string(*(*first)->port()));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace arflow::server
