#pragma once
// An event store in a temporary directory with a simulated clock and its command loop.

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "arflow/eventstore/command_loop.h"
#include "arflow/eventstore/store.h"
#include "support/temp_dir.h"

namespace arflow::eventstore::testing {

inline constexpr char kTopic[] = "arflow.test.events.v1";

inline Envelope event_for(const std::string& tenant, const std::string& customer) {
  Envelope e;
  e.set_tenant_id(tenant);
  e.set_customer_id(customer);
  e.set_actor("test");
  return e;
}

// A command that appends `n` events for customer `customer` to `stream` at `expected`.
inline Command append_command(const std::string& stream, ExpectedVersion expected, int n = 1,
                              const std::string& customer = "c1") {
  Command c;
  c.tenant = "t1";
  c.execute = [stream, expected, n, customer](Transaction& txn) -> Result<std::string> {
    std::vector<Envelope> events(static_cast<size_t>(n), event_for("t1", customer));
    auto v = txn.append(stream, expected, events);
    if (!v.ok()) {
      return v.status();
    }
    return std::to_string(*v);
  };
  return c;
}

// Submits without waiting, so that commands submitted in a row can share a batch.
inline std::future<Result<std::string>> submit_async(CommandLoop& loop, Command command) {
  auto promise = std::make_shared<std::promise<Result<std::string>>>();
  auto future = promise->get_future();
  command.done = [promise](Result<std::string> r) { promise->set_value(std::move(r)); };
  loop.submit(std::move(command));
  return future;
}

class StoreFixture {
 public:
  StoreFixture() : clock_(from_unix_millis(1'790'000'000'000)) { reopen(); }

  void reopen(std::chrono::hours idempotency_retention = std::chrono::hours(24 * 7),
              CommandLoopOptions loop_options = {}) {
    loop_.reset();
    store_.reset();
    auto s = Store::open({.path = dir_.sub("db"),
                          .events_topic = kTopic,
                          .idempotency_retention = idempotency_retention,
                          .clock = &clock_});
    if (!s.ok()) {
      throw std::runtime_error(s.status().ToString());
    }
    store_ = *std::move(s);
    loop_ = std::make_unique<CommandLoop>(*store_, loop_options);
  }

  Store& store() { return *store_; }
  CommandLoop& loop() { return *loop_; }
  SimulatedClock& clock() { return clock_; }
  const arflow::testing::TempDir& dir() const { return dir_; }

 private:
  arflow::testing::TempDir dir_;
  SimulatedClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<CommandLoop> loop_;
};

}  // namespace arflow::eventstore::testing
