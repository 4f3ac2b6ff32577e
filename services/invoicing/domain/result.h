#pragma once
// Early return for Result<T> (absl::StatusOr) expressions, the twin of ARFLOW_RETURN_IF_ERROR.

#include <utility>

#define INVOICING_CONCAT_INNER(a, b) a##b
#define INVOICING_CONCAT(a, b) INVOICING_CONCAT_INNER(a, b)

// INVOICING_ASSIGN_OR_RETURN(Money total, add(a, b)); declares `total` or returns the error.
// `lhs` is a declaration or an lvalue, so it cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define INVOICING_ASSIGN_OR_RETURN(lhs, expr) \
  INVOICING_ASSIGN_OR_RETURN_IMPL(INVOICING_CONCAT(invoicing_result_, __LINE__), lhs, expr)

#define INVOICING_ASSIGN_OR_RETURN_IMPL(result, lhs, expr) \
  auto result = (expr);                                    \
  if (!result.ok()) {                                      \
    return result.status();                                \
  }                                                        \
  lhs = std::move(result).value()
// NOLINTEND(bugprone-macro-parentheses)
