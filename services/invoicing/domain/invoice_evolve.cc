// evolve(): folds an invoice event into the state. Events are facts: evolve does not judge
// them, but it does check that the stream is one our deciders could have written (order,
// currency, the balance and status each event announces). A stream that is not is marked in
// `integrity`, and every later decision on the invoice is refused with it.

#include <fmt/format.h>

#include "invoicing/domain/invoice.h"
#include "invoicing/domain/proto_convert.h"
#include "invoicing/domain/receivable.h"
#include "invoicing/domain/totals.h"

namespace arflow::invoicing {

namespace {

absl::Status corrupt(const InvoiceState& state, std::string_view what) {
  return absl::DataLossError(
      fmt::format("invoice '{}': {} ({})", state.invoice_id, what, status_name(state.status)));
}

// The balance and status an event announces are what the fold computes.
absl::Status check_after(const InvoiceState& state, const common::Money& balance,
                         v1::InvoiceStatus status) {
  const Receivable& r = state.issued->receivable;
  if (balance.minor_units() != r.balance.minor_units() ||
      balance.currency() != r.balance.currency() || status != to_proto(status_of(r))) {
    return corrupt(state,
                   fmt::format("event says balance {} {}, fold says {}", balance.minor_units(),
                               balance.currency(), format(r.balance)));
  }
  return absl::OkStatus();
}

absl::Status require_issued(const InvoiceState& state, std::string_view event) {
  if (!state.issued.has_value()) {
    return corrupt(state, fmt::format("{} on an invoice that is not issued", event));
  }
  return absl::OkStatus();
}

// Moves the receivable and the status together.
void settle(InvoiceState& state, const Receivable& receivable) {
  state.issued->receivable = receivable;
  state.status = status_of(state.issued->receivable);
}

absl::Status apply(InvoiceState& s, const v1::InvoiceDrafted& e) {
  if (s.status != InvoiceStatus::kNone) {
    return corrupt(s, "drafted twice");
  }
  ARFLOW_ASSIGN_OR_RETURN(s.content, from_proto(e.content(), "content"));
  s.invoice_id = e.invoice_id();
  s.customer_id = e.customer_id();
  s.status = InvoiceStatus::kDraft;
  return absl::OkStatus();
}

absl::Status apply(InvoiceState& s, const v1::InvoiceDraftEdited& e) {
  if (s.status != InvoiceStatus::kDraft) {
    return corrupt(s, "edited when not a draft");
  }
  ARFLOW_ASSIGN_OR_RETURN(s.content, from_proto(e.content(), "content"));
  return absl::OkStatus();
}

absl::Status apply(InvoiceState& s, const v1::InvoiceDraftDeleted&) {
  if (s.status != InvoiceStatus::kDraft) {
    return corrupt(s, "deleted when not a draft");
  }
  s.status = InvoiceStatus::kDeleted;
  return absl::OkStatus();
}

// The content an invoice had before it was priced, as its InvoiceIssued prints it.
Result<InvoiceContent> content_of(const v1::InvoiceIssued& e) {
  v1::InvoiceContent content;
  content.set_currency(e.currency());
  content.set_kind(e.kind());
  *content.mutable_lines() = e.lines();
  if (!e.payment_terms_from_customer()) {
    *content.mutable_payment_terms() = e.payment_terms();
  }
  if (e.has_early_payment_discount()) {
    *content.mutable_early_payment_discount() = e.early_payment_discount();
  }
  if (e.has_late_payment_terms()) {
    *content.mutable_late_payment_terms() = e.late_payment_terms();
  }
  for (const v1::DepositDeduction& deposit : e.deposits()) {
    content.add_deposit_invoice_ids(deposit.deposit_invoice_id());
  }
  return from_proto(content, "content");
}

absl::Status apply(InvoiceState& s, const v1::InvoiceIssued& e) {
  if (s.status == InvoiceStatus::kNone) {
    // Drafted and issued by one command: no InvoiceDrafted before, the content is here.
    s.invoice_id = e.invoice_id();
    s.customer_id = e.customer_id();
    ARFLOW_ASSIGN_OR_RETURN(s.content, content_of(e));
  } else if (s.status != InvoiceStatus::kDraft || e.currency() != s.content.currency) {
    return corrupt(s, "issued when not a draft, or in another currency");
  }
  ARFLOW_ASSIGN_OR_RETURN(Date issue_date, from_proto(e.issue_date(), "issue_date"));
  ARFLOW_ASSIGN_OR_RETURN(Date due, from_proto(e.due_date(), "due_date"));
  std::optional<Date> pay_by;
  if (e.has_early_payment_discount()) {
    ARFLOW_ASSIGN_OR_RETURN(
        pay_by, from_proto(e.early_payment_discount().pay_by(), "early_payment_discount.pay_by"));
  }
  ARFLOW_ASSIGN_OR_RETURN(CustomerDetails customer, from_proto(e.customer(), "customer"));
  std::vector<Money> line_nets;
  for (const v1::InvoiceLine& line : e.lines()) {
    ARFLOW_ASSIGN_OR_RETURN(Money net, from_proto(line.net_amount(), "lines.net_amount"));
    line_nets.push_back(net);
  }
  std::vector<TaxAmount> taxes;
  for (const v1::TaxAmount& tax : e.taxes()) {
    ARFLOW_ASSIGN_OR_RETURN(TaxAmount t, from_proto(tax, "taxes"));
    taxes.push_back(t);
  }
  std::vector<DeductedDeposit> deposits;
  std::vector<TaxAmount> deposit_taxes;
  for (const v1::DepositDeduction& d : e.deposits()) {
    ARFLOW_ASSIGN_OR_RETURN(Date deposit_date,
                            from_proto(d.deposit_issue_date(), "deposits.deposit_issue_date"));
    ARFLOW_ASSIGN_OR_RETURN(Money amount, from_proto(d.amount(), "deposits.amount"));
    DeductedDeposit deposit{.invoice_id = d.deposit_invoice_id(),
                            .number = d.deposit_number(),
                            .issue_date = deposit_date,
                            .amount = amount};
    for (const v1::TaxAmount& tax : d.taxes()) {
      ARFLOW_ASSIGN_OR_RETURN(TaxAmount t, from_proto(tax, "deposits.taxes"));
      deposit.taxes.push_back(t);
      deposit_taxes.push_back(t);
    }
    deposits.push_back(std::move(deposit));
  }
  ARFLOW_ASSIGN_OR_RETURN(Money net_total, from_proto(e.net_total(), "net_total"));
  ARFLOW_ASSIGN_OR_RETURN(Money tax_total, from_proto(e.tax_total(), "tax_total"));
  ARFLOW_ASSIGN_OR_RETURN(Money total, from_proto(e.total(), "total"));
  ARFLOW_ASSIGN_OR_RETURN(Money amount_due, from_proto(e.amount_due(), "amount_due"));
  ARFLOW_ASSIGN_OR_RETURN(Receivable receivable, open_receivable(amount_due));
  ARFLOW_ASSIGN_OR_RETURN(std::vector<TaxAmount> creditable, taxes_less(taxes, deposit_taxes));

  s.issued = IssuedInvoice{.series = e.series(),
                           .sequence = e.sequence(),
                           .number = e.number(),
                           .issue_date = issue_date,
                           .due_date = due,
                           .payment_terms = from_proto(e.payment_terms()),
                           .early_payment_deadline = pay_by,
                           .customer = std::move(customer),
                           .line_nets = std::move(line_nets),
                           .taxes = std::move(taxes),
                           .net_total = net_total,
                           .tax_total = tax_total,
                           .total = total,
                           .deposits = std::move(deposits),
                           .receivable = receivable,
                           .creditable = std::move(creditable)};
  s.status = status_of(receivable);
  return check_after(s, e.balance(), e.status());
}

absl::Status apply(InvoiceState& s, const v1::DepositDeducted& e) {
  ARFLOW_RETURN_IF_ERROR(require_issued(s, "deposit deducted"));
  if (s.issued->deducted_by.has_value()) {
    return corrupt(s, "deposit deducted twice");
  }
  s.issued->deducted_by = Deduction{.final_invoice_id = e.final_invoice_id(),
                                    .final_invoice_number = e.final_invoice_number()};
  return absl::OkStatus();
}

absl::Status apply(InvoiceState& s, const v1::DepositDeductionReleased& e) {
  ARFLOW_RETURN_IF_ERROR(require_issued(s, "deposit deduction released"));
  if (!s.issued->deducted_by.has_value() ||
      s.issued->deducted_by->final_invoice_id != e.final_invoice_id()) {
    return corrupt(s, "a deduction released by an invoice that did not deduct the deposit");
  }
  s.issued->deducted_by.reset();
  return absl::OkStatus();
}

// An applied allocation leaving the invoice: `to` is kReversed or kReleased.
absl::Status unapply(InvoiceState& s, const std::string& allocation_id,
                     AllocationRecord::State to) {
  const auto it = s.issued->allocations.find(allocation_id);
  if (it == s.issued->allocations.end() || it->second.state != AllocationRecord::State::kApplied) {
    return corrupt(s, fmt::format("allocation '{}' taken off but not applied", allocation_id));
  }
  ARFLOW_ASSIGN_OR_RETURN(Receivable after,
                          without_payment(s.issued->receivable, it->second.amount));
  it->second.state = to;
  settle(s, after);
  return absl::OkStatus();
}

absl::Status apply(InvoiceState& s, const v1::AllocationReleased& e) {
  ARFLOW_RETURN_IF_ERROR(require_issued(s, "allocation released"));
  ARFLOW_RETURN_IF_ERROR(unapply(s, e.allocation_id(), AllocationRecord::State::kReleased));
  return check_after(s, e.balance(), e.status());
}

absl::Status apply(InvoiceState& s, const v1::CreditNoteIssued& e) {
  ARFLOW_RETURN_IF_ERROR(require_issued(s, "credit note"));
  std::vector<TaxAmount> taxes;
  for (const v1::TaxAmount& tax : e.taxes()) {
    ARFLOW_ASSIGN_OR_RETURN(TaxAmount t, from_proto(tax, "taxes"));
    taxes.push_back(t);
  }
  ARFLOW_ASSIGN_OR_RETURN(Money total, from_proto(e.total(), "total"));
  ARFLOW_ASSIGN_OR_RETURN(Money fees, from_proto(e.fees_credited(), "fees_credited"));
  ARFLOW_ASSIGN_OR_RETURN(s.issued->creditable, taxes_less(s.issued->creditable, taxes));
  ARFLOW_ASSIGN_OR_RETURN(Receivable after, with_credit(s.issued->receivable, total, fees));
  s.issued->credit_notes.push_back(CreditNoteRecord{.credit_note_id = e.credit_note_id(),
                                                    .number = e.number(),
                                                    .total = total,
                                                    .full = e.full()});
  settle(s, after);
  return check_after(s, e.balance(), e.status());
}

absl::Status apply(InvoiceState& s, const v1::InvoiceWrittenOff& e) {
  ARFLOW_RETURN_IF_ERROR(require_issued(s, "write-off"));
  ARFLOW_ASSIGN_OR_RETURN(Date on, from_proto(e.written_off_on(), "written_off_on"));
  ARFLOW_ASSIGN_OR_RETURN(Money amount, from_proto(e.amount(), "amount"));
  s.issued->write_off = WriteOff{.reason = e.reason(), .on = on, .amount = amount};
  settle(s, with_write_off(s.issued->receivable));
  return check_after(s, e.balance(), e.status());
}

absl::Status apply(InvoiceState& s, const v1::LateFeeAdded& e) {
  ARFLOW_RETURN_IF_ERROR(require_issued(s, "late fee"));
  if (!s.issued->fee_sources.insert(e.source_id()).second) {
    return corrupt(s, fmt::format("late fee of source '{}' added twice", e.source_id()));
  }
  ARFLOW_ASSIGN_OR_RETURN(Money amount, from_proto(e.amount(), "amount"));
  ARFLOW_ASSIGN_OR_RETURN(Receivable after, with_fee(s.issued->receivable, amount));
  settle(s, after);
  return check_after(s, e.balance(), e.status());
}

absl::Status apply(InvoiceState& s, const v1::RecipientStatusChanged& e) {
  ARFLOW_RETURN_IF_ERROR(require_issued(s, "recipient status"));
  ARFLOW_ASSIGN_OR_RETURN(RecipientStatus status, from_proto(e.status(), "status"));
  ARFLOW_ASSIGN_OR_RETURN(Timestamp reported_at, from_proto(e.reported_at(), "reported_at"));
  s.recipient_status =
      RecipientStatusRecord{.status = status, .reason = e.reason(), .reported_at = reported_at};
  return absl::OkStatus();
}

absl::Status apply(InvoiceState& s, const v1::PaymentApplied& e) {
  ARFLOW_RETURN_IF_ERROR(require_issued(s, "payment"));
  ARFLOW_ASSIGN_OR_RETURN(Money amount, from_proto(e.amount(), "amount"));
  ARFLOW_ASSIGN_OR_RETURN(Date paid_on, from_proto(e.paid_on(), "paid_on"));
  const bool inserted =
      s.issued->allocations
          .try_emplace(
              e.allocation_id(),
              AllocationRecord{
                  .amount = amount, .state = AllocationRecord::State::kApplied, .paid_on = paid_on})
          .second;
  if (!inserted) {
    return corrupt(s, fmt::format("allocation '{}' applied twice", e.allocation_id()));
  }
  ARFLOW_ASSIGN_OR_RETURN(Receivable after, with_payment(s.issued->receivable, amount));
  settle(s, after);
  return check_after(s, e.balance(), e.status());
}

absl::Status apply(InvoiceState& s, const v1::PaymentReversed& e) {
  ARFLOW_RETURN_IF_ERROR(require_issued(s, "payment reversal"));
  ARFLOW_RETURN_IF_ERROR(unapply(s, e.allocation_id(), AllocationRecord::State::kReversed));
  return check_after(s, e.balance(), e.status());
}

absl::Status apply(InvoiceState& s, const v1::AllocationRejected& e) {
  if (s.status == InvoiceStatus::kNone) {
    return corrupt(s, "allocation rejected by an invoice that does not exist");
  }
  s.rejected_allocations.insert(e.allocation_id());
  return absl::OkStatus();
}

}  // namespace

InvoiceState evolve(InvoiceState state, const InvoiceEvent& event) {
  if (!state.integrity.ok()) {
    return state;
  }
  absl::Status applied = std::visit([&](const auto& e) { return apply(state, e); }, event);
  if (applied.code() == absl::StatusCode::kDataLoss) {
    state.integrity = applied;
  } else if (!applied.ok()) {
    // A conversion error is INVALID_ARGUMENT about a field; in a stored event it is data loss.
    state.integrity = absl::DataLossError(fmt::format(
        "invoice '{}': an event could not be applied: {}", state.invoice_id, applied.message()));
  }
  return state;
}

}  // namespace arflow::invoicing
