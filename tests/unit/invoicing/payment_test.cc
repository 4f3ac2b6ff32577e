// Payments from the payments service, reversals, write-offs: balance and status follow the
// events.
#include "fixtures.h"

namespace arflow::invoicing {
namespace {

using ::absl::StatusCode;
using testing::Book;
using testing::date;
using testing::money;
using testing::only;

TEST(PaymentTest, PaymentsMoveTheInvoiceToPartiallyPaidThenPaid) {
  Book book;
  book.issued("inv-1");  // 120.00 EUR
  auto first = book.pay("inv-1", "alloc-1", money(5000));
  ASSERT_TRUE(first.ok()) << first.status();
  const auto& applied = only<v1::PaymentApplied>(*first);
  EXPECT_EQ(applied.invoice_number(), "2026-000001");
  EXPECT_EQ(applied.allocation_id(), "alloc-1");
  EXPECT_EQ(applied.amount().minor_units(), 5000);
  EXPECT_EQ(applied.paid_on().day(), 10u);
  EXPECT_EQ(applied.balance().minor_units(), 7000);
  EXPECT_EQ(applied.status(), v1::INVOICE_STATUS_PARTIALLY_PAID);
  EXPECT_EQ(book.invoice("inv-1").status, InvoiceStatus::kPartiallyPaid);

  auto second = book.pay("inv-1", "alloc-2", money(7000));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(only<v1::PaymentApplied>(*second).status(), v1::INVOICE_STATUS_PAID);
  EXPECT_EQ(book.invoice("inv-1").status, InvoiceStatus::kPaid);
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.balance, money(0));
}

TEST(PaymentTest, TheSameAllocationAppliesOnce) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.pay("inv-1", "alloc-1", money(5000)).ok());
  auto again = book.pay("inv-1", "alloc-1", money(5000));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.paid, money(5000));
}

TEST(PaymentTest, AnOverpaymentIsRejectedNotAnError) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.pay("inv-1", "alloc-1", money(10000)).ok());
  auto events = book.pay("inv-1", "alloc-2", money(2001));
  ASSERT_TRUE(events.ok()) << events.status();
  const auto& rejected = only<v1::AllocationRejected>(*events);
  EXPECT_EQ(rejected.allocation_id(), "alloc-2");
  EXPECT_EQ(rejected.invoice_number(), "2026-000001");
  EXPECT_EQ(rejected.amount().minor_units(), 2001);
  EXPECT_EQ(rejected.reason(), v1::ALLOCATION_REJECTION_REASON_WOULD_OVERPAY);
  EXPECT_EQ(rejected.detail(),
            "amount 20.01 EUR exceeds the balance 20.00 EUR of invoice 2026-000001");
  EXPECT_EQ(rejected.balance().minor_units(), 2000);
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.balance, money(2000));
  // Answered once: a redelivery records nothing more.
  auto again = book.pay("inv-1", "alloc-2", money(2001));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  // Paying exactly the balance is fine, and then any more is an overpayment.
  EXPECT_EQ(only<v1::PaymentApplied>(*book.pay("inv-1", "alloc-3", money(2000))).status(),
            v1::INVOICE_STATUS_PAID);
  EXPECT_EQ(only<v1::AllocationRejected>(*book.pay("inv-1", "alloc-4", money(1))).reason(),
            v1::ALLOCATION_REJECTION_REASON_WOULD_OVERPAY);
}

