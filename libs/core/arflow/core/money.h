#pragma once
// Money: an exact amount in a currency's minor units (cents for EUR, yen for JPY, fils for
// KWD), never floating point (DESIGN.md, "Money and time"). Every operation that could
// overflow, mix currencies or lose a cent returns a Result instead of guessing.
//
// Errors: a currency mismatch or a malformed input is INVALID_ARGUMENT; a result that does
// not fit in int64 minor units is OUT_OF_RANGE. Messages name the field and the rule.

#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arflow/core/currency.h"
#include "arflow/core/error.h"

namespace arflow {

// How an exact result that falls between two minor units becomes one. There is no default:
// every caller names the rule its business (or tax authority) prescribes.
enum class Rounding {
  HalfEven,  // nearest; a tie goes to the even neighbour ("banker's"): 2.5 -> 2, 3.5 -> 4
  HalfUp,    // nearest; a tie goes away from zero ("commercial"): 2.5 -> 3, -2.5 -> -3
  Down,      // toward zero (truncate): 2.9 -> 2, -2.9 -> -2
  Up,        // away from zero: 2.1 -> 3, -2.1 -> -3
};

// "half_even", "half_up", "down", "up": for logs and error messages.
std::string_view rounding_name(Rounding rounding);

class Money;

namespace money_internal {

// GCC/Clang's 128-bit integer: wide enough to hold the exact product of two int64 values,
// so that multiplication, then one rounding step, never loses precision.
__extension__ typedef __int128 Int128;

// 10^exponent, for 0 <= exponent <= 38.
Int128 pow10(int exponent);

// numerator / denominator rounded by `rounding`. Requires 0 < denominator < 2^125.
Int128 divide_rounded(Int128 numerator, Int128 denominator, Rounding rounding);

// Money of `minor_units` in the currency of `like`, or OUT_OF_RANGE naming `what` when the
// amount does not fit in int64.
Result<Money> in_currency_of(const Money& like, Int128 minor_units, std::string_view what);

// A caller's text as it may appear in an error message: quoted, escaped and cut short,
// since it can be anything a client sent.
std::string quoted(std::string_view text);

}  // namespace money_internal

// Cheap to copy (16 bytes). Not default-constructible: every Money has a valid currency.
class Money {
 public:
  // `minor_units` of `currency`: Money::of(1234, "EUR") is 12.34 EUR.
  static Result<Money> of(int64_t minor_units, std::string_view currency);
  static Result<Money> zero(std::string_view currency);

  int64_t minor_units() const { return minor_units_; }
  // ISO 4217 code; the view points into static storage, so it never dangles.
  std::string_view currency() const { return currency_->code; }
  // Decimals of the minor unit: 2 for EUR.
  int exponent() const { return currency_->exponent; }

  bool is_zero() const { return minor_units_ == 0; }
  bool is_negative() const { return minor_units_ < 0; }
  bool is_positive() const { return minor_units_ > 0; }
  bool same_currency(const Money& other) const { return currency_ == other.currency_; }

  // Equal when the currency and the amount are the same; 10.00 EUR != 10.00 USD. There is
  // deliberately no operator< or operator<=>: amounts in two currencies have no order, so
  // ordering goes through compare(), which refuses a currency mismatch instead of guessing.
  friend bool operator==(const Money& a, const Money& b) = default;

 private:
  Money(int64_t minor_units, const Currency* currency)
      : minor_units_(minor_units), currency_(currency) {}

  friend Result<Money> money_internal::in_currency_of(const Money& like,
                                                      money_internal::Int128 minor_units,
                                                      std::string_view what);

  int64_t minor_units_;
  const Currency* currency_;  // an entry of the static ISO 4217 table
};

// a + b, same currency only.
Result<Money> add(Money a, Money b);
// a - b, same currency only.
Result<Money> subtract(Money a, Money b);
// -m (fails only for the most negative int64 amount).
Result<Money> negate(Money m);
// -1, 0 or 1 as a is less than, equal to or greater than b; same currency only.
Result<int> compare(Money a, Money b);

// A running total per currency of many amounts: a customer's balances over its invoices, its
// credit over its payments, what payments allocated to an invoice. Every addition is checked,
// so a total beyond int64 minor units is OUT_OF_RANGE naming what is summed ("the balance of
// customer 'c1' in EUR exceeds the int64 range of minor units"), never a wrapped total.
// Amounts in different currencies go to different totals, never into one.
//
//   MoneySum balances("the balance of customer 'c1'");
//   for each invoice: ARFLOW_RETURN_IF_ERROR(balances.add(balance));
//   for (const Money& total : balances.totals()) ...
class MoneySum {
 public:
  // `what` names the total in the error of an overflow.
  explicit MoneySum(std::string what) : what_(std::move(what)) {}

  // Adds `amount` to the total of its currency; on OUT_OF_RANGE that total is unchanged.
  absl::Status add(Money amount);

  // One total per currency added to, in currency-code order; a total that came back to
  // zero is still there.
  std::vector<Money> totals() const;
  // The total in `currency`; nullopt when nothing in it was added.
  std::optional<Money> total(std::string_view currency) const;

 private:
  std::string what_;
  // By currency code; the keys are Money::currency() views, so they never dangle.
  std::map<std::string_view, Money> totals_;
};

// Splits `total` in proportion to `weights` (integer ratios, each >= 0, at least one > 0)
// so that the parts add up to `total` exactly, to the minor unit.
// Largest-remainder method: each part first gets its exact share rounded toward zero; the
// minor units left over go one each to the parts whose exact share lost the most, and on
// a tie to the earlier part. So every part is within one minor unit of its exact share, a
// zero weight always gets zero, and a negative total splits as the mirror image of the
// positive one. Example: 100 split 1:1:1 -> 34, 33, 33.
Result<std::vector<Money>> allocate(Money total, std::span<const int64_t> weights);

// `parts` (1..kMaxSplitParts) near-equal parts that add up to `total` exactly; the first parts get
// the extra minor unit (in the direction of the total's sign): 10.00 / 3 -> 3.34, 3.33, 3.33. Same
// as allocate() with equal weights.
Result<std::vector<Money>> split(Money total, int64_t parts);
// Bounds the memory a request can make split() use; far above any instalment plan.
inline constexpr int64_t kMaxSplitParts = 1'000'000;

// amount * basis_points / 10000 (1 bp = 0.01%; 2000 bps = 20%), computed exactly and then
// rounded once to the minor unit by `rounding`. Negative basis points give a negative result.
Result<Money> apply_basis_points(Money amount, int64_t basis_points, Rounding rounding);

// "12.34 EUR", "-0.05 EUR", "1234 JPY", "1.234 KWD": every decimal of the currency, '.' as the
// separator, no grouping; for logs, CLI output and messages, not for localized documents.
std::string format(Money m);

// Parses an amount written with at most the currency's decimals ("12.34", "-3", "0.5" in
// EUR; "1234" in JPY): optional '-', digits, optional '.' and digits. Refuses anything else
// (spaces, '+', exponents, grouping, "12.", ".5") and more decimals than the currency has,
// rather than round. `field` names the input in the error message.
Result<Money> parse_money(std::string_view amount, std::string_view currency,
                          std::string_view field = "amount");

// Writes format(m); lets GoogleTest and logs print Money.
std::ostream& operator<<(std::ostream& os, const Money& m);

}  // namespace arflow
