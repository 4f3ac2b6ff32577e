#include "invoicing/app/payments_reaction.h"

#include "invoicing/app/execute.h"
#include "invoicing/domain/proto_convert.h"

namespace arflow::invoicing::app {

absl::Status PaymentsReaction::apply(const eventstore::Envelope& event,
                                     eventstore::Transaction& txn) {
  const Caller caller{
      .tenant = event.tenant_id(),
      .actor = "payments",
      .causation_id = event.event_id(),
      .correlation_id = event.correlation_id().empty() ? event.event_id() : event.correlation_id()};
  switch (event.payload_case()) {
    case eventstore::Envelope::kPaymentAllocated: {
      const auto& allocated = event.payment_allocated();
      auto amount = from_proto(allocated.amount(), "payment_allocated.amount");
      if (!amount.ok()) {
        return amount.status();
      }
      auto paid_on = from_proto(allocated.paid_on(), "payment_allocated.paid_on");
      if (!paid_on.ok()) {
        return paid_on.status();
      }
      return execute(txn, caller,
                     ApplyPayment{.invoice_id = allocated.invoice_id(),
                                  .allocation_id = allocated.allocation_id(),
                                  .amount = *amount,
                                  .paid_on = *paid_on});
    }
    case eventstore::Envelope::kAllocationReversed: {
      const auto& reversed = event.allocation_reversed();
      return execute(txn, caller,
                     ReversePayment{.invoice_id = reversed.invoice_id(),
                                    .allocation_id = reversed.allocation_id(),
                                    .reason = reversed.reason()});
    }
    default:
      return absl::OkStatus();
  }
}

}  // namespace arflow::invoicing::app
