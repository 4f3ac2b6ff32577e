// arflow-bench-kernel: throughput of the event-sourcing kernel on this machine.
//   1. synced events/s through the command loop, 256 commands in flight (one event each)
//   2. the same with 8 synchronous callers (each waits for its reply before the next)
//   3. outbox -> embedded broker through the relay, events/s
//   4. consumer runner from the broker into a RocksDB projection, events/s
// Every command's events are durable (WAL fsync) before its reply. Figures, not a test.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "arflow/bus/consumer_runner.h"
#include "arflow/bus/embedded_broker.h"
#include "arflow/bus/outbox_relay.h"
#include "arflow/bus/topics.h"
#include "arflow/core/log.h"
#include "arflow/core/options.h"
#include "support/counter_projection.h"

using namespace arflow;
using Stopwatch = std::chrono::steady_clock;

namespace {

double seconds_since(Stopwatch::time_point start) {
  return std::chrono::duration<double>(Stopwatch::now() - start).count();
}

eventstore::Command one_event_command(uint64_t i, int streams) {
  eventstore::Command c;
  c.execute = [i, streams](eventstore::Transaction& txn) -> Result<std::string> {
    std::array<eventstore::Envelope, 1> events;
    auto& e = events[0];
    const auto s = i % static_cast<uint64_t>(streams);
    e.set_tenant_id("bench");
    e.set_customer_id("cust-" + std::to_string(s % 1000));
    e.set_actor("bench");
    auto* updated = e.mutable_customer_updated();
    updated->set_customer_id(e.customer_id());
    updated->mutable_details()->set_legal_name("Benchmark Customer S.p.A.");
    auto v =
        txn.append("customer/" + std::to_string(s), eventstore::ExpectedVersion::any(), events);
    return v.ok() ? Result<std::string>(std::string()) : v.status();
  };
  return c;
}

struct LoopFigures {
  double events_per_s;
  double commands_per_batch;
};

// Keeps up to `in_flight` commands outstanding until `total` are done. The submitter is
// woken when a chunk of slots is free rather than at every completion: a wake-up per
// command would measure the scheduler of this harness, not the loop.
LoopFigures bench_in_flight(eventstore::CommandLoop& loop, uint64_t total, int in_flight) {
  const uint64_t window = static_cast<uint64_t>(in_flight);
  const uint64_t refill_at = window - std::min<uint64_t>(32, window / 2);
  std::mutex mu;
  std::condition_variable cv;
  uint64_t outstanding = 0;
  uint64_t completed = 0;
  const auto before = loop.stats();
  const auto start = Stopwatch::now();
  for (uint64_t i = 0; i < total; ++i) {
    {
      std::unique_lock lock(mu);
      if (outstanding >= window) {
        cv.wait(lock, [&] { return outstanding <= refill_at; });
      }
      ++outstanding;
    }
    auto c = one_event_command(i, 10'000);
    c.done = [&](const Result<std::string>& r) {
      if (!r.ok()) {
        std::fprintf(stderr, "command failed: %s\n", r.status().ToString().c_str());
      }
      std::lock_guard lock(mu);
      --outstanding;
      ++completed;
      if (outstanding == refill_at || completed == total) {
        cv.notify_one();
      }
    };
    loop.submit(std::move(c));
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return completed == total; });
  }
  const double s = seconds_since(start);
  const auto after = loop.stats();
  return {static_cast<double>(after.events_appended - before.events_appended) / s,
          static_cast<double>(after.commands - before.commands) /
              static_cast<double>(after.batches - before.batches)};
}

