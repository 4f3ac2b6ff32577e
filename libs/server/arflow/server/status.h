#pragma once
// absl::Status (our errors) <-> grpc::Status (the wire). The codes are the same canonical
// codes, so a handler passes an error through unchanged: INVALID_ARGUMENT stays
// INVALID_ARGUMENT with the message that names the field and the rule.

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace arflow::server {

// Same code, same message. Payloads are not carried over.
grpc::Status to_grpc_status(const absl::Status& status);

// Same code, same message.
absl::Status to_absl_status(const grpc::Status& status);

// For callback-API unary handlers: finishes the call with `status` on the context's default
// reactor and returns that reactor, so an early return reads
//   if (!principal.ok()) return finish_unary(ctx, principal.status());
// Thread-safety: as grpc::ServerUnaryReactor::Finish: once per call.
grpc::ServerUnaryReactor* finish_unary(grpc::CallbackServerContext* ctx,
                                       const absl::Status& status);

}  // namespace arflow::server
