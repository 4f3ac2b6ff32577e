#pragma once
// An exact decimal number for what is not money: invoice-line quantities (1.5 hours),
// rates and percentages (a tax rate of 0.19). Never floating point; the only rounding is
// the named one when a Decimal meets Money.
//
// Errors: malformed input is INVALID_ARGUMENT; a value that does not fit (more than 18
// decimals, or units beyond int64) is OUT_OF_RANGE. Messages name the field and the rule.

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "arflow/core/error.h"
#include "arflow/core/money.h"

namespace arflow {

// units / 10^scale: Decimal "-0.25" has units -25 and scale 2. The scale written is kept
// ("1.50" stays 1.50), while comparison and equality are by value (1.50 == 1.5).
class Decimal {
 public:
  static constexpr uint32_t kMaxScale = 18;

  // units / 10^scale; scale must be <= kMaxScale.
  static Result<Decimal> of(int64_t units, uint32_t scale);
  // A whole number, which always fits.
  static Decimal whole(int64_t value) { return Decimal(value, 0); }
  // "3", "1.5", "-0.25", "007.50": optional '-', digits, optional '.' and digits. Refuses
  // anything else (spaces, '+', exponents, grouping, "1.", ".5"). `field` names the input in
  // the error message.
  static Result<Decimal> parse(std::string_view text, std::string_view field = "decimal");

  int64_t units() const { return units_; }
  uint32_t scale() const { return scale_; }

  bool is_zero() const { return units_ == 0; }
  bool is_negative() const { return units_ < 0; }
  bool is_positive() const { return units_ > 0; }

  // With exactly scale() decimals: "1.50", "-0.25", "3".
  std::string to_string() const;

  // By value, exactly: 1.5 == 1.50 and 0.1 < 0.25.
  friend bool operator==(const Decimal& a, const Decimal& b);
  friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b);

 private:
  Decimal(int64_t units, uint32_t scale) : units_(units), scale_(scale) {}

  int64_t units_;
  uint32_t scale_;
};

// a * b exactly, with scale a.scale() + b.scale(). When that exceeds kMaxScale or the units
// exceed int64, trailing zeros are dropped first (the value is unchanged); if it still does
// not fit, OUT_OF_RANGE, since the exact product cannot be represented.
Result<Decimal> multiply(Decimal a, Decimal b);

// unit_price * quantity, computed exactly and then rounded once to the currency's minor unit
// by `rounding`: an invoice line's amount. 3.33 EUR x 1.5 = 4.995 -> 5.00 EUR (HalfUp).
Result<Money> multiply(Money unit_price, Decimal quantity, Rounding rounding);

// Writes to_string(); lets GoogleTest and logs print a Decimal.
std::ostream& operator<<(std::ostream& os, const Decimal& d);

}  // namespace arflow
