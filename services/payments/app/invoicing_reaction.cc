#include "payments/app/invoicing_reaction.h"

#include <fmt/format.h>

#include "payments/app/execute.h"
#include "payments/app/keys.h"
#include "payments/app/resources.h"
#include "payments/app/rows.h"

namespace arflow::payments::app {

namespace {

using eventstore::Envelope;

// The payment's row shows the allocation APPLIED.
absl::Status show_applied(eventstore::Transaction& txn, std::string_view tenant,
                          std::string_view allocation_id) {
  const std::string_view payment_id = payment_of_allocation(allocation_id);
  if (payment_id.empty()) {
    return absl::OkStatus();  // applied by someone else than payments: nothing of ours
  }
  auto row = load_payment_row(reader_of(txn), tenant, payment_id);
  if (!row.ok()) {
    return row.status();
  }
  if (row->has_value() && mark_applied(**row, allocation_id)) {
    txn.put(payment_row(tenant, payment_id), (*row)->SerializeAsString());
  }
  return absl::OkStatus();
}

// Invoicing did not keep the allocation: its money goes back on the payment.
absl::Status give_back(eventstore::Transaction& txn, const Caller& caller,
                       std::string_view allocation_id, v1::ReturnReason reason,
                       std::string detail) {
  const std::string_view payment_id = payment_of_allocation(allocation_id);
  if (payment_id.empty()) {
    return invalid_field("allocation_id",
                         fmt::format("'{}' is not an allocation payments made", allocation_id));
  }
  return execute(txn, caller,
                 ReturnAllocation{.payment_id = std::string(payment_id),
                                  .allocation_id = std::string(allocation_id),
                                  .reason = reason,
                                  .detail = std::move(detail)})
      .status();
}

}  // namespace

std::string_view payment_of_allocation(std::string_view allocation_id) {
  const size_t at = allocation_id.rfind("-a");
  if (at == std::string_view::npos || at == 0 || at + 2 >= allocation_id.size()) {
    return {};
  }
  for (const char c : allocation_id.substr(at + 2)) {
    if (c < '0' || c > '9') {
      return {};
    }
  }
  return allocation_id.substr(0, at);
}

absl::Status InvoicingReaction::apply(const Envelope& event, eventstore::Transaction& txn) {
  const std::string_view invoice_id = invoice_of(event);
  if (invoice_id.empty()) {
    return absl::OkStatus();  // no invoice balance or allocation in it
  }
  const Caller caller{
      .tenant = event.tenant_id(),
      .actor = "invoicing",
      .causation_id = event.event_id(),
      .correlation_id = event.correlation_id().empty() ? event.event_id() : event.correlation_id()};
  auto invoice = load_known_invoice(reader_of(txn), caller.tenant, invoice_id);
  if (!invoice.ok()) {
    return invoice.status();
  }
  const bool was_open = invoice->open_for_payment();
  evolve(*invoice, event);
  if (invoice->issued()) {
    save_known_invoice(txn, caller.tenant, *invoice);
    track_open_invoice(txn, caller.tenant, *invoice, was_open);
    if (event.has_invoice_issued()) {
      index_invoice_number(txn, caller.tenant, *invoice);
    }
  }
  switch (event.payload_case()) {
    case Envelope::kPaymentApplied:
      return show_applied(txn, caller.tenant, event.payment_applied().allocation_id());
    case Envelope::kAllocationRejected: {
      const auto& rejected = event.allocation_rejected();
      return give_back(txn, caller, rejected.allocation_id(), v1::RETURN_REASON_REJECTED,
                       rejected.detail());
    }
    case Envelope::kAllocationReleased: {
      const auto& released = event.allocation_released();
      return give_back(txn, caller, released.allocation_id(), v1::RETURN_REASON_RELEASED,
                       released.reason());
    }
    default:
      return absl::OkStatus();
  }
}

}  // namespace arflow::payments::app
