// The CLI's parsers: exact decimals, minor units and basis points; errors name the flag.

#include "input.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace arflow::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(PercentTest, BasisPointsExactly) {
  EXPECT_EQ(parse_percent_bps("20", "--x").value(), 2000);
  EXPECT_EQ(parse_percent_bps("5.5", "--x").value(), 550);
  EXPECT_EQ(parse_percent_bps("5.55", "--x").value(), 555);
  EXPECT_EQ(parse_percent_bps("0.01", "--x").value(), 1);
  EXPECT_EQ(parse_percent_bps("0", "--x").value(), 0);
  EXPECT_EQ(parse_percent_bps("100", "--x").value(), 10000);
  EXPECT_EQ(parse_percent_bps("12%", "--x").value(), 1200);
  EXPECT_EQ(parse_percent_bps("2.50%", "--x").value(), 250);
}

TEST(PercentTest, RefusesWhatIsNotExact) {
  const auto too_precise = parse_percent_bps("5.555", "--late-penalty");
  ASSERT_FALSE(too_precise.ok());
  EXPECT_EQ(too_precise.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(too_precise.status().message(),
            "--late-penalty: \"5.555\" must have at most 2 decimals");
  EXPECT_THAT(std::string(parse_percent_bps("100.01", "--x").status().message()),
              HasSubstr("at most 100%"));
  EXPECT_THAT(std::string(parse_percent_bps("-1", "--x").status().message()), StartsWith("--x: "));
  for (const char* bad : {"", "%", "1e2", "+5", "5.", ".5", "20 %", "abc", "1,5"}) {
    EXPECT_FALSE(parse_percent_bps(bad, "--x").ok()) << bad;
  }
}

TEST(TermsTest, Kinds) {
  const auto net = parse_terms("net:30", "--terms").value();
  EXPECT_EQ(net.kind(), v1::PaymentTerms::KIND_NET_DAYS);
  EXPECT_EQ(net.days(), 30U);
  const auto eom = parse_terms("eom:15", "--terms").value();
  EXPECT_EQ(eom.kind(), v1::PaymentTerms::KIND_END_OF_MONTH_PLUS);
  EXPECT_EQ(eom.days(), 15U);
  const auto receipt = parse_terms("receipt", "--terms").value();
  EXPECT_EQ(receipt.kind(), v1::PaymentTerms::KIND_DUE_ON_RECEIPT);
  EXPECT_EQ(receipt.days(), 0U);
  EXPECT_EQ(parse_terms("net:0", "--terms").value().days(), 0U);
  EXPECT_EQ(parse_terms("net:365", "--terms").value().days(), 365U);
}

TEST(TermsTest, ErrorsNameTheFlagAndTheRule) {
  EXPECT_EQ(parse_terms("net30", "--terms").status().message(),
            "--terms: \"net30\" must be net:<days>, eom:<days> or receipt");
  EXPECT_EQ(parse_terms("net:366", "--terms").status().message(),
            "--terms: days 366 must be at most 365 days");
  EXPECT_THAT(std::string(parse_terms("eom:x", "--terms").status().message()),
              HasSubstr("must be a whole number of days"));
  for (const char* bad : {"", "net:", "net:-1", "eom:1.5", "receipt:3", "NET:30", "net:+3"}) {
    EXPECT_FALSE(parse_terms(bad, "--terms").ok()) << bad;
  }
}

TEST(DateTest, CalendarDates) {
  const auto d = parse_date("2026-11-23", "--issue-date").value();
  EXPECT_EQ(d.year(), 2026);
  EXPECT_EQ(d.month(), 11U);
  EXPECT_EQ(d.day(), 23U);
  EXPECT_TRUE(parse_date("2028-02-29", "--as-of").ok());
  EXPECT_EQ(parse_date("2026-02-29", "--as-of").status().message(),
            "--as-of: \"2026-02-29\" is not a calendar date");
  EXPECT_EQ(parse_date("23/11/2026", "--as-of").status().message(),
            "--as-of: \"23/11/2026\" must be a date YYYY-MM-DD");
  for (const char* bad : {"2026-13-01", "2026-00-10", "2026-1-5", "2026-11-31", "0000-01-01"}) {
    EXPECT_FALSE(parse_date(bad, "--as-of").ok()) << bad;
  }
}

TEST(MoneyTest, AmountsInMinorUnits) {
  const auto eur = parse_money_text("5000.00 EUR", "--credit-limit").value();
  EXPECT_EQ(eur.minor_units(), 500000);
  EXPECT_EQ(eur.currency(), "EUR");
  EXPECT_EQ(parse_money_text("1234 JPY", "--x").value().minor_units(), 1234);
  EXPECT_EQ(parse_money_text("1.234 KWD", "--x").value().minor_units(), 1234);
  EXPECT_EQ(parse_money_text("40", "--x", "EUR").value().minor_units(), 4000);
  EXPECT_EQ(parse_money_text("40.5 EUR", "--x", "EUR").value().minor_units(), 4050);
}

TEST(MoneyTest, Refusals) {
  EXPECT_EQ(parse_money_text("5000.00", "--credit-limit").status().message(),
            "--credit-limit: \"5000.00\" must be an amount and a currency, like \"5000.00 EUR\"");
  EXPECT_EQ(parse_money_text("1.234 EUR", "--x").status().message(),
            "--x: \"1.234\" must be an amount in EUR with at most 2 decimals, like 0.00 EUR");
  EXPECT_EQ(parse_money_text("10 USD", "--amount", "EUR").status().message(),
            "--amount: \"10 USD\" must be in EUR, the document's currency");
  EXPECT_THAT(std::string(parse_money_text("10 XXY", "--x").status().message()),
              HasSubstr("must be an ISO 4217 currency code"));
  EXPECT_FALSE(parse_money_text("1.5 JPY", "--x").ok());
  EXPECT_FALSE(parse_money_text("1,50 EUR", "--x").ok());
}

TEST(LineTest, BuildsTheExactLine) {
  const auto line = parse_line("Consulting;3;450.00;20", "EUR", "--line 1").value();
  EXPECT_EQ(line.description(), "Consulting");
  EXPECT_EQ(line.quantity().units(), 3);
  EXPECT_EQ(line.quantity().scale(), 0U);
  EXPECT_EQ(line.unit_price().minor_units(), 45000);
  EXPECT_EQ(line.unit_price().currency(), "EUR");
  EXPECT_EQ(line.tax_rate_bps(), 2000);
  EXPECT_EQ(line.discount_bps(), 0);
  EXPECT_FALSE(line.has_net_amount());  // the server prices the line
}

TEST(LineTest, DecimalQuantityAndDiscount) {
  const auto line = parse_line("Licence;1.50;99.9;5.5;10", "EUR", "--line 2").value();
  EXPECT_EQ(line.quantity().units(), 150);  // the scale written is kept
  EXPECT_EQ(line.quantity().scale(), 2U);
  EXPECT_EQ(line.unit_price().minor_units(), 9990);
  EXPECT_EQ(line.tax_rate_bps(), 550);
  EXPECT_EQ(line.discount_bps(), 1000);
}

TEST(LineTest, EscapedSemicolonInTheDescription) {
  const auto line = parse_line(R"(Design\; build \\ run;1;10;0)", "EUR", "--line 1").value();
  EXPECT_EQ(line.description(), R"(Design; build \ run)");
  EXPECT_EQ(line.tax_rate_bps(), 0);
}

TEST(LineTest, ZeroDecimalCurrency) {
  const auto line = parse_line("Widget;2;1500;10", "JPY", "--line 1").value();
  EXPECT_EQ(line.unit_price().minor_units(), 1500);
  EXPECT_FALSE(parse_line("Widget;2;15.5;10", "JPY", "--line 1").ok());
}

TEST(LineTest, ErrorsNameTheLineAndTheRule) {
  EXPECT_EQ(parse_line("Consulting;0;450.00;20", "EUR", "--line 2").status().message(),
            "--line 2: quantity \"0\" must be a decimal number > 0, like 3 or 1.5");
  EXPECT_EQ(parse_line("Consulting;3;450.001;20", "EUR", "--line 1").status().message(),
            "--line 1: unit price \"450.001\" must be an amount >= 0 in EUR with at most 2 "
            "decimals, like 450.00");
  EXPECT_EQ(parse_line("Consulting;3;-1;20", "EUR", "--line 1").status().message(),
            "--line 1: unit price \"-1\" must be >= 0");
  EXPECT_EQ(parse_line("Consulting;3;450;5.555", "EUR", "--line 3").status().message(),
            "--line 3: tax % \"5.555\" must have at most 2 decimals");
  EXPECT_EQ(parse_line("Consulting;3;450;20;101", "EUR", "--line 1").status().message(),
            "--line 1: discount % \"101\" must be at most 100%");
  EXPECT_THAT(std::string(parse_line("Consulting;3;450", "EUR", "--line 1").status().message()),
              StartsWith("--line 1: \"Consulting;3;450\" must be \"description;quantity;unit "
                         "price;tax %[;discount %]\""));
  EXPECT_EQ(parse_line(";3;450;20", "EUR", "--line 1").status().message(),
            "--line 1: description must not be empty");
  EXPECT_FALSE(parse_line("a;1;2;3;4;5", "EUR", "--line 1").ok());
  EXPECT_FALSE(parse_line(R"(a\x;1;2;3)", "EUR", "--line 1").ok());
}

TEST(EarlyDiscountTest, RateAndDays) {
  const auto d = parse_early_discount("2%:10", "--early-discount").value();
  EXPECT_EQ(d.rate_bps(), 200);
  EXPECT_EQ(d.days(), 10U);
  EXPECT_EQ(parse_early_discount("1.5:8", "--early-discount").value().rate_bps(), 150);
  EXPECT_EQ(parse_early_discount("0%:10", "--early-discount").status().message(),
            "--early-discount: rate must be > 0");
  EXPECT_EQ(parse_early_discount("2%", "--early-discount").status().message(),
            "--early-discount: \"2%\" must be <percent>:<days>, like 2%:10");
  EXPECT_FALSE(parse_early_discount("2%:400", "--early-discount").ok());
}

TEST(EnumsTest, NamesToValues) {
  EXPECT_EQ(parse_profile("administration", "--profile").value(),
            v1::CUSTOMER_PROFILE_ADMINISTRATION);
  EXPECT_EQ(parse_profile("company", "--profile").status().message(),
            "--profile: \"company\" must be business, administration or individual");
  EXPECT_EQ(parse_fee_kind("indemnity", "--kind").value(), v1::LATE_FEE_KIND_RECOVERY_INDEMNITY);
  EXPECT_FALSE(parse_fee_kind("penalty", "--kind").ok());
  EXPECT_EQ(parse_recipient_status("service-done", "status").value(),
            v1::RECIPIENT_STATUS_SERVICE_DONE);
  EXPECT_EQ(parse_recipient_status("to-be-recycled", "status").value(),
            v1::RECIPIENT_STATUS_TO_BE_RECYCLED);
  EXPECT_THAT(std::string(parse_recipient_status("SERVICE_DONE", "status").status().message()),
              HasSubstr("must be one of received, made-available"));
  EXPECT_EQ(parse_export_format("xlsx", "--format").value(), v1::EXPORT_FORMAT_XLSX);
  EXPECT_EQ(parse_payment_method("bank-transfer", "--method").value(),
            pay::PAYMENT_METHOD_BANK_TRANSFER);
  EXPECT_EQ(parse_payment_method("direct-debit", "--method").value(),
            pay::PAYMENT_METHOD_DIRECT_DEBIT);
  EXPECT_EQ(parse_payment_method("cash", "--method").value(), pay::PAYMENT_METHOD_CASH);
  EXPECT_EQ(parse_payment_method("BANK_TRANSFER", "--method").status().message(),
            "--method: \"BANK_TRANSFER\" must be one of bank-transfer, card, direct-debit, "
            "check, cash, other");
  EXPECT_EQ(payment_method_choices(), "bank-transfer, card, direct-debit, check, cash, other");
}

TEST(MoneyTest, PositiveAmounts) {
  EXPECT_EQ(parse_positive_money("0.01 EUR", "--amount").value().minor_units(), 1);
  EXPECT_EQ(parse_positive_money("3", "--amount", "EUR").value().currency(), "EUR");
  EXPECT_EQ(parse_positive_money("0 EUR", "--amount").status().message(), "--amount: must be > 0");
  EXPECT_EQ(parse_positive_money("-3", "--amount", "EUR").status().message(),
            "--amount: must be > 0");
  EXPECT_THAT(std::string(parse_positive_money("3", "--amount").status().message()),
              StartsWith("--amount: \"3\" must be an amount and a currency"));
}

TEST(AllocationTest, InvoiceEqualsAmount) {
  const auto a = parse_allocation("inv-1=40.00", "--invoice 1", "EUR").value();
  EXPECT_EQ(a.invoice_id(), "inv-1");
  EXPECT_EQ(a.amount().minor_units(), 4000);
  EXPECT_EQ(a.amount().currency(), "EUR");
  EXPECT_EQ(parse_allocation("inv-2=1500 JPY", "--invoice 1").value().amount().currency(), "JPY");
  EXPECT_EQ(parse_allocation("inv-1", "--invoice 3", "EUR").status().message(),
            "--invoice 3: \"inv-1\" must be INVOICE_ID=AMOUNT, like inv-1=40.00 or "
            "\"inv-1=40.00 EUR\"");
  EXPECT_EQ(parse_allocation("=40", "--invoice 1", "EUR").status().message(),
            "--invoice 1: \"\" must be 1 to 128 of A-Z a-z 0-9 - _ . :");
  EXPECT_EQ(parse_allocation("inv-1=", "--invoice 1", "EUR").status().message(),
            "--invoice 1: \"\" must be an amount in EUR with at most 2 decimals, like 0.00 EUR");
  EXPECT_EQ(parse_allocation("inv-1=0.00", "--invoice 1", "EUR").status().message(),
            "--invoice 1: must be > 0");
}

TEST(IdTest, ResourceIds) {
  EXPECT_TRUE(check_id("inv-2026.001:a_b", "invoice_id").ok());
  EXPECT_EQ(check_id("a/b", "invoice_id").message(),
            "invoice_id: \"a/b\" must be 1 to 128 of A-Z a-z 0-9 - _ . :");
  EXPECT_FALSE(check_id("", "invoice_id").ok());
  EXPECT_FALSE(check_id(std::string(129, 'a'), "invoice_id").ok());
  EXPECT_TRUE(check_id(std::string(128, 'a'), "invoice_id").ok());
}

}  // namespace
}  // namespace arflow::cli
