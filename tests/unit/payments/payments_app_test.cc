// The payments service's application layer against a real store and command loop, with
// invoicing's events fed to its reaction as the consumer would: the saga's bookkeeping
// (allocations in flight, answers, returned money as credit), the read models and queries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>

#include "arflow/bus/topics.h"
#include "arflow/contract/convert.h"
#include "arflow/contract/ids.h"
#include "arflow/eventstore/command_loop.h"
#include "fixtures.h"
#include "payments/app/aggregates.h"
#include "payments/app/execute.h"
#include "payments/app/invoicing_reaction.h"
#include "payments/app/payment_filter.h"
#include "payments/app/queries.h"
#include "payments/app/resources.h"
#include "support/loop_command.h"

namespace arflow::payments {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the fixtures
using eventstore::Transaction;
using ::testing::ElementsAre;
namespace iv1 = invoicing::v1;

class PaymentsAppTest : public arflow::testing::LoopTest {
 protected:
  void SetUp() override { open(bus::kPaymentsEvents); }

  template <typename Command>
  Result<v1::Payment> exec(const Command& command) {
    return run<v1::Payment>([&](Transaction& txn, const app::Caller& caller) {
      return app::execute(txn, caller, command);
    });
  }

  Result<v1::Payment> record(std::string id, Money amount, std::string reference = "",
                             std::string remittance = "", bool auto_allocate = false,
                             std::string customer = "c1") {
    RecordPayment command = receipt(amount, std::move(reference), std::move(remittance));
    command.payment_id = std::move(id);
    command.customer_id = std::move(customer);
    return run<v1::Payment>([&](Transaction& txn, const app::Caller& caller) {
      return app::execute(txn, caller, command, auto_allocate);
    });
  }

  Result<v1::Payment> allocate(std::string payment, std::vector<InvoiceToPay> allocations) {
    return exec(
        AllocatePayment{.payment_id = std::move(payment), .allocations = std::move(allocations)});
  }

  // One of invoicing's events, through the reaction as the consumer runner applies it.
  void invoicing_says(events::v1::Envelope event) {
    event.set_tenant_id(std::string(kTenant));
    event.set_event_id(fmt::format("ev-{}", ++events_));
    auto done = run<v1::Payment>([&](Transaction& txn, const app::Caller&) -> Result<v1::Payment> {
      ARFLOW_RETURN_IF_ERROR(reaction_.apply(event, txn));
      return v1::Payment();
    });
    ASSERT_TRUE(done.ok()) << done.status();
  }

  void issued(std::string id, std::string number, int64_t balance, Date due = date(2026, 12, 31),
              std::string customer = "c1") {
    events::v1::Envelope e;
    auto* i = e.mutable_invoice_issued();
    i->set_invoice_id(std::move(id));
    i->set_customer_id(std::move(customer));
    i->set_number(std::move(number));
    i->set_currency("EUR");
    *i->mutable_due_date() = contract::to_proto(due);
    *i->mutable_balance() = contract::to_proto(money(balance));
    i->set_status(iv1::INVOICE_STATUS_ISSUED);
    invoicing_says(std::move(e));
  }

  void applied(std::string invoice, std::string allocation, int64_t balance_after) {
    events::v1::Envelope e;
    auto* a = e.mutable_payment_applied();
    a->set_invoice_id(std::move(invoice));
    a->set_allocation_id(std::move(allocation));
    *a->mutable_balance() = contract::to_proto(money(balance_after));
    a->set_status(balance_after == 0 ? iv1::INVOICE_STATUS_PAID
                                     : iv1::INVOICE_STATUS_PARTIALLY_PAID);
    invoicing_says(std::move(e));
  }

  void rejected(std::string invoice, std::string allocation, int64_t balance) {
    events::v1::Envelope e;
    auto* r = e.mutable_allocation_rejected();
    r->set_invoice_id(std::move(invoice));
    r->set_allocation_id(std::move(allocation));
    r->set_reason(iv1::ALLOCATION_REJECTION_REASON_INVOICE_VOID);
    r->set_detail("invoice is VOID");
    *r->mutable_balance() = contract::to_proto(money(balance));
    invoicing_says(std::move(e));
  }

