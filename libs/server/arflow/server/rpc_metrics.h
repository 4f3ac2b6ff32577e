#pragma once
// RPC rate, errors and latency by method and code (DESIGN.md, "Operations": metrics), recorded
// by a server interceptor for every call the server answers, whatever the API (sync,
// callback, generic) the handler is written with:
//
//   arflow_<service>_grpc_requests_total{method,code}               counter
//   arflow_<service>_grpc_request_duration_seconds{method}          histogram
//
// method: the full method name without the leading '/', "grpc.health.v1.Health/Check".
// code:   the canonical status code name the server sends, "OK", "UNAUTHENTICATED".
// Latency runs from the moment the server matched the call to the moment the handler's
// status is handed to gRPC (interception point PRE_SEND_STATUS). A call released without a
// status from the server is counted as CANCELLED. Any client can name a method that does not
// exist (answered UNIMPLEMENTED): past kMaxMethodLabels distinct names, method="other".

#include <grpcpp/support/server_interceptor.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "arflow/core/error.h"
#include "arflow/server/metrics.h"

namespace arflow::server {

inline constexpr std::size_t kMaxMethodLabels = 200;

// Histogram buckets in seconds: 0.1 ms .. 5 s, roughly 1-2.5-5 per decade.
const std::vector<double>& rpc_latency_buckets();

// The interceptor factory to pass to ServerBuilder::experimental().SetInterceptorCreators
// (GrpcServer does when given a MetricsRegistry). The metric families are registered in
// `metrics` now (a second factory on the same registry shares them); INTERNAL if the registry
// already holds a different metric under one of the names. The factory shares ownership of
// the registry, so it may outlive `metrics`.
// Thread-safety: the factory and the metrics are used by all server threads at once.
Result<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
make_rpc_metrics_interceptor(MetricsRegistry& metrics);

}  // namespace arflow::server
