#include "arflow/core/decimal.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <ostream>
#include <utility>

namespace arflow {

using money_internal::Int128;
using money_internal::pow10;

namespace {

constexpr Int128 kMinUnits = std::numeric_limits<int64_t>::min();
constexpr Int128 kMaxUnits = std::numeric_limits<int64_t>::max();

bool fits_int64(Int128 v) { return v >= kMinUnits && v <= kMaxUnits; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Both values scaled to the larger scale, exactly: |units| < 2^63 and 10^18 < 2^60.
std::pair<Int128, Int128> aligned(const Decimal& a, const Decimal& b) {
  const uint32_t scale = std::max(a.scale(), b.scale());
  return {static_cast<Int128>(a.units()) * pow10(static_cast<int>(scale - a.scale())),
          static_cast<Int128>(b.units()) * pow10(static_cast<int>(scale - b.scale()))};
}

}  // namespace

Result<Decimal> Decimal::of(int64_t units, uint32_t scale) {
  if (scale > kMaxScale) {
    return invalid_field("scale", fmt::format("must be <= {}", kMaxScale));
  }
  return Decimal(units, scale);
}

Result<Decimal> Decimal::parse(std::string_view text, std::string_view field) {
  const auto malformed = [&] {
    return invalid_field(
        field, money_internal::quoted(text) + " must be a decimal number like 12.34 or -0.5");
  };
  size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) {
    ++i;
  }
  Int128 magnitude = 0;
  size_t integer_digits = 0;
  size_t decimals = 0;
  bool seen_point = false;
  bool too_large = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (!is_digit(c)) {
      return malformed();
    }
    (seen_point ? decimals : integer_digits) += 1;
    // Stop accumulating once past int64, so the magnitude itself never overflows.
    if (!too_large) {
      magnitude = magnitude * 10 + (c - '0');
      too_large = magnitude > kMaxUnits + 1;
    }
  }
  if (integer_digits == 0 || (seen_point && decimals == 0)) {
    return malformed();
  }
  if (decimals > kMaxScale) {
    return absl::OutOfRangeError(fmt::format("{} {} has more than {} decimals", field,
                                             money_internal::quoted(text), kMaxScale));
  }
  const Int128 units = negative ? -magnitude : magnitude;
  if (too_large || !fits_int64(units)) {
    return absl::OutOfRangeError(fmt::format("{} {} has more digits than an int64 can hold", field,
                                             money_internal::quoted(text)));
  }
  return Decimal(static_cast<int64_t>(units), static_cast<uint32_t>(decimals));
}

std::string Decimal::to_string() const {
  // Magnitude as unsigned, so that the most negative units print too.
  const uint64_t magnitude =
      units_ < 0 ? 0 - static_cast<uint64_t>(units_) : static_cast<uint64_t>(units_);
  std::string digits = std::to_string(magnitude);
  if (scale_ > 0) {
    if (digits.size() <= scale_) {
      digits.insert(0, scale_ + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - scale_, 1, '.');
  }
  return units_ < 0 ? "-" + digits : digits;
}

bool operator==(const Decimal& a, const Decimal& b) {
  const auto [x, y] = aligned(a, b);
  return x == y;
}

std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) {
  const auto [x, y] = aligned(a, b);
  return x < y ? std::strong_ordering::less
               : (x > y ? std::strong_ordering::greater : std::strong_ordering::equal);
}

Result<Decimal> multiply(Decimal a, Decimal b) {
  // |a.units * b.units| < 2^126: exact.
  Int128 units = static_cast<Int128>(a.units()) * b.units();
  uint32_t scale = a.scale() + b.scale();
  while ((scale > Decimal::kMaxScale || !fits_int64(units)) && scale > 0 && units % 10 == 0) {
    units /= 10;
    --scale;
  }
  if (scale > Decimal::kMaxScale) {
    return absl::OutOfRangeError(fmt::format("product of {} and {} needs more than {} decimals",
                                             a.to_string(), b.to_string(), Decimal::kMaxScale));
  }
  if (!fits_int64(units)) {
    return absl::OutOfRangeError(
        fmt::format("product of {} and {} exceeds the int64 range", a.to_string(), b.to_string()));
  }
  return Decimal::of(static_cast<int64_t>(units), scale);
}

Result<Money> multiply(Money unit_price, Decimal quantity, Rounding rounding) {
  // Exact product in units of 10^-scale minor units, then one rounding to the minor unit.
  const Int128 exact = static_cast<Int128>(unit_price.minor_units()) * quantity.units();
  return money_internal::in_currency_of(
      unit_price,
      money_internal::divide_rounded(exact, pow10(static_cast<int>(quantity.scale())), rounding),
      "line amount");
}

std::ostream& operator<<(std::ostream& os, const Decimal& d) { return os << d.to_string(); }

}  // namespace arflow
