#pragma once
// arflow processes started as an operator would start them: arflow-broker (the embedded
// broker) and a service on its own data directory against it, talked to through the
// generated gRPC client. A service can be killed (SIGKILL) and started again on the same data.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "arflow/process/child_process.h"

namespace arflow::testing {

// arflow-broker with `partitions` partitions per topic; bootstrap() is empty if it failed.
class BrokerProcess {
 public:
  explicit BrokerProcess(int partitions = 4) {
    if (!broker_
             .start({std::string(ARFLOW_BIN_DIR) + "/arflow-broker", "--partitions",
                     std::to_string(partitions)})
             .ok()) {
      return;
    }
    if (auto line = broker_.read_line(); line.has_value()) {
      bootstrap_ = *line;
    }
  }
  const std::string& bootstrap() const { return bootstrap_; }

 private:
  process::ChildProcess broker_;
  std::string bootstrap_;
};

// arflow-<name> (e.g. "payments") serving `Service` on an ephemeral port.
template <typename Service>
class ServiceProcess {
 public:
  ServiceProcess(std::string name, std::string data_dir, std::string bootstrap)
      : name_(std::move(name)), data_dir_(std::move(data_dir)), bootstrap_(std::move(bootstrap)) {}

  // Starts the process (with `flags` after the usual ones) and waits until it serves; false
  // if it did not come up.
  bool start(const std::vector<std::string>& flags = {}) {
    process_ = std::make_unique<process::ChildProcess>();
    std::vector<std::string> argv = {std::string(ARFLOW_BIN_DIR) + "/arflow-" + name_,
                                     "--data-dir",
                                     data_dir_,
                                     "--kafka-brokers",
                                     bootstrap_,
                                     "--grpc-addr",
                                     "127.0.0.1:0",
                                     "--metrics-addr",
                                     "127.0.0.1:0",
                                     "--kafka-config",
                                     "fetch.wait.max.ms=10"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    if (!process_->start(argv).ok()) {
      return false;
    }
    auto line = process_->read_line();
    const std::string ready = "arflow-" + name_ + " grpc_port=";
    if (!line.has_value() || !line->starts_with(ready)) {
      return false;
    }
    const std::string address = "127.0.0.1:" + line->substr(ready.size());
    auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      return false;
    }
    std::lock_guard lock(mu_);
    stub_ = Service::NewStub(channel);
    address_ = address;
    ++generation_;
    return true;
  }

  // host:port it serves on since its last start.
  std::string address() {
    std::lock_guard lock(mu_);
    return address_;
  }

  // SIGKILL: no shutdown, no flush; what was acknowledged must survive anyway.
  void kill() {
    process_->signal(SIGKILL);
    process_->wait();
  }

  // Graceful stop (SIGTERM), as an operator's restart.
  int stop() { return process_->stop(); }

  // The current client; after a restart, a new one (callers compare generations).
  std::shared_ptr<typename Service::Stub> stub(uint64_t* generation = nullptr) {
    std::lock_guard lock(mu_);
    if (generation != nullptr) {
      *generation = generation_;
    }
    return stub_;
  }

 private:
  const std::string name_;
  const std::string data_dir_;
  const std::string bootstrap_;
  std::unique_ptr<process::ChildProcess> process_;
  std::mutex mu_;
  std::shared_ptr<typename Service::Stub> stub_;  // guarded by mu_
  std::string address_;                           // guarded by mu_
  uint64_t generation_ = 0;                       // guarded by mu_
};

inline std::unique_ptr<grpc::ClientContext> call_context(int seconds = 10) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return ctx;
}

}  // namespace arflow::testing
