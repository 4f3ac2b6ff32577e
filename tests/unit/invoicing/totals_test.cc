// Pricing: line nets rounded once, half-even; tax per rate on the document total.
#include "invoicing/domain/totals.h"

#include <limits>

#include "fixtures.h"

namespace arflow::invoicing {
namespace {

using ::absl::StatusCode;
using ::testing::ElementsAre;
using testing::line;
using testing::money;

Money net_of(std::string_view qty, Money price, int64_t discount_bps = 0) {
  return line_net(line(qty, price, 0, discount_bps)).value();
}

TEST(TotalsTest, LineNetIsQuantityTimesPriceRoundedOnceHalfEven) {
  EXPECT_EQ(net_of("2.5", money(1)), money(2));       // 0.025 -> 0.02: a tie goes to even
  EXPECT_EQ(net_of("3.5", money(1)), money(4));       // 0.035 -> 0.04
  EXPECT_EQ(net_of("1.5", money(333)), money(500));   // 4.995 -> 5.00
  EXPECT_EQ(net_of("0.333", money(100)), money(33));  // 0.333 -> 0.33
  EXPECT_EQ(net_of("3", money(1999)), money(5997));
}

TEST(TotalsTest, DiscountIsTakenBeforeTheOnlyRounding) {
  // 3 x 19.99 = 59.97, less 10 % = 53.973 -> 53.97.
  EXPECT_EQ(net_of("3", money(1999), 1000), money(5397));
  // 0.5 x 0.03 = 0.015, less 10 % = 0.0135 -> 0.01. Rounding the gross first (0.02) and
  // then the discount (0.018 -> 0.02) would overcharge a cent.
  EXPECT_EQ(net_of("0.5", money(3), 1000), money(1));
  EXPECT_EQ(net_of("7", money(1234), 10000), money(0));  // 100 % off: free
}

TEST(TotalsTest, TaxIsPerRateOnTheTotalNotPerLine) {
  // Three lines of 0.333 x 1.00 EUR at 20 %: each net 0.33; 0.99 x 20 % = 0.198 -> 0.20 tax.
  // Per line it would have been 3 x (0.066 -> 0.07) = 0.21.
  const std::vector<InvoiceLine> lines{line("0.333", money(100), 2000),
                                       line("0.333", money(100), 2000),
                                       line("0.333", money(100), 2000)};
  auto totals = price_lines("EUR", lines);
  ASSERT_TRUE(totals.ok()) << totals.status();
  EXPECT_THAT(totals->line_nets, ElementsAre(money(33), money(33), money(33)));
  EXPECT_THAT(totals->taxes, ElementsAre(TaxAmount{2000, money(99), money(20)}));
  EXPECT_EQ(totals->net, money(99));
  EXPECT_EQ(totals->tax, money(20));
  EXPECT_EQ(totals->gross, money(119));
}

TEST(TotalsTest, MixedRatesEachTaxedOnTheirOwnSum) {
  // 5.5 % (French reduced rate): 1.99 + 2.99 + 4.99 = 9.97 -> 0.54835 -> 0.55
  //   (per line: 0.11 + 0.16 + 0.27 = 0.54).
  // 20 %: 0.99 + 1.49 = 2.48 -> 0.496 -> 0.50.
  const std::vector<InvoiceLine> lines{line("1", money(199), 550), line("1", money(99), 2000),
                                       line("1", money(299), 550), line("1", money(149), 2000),
                                       line("1", money(499), 550)};
  auto totals = price_lines("EUR", lines);
  ASSERT_TRUE(totals.ok()) << totals.status();
  EXPECT_THAT(totals->taxes, ElementsAre(TaxAmount{550, money(997), money(55)},
                                         TaxAmount{2000, money(248), money(50)}));
  EXPECT_EQ(totals->net, money(1245));
  EXPECT_EQ(totals->tax, money(105));
  EXPECT_EQ(totals->gross, money(1350));
}

TEST(TotalsTest, ZeroDecimalCurrency) {
  // JPY has no minor unit: 1.5 x 1234 = 1851 JPY; 10 % = 185.1 -> 185.
  auto totals = price_lines("JPY", std::vector{line("1.5", money(1234, "JPY"), 1000)});
  ASSERT_TRUE(totals.ok()) << totals.status();
  EXPECT_EQ(totals->net, money(1851, "JPY"));
  EXPECT_EQ(totals->tax, money(185, "JPY"));
  EXPECT_EQ(totals->gross, money(2036, "JPY"));
  // Ties to even in whole yen: 125 x 10 % = 12.5 -> 12; 135 x 10 % = 13.5 -> 14.
  EXPECT_EQ(price_lines("JPY", std::vector{line("1", money(125, "JPY"), 1000)})->tax,
            money(12, "JPY"));
  EXPECT_EQ(price_lines("JPY", std::vector{line("1", money(135, "JPY"), 1000)})->tax,
            money(14, "JPY"));
  // 2.5 yen-lines: 2.5 x 1 JPY = 2.5 -> 2.
  EXPECT_EQ(net_of("2.5", money(1, "JPY")), money(2, "JPY"));
}

TEST(TotalsTest, ThreeDecimalCurrency) {
  // KWD has fils (3 decimals): 0.5 x 1.235 = 0.6175 -> 0.618 (the even neighbour).
  EXPECT_EQ(net_of("0.5", money(1235, "KWD")), money(618, "KWD"));
}

TEST(TotalsTest, ZeroRatedLinesHaveTheirOwnZeroTaxEntry) {
  auto totals =
      price_lines("EUR", std::vector{line("2", money(500), 0), line("1", money(100), 2000)});
  ASSERT_TRUE(totals.ok());
  EXPECT_THAT(totals->taxes, ElementsAre(TaxAmount{0, money(1000), money(0)},
                                         TaxAmount{2000, money(100), money(20)}));
  EXPECT_EQ(totals->gross, money(1120));
}

TEST(TotalsTest, BadLinesAreRefusedNamingTheLine) {
  const auto ok = line("1", money(100), 2000);
  EXPECT_ERROR(price_lines("EUR", std::vector<InvoiceLine>{}), StatusCode::kInvalidArgument,
               "lines must not be empty");
  EXPECT_ERROR(price_lines("EUR", std::vector{ok, ok, line("0", money(100), 2000)}),
               StatusCode::kInvalidArgument, "lines[2].quantity must be > 0");
  EXPECT_ERROR(price_lines("EUR", std::vector{line("-1", money(100), 2000)}),
               StatusCode::kInvalidArgument, "lines[0].quantity must be > 0");
  EXPECT_ERROR(price_lines("EUR", std::vector{line("1", money(-1), 2000)}),
               StatusCode::kInvalidArgument, "lines[0].unit_price must be >= 0");
  EXPECT_ERROR(price_lines("EUR", std::vector{ok, line("1", money(100, "USD"), 2000)}),
               StatusCode::kInvalidArgument,
               "lines[1].unit_price currency USD must be the invoice's currency EUR");
  EXPECT_ERROR(price_lines("XYZ", std::vector{ok}), StatusCode::kInvalidArgument,
               "currency 'XYZ' is not an ISO 4217 code");
  EXPECT_ERROR(price_lines("EUR", std::vector{line("1", money(100), 2000, 10001)}),
               StatusCode::kInvalidArgument, "lines[0].discount_bps must be between 0 and 10000");
  EXPECT_ERROR(price_lines("EUR", std::vector{line("1", money(100), -1)}),
               StatusCode::kInvalidArgument, "lines[0].tax_rate_bps must be between 0 and 10000");
  EXPECT_ERROR(price_lines("EUR", std::vector{line("1", money(100), 2000, 0, "")}),
               StatusCode::kInvalidArgument, "lines[0].description must not be empty");
  EXPECT_ERROR(price_lines("EUR", std::vector<InvoiceLine>(kMaxLines + 1, ok)),
               StatusCode::kInvalidArgument, "lines must have at most 1000 lines");
}

TEST(TotalsTest, AmountsBeyondInt64AreOutOfRangeNamingTheLine) {
  const Money huge = money(std::numeric_limits<int64_t>::max() / 2);
  auto totals = price_lines("EUR", std::vector{line("3", huge, 0)});
  EXPECT_EQ(totals.status().code(), StatusCode::kOutOfRange);
  EXPECT_THAT(testing::message_of(totals.status()), ::testing::StartsWith("lines[0]: "));
  EXPECT_EQ(
      price_lines("EUR", std::vector{line("1", huge, 0), line("1", huge, 0), line("1", huge, 0)})
          .status()
          .code(),
      StatusCode::kOutOfRange);
}

TEST(TotalsTest, TaxesLessTakesRateByRate) {
  const std::vector<TaxAmount> from{{550, money(1000), money(55)}, {2000, money(500), money(100)}};
  auto rest = taxes_less(from, std::vector<TaxAmount>{{2000, money(200), money(40)}});
  ASSERT_TRUE(rest.ok());
  EXPECT_THAT(*rest, ElementsAre(TaxAmount{550, money(1000), money(55)},
                                 TaxAmount{2000, money(300), money(60)}));
  EXPECT_EQ(taxes_less(from, std::vector<TaxAmount>{{1000, money(1), money(0)}}).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(taxes_less(from, std::vector<TaxAmount>{{550, money(1001), money(0)}}).status().code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace arflow::invoicing
