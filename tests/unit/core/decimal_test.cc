#include "arflow/core/decimal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>

#include "arflow/core/money.h"

namespace arflow {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

Decimal dec(const char* text) { return Decimal::parse(text).value(); }
Money eur(int64_t cents) { return Money::of(cents, "EUR").value(); }
std::string message_of(const absl::Status& status) { return std::string(status.message()); }

TEST(DecimalTest, ParsesQuantitiesAndRatesExactly) {
  struct Case {
    const char* text;
    int64_t units;
    uint32_t scale;
  };
  for (const Case& c :
       {Case{"1.5", 15, 1}, Case{"-0.25", -25, 2}, Case{"3", 3, 0}, Case{"1.50", 150, 2},
        Case{"007.5", 75, 1}, Case{"0", 0, 0}, Case{"-0", 0, 0}, Case{"0.19", 19, 2},
        Case{"0.000000000000000001", 1, 18}, Case{"9223372036854775807", kMax, 0},
        Case{"-9223372036854775808", kMin, 0}, Case{"-9.223372036854775808", kMin, 18}}) {
    auto d = Decimal::parse(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.status();
    EXPECT_EQ(d->units(), c.units) << c.text;
    EXPECT_EQ(d->scale(), c.scale) << c.text;
  }
}

TEST(DecimalTest, RefusesGarbageNamingTheField) {
  for (const char* text : {"", "-", "1.", ".5", "+1", "1e3", "1,5", " 1", "1 ", "1.2.3", "--1",
                           "one", "0x1", "-.5", "inf"}) {
    auto d = Decimal::parse(text, "lines[0].quantity");
    ASSERT_FALSE(d.ok()) << "'" << text << "'";
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(message_of(d.status()), HasSubstr("lines[0].quantity '")) << text;
    EXPECT_THAT(message_of(d.status()), HasSubstr("must be a decimal number")) << text;
  }
}

TEST(DecimalTest, RefusesWhatDoesNotFitRatherThanRounding) {
  auto too_precise = Decimal::parse("0.0000000000000000001", "rate");
  ASSERT_FALSE(too_precise.ok());
  EXPECT_EQ(too_precise.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(message_of(too_precise.status()),
            "rate '0.0000000000000000001' has more than 18 decimals");
  for (const char* text : {"9223372036854775808", "-9223372036854775809",
                           "123456789012345678901234567890", "92233720368547758.08"}) {
    auto d = Decimal::parse(text);
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kOutOfRange) << text;
  }
  auto bad_scale = Decimal::of(1, 19);
  ASSERT_FALSE(bad_scale.ok());
  EXPECT_EQ(message_of(bad_scale.status()), "scale must be <= 18");
  EXPECT_TRUE(Decimal::of(1, 18).ok());
}

TEST(DecimalTest, WritesItsOwnScale) {
  EXPECT_EQ(dec("1.50").to_string(), "1.50");
  EXPECT_EQ(dec("-0.25").to_string(), "-0.25");
  EXPECT_EQ(dec("3").to_string(), "3");
  EXPECT_EQ(Decimal::of(5, 3).value().to_string(), "0.005");
  EXPECT_EQ(Decimal::of(-5, 3).value().to_string(), "-0.005");
  EXPECT_EQ(Decimal::of(kMin, 18).value().to_string(), "-9.223372036854775808");
  EXPECT_EQ(Decimal::whole(-42).to_string(), "-42");
  std::ostringstream os;
  os << dec("0.19");
  EXPECT_EQ(os.str(), "0.19");
}

TEST(DecimalTest, PropertyToStringThenParseGivesBackTheSameDigits) {
  std::mt19937_64 rng(99);
  for (int round = 0; round < 5'000; ++round) {
    const auto units = static_cast<int64_t>(rng());
    const auto scale = static_cast<uint32_t>(rng() % 19);
    const Decimal d = Decimal::of(units, scale).value();
    auto back = Decimal::parse(d.to_string());
    ASSERT_TRUE(back.ok()) << d.to_string();
    EXPECT_EQ(back->units(), units);
    EXPECT_EQ(back->scale(), scale);
  }
}

TEST(DecimalTest, ComparesByValueAcrossScales) {
  EXPECT_EQ(dec("1.5"), dec("1.50"));
  EXPECT_EQ(dec("-0"), dec("0.000"));
  EXPECT_NE(dec("1.5"), dec("1.05"));
  EXPECT_LT(dec("0.1"), dec("0.25"));
  EXPECT_LT(dec("-1"), dec("-0.5"));
  EXPECT_GT(dec("2"), dec("1.999999999999999999"));
  EXPECT_LT(Decimal::of(kMax, 18).value(), Decimal::whole(10));
  EXPECT_GT(Decimal::whole(kMax), Decimal::of(kMax, 1).value());
  EXPECT_LT(Decimal::whole(kMin), Decimal::of(kMin, 18).value());
  EXPECT_EQ(dec("1.5") <=> dec("1.50"), std::strong_ordering::equal);
}

TEST(DecimalTest, SignPredicates) {
  EXPECT_TRUE(dec("0.00").is_zero());
  EXPECT_TRUE(dec("-0.01").is_negative());
  EXPECT_TRUE(dec("0.01").is_positive());
  EXPECT_FALSE(dec("0.01").is_negative());
}

TEST(DecimalMultiplyTest, MultipliesTwoDecimalsExactly) {
  auto product = multiply(dec("1.5"), dec("2.5"));
  ASSERT_TRUE(product.ok());
  EXPECT_EQ(product->to_string(), "3.75");
  EXPECT_EQ(multiply(dec("0.19"), dec("100")).value().to_string(), "19.00");
  EXPECT_EQ(multiply(dec("-0.5"), dec("0.5")).value(), dec("-0.25"));
  EXPECT_EQ(multiply(dec("123.456"), dec("0")).value(), dec("0"));
}

TEST(DecimalMultiplyTest, DropsOnlyTrailingZerosToFitAndOtherwiseRefuses) {
  // 1.0000000000 x 1.000000000: scale 19 and units 10^19, both out of bounds, but the value
  // is exactly 1.
  auto one = multiply(dec("1.0000000000"), dec("1.000000000"));
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(*one, dec("1"));
  EXPECT_LE(one->scale(), Decimal::kMaxScale);

  auto too_precise = multiply(dec("0.000000001"), dec("0.0000000001"));
  ASSERT_FALSE(too_precise.ok());
  EXPECT_EQ(too_precise.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(message_of(too_precise.status()), HasSubstr("needs more than 18 decimals"));

  auto too_large = multiply(Decimal::whole(kMax), dec("2"));
  ASSERT_FALSE(too_large.ok());
  EXPECT_EQ(too_large.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(message_of(too_large.status()), HasSubstr("exceeds the int64 range"));
}

TEST(LineAmountTest, UnitPriceTimesQuantityRoundedOnce) {
  // 3 x 19.99 EUR is exact.
  EXPECT_EQ(multiply(eur(1999), dec("3"), Rounding::HalfEven).value(), eur(5997));
  // 1.5 h x 3.33 EUR = 4.995 EUR.
  EXPECT_EQ(multiply(eur(333), dec("1.5"), Rounding::HalfUp).value(), eur(500));
  EXPECT_EQ(multiply(eur(333), dec("1.5"), Rounding::Down).value(), eur(499));
  // 0.333 x 1000 JPY = 333 JPY.
  EXPECT_EQ(multiply(Money::of(1000, "JPY").value(), dec("0.333"), Rounding::HalfEven).value(),
            Money::of(333, "JPY").value());
  // A credit line: negative quantity.
  EXPECT_EQ(multiply(eur(1000), dec("-2"), Rounding::HalfEven).value(), eur(-2000));
  EXPECT_EQ(multiply(eur(1000), dec("0"), Rounding::Up).value(), eur(0));
  EXPECT_EQ(multiply(eur(1000), dec("0.1"), Rounding::Up).value().currency(), "EUR");
}

TEST(LineAmountTest, HalfCentFollowsTheNamedRule) {
  // 0.5 x 0.05 EUR = 2.5 cents; 0.5 x 0.07 EUR = 3.5 cents.
  const struct {
    int64_t price;
    Rounding rounding;
    int64_t expected;
  } cases[] = {
      {5, Rounding::HalfEven, 2},   {5, Rounding::HalfUp, 3},     {5, Rounding::Down, 2},
      {5, Rounding::Up, 3},         {7, Rounding::HalfEven, 4},   {7, Rounding::HalfUp, 4},
      {-5, Rounding::HalfEven, -2}, {-5, Rounding::HalfUp, -3},   {-5, Rounding::Down, -2},
      {-5, Rounding::Up, -3},       {-7, Rounding::HalfEven, -4},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(multiply(eur(c.price), dec("0.5"), c.rounding).value(), eur(c.expected))
        << c.price << " " << rounding_name(c.rounding);
  }
  // 1 cent x 0.000000000000000001 is far below half a cent.
  EXPECT_EQ(multiply(eur(1), dec("0.000000000000000001"), Rounding::HalfUp).value(), eur(0));
  EXPECT_EQ(multiply(eur(1), dec("0.000000000000000001"), Rounding::Up).value(), eur(1));
}

TEST(LineAmountTest, IsExactAtTheEdgesAndRefusesOverflow) {
  EXPECT_EQ(multiply(eur(kMax), dec("1.000000000000000000"), Rounding::Down).value(), eur(kMax));
  EXPECT_EQ(multiply(eur(kMax), dec("0.5"), Rounding::Down).value(), eur(kMax / 2));
  EXPECT_EQ(multiply(eur(kMin), dec("1"), Rounding::Down).value(), eur(kMin));
  auto overflow = multiply(eur(kMax), dec("2"), Rounding::HalfEven);
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(message_of(overflow.status()), HasSubstr("line amount in EUR exceeds"));
  EXPECT_FALSE(multiply(eur(kMin), dec("-1"), Rounding::HalfEven).ok());
}

}  // namespace
}  // namespace arflow
