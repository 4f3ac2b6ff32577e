#include "arflow/core/money.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "support/seed.h"

namespace arflow {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

__extension__ typedef __int128 Int128;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

Money money(int64_t minor_units, const char* currency = "EUR") {
  return Money::of(minor_units, currency).value();
}

std::vector<int64_t> minor_units_of(const std::vector<Money>& parts) {
  std::vector<int64_t> out;
  out.reserve(parts.size());
  for (const Money& m : parts) {
    out.push_back(m.minor_units());
  }
  return out;
}

std::string message_of(const absl::Status& status) { return std::string(status.message()); }

TEST(MoneyTest, IsMinorUnitsOfAValidatedCurrency) {
  auto m = Money::of(1234, "EUR");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->minor_units(), 1234);
  EXPECT_EQ(m->currency(), "EUR");
  EXPECT_EQ(m->exponent(), 2);
  EXPECT_EQ(money(5, "KWD").exponent(), 3);
  EXPECT_EQ(money(5, "JPY").exponent(), 0);

  auto unknown = Money::of(1, "XYZ");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(message_of(unknown.status()), "currency 'XYZ' is not an ISO 4217 code");
  EXPECT_FALSE(Money::of(1, "eur").ok());
}

TEST(MoneyTest, ZeroAndSign) {
  auto zero = Money::zero("USD");
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE(zero->is_zero());
  EXPECT_FALSE(zero->is_negative());
  EXPECT_FALSE(zero->is_positive());
  EXPECT_EQ(zero->currency(), "USD");
  EXPECT_FALSE(Money::zero("US").ok());

  EXPECT_TRUE(money(-1).is_negative());
  EXPECT_FALSE(money(-1).is_positive());
  EXPECT_TRUE(money(1).is_positive());
  EXPECT_FALSE(money(1).is_zero());
}

TEST(MoneyTest, IsCheapToCopy) {
  static_assert(std::is_trivially_copyable_v<Money>);
  static_assert(sizeof(Money) <= 16);
  static_assert(!std::is_default_constructible_v<Money>);
}

TEST(MoneyTest, EqualOnlyWithSameCurrencyAndAmount) {
  EXPECT_EQ(money(1000, "EUR"), money(1000, "EUR"));
  EXPECT_NE(money(1000, "EUR"), money(1001, "EUR"));
  EXPECT_NE(money(1000, "EUR"), money(1000, "USD"));
  EXPECT_TRUE(money(1, "EUR").same_currency(money(2, "EUR")));
  EXPECT_FALSE(money(1, "EUR").same_currency(money(1, "USD")));
}

TEST(MoneyTest, AddsAndSubtractsExactly) {
  EXPECT_EQ(add(money(1999), money(1)).value(), money(2000));
  EXPECT_EQ(add(money(-500), money(200)).value(), money(-300));
  EXPECT_EQ(subtract(money(1000), money(1001)).value(), money(-1));
  EXPECT_EQ(add(money(kMax - 1), money(1)).value(), money(kMax));
  EXPECT_EQ(subtract(money(kMin + 1), money(1)).value(), money(kMin));
}

TEST(MoneyTest, RefusesToMixCurrencies) {
  for (const auto& result :
       {add(money(1, "EUR"), money(1, "USD")), subtract(money(1, "EUR"), money(1, "USD"))}) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(message_of(result.status()), "currency 'USD' must match 'EUR' of the other amount");
  }
  auto order = compare(money(1, "EUR"), money(1, "GBP"));
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(order.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MoneyTest, RefusesOverflowInsteadOfWrapping) {
  for (const auto& result :
       {add(money(kMax), money(1)), add(money(kMin), money(-1)), subtract(money(kMin), money(1)),
        subtract(money(kMax), money(-1)), negate(money(kMin))}) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kOutOfRange);
    EXPECT_THAT(message_of(result.status()),
                HasSubstr("in EUR exceeds the int64 range of minor units"));
  }
}

