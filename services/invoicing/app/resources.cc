#include "invoicing/app/resources.h"

#include <algorithm>

#include "invoicing/app/names.h"
#include "invoicing/domain/proto_convert.h"

namespace arflow::invoicing::app {

namespace {

void set_issued(const IssuedInvoice& issued, InvoiceDetail detail, v1::Invoice& out) {
  out.set_series(issued.series);
  out.set_number(issued.number);
  *out.mutable_issue_date() = to_proto(issued.issue_date);
  *out.mutable_due_date() = to_proto(issued.due_date);
  *out.mutable_payment_terms() = to_proto(issued.payment_terms);
  if (issued.early_payment_deadline.has_value()) {
    *out.mutable_early_payment_deadline() = to_proto(*issued.early_payment_deadline);
  }
  *out.mutable_customer() = to_proto(issued.customer);
  if (detail == InvoiceDetail::kFull) {
    for (const Money& net : issued.line_nets) {
      *out.add_line_net_amounts() = to_proto(net);
    }
  }
  for (const TaxAmount& tax : issued.taxes) {
    *out.add_taxes() = to_proto(tax);
  }
  *out.mutable_net_total() = to_proto(issued.net_total);
  *out.mutable_tax_total() = to_proto(issued.tax_total);
  *out.mutable_total() = to_proto(issued.total);
  const Receivable& r = issued.receivable;
  auto deducted = subtract(issued.total, r.amount_due);
  *out.mutable_deposits_deducted() = to_proto(deducted.ok() ? *deducted : r.amount_due);
  *out.mutable_amount_due() = to_proto(r.amount_due);
  *out.mutable_fees() = to_proto(r.fees);
  *out.mutable_credited() = to_proto(r.credited);
  *out.mutable_paid() = to_proto(r.paid);
  *out.mutable_balance() = to_proto(r.balance);
  std::optional<Date> last_payment;
  for (const auto& [id, allocation] : issued.allocations) {
    if (allocation.state == AllocationRecord::State::kApplied &&
        (!last_payment.has_value() || allocation.paid_on > *last_payment)) {
      last_payment = allocation.paid_on;
    }
  }
  if (last_payment.has_value()) {
    *out.mutable_last_payment_date() = to_proto(*last_payment);
  }
  for (const CreditNoteRecord& note : issued.credit_notes) {
    auto* n = out.add_credit_notes();
    n->set_credit_note_id(note.credit_note_id);
    n->set_number(note.number);
    *n->mutable_total() = to_proto(note.total);
    n->set_full(note.full);
  }
  if (issued.write_off.has_value()) {
    out.set_write_off_reason(issued.write_off->reason);
  }
  if (issued.deducted_by.has_value()) {
    out.set_deducted_by_invoice_id(issued.deducted_by->final_invoice_id);
  }
}

}  // namespace

v1::Invoice invoice_resource(const LoadedInvoice& invoice, InvoiceDetail detail) {
  const InvoiceState& s = invoice.state;
  v1::Invoice out;
  out.set_name(invoice_name(invoice.tenant, s.invoice_id));
  out.set_invoice_id(s.invoice_id);
  out.set_customer_id(s.customer_id);
  out.set_status(to_proto(s.status));
  *out.mutable_content() = to_proto(s.content, detail == InvoiceDetail::kFull);
  if (s.issued.has_value()) {
    set_issued(*s.issued, detail, out);
  }
  if (s.recipient_status.has_value()) {
    out.set_recipient_status(to_proto(s.recipient_status->status));
    out.set_recipient_status_reason(s.recipient_status->reason);
    *out.mutable_recipient_status_time() = to_proto(s.recipient_status->reported_at);
  }
  *out.mutable_create_time() = to_proto(invoice.position.created);
  *out.mutable_update_time() = to_proto(invoice.position.updated);
  return out;
}

v1::Customer customer_resource(std::string_view tenant, const CustomerState& state,
                               Timestamp created, Timestamp updated) {
  v1::Customer out;
  out.set_name(customer_name(tenant, state.customer_id));
  out.set_customer_id(state.customer_id);
  *out.mutable_details() = to_proto(state.details);
  *out.mutable_create_time() = to_proto(created);
  *out.mutable_update_time() = to_proto(updated);
  return out;
}

}  // namespace arflow::invoicing::app
