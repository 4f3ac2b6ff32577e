#include <fmt/format.h>

#include <set>

#include "arflow/contract/convert.h"
#include "arflow/contract/limits.h"
#include "payments/domain/payment.h"

namespace arflow::payments {

namespace {

using contract::to_proto;

using contract::check_length;
using contract::kMaxReferenceLength;
using contract::kMaxTextLength;

absl::Status not_recorded(const PaymentState& state) {
  return absl::NotFoundError(fmt::format("name: payment '{}' does not exist", state.payment_id));
}

// What every decision on a recorded payment needs first.
absl::Status check_recorded(const PaymentState& state) {
  ARFLOW_RETURN_IF_ERROR(state.integrity);
  if (!state.recorded()) {
    return not_recorded(state);
  }
  return absl::OkStatus();
}

absl::Status check_not_charged_back(const PaymentState& state) {
  if (state.charged_back) {
    return precondition_failed(
        fmt::format("payment '{}' was charged back: its money is gone", state.payment_id));
  }
  return absl::OkStatus();
}

absl::Status check_positive(const Money& amount, std::string_view field) {
  if (!amount.is_positive()) {
    return invalid_field(field, "must be > 0");
  }
  return absl::OkStatus();
}

absl::Status check_currency(const Money& amount, const PaymentState& state,
                            std::string_view field) {
  if (!amount.same_currency(state.money->amount)) {
    return invalid_field(fmt::format("{}.currency", field),
                         fmt::format("must be the payment's currency {} (got {})",
                                     state.money->amount.currency(), amount.currency()));
  }
  return absl::OkStatus();
}

// The payment's unapplied amount and status after `events` are folded in: what each
// money event carries for its consumers.
PaymentState after(PaymentState state, const std::vector<PaymentEvent>& events) {
  for (const auto& e : events) {
    state = evolve(std::move(state), e);
  }
  return state;
}

template <typename Event>
void stamp_after(Event& event, const PaymentState& state) {
  *event.mutable_unapplied() = to_proto(state.money->unapplied);
  event.set_status(payment_status(state));
}

}  // namespace

Result<std::vector<PaymentEvent>> decide(const RecordPayment& command, const PaymentState& state) {
  ARFLOW_RETURN_IF_ERROR(state.integrity);
  if (state.recorded()) {
    return absl::AlreadyExistsError(
        fmt::format("payment_id: payment '{}' already exists", command.payment_id));
  }
  ARFLOW_RETURN_IF_ERROR(check_positive(command.amount, "amount"));
  if (command.method == v1::PAYMENT_METHOD_UNSPECIFIED ||
      !v1::PaymentMethod_IsValid(command.method)) {
    return invalid_field("method",
                         "must be one of BANK_TRANSFER, CARD, DIRECT_DEBIT, CHECK, "
                         "CASH, OTHER");
  }
  if (!command.received_on.ok()) {
    return invalid_field("received_on", "must be a valid date");
  }
  ARFLOW_RETURN_IF_ERROR(
      check_length(command.external_reference, kMaxReferenceLength, "external_reference"));
  ARFLOW_RETURN_IF_ERROR(check_length(command.remittance_text, kMaxTextLength, "remittance_text"));
  v1::PaymentRecorded recorded;
  recorded.set_payment_id(command.payment_id);
  recorded.set_customer_id(command.customer_id);
  *recorded.mutable_amount() = to_proto(command.amount);
  recorded.set_method(command.method);
  *recorded.mutable_received_on() = to_proto(command.received_on);
  recorded.set_external_reference(command.external_reference);
  recorded.set_remittance_text(command.remittance_text);
  return std::vector<PaymentEvent>{std::move(recorded)};
}

Result<std::vector<PaymentEvent>> decide(const AllocatePayment& command, const PaymentState& state,
                                         std::span<const KnownInvoice> invoices) {
  ARFLOW_RETURN_IF_ERROR(check_recorded(state));
  ARFLOW_RETURN_IF_ERROR(check_not_charged_back(state));
  if (command.allocations.empty() || command.allocations.size() > kMaxAllocations) {
    return invalid_field("allocations",
                         fmt::format("must hold 1 to {} allocations", kMaxAllocations));
  }
  std::set<std::string_view> seen;
  Money total = *Money::zero(state.money->amount.currency());
  for (size_t i = 0; i < command.allocations.size(); ++i) {
    const auto& wanted = command.allocations[i];
    const std::string field = fmt::format("allocations[{}]", i);
    ARFLOW_RETURN_IF_ERROR(check_positive(wanted.amount, field + ".amount"));
    ARFLOW_RETURN_IF_ERROR(check_currency(wanted.amount, state, field + ".amount"));
    if (!seen.insert(wanted.invoice_id).second) {
      return invalid_field(
          field + ".invoice_id",
          fmt::format("names invoice '{}' twice: one allocation per invoice", wanted.invoice_id));
    }
    const KnownInvoice* invoice = nullptr;
    for (const auto& known : invoices) {
      if (known.invoice_id == wanted.invoice_id && known.issued()) {
        invoice = &known;
      }
    }
    if (invoice == nullptr) {
      return absl::NotFoundError(fmt::format(
          "{}.invoice_id: no issued invoice '{}' (payments learns of invoices from invoicing's "
          "events)",
          field, wanted.invoice_id));
    }
    if (invoice->customer_id != state.customer_id) {
      return precondition_failed(
          fmt::format("{}.invoice_id: invoice '{}' is another customer's, not '{}''s", field,
                      wanted.invoice_id, state.customer_id));
    }
    if (invoice->currency != state.money->amount.currency()) {
      return precondition_failed(
          fmt::format("{}.invoice_id: invoice '{}' is in {}, the payment in {}", field,
                      wanted.invoice_id, invoice->currency, state.money->amount.currency()));
    }
    const auto open = invoice->open();
    if (!open.has_value()) {
      return precondition_failed(
          fmt::format("{}.invoice_id: invoice '{}' ({}) is not open for payment", field,
                      invoice->number, invoicing::v1::InvoiceStatus_Name(invoice->status)));
    }
    ARFLOW_ASSIGN_OR_RETURN(const int cmp, compare(wanted.amount, *open));
    if (cmp > 0) {
      return precondition_failed(
          fmt::format("{}.amount {} exceeds what is open on invoice {}: {} (balance less "
                      "allocations in flight)",
                      field, format(wanted.amount), invoice->number, format(*open)));
    }
    ARFLOW_ASSIGN_OR_RETURN(total, add(total, wanted.amount));
  }
  ARFLOW_ASSIGN_OR_RETURN(const int over, compare(total, state.money->unapplied));
  if (over > 0) {
    return precondition_failed(
        fmt::format("allocations: {} in all exceeds the payment's unapplied {}", format(total),
                    format(state.money->unapplied)));
  }
  std::vector<PaymentEvent> events;
  PaymentState running = state;
  for (const auto& wanted : command.allocations) {
    v1::PaymentAllocated allocated;
    allocated.set_payment_id(state.payment_id);
    allocated.set_allocation_id(
        fmt::format("{}-a{}", state.payment_id, running.allocations.size() + 1));
    allocated.set_invoice_id(wanted.invoice_id);
    allocated.set_movement_id(command.movement_id);
    *allocated.mutable_amount() = to_proto(wanted.amount);
    *allocated.mutable_paid_on() = to_proto(state.received_on);
    for (const auto& known : invoices) {
      if (known.invoice_id == wanted.invoice_id) {
        allocated.set_invoice_number(known.number);
      }
    }
    running = evolve(std::move(running), allocated);
    stamp_after(allocated, running);
    events.emplace_back(std::move(allocated));
  }
  return events;
}

Result<std::vector<PaymentEvent>> decide(const RefundPayment& command, const PaymentState& state) {
  ARFLOW_RETURN_IF_ERROR(check_recorded(state));
  ARFLOW_RETURN_IF_ERROR(check_not_charged_back(state));
  ARFLOW_RETURN_IF_ERROR(check_length(command.reason, kMaxTextLength, "reason"));
  const Money amount = command.amount.value_or(state.money->unapplied);
  if (command.amount.has_value()) {
    ARFLOW_RETURN_IF_ERROR(check_positive(amount, "amount"));
    ARFLOW_RETURN_IF_ERROR(check_currency(amount, state, "amount"));
  } else if (!amount.is_positive()) {
    return precondition_failed(
        fmt::format("payment '{}' has nothing unapplied to refund", state.payment_id));
  }
  ARFLOW_ASSIGN_OR_RETURN(const int over, compare(amount, state.money->unapplied));
  if (over > 0) {
    return precondition_failed(
        fmt::format("amount {} exceeds the payment's unapplied {} (allocated money is refunded "
                    "by a credit note on the invoice first)",
                    format(amount), format(state.money->unapplied)));
  }
  v1::PaymentRefunded refunded;
  refunded.set_payment_id(state.payment_id);
  if (!command.refund_id.empty()) {
    for (const auto& refund : state.refunds) {
      if (refund.refund_id == command.refund_id) {
        return absl::AlreadyExistsError(
            fmt::format("refund_id: payment '{}' made refund '{}' already", state.payment_id,
                        command.refund_id));
      }
    }
  }
  refunded.set_refund_id(command.refund_id.empty()
                             ? fmt::format("{}-r{}", state.payment_id, state.refunds.size() + 1)
                             : command.refund_id);
  *refunded.mutable_amount() = to_proto(amount);
  refunded.set_reason(command.reason);
  stamp_after(refunded, evolve(state, refunded));
  return std::vector<PaymentEvent>{std::move(refunded)};
}

Result<std::vector<PaymentEvent>> decide(const ChargeBackPayment& command,
                                         const PaymentState& state) {
  ARFLOW_RETURN_IF_ERROR(check_recorded(state));
  if (state.charged_back) {
    return precondition_failed(
        fmt::format("payment '{}' was already charged back", state.payment_id));
  }
  if (command.reason.empty()) {
    return invalid_field("reason", "must say what the bank reported");
  }
  ARFLOW_RETURN_IF_ERROR(check_length(command.reason, kMaxTextLength, "reason"));
  if (!command.charged_back_on.ok()) {
    return invalid_field("charged_back_on", "must be a valid date");
  }
  ARFLOW_ASSIGN_OR_RETURN(const Money taken, subtract(state.money->amount, state.money->refunded));
  if (!taken.is_positive()) {
    return precondition_failed(fmt::format(
        "payment '{}' was refunded in full: there is nothing to charge back", state.payment_id));
  }
  std::vector<PaymentEvent> events;
  for (const auto& allocation : state.allocations) {
    if (allocation.state != AllocationState::kStanding) {
      continue;
    }
    v1::AllocationReversed reversed;
    reversed.set_payment_id(state.payment_id);
    reversed.set_allocation_id(allocation.allocation_id);
    reversed.set_invoice_id(allocation.invoice_id);
    reversed.set_reason(command.reason);
    *reversed.mutable_amount() = to_proto(allocation.amount);
    reversed.set_kind(v1::REVERSAL_REASON_CHARGEBACK);
    events.emplace_back(std::move(reversed));
  }
  v1::PaymentChargedBack charged_back;
  charged_back.set_payment_id(state.payment_id);
  *charged_back.mutable_amount() = to_proto(taken);
  charged_back.set_reason(command.reason);
  *charged_back.mutable_charged_back_on() = to_proto(command.charged_back_on);
  PaymentState running = after(state, events);
  stamp_after(charged_back, evolve(std::move(running), charged_back));
  events.emplace_back(std::move(charged_back));
  return events;
}

Result<std::vector<PaymentEvent>> decide(const ReturnAllocation& command,
                                         const PaymentState& state) {
  ARFLOW_RETURN_IF_ERROR(check_recorded(state));
  const AllocationRecord* allocation = find_allocation(state, command.allocation_id);
  if (allocation == nullptr) {
    return absl::NotFoundError(fmt::format("allocation_id: payment '{}' has no allocation '{}'",
                                           state.payment_id, command.allocation_id));
  }
  if (allocation->state != AllocationState::kStanding) {
    return std::vector<PaymentEvent>{};
  }
  v1::AllocationReturned returned;
  returned.set_payment_id(state.payment_id);
  returned.set_allocation_id(allocation->allocation_id);
  returned.set_invoice_id(allocation->invoice_id);
  *returned.mutable_amount() = to_proto(allocation->amount);
  returned.set_reason(command.reason);
  returned.set_detail(command.detail);
  stamp_after(returned, evolve(state, returned));
  return std::vector<PaymentEvent>{std::move(returned)};
}

}  // namespace arflow::payments
