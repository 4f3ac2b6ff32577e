#include "arflow/core/money.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <ostream>

#include "absl/strings/escaping.h"
#include "arflow/core/decimal.h"

namespace arflow {

using money_internal::Int128;

namespace {

constexpr Int128 kMinMinor = std::numeric_limits<int64_t>::min();
constexpr Int128 kMaxMinor = std::numeric_limits<int64_t>::max();
constexpr int64_t kBasisPointsPerWhole = 10'000;

absl::Status currency_mismatch(Money a, Money b) {
  return invalid_field("currency", fmt::format("'{}' must match '{}' of the other amount",
                                               b.currency(), a.currency()));
}

absl::Status overflow(std::string_view what, Money m) {
  return absl::OutOfRangeError(
      fmt::format("{} in {} exceeds the int64 range of minor units", what, m.currency()));
}

}  // namespace

std::string_view rounding_name(Rounding rounding) {
  switch (rounding) {
    case Rounding::HalfEven:
      return "half_even";
    case Rounding::HalfUp:
      return "half_up";
    case Rounding::Down:
      return "down";
    case Rounding::Up:
      return "up";
  }
  return "unknown";  // only reachable through a cast of an out-of-range integer
}

namespace money_internal {

Int128 pow10(int exponent) {
  Int128 result = 1;
  for (int i = 0; i < exponent; ++i) {
    result *= 10;
  }
  return result;
}

Int128 divide_rounded(Int128 numerator, Int128 denominator, Rounding rounding) {
  const Int128 quotient = numerator / denominator;  // truncated toward zero
  const Int128 remainder = numerator % denominator;
  if (remainder == 0) {
    return quotient;
  }
  const Int128 away_from_zero = numerator < 0 ? quotient - 1 : quotient + 1;
  // Twice the dropped fraction against the denominator: <, == or > one half.
  const Int128 twice_remainder = 2 * (remainder < 0 ? -remainder : remainder);
  switch (rounding) {
    case Rounding::Down:
      return quotient;
    case Rounding::Up:
      return away_from_zero;
    case Rounding::HalfUp:
      return twice_remainder >= denominator ? away_from_zero : quotient;
    case Rounding::HalfEven:
      if (twice_remainder != denominator) {
        return twice_remainder > denominator ? away_from_zero : quotient;
      }
      return quotient % 2 == 0 ? quotient : away_from_zero;
  }
  return quotient;  // only reachable through a cast of an out-of-range integer
}

Result<Money> in_currency_of(const Money& like, Int128 minor_units, std::string_view what) {
  if (minor_units < kMinMinor || minor_units > kMaxMinor) {
    return overflow(what, like);
  }
  return Money(static_cast<int64_t>(minor_units), like.currency_);
}

std::string quoted(std::string_view text) {
  constexpr size_t kMaxEcho = 40;
  const std::string_view head = text.substr(0, kMaxEcho);
  // Debian's abseil keeps its own string_view type, hence the explicit conversion.
  return fmt::format("'{}{}'", absl::CHexEscape(absl::string_view(head.data(), head.size())),
                     text.size() > kMaxEcho ? "..." : "");
}

}  // namespace money_internal

Result<Money> Money::of(int64_t minor_units, std::string_view currency) {
  auto entry = find_currency_entry(currency);
  if (!entry.ok()) {
    return entry.status();
  }
  return Money(minor_units, *entry);
}

Result<Money> Money::zero(std::string_view currency) { return of(0, currency); }

Result<Money> add(Money a, Money b) {
  if (!a.same_currency(b)) {
    return currency_mismatch(a, b);
  }
  int64_t sum = 0;
  if (__builtin_add_overflow(a.minor_units(), b.minor_units(), &sum)) {
    return overflow("sum", a);
  }
  return money_internal::in_currency_of(a, sum, "sum");
}

Result<Money> subtract(Money a, Money b) {
  if (!a.same_currency(b)) {
    return currency_mismatch(a, b);
  }
  int64_t difference = 0;
  if (__builtin_sub_overflow(a.minor_units(), b.minor_units(), &difference)) {
    return overflow("difference", a);
  }
  return money_internal::in_currency_of(a, difference, "difference");
}

Result<Money> negate(Money m) {
  int64_t negated = 0;
  if (__builtin_sub_overflow(int64_t{0}, m.minor_units(), &negated)) {
    return overflow("negation", m);
  }
  return money_internal::in_currency_of(m, negated, "negation");
}

Result<int> compare(Money a, Money b) {
  if (!a.same_currency(b)) {
    return currency_mismatch(a, b);
  }
  return a.minor_units() < b.minor_units() ? -1 : (a.minor_units() > b.minor_units() ? 1 : 0);
}

absl::Status MoneySum::add(Money amount) {
  const auto [it, first] = totals_.try_emplace(amount.currency(), amount);
  if (first) {
    return absl::OkStatus();
  }
  auto sum = arflow::add(it->second, amount);
  if (!sum.ok()) {
    // Same currency (same key), so only an overflow fails: say what the total is of.
    return overflow(what_, amount);
  }
  it->second = *sum;
  return absl::OkStatus();
}

std::vector<Money> MoneySum::totals() const {
  std::vector<Money> out;
  out.reserve(totals_.size());
  for (const auto& [code, sum] : totals_) {
    out.push_back(sum);
  }
  return out;
}

std::optional<Money> MoneySum::total(std::string_view currency) const {
  const auto it = totals_.find(currency);
  if (it == totals_.end()) {
    return std::nullopt;
  }
  return it->second;
}

Result<std::vector<Money>> allocate(Money total, std::span<const int64_t> weights) {
  if (weights.empty()) {
    return invalid_field("weights", "must not be empty");
  }
  Int128 weight_sum = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] < 0) {
      return invalid_field(fmt::format("weights[{}]", i), "must be >= 0");
    }
    weight_sum += weights[i];
  }
  if (weight_sum == 0) {
    return invalid_field("weights", "must have at least one weight > 0");
  }

  // Work on the magnitude so that a negative total is the exact mirror of a positive one.
  // |total| * weight < 2^126, so every product below is exact.
  const bool negative = total.is_negative();
  const Int128 magnitude =
      negative ? -static_cast<Int128>(total.minor_units()) : total.minor_units();
  std::vector<Int128> shares(weights.size());
  std::vector<Int128> remainders(weights.size());
  Int128 left_over = magnitude;
  for (size_t i = 0; i < weights.size(); ++i) {
    const Int128 exact_times_sum = magnitude * weights[i];
    shares[i] = exact_times_sum / weight_sum;
    remainders[i] = exact_times_sum % weight_sum;
    left_over -= shares[i];
  }
  // Fewer minor units are left over than there are parts with a remainder, so handing them
  // out one per part, largest remainder first, earlier part first on a tie, places them all.
  std::vector<size_t> order(weights.size());
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return remainders[x] > remainders[y]; });
  for (size_t k = 0; left_over > 0; ++k, --left_over) {
    ++shares[order[k]];
  }

  std::vector<Money> parts;
  parts.reserve(weights.size());
  for (const Int128 share : shares) {
    // A part never exceeds the total in magnitude, so it fits wherever the total did.
    auto part = money_internal::in_currency_of(total, negative ? -share : share, "part");
    if (!part.ok()) {
      return part.status();
    }
    parts.push_back(*part);
  }
  return parts;
}

