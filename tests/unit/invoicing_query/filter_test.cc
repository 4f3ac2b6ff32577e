// The ListInvoices / ExportFollowUpTable filter: grammar, errors, and what each comparison
// matches.
#include "invoicing/query/filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace arflow::invoicing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Date day(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

void put(auto* out, Date date) {
  out->set_year(static_cast<int>(date.year()));
  out->set_month(static_cast<unsigned>(date.month()));
  out->set_day(static_cast<unsigned>(date.day()));
}

// An invoice issued on 2026-10-01, due 2026-10-31, 120.00 EUR, to customer c-42.
v1::Invoice issued() {
  v1::Invoice invoice;
  invoice.set_invoice_id("inv-1");
  invoice.set_customer_id("c-42");
  invoice.set_status(v1::INVOICE_STATUS_ISSUED);
  invoice.mutable_content()->set_currency("EUR");
  invoice.set_series("2026");
  invoice.set_number("2026-000001");
  put(invoice.mutable_issue_date(), day(2026, 10, 1));
  put(invoice.mutable_due_date(), day(2026, 10, 31));
  invoice.mutable_total()->set_minor_units(12000);
  invoice.mutable_total()->set_currency("EUR");
  return invoice;
}

v1::Invoice draft() {
  v1::Invoice invoice;
  invoice.set_invoice_id("inv-2");
  invoice.set_customer_id("c-42");
  invoice.set_status(v1::INVOICE_STATUS_DRAFT);
  invoice.mutable_content()->set_currency("EUR");
  return invoice;
}

// Parses `text` (which must be valid) and applies it to `invoice`.
bool match(std::string_view text, const v1::Invoice& invoice) {
  auto filter = parse_invoice_filter(text);
  EXPECT_TRUE(filter.ok()) << text << ": " << filter.status();
  return filter.ok() && matches(*filter, invoice);
}

// The message of the INVALID_ARGUMENT that `text` must be refused with.
std::string refusal(std::string_view text) {
  auto filter = parse_invoice_filter(text);
  if (filter.ok()) {
    return "accepted";
  }
  EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument) << filter.status();
  return std::string(filter.status().message());
}

// ----- Grammar ------------------------------------------------------------------------------

TEST(InvoiceFilterTest, EmptyOrBlankFilterMatchesEverything) {
  for (std::string_view text : {"", "   ", "\t\r\n"}) {
    auto filter = parse_invoice_filter(text);
    ASSERT_TRUE(filter.ok()) << filter.status();
    EXPECT_TRUE(filter->comparisons.empty());
    EXPECT_TRUE(matches(*filter, issued()));
    EXPECT_TRUE(matches(*filter, draft()));
  }
}

TEST(InvoiceFilterTest, ParsesComparisonsIntoTypedValues) {
  auto filter = parse_invoice_filter(
      "customer_id = \"c-42\" AND status = PARTIALLY_PAID AND due_date >= 2026-01-02 AND "
      "recipient_status != RECIPIENT_STATUS_DISPUTED");
  ASSERT_TRUE(filter.ok()) << filter.status();
  const InvoiceFilter expected{{
      {FilterField::kCustomerId, FilterOperator::kEqual, std::string("c-42")},
      {FilterField::kStatus, FilterOperator::kEqual, v1::INVOICE_STATUS_PARTIALLY_PAID},
      {FilterField::kDueDate, FilterOperator::kGreaterOrEqual, day(2026, 1, 2)},
      {FilterField::kRecipientStatus, FilterOperator::kNotEqual, v1::RECIPIENT_STATUS_DISPUTED},
  }};
  EXPECT_EQ(*filter, expected);
}

TEST(InvoiceFilterTest, WhitespaceAroundOperatorsIsOptional) {
  EXPECT_TRUE(match("status=ISSUED", issued()));
  EXPECT_TRUE(match("due_date<=2026-10-31", issued()));
  EXPECT_TRUE(match("  status\t=\nISSUED\r\nAND\tcurrency =EUR  ", issued()));
  EXPECT_FALSE(match("status!=ISSUED", issued()));
}

