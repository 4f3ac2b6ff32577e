// Credit notes: numbered documents of their own series that reduce an invoice's balance;
// a full one (or one that takes what is left of an unpaid invoice) voids it.
#include "fixtures.h"

namespace arflow::invoicing {
namespace {

using ::absl::StatusCode;
using testing::Book;
using testing::content_of;
using testing::date;
using testing::line;
using testing::money;
using testing::simple_content;

IssueCreditNote partial(std::vector<InvoiceLine> lines, std::string id = "cn-1",
                        std::string invoice = "inv-1") {
  return IssueCreditNote{.invoice_id = std::move(invoice),
                         .credit_note_id = std::move(id),
                         .series = "CN-2026",
                         .issue_date = date(2026, 2, 15),
                         .reason = "returned goods",
                         .lines = std::move(lines)};
}

IssueCreditNote full(std::string id = "cn-1", std::string invoice = "inv-1") {
  return IssueCreditNote{.invoice_id = std::move(invoice),
                         .credit_note_id = std::move(id),
                         .series = "CN-2026",
                         .issue_date = date(2026, 2, 15),
                         .reason = "order cancelled",
                         .full = true};
}

const v1::CreditNoteIssued& credit_note_in(const InvoiceDecision& decision) {
  return std::get<v1::CreditNoteIssued>(decision.events.back());
}

TEST(CreditNoteTest, APartialCreditNoteReducesTheBalance) {
  Book book;
  book.issued("inv-1");  // 100.00 + 20 % = 120.00
  auto decision = book.credit(partial({line("1", money(1000), 2000)}));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->events.size(), 1u);
  const auto& note = credit_note_in(*decision);
  EXPECT_EQ(note.invoice_id(), "inv-1");
  EXPECT_EQ(note.invoice_number(), "2026-000001");
  EXPECT_EQ(note.credit_note_id(), "cn-1");
  EXPECT_EQ(note.number(), "CN-2026-000001");
  EXPECT_EQ(note.reason(), "returned goods");
  EXPECT_FALSE(note.full());
  EXPECT_EQ(note.lines(0).net_amount().minor_units(), 1000);
  ASSERT_EQ(note.taxes_size(), 1);
  EXPECT_EQ(note.taxes(0).tax_amount().minor_units(), 200);
  EXPECT_EQ(note.net_total().minor_units(), 1000);
  EXPECT_EQ(note.tax_total().minor_units(), 200);
  EXPECT_EQ(note.fees_credited().minor_units(), 0);
  EXPECT_EQ(note.total().minor_units(), 1200);
  EXPECT_EQ(note.balance().minor_units(), 10800);
  EXPECT_EQ(note.status(), v1::INVOICE_STATUS_ISSUED);
  ASSERT_TRUE(decision->number.has_value());
  EXPECT_EQ(decision->number->kind(), v1::DOCUMENT_KIND_CREDIT_NOTE);
  EXPECT_EQ(decision->number->document_id(), "cn-1");
  EXPECT_EQ(decision->number->invoice_id(), "inv-1");

  const InvoiceState& state = book.invoice("inv-1");
  EXPECT_EQ(state.status, InvoiceStatus::kIssued);
  EXPECT_EQ(state.issued->receivable.balance, money(10800));
  EXPECT_EQ(state.issued->receivable.credited, money(1200));
  EXPECT_EQ(state.issued->creditable, (std::vector<TaxAmount>{{2000, money(9000), money(1800)}}));
}

TEST(CreditNoteTest, CreditNotesHaveTheirOwnSeries) {
  Book book;
  book.issued("inv-1");
  book.issued("inv-2");
  ASSERT_TRUE(book.credit(partial({line("1", money(1000), 2000)}, "cn-1", "inv-1")).ok());
  ASSERT_TRUE(book.credit(partial({line("1", money(1000), 2000)}, "cn-2", "inv-2")).ok());
  ASSERT_TRUE(book.credit(partial({line("1", money(1000), 2000)}, "cn-3", "inv-1")).ok());
  const auto& notes = book.invoice("inv-1").issued->credit_notes;
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].number, "CN-2026-000001");
  EXPECT_EQ(notes[1].number, "CN-2026-000003");
  EXPECT_EQ(book.invoice("inv-2").issued->credit_notes[0].number, "CN-2026-000002");
  EXPECT_EQ(book.series("CN-2026").last_sequence, 3u);
  EXPECT_EQ(book.series("2026").last_sequence, 2u);
}

