#pragma once
// The gRPC server every arflow service runs (DESIGN.md, "Operations": gRPC).
//
// It adds to the services it is given: grpc.health.v1 (SERVING while up, NOT_SERVING once
// shutting down), server reflection (grpcurl list/describe), the auth guard (auth_guard.h),
// RPC metrics when given a MetricsRegistry (rpc_metrics.h), TLS when given a certificate and
// key, and a message size limit fit for batch RPCs.
//
//   GrpcServerOptions options;
//   options.listen_address = flags.grpc_addr;
//   options.services = {&invoicing_api};
//   options.metrics = metrics.get();
//   auto server = GrpcServer::start(std::move(options));
//   if (!server.ok()) { ARFLOW_LOG_ERROR("grpc_server_failed", "error={}", ...); return 1; }
//   ... wait for SIGTERM (e.g. sigwait on a thread) ...
//   (*server)->shutdown(absl::Seconds(10));

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/impl/service_type.h>
#include <grpcpp/server.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "arflow/core/error.h"
#include "arflow/server/metrics.h"

namespace arflow::server {

inline constexpr int kDefaultMaxMessageBytes = 16 * 1024 * 1024;
inline constexpr absl::Duration kDefaultShutdownGrace = absl::Seconds(5);

struct GrpcServerOptions {
  // "host:port"; port 0 picks a free port (see GrpcServer::port()). The port is bound
  // exclusively (no SO_REUSEPORT), so a second server on a busy port fails to start.
  std::string listen_address;

  // Services to serve (generated sync, callback or async-free services). Not owned: they
  // must outlive the server.
  std::vector<grpc::Service*> services;

  // Optional handler for every method no service implements (proxies, tests). Not owned.
  grpc::CallbackGenericService* generic_service = nullptr;

  // Optional: records RPC metrics in this registry. Not owned; may be destroyed before the
  // server (the interceptor shares the underlying prometheus registry).
  MetricsRegistry* metrics = nullptr;

  // TLS: PEM files of the server certificate (chain) and its private key. Both or neither;
  // neither means plaintext (InsecureServerCredentials).
  std::string tls_cert_path;
  std::string tls_key_path;

  // Largest request or response message, in bytes.
  int max_message_bytes = kDefaultMaxMessageBytes;
};

// A started gRPC server; destroying it shuts it down (with kDefaultShutdownGrace).
//
// Thread-safety: all methods may be called from any thread, concurrently; shutdown() runs
// once, later calls wait for the first to finish.
class GrpcServer {
 public:
  // Builds and starts the server. INVALID_ARGUMENT for inconsistent options, NOT_FOUND for an
  // unreadable TLS file, UNAVAILABLE if the address cannot be bound.
  static Result<std::unique_ptr<GrpcServer>> start(GrpcServerOptions options);

  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // The bound TCP port (the chosen one when port 0 was asked for).
  std::uint16_t port() const { return port_; }

  // Sets the health status reported for `service` (a full service name such as
  // "arflow.invoicing.v1.InvoicingService"; "" is the whole server). Ignored once shutting
  // down.
  void set_serving(std::string_view service, bool serving);

  // Graceful stop: health turns NOT_SERVING, no new call is accepted, calls in flight get
  // until `grace` to finish and are cancelled after that; returns once all have ended.
  void shutdown(absl::Duration grace);

  // Blocks until the server has been shut down (by shutdown() on another thread).
  void wait();

 private:
  GrpcServer(std::unique_ptr<grpc::Server> server, std::uint16_t port);

  std::unique_ptr<grpc::Server> server_;
  const std::uint16_t port_;
  std::mutex shutdown_mu_;
  bool shut_down_ = false;  // guarded by shutdown_mu_
};

}  // namespace arflow::server
