// The payment decider: recording, allocating, refunds, chargebacks, and allocations that
// come back from invoicing.
#include "fixtures.h"

namespace arflow::payments {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the fixtures
using ::testing::SizeIs;

const auto kInvalid = absl::StatusCode::kInvalidArgument;
const auto kPrecondition = absl::StatusCode::kFailedPrecondition;

// ----- Recording ---------------------------------------------------------------------------

TEST(RecordPayment, MakesAllOfItUnappliedCredit) {
  const PaymentState p = recorded(money(12'000), "BANK-1", "INV 2026-000001");
  EXPECT_EQ(p.money->unapplied, money(12'000));
  EXPECT_EQ(p.money->allocated, money(0));
  EXPECT_EQ(payment_status(p), v1::PAYMENT_STATUS_UNAPPLIED);
  EXPECT_EQ(p.external_reference, "BANK-1");
}

TEST(RecordPayment, RefusesZeroAndNegativeAmounts) {
  EXPECT_THAT(decide(receipt(money(0)), PaymentState{}), IsError(kInvalid, "amount must be > 0"));
  EXPECT_THAT(decide(receipt(money(-5)), PaymentState{}), IsError(kInvalid, "amount must be > 0"));
}

TEST(RecordPayment, RefusesAnUnspecifiedMethod) {
  auto command = receipt(money(100));
  command.method = v1::PAYMENT_METHOD_UNSPECIFIED;
  EXPECT_THAT(decide(command, PaymentState{}), IsError(kInvalid, "method must be one of"));
}

TEST(RecordPayment, RefusesRecordingTheSamePaymentTwice) {
  EXPECT_THAT(decide(receipt(money(100)), recorded(money(100))),
              IsError(absl::StatusCode::kAlreadyExists, "payment 'p1' already exists"));
}

// ----- Allocating --------------------------------------------------------------------------

TEST(AllocatePayment, PaysOneInvoiceInFull) {
  const std::vector<KnownInvoice> invoices{invoice("i1", "2026-000001", money(10'000))};
  auto events = decide(allocate({{"i1", money(10'000)}}), recorded(money(10'000)), invoices);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_THAT(*events, SizeIs(1));
  const auto& allocated = std::get<v1::PaymentAllocated>((*events)[0]);
  EXPECT_EQ(allocated.allocation_id(), "p1-a1");
  EXPECT_EQ(allocated.invoice_number(), "2026-000001");
  EXPECT_EQ(allocated.unapplied().minor_units(), 0);
  EXPECT_EQ(allocated.status(), v1::PAYMENT_STATUS_APPLIED);
  EXPECT_EQ(allocated.paid_on().day(), 20U);  // the value date, not today
}

TEST(AllocatePayment, SpreadsOnePaymentOverSeveralInvoicesAndKeepsTheRestAsCredit) {
  const std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(3'000)),
                                           invoice("i2", "N2", money(5'000))};
  const PaymentState p = given(recorded(money(10'000)),
                               allocate({{"i1", money(3'000)}, {"i2", money(5'000)}}), invoices);
  EXPECT_EQ(p.money->allocated, money(8'000));
  EXPECT_EQ(p.money->unapplied, money(2'000));
  EXPECT_EQ(payment_status(p), v1::PAYMENT_STATUS_PARTIALLY_APPLIED);
  ASSERT_THAT(p.allocations, SizeIs(2));
  EXPECT_EQ(p.allocations[1].allocation_id, "p1-a2");
}

TEST(AllocatePayment, APartialPaymentCoversPartOfAnInvoice) {
  const std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(10'000))};
  const PaymentState p = given(recorded(money(4'000)), allocate({{"i1", money(4'000)}}), invoices);
  EXPECT_EQ(payment_status(p), v1::PAYMENT_STATUS_APPLIED);
}

TEST(AllocatePayment, RefusesMoreThanTheUnappliedAmount) {
  const std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(3'000)),
                                           invoice("i2", "N2", money(5'000))};
  EXPECT_THAT(decide(allocate({{"i1", money(3'000)}, {"i2", money(5'000)}}), recorded(money(7'000)),
                     invoices),
              IsError(kPrecondition, "80.00 EUR in all exceeds the payment's unapplied 70.00 EUR"));
}

TEST(AllocatePayment, RefusesMoreThanIsOpenOnTheInvoice) {
  const std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(3'000))};
  EXPECT_THAT(decide(allocate({{"i1", money(3'001)}}), recorded(money(10'000)), invoices),
              IsError(kPrecondition, "allocations[0].amount 30.01 EUR exceeds what is open"));
}

TEST(AllocatePayment, CountsAllocationsStillInFlightAgainstTheInvoice) {
  std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(3'000))};
  allocation_sent(invoices[0], "p0-a1", money(2'000));  // another payment's, not answered
  EXPECT_THAT(decide(allocate({{"i1", money(1'500)}}), recorded(money(10'000)), invoices),
              IsError(kPrecondition, "what is open on invoice N1: 10.00 EUR"));
}

TEST(AllocatePayment, RefusesAnotherCustomersInvoice) {
  const std::vector<KnownInvoice> invoices{
      invoice("i9", "N9", money(3'000), date(2026, 12, 1), "c2")};
  EXPECT_THAT(
      decide(allocate({{"i9", money(100)}}), recorded(money(10'000)), invoices),
      IsError(kPrecondition, "allocations[0].invoice_id: invoice 'i9' is another customer's"));
}

TEST(AllocatePayment, RefusesAnUnknownInvoice) {
  EXPECT_THAT(decide(allocate({{"nope", money(100)}}), recorded(money(10'000)), {}),
              IsError(absl::StatusCode::kNotFound, "no issued invoice 'nope'"));
}

TEST(AllocatePayment, RefusesAVoidOrPaidInvoice) {
  std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(0))};
  invoices[0].status = invoicing::v1::INVOICE_STATUS_VOID;
  EXPECT_THAT(decide(allocate({{"i1", money(100)}}), recorded(money(10'000)), invoices),
              IsError(kPrecondition, "INVOICE_STATUS_VOID) is not open for payment"));
  invoices[0].status = invoicing::v1::INVOICE_STATUS_PAID;
  EXPECT_THAT(decide(allocate({{"i1", money(100)}}), recorded(money(10'000)), invoices),
              IsError(kPrecondition, "is not open for payment"));
}

TEST(AllocatePayment, RefusesAnInvoiceInAnotherCurrency) {
  const std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(3'000, "USD"))};
  EXPECT_THAT(
      decide(allocate({{"i1", money(100, "USD")}}), recorded(money(10'000)), invoices),
      IsError(kInvalid, "allocations[0].amount.currency must be the payment's currency EUR"));
  EXPECT_THAT(decide(allocate({{"i1", money(100)}}), recorded(money(10'000)), invoices),
              IsError(kPrecondition, "invoice 'i1' is in USD, the payment in EUR"));
}

TEST(AllocatePayment, RefusesZeroAmountsAndTheSameInvoiceTwice) {
  const std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(3'000))};
  EXPECT_THAT(decide(allocate({{"i1", money(0)}}), recorded(money(10'000)), invoices),
              IsError(kInvalid, "allocations[0].amount must be > 0"));
  EXPECT_THAT(
      decide(allocate({{"i1", money(10)}, {"i1", money(10)}}), recorded(money(10'000)), invoices),
      IsError(kInvalid, "allocations[1].invoice_id names invoice 'i1' twice"));
  EXPECT_THAT(decide(allocate({}), recorded(money(10'000)), invoices),
              IsError(kInvalid, "allocations must hold 1 to 100"));
}

TEST(AllocatePayment, RefusesAPaymentNotRecorded) {
  EXPECT_THAT(decide(allocate({{"i1", money(10)}}), PaymentState{.payment_id = "p1"}, {}),
              IsError(absl::StatusCode::kNotFound, "payment 'p1' does not exist"));
}

// ----- What invoicing gives back -----------------------------------------------------------

TEST(ReturnAllocation, PutsARejectedAllocationBackAsCredit) {
  const std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(3'000))};
  const PaymentState p = given(recorded(money(3'000)), allocate({{"i1", money(3'000)}}), invoices);
  const ReturnAllocation back{.payment_id = "p1",
                              .allocation_id = "p1-a1",
                              .reason = v1::RETURN_REASON_REJECTED,
                              .detail = "invoice N1 is void"};
  auto events = decide(back, p);
  ASSERT_TRUE(events.ok());
  ASSERT_THAT(*events, SizeIs(1));
  EXPECT_EQ(std::get<v1::AllocationReturned>((*events)[0]).unapplied().minor_units(), 3'000);
  const PaymentState after = fold(p, *events);
  EXPECT_EQ(after.money->unapplied, money(3'000));
  EXPECT_EQ(after.allocations[0].state, AllocationState::kReturned);
  EXPECT_EQ(payment_status(after), v1::PAYMENT_STATUS_UNAPPLIED);
  // Invoicing's answer delivered twice records nothing the second time.
  auto again = decide(back, after);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

// ----- Refunds -----------------------------------------------------------------------------

TEST(RefundPayment, PaysBackPartOfTheCredit) {
  const PaymentState p =
      given(recorded(money(10'000)),
            RefundPayment{.payment_id = "p1", .amount = money(2'500), .reason = "asked"});
  EXPECT_EQ(p.money->unapplied, money(7'500));
  EXPECT_EQ(p.money->refunded, money(2'500));
  EXPECT_EQ(p.refunds[0].refund_id, "p1-r1");
}

TEST(RefundPayment, WithoutAnAmountRefundsAllThatIsUnapplied) {
  const std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(6'000))};
  PaymentState p = given(recorded(money(10'000)), allocate({{"i1", money(6'000)}}), invoices);
  p = given(p, RefundPayment{.payment_id = "p1", .amount = std::nullopt, .reason = "overpaid"});
  EXPECT_EQ(p.money->refunded, money(4'000));
  EXPECT_EQ(p.money->unapplied, money(0));
  EXPECT_EQ(payment_status(p), v1::PAYMENT_STATUS_APPLIED);
}

TEST(RefundPayment, RefusesMoreThanIsUnapplied) {
  const std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(6'000))};
  const PaymentState p = given(recorded(money(10'000)), allocate({{"i1", money(6'000)}}), invoices);
  EXPECT_THAT(decide(RefundPayment{.payment_id = "p1", .amount = money(4'001), .reason = ""}, p),
              IsError(kPrecondition, "amount 40.01 EUR exceeds the payment's unapplied 40.00 EUR"));
  EXPECT_THAT(decide(RefundPayment{.payment_id = "p1", .amount = money(-1), .reason = ""}, p),
              IsError(kInvalid, "amount must be > 0"));
}

TEST(RefundPayment, ARefundedPaymentIsRefunded) {
  const PaymentState p =
      given(recorded(money(10'000)), RefundPayment{.payment_id = "p1", .amount = {}, .reason = ""});
  EXPECT_EQ(payment_status(p), v1::PAYMENT_STATUS_REFUNDED);
  EXPECT_THAT(decide(RefundPayment{.payment_id = "p1", .amount = {}, .reason = ""}, p),
              IsError(kPrecondition, "nothing unapplied to refund"));
}

// ----- Chargebacks -------------------------------------------------------------------------

TEST(ChargeBackPayment, ReversesEveryStandingAllocationAndTakesTheMoney) {
  const std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(3'000)),
                                           invoice("i2", "N2", money(5'000))};
  PaymentState p = given(recorded(money(10'000)),
                         allocate({{"i1", money(3'000)}, {"i2", money(5'000)}}), invoices);
  p = given(p, ReturnAllocation{.payment_id = "p1",
                                .allocation_id = "p1-a1",
                                .reason = v1::RETURN_REASON_RELEASED,
                                .detail = "voided"});
  auto events = decide(ChargeBackPayment{.payment_id = "p1",
                                         .reason = "R01 insufficient funds",
                                         .charged_back_on = date(2026, 11, 25)},
                       p);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_THAT(*events, SizeIs(2));  // only a2 still stood
  EXPECT_EQ(std::get<v1::AllocationReversed>((*events)[0]).allocation_id(), "p1-a2");
  EXPECT_EQ(std::get<v1::AllocationReversed>((*events)[0]).amount().minor_units(), 5'000);
  const auto& charged = std::get<v1::PaymentChargedBack>((*events)[1]);
  EXPECT_EQ(charged.amount().minor_units(), 10'000);
  EXPECT_EQ(charged.status(), v1::PAYMENT_STATUS_CHARGED_BACK);
  const PaymentState after = fold(p, *events);
  EXPECT_EQ(after.money->charged_back, money(10'000));
  EXPECT_EQ(after.money->unapplied, money(0));
  EXPECT_EQ(after.money->allocated, money(0));
}

TEST(ChargeBackPayment, TakesOnlyWhatWasNotRefunded) {
  PaymentState p = given(recorded(money(10'000)),
                         RefundPayment{.payment_id = "p1", .amount = money(1'000), .reason = ""});
  p = given(p,
            ChargeBackPayment{
                .payment_id = "p1", .reason = "disputed", .charged_back_on = date(2026, 11, 25)});
  EXPECT_EQ(p.money->charged_back, money(9'000));
  EXPECT_EQ(p.money->refunded, money(1'000));
}

TEST(ChargeBackPayment, RefusesTwiceAndWithoutAReason) {
  PaymentState p = recorded(money(10'000));
  EXPECT_THAT(decide(
                  ChargeBackPayment{
                      .payment_id = "p1", .reason = "", .charged_back_on = date(2026, 11, 25)},
                  p),
              IsError(kInvalid, "reason must say what the bank reported"));
  p = given(p, ChargeBackPayment{
                   .payment_id = "p1", .reason = "R01", .charged_back_on = date(2026, 11, 25)});
  EXPECT_THAT(decide(
                  ChargeBackPayment{
                      .payment_id = "p1", .reason = "R01", .charged_back_on = date(2026, 11, 25)},
                  p),
              IsError(kPrecondition, "already charged back"));
  // Its money is gone: nothing may be allocated or refunded from it.
  EXPECT_THAT(decide(RefundPayment{.payment_id = "p1", .amount = {}, .reason = ""}, p),
              IsError(kPrecondition, "was charged back"));
}

TEST(PaymentEvolve, AnEventThatDoesNotFitMarksThePaymentCorrupt) {
  v1::AllocationReturned stray;
  stray.set_allocation_id("p1-a9");
  const PaymentState p = evolve(recorded(money(100)), stray);
  EXPECT_EQ(p.integrity.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(decide(RefundPayment{.payment_id = "p1", .amount = {}, .reason = ""}, p),
              IsError(absl::StatusCode::kDataLoss, "p1-a9"));
}

}  // namespace
}  // namespace arflow::payments
