#include "reconcile.h"

#include <fmt/format.h>

#include <set>

namespace arflow::reconcile {

namespace {

// Minor units per currency: the services' Money never mixes currencies on one invoice.
using Amounts = std::map<std::string, int64_t>;

std::string show(const Amounts& amounts) {
  std::string out;
  for (const auto& [currency, minor] : amounts) {
    if (minor != 0) {
      out += fmt::format("{}{} {}", out.empty() ? "" : " + ", minor, currency);
    }
  }
  return out.empty() ? "0" : out + " (minor units)";
}

void add(Amounts& amounts, const common::v1::Money& money) {
  amounts[money.currency()] += money.minor_units();
}

bool same(const Amounts& a, const Amounts& b) {
  const auto nonzero = [](const Amounts& x) {
    Amounts out;
    for (const auto& [c, v] : x) {
      if (v != 0) {
        out.emplace(c, v);
      }
    }
    return out;
  };
  return nonzero(a) == nonzero(b);
}

}  // namespace

Report reconcile(const std::vector<invoicing::v1::Invoice>& invoices,
                 const std::vector<payments::v1::Payment>& payments) {
  Report report;
  report.invoices = invoices.size();
  report.payments = payments.size();
  std::set<std::string> customers;

  // What payments says stands on each invoice (pending or applied), by invoice id.
  std::map<std::string, Amounts> allocated;
  std::map<std::string, std::string> allocated_by;  // invoice -> customer, for messages
  for (const auto& p : payments) {
    customers.insert(p.customer_id());
    Amounts split;
    add(split, p.allocated());
    add(split, p.unapplied());
    add(split, p.refunded());
    add(split, p.charged_back());
    Amounts whole;
    add(whole, p.amount());
    if (!same(split, whole)) {
      report.disagreements.push_back(fmt::format(
          "payment {}: amount {} but allocated + unapplied + refunded + charged back = {}",
          p.payment_id(), show(whole), show(split)));
    }
    Amounts standing;
    for (const auto& a : p.allocations()) {
      switch (a.status()) {
        case payments::v1::ALLOCATION_STATUS_PENDING:
          ++report.in_flight;
          break;
        case payments::v1::ALLOCATION_STATUS_APPLIED:
          ++report.applied;
          break;
        case payments::v1::ALLOCATION_STATUS_RETURNED:
          ++report.returned;
          break;
        case payments::v1::ALLOCATION_STATUS_REVERSED:
          ++report.reversed;
          break;
        default:
          break;
      }
      if (a.status() == payments::v1::ALLOCATION_STATUS_PENDING ||
          a.status() == payments::v1::ALLOCATION_STATUS_APPLIED) {
        add(allocated[a.invoice_id()], a.amount());
        allocated_by.emplace(a.invoice_id(), p.customer_id());
        add(standing, a.amount());
      }
    }
    Amounts said;
    add(said, p.allocated());
    if (!same(standing, said)) {
      report.disagreements.push_back(
          fmt::format("payment {}: allocated {} but its standing allocations add up to {}",
                      p.payment_id(), show(said), show(standing)));
    }
  }

  for (const auto& invoice : invoices) {
    customers.insert(invoice.customer_id());
    Amounts paid;
    if (invoice.has_paid()) {
      add(paid, invoice.paid());
    }
    const auto it = allocated.find(invoice.invoice_id());
    const Amounts by_payments = it != allocated.end() ? it->second : Amounts{};
    if (!same(paid, by_payments)) {
      report.disagreements.push_back(
          fmt::format("customer {} invoice {} ({}): invoicing paid {}, payments allocated {}",
                      invoice.customer_id(), invoice.invoice_id(), invoice.number(), show(paid),
                      show(by_payments)));
    }
    if (it != allocated.end()) {
      allocated.erase(it);
    }
  }
  for (const auto& [invoice_id, amounts] : allocated) {
    report.disagreements.push_back(fmt::format(
        "customer {} invoice {}: payments allocated {} to an invoice invoicing does not list",
        allocated_by[invoice_id], invoice_id, show(amounts)));
  }
  report.customers = customers.size();
  return report;
}

std::string describe(const Report& report) {
  std::string out = fmt::format(
      "{}: {} customers, {} invoices, {} payments; allocations: {} applied, {} returned, {} "
      "reversed, {} in flight; {} disagreements\n",
      report.agree() ? "AGREE" : "DISAGREE", report.customers, report.invoices, report.payments,
      report.applied, report.returned, report.reversed, report.in_flight,
      report.disagreements.size());
  for (const auto& line : report.disagreements) {
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace arflow::reconcile
