// What payments knows of an invoice, from invoicing's events and its own allocations.
#include "fixtures.h"

namespace arflow::payments {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the fixtures
namespace iv1 = invoicing::v1;

events::v1::Envelope issued(int64_t balance) {
  events::v1::Envelope e;
  auto* i = e.mutable_invoice_issued();
  i->set_invoice_id("i1");
  i->set_customer_id("c1");
  i->set_number("2026-000007");
  i->set_currency("EUR");
  *i->mutable_due_date() = contract::to_proto(date(2026, 12, 31));
  *i->mutable_balance() = contract::to_proto(money(balance));
  i->set_status(iv1::INVOICE_STATUS_ISSUED);
  return e;
}

events::v1::Envelope applied(std::string allocation_id, int64_t balance,
                             iv1::InvoiceStatus status) {
  events::v1::Envelope e;
  auto* a = e.mutable_payment_applied();
  a->set_invoice_id("i1");
  a->set_allocation_id(std::move(allocation_id));
  *a->mutable_balance() = contract::to_proto(money(balance));
  a->set_status(status);
  return e;
}

TEST(KnownInvoice, IsOpenOnceIssuedForItsBalance) {
  KnownInvoice invoice;
  EXPECT_FALSE(invoice.open().has_value());
  evolve(invoice, issued(10'000));
  EXPECT_EQ(invoice_of(issued(1)), "i1");
  EXPECT_EQ(invoice.number, "2026-000007");
  EXPECT_EQ(invoice.open(), money(10'000));
}

TEST(KnownInvoice, AllocationsInFlightReduceWhatIsOpenUntilInvoicingAnswers) {
  KnownInvoice invoice;
  evolve(invoice, issued(10'000));
  allocation_sent(invoice, "p1-a1", money(4'000));
  EXPECT_EQ(invoice.open(), money(6'000));
  // Invoicing applied it: the balance it reports already counts it, and it is in flight no more.
  evolve(invoice, applied("p1-a1", 6'000, iv1::INVOICE_STATUS_PARTIALLY_PAID));
  EXPECT_TRUE(invoice.in_flight.empty());
  EXPECT_EQ(invoice.open(), money(6'000));
  EXPECT_EQ(answered_allocation(applied("x", 0, iv1::INVOICE_STATUS_PAID)), "x");
}

TEST(KnownInvoice, ARejectedAllocationIsInFlightNoMore) {
  KnownInvoice invoice;
  evolve(invoice, issued(10'000));
  allocation_sent(invoice, "p1-a1", money(4'000));
  events::v1::Envelope rejected;
  rejected.mutable_allocation_rejected()->set_invoice_id("i1");
  rejected.mutable_allocation_rejected()->set_allocation_id("p1-a1");
  evolve(invoice, rejected);
  EXPECT_EQ(invoice.open(), money(10'000));
}

TEST(KnownInvoice, AVoidOrPaidInvoiceIsNotOpen) {
  KnownInvoice invoice;
  evolve(invoice, issued(10'000));
  events::v1::Envelope voided;
  auto* c = voided.mutable_credit_note_issued();
  c->set_invoice_id("i1");
  *c->mutable_balance() = contract::to_proto(money(0));
  c->set_status(iv1::INVOICE_STATUS_VOID);
  evolve(invoice, voided);
  EXPECT_FALSE(invoice.open().has_value());
  KnownInvoice paid;
  evolve(paid, issued(10'000));
  evolve(paid, applied("p1-a1", 0, iv1::INVOICE_STATUS_PAID));
  EXPECT_FALSE(paid.open_for_payment());
}

TEST(KnownInvoice, OpenNeverGoesBelowZero) {
  KnownInvoice invoice;
  evolve(invoice, issued(1'000));
  allocation_sent(invoice, "p1-a1", money(800));
  allocation_sent(invoice, "p2-a1", money(800));  // raced: invoicing will reject one
  EXPECT_EQ(invoice.open(), money(0));
}

}  // namespace
}  // namespace arflow::payments
