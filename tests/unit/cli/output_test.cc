// What the CLI prints for people, and its JSON; invoicing's resources and payments'.

#include "output.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <sstream>

#include "output_payments.h"

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

const char* const kPartlyAllocated = R"pb(
  name: "tenants/dev/payments/pay-1"
  payment_id: "pay-1"
  customer_id: "c-42"
  amount { minor_units: 200000 currency: "EUR" }
  method: PAYMENT_METHOD_BANK_TRANSFER
  received_on { year: 2026 month: 11 day: 24 }
  external_reference: "BANK-7"
  remittance_text: "Invoice 2026-000001"
  status: PAYMENT_STATUS_PARTIALLY_APPLIED
  allocated { minor_units: 162000 currency: "EUR" }
  unapplied { minor_units: 28000 currency: "EUR" }
  refunded { minor_units: 10000 currency: "EUR" }
  charged_back { minor_units: 0 currency: "EUR" }
  allocations {
    allocation_id: "pay-1-a1"
    invoice_id: "inv-1"
    invoice_number: "2026-000001"
    amount { minor_units: 162000 currency: "EUR" }
    status: ALLOCATION_STATUS_APPLIED
  }
  allocations {
    allocation_id: "pay-1-a2"
    invoice_id: "inv-9"
    amount { minor_units: 500 currency: "EUR" }
    status: ALLOCATION_STATUS_RETURNED
    detail: "invoice inv-9 is void"
  }
  refunds {
    refund_id: "pay-1-r1"
    amount { minor_units: 10000 currency: "EUR" }
    reason: "overpaid"
  }
  history {
    version: 1
    actor: "treasury"
    occurred_at { seconds: 1795478400 }
    payment_recorded { amount { minor_units: 200000 currency: "EUR" } }
  }
  history {
    version: 2
    actor: "treasury"
    occurred_at { seconds: 1795478400 }
    payment_allocated {
      invoice_id: "inv-1"
      invoice_number: "2026-000001"
      amount { minor_units: 162000 currency: "EUR" }
    }
  }
)pb";

TEST(PaymentOutputTest, Values) {
  EXPECT_EQ(payment_status_text(pay::PAYMENT_STATUS_CHARGED_BACK), "CHARGED_BACK");
  EXPECT_EQ(payment_method_text(pay::PAYMENT_METHOD_DIRECT_DEBIT), "direct-debit");
  EXPECT_EQ(payment_method_text(pay::PAYMENT_METHOD_UNSPECIFIED), "-");
  EXPECT_EQ(allocation_status_text(pay::ALLOCATION_STATUS_PENDING), "PENDING");
}

TEST(PaymentOutputTest, SummaryAllocationsAndRefunds) {
  const auto payment = parse_text<pay::Payment>(kPartlyAllocated);
  std::ostringstream out;
  print_payment(out, payment, false);
  EXPECT_EQ(out.str(),
            "payment pay-1  PARTIALLY_APPLIED\n"
            "  customer      c-42\n"
            "  amount        2000.00 EUR\n"
            "  method        bank-transfer\n"
            "  received on   2026-11-24\n"
            "  reference     BANK-7\n"
            "  remittance    Invoice 2026-000001\n"
            "  allocated     1620.00 EUR\n"
            "  unapplied     280.00 EUR\n"
            "  refunded      100.00 EUR\n"
            "  allocations\n"
            "    INVOICE  NUMBER            AMOUNT  STATUS    DETAIL\n"
            "    inv-1    2026-000001  1620.00 EUR  APPLIED\n"
            "    inv-9    -               5.00 EUR  RETURNED  invoice inv-9 is void\n"
            "  refunds\n"
            "    REFUND        AMOUNT  REASON\n"
            "    pay-1-r1  100.00 EUR  overpaid\n");

  std::ostringstream with_history;
  print_payment(with_history, payment, true);
  EXPECT_THAT(with_history.str(),
              HasSubstr("  history\n"
                        "    V  OCCURRED              EVENT              ACTOR     DETAIL\n"
                        "    1  2026-11-24T00:00:00Z  payment_recorded   treasury  2000.00 EUR\n"
                        "    2  2026-11-24T00:00:00Z  payment_allocated  treasury  2026-000001 "
                        "1620.00 EUR\n"));
}