IssueCreditNote partial_on(Date issue_date, std::string id, std::string series = "CN-2026") {
  IssueCreditNote command = partial({line("1", money(1000), 2000)}, std::move(id));
  command.issue_date = issue_date;
  command.series = std::move(series);
  return command;
}

// Credit notes are numbered documents: their series follows dates as an invoice series does.
TEST(CreditNoteTest, ACreditNoteDatedBeforeTheLastOfItsSeriesIsRefusedAndSpendsNoNumber) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.credit(partial_on(date(2026, 3, 10), "cn-1")).ok());
  EXPECT_ERROR(book.credit(partial_on(date(2026, 3, 9), "cn-2")), StatusCode::kFailedPrecondition,
               "issue_date: 2026-03-09 is before 2026-03-10, the date of the last document of "
               "series 'CN-2026' (CN-2026-000001); numbers follow dates");
  EXPECT_EQ(book.series("CN-2026").last_sequence, 1u);
  EXPECT_EQ(book.series("CN-2026").last_issue_date, date(2026, 3, 10));
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.balance, money(10800));

  // The same day, then a later one: the next numbers.
  auto same_day = book.credit(partial_on(date(2026, 3, 10), "cn-2"));
  ASSERT_TRUE(same_day.ok()) << same_day.status();
  EXPECT_EQ(credit_note_in(*same_day).number(), "CN-2026-000002");
  auto later = book.credit(partial_on(date(2026, 4, 1), "cn-3"));
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(credit_note_in(*later).number(), "CN-2026-000003");
}

TEST(CreditNoteTest, ACreditNoteFollowsTheDatesOfItsOwnSeriesOnly) {
  Book book;
  book.issued("inv-1");
  book.issued("inv-2", simple_content(), date(2026, 3, 20));
  // Invoice series 2026 is at 20 March; the credit-note series has no document yet.
  auto decision = book.credit(partial_on(date(2026, 3, 10), "cn-1"));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(credit_note_in(*decision).number(), "CN-2026-000001");
  // A tenant that numbers credit notes in its invoice series meets the invoices' dates.
  EXPECT_ERROR(book.credit(partial_on(date(2026, 3, 19), "cn-2", "2026")),
               StatusCode::kFailedPrecondition,
               "issue_date: 2026-03-19 is before 2026-03-20, the date of the last document of "
               "series '2026' (2026-000002); numbers follow dates");
  EXPECT_EQ(book.series("2026").last_sequence, 2u);
}

TEST(CreditNoteTest, CreditingMoreThanTheBalanceIsRefused) {
  Book book;
  book.issued("inv-1");
  EXPECT_ERROR(book.credit(partial({line("2", money(10000), 2000)})),
               StatusCode::kFailedPrecondition,
               "credit note total 240.00 EUR exceeds the balance 120.00 EUR of invoice "
               "2026-000001");
  ASSERT_TRUE(book.pay("inv-1", "alloc-1", money(10000)).ok());
  EXPECT_ERROR(book.credit(partial({line("1", money(5000), 2000)})),
               StatusCode::kFailedPrecondition,
               "credit note total 60.00 EUR exceeds the balance 20.00 EUR of invoice 2026-000001");
  EXPECT_EQ(book.series("CN-2026").last_sequence, 0u);
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.balance, money(2000));
}