TEST(MoneyTest, Negates) {
  EXPECT_EQ(negate(money(250)).value(), money(-250));
  EXPECT_EQ(negate(money(-250)).value(), money(250));
  EXPECT_EQ(negate(money(kMax)).value(), money(-kMax));
  EXPECT_EQ(negate(money(0)).value(), money(0));
}

TEST(MoneyTest, ComparesWithinOneCurrency) {
  EXPECT_EQ(compare(money(1), money(2)).value(), -1);
  EXPECT_EQ(compare(money(2), money(2)).value(), 0);
  EXPECT_EQ(compare(money(3), money(2)).value(), 1);
  EXPECT_EQ(compare(money(kMin), money(kMax)).value(), -1);
  EXPECT_EQ(compare(money(-1), money(0)).value(), -1);
}

// --- MoneySum -----------------------------------------------------------------------------

TEST(MoneySumTest, KeepsOneTotalPerCurrencyInCodeOrder) {
  MoneySum sum("the balance of customer 'c1'");
  EXPECT_TRUE(sum.totals().empty());
  ASSERT_TRUE(sum.add(money(1000, "USD")).ok());
  ASSERT_TRUE(sum.add(money(250, "EUR")).ok());
  ASSERT_TRUE(sum.add(money(-50, "EUR")).ok());
  ASSERT_TRUE(sum.add(money(-1000, "USD")).ok());
  ASSERT_TRUE(sum.add(money(7, "JPY")).ok());
  // A total that came back to zero is kept: the currency was summed.
  EXPECT_THAT(sum.totals(), ElementsAre(money(200, "EUR"), money(7, "JPY"), money(0, "USD")));
  EXPECT_EQ(sum.total("EUR"), money(200, "EUR"));
  EXPECT_FALSE(sum.total("GBP").has_value());
}

TEST(MoneySumTest, ReachesTheEdgesOfTheRangeExactly) {
  MoneySum sum("the credit of customer 'c1'");
  ASSERT_TRUE(sum.add(money(kMax - 1)).ok());
  ASSERT_TRUE(sum.add(money(1)).ok());
  ASSERT_TRUE(sum.add(money(kMin + 1, "USD")).ok());
  ASSERT_TRUE(sum.add(money(-1, "USD")).ok());
  EXPECT_THAT(sum.totals(), ElementsAre(money(kMax), money(kMin, "USD")));
}