TEST(PaymentOutputTest, ChargedBack) {
  auto payment = parse_text<pay::Payment>(kPartlyAllocated);
  payment.set_status(pay::PAYMENT_STATUS_CHARGED_BACK);
  payment.mutable_charged_back()->set_minor_units(190000);
  payment.set_charge_back_reason("R01 insufficient funds");
  std::ostringstream out;
  print_payment(out, payment, false);
  EXPECT_THAT(out.str(), HasSubstr("payment pay-1  CHARGED_BACK\n"));
  EXPECT_THAT(out.str(), HasSubstr("  charged back  1900.00 EUR: R01 insufficient funds\n"));
}

TEST(PaymentOutputTest, Table) {
  auto unapplied = parse_text<pay::Payment>(R"pb(
    payment_id: "pay-2"
    customer_id: "c-7"
    amount { minor_units: 5000 currency: "EUR" }
    method: PAYMENT_METHOD_CARD
    received_on { year: 2026 month: 12 day: 1 }
    status: PAYMENT_STATUS_UNAPPLIED
    unapplied { minor_units: 5000 currency: "EUR" }
  )pb");
  std::ostringstream out;
  print_payment_table(out, {parse_text<pay::Payment>(kPartlyAllocated), unapplied});
  EXPECT_EQ(out.str(),
            "PAYMENT  CUSTOMER  RECEIVED    METHOD         STATUS                  AMOUNT   "
            "UNAPPLIED\n"
            "pay-1    c-42      2026-11-24  bank-transfer  PARTIALLY_APPLIED  2000.00 EUR  "
            "280.00 EUR\n"
            "pay-2    c-7       2026-12-01  card           UNAPPLIED            50.00 EUR   "
            "50.00 EUR\n");
}

TEST(PaymentOutputTest, CustomerCredit) {
  std::ostringstream out;
  print_customer_credit(out, parse_text<pay::CustomerCredit>(R"pb(
                          customer: "tenants/dev/customers/c-42"
                          balances { minor_units: 28000 currency: "EUR" }
                          balances { minor_units: 1500 currency: "USD" }
                          payment_ids: [ "pay-1", "pay-3" ]
                        )pb"));
  EXPECT_EQ(out.str(),
            "credit of tenants/dev/customers/c-42\n"
            "  balance       280.00 EUR\n"
            "  balance       15.00 USD\n"
            "  from payments pay-1, pay-3\n");

  std::ostringstream none;
  print_customer_credit(
      none, parse_text<pay::CustomerCredit>(R"pb(customer: "tenants/dev/customers/c-7")pb"));
  EXPECT_EQ(none.str(), "credit of tenants/dev/customers/c-7\n  balance       none\n");
}

TEST(PaymentOutputTest, OpenInvoices) {
  std::ostringstream out;
  print_open_invoices(out, parse_text<pay::ListOpenInvoicesResponse>(R"pb(
                        invoices {
                          invoice_id: "inv-1"
                          number: "2026-000001"
                          due_date { year: 2026 month: 12 day: 24 }
                          balance { minor_units: 162000 currency: "EUR" }
                          in_flight { minor_units: 40000 currency: "EUR" }
                          open { minor_units: 122000 currency: "EUR" }
                        }
                      )pb"));
  EXPECT_EQ(out.str(),
            "INVOICE  NUMBER       DUE             BALANCE   IN FLIGHT         OPEN\n"
            "inv-1    2026-000001  2026-12-24  1620.00 EUR  400.00 EUR  1220.00 EUR\n");
  std::ostringstream none;
  print_open_invoices(none, pay::ListOpenInvoicesResponse());
  EXPECT_EQ(none.str(), "no open invoices\n");
}

}  // namespace
}  // namespace arflow::cli
