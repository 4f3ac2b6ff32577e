#include "arflow/server/auth.h"

#include <cstddef>
#include <iterator>
#include <string>

#include "absl/strings/ascii.h"
#include "arflow/core/log.h"

namespace arflow::server {
namespace {

constexpr std::string_view kExpected = "send metadata 'authorization: Bearer <api key>'";

absl::Status unauthenticated(std::string_view reason) {
  return absl::UnauthenticatedError(std::string(reason));
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (absl::ascii_tolower(static_cast<unsigned char>(a[i])) !=
        absl::ascii_tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view strip_blanks(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

}  // namespace

Result<std::string_view> bearer_key(const grpc::ServerContextBase& ctx) {
  const auto& metadata = ctx.client_metadata();
  const auto [first, last] = metadata.equal_range("authorization");
  if (first == last) {
    return unauthenticated("missing API key: " + std::string(kExpected));
  }
  if (std::next(first) != last) {
    return unauthenticated("authorization metadata must appear once; " + std::string(kExpected));
  }
  const std::string_view value(first->second.data(), first->second.size());
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() < kScheme.size() ||
      !equals_ignore_case(value.substr(0, kScheme.size()), kScheme)) {
    return unauthenticated("authorization metadata must use the Bearer scheme; " +
                           std::string(kExpected));
  }
  const std::string_view key = strip_blanks(value.substr(kScheme.size()));
  if (key.empty()) {
    return unauthenticated("authorization metadata has no API key after 'Bearer'; " +
                           std::string(kExpected));
  }
  if (key.find_first_of(" \t") != std::string_view::npos) {
    return unauthenticated("the API key in the authorization metadata must not contain spaces");
  }
  return key;
}

Result<Principal> authorize(grpc::ServerContextBase& ctx, const TenantDirectory& tenants) {
  Result<Principal> principal = [&]() -> Result<Principal> {
    if (tenants.is_open()) {
      return tenants.authenticate("");
    }
    const auto key = bearer_key(ctx);
    if (!key.ok()) {
      return key.status();
    }
    return tenants.authenticate(*key);
  }();
  if (!principal.ok()) {
    ARFLOW_LOG_WARN("auth_rejected", "peer={} code={} reason=\"{}\"", ctx.peer(),
                    absl::StatusCodeToString(principal.status().code()),
                    std::string(principal.status().message()));
    return principal;
  }
  ctx.AddTrailingMetadata(std::string(detail::kAuthorizedTrailer), "1");
  return principal;
}

bool is_open_method(std::string_view method) {
  return method.starts_with("/grpc.health.v1.Health/") ||
         method.starts_with("/grpc.reflection.v1alpha.ServerReflection/") ||
         method.starts_with("/grpc.reflection.v1.ServerReflection/");
}

}  // namespace arflow::server
