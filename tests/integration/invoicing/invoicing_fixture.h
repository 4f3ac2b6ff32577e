#pragma once
// Starts arflow-broker and arflow-invoicing as processes, as an operator would, and talks
// to the service through the generated gRPC client. The service can be killed (SIGKILL)
// and started again on the same data directory.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "arflow/invoicing/v1/invoicing_service.grpc.pb.h"
#include "support/service_process.h"
#include "support/temp_dir.h"

namespace arflow::testing {

namespace v1 = ::arflow::invoicing::v1;

class InvoicingProcesses {
 public:
  // Starts the broker; start_service() starts the service.
  InvoicingProcesses() : invoicing_("invoicing", dir_.sub("invoicing"), broker_.bootstrap()) {}

  const std::string& bootstrap() const { return broker_.bootstrap(); }
  const std::string& data_dir() const { return dir_.path(); }

  // Starts arflow-invoicing and waits until it serves; false if it did not come up.
  bool start_service() { return invoicing_.start(); }
  // SIGKILL: no shutdown, no flush; what was acknowledged must survive anyway.
  void kill_service() { invoicing_.kill(); }
  // Graceful stop (SIGTERM), as an operator's restart.
  int stop_service() { return invoicing_.stop(); }
  // The current client; after a restart, a new one (callers compare generations).
  std::shared_ptr<v1::InvoicingService::Stub> stub(uint64_t* generation = nullptr) {
    return invoicing_.stub(generation);
  }

 private:
  TempDir dir_;
  BrokerProcess broker_;
  ServiceProcess<v1::InvoicingService> invoicing_;
};

}  // namespace arflow::testing
