#pragma once
// Resource names of the API (AIP-122): "tenants/{tenant}", "tenants/{tenant}/customers/{id}",
// "tenants/{tenant}/invoices/{id}". A name is accepted only for the caller's own tenant:
// PERMISSION_DENIED otherwise, so a key of tenant A can never name tenant B's data. The
// rules are every service's (arflow/contract/names.h); these are invoicing's collections.

#include <string>
#include <string_view>

#include "arflow/contract/names.h"
#include "arflow/core/error.h"

namespace arflow::invoicing::app {

using contract::check_parent;
using contract::tenant_name;

std::string customer_name(std::string_view tenant, std::string_view customer_id);
std::string invoice_name(std::string_view tenant, std::string_view invoice_id);

// The customer id of "tenants/<caller_tenant>/customers/<id>".
Result<std::string> customer_id_of(std::string_view name, std::string_view caller_tenant,
                                   std::string_view field = "name");
// The invoice id of "tenants/<caller_tenant>/invoices/<id>".
Result<std::string> invoice_id_of(std::string_view name, std::string_view caller_tenant,
                                  std::string_view field = "name");

}  // namespace arflow::invoicing::app