// Two amounts near the top of the range: a wrapped total would be -4, a debt.
TEST(MoneySumTest, RefusesATotalBeyondTheRangeNamingWhatIsSummedAndKeepsTheTotal) {
  MoneySum sum("the balance of customer 'c1'");
  ASSERT_TRUE(sum.add(money(kMax - 1)).ok());
  ASSERT_TRUE(sum.add(money(kMax - 1, "USD")).ok());
  const absl::Status status = sum.add(money(kMax - 1));
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(message_of(status),
            "the balance of customer 'c1' in EUR exceeds the int64 range of minor units");
  EXPECT_EQ(sum.total("EUR"), money(kMax - 1));
  EXPECT_EQ(sum.total("USD"), money(kMax - 1, "USD"));

  MoneySum debts("the overdue balance of customer 'c1'");
  ASSERT_TRUE(debts.add(money(kMin)).ok());
  const absl::Status below = debts.add(money(-1));
  EXPECT_EQ(below.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(message_of(below), HasSubstr("the overdue balance of customer 'c1' in EUR"));
  EXPECT_EQ(debts.total("EUR"), money(kMin));
}

// --- allocate / split ---------------------------------------------------------------------

TEST(MoneyAllocateTest, ThreeWaySplitOfADollarLosesNoCent) {
  const std::vector<int64_t> thirds = {1, 1, 1};
  auto parts = allocate(money(100, "USD"), thirds);
  ASSERT_TRUE(parts.ok());
  EXPECT_THAT(minor_units_of(*parts), ElementsAre(34, 33, 33));
  for (const Money& part : *parts) {
    EXPECT_EQ(part.currency(), "USD");
  }
}

TEST(MoneyAllocateTest, LeftOverCentGoesToTheLargestRemainderNotTheFirstPart) {
  // 0.11 by 1:4 is 0.022 and 0.088 exactly: the second part lost more, so it gets the cent.
  const std::vector<int64_t> weights = {1, 4};
  EXPECT_THAT(minor_units_of(allocate(money(11), weights).value()), ElementsAre(2, 9));
}

TEST(MoneyAllocateTest, TiesGoToTheEarlierPart) {
  const std::vector<int64_t> halves = {1, 1};
  EXPECT_THAT(minor_units_of(allocate(money(5), halves).value()), ElementsAre(3, 2));
  // 0.10 by 1:1:5: exact 1.43, 1.43, 7.14; the first two tie, the first wins.
  const std::vector<int64_t> weights = {1, 1, 5};
  EXPECT_THAT(minor_units_of(allocate(money(10), weights).value()), ElementsAre(2, 1, 7));
}

TEST(MoneyAllocateTest, ProportionalSplitOfARevenueShare) {
  // 1000.01 EUR shared 70/20/10.
  const std::vector<int64_t> shares = {70, 20, 10};
  EXPECT_THAT(minor_units_of(allocate(money(100001), shares).value()),
              ElementsAre(70001, 20000, 10000));
}

TEST(MoneyAllocateTest, ZeroWeightGetsNothing) {
  const std::vector<int64_t> weights = {0, 1, 1, 0};
  EXPECT_THAT(minor_units_of(allocate(money(101), weights).value()), ElementsAre(0, 51, 50, 0));
}

TEST(MoneyAllocateTest, NegativeTotalIsTheMirrorImage) {
  const std::vector<int64_t> thirds = {1, 1, 1};
  EXPECT_THAT(minor_units_of(allocate(money(-100), thirds).value()), ElementsAre(-34, -33, -33));
}

TEST(MoneyAllocateTest, WorksAtTheEdgesOfTheRange) {
  const std::vector<int64_t> halves = {1, 1};
  EXPECT_THAT(minor_units_of(allocate(money(kMax), halves).value()),
              ElementsAre(int64_t{1} << 62, (int64_t{1} << 62) - 1));
  EXPECT_THAT(minor_units_of(allocate(money(kMin), halves).value()),
              ElementsAre(-(int64_t{1} << 62), -(int64_t{1} << 62)));
  const std::vector<int64_t> huge = {kMax, kMax, 1};
  auto parts = allocate(money(kMax), huge).value();
  EXPECT_EQ(
      static_cast<Int128>(parts[0].minor_units()) + parts[1].minor_units() + parts[2].minor_units(),
      kMax);
  // The third part's exact share is 0.4999...: its loss is the largest, so it gets the unit.
  EXPECT_THAT(minor_units_of(parts), ElementsAre(kMax / 2, kMax / 2, 1));
}

TEST(MoneyAllocateTest, RefusesWeightsThatDoNotDefineAShare) {
  const std::vector<int64_t> none;
  const std::vector<int64_t> negative = {1, -1};
  const std::vector<int64_t> zeros = {0, 0};
  auto empty = allocate(money(100), none);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(message_of(empty.status()), "weights must not be empty");
  auto neg = allocate(money(100), negative);
  ASSERT_FALSE(neg.ok());
  EXPECT_EQ(neg.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(message_of(neg.status()), "weights[1] must be >= 0");
  auto zero = allocate(money(100), zeros);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(message_of(zero.status()), "weights must have at least one weight > 0");
}

int64_t random_total(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0:
      return std::uniform_int_distribution<int64_t>(-1000, 1000)(rng);
    case 1:
      return std::uniform_int_distribution<int64_t>(-100'000'000, 100'000'000)(rng);
    case 2:
      return std::uniform_int_distribution<int64_t>(kMin, kMax)(rng);
    default:
      return rng() % 2 == 0 ? kMax - static_cast<int64_t>(rng() % 5)
                            : kMin + static_cast<int64_t>(rng() % 5);
  }
}

TEST(MoneyAllocateTest, PropertyPartsSumExactlyAndStayWithinOneMinorUnitOfTheirShare) {
  std::mt19937_64 rng(arflow::testing::test_seed(20260131));
  for (int round = 0; round < 20'000; ++round) {
    const int64_t total = random_total(rng);
    const auto n = static_cast<size_t>(1 + rng() % 12);
    std::vector<int64_t> weights(n);
    const int64_t weight_cap = rng() % 3 == 0 ? kMax : 1'000;
    for (auto& w : weights) {
      w = std::uniform_int_distribution<int64_t>(0, weight_cap)(rng);
    }
    if (auto& w = weights[rng() % n]; w == 0) {
      w = 1;  // at least one positive weight
    }
    auto parts = allocate(money(total), weights);
    ASSERT_TRUE(parts.ok()) << parts.status();
    ASSERT_EQ(parts->size(), n);

    Int128 weight_sum = 0;
    for (int64_t w : weights) {
      weight_sum += w;
    }
    Int128 sum = 0;
    // Largest remainder: no part left without the extra unit lost more than one that got it,
    // and on an equal loss the earlier part got it.
    Int128 min_loss_with_extra = weight_sum;
    Int128 max_loss_without_extra = -1;
    for (size_t i = 0; i < n; ++i) {
      const Int128 part = (*parts)[i].minor_units();
      sum += part;
      // |part - total * w / W| < 1, i.e. |part * W - total * w| < W. Part * W can exceed 128
      // bits for huge weights, so compare the difference from the truncated exact share.
      const Int128 exact_times_w = static_cast<Int128>(total) * weights[i];
      const Int128 truncated = exact_times_w / weight_sum;
      const Int128 off = part - truncated;
      EXPECT_TRUE(off == 0 || (total > 0 && off == 1) || (total < 0 && off == -1))
          << "round " << round << " part " << i;
      if (exact_times_w % weight_sum == 0) {
        EXPECT_EQ(off, 0) << "an exact share must not be rounded, round " << round;
      }
      if (weights[i] == 0) {
        EXPECT_EQ(part, 0);
      }
      const Int128 remainder = exact_times_w % weight_sum;
      const Int128 loss = remainder < 0 ? -remainder : remainder;
      if (off != 0) {
        min_loss_with_extra = std::min(min_loss_with_extra, loss);
      } else {
        max_loss_without_extra = std::max(max_loss_without_extra, loss);
      }
      EXPECT_EQ((*parts)[i].currency(), "EUR");
    }
    ASSERT_EQ(sum, total) << "round " << round;
    EXPECT_LE(max_loss_without_extra, min_loss_with_extra) << "round " << round;
    if (max_loss_without_extra == min_loss_with_extra) {
      // A tie at the cut-off: the parts that got the unit come before those that did not.
      size_t last_tied_with_extra = 0;
      size_t first_tied_without_extra = n;
      for (size_t i = 0; i < n; ++i) {
        const Int128 exact_times_w = static_cast<Int128>(total) * weights[i];
        const Int128 r = exact_times_w % weight_sum;
        if ((r < 0 ? -r : r) != min_loss_with_extra) {
          continue;
        }
        if ((*parts)[i].minor_units() != exact_times_w / weight_sum) {
          last_tied_with_extra = i;
        } else {
          first_tied_without_extra = std::min(first_tied_without_extra, i);
        }
      }
      EXPECT_LT(last_tied_with_extra, first_tied_without_extra) << "round " << round;
    }
  }
}

TEST(MoneySplitTest, FirstPartsGetTheExtraCent) {
  EXPECT_THAT(minor_units_of(split(money(1000), 3).value()), ElementsAre(334, 333, 333));
  EXPECT_THAT(minor_units_of(split(money(1001), 4).value()), ElementsAre(251, 250, 250, 250));
  EXPECT_THAT(minor_units_of(split(money(2), 3).value()), ElementsAre(1, 1, 0));
  EXPECT_THAT(minor_units_of(split(money(-1000), 3).value()), ElementsAre(-334, -333, -333));
  EXPECT_THAT(minor_units_of(split(money(999), 1).value()), ElementsAre(999));
  EXPECT_THAT(minor_units_of(split(money(0), 2).value()), ElementsAre(0, 0));
  EXPECT_THAT(minor_units_of(split(money(7, "JPY"), 2).value()), ElementsAre(4, 3));
}

TEST(MoneySplitTest, RefusesANonsensicalNumberOfParts) {
  for (int64_t parts : {int64_t{0}, int64_t{-3}, kMaxSplitParts + 1, kMax}) {
    auto result = split(money(100), parts);
    ASSERT_FALSE(result.ok()) << parts;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(message_of(result.status()), HasSubstr("parts must be in [1, "));
  }
}

TEST(MoneySplitTest, PropertyPartsSumExactlyAndDifferByAtMostOneMinorUnit) {
  std::mt19937_64 rng(arflow::testing::test_seed(4217));
  for (int round = 0; round < 5'000; ++round) {
    const int64_t total = random_total(rng);
    const auto n = static_cast<int64_t>(1 + rng() % 40);
    auto parts = split(money(total), n);
    ASSERT_TRUE(parts.ok()) << parts.status();
    ASSERT_EQ(parts->size(), static_cast<size_t>(n));
    Int128 sum = 0;
    for (size_t i = 0; i < parts->size(); ++i) {
      sum += (*parts)[i].minor_units();
      const Int128 off = (*parts)[i].minor_units() - static_cast<Int128>(total) / n;
      EXPECT_TRUE(off == 0 || off == (total > 0 ? 1 : -1)) << "round " << round;
      if (i > 0) {
        // Non-increasing magnitude: the extra cents sit at the front.
        const Int128 prev = (*parts)[i - 1].minor_units();
        const Int128 cur = (*parts)[i].minor_units();
        EXPECT_GE(prev < 0 ? -prev : prev, cur < 0 ? -cur : cur) << "round " << round;
      }
    }
    ASSERT_EQ(sum, total) << "round " << round;
  }
}

// --- rounding and percentages -------------------------------------------------------------

TEST(RoundingTest, KnownCasesForEveryRule) {
  struct Case {
    int64_t tenths;  // the exact value, in tenths: 25 is 2.5
    int64_t half_even, half_up, down, up;
  };
  const Case cases[] = {
      {25, 2, 3, 2, 3},      {35, 4, 4, 3, 4},      {-25, -2, -3, -2, -3}, {-35, -4, -4, -3, -4},
      {5, 0, 1, 0, 1},       {-5, 0, -1, 0, -1},    {15, 2, 2, 1, 2},      {26, 3, 3, 2, 3},
      {24, 2, 2, 2, 3},      {-26, -3, -3, -2, -3}, {-24, -2, -2, -2, -3}, {20, 2, 2, 2, 2},
      {-20, -2, -2, -2, -2}, {0, 0, 0, 0, 0},       {1, 0, 0, 0, 1},       {-1, 0, 0, 0, -1},
  };
  using money_internal::divide_rounded;
  for (const Case& c : cases) {
    EXPECT_EQ(divide_rounded(c.tenths, 10, Rounding::HalfEven), c.half_even) << c.tenths;
    EXPECT_EQ(divide_rounded(c.tenths, 10, Rounding::HalfUp), c.half_up) << c.tenths;
    EXPECT_EQ(divide_rounded(c.tenths, 10, Rounding::Down), c.down) << c.tenths;
    EXPECT_EQ(divide_rounded(c.tenths, 10, Rounding::Up), c.up) << c.tenths;
  }
}

TEST(RoundingTest, HasStableNames) {
  EXPECT_EQ(rounding_name(Rounding::HalfEven), "half_even");
  EXPECT_EQ(rounding_name(Rounding::HalfUp), "half_up");
  EXPECT_EQ(rounding_name(Rounding::Down), "down");
  EXPECT_EQ(rounding_name(Rounding::Up), "up");
}

TEST(BasisPointsTest, TwentyPercentVatOnAHundredEuros) {
  EXPECT_EQ(apply_basis_points(money(10000), 2000, Rounding::HalfEven).value(), money(2000));
  EXPECT_EQ(apply_basis_points(money(10000), 10000, Rounding::Down).value(), money(10000));
  EXPECT_EQ(apply_basis_points(money(10000), 0, Rounding::Up).value(), money(0));
  EXPECT_EQ(apply_basis_points(money(12345), 1, Rounding::Down).value(), money(1));
}

TEST(BasisPointsTest, HalfCentIsRoundedByTheNamedRule) {
  // 10% of 0.25 EUR is 2.5 cents; of 0.35 EUR, 3.5 cents.
  const struct {
    int64_t amount;
    Rounding rounding;
    int64_t expected;
  } cases[] = {
      {25, Rounding::HalfEven, 2},   {25, Rounding::HalfUp, 3},     {25, Rounding::Down, 2},
      {25, Rounding::Up, 3},         {35, Rounding::HalfEven, 4},   {35, Rounding::HalfUp, 4},
      {-25, Rounding::HalfEven, -2}, {-25, Rounding::HalfUp, -3},   {-25, Rounding::Down, -2},
      {-25, Rounding::Up, -3},       {-35, Rounding::HalfEven, -4}, {26, Rounding::HalfEven, 3},
      {24, Rounding::HalfUp, 2},     {24, Rounding::Up, 3},         {-24, Rounding::Up, -3},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(apply_basis_points(money(c.amount), 1000, c.rounding).value(), money(c.expected))
        << c.amount << " " << rounding_name(c.rounding);
  }
}

TEST(BasisPointsTest, SmallVatOnACentAndNegativeRates) {
  // 19% of 0.05 EUR is 0.95 cent.
  EXPECT_EQ(apply_basis_points(money(5), 1900, Rounding::HalfUp).value(), money(1));
  EXPECT_EQ(apply_basis_points(money(5), 1900, Rounding::Down).value(), money(0));
  // A 2.5% discount expressed as -250 bps on 10.10 EUR: -0.2525 EUR.
  EXPECT_EQ(apply_basis_points(money(1010), -250, Rounding::HalfEven).value(), money(-25));
  EXPECT_EQ(apply_basis_points(money(1010), -250, Rounding::Up).value(), money(-26));
  EXPECT_EQ(apply_basis_points(money(7, "JPY"), 5000, Rounding::HalfEven).value(), money(4, "JPY"));
}

TEST(BasisPointsTest, IsExactForHugeAmountsAndRefusesOverflow) {
  EXPECT_EQ(apply_basis_points(money(kMax), 10000, Rounding::Down).value(), money(kMax));
  EXPECT_EQ(apply_basis_points(money(kMax), 5000, Rounding::Down).value(), money(kMax / 2));
  EXPECT_EQ(apply_basis_points(money(kMin), 10000, Rounding::Down).value(), money(kMin));
  auto too_big = apply_basis_points(money(kMax), 20000, Rounding::Down);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_FALSE(apply_basis_points(money(kMin), -10000, Rounding::Down).ok());
  EXPECT_FALSE(apply_basis_points(money(20'000), kMax, Rounding::Down).ok());
  EXPECT_EQ(apply_basis_points(money(10'000), kMax, Rounding::Down).value(), money(kMax));
}

// --- format / parse -----------------------------------------------------------------------

TEST(MoneyFormatTest, WritesEveryDecimalOfTheCurrency) {
  EXPECT_EQ(format(money(1234)), "12.34 EUR");
  EXPECT_EQ(format(money(5)), "0.05 EUR");
  EXPECT_EQ(format(money(-5)), "-0.05 EUR");
  EXPECT_EQ(format(money(-1234)), "-12.34 EUR");
  EXPECT_EQ(format(money(0)), "0.00 EUR");
  EXPECT_EQ(format(money(100)), "1.00 EUR");
  EXPECT_EQ(format(money(1234, "JPY")), "1234 JPY");
  EXPECT_EQ(format(money(-7, "JPY")), "-7 JPY");
  EXPECT_EQ(format(money(1234, "KWD")), "1.234 KWD");
  EXPECT_EQ(format(money(1, "CLF")), "0.0001 CLF");
  EXPECT_EQ(format(money(kMax)), "92233720368547758.07 EUR");
  EXPECT_EQ(format(money(kMin)), "-92233720368547758.08 EUR");
  std::ostringstream os;
  os << money(250, "USD");
  EXPECT_EQ(os.str(), "2.50 USD");
}

TEST(MoneyParseTest, ReadsExactAmounts) {
  EXPECT_EQ(parse_money("12.34", "EUR").value(), money(1234));
  EXPECT_EQ(parse_money("12.3", "EUR").value(), money(1230));
  EXPECT_EQ(parse_money("12", "EUR").value(), money(1200));
  EXPECT_EQ(parse_money("-0.05", "EUR").value(), money(-5));
  EXPECT_EQ(parse_money("0", "EUR").value(), money(0));
  EXPECT_EQ(parse_money("-0", "EUR").value(), money(0));
  EXPECT_EQ(parse_money("0012.30", "EUR").value(), money(1230));
  EXPECT_EQ(parse_money("1234", "JPY").value(), money(1234, "JPY"));
  EXPECT_EQ(parse_money("1.5", "KWD").value(), money(1500, "KWD"));
  EXPECT_EQ(parse_money("0.0001", "CLF").value(), money(1, "CLF"));
  EXPECT_EQ(parse_money("92233720368547758.07", "EUR").value(), money(kMax));
  EXPECT_EQ(parse_money("-92233720368547758.08", "EUR").value(), money(kMin));
}

TEST(MoneyParseTest, RefusesMoreDecimalsThanTheCurrencyHasRatherThanRounding) {
  auto eur = parse_money("12.345", "EUR");
  ASSERT_FALSE(eur.ok());
  EXPECT_EQ(eur.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(message_of(eur.status()), "amount '12.345' has more decimals than EUR allows (2)");
  auto jpy = parse_money("12.0", "JPY", "lines[2].unit_price");
  ASSERT_FALSE(jpy.ok());
  EXPECT_EQ(message_of(jpy.status()),
            "lines[2].unit_price '12.0' has more decimals than JPY allows (0)");
  EXPECT_FALSE(parse_money("0.00001", "CLF").ok());
}

TEST(MoneyParseTest, RefusesGarbage) {
  for (const char* text : {"", "-", "12.", ".5", "+1", "1e3", "1,000.00", " 12", "12 ", "12.3.4",
                           "abc", "--1", "12a", "1_000", "0x10", "12,34", "-.5", "NaN", "١٢"}) {
    auto result = parse_money(text, "EUR");
    ASSERT_FALSE(result.ok()) << "'" << text << "'";
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(message_of(result.status()), HasSubstr("must be a decimal number")) << text;
    EXPECT_THAT(message_of(result.status()), HasSubstr("amount '")) << text;
  }
}

TEST(MoneyParseTest, RefusesAmountsBeyondTheRangeAndUnknownCurrencies) {
  auto too_big = parse_money("92233720368547758.08", "EUR");
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_FALSE(parse_money("99999999999999999999999999", "JPY").ok());
  auto unknown = parse_money("1.00", "EUX");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(message_of(unknown.status()), "currency 'EUX' is not an ISO 4217 code");
}

TEST(MoneyParseTest, PropertyFormatThenParseGivesBackTheSameMoney) {
  std::mt19937_64 rng(7);
  const char* currencies[] = {"EUR", "JPY", "KWD", "CLF", "USD", "ISK"};
  for (int round = 0; round < 5'000; ++round) {
    const Money m = money(random_total(rng), currencies[rng() % 6]);
    const std::string text = format(m);
    const auto space = text.find(' ');
    ASSERT_NE(space, std::string::npos);
    EXPECT_EQ(text.substr(space + 1), m.currency());
    auto back = parse_money(text.substr(0, space), m.currency());
    ASSERT_TRUE(back.ok()) << text << ": " << back.status();
    EXPECT_EQ(*back, m) << text;
  }
}

}  // namespace
}  // namespace arflow