TEST(InvoiceFilterTest, QuotedValuesTakeSpacesAndEscapes) {
  v1::Invoice invoice = issued();
  invoice.set_customer_id(R"(c "42" \ AND x)");
  EXPECT_TRUE(match(R"(customer_id = "c \"42\" \\ AND x")", invoice));
  EXPECT_FALSE(match(R"(customer_id = "c \"42\"")", invoice));
  // A bare value may hold ':' (customer ids do); quoted dates and enums are fine too.
  invoice.set_customer_id("acme:fr-1");
  EXPECT_TRUE(match("customer_id = acme:fr-1", invoice));
  EXPECT_TRUE(match(R"(due_date = "2026-10-31" AND status = "ISSUED")", invoice));
}

// ----- Errors name the token and its position -----------------------------------------------

TEST(InvoiceFilterTest, RefusesUnknownFields) {
  EXPECT_THAT(refusal("state = ISSUED"),
              StartsWith("filter has an unknown field \"state\" at position 1; fields are "
                         "customer_id, status, currency, number, series, issue_date, due_date, "
                         "recipient_status, overdue_as_of"));
  EXPECT_THAT(refusal("status = ISSUED AND Status = PAID"),
              StartsWith("filter has an unknown field \"Status\" at position 21;"));
  EXPECT_THAT(refusal("customer.legal_name = x"),
              StartsWith("filter has an unknown field \"customer.legal_name\" at position 1;"));
  EXPECT_EQ(refusal("= ISSUED"), "filter expects a field name at position 1; got \"=\"");
}

TEST(InvoiceFilterTest, RefusesOrNotNegationAndParentheses) {
  EXPECT_EQ(refusal("status = ISSUED OR status = PAID"),
            "filter does not support OR (at position 17); only comparisons joined by AND are "
            "supported");
  EXPECT_EQ(refusal("status = ISSUED AND OR"),
            "filter does not support OR (at position 21); only comparisons joined by AND are "
            "supported");
  EXPECT_EQ(refusal("NOT status = PAID"), "filter does not support NOT (at position 1)");
  EXPECT_EQ(refusal("-status = PAID"),
            "filter does not support negation (\"-status\" at position 1); use != to exclude a "
            "value");
  EXPECT_EQ(refusal("(status = ISSUED)"),
            "filter does not support parentheses (\"(\" at position 1)");
  EXPECT_EQ(refusal("status = ISSUED AND (currency = EUR)"),
            "filter does not support parentheses (\"(\" at position 21)");
  EXPECT_EQ(refusal("status = (ISSUED)"),
            "filter does not support parentheses (\"(\" at position 10)");
  EXPECT_EQ(refusal("status = ISSUED)"),
            "filter does not support parentheses (\")\" at position 16)");
}

TEST(InvoiceFilterTest, AndIsRequiredAndUpperCase) {
  EXPECT_EQ(refusal("status = ISSUED and currency = EUR"),
            "filter needs AND in upper case at position 17; got \"and\"");
  EXPECT_EQ(refusal("status = ISSUED currency = EUR"),
            "filter expects AND between comparisons at position 17; got \"currency\"");
  EXPECT_EQ(refusal("status = ISSUED AND"),
            "filter ends after AND at position 17; expected a comparison");
  EXPECT_EQ(refusal("status = ISSUED AND   "),
            "filter ends after AND at position 17; expected a comparison");
  EXPECT_EQ(refusal("status = ISSUED AND AND currency = EUR"),
            "filter expects a comparison at position 21; got AND");
}

TEST(InvoiceFilterTest, RefusesBadOperators) {
  EXPECT_EQ(refusal("status"), "filter ends after \"status\" at position 7; expected an operator");
  EXPECT_EQ(refusal("status ISSUED"),
            "filter expects an operator after \"status\" at position 8; got \"ISSUED\"");
  EXPECT_EQ(refusal("status == ISSUED"),
            "filter has an unknown operator \"==\" at position 8; operators are = != < <= > >=");
  EXPECT_EQ(refusal("due_date => 2026-01-01"),
            "filter has an unknown operator \"=>\" at position 10; operators are = != < <= > >=");
  EXPECT_EQ(refusal("status:ISSUED"),
            "filter does not support the has operator \":\" (at position 7); use = or !=");
  EXPECT_EQ(refusal("status < ISSUED"),
            "filter allows only = and != on status; got \"<\" at position 8");
  EXPECT_EQ(refusal("customer_id >= c-1"),
            "filter allows only = and != on customer_id; got \">=\" at position 13");
  EXPECT_EQ(refusal("overdue_as_of > 2026-01-01"),
            "filter allows only = on overdue_as_of; got \">\" at position 15");
  EXPECT_EQ(refusal("overdue_as_of != 2026-01-01"),
            "filter allows only = on overdue_as_of; got \"!=\" at position 15");
}

TEST(InvoiceFilterTest, RefusesBadValues) {
  EXPECT_EQ(refusal("status ="),
            "filter ends after the operator of status at position 9; expected a value");
  EXPECT_EQ(refusal("status = FINISHED"),
            "filter has an unknown status \"FINISHED\" at position 10; expected e.g. ISSUED or "
            "INVOICE_STATUS_ISSUED");
  EXPECT_EQ(refusal("status = issued"),
            "filter has an unknown status \"issued\" at position 10; expected e.g. ISSUED or "
            "INVOICE_STATUS_ISSUED");
  EXPECT_EQ(refusal("recipient_status = HAPPY"),
            "filter has an unknown recipient status \"HAPPY\" at position 20; expected e.g. "
            "DISPUTED or RECIPIENT_STATUS_DISPUTED");
  EXPECT_EQ(refusal("currency = EURO"),
            "filter has an unknown currency \"EURO\" at position 12; expected an ISO 4217 code "
            "such as EUR");
  EXPECT_EQ(refusal(R"(customer_id = "c-42)"),
            "filter has an unterminated string starting at position 15");
  EXPECT_EQ(refusal(R"(customer_id = "c-42\)"),
            "filter has an unterminated string starting at position 15");
  EXPECT_EQ(refusal(R"(customer_id = "a\nb")"),
            R"(filter has an unknown escape "\\n" at position 17; only \" and \\ are allowed)");
}

TEST(InvoiceFilterTest, RefusesMalformedDates) {
  for (std::string_view date :
       {"2026-13-01", "2026-02-30", "2026-1-1", "26-01-01", "2026/01/01", "2026-01-01x", "today"}) {
    EXPECT_EQ(
        refusal(fmt::format("due_date < {}", date)),
        fmt::format("filter has an invalid date \"{}\" at position 12; expected YYYY-MM-DD", date));
  }
  EXPECT_TRUE(parse_invoice_filter("due_date = 2028-02-29").ok());  // leap day
}

TEST(InvoiceFilterTest, MessagesQuoteClientTextSafely) {
  const std::string long_name(60, 'x');
  EXPECT_THAT(refusal(long_name + " = 1"),
              StartsWith(fmt::format("filter has an unknown field \"{}...\" at position 1;",
                                     std::string(40, 'x'))));
  EXPECT_THAT(refusal("status = \"IS\x01SUED\""), HasSubstr("\"IS\\x01SUED\""));
}

TEST(InvoiceFilterTest, RefusesOverlongFilters) {
  std::string text = "customer_id = c";
  text.append(kMaxFilterLength, 'x');
  EXPECT_EQ(refusal(text),
            fmt::format("filter must be at most 2048 bytes long; got {}", text.size()));
  EXPECT_TRUE(parse_invoice_filter(std::string(kMaxFilterLength, ' ')).ok());
}

// ----- What each comparison matches ---------------------------------------------------------

TEST(InvoiceFilterTest, TextFieldsCompareExactly) {
  const v1::Invoice invoice = issued();
  EXPECT_TRUE(match("customer_id = c-42", invoice));
  EXPECT_FALSE(match("customer_id = c-4", invoice));
  EXPECT_FALSE(match("customer_id = C-42", invoice));
  EXPECT_TRUE(match("customer_id != c-43", invoice));
  EXPECT_FALSE(match("customer_id != c-42", invoice));
  EXPECT_TRUE(match("number = 2026-000001", invoice));
  EXPECT_FALSE(match("number = \"2026-*\"", invoice));  // no wildcards
  EXPECT_TRUE(match("series = 2026 AND series != 2025", invoice));
  // A draft has no number: != matches it, = does not.
  EXPECT_FALSE(match("number = 2026-000001", draft()));
  EXPECT_TRUE(match("number != 2026-000001", draft()));
}

TEST(InvoiceFilterTest, CurrencyIsTheContentsOrTheTotals) {
  v1::Invoice invoice = issued();
  EXPECT_TRUE(match("currency = EUR", invoice));
  EXPECT_FALSE(match("currency = JPY", invoice));
  EXPECT_TRUE(match("currency != JPY", invoice));
  invoice.clear_content();
  EXPECT_TRUE(match("currency = EUR", invoice));  // from the total
}

TEST(InvoiceFilterTest, StatusTakesShortAndFullNames) {
  v1::Invoice invoice = issued();
  EXPECT_TRUE(match("status = ISSUED", invoice));
  EXPECT_TRUE(match("status = INVOICE_STATUS_ISSUED", invoice));
  EXPECT_FALSE(match("status = PAID", invoice));
  EXPECT_TRUE(match("status != PAID", invoice));
  invoice.set_status(v1::INVOICE_STATUS_PARTIALLY_PAID);
  EXPECT_TRUE(match("status = PARTIALLY_PAID", invoice));
  EXPECT_TRUE(match("status = INVOICE_STATUS_PARTIALLY_PAID", invoice));
  EXPECT_FALSE(match("status = ISSUED", invoice));
  EXPECT_FALSE(match("status != PARTIALLY_PAID", invoice));
}

TEST(InvoiceFilterTest, RecipientStatusTakesShortAndFullNames) {
  v1::Invoice invoice = issued();
  EXPECT_TRUE(match("recipient_status = UNSPECIFIED", invoice));
  EXPECT_FALSE(match("recipient_status = DISPUTED", invoice));
  invoice.set_recipient_status(v1::RECIPIENT_STATUS_DISPUTED);
  EXPECT_TRUE(match("recipient_status = DISPUTED", invoice));
  EXPECT_TRUE(match("recipient_status = RECIPIENT_STATUS_DISPUTED", invoice));
  EXPECT_FALSE(match("recipient_status != DISPUTED", invoice));
  EXPECT_TRUE(match("recipient_status != SERVICE_DONE", invoice));
}

TEST(InvoiceFilterTest, DatesTakeEveryOperator) {
  const v1::Invoice invoice = issued();  // issued 2026-10-01, due 2026-10-31
  EXPECT_TRUE(match("due_date = 2026-10-31", invoice));
  EXPECT_FALSE(match("due_date = 2026-10-30", invoice));
  EXPECT_TRUE(match("due_date != 2026-10-30", invoice));
  EXPECT_FALSE(match("due_date != 2026-10-31", invoice));
  EXPECT_TRUE(match("due_date < 2026-11-01", invoice));
  EXPECT_FALSE(match("due_date < 2026-10-31", invoice));
  EXPECT_TRUE(match("due_date <= 2026-10-31", invoice));
  EXPECT_FALSE(match("due_date <= 2026-10-30", invoice));
  EXPECT_TRUE(match("due_date > 2026-10-30", invoice));
  EXPECT_FALSE(match("due_date > 2026-10-31", invoice));
  EXPECT_TRUE(match("due_date >= 2026-10-31", invoice));
  EXPECT_FALSE(match("due_date >= 2026-11-01", invoice));
  EXPECT_TRUE(match("issue_date >= 2026-10-01 AND issue_date < 2026-11-01", invoice));
  EXPECT_FALSE(match("issue_date > 2026-10-01", invoice));
  EXPECT_TRUE(match("issue_date < 2027-01-01", invoice));  // across a year
}

TEST(InvoiceFilterTest, AnAbsentDateMatchesOnlyNotEqual) {
  const v1::Invoice invoice = draft();  // no issue date, no due date
  for (std::string_view op : {"=", "<", "<=", ">", ">="}) {
    EXPECT_FALSE(match(fmt::format("due_date {} 2026-10-31", op), invoice)) << op;
    EXPECT_FALSE(match(fmt::format("issue_date {} 2026-10-31", op), invoice)) << op;
  }
  EXPECT_TRUE(match("due_date != 2026-10-31", invoice));
  EXPECT_TRUE(match("issue_date != 2026-10-31", invoice));
}

TEST(InvoiceFilterTest, OverdueAsOfMeansOpenAndDueStrictlyBefore) {
  v1::Invoice invoice = issued();  // due 2026-10-31
  EXPECT_TRUE(match("overdue_as_of = 2026-11-23", invoice));
  EXPECT_TRUE(match("overdue_as_of = 2026-11-01", invoice));
  EXPECT_FALSE(match("overdue_as_of = 2026-10-31", invoice));  // due today: not yet late
  EXPECT_FALSE(match("overdue_as_of = 2026-10-01", invoice));
  invoice.set_status(v1::INVOICE_STATUS_PARTIALLY_PAID);
  EXPECT_TRUE(match("overdue_as_of = 2026-11-23", invoice));
  for (v1::InvoiceStatus closed : {v1::INVOICE_STATUS_PAID, v1::INVOICE_STATUS_VOID,
                                   v1::INVOICE_STATUS_UNCOLLECTIBLE, v1::INVOICE_STATUS_DRAFT}) {
    invoice.set_status(closed);
    EXPECT_FALSE(match("overdue_as_of = 2026-11-23", invoice)) << closed;
  }
  EXPECT_FALSE(match("overdue_as_of = 2026-11-23", draft()));
}

TEST(InvoiceFilterTest, EveryComparisonMustHold) {
  const v1::Invoice invoice = issued();
  EXPECT_TRUE(
      match("customer_id = c-42 AND status = ISSUED AND currency = EUR AND due_date < 2026-12-01",
            invoice));
  EXPECT_FALSE(
      match("customer_id = c-42 AND status = ISSUED AND currency = EUR AND due_date < 2026-10-01",
            invoice));
  EXPECT_FALSE(match("status = ISSUED AND status = PAID", invoice));
}

TEST(InvoiceFilterTest, CustomerIdEqualsFindsThePinnedCustomer) {
  const auto pinned = [](std::string_view text) {
    auto filter = parse_invoice_filter(text);
    EXPECT_TRUE(filter.ok()) << filter.status();
    return filter.ok() ? customer_id_equals(*filter) : std::nullopt;
  };
  EXPECT_EQ(pinned("status = ISSUED AND customer_id = \"c 42\""), "c 42");
  EXPECT_EQ(pinned("customer_id = a AND customer_id = b"), "a");
  EXPECT_EQ(pinned("customer_id != c-42"), std::nullopt);
  EXPECT_EQ(pinned("status = ISSUED"), std::nullopt);
  EXPECT_EQ(pinned(""), std::nullopt);
}

}  // namespace
}  // namespace arflow::invoicing
