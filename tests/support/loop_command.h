#pragma once
// Running one piece of application code as a command of a real CommandLoop, the way a gRPC
// handler or a reaction does, and getting its result back once the batch is durable.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "arflow/core/error.h"
#include "arflow/eventstore/command_loop.h"
#include "arflow/eventstore/envelope.h"
#include "arflow/eventstore/store.h"
#include "support/temp_dir.h"

namespace arflow::testing {

// Runs `work` for a test caller of `tenant` as one command of `loop`; returns what it
// returned, or the error that failed it (the command's writes rolled back).
template <typename Response>
Result<Response> run_command(
    eventstore::CommandLoop& loop, std::string_view tenant,
    const std::function<Result<Response>(eventstore::Transaction&, const eventstore::Caller&)>&
        work) {
  auto response = std::make_shared<Response>();
  eventstore::Command command;
  command.tenant = std::string(tenant);
  command.execute = [&, response](eventstore::Transaction& txn) -> Result<std::string> {
    const eventstore::Caller caller{
        .tenant = std::string(tenant), .actor = "test", .causation_id = "r", .correlation_id = "r"};
    auto result = work(txn, caller);
    if (!result.ok()) {
      return result.status();
    }
    *response = *std::move(result);
    return std::string();
  };
  auto done = loop.execute(std::move(command));
  if (!done.ok()) {
    return done.status();
  }
  return *response;
}

// An application-layer test: a store in a temporary directory, its command loop, and run()
// for the commands of tenant "t1".
class LoopTest : public ::testing::Test {
 protected:
  static constexpr std::string_view kTenant = "t1";

  // Opens the store, publishing on `events_topic`, and starts its loop; time from `clock`
  // (nullptr: the system's).
  void open(std::string_view events_topic, const Clock* clock = nullptr) {
    auto store = eventstore::Store::open(
        {.path = dir_.sub("store"), .events_topic = std::string(events_topic), .clock = clock});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    loop_ = std::make_unique<eventstore::CommandLoop>(*store_);
  }

  // Runs `work` as one command of the loop and returns its result once durable.
  template <typename Response>
  Result<Response> run(
      std::function<Result<Response>(eventstore::Transaction&, const eventstore::Caller&)> work) {
    return run_command<Response>(*loop_, kTenant, work);
  }

  TempDir dir_;
  std::unique_ptr<eventstore::Store> store_;
  std::unique_ptr<eventstore::CommandLoop> loop_;
};

}  // namespace arflow::testing
