#include "arflow/contract/ids.h"

#include <fmt/format.h>

#include <algorithm>

namespace arflow::contract {

namespace {

absl::Status validate_id_of(std::string_view id, size_t max_length, std::string_view field) {
  if (id.empty() || id.size() > max_length) {
    return invalid_field(field, fmt::format("must be 1 to {} characters", max_length));
  }
  if (!std::all_of(id.begin(), id.end(), is_id_char)) {
    return invalid_field(field, "must contain only letters, digits, '-', '_', '.' and ':'");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status validate_id(std::string_view id, std::string_view field) {
  return validate_id_of(id, kMaxIdLength, field);
}

std::string natural_key_of(std::string_view request_id) {
  if (validate_id(request_id, "request_id").ok()) {
    return std::string(request_id);
  }
  uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64, stable across processes and releases
  for (const char c : request_id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return fmt::format("r{:016x}", hash);
}

absl::Status validate_derived_id(std::string_view id, std::string_view field) {
  return validate_id_of(id, kMaxDerivedIdLength, field);
}

}  // namespace arflow::contract
