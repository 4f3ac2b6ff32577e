// From the flags given to the requests sent: names, masks, content, issue; payments and
// customer credit.

#include "requests.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "requests_payments.h"

namespace arflow::cli {
namespace {

using ::testing::ElementsAre;

template <class M>
M parse_text(const std::string& text) {
  M m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

MATCHER_P(EqualsProto, expected, "") {
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  if (!differencer.Compare(arg, expected)) {
    *result_listener << diff;
    return false;
  }
  return true;
}

TEST(CreateInvoiceTest, FullRequest) {
  InvoiceFlags flags{.customer_id = "c-42",
                     .currency = "EUR",
                     .lines = {"Consulting;3;450.00;20", "Travel;1;120.5;10;5"},
                     .terms = "eom:15",
                     .early_discount = "2%:10",
                     .late_penalty = "12%",
                     .recovery_indemnity = "40.00",
                     .issue = true,
                     .series = "2026",
                     .issue_date = "2026-11-23"};
  flags.deduct = {"dep-1"};
  const auto request = build_create_invoice("acme", "inv-1", flags, "req-1");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(*request, EqualsProto(parse_text<v1::CreateInvoiceRequest>(R"pb(
    parent: "tenants/acme"
    invoice_id: "inv-1"
    customer_id: "c-42"
    request_id: "req-1"
    content {
      currency: "EUR"
      kind: INVOICE_KIND_STANDARD
      lines {
        description: "Consulting"
        quantity { units: 3 scale: 0 }
        unit_price { minor_units: 45000 currency: "EUR" }
        tax_rate_bps: 2000
      }
      lines {
        description: "Travel"
        quantity { units: 1 }
        unit_price { minor_units: 12050 currency: "EUR" }
        tax_rate_bps: 1000
        discount_bps: 500
      }
      payment_terms { kind: KIND_END_OF_MONTH_PLUS days: 15 }
      early_payment_discount { rate_bps: 200 days: 10 }
      late_payment_terms {
        penalty_rate_bps: 1200
        recovery_indemnity { minor_units: 4000 currency: "EUR" }
      }
      deposit_invoice_ids: "dep-1"
    }
    issue: true
    series: "2026"
    issue_date { year: 2026 month: 11 day: 23 }
  )pb")));
}

TEST(CreateInvoiceTest, DraftDepositWithoutTerms) {
  InvoiceFlags flags{.customer_id = "c-1", .currency = "EUR", .lines = {"Deposit;1;1000;20"}};
  flags.deposit = true;
  const auto request = build_create_invoice("dev", "dep-1", flags, "r").value();
  EXPECT_EQ(request.content().kind(), v1::INVOICE_KIND_DEPOSIT);
  EXPECT_FALSE(request.content().has_payment_terms());  // the customer's default applies
  EXPECT_FALSE(request.content().has_late_payment_terms());
  EXPECT_FALSE(request.issue());
  EXPECT_TRUE(request.series().empty());
}

TEST(CreateInvoiceTest, RefusalsNameTheFlag) {
  InvoiceFlags flags{.customer_id = "c-1", .currency = "EUR", .lines = {"A;1;1;20", "B;x;1;20"}};
  EXPECT_EQ(build_create_invoice("dev", "i", flags, "r").status().message(),
            "--line 2: quantity \"x\" must be a decimal number > 0, like 3 or 1.5");
  flags.lines = {"A;1;1;20"};
  flags.issue = true;
  EXPECT_EQ(build_create_invoice("dev", "i", flags, "r").status().message(),
            "--series: is required with --issue, like --series 2026");
  flags.issue = false;
  flags.issue_date = "2026-01-01";
  EXPECT_EQ(build_create_invoice("dev", "i", flags, "r").status().message(),
            "--issue-date: only goes with --issue (a draft has no number yet)");
  flags.issue_date.reset();
  flags.currency = "eur";
  EXPECT_EQ(build_create_invoice("dev", "i", flags, "r").status().message(),
            "--currency: \"eur\" must be an ISO 4217 currency code like EUR");
  flags.currency = "EUR";
  flags.recovery_indemnity = "40 USD";
  EXPECT_EQ(build_create_invoice("dev", "i", flags, "r").status().message(),
            "--recovery-indemnity: \"40 USD\" must be in EUR, the document's currency");
  flags.recovery_indemnity.reset();
  flags.lines.clear();
  EXPECT_EQ(build_create_invoice("dev", "i", flags, "r").status().code(),
            absl::StatusCode::kInvalidArgument);
  flags.lines = {"A;1;1;20"};
  EXPECT_EQ(build_create_invoice("dev", "x/y", flags, "r").status().message(),
            "invoice_id: \"x/y\" must be 1 to 128 of A-Z a-z 0-9 - _ . :");
}

TEST(CustomerTest, CreateWithEveryField) {
  CustomerFlags flags{.name = "Acme SAS",
                      .profile = "business",
                      .language = "fr",
                      .emails = std::vector<std::string>{"a@acme.fr", "b@acme.fr"},
                      .address_lines = std::vector<std::string>{"1 rue de la Paix"},
                      .postal_code = "75002",
                      .city = "Paris",
                      .country = "FR",
                      .tax_id = "FR12345678901",
                      .terms = "net:30",
                      .credit_limit = "5000.00 EUR"};
  const auto request = build_create_customer("dev", "c-42", flags, "r-1");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(*request, EqualsProto(parse_text<v1::CreateCustomerRequest>(R"pb(
    parent: "tenants/dev"
    customer_id: "c-42"
    request_id: "r-1"
    details {
      legal_name: "Acme SAS"
      profile: CUSTOMER_PROFILE_BUSINESS
      language: "fr"
      contact_emails: [ "a@acme.fr", "b@acme.fr" ]
      billing_address { lines: "1 rue de la Paix" postal_code: "75002" city: "Paris" country: "FR" }
      tax_id: "FR12345678901"
      default_payment_terms { kind: KIND_NET_DAYS days: 30 }
      credit_limit { minor_units: 500000 currency: "EUR" }
    }
  )pb")));
}

TEST(CustomerTest, UpdateMasksOnlyTheFlagsGiven) {
  CustomerFlags flags{.language = "en", .terms = "receipt"};
  const auto request = build_update_customer("dev", "c-42", flags, "r-2").value();
  EXPECT_EQ(request.name(), "tenants/dev/customers/c-42");
  EXPECT_THAT(request.update_mask().paths(), ElementsAre("language", "default_payment_terms"));
  EXPECT_EQ(request.details().language(), "en");
  EXPECT_EQ(request.details().default_payment_terms().kind(),
            v1::PaymentTerms::KIND_DUE_ON_RECEIPT);
  EXPECT_TRUE(request.details().legal_name().empty());
}

TEST(CustomerTest, UpdateOfPartOfTheAddressKeepsTheRest) {
  const auto current = parse_text<v1::PostalAddress>(
      R"pb(lines: "1 rue de la Paix" postal_code: "75002" city: "Paris" country: "FR")pb");
  CustomerFlags flags{.postal_code = "69001", .city = "Lyon"};
  const auto request = build_update_customer("dev", "c-42", flags, "r", &current).value();
  EXPECT_THAT(request.update_mask().paths(), ElementsAre("billing_address"));
  EXPECT_THAT(request.details().billing_address(),
              EqualsProto(parse_text<v1::PostalAddress>(R"pb(lines: "1 rue de la Paix"
                                                             postal_code: "69001"
                                                             city: "Lyon"
                                                             country: "FR")pb")));
}

TEST(CustomerTest, UpdateRemovesTheCreditLimitWithNone) {
  CustomerFlags flags{.credit_limit = "none"};
  const auto request = build_update_customer("dev", "c-42", flags, "r").value();
  EXPECT_THAT(request.update_mask().paths(), ElementsAre("credit_limit"));
  EXPECT_FALSE(request.details().has_credit_limit());
}

TEST(CustomerTest, Refusals) {
  EXPECT_EQ(build_update_customer("dev", "c-42", CustomerFlags{}, "r").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      build_create_customer("dev", "c", CustomerFlags{.profile = "corp"}, "r").status().message(),
      "--profile: \"corp\" must be business, administration or individual");
  EXPECT_EQ(
      build_create_customer("dev", "c", CustomerFlags{.country = "France"}, "r").status().message(),
      "--country: \"France\" must be an ISO 3166-1 alpha-2 code like FR");
  EXPECT_EQ(build_create_customer("dev", "c", CustomerFlags{.credit_limit = "5000"}, "r")
                .status()
                .message(),
            "--credit-limit: \"5000\" must be an amount and a currency, like \"5000.00 EUR\"");
}

TEST(CreditNoteTest, FullOrLines) {
  CreditNoteFlags full{.credit_note_id = "cn-1", .series = "CN-2026", .reason = "cancelled"};
  full.full = true;
  const auto request = build_credit_note("dev", "inv-1", full, "", "r").value();
  EXPECT_EQ(request.name(), "tenants/dev/invoices/inv-1");
  EXPECT_TRUE(request.full());
  EXPECT_EQ(request.lines_size(), 0);

  CreditNoteFlags partial{.credit_note_id = "cn-2",
                          .series = "CN-2026",
                          .issue_date = "2026-12-01",
                          .reason = "one day less",
                          .lines = {"Consulting;1;450.00;20"}};
  const auto p = build_credit_note("dev", "inv-1", partial, "EUR", "r").value();
  EXPECT_FALSE(p.full());
  ASSERT_EQ(p.lines_size(), 1);
  EXPECT_EQ(p.lines(0).unit_price().minor_units(), 45000);
  EXPECT_EQ(p.issue_date().month(), 12U);

  CreditNoteFlags neither{.credit_note_id = "cn-3", .series = "CN-2026", .reason = "x"};
  EXPECT_EQ(build_credit_note("dev", "inv-1", neither, "EUR", "r").status().message(),
            "--full: give either --full or the lines to credit (--line ...), not both");
}

TEST(LateFeeTest, AmountInTheInvoiceCurrency) {
  FeeFlags flags{.source_id = "evt-1", .kind = "indemnity", .amount = "40.00"};
  const auto request = build_late_fee("dev", "inv-1", flags, "EUR", "r").value();
  EXPECT_EQ(request.kind(), v1::LATE_FEE_KIND_RECOVERY_INDEMNITY);
  EXPECT_EQ(request.amount().minor_units(), 4000);
  EXPECT_EQ(request.amount().currency(), "EUR");
  EXPECT_TRUE(amount_has_currency("40.00 EUR"));
  EXPECT_FALSE(amount_has_currency("40.00"));
  flags.amount = "0";
  EXPECT_EQ(build_late_fee("dev", "inv-1", flags, "EUR", "r").status().message(),
            "--amount: must be > 0");
}

TEST(IssueTest, SeriesAndDate) {
  const auto request =
      build_issue_invoice("dev", "inv-1", "2026", std::string("2026-11-23"), "r").value();
  EXPECT_EQ(request.name(), "tenants/dev/invoices/inv-1");
  EXPECT_EQ(request.series(), "2026");
  EXPECT_EQ(request.issue_date().day(), 23U);
  EXPECT_FALSE(
      build_issue_invoice("dev", "inv-1", "2026", std::nullopt, "r").value().has_issue_date());
}

TEST(RecordPaymentTest, FullRequest) {
  const PaymentFlags flags{.customer_id = "c-42",
                           .amount = "1620.00 EUR",
                           .method = "direct-debit",
                           .received_on = "2026-11-24",
                           .reference = "BANK-2026-7",
                           .remittance = "Invoice 2026-000001",
                           .auto_allocate = true};
  const auto request = build_record_payment("acme", "pay-1", flags, "req-1");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(*request, EqualsProto(parse_text<pay::RecordPaymentRequest>(R"pb(
    parent: "tenants/acme"
    payment_id: "pay-1"
    customer_id: "c-42"
    amount { minor_units: 162000 currency: "EUR" }
    method: PAYMENT_METHOD_DIRECT_DEBIT
    received_on { year: 2026 month: 11 day: 24 }
    external_reference: "BANK-2026-7"
    remittance_text: "Invoice 2026-000001"
    request_id: "req-1"
    auto_allocate: true
  )pb")));
}

TEST(RecordPaymentTest, DefaultsToABankTransferReceivedToday) {
  const auto request =
      build_record_payment("dev", "pay-2", PaymentFlags{.customer_id = "c-1", .amount = "5 JPY"},
                           "r")
          .value();
  EXPECT_EQ(request.method(), pay::PAYMENT_METHOD_BANK_TRANSFER);
  EXPECT_FALSE(request.has_received_on());  // the service's today
  EXPECT_FALSE(request.auto_allocate());
  EXPECT_EQ(request.amount().minor_units(), 5);
}

TEST(RecordPaymentTest, RefusalsNameTheFlag) {
  PaymentFlags flags{.customer_id = "c-1", .amount = "100.00"};
  const auto message = [&] {
    return std::string(build_record_payment("dev", "pay-1", flags, "r").status().message());
  };
  EXPECT_EQ(message(),
            "--amount: \"100.00\" must be an amount and a currency, like \"5000.00 EUR\"");
  flags.amount = "0 EUR";
  EXPECT_EQ(message(), "--amount: must be > 0");
  flags.amount = "-5.00 EUR";
  EXPECT_EQ(message(), "--amount: must be > 0");
  flags.amount = "10.001 EUR";
  EXPECT_EQ(message(),
            "--amount: \"10.001\" must be an amount in EUR with at most 2 decimals, like 0.00 EUR");
  flags.amount = "10 EUR";
  flags.method = "wire";
  EXPECT_EQ(message(),
            "--method: \"wire\" must be one of bank-transfer, card, direct-debit, check, cash, "
            "other");
  flags.method = "card";
  flags.received_on = "2026-02-30";
  EXPECT_EQ(message(), "--received-on: \"2026-02-30\" is not a calendar date");
  flags.received_on.reset();
  flags.customer_id = "";
  EXPECT_EQ(message(), "--customer: \"\" must be 1 to 128 of A-Z a-z 0-9 - _ . :");
  flags.customer_id = "c-1";
  EXPECT_EQ(build_record_payment("dev", "pay 1", flags, "r").status().message(),
            "payment_id: \"pay 1\" must be 1 to 128 of A-Z a-z 0-9 - _ . :");
}

TEST(AllocatePaymentTest, AmountsInThePaymentCurrencyOrTheirOwn) {
  const auto request = build_allocate_payment("dev", "pay-1", {"inv-1=40.00", "inv-2=2.5 EUR"},
                                              std::string("EUR"), "r-1");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(*request, EqualsProto(parse_text<pay::AllocatePaymentRequest>(R"pb(
    name: "tenants/dev/payments/pay-1"
    allocations {
      invoice_id: "inv-1"
      amount { minor_units: 4000 currency: "EUR" }
    }
    allocations {
      invoice_id: "inv-2"
      amount { minor_units: 250 currency: "EUR" }
    }
    request_id: "r-1"
  )pb")));
  // Every amount names its currency: the payment's is not needed.
  EXPECT_TRUE(build_allocate_payment("dev", "pay-1", {"inv-1=1 USD"}, std::nullopt, "r").ok());
}

TEST(AllocatePaymentTest, RefusalsNameTheAllocation) {
  const std::optional<std::string> eur = "EUR";
  const auto message = [&](const std::vector<std::string>& allocations,
                           const std::optional<std::string>& currency) {
    return std::string(
        build_allocate_payment("dev", "pay-1", allocations, currency, "r").status().message());
  };
  EXPECT_EQ(message({"inv-1=40", "inv-2"}, eur),
            "--invoice 2: \"inv-2\" must be INVOICE_ID=AMOUNT, like inv-1=40.00 or "
            "\"inv-1=40.00 EUR\"");
  EXPECT_EQ(message({"inv-1=40 USD"}, eur),
            "--invoice 1: \"40 USD\" must be in EUR, the document's currency");
  EXPECT_EQ(message({"inv-1=0"}, eur), "--invoice 1: must be > 0");
  EXPECT_EQ(message({"inv-1=40", "inv-1=2"}, eur),
            "--invoice 2: invoice inv-1 is allocated twice (one --invoice per invoice)");
  EXPECT_EQ(message({"inv/1=40"}, eur),
            "--invoice 1: \"inv/1\" must be 1 to 128 of A-Z a-z 0-9 - _ . :");
  EXPECT_EQ(message({"inv-1=40"}, std::nullopt),
            "--invoice 1: \"40\" must be an amount and a currency, like \"5000.00 EUR\"");
  EXPECT_EQ(message({"inv-1=40"}, std::string("eur")),
            "--currency: \"eur\" must be an ISO 4217 currency code like EUR");
  EXPECT_EQ(build_allocate_payment("dev", "pay-1", {}, eur, "r").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RefundPaymentTest, AllOrPart) {
  const auto all = build_refund_payment("dev", "pay-1", RefundFlags{.reason = "closed account"},
                                        std::nullopt, "r")
                       .value();
  EXPECT_EQ(all.name(), "tenants/dev/payments/pay-1");
  EXPECT_FALSE(all.has_amount());  // all that is unapplied
  EXPECT_EQ(all.reason(), "closed account");

  const auto part =
      build_refund_payment("dev", "pay-1", RefundFlags{.amount = "10"}, std::string("EUR"), "r")
          .value();
  EXPECT_EQ(part.amount().minor_units(), 1000);
  EXPECT_EQ(part.amount().currency(), "EUR");
  EXPECT_EQ(
      build_refund_payment("dev", "pay-1", RefundFlags{.amount = "0"}, std::string("EUR"), "r")
          .status()
          .message(),
      "--amount: must be > 0");
}

TEST(ChargeBackTest, ReasonRequiredDateOptional) {
  const auto request =
      build_charge_back("dev", "pay-1", ChargeBackFlags{.reason = "R01", .on = "2026-12-02"}, "r")
          .value();
  EXPECT_EQ(request.name(), "tenants/dev/payments/pay-1");
  EXPECT_EQ(request.reason(), "R01");
  EXPECT_EQ(request.charged_back_on().day(), 2U);
  EXPECT_FALSE(build_charge_back("dev", "pay-1", ChargeBackFlags{.reason = "R01"}, "r")
                   ->has_charged_back_on());
  EXPECT_EQ(build_charge_back("dev", "pay-1", ChargeBackFlags{}, "r").status().message(),
            "--reason: must say what the bank said, like --reason \"disputed\"");
  EXPECT_EQ(build_charge_back("dev", "pay-1", ChargeBackFlags{.reason = "x", .on = "2026-1-2"}, "r")
                .status()
                .message(),
            "--on: \"2026-1-2\" must be a date YYYY-MM-DD");
}

TEST(CustomerCreditTest, ApplyAndRefund) {
  const auto apply =
      build_apply_credit("dev", "c-42", CreditFlags{.invoice_id = "inv-1", .amount = "40.00"},
                         std::string("EUR"), "r-1");
  ASSERT_TRUE(apply.ok()) << apply.status();
  EXPECT_THAT(*apply, EqualsProto(parse_text<pay::ApplyCustomerCreditRequest>(R"pb(
    customer: "tenants/dev/customers/c-42"
    allocation {
      invoice_id: "inv-1"
      amount { minor_units: 4000 currency: "EUR" }
    }
    request_id: "r-1"
  )pb")));
  EXPECT_EQ(build_apply_credit("dev", "c-42", CreditFlags{.invoice_id = "", .amount = "1"},
                               std::string("EUR"), "r")
                .status()
                .message(),
            "--invoice: \"\" must be 1 to 128 of A-Z a-z 0-9 - _ . :");

  const auto refund =
      build_refund_credit("dev", "c-42", CreditFlags{.amount = "10.00 EUR", .reason = "closing"},
                          "r-2")
          .value();
  EXPECT_EQ(refund.customer(), "tenants/dev/customers/c-42");
  EXPECT_EQ(refund.amount().minor_units(), 1000);
  EXPECT_EQ(refund.reason(), "closing");
  // The currency says which credit: it is never guessed.
  EXPECT_EQ(
      build_refund_credit("dev", "c-42", CreditFlags{.amount = "10.00"}, "r").status().message(),
      "--amount: \"10.00\" must be an amount and a currency, like \"5000.00 EUR\"");
}

}  // namespace
}  // namespace arflow::cli