  v1::Payment payment(std::string_view id) {
    auto p = app::get_payment(*store_, kTenant, id);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : v1::Payment();
  }

  std::vector<std::string> credit(std::string_view customer = "c1") {
    auto c = app::get_customer_credit(*store_, kTenant, customer);
    EXPECT_TRUE(c.ok()) << c.status();
    std::vector<std::string> out;
    for (const auto& b : c->balances()) {
      out.push_back(format(contract::from_proto(b, "b").value()));
    }
    return out;
  }

  std::vector<std::string> open_invoices(std::string_view customer = "c1") {
    auto list = app::list_open_invoices(*store_, kTenant, customer);
    EXPECT_TRUE(list.ok()) << list.status();
    std::vector<std::string> out;
    for (const auto& i : list->invoices()) {
      out.push_back(fmt::format("{} {}", i.invoice_id(),
                                format(contract::from_proto(i.open(), "open").value())));
    }
    return out;
  }

  // The payment as the executor loads it (what it kept after the last change) is the
  // payment its committed events fold to.
  void expect_kept_is_folded(std::string_view id) {
    auto kept = run<app::LoadedPayment>([&](Transaction& txn, const app::Caller& caller) {
      return app::load_payment(txn, caller.tenant, id);
    });
    auto folded = app::read_payment(*store_, kTenant, id);
    ASSERT_TRUE(kept.ok()) << kept.status();
    ASSERT_TRUE(folded.ok()) << folded.status();
    EXPECT_EQ(kept->version, folded->version);
    EXPECT_EQ(kept->created, folded->created);
    EXPECT_EQ(kept->updated, folded->updated);
    const Timestamp at = from_unix_millis(1'790'000'000'000);
    EXPECT_EQ(app::payment_resource(kTenant, *kept, nullptr, at).DebugString(),
              app::payment_resource(kTenant, *folded, nullptr, at).DebugString());
  }

