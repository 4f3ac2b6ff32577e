#include "arflow/contract/paging.h"

#include <fmt/format.h>

#include <algorithm>

#include "arflow/contract/ids.h"

namespace arflow::contract {

Result<int32_t> page_size_of(int32_t requested) {
  if (requested < 0) {
    return invalid_field("page_size", "must be >= 0");
  }
  if (requested == 0) {
    return kDefaultPageSize;
  }
  return std::min(requested, kMaxPageSize);
}

Result<std::string> page_start_after(std::string_view page_token) {
  if (page_token.empty()) {
    return std::string();
  }
  if (!validate_id(page_token, "page_token").ok()) {
    return invalid_field("page_token", "is not a token this service returned");
  }
  return std::string(page_token);
}

Result<PageRequest> page_request(int32_t page_size, std::string_view page_token) {
  auto size = page_size_of(page_size);
  if (!size.ok()) {
    return size.status();
  }
  auto after = page_start_after(page_token);
  if (!after.ok()) {
    return after.status();
  }
  return PageRequest{.size = *size, .after = *std::move(after)};
}

std::string scan_start(std::string_view prefix, std::string_view after) {
  if (after.empty()) {
    return "";
  }
  std::string start = fmt::format("{}{}", prefix, after);
  start.push_back('\0');
  return start;
}

}  // namespace arflow::contract
