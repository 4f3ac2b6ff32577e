#include "payments/app/execute.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <vector>

#include "arflow/contract/ids.h"
#include "payments/app/aggregates.h"
#include "payments/app/keys.h"
#include "payments/app/movements.h"
#include "payments/app/resources.h"
#include "payments/app/rows.h"
#include "payments/domain/allocation_plan.h"
#include "payments/domain/payment.h"

namespace arflow::payments::app {

namespace {

using eventstore::Envelope;
using eventstore::ExpectedVersion;
using eventstore::Transaction;
using KnownInvoices = std::map<std::string, KnownInvoice, std::less<>>;

// What payments knows of the invoices it allocates to changes with each allocation sent
// and each taken back by a chargeback: another allocation may only cover what is left.
absl::Status note_allocations(Transaction& txn, const Caller& caller,
                              const std::vector<PaymentEvent>& events, KnownInvoices& invoices) {
  for (const auto& event : events) {
    if (const auto* sent = std::get_if<v1::PaymentAllocated>(&event)) {
      auto it = invoices.find(sent->invoice_id());
      auto amount = contract::from_proto(sent->amount(), "amount");
      if (it == invoices.end() || !amount.ok()) {
        return absl::InternalError(
            fmt::format("allocation '{}' to an invoice not loaded", sent->allocation_id()));
      }
      allocation_sent(it->second, sent->allocation_id(), *amount);
      save_known_invoice(txn, caller.tenant, it->second);
    } else if (const auto* reversed = std::get_if<v1::AllocationReversed>(&event)) {
      auto invoice = load_known_invoice(reader_of(txn), caller.tenant, reversed->invoice_id());
      if (!invoice.ok()) {
        return invoice.status();
      }
      if (invoice->issued()) {
        allocation_settled(*invoice, reversed->allocation_id());
        save_known_invoice(txn, caller.tenant, *invoice);
      }
    }
  }
  return absl::OkStatus();
}

// Folds into `state` the events a decider just returned for it.
absl::Status fold_decided(PaymentState& state, const std::vector<PaymentEvent>& events) {
  for (const auto& event : events) {
    state = evolve(std::move(state), event);
  }
  if (!state.integrity.ok()) {
    // The decider's own events must fold: anything else is a bug, not the caller's fault.
    return absl::InternalError(fmt::format("the events decided for payment '{}' do not fold: {}",
                                           state.payment_id, state.integrity.message()));
  }
  return absl::OkStatus();
}

// Appends `events`, already folded into `payment.state`, to the payment's stream after
// `payment.version`, rewrites its rows and keeps the fold; returns the payment's resource as
// it stands. A command that decides several times (a receipt and its auto-allocation)
// appends once: one stream write, one row, one credit update, one fold kept.
Result<v1::Payment> append_folded(Transaction& txn, const Caller& caller, LoadedPayment& payment,
                                  std::vector<PaymentEvent> events) {
  // A payment with no event yet has no row: no read for a new receipt.
  auto previous = payment.version == 0
                      ? Result<std::optional<v1::Payment>>(std::nullopt)
                      : load_payment_row(reader_of(txn), caller.tenant, payment.state.payment_id);
  if (!previous.ok()) {
    return previous.status();
  }
  if (events.empty()) {
    return previous->has_value()
               ? **previous
               : payment_resource(caller.tenant, payment, nullptr, payment.updated);
  }
  const PaymentState& after = payment.state;
  std::vector<Envelope> envelopes;
  envelopes.reserve(events.size());
  for (auto& event : events) {
    envelopes.push_back(stamped(caller, after.customer_id));
    set_payload(std::move(event), envelopes.back());
  }
  auto head = txn.append(tenant_stream(caller.tenant, payment_stream(after.payment_id)),
                         ExpectedVersion::exactly(payment.version), envelopes);
  if (!head.ok()) {
    return head.status();
  }
  if (payment.version == 0) {
    txn.put(customer_payment_row(caller.tenant, after.customer_id, after.payment_id), "",
            eventstore::RowUse::kQueriesOnly);
    payment.created = txn.now();  // as folding its first event would say
  }
  payment.version = *head;
  payment.updated = txn.now();
  v1::Payment resource = payment_resource(caller.tenant, payment,
                                          previous->has_value() ? &**previous : nullptr, txn.now());
  txn.put(payment_row(caller.tenant, after.payment_id), resource.SerializeAsString());
  ARFLOW_RETURN_IF_ERROR(track_credit(txn, caller.tenant, after));
  ARFLOW_RETURN_IF_ERROR(keep_payment(txn, caller.tenant, payment));
  return resource;
}

// Folds `events` into the payment and appends them; on error the caller drops `payment`.
Result<v1::Payment> record(Transaction& txn, const Caller& caller, LoadedPayment& payment,
                           std::vector<PaymentEvent> events) {
  ARFLOW_RETURN_IF_ERROR(fold_decided(payment.state, events));
  return append_folded(txn, caller, payment, std::move(events));
}

Result<LoadedPayment> existing_payment(Transaction& txn, const Caller& caller,
                                       std::string_view payment_id, std::string_view field) {
  ARFLOW_RETURN_IF_ERROR(contract::validate_id(payment_id, field));
  auto payment = load_payment(txn, caller.tenant, payment_id);
  if (payment.ok() && !payment->state.recorded() && payment->state.integrity.ok()) {
    return absl::NotFoundError(fmt::format("{}: payment '{}' does not exist", field, payment_id));
  }
  return payment;
}

// Records what a decider said of the payment, its allocations sent or reversed noted on the
// invoices they concern.
Result<v1::Payment> record_decision(Transaction& txn, const Caller& caller, LoadedPayment& payment,
                                    Result<std::vector<PaymentEvent>> events,
                                    KnownInvoices& invoices) {
  if (!events.ok()) {
    return events.status();
  }
  ARFLOW_RETURN_IF_ERROR(note_allocations(txn, caller, *events, invoices));
  return record(txn, caller, payment, *std::move(events));
}

// Runs a decider that needs the payment only; `field` names the payment id in errors.
template <typename Command>
Result<v1::Payment> on_payment(Transaction& txn, const Caller& caller, const Command& command,
                               std::string_view field) {
  auto payment = existing_payment(txn, caller, command.payment_id, field);
  if (!payment.ok()) {
    return payment.status();
  }
  KnownInvoices none;  // these deciders send no allocation; a reversal reads its invoice
  return record_decision(txn, caller, *payment, decide(command, payment->state), none);
}

// Decides `command` against `state` and the invoices it names: the allocations are noted on
// the invoices and folded into `state`; returns the events, not yet appended.
Result<std::vector<PaymentEvent>> decide_allocation(Transaction& txn, const Caller& caller,
                                                    PaymentState& state,
                                                    const AllocatePayment& command,
                                                    KnownInvoices& invoices) {
  std::vector<KnownInvoice> named;
  named.reserve(command.allocations.size());
  for (const auto& wanted : command.allocations) {
    if (auto it = invoices.find(wanted.invoice_id); it != invoices.end()) {
      named.push_back(it->second);
    }
  }
  auto events = decide(command, state, named);
  if (!events.ok()) {
    return events.status();
  }
  ARFLOW_RETURN_IF_ERROR(note_allocations(txn, caller, *events, invoices));
  ARFLOW_RETURN_IF_ERROR(fold_decided(state, *events));
  return events;
}

Result<v1::Payment> allocate(Transaction& txn, const Caller& caller, LoadedPayment& payment,
                             const AllocatePayment& command, KnownInvoices& invoices) {
  auto events = decide_allocation(txn, caller, payment.state, command, invoices);
  if (!events.ok()) {
    return events.status();
  }
  return append_folded(txn, caller, payment, *std::move(events));
}

// The candidates of an auto-allocation: the open invoices the payment mentions when they
// take all its money (the usual case, found by number), else every open invoice of the
// customer (mentioned ones still go first).
Result<std::vector<KnownInvoice>> auto_allocation_candidates(Transaction& txn, const Caller& caller,
                                                             const PaymentState& payment) {
  const RowReader read = reader_of(txn);
  auto mentioned = mentioned_open_invoices(
      read, caller.tenant, payment.customer_id,
      fmt::format("{} {}", payment.external_reference, payment.remittance_text));
  if (!mentioned.ok()) {
    return mentioned.status();
  }
  Money covered = *Money::zero(payment.money->unapplied.currency());
  for (const auto& step : auto_allocation(payment, *mentioned)) {
    ARFLOW_ASSIGN_OR_RETURN(covered, add(covered, step.amount));
  }
  if (covered == payment.money->unapplied) {
    return mentioned;
  }
  return load_open_invoices(txn.store(), read, caller.tenant, payment.customer_id);
}

// Decides where the payment's unapplied money goes (none when it has none), folded into
// `state` and noted on the invoices; returns the events, not yet appended.
Result<std::vector<PaymentEvent>> decide_auto_allocation(Transaction& txn, const Caller& caller,
                                                         PaymentState& state) {
  std::vector<PaymentEvent> decided;
  if (!state.recorded() || state.charged_back || !state.money->unapplied.is_positive()) {
    return decided;
  }
  auto open = auto_allocation_candidates(txn, caller, state);
  if (!open.ok()) {
    return open.status();
  }
  const std::vector<InvoiceToPay> plan = auto_allocation(state, *open);
  KnownInvoices invoices;
  for (auto& invoice : *open) {
    std::string id = invoice.invoice_id;
    invoices.emplace(std::move(id), std::move(invoice));
  }
  // One decision per kMaxAllocations invoices, each seeing what the one before sent.
  for (size_t from = 0; from < plan.size(); from += kMaxAllocations) {
    const size_t to = std::min(plan.size(), from + kMaxAllocations);
    AllocatePayment command{.payment_id = state.payment_id,
                            .allocations = {plan.begin() + static_cast<ptrdiff_t>(from),
                                            plan.begin() + static_cast<ptrdiff_t>(to)}};
    auto events = decide_allocation(txn, caller, state, command, invoices);
    if (!events.ok()) {
      return events.status();
    }
    std::move(events->begin(), events->end(), std::back_inserter(decided));
  }
  return decided;
}

// The customer's payments with credit, oldest received first (then by id).
Result<std::vector<LoadedPayment>> payments_with_credit(Transaction& txn, const Caller& caller,
                                                        std::string_view customer_id) {
  auto ids = credit_payment_ids(reader_of(txn), caller.tenant, customer_id);
  if (!ids.ok()) {
    return ids.status();
  }
  std::vector<LoadedPayment> payments;
  payments.reserve(ids->size());
  for (const auto& id : *ids) {
    auto payment = load_payment(txn, caller.tenant, id);
    if (!payment.ok()) {
      return payment.status();
    }
    ARFLOW_RETURN_IF_ERROR(payment->state.integrity);
    payments.push_back(*std::move(payment));
  }
  std::sort(payments.begin(), payments.end(), [](const auto& a, const auto& b) {
    return std::tie(a.state.received_on, a.state.payment_id) <
           std::tie(b.state.received_on, b.state.payment_id);
  });
  return payments;
}

// What to draw from the customer's credit, and the payments it comes from.
struct CreditDraws {
  std::vector<LoadedPayment> payments;
  std::vector<Draw> draws;
};

Result<CreditDraws> draw_credit(Transaction& txn, const Caller& caller,
                                std::string_view customer_id, Money amount,
                                std::string_view field) {
  ARFLOW_RETURN_IF_ERROR(contract::validate_id(customer_id, "customer"));
  if (!amount.is_positive()) {
    return invalid_field(field, "must be > 0");
  }
  auto payments = payments_with_credit(txn, caller, customer_id);
  if (!payments.ok()) {
    return payments.status();
  }
  std::vector<PaymentState> states;
  states.reserve(payments->size());
  for (const auto& payment : *payments) {
    states.push_back(payment.state);
  }
  auto draws = draw_from_credit(states, amount, field);
  if (!draws.ok()) {
    return draws.status();
  }
  return CreditDraws{.payments = *std::move(payments), .draws = *std::move(draws)};
}

LoadedPayment& payment_of(CreditDraws& credit, std::string_view payment_id) {
  return *std::find_if(credit.payments.begin(), credit.payments.end(),
                       [&](const auto& p) { return p.state.payment_id == payment_id; });
}

// A decider's error about the one-element request made on the caller's behalf, in the
// caller's field names: "allocations[0].amount" is their "allocation.amount".
absl::Status as_callers(const absl::Status& status, std::string_view ours,
                        std::string_view theirs) {
  const std::string message(status.message());
  if (!message.starts_with(ours)) {
    return status;
  }
  return {status.code(), fmt::format("{}{}", theirs, message.substr(ours.size()))};
}

}  // namespace

Result<v1::Payment> execute(Transaction& txn, const Caller& caller, const RecordPayment& command,
                            bool auto_allocate) {
  ARFLOW_RETURN_IF_ERROR(contract::validate_id(command.payment_id, "payment_id"));
  ARFLOW_RETURN_IF_ERROR(contract::validate_id(command.customer_id, "customer_id"));
  auto payment = load_payment(txn, caller.tenant, command.payment_id);
  if (!payment.ok()) {
    return payment.status();
  }
  auto events = decide(command, payment->state);
  if (!events.ok()) {
    return events.status();
  }
  if (!command.external_reference.empty()) {
    const std::string key = external_reference_row(caller.tenant, command.external_reference);
    auto taken = txn.get(key);
    if (!taken.ok()) {
      return taken.status();
    }
    if (taken->has_value()) {
      return absl::AlreadyExistsError(
          fmt::format("external_reference: '{}' is already recorded, as payment '{}'",
                      command.external_reference, **taken));
    }
    txn.put(key, command.payment_id);
  }
  ARFLOW_RETURN_IF_ERROR(fold_decided(payment->state, *events));
  if (auto_allocate) {
    auto allocations = decide_auto_allocation(txn, caller, payment->state);
    if (!allocations.ok()) {
      return allocations.status();
    }
    std::move(allocations->begin(), allocations->end(), std::back_inserter(*events));
  }
  return append_folded(txn, caller, *payment, *std::move(events));
}

Result<v1::Payment> execute(Transaction& txn, const Caller& caller,
                            const AllocatePayment& command) {
  auto payment = existing_payment(txn, caller, command.payment_id, "name");
  if (!payment.ok()) {
    return payment.status();
  }
  KnownInvoices invoices;
  for (size_t i = 0; i < command.allocations.size() && i < kMaxAllocations; ++i) {
    const std::string& id = command.allocations[i].invoice_id;
    ARFLOW_RETURN_IF_ERROR(contract::validate_id(id, fmt::format("allocations[{}].invoice_id", i)));
    auto invoice = load_known_invoice(reader_of(txn), caller.tenant, id);
    if (!invoice.ok()) {
      return invoice.status();
    }
    invoices.emplace(id, *std::move(invoice));
  }
  ARFLOW_RETURN_IF_ERROR(claim_movement(txn, caller.tenant, kAllocation, command.movement_id,
                                        "request_id",
                                        fmt::format("payment '{}'", command.payment_id)));
  return allocate(txn, caller, *payment, command, invoices);
}

Result<v1::Payment> auto_allocate(Transaction& txn, const Caller& caller,
                                  std::string_view payment_id) {
  auto payment = existing_payment(txn, caller, payment_id, "name");
  if (!payment.ok()) {
    return payment.status();
  }
  ARFLOW_RETURN_IF_ERROR(payment->state.integrity);
  auto events = decide_auto_allocation(txn, caller, payment->state);
  if (!events.ok()) {
    return events.status();
  }
  return append_folded(txn, caller, *payment, *std::move(events));
}

Result<v1::Payment> execute(Transaction& txn, const Caller& caller, const RefundPayment& command) {
  ARFLOW_RETURN_IF_ERROR(claim_movement(txn, caller.tenant, kRefund, command.refund_id, "refund_id",
                                        fmt::format("payment '{}'", command.payment_id)));
  return on_payment(txn, caller, command, "name");
}

Result<v1::Payment> execute(Transaction& txn, const Caller& caller,
                            const ChargeBackPayment& command) {
  return on_payment(txn, caller, command, "name");
}

Result<v1::Payment> execute(Transaction& txn, const Caller& caller,
                            const ReturnAllocation& command) {
  return on_payment(txn, caller, command, "payment_id");
}

Result<v1::CustomerCredit> apply_customer_credit(Transaction& txn, const Caller& caller,
                                                 std::string_view customer_id,
                                                 const InvoiceToPay& allocation,
                                                 std::string_view movement_id) {
  ARFLOW_RETURN_IF_ERROR(contract::validate_id(allocation.invoice_id, "allocation.invoice_id"));
  ARFLOW_RETURN_IF_ERROR(claim_movement(
      txn, caller.tenant, kCreditApplication, movement_id, "request_id",
      fmt::format("customer '{}', invoice '{}'", customer_id, allocation.invoice_id)));
  auto credit = draw_credit(txn, caller, customer_id, allocation.amount, "allocation.amount");
  if (!credit.ok()) {
    return credit.status();
  }
  KnownInvoices invoices;
  auto invoice = load_known_invoice(reader_of(txn), caller.tenant, allocation.invoice_id);
  if (!invoice.ok()) {
    return invoice.status();
  }
  invoices.emplace(allocation.invoice_id, *std::move(invoice));
  for (const Draw& draw : credit->draws) {
    AllocatePayment command{
        .payment_id = draw.payment_id,
        .allocations = {InvoiceToPay{.invoice_id = allocation.invoice_id, .amount = draw.amount}},
        .movement_id = std::string(movement_id)};
    auto done = allocate(txn, caller, payment_of(*credit, draw.payment_id), command, invoices);
    if (!done.ok()) {
      // The draws add up to the amount asked, so a refusal is about the whole of it.
      return as_callers(done.status(), "allocations[0]", "allocation");
    }
  }
  return customer_credit(reader_of(txn), caller.tenant, customer_id);
}

Result<v1::CustomerCredit> refund_customer_credit(Transaction& txn, const Caller& caller,
                                                  std::string_view customer_id, Money amount,
                                                  std::string_view reason,
                                                  std::string_view movement_id) {
  ARFLOW_RETURN_IF_ERROR(claim_movement(txn, caller.tenant, kCreditRefund, movement_id,
                                        "request_id", fmt::format("customer '{}'", customer_id)));
  auto credit = draw_credit(txn, caller, customer_id, amount, "amount");
  if (!credit.ok()) {
    return credit.status();
  }
  size_t n = 0;
  for (const Draw& draw : credit->draws) {
    ++n;
    RefundPayment command{
        .payment_id = draw.payment_id,
        .amount = draw.amount,
        .reason = std::string(reason),
        .refund_id = movement_id.empty() ? std::string() : fmt::format("{}-{}", movement_id, n)};
    // Refund ids are unique per tenant, whoever made them.
    ARFLOW_RETURN_IF_ERROR(claim_movement(txn, caller.tenant, kRefund, command.refund_id,
                                          "request_id",
                                          fmt::format("payment '{}'", draw.payment_id)));
    LoadedPayment& payment = payment_of(*credit, draw.payment_id);
    KnownInvoices none;
    auto done = record_decision(txn, caller, payment, decide(command, payment.state), none);
    if (!done.ok()) {
      return done.status();
    }
  }
  return customer_credit(reader_of(txn), caller.tenant, customer_id);
}

}  // namespace arflow::payments::app
