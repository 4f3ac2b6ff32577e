// Late fees: only on an overdue, unpaid invoice; one fee per source event.
#include "fixtures.h"

namespace arflow::invoicing {
namespace {

using ::absl::StatusCode;
using testing::Book;
using testing::date;
using testing::money;
using testing::only;

// The simple invoice is issued on 31 Jan 2026, net 30: due on 2 Mar 2026.
AddLateFee fee(std::string source = "reminder-1", Date as_of = date(2026, 3, 3),
               Money amount = money(4000), std::string invoice = "inv-1") {
  return AddLateFee{.invoice_id = std::move(invoice),
                    .source_id = std::move(source),
                    .kind = LateFeeKind::kRecoveryIndemnity,
                    .description = "Fixed recovery indemnity",
                    .amount = amount,
                    .as_of = as_of};
}

TEST(LateFeeTest, AFeeIsAddedToAnOverdueInvoice) {
  Book book;
  book.issued("inv-1");
  auto events = book.run(fee());
  ASSERT_TRUE(events.ok()) << events.status();
  const auto& e = only<v1::LateFeeAdded>(*events);
  EXPECT_EQ(e.invoice_number(), "2026-000001");
  EXPECT_EQ(e.source_id(), "reminder-1");
  EXPECT_EQ(e.kind(), v1::LATE_FEE_KIND_RECOVERY_INDEMNITY);
  EXPECT_EQ(e.description(), "Fixed recovery indemnity");
  EXPECT_EQ(e.amount().minor_units(), 4000);
  EXPECT_EQ(e.assessed_on().day(), 3u);
  EXPECT_EQ(e.balance().minor_units(), 16000);
  EXPECT_EQ(e.status(), v1::INVOICE_STATUS_ISSUED);
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.fees, money(4000));
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.balance, money(16000));
}

TEST(LateFeeTest, TheSameSourceAddsOneFeeOnly) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.run(fee("reminder-1")).ok());
  auto again = book.run(fee("reminder-1", date(2026, 3, 20)));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->empty());
  ASSERT_TRUE(book.run(fee("reminder-2", date(2026, 4, 2), money(150))).ok());
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.fees, money(4150));
  // Once paid, a late redelivery of an applied source is still just a redelivery.
  ASSERT_TRUE(book.pay("inv-1", "alloc-1", money(16150)).ok());
  auto redelivered = book.run(fee("reminder-2", date(2026, 4, 2), money(150)));
  ASSERT_TRUE(redelivered.ok()) << redelivered.status();
  EXPECT_TRUE(redelivered->empty());
}

TEST(LateFeeTest, OnlyAnOverdueInvoiceTakesAFee) {
  Book book;
  book.issued("inv-1");
  EXPECT_ERROR(book.run(fee("r", date(2026, 3, 2))), StatusCode::kFailedPrecondition,
               "invoice 2026-000001 is not overdue on 2026-03-02: it is due on 2026-03-02");
  EXPECT_ERROR(book.run(fee("r", date(2026, 2, 1))), StatusCode::kFailedPrecondition,
               "invoice 2026-000001 is not overdue on 2026-02-01: it is due on 2026-03-02");
  EXPECT_TRUE(book.run(fee("r", date(2026, 3, 3))).ok());
}

TEST(LateFeeTest, OnlyAnUnpaidInvoiceTakesAFee) {
  Book book;
  book.issued("partly");
  ASSERT_TRUE(book.pay("partly", "alloc-1", money(100)).ok());
  EXPECT_TRUE(book.run(fee("r-1", date(2026, 3, 3), money(4000), "partly")).ok());

  book.issued("paid");
  ASSERT_TRUE(book.pay("paid", "alloc-2", money(12000)).ok());
  EXPECT_ERROR(book.run(fee("r-2", date(2026, 3, 3), money(4000), "paid")),
               StatusCode::kFailedPrecondition,
               "invoice 2026-000002 is PAID: a late fee applies only to an unpaid invoice");

  book.issued("void");
  book.voided("void");
  EXPECT_ERROR(book.run(fee("r-3", date(2026, 3, 3), money(4000), "void")),
               StatusCode::kFailedPrecondition,
               "invoice 2026-000003 is VOID: a late fee applies only to an unpaid invoice");

  book.issued("lost");
  ASSERT_TRUE(book.run(WriteOffInvoice{
                           .invoice_id = "lost", .reason = "insolvent", .as_of = date(2026, 6, 1)})
                  .ok());
  EXPECT_ERROR(book.run(fee("r-4", date(2026, 6, 3), money(4000), "lost")),
               StatusCode::kFailedPrecondition,
               "invoice 2026-000004 is UNCOLLECTIBLE: a late fee applies only to an unpaid "
               "invoice");

  ASSERT_TRUE(book.run(DraftInvoice{.invoice_id = "draft",
                                    .customer_id = "cust-1",
                                    .content = testing::simple_content()})
                  .ok());
  EXPECT_ERROR(book.run(fee("r-5", date(2026, 3, 3), money(4000), "draft")),
               StatusCode::kFailedPrecondition,
               "invoice 'draft' is DRAFT: a late fee applies only to an issued invoice");
}

TEST(LateFeeTest, BadFeesAreRefused) {
  Book book;
  book.issued("inv-1");
  EXPECT_ERROR(book.run(fee("r", date(2026, 3, 3), money(0))), StatusCode::kInvalidArgument,
               "amount must be > 0");
  EXPECT_ERROR(book.run(fee("r", date(2026, 3, 3), money(4000, "USD"))),
               StatusCode::kInvalidArgument,
               "amount currency USD must be the invoice's currency EUR");
  EXPECT_ERROR(book.run(fee("")), StatusCode::kInvalidArgument,
               "source_id must be 1 to 128 characters");
  AddLateFee command = fee();
  command.description = "";
  EXPECT_ERROR(book.run(command), StatusCode::kInvalidArgument, "description must not be empty");
  EXPECT_ERROR(book.run(fee("r", date(2026, 2, 30))), StatusCode::kInvalidArgument,
               "as_of must be a valid date");
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.fees, money(0));
}

}  // namespace
}  // namespace arflow::invoicing
