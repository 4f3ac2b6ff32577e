#include "arflow/core/error.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace arflow {

absl::Status invalid_field(std::string_view field, std::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, " ", rule));
}

absl::Status precondition_failed(std::string_view what) {
  return absl::FailedPreconditionError(std::string(what));
}

absl::Status conflict(std::string_view what) { return absl::AbortedError(std::string(what)); }

}  // namespace arflow
