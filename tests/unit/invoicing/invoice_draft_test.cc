// Drafts: created, edited (content replaced), deleted; issued invoices never change.
#include "fixtures.h"

namespace arflow::invoicing {
namespace {

using ::absl::StatusCode;
using testing::Book;
using testing::content_of;
using testing::date;
using testing::line;
using testing::money;
using testing::only;
using testing::simple_content;

DraftInvoice draft(InvoiceContent content = simple_content()) {
  return DraftInvoice{
      .invoice_id = "inv-1", .customer_id = "cust-1", .content = std::move(content)};
}

TEST(InvoiceDraftTest, DraftingRecordsTheContentWithLineNets) {
  Book book;
  InvoiceContent content =
      content_of({line("3", money(1999), 2000, 1000), line("1", money(500), 550)});
  content.payment_terms = PaymentTerms{.kind = PaymentTermsKind::kEndOfMonthPlus, .days = 30};
  content.late_payment_terms =
      LatePaymentTerms{.penalty_rate_bps = 1215, .recovery_indemnity = money(4000)};
  auto events = book.run(draft(content));
  ASSERT_TRUE(events.ok()) << events.status();
  const auto& e = only<v1::InvoiceDrafted>(*events);
  EXPECT_EQ(e.invoice_id(), "inv-1");
  EXPECT_EQ(e.customer_id(), "cust-1");
  EXPECT_EQ(e.content().currency(), "EUR");
  EXPECT_EQ(e.content().kind(), v1::INVOICE_KIND_STANDARD);
  ASSERT_EQ(e.content().lines_size(), 2);
  EXPECT_EQ(e.content().lines(0).net_amount().minor_units(), 5397);
  EXPECT_EQ(e.content().lines(1).net_amount().minor_units(), 500);
  EXPECT_EQ(e.content().payment_terms().kind(), v1::PaymentTerms::KIND_END_OF_MONTH_PLUS);
  EXPECT_EQ(e.content().late_payment_terms().recovery_indemnity().minor_units(), 4000);

  const InvoiceState& state = book.invoice("inv-1");
  EXPECT_EQ(state.status, InvoiceStatus::kDraft);
  EXPECT_EQ(state.customer_id, "cust-1");
  EXPECT_EQ(state.content.lines.size(), 2u);
  EXPECT_EQ(state.content.payment_terms, content.payment_terms);
  EXPECT_EQ(state.content.late_payment_terms, content.late_payment_terms);
}

TEST(InvoiceDraftTest, AnInvoiceIdIsUsedOnce) {
  Book book;
  ASSERT_TRUE(book.run(draft()).ok());
  EXPECT_ERROR(book.run(draft()), StatusCode::kFailedPrecondition,
               "invoice id 'inv-1' is already used (DRAFT)");
  ASSERT_TRUE(book.run(DeleteDraft{.invoice_id = "inv-1"}).ok());
  EXPECT_ERROR(book.run(draft()), StatusCode::kFailedPrecondition,
               "invoice id 'inv-1' is already used (DELETED)");
}

TEST(InvoiceDraftTest, BadContentIsRefusedNamingTheField) {
  Book book;
  const auto ok = line("1", money(100), 2000);
  EXPECT_ERROR(book.run(draft(content_of({}))), StatusCode::kInvalidArgument,
               "lines must not be empty");
  EXPECT_ERROR(book.run(draft(content_of({ok, ok, line("0", money(100), 2000)}))),
               StatusCode::kInvalidArgument, "lines[2].quantity must be > 0");
  EXPECT_ERROR(book.run(draft(content_of({line("-2", money(100), 2000)}))),
               StatusCode::kInvalidArgument, "lines[0].quantity must be > 0");
  EXPECT_ERROR(book.run(draft(content_of({line("1", money(100, "USD"), 2000)}, "XYZ"))),
               StatusCode::kInvalidArgument, "currency 'XYZ' is not an ISO 4217 code");
  EXPECT_ERROR(book.run(draft(content_of({ok, line("1", money(100, "USD"), 2000)}))),
               StatusCode::kInvalidArgument,
               "lines[1].unit_price currency USD must be the invoice's currency EUR");
  EXPECT_ERROR(
      book.run(DraftInvoice{.invoice_id = "inv-1", .customer_id = "", .content = simple_content()}),
      StatusCode::kInvalidArgument, "customer_id must be 1 to 128 characters");

  InvoiceContent content = simple_content();
  content.payment_terms = PaymentTerms{.kind = PaymentTermsKind::kNetDays, .days = 400};
  EXPECT_ERROR(book.run(draft(content)), StatusCode::kInvalidArgument,
               "payment_terms.days must be at most 365");
  content = simple_content();
  content.early_payment_discount = EarlyPaymentDiscount{.rate_bps = 0, .days = 10};
  EXPECT_ERROR(book.run(draft(content)), StatusCode::kInvalidArgument,
               "early_payment_discount.rate_bps must be between 1 and 10000");
  content = simple_content();
  content.late_payment_terms =
      LatePaymentTerms{.penalty_rate_bps = 1000, .recovery_indemnity = money(-1)};
  EXPECT_ERROR(book.run(draft(content)), StatusCode::kInvalidArgument,
               "late_payment_terms.recovery_indemnity must be >= 0");
  content = simple_content();
  content.kind = InvoiceKind::kDeposit;
  content.deposit_invoice_ids = {"dep-1"};
  EXPECT_ERROR(book.run(draft(content)), StatusCode::kInvalidArgument,
               "deposit_invoice_ids must be empty on a deposit invoice");
  content.kind = InvoiceKind::kStandard;
  content.deposit_invoice_ids = {"dep-1", "dep-1"};
  EXPECT_ERROR(book.run(draft(content)), StatusCode::kInvalidArgument,
               "deposit_invoice_ids[1] repeats deposit invoice 'dep-1'");
  content.deposit_invoice_ids = {"inv-1"};
  EXPECT_ERROR(book.run(draft(content)), StatusCode::kInvalidArgument,
               "deposit_invoice_ids[0] must not be the invoice itself");
  // Nothing was recorded by any of these.
  EXPECT_EQ(book.invoice("inv-1").status, InvoiceStatus::kNone);
}

TEST(InvoiceDraftTest, EditingReplacesTheContent) {
  Book book;
  ASSERT_TRUE(book.run(draft()).ok());
  const InvoiceContent edited =
      content_of({line("2", money(5000), 2000), line("1", money(1000), 1000)});
  auto events = book.run(EditDraft{.invoice_id = "inv-1", .content = edited});
  ASSERT_TRUE(events.ok()) << events.status();
  const auto& e = only<v1::InvoiceDraftEdited>(*events);
  EXPECT_EQ(e.customer_id(), "cust-1");
  EXPECT_EQ(e.content().lines_size(), 2);
  EXPECT_EQ(e.content().lines(0).net_amount().minor_units(), 10000);
  EXPECT_EQ(book.invoice("inv-1").content.lines.size(), 2u);
  EXPECT_EQ(book.invoice("inv-1").content.lines[1].tax_rate_bps, 1000);

  EXPECT_ERROR(book.run(EditDraft{.invoice_id = "inv-1", .content = content_of({})}),
               StatusCode::kInvalidArgument, "lines must not be empty");
}

TEST(InvoiceDraftTest, AnIssuedInvoiceCannotBeEditedOrDeleted) {
  Book book;
  book.issued("inv-1");
  EXPECT_ERROR(book.run(EditDraft{.invoice_id = "inv-1", .content = simple_content()}),
               StatusCode::kFailedPrecondition,
               "invoice 2026-000001 is ISSUED: only a draft can be edited");
  EXPECT_ERROR(book.run(DeleteDraft{.invoice_id = "inv-1"}), StatusCode::kFailedPrecondition,
               "invoice 2026-000001 is ISSUED: only a draft can be deleted");
}

TEST(InvoiceDraftTest, ADeletedDraftStaysDeleted) {
  Book book;
  ASSERT_TRUE(book.run(draft()).ok());
  auto events = book.run(DeleteDraft{.invoice_id = "inv-1"});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(only<v1::InvoiceDraftDeleted>(*events).customer_id(), "cust-1");
  EXPECT_EQ(book.invoice("inv-1").status, InvoiceStatus::kDeleted);
  EXPECT_ERROR(book.run(EditDraft{.invoice_id = "inv-1", .content = simple_content()}),
               StatusCode::kFailedPrecondition, "invoice 'inv-1' was deleted");
  EXPECT_ERROR(book.run(DeleteDraft{.invoice_id = "inv-1"}), StatusCode::kFailedPrecondition,
               "invoice 'inv-1' was deleted");
  EXPECT_ERROR(book.issue(IssueInvoice{
                   .invoice_id = "inv-1", .series = "2026", .issue_date = date(2026, 1, 31)}),
               StatusCode::kFailedPrecondition, "invoice 'inv-1' was deleted");
}

TEST(InvoiceDraftTest, UnknownInvoicesCannotBeEditedOrDeleted) {
  Book book;
  EXPECT_ERROR(book.run(EditDraft{.invoice_id = "nope", .content = simple_content()}),
               StatusCode::kFailedPrecondition, "invoice 'nope' does not exist");
  EXPECT_ERROR(book.run(DeleteDraft{.invoice_id = "nope"}), StatusCode::kFailedPrecondition,
               "invoice 'nope' does not exist");
}

TEST(InvoiceDraftTest, ACommandAgainstAnotherInvoicesStateIsAWiringError) {
  Book book;
  ASSERT_TRUE(book.run(draft()).ok());
  EXPECT_EQ(decide(DeleteDraft{.invoice_id = "inv-2"}, book.invoice("inv-1")).status().code(),
            StatusCode::kInternal);
}

}  // namespace
}  // namespace arflow::invoicing
