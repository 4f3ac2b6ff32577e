#pragma once
// Test helpers for libs/server: a small generic gRPC service, raw-bytes gRPC calls, the
// standard health and reflection calls without their generated code, an HTTP GET for the
// metrics endpoint, and a self-signed TLS certificate.

#include <grpcpp/channel.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/impl/service_type.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arflow/server/tenants.h"

namespace arflow::server::testing {

// Methods of the test service "arflow.test.Echo", served by a CallbackGenericService:
//   /arflow.test.Echo/Whoami     authorize(); answers "<tenant_id>/<key_name>"
//   /arflow.test.Echo/Forgetful  answers OK without authorize() (the auth guard's case)
//   /arflow.test.Echo/Reject     answers INVALID_ARGUMENT "amount must be > 0" unauthorized
//   /arflow.test.Echo/Hang       answers only when cancelled (shutdown's case)
// Anything else: UNIMPLEMENTED.
// Thread-safety: CreateReactor is called by gRPC threads concurrently; `tenants` is only read.
class EchoService final : public grpc::CallbackGenericService {
 public:
  explicit EchoService(const TenantDirectory& tenants) : tenants_(tenants) {}
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

  // Hang calls the server has received so far.
  int hang_calls() const { return hang_calls_.load(); }

 private:
  const TenantDirectory& tenants_;
  std::atomic<int> hang_calls_{0};
};

// "arflow.test.Unary": a registered callback-API service built the way generated code builds
// one (a unary method taking and returning raw bytes, so no .proto is needed), with its
// handler written the way arflow handlers are: authorize(), then finish_unary().
//   /arflow.test.Unary/Whoami  answers "<tenant_id>/<key_name>"
// Thread-safety: handlers run concurrently; `tenants` is only read.
class UnaryWhoamiService final : public grpc::Service {
 public:
  explicit UnaryWhoamiService(const TenantDirectory& tenants);

 private:
  grpc::ServerUnaryReactor* whoami(grpc::CallbackServerContext* ctx,
                                   const grpc::ByteBuffer* request, grpc::ByteBuffer* response);

  const TenantDirectory& tenants_;
};

struct CallResult {
  grpc::Status status;
  std::string response;  // the response message's bytes
  std::multimap<std::string, std::string> trailing_metadata;
};

// One unary call of `method` with `request` bytes over `channel`, with `metadata` added,
// 5 s deadline.
CallResult unary_call(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                      const std::string& request,
                      const std::multimap<std::string, std::string>& metadata = {});

std::shared_ptr<grpc::Channel> insecure_channel(std::uint16_t port);

// grpc.health.v1.Health/Check for `service`: the status enum value (1 = SERVING,
// 2 = NOT_SERVING), or the call's error.
struct HealthResult {
  grpc::Status status;
  int serving_status = 0;
};
HealthResult health_check(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& service = "");

// Server reflection (v1alpha) list_services: the service names, or nullopt on error.
std::optional<std::vector<std::string>> reflection_list_services(
    const std::shared_ptr<grpc::Channel>& channel);

// HTTP/1.0 GET of `path` on 127.0.0.1:`port`; the whole response (status line, headers,
// body), or "" when the connection fails. 5 s receive timeout.
std::string http_get(std::uint16_t port, const std::string& path);

// The value of the sample `name{labels...}` in Prometheus text format `exposition`, whatever
// the label order; nullopt when absent. Every label in `labels` must match; others may exist.
std::optional<double> sample_value(const std::string& exposition, const std::string& name,
                                   const std::map<std::string, std::string>& labels);

// A self-signed certificate for "localhost" and 127.0.0.1 (EC P-256, valid one hour).
struct SelfSignedCert {
  std::string cert_pem;
  std::string key_pem;
};
SelfSignedCert make_self_signed_cert();

void write_file(const std::string& path, const std::string& content);

}  // namespace arflow::server::testing