TEST(CreditNoteTest, ACreditNoteCreditsOnlyWhatWasInvoicedAtEachRate) {
  Book book;
  // 100.00 at 20 % and 100.00 at 5.5 %: 225.50 EUR.
  book.issued("inv-1", content_of({line("1", money(10000), 2000), line("1", money(10000), 550)}));
  EXPECT_ERROR(book.credit(partial({line("1", money(1000), 1000)})),
               StatusCode::kFailedPrecondition,
               "lines[0].tax_rate_bps 1000 is not a rate of invoice 2026-000001");
  EXPECT_ERROR(book.credit(partial({line("1.5", money(10000), 550)})),
               StatusCode::kFailedPrecondition,
               "lines credit more than invoice 2026-000001 carries: at the rate of 550 bps, "
               "150.00 EUR + 8.25 EUR tax cannot be taken from 100.00 EUR + 5.50 EUR tax");
}

TEST(CreditNoteTest, AFullCreditNoteVoidsAnUnpaidInvoiceAndKeepsItsNumber) {
  Book book;
  book.issued("inv-1", content_of({line("1", money(10000), 2000), line("1", money(10000), 550)}));
  auto decision = book.credit(full());
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->events.size(), 1u);
  const auto& note = credit_note_in(*decision);
  EXPECT_TRUE(note.full());
  EXPECT_EQ(note.lines_size(), 0);
  ASSERT_EQ(note.taxes_size(), 2);  // the invoice's breakdown, mirrored
  EXPECT_EQ(note.taxes(0).rate_bps(), 550);
  EXPECT_EQ(note.taxes(0).tax_amount().minor_units(), 550);
  EXPECT_EQ(note.taxes(1).rate_bps(), 2000);
  EXPECT_EQ(note.taxes(1).tax_amount().minor_units(), 2000);
  EXPECT_EQ(note.total().minor_units(), 22550);
  EXPECT_EQ(note.balance().minor_units(), 0);
  EXPECT_EQ(note.status(), v1::INVOICE_STATUS_VOID);

  const InvoiceState& state = book.invoice("inv-1");
  EXPECT_EQ(state.status, InvoiceStatus::kVoid);
  EXPECT_EQ(state.issued->number, "2026-000001");
  EXPECT_EQ(state.issued->receivable.balance, money(0));
}

TEST(CreditNoteTest, CreditingAllThatIsLeftOfAnUnpaidInvoiceVoidsIt) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.credit(partial({line("0.4", money(10000), 2000)}, "cn-1")).ok());
  EXPECT_EQ(book.invoice("inv-1").status, InvoiceStatus::kIssued);
  auto decision = book.credit(partial({line("0.6", money(10000), 2000)}, "cn-2"));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(credit_note_in(*decision).status(), v1::INVOICE_STATUS_VOID);
  EXPECT_EQ(book.invoice("inv-1").status, InvoiceStatus::kVoid);
}

TEST(CreditNoteTest, CreditingTheRestOfAPartlyPaidInvoiceSettlesIt) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.pay("inv-1", "alloc-1", money(6000)).ok());
  auto decision = book.credit(partial({line("1", money(5000), 2000)}));
  ASSERT_TRUE(decision.ok()) << decision.status();
  // Paid in part, credited for the rest: settled, and the payment stays where it is.
  EXPECT_EQ(credit_note_in(*decision).status(), v1::INVOICE_STATUS_PAID);
  EXPECT_EQ(book.invoice("inv-1").status, InvoiceStatus::kPaid);
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.paid, money(6000));
}

