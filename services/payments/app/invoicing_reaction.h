#pragma once
// Payments' reaction to the invoicing service (DESIGN.md, "The read path and reactions";
// docs/payments.md, "The saga with invoicing"). On arflow.invoicing.events.v1 it:
//  - keeps what payments knows of each invoice (balance, status, customer, currency, due
//    date) and the customer's list of open invoices, from which allocations are checked;
//  - settles an allocation in flight once invoicing answered it;
//  - marks the allocation APPLIED on the payment when invoicing applied it;
//  - returns the money of an allocation invoicing rejected or released to the payment's
//    unapplied amount: the customer's credit (AllocationReturned).
// It runs as the Projection of a consumer runner, so the rows, the payment's events, their
// outbox entries and the consumed offset commit in one batch; a redelivered event is
// skipped by the runner's high-water mark, and a returned allocation is returned once in
// any case.
//
// Thread-safety: apply() runs on the command loop's thread, as every Projection.

#include <string_view>

#include "arflow/bus/consumer_runner.h"

namespace arflow::payments::app {

class InvoicingReaction final : public bus::Projection {
 public:
  absl::Status apply(const eventstore::Envelope& event, eventstore::Transaction& txn) override;
};

// The payment an allocation id belongs to ("<payment_id>-a<n>"), or empty when the id is
// not one payments gives.
std::string_view payment_of_allocation(std::string_view allocation_id);

}  // namespace arflow::payments::app
