#pragma once
// Starts arflow-broker and arflow-invoicing as processes, as an operator would, and talks
// to the service through the generated gRPC client. The service can be killed (SIGKILL)
// and started again on the same data directory.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "arflow/invoicing/v1/invoicing_service.grpc.pb.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace arflow::testing {

namespace v1 = ::arflow::invoicing::v1;

class InvoicingProcesses {
 public:
  // Starts the broker; start_service() starts the service.
  InvoicingProcesses()
      : broker_({std::string(ARFLOW_BIN_DIR) + "/arflow-broker", "--partitions", "4"}) {
    if (auto line = broker_.read_line(); line.has_value()) {
      bootstrap_ = *line;
    }
  }

  const std::string& bootstrap() const { return bootstrap_; }
  const std::string& data_dir() const { return dir_.path(); }

  // Starts arflow-invoicing and waits until it serves; false if it did not come up.
  bool start_service() {
    service_ = std::make_unique<Process>(std::vector<std::string>{
        std::string(ARFLOW_BIN_DIR) + "/arflow-invoicing", "--data-dir", dir_.sub("invoicing"),
        "--kafka-brokers", bootstrap_, "--grpc-addr", "127.0.0.1:0", "--metrics-addr",
        "127.0.0.1:0", "--kafka-config", "fetch.wait.max.ms=10"});
    auto line = service_->read_line();
    constexpr std::string_view kReady = "arflow-invoicing grpc_port=";
    if (!line.has_value() || !line->starts_with(kReady)) {
      return false;
    }
    auto channel = grpc::CreateChannel("127.0.0.1:" + line->substr(kReady.size()),
                                       grpc::InsecureChannelCredentials());
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      return false;
    }
    std::lock_guard lock(mu_);
    stub_ = v1::InvoicingService::NewStub(channel);
    ++generation_;
    return true;
  }

  // SIGKILL: no shutdown, no flush; what was acknowledged must survive anyway.
  void kill_service() {
    service_->signal(SIGKILL);
    service_->wait();
  }

  // Graceful stop (SIGTERM), as an operator's restart.
  int stop_service() {
    service_->signal(SIGTERM);
    return service_->wait();
  }

  // The current client; after a restart, a new one (callers compare generations).
  std::shared_ptr<v1::InvoicingService::Stub> stub(uint64_t* generation = nullptr) {
    std::lock_guard lock(mu_);
    if (generation != nullptr) {
      *generation = generation_;
    }
    return stub_;
  }

 private:
  TempDir dir_;
  Process broker_;
  std::string bootstrap_;
  std::unique_ptr<Process> service_;
  std::mutex mu_;
  std::shared_ptr<v1::InvoicingService::Stub> stub_;  // guarded by mu_
  uint64_t generation_ = 0;                           // guarded by mu_
};

inline std::unique_ptr<grpc::ClientContext> call_context(int seconds = 10) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return ctx;
}

}  // namespace arflow::testing
