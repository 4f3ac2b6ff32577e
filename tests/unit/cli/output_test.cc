// What the CLI prints for people, and its JSON.

#include "output.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <sstream>

namespace arflow::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

template <class M>
M parse_text(const std::string& text) {
  M m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

TEST(OutputTest, Values) {
  EXPECT_EQ(bps_text(2000), "20%");
  EXPECT_EQ(bps_text(550), "5.5%");
  EXPECT_EQ(bps_text(555), "5.55%");
  EXPECT_EQ(bps_text(5), "0.05%");
  EXPECT_EQ(bps_text(0), "0%");
  EXPECT_EQ(money_text(parse_text<common::Money>(R"pb(minor_units: -5 currency: "EUR")pb")),
            "-0.05 EUR");
  EXPECT_EQ(money_text(parse_text<common::Money>(R"pb(minor_units: 1234 currency: "JPY")pb")),
            "1234 JPY");
  EXPECT_EQ(money_text(common::Money()), "-");
  EXPECT_EQ(date_text(parse_text<common::Date>("year: 2026 month: 3 day: 2")), "2026-03-02");
  EXPECT_EQ(date_text(common::Date()), "-");
  EXPECT_EQ(terms_text(parse_text<v1::PaymentTerms>("kind: KIND_END_OF_MONTH_PLUS days: 15")),
            "end of month + 15 days");
  EXPECT_EQ(terms_text(v1::PaymentTerms()), "customer default");
  EXPECT_EQ(status_text(v1::INVOICE_STATUS_PARTIALLY_PAID), "PARTIALLY_PAID");
  EXPECT_EQ(recipient_status_text(v1::RECIPIENT_STATUS_SERVICE_DONE), "service-done");
}

TEST(OutputTest, JsonIsOneLine) {
  v1::Invoice invoice;
  invoice.set_invoice_id("inv-1");
  invoice.set_status(v1::INVOICE_STATUS_ISSUED);
  invoice.mutable_total()->set_minor_units(162000);
  invoice.mutable_total()->set_currency("EUR");
  EXPECT_EQ(to_json(invoice), R"({"invoiceId":"inv-1","status":"INVOICE_STATUS_ISSUED",)"
                              R"("total":{"minorUnits":"162000","currency":"EUR"}})");
}

TEST(OutputTest, InvoiceWithHistory) {
  const auto invoice = parse_text<v1::Invoice>(R"pb(
    invoice_id: "inv-1"
    customer_id: "c-42"
    status: INVOICE_STATUS_PARTIALLY_PAID
    number: "2026-000001"
    content {
      currency: "EUR"
      lines {
        description: "Licence"
        quantity { units: 15 scale: 1 }
        unit_price { minor_units: 9990 currency: "EUR" }
        discount_bps: 1000
        tax_rate_bps: 550
      }
      early_payment_discount { rate_bps: 200 days: 10 }
      late_payment_terms {
        penalty_rate_bps: 1200
        recovery_indemnity { minor_units: 4000 currency: "EUR" }
      }
    }
    issue_date { year: 2026 month: 11 day: 23 }
    early_payment_deadline { year: 2026 month: 12 day: 3 }
    line_net_amounts { minor_units: 13487 currency: "EUR" }
    total { minor_units: 14229 currency: "EUR" }
    paid { minor_units: 4229 currency: "EUR" }
    fees { minor_units: 0 currency: "EUR" }
    balance { minor_units: 10000 currency: "EUR" }
    recipient_status: RECIPIENT_STATUS_DISPUTED
    recipient_status_reason: "wrong PO"
    history {
      version: 1
      actor: "billing-1"
      occurred_at { seconds: 1795392000 }
      invoice_drafted { invoice_id: "inv-1" }
    }
    history {
      version: 2
      actor: "payments"
      occurred_at { seconds: 1795478400 }
      payment_applied { amount { minor_units: 4229 currency: "EUR" } }
    }
  )pb");
  std::ostringstream out;
  print_invoice(out, invoice, true);
  const std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("invoice inv-1  2026-000001  PARTIALLY_PAID\n"));
  EXPECT_THAT(text, HasSubstr("1  Licence      1.5   99.90 EUR  -10%  5.5%  134.87 EUR\n"));
  EXPECT_THAT(text, HasSubstr("early payment 2% off within 10 days (by 2026-12-03)"));
  EXPECT_THAT(text, HasSubstr("late payment  penalty 12% a year, recovery indemnity 40.00 EUR"));
  EXPECT_THAT(text, HasSubstr("paid          42.29 EUR"));
  EXPECT_THAT(text, Not(HasSubstr("fees")));  // zero
  EXPECT_THAT(text, HasSubstr("recipient     disputed: wrong PO"));
  EXPECT_THAT(text, HasSubstr("1  2026-11-23T00:00:00Z  invoice_drafted  billing-1\n"));
  EXPECT_THAT(text, HasSubstr("payment_applied  payments   42.29 EUR\n"));

  std::ostringstream without;
  print_invoice(without, invoice, false);
  EXPECT_THAT(without.str(), Not(HasSubstr("history")));
}

TEST(OutputTest, Statement) {
  const auto statement = parse_text<v1::CustomerStatement>(R"pb(
    customer: "tenants/dev/customers/c-42"
    as_of { year: 2027 month: 1 day: 10 }
    open_items {
      invoice_id: "inv-1"
      number: "2026-000001"
      issue_date { year: 2026 month: 11 day: 23 }
      due_date { year: 2026 month: 12 day: 23 }
      amount_due { minor_units: 162000 currency: "EUR" }
      balance { minor_units: 100000 currency: "EUR" }
      status: INVOICE_STATUS_PARTIALLY_PAID
      days_late: 18
    }
    balances { minor_units: 100000 currency: "EUR" }
    overdue { minor_units: 100000 currency: "EUR" }
  )pb");
  std::ostringstream out;
  print_statement(out, statement);
  EXPECT_EQ(out.str(),
            "statement of tenants/dev/customers/c-42 as of 2027-01-10\n"
            "NUMBER       INVOICE  ISSUED      DUE          AMOUNT DUE      BALANCE  DAYS LATE  "
            "STATUS          RECIPIENT\n"
            "2026-000001  inv-1    2026-11-23  2026-12-23  1620.00 EUR  1000.00 EUR         18  "
            "PARTIALLY_PAID  -\n"
            "balance  1000.00 EUR\n"
            "overdue  1000.00 EUR\n");
}

}  // namespace
}  // namespace arflow::cli
