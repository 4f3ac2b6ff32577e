#pragma once
// Starts arflow-broker, arflow-invoicing and arflow-payments as processes, as an operator
// would, and talks to both services through their generated gRPC clients. Either service
// can be killed (SIGKILL) and started again on its data directory.

#include <gtest/gtest.h>

#include <string>

#include "arflow/invoicing/v1/invoicing_service.grpc.pb.h"
#include "arflow/payments/v1/payments_service.grpc.pb.h"
#include "support/invoicing_requests.h"
#include "support/service_process.h"
#include "support/temp_dir.h"

namespace arflow::testing {

namespace iv1 = ::arflow::invoicing::v1;
namespace pv1 = ::arflow::payments::v1;

class MoneyFlowProcesses {
 public:
  MoneyFlowProcesses()
      : invoicing_("invoicing", dir_.sub("invoicing"), broker_.bootstrap()),
        payments_("payments", dir_.sub("payments"), broker_.bootstrap()) {}

  bool start() { return !broker_.bootstrap().empty() && invoicing_.start() && payments_.start(); }

  const std::string& bootstrap() const { return broker_.bootstrap(); }
  // A service's --data-dir ("invoicing", "payments").
  std::string data_dir(const std::string& service) const { return dir_.sub(service); }
  ServiceProcess<iv1::InvoicingService>& invoicing() { return invoicing_; }
  ServiceProcess<pv1::PaymentsService>& payments() { return payments_; }

 private:
  TempDir dir_;
  BrokerProcess broker_;
  ServiceProcess<iv1::InvoicingService> invoicing_;
  ServiceProcess<pv1::PaymentsService> payments_;
};

inline ::arflow::common::v1::Money eur(int64_t cents) {
  ::arflow::common::v1::Money m;
  m.set_minor_units(cents);
  m.set_currency("EUR");
  return m;
}

}  // namespace arflow::testing
