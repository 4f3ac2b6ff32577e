#pragma once
// Resource names of the API (AIP-122), for every service: "tenants/{tenant}" and its
// collections' resources "tenants/{tenant}/{collection}/{id}" ("tenants/acme/invoices/inv-1").
// A name is accepted only for the caller's own tenant: PERMISSION_DENIED otherwise, so a key
// of tenant A can never name tenant B's data. A malformed name is INVALID_ARGUMENT naming
// `field`.

#include <string>
#include <string_view>

#include "arflow/core/error.h"

namespace arflow::contract {

// "tenants/<tenant>".
std::string tenant_name(std::string_view tenant);
// "tenants/<tenant>/<collection>/<id>".
std::string child_name(std::string_view tenant, std::string_view collection, std::string_view id);

// Checks that `parent` is "tenants/<caller_tenant>". `field` names it in errors.
absl::Status check_parent(std::string_view parent, std::string_view caller_tenant,
                          std::string_view field = "parent");

// The id of "tenants/<caller_tenant>/<collection>/<id>", checked with validate_id (ids.h).
// `collection` is the plural the API uses ("invoices").
Result<std::string> child_id_of(std::string_view name, std::string_view caller_tenant,
                                std::string_view collection, std::string_view field = "name");

}  // namespace arflow::contract
