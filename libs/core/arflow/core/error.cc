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

absl::Status conflict(std::string_view what) { return absl::AbortedError(std::string(what)); }

}  // namespace arflow
