#include "arflow/contract/names.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include "arflow/contract/ids.h"

namespace arflow::contract {

namespace {

constexpr std::string_view kTenants = "tenants/";

// PERMISSION_DENIED unless the tenant a name holds is the caller's.
absl::Status check_tenant(std::string_view tenant, std::string_view caller_tenant,
                          std::string_view field) {
  if (tenant != caller_tenant) {
    return absl::PermissionDeniedError(
        fmt::format("{}: tenant '{}' is not the tenant of the caller's API key", field, tenant));
  }
  return absl::OkStatus();
}

}  // namespace

std::string tenant_name(std::string_view tenant) {
  return fmt::format(FMT_COMPILE("tenants/{}"), tenant);
}

std::string child_name(std::string_view tenant, std::string_view collection, std::string_view id) {
  return fmt::format(FMT_COMPILE("tenants/{}/{}/{}"), tenant, collection, id);
}

absl::Status check_parent(std::string_view parent, std::string_view caller_tenant,
                          std::string_view field) {
  if (!parent.starts_with(kTenants) || parent.size() == kTenants.size() ||
      parent.substr(kTenants.size()).find('/') != std::string_view::npos) {
    return invalid_field(field, fmt::format("must be tenants/{{tenant}}, not '{}'", parent));
  }
  return check_tenant(parent.substr(kTenants.size()), caller_tenant, field);
}

Result<std::string> child_id_of(std::string_view name, std::string_view caller_tenant,
                                std::string_view collection, std::string_view field) {
  const auto malformed = [&] {
    return invalid_field(
        field, fmt::format("must be tenants/{{tenant}}/{}/{{id}}, not '{}'", collection, name));
  };
  if (!name.starts_with(kTenants)) {
    return malformed();
  }
  std::string_view rest = name.substr(kTenants.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return malformed();
  }
  const std::string_view tenant = rest.substr(0, slash);
  rest = rest.substr(slash + 1);
  if (!rest.starts_with(collection) || rest.size() <= collection.size() ||
      rest[collection.size()] != '/') {
    return malformed();
  }
  const std::string_view id = rest.substr(collection.size() + 1);
  ARFLOW_RETURN_IF_ERROR(check_tenant(tenant, caller_tenant, field));
  ARFLOW_RETURN_IF_ERROR(validate_id(id, field));
  return std::string(id);
}

}  // namespace arflow::contract
