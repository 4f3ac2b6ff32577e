// Issuing: numbering, due dates, frozen totals, deposits deducted by a final invoice.
#include "fixtures.h"

namespace arflow::invoicing {
namespace {

using ::absl::StatusCode;
using testing::Book;
using testing::content_of;
using testing::customer_details;
using testing::date;
using testing::line;
using testing::money;
using testing::simple_content;

IssueInvoice issue(std::string id, Date on = date(2026, 1, 31), std::string series = "2026") {
  return IssueInvoice{.invoice_id = std::move(id), .series = std::move(series), .issue_date = on};
}

DraftInvoice draft(std::string id, InvoiceContent content = simple_content(),
                   std::string customer = "cust-1") {
  return DraftInvoice{.invoice_id = std::move(id),
                      .customer_id = std::move(customer),
                      .content = std::move(content)};
}

TEST(InvoiceIssueTest, IssuingNumbersFreezesAndPricesTheInvoice) {
  Book book;
  InvoiceContent content =
      content_of({line("3", money(1999), 2000, 1000), line("2", money(1000), 550)});
  content.early_payment_discount = EarlyPaymentDiscount{.rate_bps = 200, .days = 10};
  content.late_payment_terms =
      LatePaymentTerms{.penalty_rate_bps = 1215, .recovery_indemnity = money(4000)};
  ASSERT_TRUE(book.run(draft("inv-1", content)).ok());
  auto decision = book.issue(issue("inv-1"));
  ASSERT_TRUE(decision.ok()) << decision.status();

  ASSERT_EQ(decision->events.size(), 1u);
  const auto& e = std::get<v1::InvoiceIssued>(decision->events.front());
  EXPECT_EQ(e.invoice_id(), "inv-1");
  EXPECT_EQ(e.customer_id(), "cust-1");
  EXPECT_EQ(e.customer().legal_name(), "Commune de Lyon");  // the buyer as printed
  EXPECT_EQ(e.series(), "2026");
  EXPECT_EQ(e.sequence(), 1u);
  EXPECT_EQ(e.number(), "2026-000001");
  EXPECT_EQ(e.kind(), v1::INVOICE_KIND_STANDARD);
  EXPECT_EQ(e.currency(), "EUR");
  EXPECT_EQ(e.issue_date().day(), 31u);
  // The customer's default terms (net 30) apply: 31 Jan + 30 days = 2 Mar 2026.
  EXPECT_EQ(e.payment_terms().kind(), v1::PaymentTerms::KIND_NET_DAYS);
  EXPECT_EQ(e.due_date().month(), 3u);
  EXPECT_EQ(e.due_date().day(), 2u);
  EXPECT_EQ(e.early_payment_discount().rate_bps(), 200);
  EXPECT_EQ(e.early_payment_discount().pay_by().month(), 2u);
  EXPECT_EQ(e.early_payment_discount().pay_by().day(), 10u);
  EXPECT_EQ(e.late_payment_terms().penalty_rate_bps(), 1215);
  EXPECT_EQ(e.late_payment_terms().recovery_indemnity().minor_units(), 4000);
  ASSERT_EQ(e.lines_size(), 2);
  EXPECT_EQ(e.lines(0).net_amount().minor_units(), 5397);  // 59.97 less 10 %
  EXPECT_EQ(e.lines(1).net_amount().minor_units(), 2000);
  ASSERT_EQ(e.taxes_size(), 2);
  EXPECT_EQ(e.taxes(0).rate_bps(), 550);
  EXPECT_EQ(e.taxes(0).tax_amount().minor_units(), 110);  // 20.00 x 5.5 %
  EXPECT_EQ(e.taxes(1).rate_bps(), 2000);
  EXPECT_EQ(e.taxes(1).tax_amount().minor_units(), 1079);  // 53.97 x 20 % = 10.794
  EXPECT_EQ(e.net_total().minor_units(), 7397);
  EXPECT_EQ(e.tax_total().minor_units(), 1189);
  EXPECT_EQ(e.total().minor_units(), 8586);
  EXPECT_EQ(e.amount_due().minor_units(), 8586);
  EXPECT_EQ(e.balance().minor_units(), 8586);
  EXPECT_EQ(e.status(), v1::INVOICE_STATUS_ISSUED);

  ASSERT_TRUE(decision->number.has_value());
  EXPECT_EQ(decision->number->series(), "2026");
  EXPECT_EQ(decision->number->sequence(), 1u);
  EXPECT_EQ(decision->number->kind(), v1::DOCUMENT_KIND_INVOICE);
  EXPECT_EQ(decision->number->document_id(), "inv-1");
  EXPECT_TRUE(decision->other_invoices.empty());

  const InvoiceState& state = book.invoice("inv-1");
  EXPECT_EQ(state.status, InvoiceStatus::kIssued);
  EXPECT_EQ(state.issued->number, "2026-000001");
  EXPECT_EQ(state.issued->due_date, date(2026, 3, 2));
  EXPECT_EQ(state.issued->early_payment_deadline, date(2026, 2, 10));
  EXPECT_EQ(state.issued->receivable.balance, money(8586));
  EXPECT_EQ(book.series("2026").last_sequence, 1u);
}

TEST(InvoiceIssueTest, NumbersRunOneToNPerSeries) {
  Book book;
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(book.issued(fmt::format("inv-{}", i)).issued->number, fmt::format("2026-{:06}", i));
  }
  EXPECT_EQ(book.issued("other-1", simple_content(), date(2026, 2, 1), "EXPORT").issued->number,
            "EXPORT-000001");
  EXPECT_EQ(book.issued("inv-6").issued->number, "2026-000006");
  EXPECT_EQ(book.series("2026").last_sequence, 6u);
  EXPECT_EQ(book.series("EXPORT").last_sequence, 1u);
}

TEST(InvoiceIssueTest, IssuingTwiceIsRefused) {
  Book book;
  book.issued("inv-1");
  EXPECT_ERROR(book.issue(issue("inv-1")), StatusCode::kFailedPrecondition,
               "invoice 'inv-1' is already issued as 2026-000001");
  EXPECT_EQ(book.series("2026").last_sequence, 1u);  // no number spent
}

TEST(InvoiceIssueTest, DraftTermsOverrideTheCustomersDefault) {
  Book book;
  InvoiceContent content = simple_content();
  content.payment_terms = PaymentTerms{.kind = PaymentTermsKind::kEndOfMonthPlus, .days = 30};
  ASSERT_TRUE(book.run(draft("inv-1", content)).ok());
  ASSERT_TRUE(book.issue(issue("inv-1", date(2026, 2, 10))).ok());
  EXPECT_EQ(book.invoice("inv-1").issued->due_date, date(2026, 3, 30));  // 28 Feb + 30

  content.payment_terms = PaymentTerms{.kind = PaymentTermsKind::kDueOnReceipt};
  ASSERT_TRUE(book.run(draft("inv-2", content)).ok());
  ASSERT_TRUE(book.issue(issue("inv-2", date(2026, 2, 10))).ok());
  EXPECT_EQ(book.invoice("inv-2").issued->due_date, date(2026, 2, 10));
}

TEST(InvoiceIssueTest, AnEarlyPaymentDiscountMustEndByTheDueDate) {
  Book book;
  InvoiceContent content = simple_content();
  content.payment_terms = PaymentTerms{.kind = PaymentTermsKind::kDueOnReceipt};
  content.early_payment_discount = EarlyPaymentDiscount{.rate_bps = 200, .days = 10};
  ASSERT_TRUE(book.run(draft("inv-1", content)).ok());
  EXPECT_ERROR(book.issue(issue("inv-1")), StatusCode::kFailedPrecondition,
               "early_payment_discount ends on 2026-02-10, after the due date 2026-01-31: a "
               "discount for paying late is no discount");
}

TEST(InvoiceIssueTest, BadIssueRequestsAreRefused) {
  Book book;
  ASSERT_TRUE(book.run(draft("inv-1")).ok());
  EXPECT_ERROR(book.issue(issue("inv-1", date(2026, 2, 29))), StatusCode::kInvalidArgument,
               "issue_date must be a valid date");
  EXPECT_ERROR(book.issue(issue("inv-1", date(2026, 1, 31), "20/26")), StatusCode::kInvalidArgument,
               "series must contain only letters, digits and '-'");
  EXPECT_ERROR(book.issue(issue("nope")), StatusCode::kFailedPrecondition,
               "invoice 'nope' does not exist");
  ASSERT_TRUE(book.run(draft("inv-2", simple_content(), "ghost")).ok());
  EXPECT_ERROR(book.issue(issue("inv-2")), StatusCode::kFailedPrecondition,
               "customer 'ghost' is not registered");
  EXPECT_EQ(book.series("2026").last_sequence, 0u);
}

// Drafting and issuing in one decision refuses what drafting or issuing would refuse.
TEST(InvoiceIssueTest, ADirectIssueIsRefusedWhereDraftingOrIssuingWouldBe) {
  Book book;
  const auto direct = [&](const DraftInvoice& d, const IssueInvoice& i,
                          const InvoiceState& state = InvoiceState{}) {
    return decide(d, i, state, book.customer(d.customer_id), book.series(i.series));
  };
  EXPECT_ERROR(direct(draft("inv-1", content_of({})), issue("inv-1")), StatusCode::kInvalidArgument,
               "lines must not be empty");
  EXPECT_ERROR(direct(draft("inv-1"), issue("inv-1", date(2026, 2, 29))),
               StatusCode::kInvalidArgument, "issue_date must be a valid date");
  EXPECT_ERROR(direct(draft("inv-1", simple_content(), "ghost"), issue("inv-1")),
               StatusCode::kFailedPrecondition, "customer 'ghost' is not registered");
  ASSERT_TRUE(book.run(draft("inv-1")).ok());
  EXPECT_ERROR(direct(draft("inv-1"), issue("inv-1"), book.invoice("inv-1")),
               StatusCode::kFailedPrecondition, "invoice id 'inv-1' is already used (DRAFT)");
  EXPECT_EQ(book.series("2026").last_sequence, 0u);
}

// ----- Numbers follow dates -------------------------------------------------------------------

TEST(InvoiceIssueTest, AnInvoiceDatedBeforeTheLastDocumentOfItsSeriesIsRefused) {
  Book book;
  book.issued("inv-1", simple_content(), date(2026, 12, 7));
  ASSERT_TRUE(book.run(draft("inv-2")).ok());
  EXPECT_ERROR(book.issue(issue("inv-2", date(2026, 9, 1))), StatusCode::kFailedPrecondition,
               "issue_date: 2026-09-01 is before 2026-12-07, the date of the last document of "
               "series '2026' (2026-000001); numbers follow dates");
  EXPECT_EQ(book.invoice("inv-2").status, InvoiceStatus::kDraft);
  // Drafted and issued by one command: refused the same way.
  EXPECT_ERROR(decide(draft("inv-3"), issue("inv-3", date(2026, 12, 6)), InvoiceState{},
                      book.customer("cust-1"), book.series("2026")),
               StatusCode::kFailedPrecondition,
               "issue_date: 2026-12-06 is before 2026-12-07, the date of the last document of "
               "series '2026' (2026-000001); numbers follow dates");
}

TEST(InvoiceIssueTest, AnInvoiceDatedTheDayOfTheLastDocumentOrLaterIsNumbered) {
  Book book;
  book.issued("inv-1", simple_content(), date(2026, 12, 7));
  EXPECT_EQ(book.issued("inv-2", simple_content(), date(2026, 12, 7)).issued->number,
            "2026-000002");
  EXPECT_EQ(book.issued("inv-3", simple_content(), date(2026, 12, 31)).issued->number,
            "2026-000003");
  EXPECT_EQ(book.series("2026").last_issue_date, date(2026, 12, 31));
  // Each series has its own dates.
  EXPECT_EQ(book.issued("exp-1", simple_content(), date(2026, 1, 5), "EXPORT").issued->number,
            "EXPORT-000001");
}

TEST(InvoiceIssueTest, AnInvoiceRefusedForItsDateSpendsNoNumber) {
  Book book;
  book.issued("inv-1", simple_content(), date(2026, 12, 7));
  ASSERT_TRUE(book.run(draft("inv-2")).ok());
  auto refused = book.issue(issue("inv-2", date(2026, 12, 6)));
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_EQ(book.series("2026").last_sequence, 1u);
  EXPECT_EQ(book.series("2026").last_issue_date, date(2026, 12, 7));
  // The draft, issued again with a date that follows, takes the next number.
  auto decision = book.issue(issue("inv-2", date(2026, 12, 8)));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_TRUE(decision->number.has_value());
  EXPECT_EQ(decision->number->sequence(), 2u);
  EXPECT_EQ(book.invoice("inv-2").issued->number, "2026-000002");
}

// A series whose last number was given before numbers recorded their date has nothing to
// compare with: the next invoice takes any date, and the series dates from it.
TEST(InvoiceIssueTest, ASeriesWithoutALastDateNumbersAnyDate) {
  Book book;
  book.series("2026") = SeriesState{.series = "2026", .last_sequence = 41};
  EXPECT_EQ(book.issued("inv-1", simple_content(), date(2026, 1, 5)).issued->number, "2026-000042");
  EXPECT_EQ(book.series("2026").last_issue_date, date(2026, 1, 5));
  ASSERT_TRUE(book.run(draft("inv-2")).ok());
  EXPECT_ERROR(book.issue(issue("inv-2", date(2026, 1, 4))), StatusCode::kFailedPrecondition,
               "issue_date: 2026-01-04 is before 2026-01-05, the date of the last document of "
               "series '2026' (2026-000042); numbers follow dates");
}

// ----- Deposits -------------------------------------------------------------------------------

// A 30 % deposit on a 1000.00 EUR + 20 % order: 300.00 + 60.00.
InvoiceContent deposit_content(const std::string& currency = "EUR") {
  InvoiceContent content =
      content_of({line("1", money(30000, currency), 2000, 0, "Deposit 30 %")}, currency);
  content.kind = InvoiceKind::kDeposit;
  return content;
}

InvoiceContent final_content(std::vector<std::string> deposits) {
  InvoiceContent content = content_of({line("10", money(10000), 2000, 0, "Delivered")});
  content.deposit_invoice_ids = std::move(deposits);
  return content;
}

TEST(InvoiceIssueTest, AFinalInvoiceDeductsItsDeposits) {
  Book book;
  book.issued("dep-1", deposit_content());
  ASSERT_EQ(book.invoice("dep-1").issued->total, money(36000));
  ASSERT_TRUE(book.run(draft("fin-1", final_content({"dep-1"}))).ok());
  auto decision = book.issue(issue("fin-1", date(2026, 3, 15)));
  ASSERT_TRUE(decision.ok()) << decision.status();

  const auto& e = std::get<v1::InvoiceIssued>(decision->events.front());
  EXPECT_EQ(e.total().minor_units(), 120000);
  ASSERT_EQ(e.deposits_size(), 1);
  EXPECT_EQ(e.deposits(0).deposit_invoice_id(), "dep-1");
  EXPECT_EQ(e.deposits(0).deposit_number(), "2026-000001");
  EXPECT_EQ(e.deposits(0).amount().minor_units(), 36000);
  EXPECT_EQ(e.deposits(0).taxes(0).taxable_amount().minor_units(), 30000);
  EXPECT_EQ(e.deposits(0).taxes(0).tax_amount().minor_units(), 6000);
  EXPECT_EQ(e.amount_due().minor_units(), 84000);
  EXPECT_EQ(e.balance().minor_units(), 84000);

  ASSERT_EQ(decision->other_invoices.size(), 1u);
  EXPECT_EQ(decision->other_invoices[0].invoice_id, "dep-1");
  const auto& deducted = std::get<v1::DepositDeducted>(decision->other_invoices[0].event);
  EXPECT_EQ(deducted.final_invoice_number(), "2026-000002");
  EXPECT_EQ(deducted.amount().minor_units(), 36000);
  EXPECT_EQ(book.invoice("dep-1").issued->deducted_by->final_invoice_id, "fin-1");

  // What is left to credit on the final invoice is net of the deposit, rate by rate.
  EXPECT_EQ(book.invoice("fin-1").issued->creditable,
            (std::vector<TaxAmount>{{2000, money(70000), money(14000)}}));
}

std::string text_of(const InvoiceEvent& event) {
  return std::visit([](const auto& message) { return message.DebugString(); }, event);
}

// An invoice drafted and issued by one command is decided in one decision, which is what
// issuing the stored draft decides, and recorded as its InvoiceIssued alone: that event,
// folded on a new stream, gives the invoice that drafting then issuing gives.
void expect_issued_alone_folds_as_drafted_then_issued(Book& book, const std::string& id,
                                                      const InvoiceContent& content) {
  std::vector<InvoiceState> deposits;
  for (const auto& deposit : content.deposit_invoice_ids) {
    deposits.push_back(book.invoice(deposit));
  }
  const IssueInvoice issuing = issue(id, date(2026, 3, 15));
  auto direct = decide(draft(id, content), issuing, InvoiceState{}, book.customer("cust-1"),
                       book.series(issuing.series), deposits);
  ASSERT_TRUE(direct.ok()) << direct.status();

  ASSERT_TRUE(book.run(draft(id, content)).ok());
  auto decision = book.issue(issuing);
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(direct->events.size(), 1u);
  EXPECT_EQ(text_of(direct->events.front()), text_of(decision->events.front()));
  ASSERT_TRUE(direct->number.has_value() && decision->number.has_value());
  EXPECT_EQ(direct->number->DebugString(), decision->number->DebugString());
  ASSERT_EQ(direct->other_invoices.size(), decision->other_invoices.size());
  for (size_t i = 0; i < direct->other_invoices.size(); ++i) {
    EXPECT_EQ(direct->other_invoices[i].invoice_id, decision->other_invoices[i].invoice_id);
    EXPECT_EQ(text_of(direct->other_invoices[i].event), text_of(decision->other_invoices[i].event));
  }

  const InvoiceState alone = evolve(InvoiceState{}, decision->events.front());
  const InvoiceState& both = book.invoice(id);
  ASSERT_TRUE(alone.integrity.ok()) << alone.integrity;
  EXPECT_EQ(alone.invoice_id, id);
  EXPECT_EQ(alone.customer_id, both.customer_id);
  EXPECT_EQ(alone.status, both.status);
  EXPECT_EQ(to_proto(alone.content).DebugString(), to_proto(both.content).DebugString());
  const IssuedInvoice& a = *alone.issued;
  const IssuedInvoice& b = *both.issued;
  EXPECT_EQ(a.series, b.series);
  EXPECT_EQ(a.sequence, b.sequence);
  EXPECT_EQ(a.number, b.number);
  EXPECT_EQ(a.issue_date, b.issue_date);
  EXPECT_EQ(a.due_date, b.due_date);
  EXPECT_EQ(a.payment_terms, b.payment_terms);
  EXPECT_EQ(a.early_payment_deadline, b.early_payment_deadline);
  EXPECT_EQ(a.customer, b.customer);
  EXPECT_EQ(a.line_nets, b.line_nets);
  EXPECT_EQ(a.taxes, b.taxes);
  EXPECT_EQ(a.net_total, b.net_total);
  EXPECT_EQ(a.tax_total, b.tax_total);
  EXPECT_EQ(a.total, b.total);
  EXPECT_EQ(a.deposits, b.deposits);
  EXPECT_EQ(a.creditable, b.creditable);
  EXPECT_EQ(a.receivable.balance, b.receivable.balance);
}

TEST(InvoiceIssueTest, AnInvoiceIssuedWithoutADraftEventHoldsItsWholeContent) {
  Book book;
  // The customer's default terms: the content says none, and says so again when folded.
  InvoiceContent content =
      content_of({line("3", money(1999), 2000, 1000, "Audit"), line("2", money(1000), 550)});
  content.early_payment_discount = EarlyPaymentDiscount{.rate_bps = 200, .days = 10};
  content.late_payment_terms =
      LatePaymentTerms{.penalty_rate_bps = 1215, .recovery_indemnity = money(4000)};
  expect_issued_alone_folds_as_drafted_then_issued(book, "inv-1", content);
  EXPECT_FALSE(book.invoice("inv-1").content.payment_terms.has_value());

  content.payment_terms = PaymentTerms{.kind = PaymentTermsKind::kEndOfMonthPlus, .days = 30};
  expect_issued_alone_folds_as_drafted_then_issued(book, "inv-2", content);

  // Late-payment terms without a recovery indemnity.
  content.late_payment_terms = LatePaymentTerms{.penalty_rate_bps = 1000};
  expect_issued_alone_folds_as_drafted_then_issued(book, "inv-3", content);

  // A deposit invoice, then a final invoice deducting two deposits: their order is kept.
  expect_issued_alone_folds_as_drafted_then_issued(book, "dep-1", deposit_content());
  EXPECT_EQ(book.invoice("dep-1").content.kind, InvoiceKind::kDeposit);
  book.issued("dep-2", deposit_content(), date(2026, 3, 15));
  expect_issued_alone_folds_as_drafted_then_issued(book, "fin-1",
                                                   final_content({"dep-2", "dep-1"}));
  EXPECT_EQ(book.invoice("fin-1").content.deposit_invoice_ids,
            (std::vector<std::string>{"dep-2", "dep-1"}));
}

TEST(InvoiceIssueTest, ADepositIsDeductedOnceOnly) {
  Book book;
  book.issued("dep-1", deposit_content());
  book.issued("fin-1", final_content({"dep-1"}));
  ASSERT_TRUE(book.run(draft("fin-2", final_content({"dep-1"}))).ok());
  EXPECT_ERROR(book.issue(issue("fin-2")), StatusCode::kFailedPrecondition,
               "deposit_invoice_ids[0]: deposit invoice 2026-000001 is already deducted by "
               "invoice 2026-000002");
}

TEST(InvoiceIssueTest, OnlyAnIssuedDepositOfTheSameCustomerAndCurrencyCanBeDeducted) {
  Book book;
  book.register_customer("cust-2");
  book.issued("std-1");        // not a deposit
  book.issued("dep-usd", [] {  // another currency
    InvoiceContent c = deposit_content("USD");
    return c;
  }());
  book.issued("dep-other", deposit_content(), date(2026, 1, 31), "2026", "cust-2");
  ASSERT_TRUE(book.run(draft("dep-draft", deposit_content())).ok());  // not issued
  book.issued("dep-void", deposit_content());
  book.voided("dep-void", "order cancelled");

  const auto refused = [&](const std::string& deposit) {
    const std::string id = "fin-" + deposit;
    EXPECT_TRUE(book.run(draft(id, final_content({deposit}))).ok());
    return book.issue(issue(id)).status();
  };
  EXPECT_ERROR(refused("std-1"), StatusCode::kFailedPrecondition,
               "deposit_invoice_ids[0]: invoice 2026-000001 is not a deposit invoice");
  EXPECT_ERROR(refused("dep-usd"), StatusCode::kFailedPrecondition,
               "deposit_invoice_ids[0]: deposit invoice 2026-000002 is in USD, not in EUR");
  EXPECT_ERROR(refused("dep-other"), StatusCode::kFailedPrecondition,
               "deposit_invoice_ids[0]: deposit invoice 2026-000003 belongs to customer "
               "'cust-2', not 'cust-1'");
  EXPECT_ERROR(refused("dep-draft"), StatusCode::kFailedPrecondition,
               "deposit_invoice_ids[0]: invoice 'dep-draft' is DRAFT, not an issued deposit "
               "invoice");
  EXPECT_ERROR(refused("dep-void"), StatusCode::kFailedPrecondition,
               "deposit_invoice_ids[0]: deposit invoice 2026-000004 is VOID");
  EXPECT_ERROR(refused("dep-unknown"), StatusCode::kFailedPrecondition,
               "deposit_invoice_ids[0]: invoice 'dep-unknown' does not exist");
}

TEST(InvoiceIssueTest, DepositsCannotExceedTheFinalInvoice) {
  Book book;
  book.issued("dep-1", deposit_content());
  ASSERT_TRUE(book.run(draft("fin-1",
                             [] {
                               InvoiceContent c =
                                   content_of({line("1", money(20000), 2000)});  // 200 < 300
                               c.deposit_invoice_ids = {"dep-1"};
                               return c;
                             }()))
                  .ok());
  EXPECT_ERROR(book.issue(issue("fin-1")), StatusCode::kFailedPrecondition,
               "deposit_invoice_ids[0]: deposit invoice 2026-000001 exceeds this invoice: at the "
               "rate of 2000 bps, 300.00 EUR + 60.00 EUR tax cannot be taken from 200.00 EUR + "
               "40.00 EUR tax");
  ASSERT_TRUE(book.run(draft("fin-2",
                             [] {
                               InvoiceContent c =
                                   content_of({line("10", money(10000), 550)});  // another rate
                               c.deposit_invoice_ids = {"dep-1"};
                               return c;
                             }()))
                  .ok());
  EXPECT_ERROR(book.issue(issue("fin-2")), StatusCode::kFailedPrecondition,
               "deposit_invoice_ids[0]: deposit invoice 2026-000001 exceeds this invoice: there "
               "is nothing at the rate of 2000 bps to take 300.00 EUR");
}

TEST(InvoiceIssueTest, AFinalInvoiceCoveredByItsDepositsIsPaidAtIssue) {
  Book book;
  book.issued("dep-1", deposit_content());
  const InvoiceState& final_invoice = book.issued("fin-1", [] {
    InvoiceContent c = content_of({line("1", money(30000), 2000)});
    c.deposit_invoice_ids = {"dep-1"};
    return c;
  }());
  EXPECT_EQ(final_invoice.issued->receivable.amount_due, money(0));
  EXPECT_EQ(final_invoice.status, InvoiceStatus::kPaid);
}

TEST(InvoiceIssueTest, APartlyCreditedDepositDeductsWhatRemainsOfIt) {
  Book book;
  book.issued("dep-1", deposit_content());
  ASSERT_TRUE(book.credit(IssueCreditNote{.invoice_id = "dep-1",
                                          .credit_note_id = "cn-1",
                                          .series = "CN-2026",
                                          .issue_date = date(2026, 2, 1),
                                          .reason = "deposit reduced to 20 %",
                                          .lines = {line("1", money(10000), 2000)}})
                  .ok());
  const InvoiceState& final_invoice = book.issued("fin-1", final_content({"dep-1"}));
  EXPECT_EQ(final_invoice.issued->deposits[0].amount, money(24000));  // 200.00 + 40.00
  EXPECT_EQ(final_invoice.issued->receivable.amount_due, money(96000));
}

TEST(InvoiceIssueTest, VoidingAFinalInvoiceReleasesItsDepositsForTheCorrectedOne) {
  Book book;
  book.issued("dep-1", deposit_content());
  book.issued("fin-1", final_content({"dep-1"}));
  auto credit = book.credit(IssueCreditNote{.invoice_id = "fin-1",
                                            .credit_note_id = "cn-1",
                                            .series = "CN-2026",
                                            .issue_date = date(2026, 2, 1),
                                            .reason = "wrong quantity",
                                            .full = true});
  ASSERT_TRUE(credit.ok()) << credit.status();
  ASSERT_EQ(credit->other_invoices.size(), 1u);
  const auto& released = std::get<v1::DepositDeductionReleased>(credit->other_invoices[0].event);
  EXPECT_EQ(released.deposit_invoice_id(), "dep-1");
  EXPECT_EQ(released.final_invoice_number(), "2026-000002");
  EXPECT_EQ(released.credit_note_number(), "CN-2026-000001");
  EXPECT_FALSE(book.invoice("dep-1").issued->deducted_by.has_value());

  EXPECT_EQ(book.issued("fin-2", final_content({"dep-1"})).issued->receivable.amount_due,
            money(84000));
}

TEST(InvoiceIssueTest, ADeductedDepositCannotBeCredited) {
  Book book;
  book.issued("dep-1", deposit_content());
  book.issued("fin-1", final_content({"dep-1"}));
  EXPECT_ERROR(book.credit(IssueCreditNote{.invoice_id = "dep-1",
                                           .credit_note_id = "cn-1",
                                           .series = "CN-2026",
                                           .issue_date = date(2026, 2, 1),
                                           .reason = "x",
                                           .full = true}),
               StatusCode::kFailedPrecondition,
               "deposit invoice 2026-000001 is deducted by invoice 2026-000002: credit the final "
               "invoice instead");
}

TEST(InvoiceIssueTest, TheBuyerIsFrozenAtIssue) {
  Book book;
  book.issued("inv-1");
  auto details = customer_details();
  details.legal_name = "Métropole de Lyon";
  auto updated =
      decide(UpdateCustomer{.customer_id = "cust-1", .details = details}, book.customer("cust-1"));
  ASSERT_TRUE(updated.ok());
  book.customer("cust-1") = evolve(book.customer("cust-1"), updated->front());
  EXPECT_EQ(book.invoice("inv-1").issued->customer.legal_name, "Commune de Lyon");
  EXPECT_EQ(book.issued("inv-2").issued->customer.legal_name, "Métropole de Lyon");
}

}  // namespace
}  // namespace arflow::invoicing
