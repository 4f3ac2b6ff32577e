#include "arflow/server/status.h"

#include <string>

namespace arflow::server {

grpc::Status to_grpc_status(const absl::Status& status) {
  if (status.ok()) {
    return grpc::Status::OK;
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status to_absl_status(const grpc::Status& status) {
  if (status.ok()) {
    return absl::OkStatus();
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

grpc::ServerUnaryReactor* finish_unary(grpc::CallbackServerContext* ctx,
                                       const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(to_grpc_status(status));
  return reactor;
}

}  // namespace arflow::server
