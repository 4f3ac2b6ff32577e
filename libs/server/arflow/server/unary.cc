#include "arflow/server/unary.h"

#include <fmt/format.h>

#include "arflow/eventstore/keys.h"

namespace arflow::server {

absl::Status check_request_id(std::string_view request_id, std::string_view field) {
  if (request_id.empty()) {
    return invalid_field(field, "must be set: it is what makes a retried request safe");
  }
  if (request_id.size() > kMaxRequestIdLength) {
    return invalid_field(field, fmt::format("must be at most {} characters", kMaxRequestIdLength));
  }
  return absl::OkStatus();
}

Result<std::string> with_request_id(Result<std::string> id, std::string_view request_id) {
  if (id.ok()) {
    ARFLOW_RETURN_IF_ERROR(check_request_id(request_id, "request_id"));
  }
  return id;
}

uint64_t fingerprint_of(std::string_view method, const google::protobuf::Message& request) {
  std::string bytes(method);
  bytes.push_back('\0');
  request.AppendToString(&bytes);
  return eventstore::fingerprint(bytes);
}

eventstore::Caller caller_of(const Principal& principal, const std::string& request_id) {
  return eventstore::Caller{.tenant = principal.tenant_id,
                            .actor = principal.key_name,
                            .causation_id = request_id,
                            .correlation_id = request_id};
}

contract::Date today(const Clock& clock) {
  return contract::Date(std::chrono::floor<std::chrono::days>(clock.now()));
}

Result<contract::Date> date_or_today(bool has, const common::v1::Date& date, std::string_view field,
                                     const Clock& clock) {
  return has ? contract::from_proto(date, field) : Result<contract::Date>(today(clock));
}

}  // namespace arflow::server
