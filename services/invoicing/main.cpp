// arflow-invoicing: customers and invoices (DESIGN.md; the API in
// proto/arflow/invoicing/v1/invoicing_service.proto). Publishes every change on
// arflow.invoicing.events.v1 and applies payments' allocations from arflow.payments.events.v1.
#include <CLI/CLI.hpp>
#include <filesystem>

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
  const sigset_t stop = arflow::server::block_stop_signals();

  auto host = arflow::server::ServiceHost::start(
      {.service = "invoicing",
       .events_topic = std::string(arflow::bus::kInvoicingEvents),
       .flags = flags});
  if (!host.ok()) {
    return arflow::server::start_failed(host.status());
  }
  arflow::invoicing::app::PaymentsReaction payments;
  if (auto s = (*host)->add_consumer("invoicing.payments", payments,
                                     {std::string(arflow::bus::kPaymentsEvents)});
      !s.ok()) {
    return arflow::server::start_failed(s);
  }
  arflow::invoicing::api::InvoicingApi api(
      (*host)->store(), (*host)->loop(), (*host)->tenants(), (*host)->clock(),
      {.export_dir = std::filesystem::path(flags.data_dir) / "exports"});
  if (auto s = (*host)->serve({&api}); !s.ok()) {
    return arflow::server::start_failed(s);
  }
  (*host)->announce_serving();
  (*host)->run_until_signal(stop);
  // Calls end first; then `api` (waiting for exports still reading the store), then the host.
  (*host)->stop_serving();
  return 0;
}
