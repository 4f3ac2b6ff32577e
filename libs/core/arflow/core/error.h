#pragma once
// Errors are values: absl::Status / absl::StatusOr on every path that can fail for a
// business or I/O reason. Codes are gRPC's canonical codes, so a handler passes a Status
// through to its caller unchanged. Messages name the field and the rule:
//   "lines[2].quantity must be > 0".

#include <fmt/format.h>

#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace arflow {

template <class T>
using Result = absl::StatusOr<T>;

// INVALID_ARGUMENT "<field> <rule>": the request itself is wrong, whatever the state.
absl::Status invalid_field(std::string_view field, std::string_view rule);

// FAILED_PRECONDITION: the request is well formed but the state does not allow it.
absl::Status precondition_failed(std::string_view what);

// True for the codes of a business refusal (INVALID_ARGUMENT, FAILED_PRECONDITION,
// NOT_FOUND, ALREADY_EXISTS, OUT_OF_RANGE, PERMISSION_DENIED): the same request against the
// same state is refused the same way, so a retry must get the same answer and a consumer
// may dead-letter the event. Every other error is transient (or a bug): retrying may work.
bool is_business_refusal(absl::StatusCode code);

// ABORTED: a concurrent writer got there first (expected-version conflict); retrying the
// whole read-decide-write may succeed.
absl::Status conflict(std::string_view what);

}  // namespace arflow

// Debian's abseil has its own string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0): let fmt print
// it, e.g. a Status message, like a std::string_view.
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(absl::string_view s, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(std::string_view(s.data(), s.size()), ctx);
  }
};

// Returns early with the error of an absl::Status expression.
#define ARFLOW_RETURN_IF_ERROR(expr)                          \
  do {                                                        \
    if (auto arflow_status_ = (expr); !arflow_status_.ok()) { \
      return arflow_status_;                                  \
    }                                                         \
  } while (false)

#define ARFLOW_CONCAT_INNER(a, b) a##b
#define ARFLOW_CONCAT(a, b) ARFLOW_CONCAT_INNER(a, b)

// ARFLOW_ASSIGN_OR_RETURN(Money total, add(a, b)); declares `total` or returns the error of
// a Result<T> expression. `lhs` is a declaration or an lvalue, so it cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ARFLOW_ASSIGN_OR_RETURN(lhs, expr) \
  ARFLOW_ASSIGN_OR_RETURN_IMPL(ARFLOW_CONCAT(arflow_result_, __LINE__), lhs, expr)

#define ARFLOW_ASSIGN_OR_RETURN_IMPL(result, lhs, expr) \
  auto result = (expr);                                 \
  if (!result.ok()) {                                   \
    return result.status();                             \
  }                                                     \
  lhs = std::move(result).value()
// NOLINTEND(bugprone-macro-parentheses)
