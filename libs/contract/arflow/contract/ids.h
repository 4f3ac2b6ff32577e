#pragma once
// The ids of the API's resources (a customer, an invoice, a payment), for every service: what
// a client may choose as an id. Ids become stream names and row keys, so the alphabet is
// small and the length bounded.

#include <cstddef>
#include <string>
#include <string_view>

#include "arflow/contract/limits.h"
#include "arflow/core/error.h"

namespace arflow::contract {

// Ids name streams: 1..kMaxIdLength characters of A-Z a-z 0-9 '-' '_' '.' ':'.
// INVALID_ARGUMENT naming `field` otherwise.
absl::Status validate_id(std::string_view id, std::string_view field);

// The business id of what a request creates when the client gave none (a refund, an
// allocation, a credit application): the request id itself when it is a valid id, else "r"
// and 16 hex digits of its FNV-1a hash. A money movement keeps it for the life of the ledger,
// so the same request is recognised even after its idempotency record expired.
std::string natural_key_of(std::string_view request_id);

// An id a service derived from a client's id (limits.h): the same alphabet, up to
// kMaxDerivedIdLength. What receives another service's allocation ids checks them with this.
absl::Status validate_derived_id(std::string_view id, std::string_view field);

}  // namespace arflow::contract
