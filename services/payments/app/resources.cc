#include "payments/app/resources.h"

#include <fmt/format.h>

#include "arflow/contract/convert.h"

namespace arflow::payments::app {

namespace {

using contract::to_proto;

v1::AllocationStatus status_of(const AllocationRecord& allocation, const v1::Allocation* previous) {
  switch (allocation.state) {
    case AllocationState::kReturned:
      return v1::ALLOCATION_STATUS_RETURNED;
    case AllocationState::kReversed:
      return v1::ALLOCATION_STATUS_REVERSED;
    case AllocationState::kStanding:
      break;
  }
  return previous != nullptr && previous->status() == v1::ALLOCATION_STATUS_APPLIED
             ? v1::ALLOCATION_STATUS_APPLIED
             : v1::ALLOCATION_STATUS_PENDING;
}

// Allocations and refunds are appended only, so the previous row's i-th is this one's i-th.
template <typename T>
const T* previous_at(const google::protobuf::RepeatedPtrField<T>* previous, size_t i) {
  return previous != nullptr && i < static_cast<size_t>(previous->size())
             ? &previous->Get(static_cast<int>(i))
             : nullptr;
}

}  // namespace

std::string payment_name(std::string_view tenant, std::string_view payment_id) {
  return fmt::format("tenants/{}/payments/{}", tenant, payment_id);
}

std::string customer_name(std::string_view tenant, std::string_view customer_id) {
  return fmt::format("tenants/{}/customers/{}", tenant, customer_id);
}

v1::Payment payment_resource(std::string_view tenant, const LoadedPayment& payment,
                             const v1::Payment* previous, Timestamp now) {
  const PaymentState& state = payment.state;
  v1::Payment out;
  out.set_name(payment_name(tenant, state.payment_id));
  out.set_payment_id(state.payment_id);
  out.set_customer_id(state.customer_id);
  if (state.money.has_value()) {
    const PaymentAmounts& money = *state.money;
    *out.mutable_amount() = to_proto(money.amount);
    *out.mutable_allocated() = to_proto(money.allocated);
    *out.mutable_unapplied() = to_proto(money.unapplied);
    *out.mutable_refunded() = to_proto(money.refunded);
    *out.mutable_charged_back() = to_proto(money.charged_back);
  }
  out.set_method(state.method);
  *out.mutable_received_on() = to_proto(state.received_on);
  out.set_external_reference(state.external_reference);
  out.set_remittance_text(state.remittance_text);
  out.set_status(payment_status(state));
  const auto* old_allocations = previous != nullptr ? &previous->allocations() : nullptr;
  for (size_t i = 0; i < state.allocations.size(); ++i) {
    const AllocationRecord& record = state.allocations[i];
    const v1::Allocation* old = previous_at(old_allocations, i);
    if (old != nullptr && old->allocation_id() != record.allocation_id) {
      old = nullptr;
    }
    v1::Allocation& allocation = *out.add_allocations();
    allocation.set_allocation_id(record.allocation_id);
    allocation.set_invoice_id(record.invoice_id);
    allocation.set_invoice_number(record.invoice_number);
    *allocation.mutable_amount() = to_proto(record.amount);
    allocation.set_status(status_of(record, old));
    allocation.set_detail(record.detail);
    allocation.set_movement_id(record.movement_id);
    *allocation.mutable_create_time() = old != nullptr ? old->create_time() : to_proto(now);
  }
  const auto* old_refunds = previous != nullptr ? &previous->refunds() : nullptr;
  for (size_t i = 0; i < state.refunds.size(); ++i) {
    const RefundRecord& record = state.refunds[i];
    const v1::Refund* old = previous_at(old_refunds, i);
    v1::Refund& refund = *out.add_refunds();
    refund.set_refund_id(record.refund_id);
    *refund.mutable_amount() = to_proto(record.amount);
    refund.set_reason(record.reason);
    *refund.mutable_create_time() =
        old != nullptr && old->refund_id() == record.refund_id ? old->create_time() : to_proto(now);
  }
  out.set_charge_back_reason(state.charge_back_reason);
  *out.mutable_create_time() = previous != nullptr ? previous->create_time() : to_proto(now);
  *out.mutable_update_time() = to_proto(now);
  return out;
}

bool mark_applied(v1::Payment& row, std::string_view allocation_id) {
  for (auto& allocation : *row.mutable_allocations()) {
    if (allocation.allocation_id() == allocation_id) {
      if (allocation.status() == v1::ALLOCATION_STATUS_PENDING) {
        allocation.set_status(v1::ALLOCATION_STATUS_APPLIED);
      }
      return true;
    }
  }
  return false;
}

Result<v1::OpenInvoice> open_invoice_resource(const KnownInvoice& invoice) {
  v1::OpenInvoice out;
  out.set_invoice_id(invoice.invoice_id);
  out.set_number(invoice.number);
  *out.mutable_due_date() = to_proto(invoice.due_date);
  const Money zero = *Money::zero(invoice.currency);
  const Money balance = invoice.balance.value_or(zero);
  // Allocations only go in the invoice's currency, each at most what is open, so the sum
  // fits; checked anyway, so that a corrupt row is an error rather than a wrong amount.
  MoneySum in_flight(fmt::format("the amount in flight to invoice '{}'", invoice.invoice_id));
  for (const auto& [id, amount] : invoice.in_flight) {
    ARFLOW_RETURN_IF_ERROR(in_flight.add(amount));
  }
  *out.mutable_balance() = to_proto(balance);
  *out.mutable_in_flight() = to_proto(in_flight.total(invoice.currency).value_or(zero));
  *out.mutable_open() = to_proto(invoice.open().value_or(zero));
  return out;
}

}  // namespace arflow::payments::app