TEST(PaymentTest, AllocationsToInvoicesThatCannotTakeThemAreRejected) {
  Book book;
  ASSERT_TRUE(book.run(DraftInvoice{.invoice_id = "draft",
                                    .customer_id = "cust-1",
                                    .content = testing::simple_content()})
                  .ok());
  const auto draft = book.pay("draft", "a-1", money(100));
  ASSERT_TRUE(draft.ok());
  EXPECT_EQ(only<v1::AllocationRejected>(*draft).reason(),
            v1::ALLOCATION_REJECTION_REASON_INVOICE_NOT_ISSUED);
  EXPECT_FALSE(only<v1::AllocationRejected>(*draft).has_balance());

  book.issued("void");
  book.voided("void");
  const auto to_void = book.pay("void", "a-2", money(100));
  ASSERT_TRUE(to_void.ok());
  EXPECT_EQ(only<v1::AllocationRejected>(*to_void).reason(),
            v1::ALLOCATION_REJECTION_REASON_INVOICE_VOID);
  EXPECT_EQ(only<v1::AllocationRejected>(*to_void).detail(), "invoice 2026-000001 is VOID");

  book.issued("lost");
  ASSERT_TRUE(book.run(WriteOffInvoice{
                           .invoice_id = "lost", .reason = "insolvent", .as_of = date(2026, 6, 1)})
                  .ok());
  const auto to_lost = book.pay("lost", "a-3", money(100));
  ASSERT_TRUE(to_lost.ok());
  EXPECT_EQ(only<v1::AllocationRejected>(*to_lost).reason(),
            v1::ALLOCATION_REJECTION_REASON_INVOICE_UNCOLLECTIBLE);

  book.issued("eur");
  const auto in_usd = book.pay("eur", "a-4", money(100, "USD"));
  ASSERT_TRUE(in_usd.ok());
  EXPECT_EQ(only<v1::AllocationRejected>(*in_usd).reason(),
            v1::ALLOCATION_REJECTION_REASON_CURRENCY_MISMATCH);
  EXPECT_EQ(book.invoice("eur").issued->receivable.paid, money(0));
}

TEST(PaymentTest, MalformedAllocationsAreErrors) {
  Book book;
  book.issued("inv-1");
  EXPECT_ERROR(book.pay("inv-1", "a-1", money(0)), StatusCode::kInvalidArgument,
               "amount must be > 0");
  EXPECT_ERROR(book.pay("inv-1", "a-1", money(-5)), StatusCode::kInvalidArgument,
               "amount must be > 0");
  EXPECT_ERROR(book.pay("inv-1", "", money(5)), StatusCode::kInvalidArgument,
               "allocation_id must be 1 to 160 characters");
  EXPECT_ERROR(book.pay("inv-1", std::string(161, 'a'), money(5)), StatusCode::kInvalidArgument,
               "allocation_id must be 1 to 160 characters");
  EXPECT_ERROR(book.pay("nope", "a-1", money(5)), StatusCode::kFailedPrecondition,
               "invoice 'nope' does not exist");
}

// Payments makes an allocation id from its payment id (up to 128) and a sequence: the
// longest it can make is applied, and taken back with the longest reason it accepts.
TEST(PaymentTest, AnAllocationOfTheLongestPaymentIdAndReasonIsAppliedAndReversed) {
  Book book;
  book.issued("inv-1");
  const std::string allocation = std::string(128, 'p') + "-a18446744073709551615";
  ASSERT_EQ(allocation.size(), 150u);
  ASSERT_TRUE(book.pay("inv-1", allocation, money(2000)).ok());
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.paid, money(2000));
  ASSERT_TRUE(book.run(ReversePayment{.invoice_id = "inv-1",
                                      .allocation_id = allocation,
                                      .reason = std::string(1024, 'r')})
                  .ok());
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.paid, money(0));
}

TEST(PaymentTest, AReversalReopensAPaidInvoice) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.pay("inv-1", "alloc-1", money(2000)).ok());
  ASSERT_TRUE(book.pay("inv-1", "alloc-2", money(10000)).ok());
  ASSERT_EQ(book.invoice("inv-1").status, InvoiceStatus::kPaid);

  auto events = book.run(
      ReversePayment{.invoice_id = "inv-1", .allocation_id = "alloc-2", .reason = "chargeback"});
  ASSERT_TRUE(events.ok()) << events.status();
  const auto& reversed = only<v1::PaymentReversed>(*events);
  EXPECT_EQ(reversed.allocation_id(), "alloc-2");
  EXPECT_EQ(reversed.amount().minor_units(), 10000);
  EXPECT_EQ(reversed.reason(), "chargeback");
  EXPECT_EQ(reversed.balance().minor_units(), 10000);
  EXPECT_EQ(reversed.status(), v1::INVOICE_STATUS_PARTIALLY_PAID);
  EXPECT_EQ(book.invoice("inv-1").status, InvoiceStatus::kPartiallyPaid);

  ASSERT_TRUE(book.run(ReversePayment{.invoice_id = "inv-1", .allocation_id = "alloc-1"}).ok());
  EXPECT_EQ(book.invoice("inv-1").status, InvoiceStatus::kIssued);
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.balance, money(12000));
}

