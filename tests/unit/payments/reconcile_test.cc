// arflow-reconcile's comparison: what an operator is told when the services disagree.
#include "reconcile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

TEST(Reconcile, AgreesWhenEveryInvoicesPaidIsWhatStandsOnIt) {
  auto report = reconcile({invoice("i1", 100), invoice("i2", 0)},
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
  auto report = reconcile({invoice("i1", 100)},
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
  auto report = reconcile({}, {broken});
  ASSERT_EQ(report.disagreements.size(), 2U);
  EXPECT_THAT(report.disagreements[0], HasSubstr("payment p1: amount 100 EUR"));
  EXPECT_THAT(report.disagreements[1], HasSubstr("invoice i9: payments allocated 30 EUR"));
}

TEST(Reconcile, IsNotFinalWhileAllocationsAreInFlight) {
  auto report = reconcile({invoice("i1", 0)},
                          {payment("p1", 100, {{"i1", 100, pv1::ALLOCATION_STATUS_PENDING}})});
  EXPECT_EQ(report.in_flight, 1U);
  EXPECT_FALSE(report.agree());
}

}  // namespace
}  // namespace arflow::reconcile
