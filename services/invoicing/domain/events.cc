#include "invoicing/domain/events.h"

#include <type_traits>

namespace arflow::invoicing {

namespace {

using events::v1::Envelope;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string stream(std::string_view type, std::string_view id) {
  std::string name;
  name.reserve(type.size() + 1 + id.size());
  name.append(type).append("/").append(id);
  return name;
}

}  // namespace

std::string customer_stream(std::string_view customer_id) {
  return stream("customer", customer_id);
}
std::string invoice_stream(std::string_view invoice_id) { return stream("invoice", invoice_id); }
std::string series_stream(std::string_view series) { return stream("series", series); }

void set_payload(const CustomerEvent& event, Envelope& envelope) {
  std::visit(
      Overloaded{
          [&](const v1::CustomerRegistered& e) { *envelope.mutable_customer_registered() = e; },
          [&](const v1::CustomerUpdated& e) { *envelope.mutable_customer_updated() = e; },
      },
      event);
}

void set_payload(InvoiceEvent event, Envelope& envelope) {
  std::visit(
      Overloaded{
          [&](v1::InvoiceDrafted& e) { *envelope.mutable_invoice_drafted() = std::move(e); },
          [&](v1::InvoiceDraftEdited& e) {
            *envelope.mutable_invoice_draft_edited() = std::move(e);
          },
          [&](v1::InvoiceDraftDeleted& e) {
            *envelope.mutable_invoice_draft_deleted() = std::move(e);
          },
          [&](v1::InvoiceIssued& e) { *envelope.mutable_invoice_issued() = std::move(e); },
          [&](v1::DepositDeducted& e) { *envelope.mutable_deposit_deducted() = std::move(e); },
          [&](v1::DepositDeductionReleased& e) {
            *envelope.mutable_deposit_deduction_released() = std::move(e);
          },
          [&](v1::AllocationReleased& e) {
            *envelope.mutable_allocation_released() = std::move(e);
          },
          [&](v1::CreditNoteIssued& e) { *envelope.mutable_credit_note_issued() = std::move(e); },
          [&](v1::InvoiceWrittenOff& e) { *envelope.mutable_invoice_written_off() = std::move(e); },
          [&](v1::LateFeeAdded& e) { *envelope.mutable_late_fee_added() = std::move(e); },
          [&](v1::RecipientStatusChanged& e) {
            *envelope.mutable_recipient_status_changed() = std::move(e);
          },
          [&](v1::PaymentApplied& e) { *envelope.mutable_payment_applied() = std::move(e); },
          [&](v1::PaymentReversed& e) { *envelope.mutable_payment_reversed() = std::move(e); },
          [&](v1::AllocationRejected& e) {
            *envelope.mutable_allocation_rejected() = std::move(e);
          },
      },
      event);
}

std::optional<CustomerEvent> customer_event(const Envelope& envelope) {
  switch (envelope.payload_case()) {
    case Envelope::kCustomerRegistered:
      return envelope.customer_registered();
    case Envelope::kCustomerUpdated:
      return envelope.customer_updated();
    default:
      return std::nullopt;
  }
}

std::optional<InvoiceEvent> invoice_event(const Envelope& envelope) {
  switch (envelope.payload_case()) {
    case Envelope::kInvoiceDrafted:
      return envelope.invoice_drafted();
    case Envelope::kInvoiceDraftEdited:
      return envelope.invoice_draft_edited();
    case Envelope::kInvoiceDraftDeleted:
      return envelope.invoice_draft_deleted();
    case Envelope::kInvoiceIssued:
      return envelope.invoice_issued();
    case Envelope::kDepositDeducted:
      return envelope.deposit_deducted();
    case Envelope::kDepositDeductionReleased:
      return envelope.deposit_deduction_released();
    case Envelope::kAllocationReleased:
      return envelope.allocation_released();
    case Envelope::kCreditNoteIssued:
      return envelope.credit_note_issued();
    case Envelope::kInvoiceWrittenOff:
      return envelope.invoice_written_off();
    case Envelope::kLateFeeAdded:
      return envelope.late_fee_added();
    case Envelope::kRecipientStatusChanged:
      return envelope.recipient_status_changed();
    case Envelope::kPaymentApplied:
      return envelope.payment_applied();
    case Envelope::kPaymentReversed:
      return envelope.payment_reversed();
    case Envelope::kAllocationRejected:
      return envelope.allocation_rejected();
    default:
      return std::nullopt;
  }
}

}  // namespace arflow::invoicing
