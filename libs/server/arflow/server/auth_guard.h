#pragma once
// The auth guard: makes a handler that forgot to call authorize() (auth.h) fail loudly.
//
// For every call to a method that is not open (is_open_method), the guard looks, as the
// status is about to be sent, for the mark authorize() leaves on a successfully authorized
// call. An OK status without the mark becomes INTERNAL "handler did not authorize the call"
// and is logged (event auth_guard_violation). Error statuses pass unchanged: a handler may
// reject a call (UNAUTHENTICATED, INVALID_ARGUMENT, ...) before or without authorizing it.
// The mark never reaches the client.
//
// It is a backstop, not the access check: it acts when the status is sent, so for a
// streaming call, messages written before that are already gone. GrpcServer installs it
// on every server, first in the chain, so the metrics interceptor records the code the
// client really gets.

#include <grpcpp/support/server_interceptor.h>

#include <memory>

namespace arflow::server {

// Thread-safety: the factory is called concurrently by gRPC; each interceptor it creates
// serves one call.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> make_auth_guard();

}  // namespace arflow::server
