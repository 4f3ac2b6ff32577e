#pragma once
// Helpers for the invoicing decider tests: short ways to write money, dates and lines, and a
// tiny in-memory Book that does what the service's command loop does with a decision (fold
// every event into the state of its stream), so a test reads "given these commands, when
// this one, then these events or this error".

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "invoicing/domain/customer.h"
#include "invoicing/domain/invoice.h"
#include "invoicing/domain/proto_convert.h"
#include "invoicing/domain/series.h"

namespace arflow::invoicing::testing {

inline Money money(int64_t minor_units, std::string_view currency = "EUR") {
  return Money::of(minor_units, currency).value();
}

inline Decimal quantity(std::string_view text) { return Decimal::parse(text).value(); }

inline Date date(int year, unsigned month, unsigned day) {
  return Date{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
}

inline InvoiceLine line(std::string_view qty, Money unit_price, int64_t tax_rate_bps,
                        int64_t discount_bps = 0, std::string description = "Consulting") {
  return InvoiceLine{.description = std::move(description),
                     .quantity = quantity(qty),
                     .unit_price = unit_price,
                     .discount_bps = discount_bps,
                     .tax_rate_bps = tax_rate_bps};
}

inline CustomerDetails customer_details() {
  return CustomerDetails{
      .legal_name = "Commune de Lyon",
      .profile = CustomerProfile::kAdministration,
      .language = "fr",
      .contact_emails = {"compta@lyon.fr"},
      .billing_address = {.lines = {"1 place de la Comedie"},
                          .postal_code = "69001",
                          .city = "Lyon",
                          .country = "FR"},
      .tax_id = "FR12345678901",
      .default_payment_terms = {.kind = PaymentTermsKind::kNetDays, .days = 30},
      .credit_limit = money(1'000'000),
  };
}

inline InvoiceContent content_of(std::vector<InvoiceLine> lines, std::string currency = "EUR") {
  return InvoiceContent{.currency = std::move(currency), .lines = std::move(lines)};
}
// One line of 100.00 EUR at 20 %: 120.00 EUR to pay.
inline InvoiceContent simple_content() { return content_of({line("1", money(10000), 2000)}); }

inline std::string message_of(const absl::Status& status) { return std::string(status.message()); }

// EXPECT_ERROR(result_or_status, code, "exact message")
#define EXPECT_ERROR(expr, expected_code, expected_message)                           \
  do {                                                                                \
    const absl::Status status_ = ::arflow::invoicing::testing::status_of(expr);       \
    EXPECT_EQ(status_.code(), (expected_code)) << status_;                            \
    EXPECT_EQ(::arflow::invoicing::testing::message_of(status_), (expected_message)); \
  } while (false)

inline absl::Status status_of(const absl::Status& status) { return status; }
template <class T>
absl::Status status_of(const Result<T>& result) {
  return result.status();
}

template <class Event>
const Event& only(const std::vector<InvoiceEvent>& events) {
  EXPECT_EQ(events.size(), 1u);
  const Event* event = events.empty() ? nullptr : std::get_if<Event>(&events.front());
  if (event == nullptr) {
    ADD_FAILURE() << "the first event is not the expected type";
    static const Event kEmpty;
    return kEmpty;
  }
  return *event;
}

// The streams of one tenant, folded as the service folds them after a successful decision.
// Every fold is checked: an event our deciders write must never mark a stream corrupt.
class Book {
 public:
  Book() { register_customer("cust-1"); }

  void register_customer(const std::string& id, CustomerDetails details = customer_details()) {
    auto events =
        decide(RegisterCustomer{.customer_id = id, .details = std::move(details)}, customers_[id]);
    ASSERT_TRUE(events.ok()) << events.status();
    for (const CustomerEvent& e : *events) {
      customers_[id] = evolve(customers_[id], e);
    }
  }

  CustomerState& customer(const std::string& id) { return customers_[id]; }
  InvoiceState& invoice(const std::string& id) { return invoices_[id]; }
  SeriesState& series(const std::string& name) { return series_[name]; }

  // Runs a single-stream invoice command; folds its events on success.
  template <class Command>
  Result<std::vector<InvoiceEvent>> run(const Command& command) {
    InvoiceState& state = invoices_[command.invoice_id];
    auto events = decide(command, state);
    if (events.ok()) {
      fold(command.invoice_id, *events);
    }
    return events;
  }

  Result<InvoiceDecision> issue(const IssueInvoice& command) {
    InvoiceState& state = invoices_[command.invoice_id];
    std::vector<InvoiceState> deposits;
    for (const std::string& id : state.content.deposit_invoice_ids) {
      if (invoices_.contains(id)) {
        deposits.push_back(invoices_[id]);
      }
    }
    auto decision =
        decide(command, state, customers_[state.customer_id], series_[command.series], deposits);
    if (decision.ok()) {
      apply(command.invoice_id, *decision);
    }
    return decision;
  }

  Result<InvoiceDecision> credit(const IssueCreditNote& command) {
    auto decision = decide(command, invoices_[command.invoice_id], series_[command.series]);
    if (decision.ok()) {
      apply(command.invoice_id, *decision);
    }
    return decision;
  }

  // Draft + issue in one step: the invoice most tests start from.
  const InvoiceState& issued(const std::string& id, InvoiceContent content = simple_content(),
                             Date issue_date = date(2026, 1, 31), std::string series = "2026",
                             std::string customer = "cust-1") {
    auto drafted = run(DraftInvoice{
        .invoice_id = id, .customer_id = std::move(customer), .content = std::move(content)});
    EXPECT_TRUE(drafted.ok()) << drafted.status();
    auto decision = issue(
        IssueInvoice{.invoice_id = id, .series = std::move(series), .issue_date = issue_date});
    EXPECT_TRUE(decision.ok()) << decision.status();
    return invoices_[id];
  }

  // Voids an issued invoice the only way there is: a full credit note (CN-2026, 1 Feb 2026).
  void voided(const std::string& invoice_id, std::string reason = "cancelled") {
    auto decision = credit(IssueCreditNote{.invoice_id = invoice_id,
                                           .credit_note_id = "cn-1",
                                           .series = "CN-2026",
                                           .issue_date = date(2026, 2, 1),
                                           .reason = std::move(reason),
                                           .full = true});
    ASSERT_TRUE(decision.ok()) << decision.status();
  }

  Result<std::vector<InvoiceEvent>> pay(const std::string& invoice_id,
                                        const std::string& allocation_id, Money amount) {
    return run(ApplyPayment{.invoice_id = invoice_id,
                            .allocation_id = allocation_id,
                            .amount = amount,
                            .paid_on = date(2026, 2, 10)});
  }

  // Every event appended so far to invoice/<id>, in order.
  const std::vector<InvoiceEvent>& history(const std::string& id) { return history_[id]; }

 private:
  void fold(const std::string& invoice_id, const std::vector<InvoiceEvent>& events) {
    for (const InvoiceEvent& e : events) {
      invoices_[invoice_id] = evolve(invoices_[invoice_id], e);
      history_[invoice_id].push_back(e);
      EXPECT_TRUE(invoices_[invoice_id].integrity.ok()) << invoices_[invoice_id].integrity;
    }
  }

  void apply(const std::string& invoice_id, const InvoiceDecision& decision) {
    fold(invoice_id, decision.events);
    if (decision.number.has_value()) {
      SeriesState& s = series_[decision.number->series()];
      s = evolve(s, *decision.number);
      EXPECT_TRUE(s.integrity.ok()) << s.integrity;
    }
    for (const OtherInvoiceEvent& other : decision.other_invoices) {
      fold(other.invoice_id, {other.event});
    }
  }

  std::map<std::string, CustomerState> customers_;
  std::map<std::string, InvoiceState> invoices_;
  std::map<std::string, SeriesState> series_;
  std::map<std::string, std::vector<InvoiceEvent>> history_;
};

}  // namespace arflow::invoicing::testing
