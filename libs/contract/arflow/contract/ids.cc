#include "arflow/contract/ids.h"

#include <fmt/format.h>

#include <algorithm>

namespace arflow::contract {

absl::Status validate_id(std::string_view id, std::string_view field) {
  if (id.empty() || id.size() > kMaxIdLength) {
    return invalid_field(field, fmt::format("must be 1 to {} characters", kMaxIdLength));
  }
  const bool allowed = std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == ':';
  });
  if (!allowed) {
    return invalid_field(field, "must contain only letters, digits, '-', '_', '.' and ':'");
  }
  return absl::OkStatus();
}

}  // namespace arflow::contract