TEST(CreditNoteTest, AFullCreditNoteOnAPartlyPaidInvoiceGivesItsPaymentsBack) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.pay("inv-1", "alloc-1", money(5000)).ok());
  ASSERT_TRUE(book.pay("inv-1", "alloc-2", money(2000)).ok());
  ASSERT_EQ(book.invoice("inv-1").status, InvoiceStatus::kPartiallyPaid);

  auto decision = book.credit(full());
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->events.size(), 3u);
  const auto& first = std::get<v1::AllocationReleased>(decision->events[0]);
  EXPECT_EQ(first.allocation_id(), "alloc-1");
  EXPECT_EQ(first.amount().minor_units(), 5000);
  EXPECT_EQ(first.balance().minor_units(), 10000);
  EXPECT_EQ(first.status(), v1::INVOICE_STATUS_PARTIALLY_PAID);
  const auto& second = std::get<v1::AllocationReleased>(decision->events[1]);
  EXPECT_EQ(second.allocation_id(), "alloc-2");
  EXPECT_EQ(second.balance().minor_units(), 12000);
  EXPECT_EQ(second.status(), v1::INVOICE_STATUS_ISSUED);
  const auto& note = credit_note_in(*decision);
  EXPECT_EQ(note.total().minor_units(), 12000);
  EXPECT_EQ(note.status(), v1::INVOICE_STATUS_VOID);

  EXPECT_EQ(book.invoice("inv-1").status, InvoiceStatus::kVoid);
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.paid, money(0));
  // The released allocation is payments' now: reversing it here changes nothing.
  auto reversal = book.run(ReversePayment{.invoice_id = "inv-1", .allocation_id = "alloc-1"});
  ASSERT_TRUE(reversal.ok());
  EXPECT_TRUE(reversal->empty());
}

TEST(CreditNoteTest, AFullCreditNoteAlsoCancelsLateFees) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.run(AddLateFee{.invoice_id = "inv-1",
                                  .source_id = "reminder-1",
                                  .kind = LateFeeKind::kRecoveryIndemnity,
                                  .description = "Recovery indemnity",
                                  .amount = money(4000),
                                  .as_of = date(2026, 3, 10)})
                  .ok());
  auto decision = book.credit(full());
  ASSERT_TRUE(decision.ok()) << decision.status();
  const auto& note = credit_note_in(*decision);
  EXPECT_EQ(note.fees_credited().minor_units(), 4000);
  EXPECT_EQ(note.net_total().minor_units(), 10000);
  EXPECT_EQ(note.total().minor_units(), 16000);
  EXPECT_EQ(note.status(), v1::INVOICE_STATUS_VOID);
}

