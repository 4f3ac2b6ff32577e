#include "payments/app/aggregates.h"

#include <fmt/format.h>

#include "arflow/eventstore/fold_cache.h"
#include "payments/app/keys.h"
#include "payments/domain/events.h"
#include "payments/domain/payment.h"

namespace arflow::payments::app {

void fold(LoadedPayment& payment, const eventstore::Envelope& event) {
  auto payload = payment_event(event);
  if (!payload.has_value()) {
    if (payment.state.integrity.ok()) {
      payment.state.integrity = absl::DataLossError(
          fmt::format("stream {} holds an event of type '{}' at version {}", event.stream(),
                      eventstore::event_type(event), event.version()));
    }
    return;
  }
  payment.state = evolve(std::move(payment.state), *payload);
  payment.version = event.version();
  const Timestamp at = eventstore::from_proto(event.recorded_at());
  if (event.version() == 1) {
    payment.created = at;
  }
  payment.updated = at;
}

namespace {
// Payments the executor has folded: allocating or refunding folds only what changed.
using PaymentFolds = eventstore::FoldCache<LoadedPayment>;
}  // namespace

Result<LoadedPayment> load_payment(eventstore::Transaction& txn, std::string_view tenant,
                                   std::string_view payment_id) {
  LoadedPayment empty;
  empty.state.payment_id = std::string(payment_id);
  return txn.executor_local<PaymentFolds>().load(
      txn, tenant_stream(tenant, payment_stream(payment_id)), std::move(empty),
      [](LoadedPayment& payment, const eventstore::Envelope& event) { fold(payment, event); });
}

absl::Status keep_payment(eventstore::Transaction& txn, std::string_view tenant,
                          const LoadedPayment& payment) {
  return txn.executor_local<PaymentFolds>().keep(
      txn, tenant_stream(tenant, payment_stream(payment.state.payment_id)), payment,
      payment.version);
}

Result<LoadedPayment> read_payment(const eventstore::Store& store, std::string_view tenant,
                                   std::string_view payment_id,
                                   std::vector<eventstore::Envelope>* history) {
  auto events = store.read_stream(tenant_stream(tenant, payment_stream(payment_id)));
  if (!events.ok()) {
    return events.status();
  }
  LoadedPayment payment;
  payment.state.payment_id = std::string(payment_id);
  for (const auto& event : *events) {
    fold(payment, event);
  }
  if (history != nullptr) {
    *history = std::move(*events);
  }
  return payment;
}

}  // namespace arflow::payments::app
