#include "arflow/server/grpc_server.h"

#include <fmt/format.h>
#include <grpc/grpc.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "arflow/core/log.h"
#include "arflow/server/auth_guard.h"
#include "arflow/server/rpc_metrics.h"

namespace arflow::server {
namespace {

Result<std::string> read_pem(const std::string& path, std::string_view flag) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::NotFoundError(fmt::format("{} file {} cannot be opened", flag, path));
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad() || text.str().empty()) {
    return absl::InvalidArgumentError(fmt::format("{} file {} is empty or unreadable", flag, path));
  }
  return text.str();
}

Result<std::shared_ptr<grpc::ServerCredentials>> credentials(const GrpcServerOptions& options) {
  if (options.tls_cert_path.empty()) {
    return grpc::InsecureServerCredentials();
  }
  auto cert = read_pem(options.tls_cert_path, "tls_cert");
  if (!cert.ok()) {
    return cert.status();
  }
  auto key = read_pem(options.tls_key_path, "tls_key");
  if (!key.ok()) {
    return key.status();
  }
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({std::move(*key), std::move(*cert)});
  return grpc::SslServerCredentials(ssl);
}

// Process-wide gRPC settings: they apply to every ServerBuilder created afterwards.
void init_process_wide() {
  static std::once_flag once;
  std::call_once(once, [] {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  });
}

}  // namespace

Result<std::unique_ptr<GrpcServer>> GrpcServer::start(GrpcServerOptions options) {
  if (options.listen_address.empty()) {
    return invalid_field("listen_address", "must not be empty");
  }
  if (options.tls_cert_path.empty() != options.tls_key_path.empty()) {
    return invalid_field("tls_cert_path/tls_key_path", "must be given together");
  }
  if (options.max_message_bytes <= 0) {
    return invalid_field("max_message_bytes", "must be > 0");
  }
  for (std::size_t i = 0; i < options.services.size(); ++i) {
    if (options.services[i] == nullptr) {
      return invalid_field(fmt::format("services[{}]", i), "must not be null");
    }
  }
  auto creds = credentials(options);
  if (!creds.ok()) {
    return creds.status();
  }

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  // First in the chain: interceptors see PRE_SEND_STATUS in order, so the metrics
  // interceptor below records the status the guard may have replaced.
  interceptors.push_back(make_auth_guard());
  if (options.metrics != nullptr) {
    auto rpc_metrics = make_rpc_metrics_interceptor(*options.metrics);
    if (!rpc_metrics.ok()) {
      return rpc_metrics.status();
    }
    interceptors.push_back(std::move(*rpc_metrics));
  }

  init_process_wide();
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(options.listen_address, *creds, &bound_port);
  // gRPC sets SO_REUSEPORT by default: a second process on the same port would then start
  // "fine" and steal half the connections. One server per port.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  for (grpc::Service* service : options.services) {
    builder.RegisterService(service);
  }
  if (options.generic_service != nullptr) {
    builder.RegisterCallbackGenericService(options.generic_service);
  }
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port <= 0 || bound_port > 65535) {
    return absl::UnavailableError(fmt::format(
        "cannot serve gRPC on {} (address in use, not local, or malformed; gRPC logged the cause)",
        options.listen_address));
  }
  if (auto* health = server->GetHealthCheckService(); health != nullptr) {
    health->SetServingStatus(true);
  }
  ARFLOW_LOG_INFO("grpc_server_started", "addr={} port={} tls={} services={} metrics={}",
                  options.listen_address, bound_port, !options.tls_cert_path.empty(),
                  options.services.size() + (options.generic_service != nullptr ? 1U : 0U),
                  options.metrics != nullptr);
  return std::unique_ptr<GrpcServer>(
      new GrpcServer(std::move(server), static_cast<std::uint16_t>(bound_port)));
}

GrpcServer::GrpcServer(std::unique_ptr<grpc::Server> server, std::uint16_t port)
    : server_(std::move(server)), port_(port) {}

GrpcServer::~GrpcServer() { shutdown(kDefaultShutdownGrace); }

void GrpcServer::set_serving(std::string_view service, bool serving) {
  // The health service is thread-safe and ignores updates once shut down.
  if (auto* health = server_->GetHealthCheckService(); health != nullptr) {
    health->SetServingStatus(std::string(service), serving);
  }
}

void GrpcServer::shutdown(absl::Duration grace) {
  std::lock_guard lock(shutdown_mu_);
  if (shut_down_) {
    return;
  }
  ARFLOW_LOG_INFO("grpc_server_stopping", "port={} grace_ms={}", port_,
                  absl::ToInt64Milliseconds(grace));
  if (auto* health = server_->GetHealthCheckService(); health != nullptr) {
    health->Shutdown();
  }
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  shut_down_ = true;
  ARFLOW_LOG_INFO("grpc_server_stopped", "port={}", port_);
}

void GrpcServer::wait() { server_->Wait(); }

}  // namespace arflow::server
