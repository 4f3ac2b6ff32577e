#include "output_payments.h"

#include <fmt/format.h>

#include "layout.h"
#include "output.h"

namespace arflow::cli {
namespace {

std::string or_dash(const std::string& text) { return text.empty() ? "-" : text; }

// What an event of a payment's history says, besides its type.
std::string payment_event_detail(const arflow::events::v1::Envelope& e) {
  if (e.has_payment_recorded()) {
    return money_text(e.payment_recorded().amount());
  }
  if (e.has_payment_allocated()) {
    const auto& a = e.payment_allocated();
    return fmt::format("{} {}", a.invoice_number().empty() ? a.invoice_id() : a.invoice_number(),
                       money_text(a.amount()));
  }
  if (e.has_allocation_reversed()) {
    const auto& r = e.allocation_reversed();
    return fmt::format("{} {}", r.invoice_id(), money_text(r.amount()));
  }
  if (e.has_allocation_returned()) {
    const auto& r = e.allocation_returned();
    return fmt::format("{} {}", r.invoice_id(), money_text(r.amount()));
  }
  if (e.has_payment_refunded()) {
    return money_text(e.payment_refunded().amount());
  }
  if (e.has_payment_charged_back()) {
    return money_text(e.payment_charged_back().amount());
  }
  return "";
}

}  // namespace

std::string payment_status_text(pay::PaymentStatus status) {
  return enum_text(pay::PaymentStatus_descriptor(), status, "PAYMENT_STATUS_");
}

std::string payment_method_text(pay::PaymentMethod method) {
  if (method == pay::PAYMENT_METHOD_UNSPECIFIED) {
    return "-";
  }
  return enum_flag_text(pay::PaymentMethod_descriptor(), method, "PAYMENT_METHOD_");
}

std::string allocation_status_text(pay::AllocationStatus status) {
  return enum_text(pay::AllocationStatus_descriptor(), status, "ALLOCATION_STATUS_");
}

void print_payment(std::ostream& out, const pay::Payment& payment, bool history) {
  out << fmt::format("payment {}  {}\n", payment.payment_id(),
                     payment_status_text(payment.status()));
  field(out, "customer", payment.customer_id());
  field(out, "amount", money_text(payment.amount()));
  field(out, "method", payment_method_text(payment.method()));
  field(out, "received on", date_text(payment.received_on()));
  if (!payment.external_reference().empty()) {
    field(out, "reference", payment.external_reference());
  }
  if (!payment.remittance_text().empty()) {
    field(out, "remittance", payment.remittance_text());
  }
  field(out, "allocated", money_text(payment.allocated()));
  field(out, "unapplied", money_text(payment.unapplied()));
  // No refund or chargeback says nothing.
  if (payment.refunded().minor_units() != 0) {
    field(out, "refunded", money_text(payment.refunded()));
  }
  if (payment.charged_back().minor_units() != 0 || !payment.charge_back_reason().empty()) {
    field(out, "charged back",
          fmt::format(
              "{}{}", money_text(payment.charged_back()),
              payment.charge_back_reason().empty() ? "" : ": " + payment.charge_back_reason()));
  }
  if (payment.allocations_size() > 0) {
    out << "  allocations\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& a : payment.allocations()) {
      rows.push_back({"    " + a.invoice_id(), or_dash(a.invoice_number()), money_text(a.amount()),
                      allocation_status_text(a.status()), a.detail()});
    }
    print_table(out, {"    INVOICE", "NUMBER", "AMOUNT", "STATUS", "DETAIL"},
                {false, false, true, false, false}, rows);
  }
  if (payment.refunds_size() > 0) {
    out << "  refunds\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : payment.refunds()) {
      rows.push_back({"    " + r.refund_id(), money_text(r.amount()), r.reason()});
    }
    print_table(out, {"    REFUND", "AMOUNT", "REASON"}, {false, true, false}, rows);
  }
  if (payment.has_update_time()) {
    field(out, "updated", timestamp_text(payment.update_time()));
  }
  if (history) {
    print_history(out, payment.history(), payment_event_detail);
  }
}

void print_payment_table(std::ostream& out, const std::vector<pay::Payment>& payments) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(payments.size());
  for (const auto& p : payments) {
    rows.push_back({p.payment_id(), p.customer_id(), date_text(p.received_on()),
                    payment_method_text(p.method()), payment_status_text(p.status()),
                    money_text(p.amount()), money_text(p.unapplied())});
  }
  print_table(out, {"PAYMENT", "CUSTOMER", "RECEIVED", "METHOD", "STATUS", "AMOUNT", "UNAPPLIED"},
              {false, false, false, false, false, true, true}, rows);
}

void print_customer_credit(std::ostream& out, const pay::CustomerCredit& credit) {
  out << fmt::format("credit of {}\n", credit.customer());
  if (credit.balances().empty()) {
    field(out, "balance", "none");
  }
  for (const auto& balance : credit.balances()) {
    field(out, "balance", money_text(balance));
  }
  if (!credit.payment_ids().empty()) {
    field(out, "from payments", join(credit.payment_ids(), ", "));
  }
}

void print_open_invoices(std::ostream& out, const pay::ListOpenInvoicesResponse& response) {
  if (response.invoices().empty()) {
    out << "no open invoices\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  rows.reserve(static_cast<size_t>(response.invoices_size()));
  for (const auto& inv : response.invoices()) {
    rows.push_back({inv.invoice_id(), or_dash(inv.number()), date_text(inv.due_date()),
                    money_text(inv.balance()), money_text(inv.in_flight()),
                    money_text(inv.open())});
  }
  print_table(out, {"INVOICE", "NUMBER", "DUE", "BALANCE", "IN FLIGHT", "OPEN"},
              {false, false, false, true, true, true}, rows);
}

}  // namespace arflow::cli
