#pragma once
// Starts arflow-broker, arflow-invoicing and arflow-payments as processes, as an operator
// would, and talks to both services through their generated gRPC clients. Either service
// can be killed (SIGKILL) and started again on its data directory.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

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

// Polls (the services talk through Kafka) until `done` holds; false after 15 s.
inline bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 300; ++i) {
    if (done()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// Registers customer `id` (Acme's details) in tenant "dev".
inline void create_customer(iv1::InvoicingService::Stub& invoicing, const std::string& id) {
  iv1::CreateCustomerRequest request;
  request.set_parent("tenants/dev");
  request.set_customer_id(id);
  *request.mutable_details() = acme_details();
  request.set_request_id("customer-" + id);
  iv1::Customer out;
  auto status = invoicing.CreateCustomer(call_context().get(), request, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

// Issues invoice `id` of `cents` (one line, no tax) to `customer` in series F, dated
// 2026-10-01; its number, or "" when refused.
inline std::string issue_invoice(iv1::InvoicingService::Stub& invoicing, const std::string& id,
                                 const std::string& customer, int64_t cents) {
  iv1::CreateInvoiceRequest request;
  request.set_parent("tenants/dev");
  request.set_invoice_id(id);
  request.set_customer_id(customer);
  request.mutable_content()->set_currency("EUR");
  *request.mutable_content()->add_lines() = line("Service", 1, cents, 0);
  request.set_issue(true);
  request.set_series("F");
  *request.mutable_issue_date() = date(2026, 10, 1);
  request.set_request_id("invoice-" + id);
  iv1::Invoice out;
  auto status = invoicing.CreateInvoice(call_context().get(), request, &out);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return out.number();
}

inline ::arflow::common::v1::Money eur(int64_t cents) {
  ::arflow::common::v1::Money m;
  m.set_minor_units(cents);
  m.set_currency("EUR");
  return m;
}

}  // namespace arflow::testing
