// arflow-invoicing: customers and invoices (DESIGN.md; the API in
// proto/arflow/invoicing/v1/invoicing_service.proto). Publishes every change on
// arflow.invoicing.events.v1 and applies payments' allocations from arflow.payments.events.v1.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "arflow/bus/topics.h"
#include "arflow/core/log.h"
#include "arflow/server/service_host.h"
#include "invoicing/api/invoicing_api.h"
#include "invoicing/app/payments_reaction.h"

int main(int argc, char** argv) {
  CLI::App app{"arflow-invoicing: customers, invoices, numbering, credit notes, follow-up"};
  arflow::ServiceOptions flags;
  arflow::add_service_options(app, flags, "127.0.0.1:50051", "127.0.0.1:9464", "data/invoicing");
  CLI11_PARSE(app, argc, argv);
  arflow::init_logging("invoicing");

  // Only the wait below receives the stop signals: block them before any thread starts.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  auto host = arflow::server::ServiceHost::start(
      {.service = "invoicing",
       .events_topic = std::string(arflow::bus::kInvoicingEvents),
       .flags = flags});
  if (!host.ok()) {
    ARFLOW_LOG_ERROR("start_failed", "error=\"{}\"", host.status().ToString());
    return 1;
  }
  arflow::invoicing::app::PaymentsReaction payments;
  if (auto s = (*host)->add_consumer("invoicing.payments", payments,
                                     {std::string(arflow::bus::kPaymentsEvents)});
      !s.ok()) {
    ARFLOW_LOG_ERROR("start_failed", "error=\"{}\"", s.ToString());
    return 1;
  }
  arflow::invoicing::api::InvoicingApi api(
      (*host)->store(), (*host)->loop(), (*host)->tenants(), (*host)->clock(),
      {.export_dir = std::filesystem::path(flags.data_dir) / "exports"});
  if (auto s = (*host)->serve({&api}); !s.ok()) {
    ARFLOW_LOG_ERROR("start_failed", "error=\"{}\"", s.ToString());
    return 1;
  }
  // One line on stdout once serving, for scripts and tests that asked for port 0.
  std::cout << "arflow-invoicing grpc_port=" << (*host)->grpc_port() << std::endl;
  (*host)->run_until_signal(stop);
  // Calls end first; then `api` (waiting for exports still reading the store), then the host.
  (*host)->stop_serving();
  return 0;
}