  app::InvoicingReaction reaction_;
  int events_ = 0;
};

TEST_F(PaymentsAppTest, AnAllocationIsPendingUntilInvoicingAppliesItThenTheInvoiceIsNoLongerOpen) {
  issued("i1", "2026-000001", 10'000);
  ASSERT_TRUE(record("p1", money(10'000)).ok());
  auto p = allocate("p1", {{"i1", money(10'000)}});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->allocations(0).status(), v1::ALLOCATION_STATUS_PENDING);
  EXPECT_THAT(open_invoices(), ElementsAre("i1 0.00 EUR"));  // all of it in flight

  applied("i1", "p1-a1", 0);
  EXPECT_EQ(payment("p1").allocations(0).status(), v1::ALLOCATION_STATUS_APPLIED);
  EXPECT_EQ(payment("p1").status(), v1::PAYMENT_STATUS_APPLIED);
  EXPECT_THAT(open_invoices(), ElementsAre());
  EXPECT_THAT(credit(), ElementsAre());
}

TEST_F(PaymentsAppTest, TwoAllocationsInFlightCannotOverpayAnInvoiceBetweenThem) {
  issued("i1", "2026-000001", 10'000);
  ASSERT_TRUE(record("p1", money(6'000)).ok());
  ASSERT_TRUE(record("p2", money(6'000)).ok());
  ASSERT_TRUE(allocate("p1", {{"i1", money(6'000)}}).ok());
  EXPECT_THAT(allocate("p2", {{"i1", money(5'000)}}),
              IsError(absl::StatusCode::kFailedPrecondition, "exceeds what is open"));
  EXPECT_TRUE(allocate("p2", {{"i1", money(4'000)}}).ok());
  EXPECT_THAT(credit(), ElementsAre("20.00 EUR"));
}

TEST_F(PaymentsAppTest, AnAllocationInvoicingRejectsBecomesTheCustomersCredit) {
  issued("i1", "2026-000001", 10'000);
  ASSERT_TRUE(record("p1", money(10'000)).ok());
  ASSERT_TRUE(allocate("p1", {{"i1", money(10'000)}}).ok());
  EXPECT_THAT(credit(), ElementsAre());

  rejected("i1", "p1-a1", 10'000);
  rejected("i1", "p1-a1", 10'000);  // a redelivered answer returns nothing more
  const v1::Payment p = payment("p1");
  EXPECT_EQ(p.allocations(0).status(), v1::ALLOCATION_STATUS_RETURNED);
  EXPECT_EQ(p.allocations(0).detail(), "invoice is VOID");
  EXPECT_EQ(p.status(), v1::PAYMENT_STATUS_UNAPPLIED);
  EXPECT_THAT(credit(), ElementsAre("100.00 EUR"));
  EXPECT_THAT(open_invoices(), ElementsAre("i1 100.00 EUR"));  // nothing in flight any more
}

TEST_F(PaymentsAppTest, AnExternalReferenceRecordedTwiceIsRefusedAndChangesNothing) {
  ASSERT_TRUE(record("p1", money(5'000), "BANK-778").ok());
  EXPECT_THAT(record("p2", money(5'000), "BANK-778"),
              IsError(absl::StatusCode::kAlreadyExists, "external_reference"));
  EXPECT_THAT(app::get_payment(*store_, kTenant, "p2"), IsError(absl::StatusCode::kNotFound, "p2"));
  EXPECT_THAT(credit(), ElementsAre("50.00 EUR"));
  EXPECT_THAT(record("p1", money(5'000)), IsError(absl::StatusCode::kAlreadyExists, "payment_id"));
}

TEST_F(PaymentsAppTest, AutoAllocationPaysTheInvoiceTheRemittanceNamesThenTheOldest) {
  issued("i1", "2026-000001", 3'000, date(2026, 10, 1));
  issued("i2", "2026-000002", 4'000, date(2026, 11, 1));
  issued("i3", "2026-000003", 5'000, date(2026, 9, 1));
  auto p = record("p1", money(10'000), "", "pour facture 2026-000002", /*auto_allocate=*/true);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->allocations_size(), 3);
  EXPECT_EQ(p->allocations(0).invoice_id(), "i2");  // named
  EXPECT_EQ(p->allocations(1).invoice_id(), "i3");  // then oldest due
  EXPECT_EQ(p->allocations(2).invoice_id(), "i1");
  EXPECT_EQ(format(contract::from_proto(p->allocations(2).amount(), "a").value()), "10.00 EUR");
  EXPECT_THAT(open_invoices(), ElementsAre("i3 0.00 EUR", "i1 20.00 EUR", "i2 0.00 EUR"));
}

// A bank line that settles a customer's whole ledger: more invoices than one allocation
// decision takes (kMaxAllocations). Each decision must see what the one before allocated
// (the receipt is folded in memory as they are decided, and appended with them).
TEST_F(PaymentsAppTest,
       AReceiptAutoAllocatedOverMoreInvoicesThanOneDecisionTakesRecordsEveryAllocation) {
  const int invoices = static_cast<int>(kMaxAllocations) + 5;
  for (int i = 1; i <= invoices; ++i) {
    issued(fmt::format("i{}", i), fmt::format("2026-{:06}", i), 100, date(2026, 9, 1));
  }
  auto p = record("p1", money(100 * invoices + 250), "", "", /*auto_allocate=*/true);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->allocations_size(), invoices);
  EXPECT_EQ(format(contract::from_proto(p->unapplied(), "u").value()), "2.50 EUR");

  std::vector<events::v1::Envelope> history;
  auto folded = app::read_payment(*store_, kTenant, "p1", &history);
  ASSERT_TRUE(folded.ok()) << folded.status();
  ASSERT_EQ(history.size(), static_cast<size_t>(invoices) + 1);  // the receipt, each allocation
  EXPECT_TRUE(history.front().has_payment_recorded());
  EXPECT_TRUE(history.back().has_payment_allocated());
  EXPECT_THAT(credit(), ElementsAre("2.50 EUR"));
  expect_kept_is_folded("p1");
}

TEST_F(PaymentsAppTest, CreditIsDrawnFromTheOldestPaymentsAndCanBeRefunded) {
  issued("i1", "2026-000001", 9'000);
  RecordPayment older = receipt(money(5'000));
  older.payment_id = "p-old";
  older.received_on = date(2026, 1, 1);
  ASSERT_TRUE(run<v1::Payment>([&](Transaction& txn, const app::Caller& c) {
                return app::execute(txn, c, older, false);
              }).ok());
  ASSERT_TRUE(record("p-new", money(5'000)).ok());
  auto after = run<v1::CustomerCredit>([&](Transaction& txn, const app::Caller& c) {
    return app::apply_customer_credit(txn, c, "c1", {"i1", money(7'000)});
  });
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_THAT(after->payment_ids(), ElementsAre("p-new"));
  EXPECT_EQ(payment("p-old").status(), v1::PAYMENT_STATUS_APPLIED);
  EXPECT_THAT(credit(), ElementsAre("30.00 EUR"));

  EXPECT_THAT(run<v1::CustomerCredit>([&](Transaction& txn, const app::Caller& c) {
                return app::refund_customer_credit(txn, c, "c1", money(3'001), "closing");
              }),
              IsError(absl::StatusCode::kFailedPrecondition, "amount"));
  ASSERT_TRUE(run<v1::CustomerCredit>([&](Transaction& txn, const app::Caller& c) {
                return app::refund_customer_credit(txn, c, "c1", money(3'000), "closing");
              }).ok());
  EXPECT_THAT(credit(), ElementsAre());
  EXPECT_EQ(payment("p-new").status(), v1::PAYMENT_STATUS_APPLIED);  // nothing left to match
}

TEST_F(PaymentsAppTest, AChargebackReversesTheAllocationsAndReopensWhatWasInFlight) {
  issued("i1", "2026-000001", 10'000);
  ASSERT_TRUE(record("p1", money(8'000)).ok());
  ASSERT_TRUE(allocate("p1", {{"i1", money(8'000)}}).ok());
  EXPECT_THAT(open_invoices(), ElementsAre("i1 20.00 EUR"));
  auto p = exec(ChargeBackPayment{.payment_id = "p1",
                                  .reason = "R01 insufficient funds",
                                  .charged_back_on = date(2026, 11, 22)});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->allocations(0).status(), v1::ALLOCATION_STATUS_REVERSED);
  EXPECT_EQ(p->status(), v1::PAYMENT_STATUS_CHARGED_BACK);
  EXPECT_THAT(open_invoices(), ElementsAre("i1 100.00 EUR"));
  EXPECT_THAT(credit(), ElementsAre());
}

TEST_F(PaymentsAppTest, WhatTheExecutorKeepsOfAPaymentIsWhatItsEventsFoldTo) {
  issued("i1", "2026-000001", 6'000);
  issued("i2", "2026-000002", 4'000);
  ASSERT_TRUE(record("p1", money(12'000), "", "for 2026-000002", /*auto_allocate=*/true).ok());
  expect_kept_is_folded("p1");
  applied("i2", "p1-a1", 0);
  rejected("i1", "p1-a2", 6'000);  // voided meanwhile: the money is credit again
  expect_kept_is_folded("p1");
  ASSERT_TRUE(
      exec(RefundPayment{.payment_id = "p1", .amount = money(1'000), .reason = "duplicate"}).ok());
  expect_kept_is_folded("p1");
  ASSERT_TRUE(exec(ChargeBackPayment{.payment_id = "p1",
                                     .reason = "R01 insufficient funds",
                                     .charged_back_on = date(2026, 11, 22)})
                  .ok());
  expect_kept_is_folded("p1");
}

TEST_F(PaymentsAppTest, AllocationsToUnknownOrAnotherCustomersInvoicesAreRefused) {
  issued("i9", "2026-000009", 10'000, date(2026, 12, 31), "c2");
  ASSERT_TRUE(record("p1", money(10'000)).ok());
  EXPECT_THAT(allocate("p1", {{"nope", money(1'000)}}),
              IsError(absl::StatusCode::kNotFound, "allocations[0].invoice_id"));
  EXPECT_THAT(allocate("p1", {{"i9", money(1'000)}}),
              IsError(absl::StatusCode::kFailedPrecondition, "another customer"));
  EXPECT_THAT(allocate("p1", {{"bad/id", money(1'000)}}),
              IsError(absl::StatusCode::kInvalidArgument, "allocations[0].invoice_id"));
  EXPECT_EQ(payment("p1").allocations_size(), 0);
}

TEST_F(PaymentsAppTest, PaymentsAreListedByFilterAndPageWithTheirHistoryOnGet) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(record(fmt::format("p{}", i), money(int64_t{1'000} * i), "", "", false,
                       i % 2 == 0 ? "c2" : "c1")
                    .ok());
  }
  auto filter = parse_payment_filter("customer_id = c1 AND unapplied = true");
  ASSERT_TRUE(filter.ok()) << filter.status();
  auto page = app::list_payments(*store_, kTenant, *filter, 2, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->payments_size(), 2);
  EXPECT_EQ(page->payments(0).payment_id(), "p1");
  EXPECT_EQ(page->payments(1).payment_id(), "p3");
  auto rest = app::list_payments(*store_, kTenant, *filter, 2, page->next_page_token());
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->payments_size(), 1);
  EXPECT_EQ(rest->payments(0).payment_id(), "p5");
  EXPECT_EQ(rest->next_page_token(), "");

  EXPECT_THAT(parse_payment_filter("method = WIRE"),
              IsError(absl::StatusCode::kInvalidArgument, "unknown method \"WIRE\""));
  EXPECT_EQ(payment("p1").history_size(), 1);
  EXPECT_EQ(payment("p1").history(0).actor(), "test");
}

// Two payments of nearly the int64 maximum: the customer's credit cannot be summed, and the
// answer says so instead of a wrapped (negative) credit.
TEST_F(PaymentsAppTest, ACreditTooLargeToSumIsOutOfRangeNotAWrappedTotal) {
  constexpr int64_t kNearlyMax = std::numeric_limits<int64_t>::max() - 1;
  ASSERT_TRUE(record("p1", money(kNearlyMax)).ok());
  ASSERT_TRUE(record("p2", money(kNearlyMax)).ok());
  EXPECT_THAT(app::get_customer_credit(*store_, kTenant, "c1"),
              IsError(absl::StatusCode::kOutOfRange,
                      "the credit of customer 'c1' in EUR exceeds the int64 range of minor units"));

  // One such payment alone is credit like any other.
  ASSERT_TRUE(record("p3", money(kNearlyMax), "", "", false, "c2").ok());
  EXPECT_THAT(credit("c2"), ElementsAre("92233720368547758.06 EUR"));
}

TEST(PaymentOfAllocation, IsTheIdBeforeTheLastAllocationSuffix) {
  EXPECT_EQ(app::payment_of_allocation("p1-a1"), "p1");
  EXPECT_EQ(app::payment_of_allocation("pay-a7-a12"), "pay-a7");
  EXPECT_EQ(app::payment_of_allocation("p1-ax"), "");
  EXPECT_EQ(app::payment_of_allocation("-a1"), "");
  EXPECT_EQ(app::payment_of_allocation("p1"), "");
}

// Money movements on a simulated clock: the loop's idempotency records expire after 7 days,
// and a request retried after that must still move its money once.
class PaymentsNaturalKeysTest : public PaymentsAppTest {
 protected:
  void SetUp() override { open(bus::kPaymentsEvents, &clock_); }

  // `work` as the API sends it: under `request_id`, with a fixed fingerprint.
  template <typename Response>
  Result<std::string> request(const std::string& request_id,
                              std::function<Result<Response>(Transaction&)> work) {
    eventstore::Command command;
    command.tenant = std::string(kTenant);
    command.request_id = request_id;
    command.fingerprint = 42;
    command.execute = [work](Transaction& txn) -> Result<std::string> {
      ARFLOW_ASSIGN_OR_RETURN(const Response response, work(txn));
      return response.SerializeAsString();
    };
    return loop_->execute(std::move(command));
  }

  static app::Caller caller() {
    return {.tenant = std::string(kTenant),
            .actor = "test",
            .causation_id = "r",
            .correlation_id = "r"};
  }

  SimulatedClock clock_{from_unix_millis(1'796'000'000'000)};
};

TEST_F(PaymentsNaturalKeysTest, ARefundRetriedEightDaysLaterIsRefusedAndPaidOnce) {
  ASSERT_TRUE(record("p1", money(100'00)).ok());
  const auto refund = [&] {
    return request<v1::Payment>("refund-p1", [](Transaction& txn) {
      return app::execute(txn, caller(),
                          RefundPayment{.payment_id = "p1",
                                        .amount = money(30'00),
                                        .reason = "overpaid",
                                        .refund_id = contract::natural_key_of("refund-p1")});
    });
  };
  const auto first = refund();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*refund(), *first);  // a retry within the week: the first answer
  clock_.advance(std::chrono::hours(24 * 8));
  const auto late = refund();
  EXPECT_EQ(late.status().code(), absl::StatusCode::kAlreadyExists) << late.status();
  EXPECT_EQ(late.status().message(),
            "refund_id: refund 'refund-p1' was made already (payment 'p1'); a request moves "
            "money once, even retried after its idempotency record expired");
  EXPECT_EQ(payment("p1").refunds_size(), 1);
  EXPECT_EQ(payment("p1").refunded().minor_units(), 30'00);
}

TEST_F(PaymentsNaturalKeysTest, AnAllocationAndACreditApplicationRetriedLateMoveNothingMore) {
  issued("i1", "F-000001", 500'00);
  ASSERT_TRUE(record("p1", money(300'00)).ok());
  const auto allocate = [&] {
    return request<v1::Payment>("allocate-p1", [](Transaction& txn) {
      return app::execute(txn, caller(),
                          AllocatePayment{.payment_id = "p1",
                                          .allocations = {InvoiceToPay{.invoice_id = "i1",
                                                                       .amount = money(100'00)}},
                                          .movement_id = contract::natural_key_of("allocate-p1")});
    });
  };
  const auto apply_credit = [&] {
    return request<v1::CustomerCredit>("apply-credit-1", [](Transaction& txn) {
      return app::apply_customer_credit(txn, caller(), "c1",
                                        InvoiceToPay{.invoice_id = "i1", .amount = money(50'00)},
                                        contract::natural_key_of("apply-credit-1"));
    });
  };
  ASSERT_TRUE(allocate().ok());
  ASSERT_TRUE(apply_credit().ok());
  clock_.advance(std::chrono::hours(24 * 8));
  EXPECT_EQ(allocate().status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(apply_credit().status().code(), absl::StatusCode::kAlreadyExists);
  const auto p1 = payment("p1");
  ASSERT_EQ(p1.allocations_size(), 2);
  EXPECT_EQ(p1.allocated().minor_units(), 150'00);
  EXPECT_EQ(p1.allocations(0).movement_id(), "allocate-p1");
  // A request id that is no id gives a business id all the same, the same each time.
  EXPECT_EQ(contract::natural_key_of("refund #7"), contract::natural_key_of("refund #7"));
  EXPECT_TRUE(contract::validate_id(contract::natural_key_of("refund #7"), "id").ok());
}

}  // namespace
}  // namespace arflow::payments
