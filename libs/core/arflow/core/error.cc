#include "arflow/core/error.h"

#include <string>

namespace arflow {

absl::Status invalid_field(std::string_view field, std::string_view rule) {
  // Debian's abseil has its own string_view, which absl::StrCat needs; build the message
  // from std::string instead.
  std::string message(field);
  message += ' ';
  message += rule;
  return absl::InvalidArgumentError(message);
}

absl::Status precondition_failed(std::string_view what) {
  return absl::FailedPreconditionError(std::string(what));
}

bool is_business_refusal(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kPermissionDenied:
      return true;
    default:
      return false;
  }
}

absl::Status conflict(std::string_view what) { return absl::AbortedError(std::string(what)); }

}  // namespace arflow
