#pragma once
// The syntax of a List or export method's `filter`, for every service: a small subset of
// AIP-160 (https://google.aip.dev/160). A service names its fields and the operators each
// takes; parse_filter_terms reads the text into terms; the service gives each term's value
// its type (parse_filter_date, parse_filter_enum, or its own rule) and evaluates the terms on
// its resources (compare). Pure: no I/O, no clock.
//
// Grammar (whitespace separates tokens and is otherwise ignored):
//   filter     := <empty> | comparison { "AND" comparison }
//   comparison := field operator value
//   operator   := "=" | "!=" | "<" | "<=" | ">" | ">="
//   value      := bare | quoted
//   bare       := one or more characters other than whitespace ( ) " = ! < >
//   quoted     := '"' { character | '\"' | '\\' } '"'
//
//   customer_id = "c-42" AND status = ISSUED AND due_date < 2026-12-01
//
// Not supported, and refused with a message naming the token and its position: OR, NOT,
// '-' negation, parentheses, the has operator ':', functions, wildcards' special meaning
// (a '*' is an ordinary character), lower-case keywords, and AIP-160's implicit AND (two
// comparisons side by side without AND). Keywords and field names are case-sensitive. A bare
// value may hold ':' (ids do).
//
// Errors are INVALID_ARGUMENT "filter <rule>", naming the offending token and its position
// (1-based, in bytes), e.g.
//   filter has an unknown field "state" at position 1; fields are customer_id, status
//   filter does not support OR (at position 19); only comparisons joined by AND are supported
// A filter with several mistakes is refused for the first one met reading left to right,
// the service's own (a value of the wrong type) included.

#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arflow/contract/convert.h"
#include "arflow/contract/limits.h"
#include "arflow/core/error.h"

namespace arflow::contract {

enum class FilterOperator {
  kEqual,           // =
  kNotEqual,        // !=
  kLess,            // <
  kLessOrEqual,     // <=
  kGreater,         // >
  kGreaterOrEqual,  // >=
};

// The operators of a field of text or of an enum, and of an ordered field (dates).
inline constexpr std::array kEqualityOperators{FilterOperator::kEqual, FilterOperator::kNotEqual};
inline constexpr std::array kEveryOperator{
    FilterOperator::kEqual,       FilterOperator::kNotEqual, FilterOperator::kLess,
    FilterOperator::kLessOrEqual, FilterOperator::kGreater,  FilterOperator::kGreaterOrEqual};

// A field of a service's filter: its name as clients write it, and the operators it takes
// (at least one). Another operator is refused before the value is read:
//   filter allows only = and != on status; got "<" at position 8
struct FilterFieldSyntax {
  std::string_view name;
  std::span<const FilterOperator> operators;
};

// One `field operator value` as written: the operator is one the field takes; the value is
// still text, for the service to give its type.
struct FilterTerm {
  size_t field = 0;  // index of the field in the table given to parse_filter_terms
  FilterOperator op = FilterOperator::kEqual;
  std::string value;          // unquoted: "c \"42\"" is c "42"
  size_t value_position = 0;  // where the value starts (1-based, in bytes), for messages
};

// A filter longer than kMaxFilterLength (limits.h) is refused before parsing, so a request
// cannot make a scan costly by its filter alone.

// Reads `text` (empty or blank: no terms) and calls `visit` with each term, left to right, as
// soon as it is read. Stops at the first error, a syntax error or visit's own, and returns it
// (visit's unchanged). Field names are looked up in `fields`; an unknown one is refused with
// "has an unknown field "x" at position N; fields are <the names of `fields`, in order>".
absl::Status parse_filter_terms(std::string_view text, std::span<const FilterFieldSyntax> fields,
                                const std::function<absl::Status(const FilterTerm&)>& visit);

// The terms of `text`, each given its type by `typed` (a term -> Result<Comparison>): the
// service's parsed filter, refused at the first error met reading left to right.
template <class Comparison, class Typed>
Result<std::vector<Comparison>> parse_typed_filter(std::string_view text,
                                                   std::span<const FilterFieldSyntax> fields,
                                                   Typed typed) {
  std::vector<Comparison> comparisons;
  const absl::Status parsed =
      parse_filter_terms(text, fields, [&](const FilterTerm& term) -> absl::Status {
        Result<Comparison> comparison = typed(term);
        if (!comparison.ok()) {
          return comparison.status();
        }
        comparisons.push_back(*std::move(comparison));
        return absl::OkStatus();
      });
  if (!parsed.ok()) {
    return parsed;
  }
  return comparisons;
}

// INVALID_ARGUMENT "filter <rule>": how a service refuses a term's value, e.g.
//   refuse_filter(fmt::format("has an invalid date {} at position {}; expected YYYY-MM-DD",
//                             quoted_token(term.value), term.value_position))
absl::Status refuse_filter(std::string_view rule);

// A client's token as a message shows it: in double quotes, '"' and '\' escaped, bytes
// outside printable ASCII as \xNN, cut after 40 bytes with "...".
std::string quoted_token(std::string_view token);

// A real calendar date written YYYY-MM-DD ("2028-02-29" but not "2026-02-30" or "2026-1-1").
std::optional<Date> parse_filter_date(std::string_view text);

// A date term's value as parse_filter_date reads it, or the refusal every service gives:
// "filter has an invalid date "x" at position N; expected YYYY-MM-DD".
Result<Date> filter_date_of(const FilterTerm& term);

// An enum value by its short name ("ISSUED") or its full proto name ("INVOICE_STATUS_ISSUED"),
// upper case: `prefix` is the full names' common prefix, `parse` the generated
// <Enum>_Parse(name, &value).
template <class Enum, class ParseFn>
std::optional<Enum> parse_filter_enum(std::string_view text, std::string_view prefix,
                                      ParseFn parse) {
  std::string full(text);
  if (!text.starts_with(prefix)) {
    full.insert(0, prefix);
  }
  Enum value{};
  if (!parse(full, &value)) {
    return std::nullopt;
  }
  return value;
}

// Whether `actual op wanted` holds, for a resource's value and a term's typed value.
template <class T>
bool compare(FilterOperator op, const T& actual, const T& wanted) {
  switch (op) {
    case FilterOperator::kEqual:
      return actual == wanted;
    case FilterOperator::kNotEqual:
      return actual != wanted;
    case FilterOperator::kLess:
      return actual < wanted;
    case FilterOperator::kLessOrEqual:
      return actual <= wanted;
    case FilterOperator::kGreater:
      return actual > wanted;
    case FilterOperator::kGreaterOrEqual:
      return actual >= wanted;
  }
  return false;
}

}  // namespace arflow::contract
