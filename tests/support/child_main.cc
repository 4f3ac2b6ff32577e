// arflow_test_child: processes that kernel tests start, kill with SIGKILL and restart.
//   append  <db-dir>                      appends until killed; prints each acknowledged id
//   consume <db-dir> <bootstrap> <topic>  runs a consumer runner with the counter projection
//                                         (and a relay for its dead letters) until SIGTERM;
//                                         prints "ready", then "applied=N lag=N" lines
//   spawn   <program> [args...]           runs the program as its own child process (from a
//                                         thread that then ends), prints its pid, waits forever
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "arflow/bus/outbox_relay.h"
#include "arflow/bus/topics.h"
#include "arflow/process/child_process.h"
#include "counter_projection.h"

using namespace arflow;

namespace {

void say(const std::string& line) {
  const std::string out = line + "\n";
  (void)!::write(STDOUT_FILENO, out.data(), out.size());
}

int append(const std::string& dir) {
  SimulatedClock clock(from_unix_millis(1'790'000'000'000));
  auto store = eventstore::Store::open(
      {.path = dir, .events_topic = "arflow.test.events.v1", .clock = &clock});
  if (!store.ok()) {
    say(store.status().ToString());
    return 3;
  }
  eventstore::CommandLoop loop(**store);
  for (uint32_t i = 0;; ++i) {
    // Each command writes two streams, three events and one: all of it appears or none.
    eventstore::Command c;
    c.execute = [i](eventstore::Transaction& txn) -> Result<std::string> {
      std::vector<eventstore::Envelope> events(3);
      for (auto& e : events) {
        e.set_tenant_id("t1");
        e.set_customer_id("c");
      }
      ARFLOW_RETURN_IF_ERROR(
          txn.append("a/" + std::to_string(i), eventstore::ExpectedVersion::no_stream(), events)
              .status());
      std::vector<eventstore::Envelope> mirror(1);
      mirror[0].set_tenant_id("t1");
      return txn.append("b/" + std::to_string(i), eventstore::ExpectedVersion::no_stream(), mirror)
                     .ok()
                 ? Result<std::string>("")
                 : absl::InternalError("mirror append failed");
    };
    c.done = [i](const Result<std::string>& r) {
      if (r.ok()) {
        say(std::to_string(i));  // one write(2) per line: atomic on a pipe
      }
    };
    loop.submit(std::move(c));
    if (i % 64 == 63) {
      ::usleep(200);  // let batches form
    }
  }
}

int consume(const std::string& dir, const std::string& bootstrap, const std::string& topic) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  auto store = eventstore::Store::open({.path = dir, .events_topic = ""});
  if (!store.ok()) {
    say(store.status().ToString());
    return 3;
  }
  eventstore::CommandLoop loop(**store);
  auto relay = bus::OutboxRelay::start(**store, {.bootstrap_servers = bootstrap});
  if (!relay.ok()) {
    say(relay.status().ToString());
    return 4;
  }
  auto wake_relay = loop.on_commit([r = relay->get()] { r->wake(); });
  testing::CounterProjection counter;
  auto runner = bus::ConsumerRunner::start(
      **store, loop, counter,
      {.name = "test.counter", .bootstrap_servers = bootstrap, .topics = {topic}});
  if (!runner.ok()) {
    say(runner.status().ToString());
    return 5;
  }
  say("ready");
  timespec tick{0, 100'000'000};
  while (sigtimedwait(&stop, nullptr, &tick) < 0) {
    const auto s = (*runner)->stats();
    say("applied=" + std::to_string(s.applied) + " dead=" + std::to_string(s.dead_lettered) +
        " lag=" + std::to_string((*runner)->lag()));
  }
  return 0;
}

// A parent that dies with its child still running (the test kills it).
int spawn(std::vector<std::string> argv) {
  process::ChildProcess child;
  absl::Status started;
  std::thread([&] { started = child.start(std::move(argv)); }).join();
  if (!started.ok()) {
    say(started.ToString());
    return 3;
  }
  say(std::to_string(child.pid()));
  while (true) {
    ::pause();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "append") == 0) {
    return append(argv[2]);
  }
  if (argc == 5 && std::strcmp(argv[1], "consume") == 0) {
    return consume(argv[2], argv[3], argv[4]);
  }
  if (argc >= 3 && std::strcmp(argv[1], "spawn") == 0) {
    return spawn(std::vector<std::string>(argv + 2, argv + argc));
  }
  std::fprintf(stderr,
               "usage: %s append <dir> | consume <dir> <bootstrap> <topic> | spawn <program>...\n",
               argv[0]);
  return 2;
}
