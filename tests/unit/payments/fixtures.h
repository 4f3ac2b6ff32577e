#pragma once
// Helpers for the payments decider tests: money, dates, what payments knows of an invoice,
// and a payment built by folding the events its commands decide, so a test reads "given
// these commands, when this one, then these events or this error".

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "arflow/contract/convert.h"
#include "payments/domain/allocation_plan.h"
#include "payments/domain/payment.h"

namespace arflow::payments::testing {

inline Money money(int64_t minor_units, std::string_view currency = "EUR") {
  return Money::of(minor_units, currency).value();
}

inline Date date(int year, unsigned month, unsigned day) {
  return Date{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
}

inline RecordPayment receipt(Money amount, std::string reference = "",
                             std::string remittance = "") {
  return RecordPayment{.payment_id = "p1",
                       .customer_id = "c1",
                       .amount = amount,
                       .method = v1::PAYMENT_METHOD_BANK_TRANSFER,
                       .received_on = date(2026, 11, 20),
                       .external_reference = std::move(reference),
                       .remittance_text = std::move(remittance)};
}

// An issued invoice of `customer` as invoicing's InvoiceIssued would make it known.
inline KnownInvoice invoice(std::string id, std::string number, Money balance,
                            Date due = date(2026, 12, 31), std::string customer = "c1") {
  KnownInvoice known;
  known.invoice_id = std::move(id);
  known.customer_id = std::move(customer);
  known.number = std::move(number);
  known.currency = std::string(balance.currency());
  known.due_date = due;
  known.balance = balance;
  known.status = invoicing::v1::INVOICE_STATUS_ISSUED;
  return known;
}

inline PaymentState fold(PaymentState state, const std::vector<PaymentEvent>& events) {
  for (const auto& e : events) {
    state = evolve(std::move(state), e);
  }
  return state;
}

// The state after `command` decided on `state` (the test fails if it was refused).
template <typename Command, typename... Context>
PaymentState given(const PaymentState& state, const Command& command, const Context&... context) {
  auto events = decide(command, state, context...);
  EXPECT_TRUE(events.ok()) << events.status();
  return events.ok() ? fold(state, *events) : state;
}

inline PaymentState recorded(Money amount, std::string reference = "",
                             std::string remittance = "") {
  return given(PaymentState{.payment_id = "p1"},
               receipt(amount, std::move(reference), std::move(remittance)));
}

inline AllocatePayment allocate(std::vector<InvoiceToPay> allocations) {
  return AllocatePayment{.payment_id = "p1", .allocations = std::move(allocations)};
}

MATCHER_P2(IsError, code, fragment, "") {
  return arg.status().code() == code &&
         std::string(arg.status().message()).find(fragment) != std::string::npos;
}

}  // namespace arflow::payments::testing
