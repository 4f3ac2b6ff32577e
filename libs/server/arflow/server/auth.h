#pragma once
// How a handler learns who is calling (DESIGN.md, "Operations": auth).
//
// gRPC 1.51 gives a server interceptor no way to reject a call, and an AuthMetadataProcessor
// cannot be set on InsecureServerCredentials; so each handler authorizes its own call,
// first thing:
//
//   grpc::ServerUnaryReactor* IssueInvoice(grpc::CallbackServerContext* ctx, ...) override {
//     auto principal = authorize(*ctx, tenants_);
//     if (!principal.ok()) return finish_unary(ctx, principal.status());
//     ... everything below is scoped to principal->tenant_id ...
//
// A handler cannot forget this silently: authorize() is the only way to a tenant id, and the
// auth guard interceptor (auth_guard.h, installed by GrpcServer) turns an OK answer from a
// call that was never authorized into INTERNAL and logs it. Health and reflection are open
// (is_open_method) and need no key.

#include <grpcpp/server_context.h>

#include <string_view>

#include "arflow/core/error.h"
#include "arflow/server/tenants.h"

namespace arflow::server {

// The API key from the call's `authorization: Bearer <key>` metadata. UNAUTHENTICATED, with
// a message saying what is expected, when the metadata is missing, repeated, of another
// scheme or without a key. The view points into `ctx`'s metadata.
// Thread-safety: as grpc::ServerContextBase::client_metadata(): any thread during the call.
Result<std::string_view> bearer_key(const grpc::ServerContextBase& ctx);

// The principal whose key the call carries (see bearer_key()), or UNAUTHENTICATED. In open
// dev mode every call is the dev principal, key or no key. On success the call is marked as
// authorized for the auth guard. Rejections are logged (event auth_rejected, with the peer,
// never the key).
// Thread-safety: call from the handler, before it finishes the call; `tenants` is only read.
Result<Principal> authorize(grpc::ServerContextBase& ctx, const TenantDirectory& tenants);

// True for methods every caller may use without a key: grpc.health.v1.Health and server
// reflection (v1alpha and v1). `method` is the full path, e.g. "/grpc.health.v1.Health/Check".
bool is_open_method(std::string_view method);

namespace detail {
// Trailing metadata that authorize() adds and the auth guard removes before it is sent.
inline constexpr std::string_view kAuthorizedTrailer = "arflow-authorized";
}  // namespace detail

}  // namespace arflow::server