TEST(CreditNoteTest, PartialCreditNotesCloseARateToTheCent) {
  Book book;
  // 3 x 0.33 = 0.99 at 20 %: tax 0.198 -> 0.20; 1.19 EUR.
  book.issued("inv-1", content_of({line("0.333", money(100), 2000), line("0.333", money(100), 2000),
                                   line("0.333", money(100), 2000)}));
  // Each 0.33 credit note rounds its own tax: 0.066 -> 0.07.
  auto first = book.credit(partial({line("1", money(33), 2000)}, "cn-1"));
  auto second = book.credit(partial({line("1", money(33), 2000)}, "cn-2"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(credit_note_in(*first).tax_total().minor_units(), 7);
  EXPECT_EQ(credit_note_in(*second).balance().minor_units(), 39);
  // The last 0.33 takes exactly the 0.06 of tax left, not 0.07: nothing is left behind and
  // no more tax is credited than was invoiced.
  auto last = book.credit(partial({line("1", money(33), 2000)}, "cn-3"));
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(credit_note_in(*last).tax_total().minor_units(), 6);
  EXPECT_EQ(credit_note_in(*last).total().minor_units(), 39);
  EXPECT_EQ(book.invoice("inv-1").status, InvoiceStatus::kVoid);
  EXPECT_EQ(book.invoice("inv-1").issued->receivable.credited, money(119));
}

TEST(CreditNoteTest, NeverTakesBackMoreTaxThanWasInvoiced) {
  Book book;
  book.issued("inv-1", content_of({line("1", money(25), 1000)}));           // 0.025 -> 0.02 tax
  auto first = book.credit(partial({line("1", money(15), 1000)}, "cn-1"));  // 0.015 -> 0.02
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(credit_note_in(*first).tax_total().minor_units(), 2);
  // 0.007 would round to 0.01, but no tax is left to credit at 10 %.
  auto second = book.credit(partial({line("1", money(7), 1000)}, "cn-2"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(credit_note_in(*second).tax_total().minor_units(), 0);
  EXPECT_EQ(credit_note_in(*second).balance().minor_units(), 3);
}

TEST(CreditNoteTest, OnlyAnIssuedOrPartlyPaidInvoiceCanBeCredited) {
  Book book;
  ASSERT_TRUE(
      book.run(DraftInvoice{
                   .invoice_id = "draft", .customer_id = "cust-1", .content = simple_content()})
          .ok());
  EXPECT_ERROR(book.credit(full("cn-1", "draft")), StatusCode::kFailedPrecondition,
               "invoice 'draft' is DRAFT: only an issued invoice can be credited");

  book.issued("paid");
  ASSERT_TRUE(book.pay("paid", "alloc-1", money(12000)).ok());
  EXPECT_ERROR(book.credit(full("cn-1", "paid")), StatusCode::kFailedPrecondition,
               "invoice 2026-000001 is PAID: only an ISSUED or PARTIALLY_PAID invoice can be "
               "credited");

  book.issued("void");
  ASSERT_TRUE(book.credit(full("cn-1", "void")).ok());
  EXPECT_ERROR(book.credit(full("cn-2", "void")), StatusCode::kFailedPrecondition,
               "invoice 2026-000002 is VOID: only an ISSUED or PARTIALLY_PAID invoice can be "
               "credited");

  book.issued("lost");
  ASSERT_TRUE(book.run(WriteOffInvoice{
                           .invoice_id = "lost", .reason = "insolvent", .as_of = date(2026, 6, 1)})
                  .ok());
  EXPECT_ERROR(book.credit(full("cn-3", "lost")), StatusCode::kFailedPrecondition,
               "invoice 2026-000003 is UNCOLLECTIBLE: only an ISSUED or PARTIALLY_PAID invoice "
               "can be credited");
}

TEST(CreditNoteTest, BadCreditNotesAreRefused) {
  Book book;
  book.issued("inv-1");
  IssueCreditNote command = partial({line("1", money(1000), 2000)});
  command.reason = "";
  EXPECT_ERROR(book.credit(command), StatusCode::kInvalidArgument, "reason must not be empty");
  command = full();
  command.lines = {line("1", money(1000), 2000)};
  EXPECT_ERROR(book.credit(command), StatusCode::kInvalidArgument,
               "lines must be empty on a full credit note");
  EXPECT_ERROR(book.credit(partial({})), StatusCode::kInvalidArgument,
               "lines must not be empty on a partial credit note");
  EXPECT_ERROR(book.credit(partial({line("0", money(1000), 2000)})), StatusCode::kInvalidArgument,
               "lines[0].quantity must be > 0");
  EXPECT_ERROR(book.credit(partial({line("1", money(1000, "USD"), 2000)})),
               StatusCode::kInvalidArgument,
               "lines[0].unit_price currency USD must be the invoice's currency EUR");
  command = partial({line("1", money(1000), 2000)});
  command.issue_date = date(2026, 1, 30);
  EXPECT_ERROR(book.credit(command), StatusCode::kInvalidArgument,
               "issue_date must not be before the invoice's issue date 2026-01-31");
  command.issue_date = date(2026, 2, 15);
  command.series = "";
  EXPECT_ERROR(book.credit(command), StatusCode::kInvalidArgument,
               "series must be 1 to 20 characters");

  ASSERT_TRUE(book.credit(partial({line("1", money(1000), 2000)})).ok());
  EXPECT_ERROR(book.credit(partial({line("1", money(1000), 2000)})),
               StatusCode::kFailedPrecondition,
               "credit note 'cn-1' already exists as "
               "CN-2026-000001");
}

}  // namespace
}  // namespace arflow::invoicing
