#include "reconcile.h"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "arflow/core/money.h"

namespace arflow::reconcile {

namespace {

// The totals of a sum that are not zero: a currency that nets to nothing is no amount.
std::vector<Money> nonzero(const MoneySum& sum) {
  std::vector<Money> out;
  for (const Money& total : sum.totals()) {
    if (!total.is_zero()) {
      out.push_back(total);
    }
  }
  return out;
}

std::string show(const MoneySum& sum) {
  std::string out;
  for (const Money& total : nonzero(sum)) {
    out += fmt::format("{}{} {}", out.empty() ? "" : " + ", total.minor_units(), total.currency());
  }
  return out.empty() ? "0" : out + " (minor units)";
}

bool same(const MoneySum& a, const MoneySum& b) { return nonzero(a) == nonzero(b); }

// Adds an amount a service answered to `sum`. An absent one (no currency) or zero adds
// nothing; an unknown currency is an answer that cannot be read, named by `field`.
absl::Status add_to(MoneySum& sum, const common::v1::Money& money, std::string_view field) {
  if (money.minor_units() == 0) {
    return absl::OkStatus();
  }
  auto amount = Money::of(money.minor_units(), money.currency());
  if (!amount.ok()) {
    return absl::Status(amount.status().code(),
                        fmt::format("{}: {}", field, amount.status().message()));
  }
  return sum.add(*amount);
}

// The sum of one amount, for comparing it with a sum of several.
Result<MoneySum> sum_of(const common::v1::Money& money, std::string_view field) {
  MoneySum sum{std::string(field)};
  ARFLOW_RETURN_IF_ERROR(add_to(sum, money, field));
  return sum;
}

}  // namespace

Result<Report> reconcile(const std::vector<invoicing::v1::Invoice>& invoices,
                         const std::vector<payments::v1::Payment>& payments) {
  Report report;
  report.invoices = invoices.size();
  report.payments = payments.size();
  std::set<std::string> customers;

  // What payments says stands on each invoice (pending or applied), by invoice id. Summed
  // with overflow checks, like every total below: a sum beyond int64 minor units is an
  // error, never a wrapped total that could happen to agree.
  std::map<std::string, MoneySum> allocated;
  std::map<std::string, std::string> allocated_by;  // invoice -> customer, for messages
  for (const auto& p : payments) {
    customers.insert(p.customer_id());
    const std::string payment = fmt::format("payment {}", p.payment_id());
    MoneySum split(fmt::format("{}'s allocated + unapplied + refunded + charged back", payment));
    ARFLOW_RETURN_IF_ERROR(add_to(split, p.allocated(), payment + " allocated"));
    ARFLOW_RETURN_IF_ERROR(add_to(split, p.unapplied(), payment + " unapplied"));
    ARFLOW_RETURN_IF_ERROR(add_to(split, p.refunded(), payment + " refunded"));
    ARFLOW_RETURN_IF_ERROR(add_to(split, p.charged_back(), payment + " charged back"));
    ARFLOW_ASSIGN_OR_RETURN(const MoneySum whole, sum_of(p.amount(), payment + " amount"));
    if (!same(split, whole)) {
      report.disagreements.push_back(fmt::format(
          "payment {}: amount {} but allocated + unapplied + refunded + charged back = {}",
          p.payment_id(), show(whole), show(split)));
    }
    MoneySum standing(fmt::format("{}'s standing allocations", payment));
    for (int i = 0; i < p.allocations_size(); ++i) {
      const payments::v1::Allocation& a = p.allocations(i);
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
        auto on_invoice = allocated.find(a.invoice_id());
        if (on_invoice == allocated.end()) {
          MoneySum fresh(fmt::format("payments' allocations to invoice {}", a.invoice_id()));
          on_invoice = allocated.emplace(a.invoice_id(), std::move(fresh)).first;
        }
        const std::string field = fmt::format("{} allocations[{}]", payment, i);
        ARFLOW_RETURN_IF_ERROR(add_to(on_invoice->second, a.amount(), field));
        allocated_by.emplace(a.invoice_id(), p.customer_id());
        ARFLOW_RETURN_IF_ERROR(add_to(standing, a.amount(), field));
      }
    }
    ARFLOW_ASSIGN_OR_RETURN(const MoneySum said, sum_of(p.allocated(), payment + " allocated"));
    if (!same(standing, said)) {
      report.disagreements.push_back(
          fmt::format("payment {}: allocated {} but its standing allocations add up to {}",
                      p.payment_id(), show(said), show(standing)));
    }
  }

  const MoneySum nothing("nothing");
  for (const auto& invoice : invoices) {
    customers.insert(invoice.customer_id());
    const std::string paid_field = fmt::format("invoice {} paid", invoice.invoice_id());
    MoneySum paid(paid_field);
    if (invoice.has_paid()) {
      ARFLOW_RETURN_IF_ERROR(add_to(paid, invoice.paid(), paid_field));
    }
    const auto it = allocated.find(invoice.invoice_id());
    const MoneySum& by_payments = it != allocated.end() ? it->second : nothing;
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