TEST(PaymentTest, ReversalsAreIdempotentAndOnlyOfAppliedAllocations) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.pay("inv-1", "alloc-1", money(2000)).ok());
  ASSERT_TRUE(book.run(ReversePayment{.invoice_id = "inv-1", .allocation_id = "alloc-1"}).ok());
  auto again = book.run(ReversePayment{.invoice_id = "inv-1", .allocation_id = "alloc-1"});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  // Applying a reversed allocation again is a redelivery of the first allocation, not money.
  auto reapplied = book.pay("inv-1", "alloc-1", money(2000));
  ASSERT_TRUE(reapplied.ok());
  EXPECT_TRUE(reapplied->empty());

  EXPECT_ERROR(book.run(ReversePayment{.invoice_id = "inv-1", .allocation_id = "never"}),
               StatusCode::kFailedPrecondition,
               "allocation 'never' was never applied to invoice 2026-000001");
  // A rejected allocation was never applied: payments already holds it as credit.
  ASSERT_EQ(only<v1::AllocationRejected>(*book.pay("inv-1", "too-much", money(99999))).reason(),
            v1::ALLOCATION_REJECTION_REASON_WOULD_OVERPAY);
  auto rejected = book.run(ReversePayment{.invoice_id = "inv-1", .allocation_id = "too-much"});
  ASSERT_TRUE(rejected.ok());
  EXPECT_TRUE(rejected->empty());
}

TEST(PaymentTest, AWriteOffGivesUpTheBalance) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.pay("inv-1", "alloc-1", money(2000)).ok());
  auto events = book.run(WriteOffInvoice{
      .invoice_id = "inv-1", .reason = "customer insolvent", .as_of = date(2026, 9, 30)});
  ASSERT_TRUE(events.ok()) << events.status();
  const auto& e = only<v1::InvoiceWrittenOff>(*events);
  EXPECT_EQ(e.reason(), "customer insolvent");
  EXPECT_EQ(e.amount().minor_units(), 10000);
  EXPECT_EQ(e.balance().minor_units(), 10000);
  EXPECT_EQ(e.status(), v1::INVOICE_STATUS_UNCOLLECTIBLE);
  EXPECT_EQ(book.invoice("inv-1").status, InvoiceStatus::kUncollectible);
  EXPECT_EQ(book.invoice("inv-1").issued->write_off->reason, "customer insolvent");

  // The bank's reversal still applies; the invoice stays written off.
  auto reversal = book.run(ReversePayment{.invoice_id = "inv-1", .allocation_id = "alloc-1"});
  ASSERT_TRUE(reversal.ok());
  EXPECT_EQ(only<v1::PaymentReversed>(*reversal).status(), v1::INVOICE_STATUS_UNCOLLECTIBLE);
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.balance, money(12000));

  EXPECT_ERROR(book.run(WriteOffInvoice{
                   .invoice_id = "inv-1", .reason = "again", .as_of = date(2026, 10, 1)}),
               StatusCode::kFailedPrecondition,
               "invoice 2026-000001 is UNCOLLECTIBLE: only an ISSUED or PARTIALLY_PAID invoice can "
               "be written off");
}

