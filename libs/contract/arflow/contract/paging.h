#pragma once
// Pagination of the API's List methods (AIP-158), for every service: what a request's
// page_size means, and page tokens for lists in id order, where a token is the last id the
// previous page looked at.

#include <cstdint>
#include <string>
#include <string_view>

#include "arflow/core/error.h"

namespace arflow::contract {

inline constexpr int32_t kDefaultPageSize = 50;
inline constexpr int32_t kMaxPageSize = 1000;

// page_size 0 means the default; negative is INVALID_ARGUMENT; above the maximum is capped.
Result<int32_t> page_size_of(int32_t requested);

// The id after which a page starts: "" for the first page (no token), else the token,
// checked like an id (ids.h): INVALID_ARGUMENT "page_token is not a token this service
// returned" otherwise.
Result<std::string> page_start_after(std::string_view page_token);

// A List request's page: its size (page_size_of) and the id it starts after
// (page_start_after), the size's error first.
struct PageRequest {
  int32_t size = kDefaultPageSize;
  std::string after;
};
Result<PageRequest> page_request(int32_t page_size, std::string_view page_token);

// Where a scan over rows keyed "<prefix><id>" starts to begin after the id `after`: "" (the
// prefix's first row) when `after` is empty.
std::string scan_start(std::string_view prefix, std::string_view after);

}  // namespace arflow::contract
