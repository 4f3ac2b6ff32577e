#include "arflow/core/currency.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace arflow {
namespace {

using ::testing::HasSubstr;

std::string message_of(const absl::Status& status) { return std::string(status.message()); }

TEST(CurrencyTest, KnowsTheMinorUnitOfCommonCurrencies) {
  struct Case {
    const char* code;
    int exponent;
  };
  for (const Case& c :
       {Case{"EUR", 2}, Case{"USD", 2}, Case{"GBP", 2}, Case{"CHF", 2}, Case{"JPY", 0},
        Case{"KRW", 0}, Case{"ISK", 0}, Case{"XOF", 0}, Case{"BHD", 3}, Case{"KWD", 3},
        Case{"TND", 3}, Case{"OMR", 3}, Case{"CLF", 4}, Case{"UYW", 4}, Case{"UYI", 0},
        Case{"ZWG", 2}, Case{"XCG", 2}, Case{"SLE", 2}, Case{"VED", 2}}) {
    auto currency = find_currency(c.code);
    ASSERT_TRUE(currency.ok()) << c.code << ": " << currency.status();
    EXPECT_EQ(currency->code, c.code);
    EXPECT_EQ(currency->exponent, c.exponent) << c.code;
  }
}

TEST(CurrencyTest, RefusesAnUnknownCodeNamingTheRule) {
  auto currency = find_currency("XYZ");
  ASSERT_FALSE(currency.ok());
  EXPECT_EQ(currency.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(message_of(currency.status()), "currency 'XYZ' is not an ISO 4217 code");
}

TEST(CurrencyTest, RefusesWithdrawnAndNonMonetaryCodes) {
  // Croatian kuna (replaced by EUR in 2023), convertible peso, old leone; gold, SDR and the
  // testing code have no minor unit and so cannot carry an invoice amount.
  for (const char* code : {"HRK", "CUC", "SLL", "ZWL", "XAU", "XDR", "XTS", "XXX"}) {
    auto currency = find_currency(code);
    ASSERT_FALSE(currency.ok()) << code;
    EXPECT_THAT(message_of(currency.status()), HasSubstr("is not an ISO 4217 code")) << code;
  }
}

TEST(CurrencyTest, RequiresExactlyThreeUpperCaseLetters) {
  for (const char* code : {"eur", "Eur", "EU", "EURO", "", "E1R", " EUR", "EU-"}) {
    auto currency = find_currency(code);
    ASSERT_FALSE(currency.ok()) << "'" << code << "'";
    EXPECT_EQ(currency.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(message_of(currency.status()), HasSubstr("must be exactly 3 upper-case letters"));
  }
}

TEST(CurrencyTest, EchoesHostileInputEscapedAndShortened) {
  auto currency = find_currency(std::string("E\0R\n", 4) + std::string(100, 'A'));
  ASSERT_FALSE(currency.ok());
  const std::string message = message_of(currency.status());
  EXPECT_EQ(message.find('\0'), std::string::npos);
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_THAT(message, HasSubstr("E\\x00R\\n"));
  EXPECT_THAT(message, HasSubstr("...'"));
  EXPECT_LT(message.size(), 100u);
}

TEST(CurrencyTest, TableCoversTheActiveIsoListOnceEachInOrder) {
  const auto all = all_currencies();
  // ISO 4217 List One of 2026-01-01 has 165 codes with a numeric minor unit.
  EXPECT_EQ(all.size(), 165u);
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(all[i - 1].code, all[i].code);
  }
  for (const Currency& c : all) {
    auto found = find_currency(c.code);
    ASSERT_TRUE(found.ok()) << c.code;
    EXPECT_EQ(found->exponent, c.exponent) << c.code;
  }
}

TEST(CurrencyTest, EntryLookupReturnsTheStableTableEntry) {
  auto first = find_currency_entry("EUR");
  auto second = find_currency_entry("EUR");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ((*first)->code, "EUR");
  EXPECT_FALSE(find_currency_entry("ABC").ok());
}

}  // namespace
}  // namespace arflow
