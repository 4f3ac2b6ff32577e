// decide(): every rule an invoice command must pass, and the events it yields.
// The rules and the reasons behind them: docs/invoicing.md.

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "arflow/contract/ids.h"
#include "arflow/contract/limits.h"
#include "invoicing/domain/customer.h"
#include "invoicing/domain/invoice.h"
#include "invoicing/domain/payment_terms.h"
#include "invoicing/domain/proto_convert.h"
#include "invoicing/domain/receivable.h"
#include "invoicing/domain/recipient_status.h"
#include "invoicing/domain/totals.h"

namespace arflow::invoicing {

namespace {

inline constexpr size_t kMaxDeposits = 100;

// How messages name the invoice: its number once it has one, its id before.
std::string name_of(const InvoiceState& state) {
  if (state.issued.has_value()) {
    return fmt::format("invoice {}", state.issued->number);
  }
  return fmt::format("invoice '{}'", state.invoice_id);
}

// The command is about this state: the state is sound and is the command's invoice's.
absl::Status matches(const InvoiceState& state, std::string_view invoice_id) {
  ARFLOW_RETURN_IF_ERROR(validate_id(invoice_id, "invoice_id"));
  ARFLOW_RETURN_IF_ERROR(state.integrity);
  if (!state.invoice_id.empty() && state.invoice_id != invoice_id) {
    // The service loaded the wrong stream: a wiring error, not the caller's.
    return absl::InternalError(fmt::format("a command for invoice '{}' met the state of '{}'",
                                           invoice_id, state.invoice_id));
  }
  return absl::OkStatus();
}

absl::Status not_found_unless_exists(const InvoiceState& state, std::string_view invoice_id) {
  if (state.status == InvoiceStatus::kNone) {
    return precondition_failed(fmt::format("invoice '{}' does not exist", invoice_id));
  }
  return absl::OkStatus();
}

absl::Status require_draft(const InvoiceState& state, std::string_view invoice_id,
                           std::string_view action) {
  ARFLOW_RETURN_IF_ERROR(not_found_unless_exists(state, invoice_id));
  if (state.status == InvoiceStatus::kDeleted) {
    return precondition_failed(fmt::format("invoice '{}' was deleted", invoice_id));
  }
  if (state.status != InvoiceStatus::kDraft) {
    return precondition_failed(fmt::format("{} is {}: only a draft can be {}", name_of(state),
                                           status_name(state.status), action));
  }
  return absl::OkStatus();
}

// Issued in any later status (the number exists).
absl::Status require_issued(const InvoiceState& state, std::string_view invoice_id,
                            std::string_view what) {
  ARFLOW_RETURN_IF_ERROR(not_found_unless_exists(state, invoice_id));
  if (!state.issued.has_value()) {
    return precondition_failed(
        fmt::format("{} is {}: {}", name_of(state), status_name(state.status), what));
  }
  return absl::OkStatus();
}

bool is_open(InvoiceStatus status) {
  return status == InvoiceStatus::kIssued || status == InvoiceStatus::kPartiallyPaid;
}

absl::Status validate_reason(std::string_view reason, bool required) {
  return contract::check_text(reason, "reason", required);
}

// Every rule of a draft's content that does not depend on other aggregates; the lines are
// priced, which also proves their amounts fit.
Result<Totals> validate_content(const InvoiceContent& content, std::string_view invoice_id) {
  ARFLOW_ASSIGN_OR_RETURN(Totals totals, price_lines(content.currency, content.lines));
  if (content.payment_terms.has_value()) {
    ARFLOW_RETURN_IF_ERROR(validate_payment_terms(*content.payment_terms, "payment_terms"));
  }
  if (content.early_payment_discount.has_value()) {
    ARFLOW_RETURN_IF_ERROR(
        validate_early_payment_discount(*content.early_payment_discount, "early_payment_discount"));
  }
  if (content.late_payment_terms.has_value()) {
    ARFLOW_RETURN_IF_ERROR(validate_late_payment_terms(*content.late_payment_terms,
                                                       content.currency, "late_payment_terms"));
  }
  if (content.kind == InvoiceKind::kDeposit && !content.deposit_invoice_ids.empty()) {
    return invalid_field("deposit_invoice_ids", "must be empty on a deposit invoice");
  }
  if (content.deposit_invoice_ids.size() > kMaxDeposits) {
    return invalid_field("deposit_invoice_ids",
                         fmt::format("must have at most {} invoices", kMaxDeposits));
  }
  std::set<std::string_view> seen;
  for (size_t i = 0; i < content.deposit_invoice_ids.size(); ++i) {
    const std::string field = fmt::format("deposit_invoice_ids[{}]", i);
    const std::string& id = content.deposit_invoice_ids[i];
    ARFLOW_RETURN_IF_ERROR(validate_id(id, field));
    if (id == invoice_id) {
      return invalid_field(field, "must not be the invoice itself");
    }
    if (!seen.insert(id).second) {
      return invalid_field(field, fmt::format("repeats deposit invoice '{}'", id));
    }
  }
  return totals;
}

v1::InvoiceContent content_proto(const InvoiceContent& content, const Totals& totals) {
  v1::InvoiceContent out = to_proto(content);
  for (int i = 0; i < out.lines_size(); ++i) {
    *out.mutable_lines(i)->mutable_net_amount() =
        to_proto(totals.line_nets[static_cast<size_t>(i)]);
  }
  return out;
}

// What a final invoice deducts for one deposit invoice, if the deposit can be deducted.
Result<DeductedDeposit> deduction_of(const InvoiceState& deposit, const InvoiceState& final_invoice,
                                     std::string_view field) {
  ARFLOW_RETURN_IF_ERROR(deposit.integrity);
  const std::string& id = deposit.invoice_id;
  if (!deposit.issued.has_value()) {
    return precondition_failed(fmt::format("{}: invoice '{}' is {}, not an issued deposit invoice",
                                           field, id, status_name(deposit.status)));
  }
  const std::string& number = deposit.issued->number;
  if (deposit.content.kind != InvoiceKind::kDeposit) {
    return precondition_failed(
        fmt::format("{}: invoice {} is not a deposit invoice", field, number));
  }
  if (deposit.customer_id != final_invoice.customer_id) {
    return precondition_failed(
        fmt::format("{}: deposit invoice {} belongs to customer '{}', not '{}'", field, number,
                    deposit.customer_id, final_invoice.customer_id));
  }
  if (deposit.content.currency != final_invoice.content.currency) {
    return precondition_failed(fmt::format("{}: deposit invoice {} is in {}, not in {}", field,
                                           number, deposit.content.currency,
                                           final_invoice.content.currency));
  }
  if (deposit.status == InvoiceStatus::kVoid || deposit.status == InvoiceStatus::kUncollectible) {
    return precondition_failed(
        fmt::format("{}: deposit invoice {} is {}", field, number, status_name(deposit.status)));
  }
  if (deposit.issued->deducted_by.has_value()) {
    return precondition_failed(
        fmt::format("{}: deposit invoice {} is already deducted by invoice {}", field, number,
                    deposit.issued->deducted_by->final_invoice_number));
  }
  // What the deposit still carries after its own credit notes, rate by rate.
  std::vector<TaxAmount> taxes;
  for (const TaxAmount& t : deposit.issued->creditable) {
    if (!t.taxable.is_zero() || !t.tax.is_zero()) {
      taxes.push_back(t);
    }
  }
  ARFLOW_ASSIGN_OR_RETURN(Money zero, Money::zero(deposit.content.currency));
  ARFLOW_ASSIGN_OR_RETURN(Money amount, gross_of(taxes, zero));
  return DeductedDeposit{.invoice_id = id,
                         .number = number,
                         .issue_date = deposit.issued->issue_date,
                         .amount = amount,
                         .taxes = std::move(taxes)};
}

template <class Event>
void set_after(Event& event, const Receivable& r) {
  *event.mutable_balance() = to_proto(r.balance);
  event.set_status(to_proto(status_of(r)));
}

v1::AllocationRejected rejection(const InvoiceState& state, const ApplyPayment& command,
                                 AllocationRejection reason, std::string detail) {
  v1::AllocationRejected event;
  event.set_invoice_id(command.invoice_id);
  if (state.issued.has_value()) {
    event.set_invoice_number(state.issued->number);
    *event.mutable_balance() = to_proto(state.issued->receivable.balance);
  }
  event.set_allocation_id(command.allocation_id);
  *event.mutable_amount() = to_proto(command.amount);
  event.set_reason(to_proto(reason));
  event.set_detail(std::move(detail));
  return event;
}

// The checks of a new draft; its totals when it passes them.
Result<Totals> check_new_draft(const DraftInvoice& command, const InvoiceState& state) {
  ARFLOW_RETURN_IF_ERROR(matches(state, command.invoice_id));
  ARFLOW_RETURN_IF_ERROR(validate_id(command.customer_id, "customer_id"));
  if (state.status != InvoiceStatus::kNone) {
    // Ids name streams; a deleted draft's id stays taken so its history stays its own.
    return precondition_failed(fmt::format("invoice id '{}' is already used ({})",
                                           command.invoice_id, status_name(state.status)));
  }
  return validate_content(command.content, command.invoice_id);
}

}  // namespace

// ----- Drafts ---------------------------------------------------------------------------------

Result<std::vector<InvoiceEvent>> decide(const DraftInvoice& command, const InvoiceState& state) {
  ARFLOW_ASSIGN_OR_RETURN(Totals totals, check_new_draft(command, state));
  v1::InvoiceDrafted event;
  event.set_invoice_id(command.invoice_id);
  event.set_customer_id(command.customer_id);
  *event.mutable_content() = content_proto(command.content, totals);
  return std::vector<InvoiceEvent>{std::move(event)};
}

Result<std::vector<InvoiceEvent>> decide(const EditDraft& command, const InvoiceState& state) {
  ARFLOW_RETURN_IF_ERROR(matches(state, command.invoice_id));
  ARFLOW_RETURN_IF_ERROR(require_draft(state, command.invoice_id, "edited"));
  ARFLOW_ASSIGN_OR_RETURN(Totals totals, validate_content(command.content, command.invoice_id));
  v1::InvoiceDraftEdited event;
  event.set_invoice_id(command.invoice_id);
  event.set_customer_id(state.customer_id);
  *event.mutable_content() = content_proto(command.content, totals);
  return std::vector<InvoiceEvent>{std::move(event)};
}

Result<std::vector<InvoiceEvent>> decide(const DeleteDraft& command, const InvoiceState& state) {
  ARFLOW_RETURN_IF_ERROR(matches(state, command.invoice_id));
  ARFLOW_RETURN_IF_ERROR(require_draft(state, command.invoice_id, "deleted"));
  v1::InvoiceDraftDeleted event;
  event.set_invoice_id(command.invoice_id);
  event.set_customer_id(state.customer_id);
  return std::vector<InvoiceEvent>{std::move(event)};
}

// ----- Issue ----------------------------------------------------------------------------------

Result<InvoiceState> unrecorded_draft(const DraftInvoice& command, const InvoiceState& state) {
  ARFLOW_RETURN_IF_ERROR(check_new_draft(command, state).status());
  // The draft as its InvoiceDrafted would fold (the command's content is already in its
  // domain form), without building that event.
  InvoiceState drafted;
  drafted.invoice_id = command.invoice_id;
  drafted.customer_id = command.customer_id;
  drafted.status = InvoiceStatus::kDraft;
  drafted.content = command.content;
  return drafted;
}

Result<InvoiceDecision> decide(const DraftInvoice& draft, const IssueInvoice& command,
                               const InvoiceState& state, const CustomerState& customer,
                               const SeriesState& series, std::span<const InvoiceState> deposits) {
  ARFLOW_ASSIGN_OR_RETURN(InvoiceState drafted, unrecorded_draft(draft, state));
  return decide(command, drafted, customer, series, deposits);
}

Result<InvoiceDecision> decide(const IssueInvoice& command, const InvoiceState& state,
                               const CustomerState& customer, const SeriesState& series,
                               std::span<const InvoiceState> deposits) {
  ARFLOW_RETURN_IF_ERROR(matches(state, command.invoice_id));
  ARFLOW_RETURN_IF_ERROR(validate_series(command.series, "series"));
  ARFLOW_RETURN_IF_ERROR(validate_date(command.issue_date, "issue_date"));
  ARFLOW_RETURN_IF_ERROR(not_found_unless_exists(state, command.invoice_id));
  if (state.issued.has_value()) {
    return precondition_failed(fmt::format("invoice '{}' is already issued as {}",
                                           command.invoice_id, state.issued->number));
  }
  ARFLOW_RETURN_IF_ERROR(require_draft(state, command.invoice_id, "issued"));
  ARFLOW_RETURN_IF_ERROR(customer.integrity);
  if (!customer.registered || customer.customer_id != state.customer_id) {
    return precondition_failed(fmt::format("customer '{}' is not registered", state.customer_id));
  }

  const InvoiceContent& content = state.content;
  ARFLOW_ASSIGN_OR_RETURN(Totals totals, validate_content(content, command.invoice_id));
  const PaymentTerms terms = content.payment_terms.value_or(customer.details.default_payment_terms);
  ARFLOW_RETURN_IF_ERROR(validate_payment_terms(terms, "payment_terms"));
  const Date due = due_date(command.issue_date, terms);
  std::optional<Date> pay_by;
  if (content.early_payment_discount.has_value()) {
    pay_by = add_days(command.issue_date, content.early_payment_discount->days);
    if (*pay_by > due) {
      return precondition_failed(fmt::format(
          "early_payment_discount ends on {}, after the due date {}: a discount for paying late "
          "is no discount",
          contract::iso_date(*pay_by), contract::iso_date(due)));
    }
  }

  // Deposits: each deducted at what it still carries, rate by rate, so that the final
  // invoice's tax less the deposits' tax is what is left to declare.
  std::vector<DeductedDeposit> deducted;
  std::vector<TaxAmount> remaining = totals.taxes;
  Money amount_due = totals.gross;
  for (size_t i = 0; i < content.deposit_invoice_ids.size(); ++i) {
    const std::string field = fmt::format("deposit_invoice_ids[{}]", i);
    const std::string& id = content.deposit_invoice_ids[i];
    const auto found = std::find_if(deposits.begin(), deposits.end(),
                                    [&](const InvoiceState& d) { return d.invoice_id == id; });
    if (found == deposits.end()) {
      return precondition_failed(fmt::format("{}: invoice '{}' does not exist", field, id));
    }
    ARFLOW_ASSIGN_OR_RETURN(DeductedDeposit deposit, deduction_of(*found, state, field));
    auto less = taxes_less(std::move(remaining), deposit.taxes);
    if (!less.ok()) {
      return precondition_failed(fmt::format("{}: deposit invoice {} exceeds this invoice: {}",
                                             field, deposit.number, less.status().message()));
    }
    remaining = *std::move(less);
    ARFLOW_ASSIGN_OR_RETURN(amount_due, subtract(amount_due, deposit.amount));
    deducted.push_back(std::move(deposit));
  }

  ARFLOW_ASSIGN_OR_RETURN(
      SeriesEvent number,
      assign_number(series, command.series, command.issue_date, v1::DOCUMENT_KIND_INVOICE,
                    command.invoice_id, command.invoice_id));
  ARFLOW_ASSIGN_OR_RETURN(Receivable receivable, open_receivable(amount_due));

  v1::InvoiceIssued issued;
  issued.set_invoice_id(command.invoice_id);
  issued.set_customer_id(state.customer_id);
  *issued.mutable_customer() = to_proto(customer.details);
  issued.set_series(command.series);
  issued.set_sequence(number.sequence());
  issued.set_number(number.number());
  issued.set_kind(to_proto(content.kind));
  issued.set_currency(content.currency);
  *issued.mutable_issue_date() = to_proto(command.issue_date);
  *issued.mutable_due_date() = to_proto(due);
  *issued.mutable_payment_terms() = to_proto(terms);
  issued.set_payment_terms_from_customer(!content.payment_terms.has_value());
  if (content.early_payment_discount.has_value()) {
    auto& discount = *issued.mutable_early_payment_discount();
    discount = to_proto(*content.early_payment_discount);
    *discount.mutable_pay_by() = to_proto(*pay_by);
  }
  if (content.late_payment_terms.has_value()) {
    *issued.mutable_late_payment_terms() = to_proto(*content.late_payment_terms);
  }
  for (size_t i = 0; i < content.lines.size(); ++i) {
    *issued.add_lines() = to_proto(content.lines[i], totals.line_nets[i]);
  }
  for (const TaxAmount& tax : totals.taxes) {
    *issued.add_taxes() = to_proto(tax);
  }
  *issued.mutable_net_total() = to_proto(totals.net);
  *issued.mutable_tax_total() = to_proto(totals.tax);
  *issued.mutable_total() = to_proto(totals.gross);
  InvoiceDecision decision;
  for (const DeductedDeposit& deposit : deducted) {
    v1::DepositDeduction& d = *issued.add_deposits();
    d.set_deposit_invoice_id(deposit.invoice_id);
    d.set_deposit_number(deposit.number);
    *d.mutable_deposit_issue_date() = to_proto(deposit.issue_date);
    *d.mutable_amount() = to_proto(deposit.amount);
    for (const TaxAmount& tax : deposit.taxes) {
      *d.add_taxes() = to_proto(tax);
    }

    v1::DepositDeducted on_deposit;
    on_deposit.set_deposit_invoice_id(deposit.invoice_id);
    on_deposit.set_final_invoice_id(command.invoice_id);
    on_deposit.set_final_invoice_number(number.number());
    *on_deposit.mutable_amount() = to_proto(deposit.amount);
    decision.other_invoices.push_back({deposit.invoice_id, std::move(on_deposit)});
  }
  *issued.mutable_amount_due() = to_proto(amount_due);
  set_after(issued, receivable);

  decision.events.emplace_back(std::move(issued));
  decision.number = std::move(number);
  return decision;
}

// ----- Credit notes ---------------------------------------------------------------------------

Result<InvoiceDecision> decide(const IssueCreditNote& command, const InvoiceState& state,
                               const SeriesState& series) {
  ARFLOW_RETURN_IF_ERROR(matches(state, command.invoice_id));
  ARFLOW_RETURN_IF_ERROR(validate_id(command.credit_note_id, "credit_note_id"));
  ARFLOW_RETURN_IF_ERROR(validate_series(command.series, "series"));
  ARFLOW_RETURN_IF_ERROR(validate_date(command.issue_date, "issue_date"));
  ARFLOW_RETURN_IF_ERROR(validate_reason(command.reason, /*required=*/true));
  if (command.full && !command.lines.empty()) {
    return invalid_field("lines", "must be empty on a full credit note");
  }
  ARFLOW_RETURN_IF_ERROR(
      require_issued(state, command.invoice_id, "only an issued invoice can be credited"));
  const IssuedInvoice& invoice = *state.issued;
  if (!is_open(state.status)) {
    return precondition_failed(
        fmt::format("{} is {}: only an ISSUED or PARTIALLY_PAID invoice can be credited",
                    name_of(state), status_name(state.status)));
  }
  if (invoice.deducted_by.has_value()) {
    return precondition_failed(
        fmt::format("deposit {} is deducted by invoice {}: credit the final invoice instead",
                    name_of(state), invoice.deducted_by->final_invoice_number));
  }
  for (const CreditNoteRecord& note : invoice.credit_notes) {
    if (note.credit_note_id == command.credit_note_id) {
      return precondition_failed(fmt::format("credit note '{}' already exists as {}",
                                             command.credit_note_id, note.number));
    }
  }
  if (command.issue_date < invoice.issue_date) {
    return invalid_field("issue_date", fmt::format("must not be before the invoice's issue date {}",
                                                   contract::iso_date(invoice.issue_date)));
  }

  const std::string& currency = state.content.currency;
  ARFLOW_ASSIGN_OR_RETURN(Money zero, Money::zero(currency));
  InvoiceDecision decision;
  Receivable receivable = invoice.receivable;
  std::vector<TaxAmount> credited_taxes;
  std::vector<Money> line_nets;
  Money fees_part = zero;

  if (command.full) {
    // Cancel everything: first give every payment back to payments (as customer credit), so
    // that what is credited is exactly what the invoice still carries and nothing more.
    for (const auto& [allocation_id, allocation] : invoice.allocations) {
      if (allocation.state != AllocationRecord::State::kApplied) {
        continue;
      }
      ARFLOW_ASSIGN_OR_RETURN(receivable, without_payment(receivable, allocation.amount));
      v1::AllocationReleased released;
      released.set_invoice_id(command.invoice_id);
      released.set_invoice_number(invoice.number);
      released.set_allocation_id(allocation_id);
      *released.mutable_amount() = to_proto(allocation.amount);
      released.set_reason(
          fmt::format("invoice {} cancelled by a full credit note", invoice.number));
      set_after(released, receivable);
      decision.events.emplace_back(std::move(released));
    }
    for (const TaxAmount& t : invoice.creditable) {
      if (!t.taxable.is_zero() || !t.tax.is_zero()) {
        credited_taxes.push_back(t);
      }
    }
    ARFLOW_ASSIGN_OR_RETURN(fees_part, subtract(receivable.fees, receivable.fees_credited));
  } else {
    if (command.lines.empty()) {
      return invalid_field("lines", "must not be empty on a partial credit note");
    }
    ARFLOW_ASSIGN_OR_RETURN(Totals totals, price_lines(currency, command.lines));
    line_nets = totals.line_nets;
    for (const TaxAmount& t : totals.taxes) {
      const auto remaining =
          std::find_if(invoice.creditable.begin(), invoice.creditable.end(),
                       [&](const TaxAmount& c) { return c.rate_bps == t.rate_bps; });
      if (remaining == invoice.creditable.end()) {
        size_t line = 0;
        while (command.lines[line].tax_rate_bps != t.rate_bps) {
          ++line;
        }
        return precondition_failed(fmt::format("lines[{}].tax_rate_bps {} is not a rate of {}",
                                               line, t.rate_bps, name_of(state)));
      }
      ARFLOW_ASSIGN_OR_RETURN(int above, compare(t.taxable, remaining->taxable));
      TaxAmount credited = t;
      if (above == 0) {
        // The last of the rate: take exactly the tax left, so that the rate closes to the cent.
        credited.tax = remaining->tax;
      } else if (above < 0) {
        // Each credit note rounds its own tax; never take back more tax than was invoiced.
        // (Crediting more than the rate's net is refused below, with the tax as computed.)
        ARFLOW_ASSIGN_OR_RETURN(int more_tax, compare(t.tax, remaining->tax));
        if (more_tax > 0) {
          credited.tax = remaining->tax;
        }
      }
      credited_taxes.push_back(credited);
    }
  }

  Money net = zero;
  Money tax = zero;
  for (const TaxAmount& t : credited_taxes) {
    ARFLOW_ASSIGN_OR_RETURN(net, add(net, t.taxable));
    ARFLOW_ASSIGN_OR_RETURN(tax, add(tax, t.tax));
  }
  ARFLOW_ASSIGN_OR_RETURN(Money goods, add(net, tax));
  ARFLOW_ASSIGN_OR_RETURN(Money total, add(goods, fees_part));
  if (!total.is_positive()) {
    return precondition_failed(fmt::format("{} has nothing left to credit", name_of(state)));
  }
  ARFLOW_ASSIGN_OR_RETURN(int over_balance, compare(total, receivable.balance));
  if (over_balance > 0) {
    return precondition_failed(fmt::format("credit note total {} exceeds the balance {} of {}",
                                           format(total), format(receivable.balance),
                                           name_of(state)));
  }
  if (!command.full) {
    // Within the balance, but also within what was invoiced at each rate.
    auto less = taxes_less(invoice.creditable, credited_taxes);
    if (!less.ok()) {
      return precondition_failed(fmt::format("lines credit more than {} carries: {}",
                                             name_of(state), less.status().message()));
    }
  }
  ARFLOW_ASSIGN_OR_RETURN(receivable, with_credit(receivable, total, fees_part));
  if (command.full && status_of(receivable) != InvoiceStatus::kVoid) {
    return absl::InternalError(fmt::format("a full credit note of {} leaves a balance of {}",
                                           name_of(state), format(receivable.balance)));
  }

  ARFLOW_ASSIGN_OR_RETURN(
      SeriesEvent number,
      assign_number(series, command.series, command.issue_date, v1::DOCUMENT_KIND_CREDIT_NOTE,
                    command.credit_note_id, command.invoice_id));
  v1::CreditNoteIssued note;
  note.set_invoice_id(command.invoice_id);
  note.set_invoice_number(invoice.number);
  note.set_credit_note_id(command.credit_note_id);
  note.set_series(command.series);
  note.set_sequence(number.sequence());
  note.set_number(number.number());
  *note.mutable_issue_date() = to_proto(command.issue_date);
  note.set_reason(command.reason);
  note.set_full(command.full);
  for (size_t i = 0; i < command.lines.size(); ++i) {
    *note.add_lines() = to_proto(command.lines[i], line_nets[i]);
  }
  for (const TaxAmount& t : credited_taxes) {
    *note.add_taxes() = to_proto(t);
  }
  *note.mutable_net_total() = to_proto(net);
  *note.mutable_tax_total() = to_proto(tax);
  *note.mutable_fees_credited() = to_proto(fees_part);
  *note.mutable_total() = to_proto(total);
  set_after(note, receivable);
  decision.events.emplace_back(std::move(note));

  if (status_of(receivable) == InvoiceStatus::kVoid) {
    // A voided final invoice no longer deducts its deposits: the corrected invoice will.
    for (const DeductedDeposit& deposit : invoice.deposits) {
      v1::DepositDeductionReleased released;
      released.set_deposit_invoice_id(deposit.invoice_id);
      released.set_final_invoice_id(command.invoice_id);
      released.set_final_invoice_number(invoice.number);
      released.set_credit_note_number(number.number());
      decision.other_invoices.push_back({deposit.invoice_id, std::move(released)});
    }
  }
  decision.number = std::move(number);
  return decision;
}

// ----- Write-off ------------------------------------------------------------------------------

Result<std::vector<InvoiceEvent>> decide(const WriteOffInvoice& command,
                                         const InvoiceState& state) {
  ARFLOW_RETURN_IF_ERROR(matches(state, command.invoice_id));
  ARFLOW_RETURN_IF_ERROR(validate_reason(command.reason, /*required=*/true));
  ARFLOW_RETURN_IF_ERROR(validate_date(command.as_of, "as_of"));
  ARFLOW_RETURN_IF_ERROR(
      require_issued(state, command.invoice_id, "only an issued invoice can be written off"));
  if (!is_open(state.status)) {
    return precondition_failed(
        fmt::format("{} is {}: only an ISSUED or PARTIALLY_PAID invoice can be written off",
                    name_of(state), status_name(state.status)));
  }
  const IssuedInvoice& invoice = *state.issued;
  if (command.as_of < invoice.issue_date) {
    return invalid_field("as_of", fmt::format("must not be before the invoice's issue date {}",
                                              contract::iso_date(invoice.issue_date)));
  }
  const Receivable after = with_write_off(invoice.receivable);
  v1::InvoiceWrittenOff event;
  event.set_invoice_id(command.invoice_id);
  event.set_invoice_number(invoice.number);
  event.set_reason(command.reason);
  *event.mutable_written_off_on() = to_proto(command.as_of);
  *event.mutable_amount() = to_proto(invoice.receivable.balance);
  set_after(event, after);
  return std::vector<InvoiceEvent>{std::move(event)};
}

// ----- Late fees ------------------------------------------------------------------------------

Result<std::vector<InvoiceEvent>> decide(const AddLateFee& command, const InvoiceState& state) {
  ARFLOW_RETURN_IF_ERROR(matches(state, command.invoice_id));
  ARFLOW_RETURN_IF_ERROR(validate_id(command.source_id, "source_id"));
  ARFLOW_RETURN_IF_ERROR(contract::check_text(command.description, "description",
                                              /*required=*/true));
  if (!command.amount.is_positive()) {
    return invalid_field("amount", "must be > 0");
  }
  ARFLOW_RETURN_IF_ERROR(validate_date(command.as_of, "as_of"));
  ARFLOW_RETURN_IF_ERROR(
      require_issued(state, command.invoice_id, "a late fee applies only to an issued invoice"));
  const IssuedInvoice& invoice = *state.issued;
  if (invoice.fee_sources.contains(command.source_id)) {
    return std::vector<InvoiceEvent>{};  // a redelivery of the same request: one fee only
  }
  if (!is_open(state.status)) {
    return precondition_failed(fmt::format("{} is {}: a late fee applies only to an unpaid invoice",
                                           name_of(state), status_name(state.status)));
  }
  if (command.amount.currency() != state.content.currency) {
    return invalid_field("amount", fmt::format("currency {} must be the invoice's currency {}",
                                               command.amount.currency(), state.content.currency));
  }
  if (!(invoice.due_date < command.as_of)) {
    return precondition_failed(fmt::format("{} is not overdue on {}: it is due on {}",
                                           name_of(state), contract::iso_date(command.as_of),
                                           contract::iso_date(invoice.due_date)));
  }
  ARFLOW_ASSIGN_OR_RETURN(Receivable after, with_fee(invoice.receivable, command.amount));
  v1::LateFeeAdded event;
  event.set_invoice_id(command.invoice_id);
  event.set_invoice_number(invoice.number);
  event.set_source_id(command.source_id);
  event.set_kind(to_proto(command.kind));
  event.set_description(command.description);
  *event.mutable_amount() = to_proto(command.amount);
  *event.mutable_assessed_on() = to_proto(command.as_of);
  set_after(event, after);
  return std::vector<InvoiceEvent>{std::move(event)};
}

// ----- Recipient statuses ---------------------------------------------------------------------

Result<std::vector<InvoiceEvent>> decide(const RecordRecipientStatus& command,
                                         const InvoiceState& state) {
  ARFLOW_RETURN_IF_ERROR(matches(state, command.invoice_id));
  if (static_cast<size_t>(command.status) >= all_recipient_statuses().size()) {
    return invalid_field("status", "must be a recipient status");
  }
  ARFLOW_RETURN_IF_ERROR(validate_reason(command.reason, /*required=*/false));
  if (recipient_status_needs_reason(command.status) &&
      command.reason.find_first_not_of(' ') == std::string::npos) {
    return invalid_field("reason", fmt::format("must say why the invoice is {}",
                                               recipient_status_name(command.status)));
  }
  if (command.reported_at == Timestamp{}) {
    return invalid_field("reported_at", "must be set");
  }
  ARFLOW_RETURN_IF_ERROR(require_issued(state, command.invoice_id,
                                        "recipient statuses are reported on issued invoices only"));
  std::optional<RecipientStatus> previous;
  if (state.recipient_status.has_value()) {
    previous = state.recipient_status->status;
  }
  if (previous == command.status) {
    return std::vector<InvoiceEvent>{};  // the platform says the same again
  }
  if (!recipient_transition_allowed(previous, command.status)) {
    return precondition_failed(
        fmt::format("recipient status of {} cannot go from {} to {}", name_of(state),
                    previous.has_value() ? recipient_status_name(*previous) : "none",
                    recipient_status_name(command.status)));
  }
  v1::RecipientStatusChanged event;
  event.set_invoice_id(command.invoice_id);
  event.set_invoice_number(state.issued->number);
  event.set_status(to_proto(command.status));
  event.set_previous_status(previous.has_value() ? to_proto(*previous)
                                                 : v1::RECIPIENT_STATUS_UNSPECIFIED);
  event.set_reason(command.reason);
  *event.mutable_reported_at() = to_proto(command.reported_at);
  return std::vector<InvoiceEvent>{std::move(event)};
}

// ----- Payments -------------------------------------------------------------------------------

Result<std::vector<InvoiceEvent>> decide(const ApplyPayment& command, const InvoiceState& state) {
  ARFLOW_RETURN_IF_ERROR(matches(state, command.invoice_id));
  // Payments makes allocation ids from its payment ids (contract/limits.h).
  ARFLOW_RETURN_IF_ERROR(contract::validate_derived_id(command.allocation_id, "allocation_id"));
  if (!command.amount.is_positive()) {
    return invalid_field("amount", "must be > 0");
  }
  ARFLOW_RETURN_IF_ERROR(validate_date(command.paid_on, "paid_on"));
  ARFLOW_RETURN_IF_ERROR(not_found_unless_exists(state, command.invoice_id));
  if (state.rejected_allocations.contains(command.allocation_id) ||
      (state.issued.has_value() && state.issued->allocations.contains(command.allocation_id))) {
    return std::vector<InvoiceEvent>{};  // answered already: a redelivery
  }

  // Payments has the money already: an allocation the invoice cannot take is answered with
  // AllocationRejected (payments makes it customer credit), never with an error.
  const auto reject = [&](AllocationRejection reason,
                          std::string detail) -> Result<std::vector<InvoiceEvent>> {
    return std::vector<InvoiceEvent>{rejection(state, command, reason, std::move(detail))};
  };
  if (!state.issued.has_value()) {
    return reject(AllocationRejection::kInvoiceNotIssued,
                  fmt::format("{} is {}", name_of(state), status_name(state.status)));
  }
  const IssuedInvoice& invoice = *state.issued;
  if (state.status == InvoiceStatus::kVoid) {
    return reject(AllocationRejection::kInvoiceVoid, fmt::format("{} is VOID", name_of(state)));
  }
  if (state.status == InvoiceStatus::kUncollectible) {
    return reject(AllocationRejection::kInvoiceUncollectible,
                  fmt::format("{} is UNCOLLECTIBLE (written off)", name_of(state)));
  }
  if (command.amount.currency() != state.content.currency) {
    return reject(AllocationRejection::kCurrencyMismatch,
                  fmt::format("amount {} is not in the invoice's currency {}",
                              format(command.amount), state.content.currency));
  }
  ARFLOW_ASSIGN_OR_RETURN(int over, compare(command.amount, invoice.receivable.balance));
  if (over > 0) {
    return reject(AllocationRejection::kWouldOverpay,
                  fmt::format("amount {} exceeds the balance {} of {}", format(command.amount),
                              format(invoice.receivable.balance), name_of(state)));
  }
  ARFLOW_ASSIGN_OR_RETURN(Receivable after, with_payment(invoice.receivable, command.amount));
  v1::PaymentApplied event;
  event.set_invoice_id(command.invoice_id);
  event.set_invoice_number(invoice.number);
  event.set_allocation_id(command.allocation_id);
  *event.mutable_amount() = to_proto(command.amount);
  *event.mutable_paid_on() = to_proto(command.paid_on);
  set_after(event, after);
  return std::vector<InvoiceEvent>{std::move(event)};
}

Result<std::vector<InvoiceEvent>> decide(const ReversePayment& command, const InvoiceState& state) {
  ARFLOW_RETURN_IF_ERROR(matches(state, command.invoice_id));
  ARFLOW_RETURN_IF_ERROR(contract::validate_derived_id(command.allocation_id, "allocation_id"));
  ARFLOW_RETURN_IF_ERROR(validate_reason(command.reason, /*required=*/false));
  ARFLOW_RETURN_IF_ERROR(not_found_unless_exists(state, command.invoice_id));
  if (state.rejected_allocations.contains(command.allocation_id)) {
    return std::vector<InvoiceEvent>{};  // never applied here: payments holds it as credit
  }
  const AllocationRecord* allocation = nullptr;
  if (state.issued.has_value()) {
    const auto it = state.issued->allocations.find(command.allocation_id);
    if (it != state.issued->allocations.end()) {
      allocation = &it->second;
    }
  }
  if (allocation == nullptr) {
    return precondition_failed(fmt::format("allocation '{}' was never applied to {}",
                                           command.allocation_id, name_of(state)));
  }
  if (allocation->state != AllocationRecord::State::kApplied) {
    return std::vector<InvoiceEvent>{};  // reversed already, or released by a full credit note
  }
  // A reversal is the bank's fact: it applies whatever the status, and reopens a paid invoice.
  const IssuedInvoice& invoice = *state.issued;
  ARFLOW_ASSIGN_OR_RETURN(Receivable after,
                          without_payment(invoice.receivable, allocation->amount));
  v1::PaymentReversed event;
  event.set_invoice_id(command.invoice_id);
  event.set_invoice_number(invoice.number);
  event.set_allocation_id(command.allocation_id);
  *event.mutable_amount() = to_proto(allocation->amount);
  event.set_reason(command.reason);
  set_after(event, after);
  return std::vector<InvoiceEvent>{std::move(event)};
}

}  // namespace arflow::invoicing
