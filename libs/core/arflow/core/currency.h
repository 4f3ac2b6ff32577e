#pragma once
// ISO 4217 currencies and their minor-unit exponents, from one table (DESIGN.md, "Money and
// time"). Everything that needs to know how many decimals a currency has asks here.

#include <span>
#include <string_view>

#include "arflow/core/error.h"

namespace arflow {

struct Currency {
  std::string_view code;  // three upper-case letters; points into static storage
  int exponent;           // decimals of the minor unit: 2 for EUR (cents), 0 for JPY, 3 for KWD
};

// The currency for `code`, which must be exactly three upper-case letters and one of the
// active ISO 4217 codes. Errors are INVALID_ARGUMENT naming the rule broken.
Result<Currency> find_currency(std::string_view code);

// The same lookup, as a pointer to the table entry, which lives as long as the program; for
// types that keep their currency in one word (Money).
Result<const Currency*> find_currency_entry(std::string_view code);

// Every supported currency, sorted by code.
std::span<const Currency> all_currencies();

}  // namespace arflow
