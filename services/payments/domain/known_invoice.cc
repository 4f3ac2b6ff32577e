#include "payments/domain/known_invoice.h"

#include "arflow/contract/convert.h"

namespace arflow::payments {

namespace iv1 = invoicing::v1;
using events::v1::Envelope;

namespace {

// Balance and status after an event that says them. A balance that does not convert
// (corrupt event) leaves the last one: invoicing's own checks make that impossible.
void say(KnownInvoice& invoice, const common::v1::Money& balance, iv1::InvoiceStatus status) {
  if (auto b = contract::from_proto(balance, "balance"); b.ok()) {
    invoice.balance = *b;
  }
  if (status != iv1::INVOICE_STATUS_UNSPECIFIED) {
    invoice.status = status;
  }
}

}  // namespace

bool KnownInvoice::open_for_payment() const {
  return issued() &&
         (status == iv1::INVOICE_STATUS_ISSUED || status == iv1::INVOICE_STATUS_PARTIALLY_PAID);
}

std::optional<Money> KnownInvoice::open() const {
  if (!open_for_payment()) {
    return std::nullopt;
  }
  const Money zero = *Money::zero(balance->currency());
  Money left = *balance;
  for (const auto& [id, amount] : in_flight) {
    auto after = subtract(left, amount);
    if (!after.ok()) {
      return zero;  // another currency cannot be in flight; refuse rather than guess
    }
    left = *after;
  }
  return left.is_positive() ? left : zero;
}

std::string_view invoice_of(const Envelope& e) {
  switch (e.payload_case()) {
    case Envelope::kInvoiceIssued:
      return e.invoice_issued().invoice_id();
    case Envelope::kAllocationReleased:
      return e.allocation_released().invoice_id();
    case Envelope::kCreditNoteIssued:
      return e.credit_note_issued().invoice_id();
    case Envelope::kInvoiceWrittenOff:
      return e.invoice_written_off().invoice_id();
    case Envelope::kLateFeeAdded:
      return e.late_fee_added().invoice_id();
    case Envelope::kPaymentApplied:
      return e.payment_applied().invoice_id();
    case Envelope::kPaymentReversed:
      return e.payment_reversed().invoice_id();
    case Envelope::kAllocationRejected:
      return e.allocation_rejected().invoice_id();
    default:
      return {};
  }
}

std::string_view answered_allocation(const Envelope& e) {
  switch (e.payload_case()) {
    case Envelope::kPaymentApplied:
      return e.payment_applied().allocation_id();
    case Envelope::kAllocationRejected:
      return e.allocation_rejected().allocation_id();
    case Envelope::kAllocationReleased:
      return e.allocation_released().allocation_id();
    default:
      return {};
  }
}

void evolve(KnownInvoice& invoice, const Envelope& e) {
  switch (e.payload_case()) {
    case Envelope::kInvoiceIssued: {
      const auto& issued = e.invoice_issued();
      invoice.invoice_id = issued.invoice_id();
      invoice.customer_id = issued.customer_id();
      invoice.number = issued.number();
      invoice.currency = issued.currency();
      if (auto due = contract::from_proto(issued.due_date(), "due_date"); due.ok()) {
        invoice.due_date = *due;
      }
      say(invoice, issued.balance(), issued.status());
      break;
    }
    case Envelope::kAllocationReleased:
      say(invoice, e.allocation_released().balance(), e.allocation_released().status());
      break;
    case Envelope::kCreditNoteIssued:
      say(invoice, e.credit_note_issued().balance(), e.credit_note_issued().status());
      break;
    case Envelope::kInvoiceWrittenOff:
      say(invoice, e.invoice_written_off().balance(), e.invoice_written_off().status());
      break;
    case Envelope::kLateFeeAdded:
      say(invoice, e.late_fee_added().balance(), e.late_fee_added().status());
      break;
    case Envelope::kPaymentApplied:
      say(invoice, e.payment_applied().balance(), e.payment_applied().status());
      break;
    case Envelope::kPaymentReversed:
      say(invoice, e.payment_reversed().balance(), e.payment_reversed().status());
      break;
    default:
      break;  // AllocationRejected changes no balance; the answer is settled by the caller
  }
  if (auto id = answered_allocation(e); !id.empty()) {
    allocation_settled(invoice, id);
  }
}

void allocation_sent(KnownInvoice& invoice, const std::string& allocation_id, Money amount) {
  invoice.in_flight.insert_or_assign(allocation_id, amount);
}

void allocation_settled(KnownInvoice& invoice, std::string_view allocation_id) {
  if (auto it = invoice.in_flight.find(std::string(allocation_id)); it != invoice.in_flight.end()) {
    invoice.in_flight.erase(it);
  }
}

}  // namespace arflow::payments