TEST(PaymentTest, BadWriteOffsAreRefused) {
  Book book;
  book.issued("inv-1");
  EXPECT_ERROR(
      book.run(WriteOffInvoice{.invoice_id = "inv-1", .reason = "", .as_of = date(2026, 9, 30)}),
      StatusCode::kInvalidArgument, "reason must not be empty");
  EXPECT_ERROR(
      book.run(WriteOffInvoice{.invoice_id = "inv-1", .reason = "x", .as_of = date(2026, 1, 1)}),
      StatusCode::kInvalidArgument, "as_of must not be before the invoice's issue date 2026-01-31");
  ASSERT_TRUE(book.pay("inv-1", "alloc-1", money(12000)).ok());
  EXPECT_ERROR(
      book.run(WriteOffInvoice{.invoice_id = "inv-1", .reason = "x", .as_of = date(2026, 9, 30)}),
      StatusCode::kFailedPrecondition,
      "invoice 2026-000001 is PAID: only an ISSUED or PARTIALLY_PAID invoice can be "
      "written off");
  ASSERT_TRUE(book.run(DraftInvoice{.invoice_id = "draft",
                                    .customer_id = "cust-1",
                                    .content = testing::simple_content()})
                  .ok());
  EXPECT_ERROR(
      book.run(WriteOffInvoice{.invoice_id = "draft", .reason = "x", .as_of = date(2026, 9, 30)}),
      StatusCode::kFailedPrecondition,
      "invoice 'draft' is DRAFT: only an issued invoice can be written off");
}

TEST(PaymentTest, BalanceAndStatusFollowFromTheEventsAlone) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.pay("inv-1", "alloc-1", money(5000)).ok());
  ASSERT_TRUE(book.run(AddLateFee{.invoice_id = "inv-1",
                                  .source_id = "r-1",
                                  .kind = LateFeeKind::kInterest,
                                  .description = "Interest",
                                  .amount = money(123),
                                  .as_of = date(2026, 4, 1)})
                  .ok());
  ASSERT_TRUE(book.credit(IssueCreditNote{.invoice_id = "inv-1",
                                          .credit_note_id = "cn-1",
                                          .series = "CN-2026",
                                          .issue_date = date(2026, 4, 2),
                                          .reason = "goodwill",
                                          .lines = {testing::line("1", money(1000), 2000)}})
                  .ok());
  ASSERT_TRUE(book.run(ReversePayment{.invoice_id = "inv-1", .allocation_id = "alloc-1"}).ok());

  // Replaying the stream from nothing gives the same balance and status.
  InvoiceState replayed;
  for (const InvoiceEvent& e : book.history("inv-1")) {
    replayed = evolve(replayed, e);
  }
  ASSERT_TRUE(replayed.integrity.ok()) << replayed.integrity;
  // 120.00 + 1.23 fee - 12.00 credit - (50.00 - 50.00) paid = 109.23
  EXPECT_EQ(replayed.issued->receivable.balance, money(10923));
  EXPECT_EQ(replayed.status, InvoiceStatus::kIssued);
  EXPECT_EQ(replayed.issued->receivable.balance, book.invoice("inv-1").issued->receivable.balance);
}

TEST(PaymentTest, AnEventThatContradictsTheFoldStopsDecisions) {
  Book book;
  book.issued("inv-1");
  v1::PaymentApplied forged =
      std::get<v1::PaymentApplied>(book.pay("inv-1", "alloc-1", money(100))->front());
  forged.set_allocation_id("alloc-2");
  forged.mutable_balance()->set_minor_units(1);  // the fold says 118.00
  const InvoiceState state = evolve(book.invoice("inv-1"), forged);
  EXPECT_EQ(state.integrity.code(), StatusCode::kDataLoss);
  EXPECT_EQ(decide(ApplyPayment{.invoice_id = "inv-1",
                                .allocation_id = "alloc-3",
                                .amount = money(100),
                                .paid_on = date(2026, 2, 1)},
                   state)
                .status()
                .code(),
            StatusCode::kDataLoss);
}

}  // namespace
}  // namespace arflow::invoicing
