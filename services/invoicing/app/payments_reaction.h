#pragma once
// Invoicing's reaction to the payments service (DESIGN.md, "The read path and reactions"):
// a PaymentAllocated applies the money to the invoice, an AllocationReversed takes it back.
// It runs as the Projection of a consumer runner on arflow.payments.events.v1, so the
// invoice's events, their outbox entries and the consumed offset commit in one batch; a
// redelivered event is skipped by the runner's high-water mark, and the decider records an
// allocation id once in any case. An allocation the invoice cannot take is not an error:
// the decider answers AllocationRejected, which payments turns into customer credit.
// Other payments events are not invoicing's business and are skipped.
//
// Thread-safety: apply() runs on the command loop's thread, as every Projection.

#include "arflow/bus/consumer_runner.h"

namespace arflow::invoicing::app {

class PaymentsReaction final : public bus::Projection {
 public:
  absl::Status apply(const eventstore::Envelope& event, eventstore::Transaction& txn) override;
};

}  // namespace arflow::invoicing::app
