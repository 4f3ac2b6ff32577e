// arflow-reconcile's comparison: what an operator is told when the services disagree.
#include "reconcile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace arflow::reconcile {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace iv1 = invoicing::v1;
namespace pv1 = payments::v1;

common::v1::Money eur(int64_t cents) {
  common::v1::Money m;
  m.set_minor_units(cents);
  m.set_currency("EUR");
  return m;
}

iv1::Invoice invoice(const std::string& id, int64_t paid) {
  iv1::Invoice i;
  i.set_invoice_id(id);
  i.set_customer_id("c1");
  i.set_number("F-" + id);
  *i.mutable_paid() = eur(paid);
  return i;
}

// A payment of `amount` with allocations (invoice, cents, status); the rest unapplied.
pv1::Payment payment(
    const std::string& id, int64_t amount,
    const std::vector<std::tuple<std::string, int64_t, pv1::AllocationStatus>>& to) {
  pv1::Payment p;
  p.set_payment_id(id);
  p.set_customer_id("c1");
  *p.mutable_amount() = eur(amount);
  int64_t allocated = 0;
  for (const auto& [invoice_id, cents, status] : to) {
    auto* a = p.add_allocations();
    a->set_invoice_id(invoice_id);
    *a->mutable_amount() = eur(cents);
    a->set_status(status);
    if (status == pv1::ALLOCATION_STATUS_APPLIED || status == pv1::ALLOCATION_STATUS_PENDING) {
      allocated += cents;
    }
  }
  *p.mutable_allocated() = eur(allocated);
  *p.mutable_unapplied() = eur(amount - allocated);
  *p.mutable_refunded() = eur(0);
  *p.mutable_charged_back() = eur(0);
  return p;
}

// The report on answers whose amounts can all be summed.
Report reconciled(const std::vector<iv1::Invoice>& invoices,
                  const std::vector<pv1::Payment>& payments) {
  auto report = reconcile(invoices, payments);
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *std::move(report) : Report{};
}

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(Reconcile, AgreesWhenEveryInvoicesPaidIsWhatStandsOnIt) {
  auto report = reconciled({invoice("i1", 100), invoice("i2", 0)},
                           {payment("p1", 150,
                                    {{"i1", 60, pv1::ALLOCATION_STATUS_APPLIED},
                                     {"i2", 90, pv1::ALLOCATION_STATUS_RETURNED}}),
                            payment("p2", 40, {{"i1", 40, pv1::ALLOCATION_STATUS_APPLIED}})});
  EXPECT_TRUE(report.agree()) << describe(report);
  EXPECT_EQ(report.applied, 2U);
  EXPECT_EQ(report.returned, 1U);
  EXPECT_THAT(describe(report), HasSubstr("AGREE: 1 customers, 2 invoices, 2 payments"));
}

TEST(Reconcile, NamesTheInvoiceWhosePaidDiffersFromTheAllocations) {
  auto report = reconciled({invoice("i1", 100)},
                           {payment("p1", 100, {{"i1", 100, pv1::ALLOCATION_STATUS_APPLIED}}),
                            payment("p2", 100, {{"i1", 100, pv1::ALLOCATION_STATUS_APPLIED}})});
  EXPECT_FALSE(report.agree());
  EXPECT_THAT(report.disagreements,
              ElementsAre("customer c1 invoice i1 (F-i1): invoicing paid 100 EUR (minor units), "
                          "payments allocated 200 EUR (minor units)"));
}

TEST(Reconcile, APaymentWhoseMoneyDoesNotAddUpOrAnUnknownInvoiceIsADisagreement) {
  auto broken = payment("p1", 100, {{"i9", 30, pv1::ALLOCATION_STATUS_APPLIED}});
  *broken.mutable_unapplied() = eur(69);
  auto report = reconciled({}, {broken});
  ASSERT_EQ(report.disagreements.size(), 2U);
  EXPECT_THAT(report.disagreements[0], HasSubstr("payment p1: amount 100 EUR"));
  EXPECT_THAT(report.disagreements[1], HasSubstr("invoice i9: payments allocated 30 EUR"));
}

TEST(Reconcile, IsNotFinalWhileAllocationsAreInFlight) {
  auto report = reconciled({invoice("i1", 0)},
                           {payment("p1", 100, {{"i1", 100, pv1::ALLOCATION_STATUS_PENDING}})});
  EXPECT_EQ(report.in_flight, 1U);
  EXPECT_FALSE(report.agree());
}

// Two payments of nearly the int64 maximum on one invoice: the wrapped total (-4) must never
// be compared, let alone found to agree.
TEST(Reconcile, AllocationsTooLargeToSumAreAnErrorNotAWrappedTotal) {
  auto report =
      reconcile({invoice("i1", kMax - 1)},
                {payment("p1", kMax - 1, {{"i1", kMax - 1, pv1::ALLOCATION_STATUS_APPLIED}}),
                 payment("p2", kMax - 1, {{"i1", kMax - 1, pv1::ALLOCATION_STATUS_APPLIED}})});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(std::string(report.status().message()),
            "payments' allocations to invoice i1 in EUR exceeds the int64 range of minor units");
}

TEST(Reconcile, APaymentWhoseMoneyCannotBeSummedIsAnErrorNotADisagreement) {
  auto huge = payment("p1", kMax - 1, {});
  *huge.mutable_refunded() = eur(kMax - 1);
  auto report = reconcile({}, {huge});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(report.status().message()),
              HasSubstr("payment p1's allocated + unapplied + refunded + charged back in EUR"));

  auto unknown = payment("p2", 100, {});
  unknown.mutable_unapplied()->set_currency("XYZ");
  auto unreadable = reconcile({}, {unknown});
  ASSERT_FALSE(unreadable.ok());
  EXPECT_EQ(unreadable.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(unreadable.status().message()), HasSubstr("payment p2 unapplied"));
}

}  // namespace
}  // namespace arflow::reconcile