LoopFigures bench_sync_callers(eventstore::CommandLoop& loop, uint64_t total, int callers) {
  const auto before = loop.stats();
  const auto start = Stopwatch::now();
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(callers));
  for (int t = 0; t < callers; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t i = static_cast<uint64_t>(t); i < total; i += static_cast<uint64_t>(callers)) {
        (void)loop.execute(one_event_command(i, 10'000));
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  const double s = seconds_since(start);
  const auto after = loop.stats();
  return {static_cast<double>(after.events_appended - before.events_appended) / s,
          static_cast<double>(after.commands - before.commands) /
              static_cast<double>(after.batches - before.batches)};
}

// Fills the outbox fast: many events per command (each event is durable before the relay
// starts, so the relay is timed alone).
void fill(eventstore::CommandLoop& loop, uint64_t total) {
  constexpr uint64_t kPerCommand = 1000;
  for (uint64_t done = 0; done < total; done += kPerCommand) {
    eventstore::Command c;
    c.execute = [done](eventstore::Transaction& txn) -> Result<std::string> {
      for (uint64_t i = done; i < done + kPerCommand; ++i) {
        std::array<eventstore::Envelope, 1> events;
        events[0].set_tenant_id("bench");
        events[0].set_customer_id("cust-" + std::to_string(i % 1000));
        events[0].set_actor("bench");
        events[0].mutable_customer_updated()->set_customer_id(events[0].customer_id());
        ARFLOW_RETURN_IF_ERROR(txn.append("customer/" + std::to_string(i % 10'000),
                                          eventstore::ExpectedVersion::any(), events)
                                   .status());
      }
      return std::string();
    };
    (void)loop.execute(std::move(c));
  }
}

// A rate from the first item to the last, and one counting from the start.
struct Throughput {
  double steady = 0;
  double with_connect = 0;
  double connect_ms = 0;
};

// Waits until `count()` reaches `total`; the clock for the steady rate starts at the first.
template <class Count>
Throughput measure(Stopwatch::time_point start, uint64_t total, Count count) {
  while (count() == 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  const auto first = Stopwatch::now();
  const uint64_t at_first = count();
  while (count() < total) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return {static_cast<double>(total - at_first) / seconds_since(first),
          static_cast<double>(total) / seconds_since(start),
          std::chrono::duration<double, std::milli>(first - start).count()};
}

// Fills an outbox with `events` events for `topic`, then times the relay publishing it.
Result<Throughput> publish(const std::string& path, const std::string& topic,
                           const std::string& bootstrap, uint64_t events,
                           const bus::KafkaProperties& kafka_config) {
  auto store = eventstore::Store::open({.path = path, .events_topic = topic});
  if (!store.ok()) {
    return store.status();
  }
  eventstore::CommandLoop loop(**store);
  fill(loop, events);
  const auto start = Stopwatch::now();
  auto relay = bus::OutboxRelay::start(
      **store, {.bootstrap_servers = bootstrap, .kafka_config = kafka_config});
  if (!relay.ok()) {
    return relay.status();
  }
  return measure(start, events, [&] { return (*relay)->stats().published; });
}

// Times a consumer runner applying `events` events of `topic` to a RocksDB projection.
Result<Throughput> consume(const std::string& path, const std::string& topic,
                           const std::string& bootstrap, uint64_t events,
                           const bus::KafkaProperties& kafka_config) {
  auto sink = eventstore::Store::open({.path = path, .events_topic = ""});
  if (!sink.ok()) {
    return sink.status();
  }
  eventstore::CommandLoop loop(**sink);
  testing::CounterProjection projection;
  const auto start = Stopwatch::now();
  auto runner = bus::ConsumerRunner::start(**sink, loop, projection,
                                           {.name = "bench.counter",
                                            .bootstrap_servers = bootstrap,
                                            .kafka_config = kafka_config,
                                            .topics = {topic}});
  if (!runner.ok()) {
    return runner.status();
  }
  return measure(start, events, [&] { return (*runner)->stats().applied; });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"arflow-bench-kernel: command loop, relay and consumer throughput"};
  uint64_t loop_commands = 200'000;
  uint64_t sync_commands = 20'000;
  uint64_t bus_events = 200'000;
  std::string dir = "/tmp/arflow-bench-kernel";
  app.add_option("--loop-commands", loop_commands, "Commands for the 256-in-flight run")
      ->capture_default_str();
  app.add_option("--sync-commands", sync_commands, "Commands for the 8-caller run")
      ->capture_default_str();
  app.add_option("--bus-events", bus_events,
                 "Events through the relay and the consumer (the embedded broker keeps ~5 MiB "
                 "per partition: stay under ~300k)")
      ->capture_default_str();
  app.add_option("--data-dir", dir, "Scratch directory (wiped)")->capture_default_str();
  bus::KafkaProperties kafka_config;
  app.add_option_function<std::vector<std::string>>(
      "--kafka-config",
      [&](const std::vector<std::string>& entries) {
        for (const auto& e : entries) {
          auto kv = parse_key_value("--kafka-config", e);
          if (!kv.ok()) {
            throw CLI::ValidationError(std::string(kv.status().message()));
          }
          kafka_config.push_back(*std::move(kv));
        }
      },
      "librdkafka property key=value for the relay and the consumer (repeatable)");
  CLI11_PARSE(app, argc, argv);
  init_logging("bench");
  spdlog::set_level(spdlog::level::warn);
  std::filesystem::remove_all(dir);

  auto store = eventstore::Store::open(
      {.path = dir + "/source", .events_topic = std::string(bus::kInvoicingEvents)});
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  std::printf("arflow kernel benchmark (%u cores)\n", std::thread::hardware_concurrency());
  {
    eventstore::CommandLoop loop(**store);
    auto f = bench_in_flight(loop, loop_commands, 256);
    std::printf(
        "command loop, 256 in flight:   %10.0f synced events/s  (%.1f commands per fsync)\n",
        f.events_per_s, f.commands_per_batch);
    f = bench_sync_callers(loop, sync_commands, 8);
    std::printf(
        "command loop, 8 sync callers:  %10.0f synced events/s  (%.1f commands per fsync)\n",
        f.events_per_s, f.commands_per_batch);
  }
  store->reset();

  auto broker = bus::EmbeddedBroker::start({});
  if (!broker.ok()) {
    std::fprintf(stderr, "%s\n", broker.status().ToString().c_str());
    return 1;
  }
  const std::string& bootstrap = (*broker)->bootstrap_servers();
  const std::string as_relayed(bus::kInvoicingEvents);
  auto relay = publish(dir + "/relay", as_relayed, bootstrap, bus_events, kafka_config);
  auto consumed =
      relay.ok() ? consume(dir + "/projection", as_relayed, bootstrap, bus_events, kafka_config)
                 : relay.status();
  // The same events written in large message sets: the embedded broker answers a fetch with
  // one message set per partition (librdkafka's mock), so on a topic of small sets the
  // consumer waits on fetches; Kafka returns up to max.partition.fetch.bytes of sets.
  const std::string in_large_sets(bus::kPaymentsEvents);
  auto large_config = kafka_config;
  large_config.emplace_back("linger.ms", "1000");
  auto large = relay.ok() && consumed.ok() ? publish(dir + "/relay-large", in_large_sets, bootstrap,
                                                     bus_events, large_config)
                                           : relay.status();
  auto consumed_large = large.ok() ? consume(dir + "/projection-large", in_large_sets, bootstrap,
                                             bus_events, kafka_config)
                                   : large.status();
  for (const auto* r : {&relay, &large}) {
    if (!r->ok()) {
      std::fprintf(stderr, "%s\n", r->status().ToString().c_str());
      return 1;
    }
  }
  for (const auto* c : {&consumed, &consumed_large}) {
    if (!c->ok()) {
      std::fprintf(stderr, "%s\n", c->status().ToString().c_str());
      return 1;
    }
  }
  std::printf(
      "relay, outbox -> broker:       %10.0f events/s  (%llu events, acks=all, idempotent; "
      "%.0f/s counting the %.0f ms to connect)\n",
      relay->steady, static_cast<unsigned long long>(bus_events), relay->with_connect,
      relay->connect_ms);
  std::printf(
      "consumer runner -> RocksDB:    %10.0f events/s  (topic as the relay wrote it; "
      "%.0f/s counting the %.0f ms to connect)\n",
      consumed->steady, consumed->with_connect, consumed->connect_ms);
  std::printf(
      "consumer runner -> RocksDB:    %10.0f events/s  (topic in large message sets; "
      "%.0f/s counting the %.0f ms to connect)\n",
      consumed_large->steady, consumed_large->with_connect, consumed_large->connect_ms);
  std::filesystem::remove_all(dir);
  return 0;
}
