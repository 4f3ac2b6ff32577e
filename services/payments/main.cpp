// arflow-payments: money received and where it went (DESIGN.md; the API in
// proto/arflow/payments/v1/payments_service.proto). Publishes every change on
// arflow.payments.events.v1 and follows invoices, and invoicing's answers to its allocations, on
// arflow.invoicing.events.v1.
#include <CLI/CLI.hpp>

#include "arflow/bus/topics.h"
#include "arflow/core/log.h"
#include "arflow/server/service_host.h"
#include "payments/api/payments_api.h"
#include "payments/app/invoicing_reaction.h"

int main(int argc, char** argv) {
  CLI::App app{"arflow-payments: payments, allocations, customer credit, refunds, chargebacks"};
  arflow::ServiceOptions flags;
  arflow::add_service_options(app, flags, "127.0.0.1:50052", "127.0.0.1:9465", "data/payments");
  CLI11_PARSE(app, argc, argv);
  arflow::init_logging("payments");
  const sigset_t stop = arflow::server::block_stop_signals();

  auto host =
      arflow::server::ServiceHost::start({.service = "payments",
                                          .events_topic = std::string(arflow::bus::kPaymentsEvents),
                                          .flags = flags});
  if (!host.ok()) {
    return arflow::server::start_failed(host.status());
  }
  arflow::payments::app::InvoicingReaction invoicing;
  if (auto s = (*host)->add_consumer("payments.invoicing", invoicing,
                                     {std::string(arflow::bus::kInvoicingEvents)});
      !s.ok()) {
    return arflow::server::start_failed(s);
  }
  arflow::payments::api::PaymentsApi api((*host)->store(), (*host)->loop(), (*host)->tenants(),
                                         (*host)->clock());
  if (auto s = (*host)->serve({&api}); !s.ok()) {
    return arflow::server::start_failed(s);
  }
  (*host)->announce_serving();
  (*host)->run_until_signal(stop);
  // Calls end first; then `api`, then the host.
  (*host)->stop_serving();
  return 0;
}
