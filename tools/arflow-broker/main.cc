// arflow-broker: the embedded Kafka broker (librdkafka's mock cluster) as a process.
// Prints its bootstrap list on stdout (and to --bootstrap-file), then serves until SIGTERM
// or SIGINT.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "arflow/bus/embedded_broker.h"
#include "arflow/core/log.h"

int main(int argc, char** argv) {
  CLI::App app{"arflow-broker: an embedded Kafka broker for development and tests"};
  arflow::bus::EmbeddedBrokerOptions options;
  std::string bootstrap_file;
  app.add_option("--brokers", options.brokers, "Number of brokers in the cluster")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  app.add_option("--partitions", options.partitions, "Partitions of each topic")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--topic", options.topics,
                 "Topic to create (repeatable); default: the arflow topics");
  app.add_option("--bootstrap-file", bootstrap_file,
                 "Also write the bootstrap list to this file (written once the broker is up)");
  CLI11_PARSE(app, argc, argv);
  arflow::init_logging("broker");

  // Block the stop signals before librdkafka starts its threads, so that only sigwait
  // below receives them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  auto broker = arflow::bus::EmbeddedBroker::start(options);
  if (!broker.ok()) {
    std::cerr << "arflow-broker: " << broker.status() << "\n";
    return 1;
  }
  const std::string& bootstrap = (*broker)->bootstrap_servers();
  if (!bootstrap_file.empty()) {
    // Write then rename, so that a reader never sees half a list.
    const std::string tmp = bootstrap_file + ".tmp";
    std::ofstream(tmp) << bootstrap << "\n";
    if (std::rename(tmp.c_str(), bootstrap_file.c_str()) != 0) {
      std::cerr << "arflow-broker: cannot write " << bootstrap_file << "\n";
      return 1;
    }
  }
  std::cout << bootstrap << std::endl;
  ARFLOW_LOG_INFO("broker_started", "bootstrap={} brokers={} partitions={}", bootstrap,
                  options.brokers, options.partitions);
  int sig = 0;
  sigwait(&stop, &sig);
  ARFLOW_LOG_INFO("broker_stopping", "signal={}", sig);
  broker->reset();
  return 0;
}