Result<std::vector<Money>> split(Money total, int64_t parts) {
  if (parts < 1 || parts > kMaxSplitParts) {
    return invalid_field("parts", fmt::format("must be in [1, {}]", kMaxSplitParts));
  }
  std::vector<int64_t> equal_weights(static_cast<size_t>(parts), 1);
  return allocate(total, equal_weights);
}

Result<Money> apply_basis_points(Money amount, int64_t basis_points, Rounding rounding) {
  const Int128 exact_times_10000 = static_cast<Int128>(amount.minor_units()) * basis_points;
  return money_internal::in_currency_of(
      amount, money_internal::divide_rounded(exact_times_10000, kBasisPointsPerWhole, rounding),
      "basis-point amount");
}

std::string format(Money m) {
  // Magnitude as unsigned, so that the most negative amount formats too.
  const uint64_t magnitude = m.is_negative() ? 0 - static_cast<uint64_t>(m.minor_units())
                                             : static_cast<uint64_t>(m.minor_units());
  std::string digits = std::to_string(magnitude);
  const auto decimals = static_cast<size_t>(m.exponent());
  if (decimals > 0) {
    if (digits.size() <= decimals) {
      digits.insert(0, decimals + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - decimals, 1, '.');
  }
  return fmt::format("{}{} {}", m.is_negative() ? "-" : "", digits, m.currency());
}

Result<Money> parse_money(std::string_view amount, std::string_view currency,
                          std::string_view field) {
  auto zero = Money::zero(currency);
  if (!zero.ok()) {
    return zero.status();
  }
  auto decimal = Decimal::parse(amount, field);
  if (!decimal.ok()) {
    return decimal.status();
  }
  if (decimal->scale() > static_cast<uint32_t>(zero->exponent())) {
    return invalid_field(field,
                         fmt::format("{} has more decimals than {} allows ({})",
                                     money_internal::quoted(amount), currency, zero->exponent()));
  }
  const Int128 minor_units =
      static_cast<Int128>(decimal->units()) *
      money_internal::pow10(zero->exponent() - static_cast<int>(decimal->scale()));
  return money_internal::in_currency_of(*zero, minor_units, field);
}

std::ostream& operator<<(std::ostream& os, const Money& m) { return os << format(m); }

}  // namespace arflow
