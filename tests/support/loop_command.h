#pragma once
// Running one piece of application code as a command of a real CommandLoop, the way a gRPC
// handler or a reaction does, and getting its result back once the batch is durable.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "arflow/core/error.h"
#include "arflow/eventstore/command_loop.h"
#include "arflow/eventstore/envelope.h"

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

}  // namespace arflow::testing
