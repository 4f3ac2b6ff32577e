// GrpcServer over real loopback gRPC: health, reflection, per-call auth with the auth guard,
// RPC metrics through the Prometheus endpoint, TLS, binding and shutdown.

#include "arflow/server/grpc_server.h"

#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "arflow/server/metrics.h"
#include "arflow/server/rpc_metrics.h"
#include "server_test_support.h"
#include "support/temp_dir.h"

namespace arflow::server {
namespace {

using ::testing::Contains;
using testing::EchoService;
using ::testing::HasSubstr;
using testing::health_check;
using testing::insecure_channel;
using ::testing::Optional;
using testing::sample_value;
using testing::unary_call;

constexpr char kAcmeKey[] = "arf_acme_billing_secret";
constexpr char kGlobexKey[] = "arf_globex_ops_secret";
constexpr char kWhoami[] = "/arflow.test.Echo/Whoami";
constexpr char kUnaryWhoami[] = "/arflow.test.Unary/Whoami";

TenantDirectory test_tenants() {
  const std::string text = "acme billing-1 " + hash_api_key(kAcmeKey).value() + "\n" +
                           "globex ops " + hash_api_key(kGlobexKey).value() + "\n";
  return TenantDirectory::parse(text, "test-tenants").value();
}

std::multimap<std::string, std::string> bearer(const std::string& key) {
  return {{"authorization", "Bearer " + key}};
}

// A server on 127.0.0.1:0 with the echo service, the given tenants and RPC metrics; with
// `expose_metrics`, served over HTTP on 127.0.0.1:0 too (stopping that endpoint takes ~2 s:
// civetweb's poll quantum, so only the tests that scrape do it).
class ServerTest : public ::testing::Test {
 protected:
  explicit ServerTest(TenantDirectory tenants = test_tenants(), bool expose_metrics = false)
      : tenants_(std::move(tenants)),
        echo_(tenants_),
        unary_(tenants_),
        expose_metrics_(expose_metrics) {}

  void SetUp() override {
    auto metrics = MetricsRegistry::create("test", expose_metrics_ ? "127.0.0.1:0" : "");
    ASSERT_TRUE(metrics.ok()) << metrics.status();
    metrics_ = std::move(*metrics);
    GrpcServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.services = {&unary_};
    options.generic_service = &echo_;
    options.metrics = metrics_.get();
    auto server = GrpcServer::start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = insecure_channel(server_->port());
  }

  TenantDirectory tenants_;
  EchoService echo_;
  testing::UnaryWhoamiService unary_;
  const bool expose_metrics_;
  std::unique_ptr<MetricsRegistry> metrics_;
  std::unique_ptr<GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ServerTest, BindsAnEphemeralPort) { EXPECT_GT(server_->port(), 0); }

TEST_F(ServerTest, HealthIsServingWithoutAKey) {
  const auto health = health_check(channel_);
  ASSERT_TRUE(health.status.ok()) << health.status.error_message();
  EXPECT_EQ(health.serving_status, 1);  // SERVING
}

TEST_F(ServerTest, HealthReportsPerServiceStatus) {
  EXPECT_EQ(health_check(channel_, "arflow.test.Echo").status.error_code(),
            grpc::StatusCode::NOT_FOUND);
  server_->set_serving("arflow.test.Echo", false);
  EXPECT_EQ(health_check(channel_, "arflow.test.Echo").serving_status, 2);  // NOT_SERVING
  server_->set_serving("arflow.test.Echo", true);
  EXPECT_EQ(health_check(channel_, "arflow.test.Echo").serving_status, 1);
}

TEST_F(ServerTest, ReflectionListsHealthAndReflectionWithoutAKey) {
  const auto services = testing::reflection_list_services(channel_);
  ASSERT_TRUE(services.has_value());
  EXPECT_THAT(*services, Contains("grpc.health.v1.Health"));
  EXPECT_THAT(*services, Contains("grpc.reflection.v1alpha.ServerReflection"));
  EXPECT_THAT(*services, Contains("arflow.test.Unary"));
}

TEST_F(ServerTest, CallWithoutKeyIsUnauthenticated) {
  const auto call = unary_call(channel_, kWhoami, "");
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(call.status.error_message(), HasSubstr("authorization: Bearer <api key>"));
}

TEST_F(ServerTest, CallWithWrongKeyIsUnauthenticated) {
  const auto call = unary_call(channel_, kWhoami, "", bearer("arf_not_a_key"));
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(call.status.error_message(), "unknown API key");
}

TEST_F(ServerTest, MalformedAuthorizationIsUnauthenticatedWithTheReason) {
  const struct {
    std::multimap<std::string, std::string> metadata;
    std::string reason;
  } cases[] = {
      {{{"authorization", std::string("Basic ") + kAcmeKey}}, "must use the Bearer scheme"},
      {{{"authorization", kAcmeKey}}, "must use the Bearer scheme"},
      {{{"authorization", "Bearer   "}}, "no API key after 'Bearer'"},
      {{{"authorization", std::string("Bearer ") + kAcmeKey + " extra"}},
       "must not contain spaces"},
      {{{"authorization", std::string("Bearer ") + kAcmeKey},
        {"authorization", std::string("Bearer ") + kGlobexKey}},
       "must appear once"},
  };
  for (const auto& c : cases) {
    const auto call = unary_call(channel_, kWhoami, "", c.metadata);
    EXPECT_EQ(call.status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << c.reason;
    EXPECT_THAT(call.status.error_message(), HasSubstr(c.reason));
  }
}

TEST_F(ServerTest, HandlerSeesTheTenantOfTheKey) {
  const auto acme = unary_call(channel_, kWhoami, "", bearer(kAcmeKey));
  ASSERT_TRUE(acme.status.ok()) << acme.status.error_message();
  EXPECT_EQ(acme.response, "acme/billing-1");
  const auto globex = unary_call(channel_, kWhoami, "", bearer(kGlobexKey));
  ASSERT_TRUE(globex.status.ok()) << globex.status.error_message();
  EXPECT_EQ(globex.response, "globex/ops");
  // The scheme is case-insensitive (RFC 6750 follows RFC 7235 there).
  const auto lower =
      unary_call(channel_, kWhoami, "", {{"authorization", std::string("bearer ") + kAcmeKey}});
  EXPECT_EQ(lower.response, "acme/billing-1");
}

TEST_F(ServerTest, RegisteredCallbackServiceAuthorizesItsCalls) {
  const auto without_key = unary_call(channel_, kUnaryWhoami, "");
  EXPECT_EQ(without_key.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(without_key.status.error_message(), HasSubstr("missing API key"));
  const auto wrong_key =
      unary_call(channel_, kUnaryWhoami, "", bearer(std::string(kAcmeKey) + "x"));
  EXPECT_EQ(wrong_key.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const auto right_key = unary_call(channel_, kUnaryWhoami, "", bearer(kGlobexKey));
  ASSERT_TRUE(right_key.status.ok()) << right_key.status.error_message();
  EXPECT_EQ(right_key.response, "globex/ops");
}

TEST_F(ServerTest, AuthGuardTurnsAnUnauthorizedOkIntoInternal) {
  const auto call = unary_call(channel_, "/arflow.test.Echo/Forgetful", "", bearer(kAcmeKey));
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(call.status.error_message(), "handler did not authorize the call");
}

TEST_F(ServerTest, AuthGuardLetsErrorsThroughAndHidesItsMark) {
  const auto reject = unary_call(channel_, "/arflow.test.Echo/Reject", "");
  EXPECT_EQ(reject.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reject.status.error_message(), "amount must be > 0");

  const auto authorized = unary_call(channel_, kWhoami, "", bearer(kAcmeKey));
  ASSERT_TRUE(authorized.status.ok()) << authorized.status.error_message();
  EXPECT_EQ(authorized.trailing_metadata.count("arflow-authorized"), 0U);
}

class MetricsServerTest : public ServerTest {
 protected:
  MetricsServerTest() : ServerTest(test_tenants(), /*expose_metrics=*/true) {}

  std::string scrape() const {
    const auto port = metrics_->port();
    return port.has_value() ? testing::http_get(*port, "/metrics") : std::string();
  }
};

TEST_F(MetricsServerTest, CountRequestsByMethodAndCode) {
  const std::string requests = "arflow_test_grpc_requests_total";
  ASSERT_TRUE(unary_call(channel_, kWhoami, "", bearer(kAcmeKey)).status.ok());
  ASSERT_TRUE(unary_call(channel_, kWhoami, "", bearer(kGlobexKey)).status.ok());
  ASSERT_FALSE(unary_call(channel_, kWhoami, "").status.ok());
  ASSERT_FALSE(unary_call(channel_, "/arflow.test.Echo/Forgetful", "").status.ok());
  ASSERT_TRUE(health_check(channel_).status.ok());
  ASSERT_TRUE(unary_call(channel_, kUnaryWhoami, "", bearer(kAcmeKey)).status.ok());
  ASSERT_FALSE(unary_call(channel_, kUnaryWhoami, "", bearer("nope")).status.ok());
  ASSERT_TRUE(testing::reflection_list_services(channel_).has_value());

  const std::string text = scrape();
  ASSERT_THAT(text, HasSubstr("200 OK"));
  EXPECT_THAT(sample_value(text, requests, {{"method", "arflow.test.Echo/Whoami"}, {"code", "OK"}}),
              Optional(2.0));
  EXPECT_THAT(sample_value(text, requests,
                           {{"method", "arflow.test.Echo/Whoami"}, {"code", "UNAUTHENTICATED"}}),
              Optional(1.0));
  // The metrics interceptor runs after the auth guard: it records what the client got.
  EXPECT_THAT(sample_value(text, requests,
                           {{"method", "arflow.test.Echo/Forgetful"}, {"code", "INTERNAL"}}),
              Optional(1.0));
  EXPECT_EQ(
      sample_value(text, requests, {{"method", "arflow.test.Echo/Forgetful"}, {"code", "OK"}}),
      std::nullopt);
  // The built-in health service (callback API) is counted like any other.
  EXPECT_THAT(
      sample_value(text, requests, {{"method", "grpc.health.v1.Health/Check"}, {"code", "OK"}}),
      Optional(1.0));

  // A registered callback-API unary method (the shape of every arflow handler).
  EXPECT_THAT(
      sample_value(text, requests, {{"method", "arflow.test.Unary/Whoami"}, {"code", "OK"}}),
      Optional(1.0));
  EXPECT_THAT(sample_value(text, requests,
                           {{"method", "arflow.test.Unary/Whoami"}, {"code", "UNAUTHENTICATED"}}),
              Optional(1.0));

  // Reflection is a sync-API bidi streaming service in gRPC 1.51.
  EXPECT_THAT(
      sample_value(text, requests,
                   {{"method", "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"},
                    {"code", "OK"}}),
      Optional(1.0));

  const std::string duration = "arflow_test_grpc_request_duration_seconds";
  EXPECT_THAT(sample_value(text, duration + "_count", {{"method", "arflow.test.Echo/Whoami"}}),
              Optional(3.0));
  EXPECT_THAT(sample_value(text, duration + "_bucket",
                           {{"method", "arflow.test.Echo/Whoami"}, {"le", "+Inf"}}),
              Optional(3.0));
  EXPECT_THAT(text, HasSubstr("# TYPE arflow_test_grpc_request_duration_seconds histogram"));

  ASSERT_TRUE(unary_call(channel_, kWhoami, "", bearer(kAcmeKey)).status.ok());
  EXPECT_THAT(
      sample_value(scrape(), requests, {{"method", "arflow.test.Echo/Whoami"}, {"code", "OK"}}),
      Optional(3.0));
}

TEST_F(MetricsServerTest, LimitTheNumberOfMethodLabels) {
  // Unknown methods are any client's choice; their labels are capped.
  for (std::size_t i = 0; i < kMaxMethodLabels + 5; ++i) {
    const auto call = unary_call(channel_, "/arflow.test.Nope/M" + std::to_string(i), "");
    ASSERT_EQ(call.status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  }
  const std::string text = scrape();
  const std::string requests = "arflow_test_grpc_requests_total";
  EXPECT_THAT(
      sample_value(text, requests, {{"method", "arflow.test.Nope/M0"}, {"code", "UNIMPLEMENTED"}}),
      Optional(1.0));
  EXPECT_EQ(sample_value(text, requests, {{"method", "arflow.test.Nope/M204"}}), std::nullopt);
  EXPECT_THAT(sample_value(text, requests, {{"method", "other"}, {"code", "UNIMPLEMENTED"}}),
              Optional(5.0));
}

class OpenModeServerTest : public ServerTest {
 protected:
  OpenModeServerTest() : ServerTest(TenantDirectory::open_dev_mode()) {}
};

TEST_F(OpenModeServerTest, EveryCallIsTheDevTenant) {
  const auto without_key = unary_call(channel_, kWhoami, "");
  ASSERT_TRUE(without_key.status.ok()) << without_key.status.error_message();
  EXPECT_EQ(without_key.response, "dev/open-dev-mode");
  EXPECT_EQ(unary_call(channel_, kWhoami, "", bearer("whatever")).response, "dev/open-dev-mode");
}

TEST(GrpcServer, RejectsInconsistentOptions) {
  GrpcServerOptions no_address;
  EXPECT_EQ(GrpcServer::start(no_address).status().code(), absl::StatusCode::kInvalidArgument);

  GrpcServerOptions cert_only;
  cert_only.listen_address = "127.0.0.1:0";
  cert_only.tls_cert_path = "/nonexistent/cert.pem";
  const auto status = GrpcServer::start(cert_only).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("must be given together"));

  GrpcServerOptions missing_files;
  missing_files.listen_address = "127.0.0.1:0";
  missing_files.tls_cert_path = "/nonexistent/cert.pem";
  missing_files.tls_key_path = "/nonexistent/key.pem";
  EXPECT_EQ(GrpcServer::start(missing_files).status().code(), absl::StatusCode::kNotFound);

  GrpcServerOptions null_service;
  null_service.listen_address = "127.0.0.1:0";
  null_service.services = {nullptr};
  EXPECT_EQ(GrpcServer::start(null_service).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(GrpcServer, PortInUseIsUnavailable) {
  GrpcServerOptions first;
  first.listen_address = "127.0.0.1:0";
  auto server = GrpcServer::start(first);
  ASSERT_TRUE(server.ok()) << server.status();
  GrpcServerOptions second;
  second.listen_address = "127.0.0.1:" + std::to_string((*server)->port());
  EXPECT_EQ(GrpcServer::start(second).status().code(), absl::StatusCode::kUnavailable);
  // The first one still serves.
  EXPECT_EQ(health_check(insecure_channel((*server)->port())).serving_status, 1);
}

TEST(GrpcServer, ShutdownCancelsCallsAfterTheGraceAndStopsServing) {
  const TenantDirectory tenants = test_tenants();
  EchoService echo(tenants);
  GrpcServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.generic_service = &echo;
  auto server = GrpcServer::start(std::move(options));
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = insecure_channel((*server)->port());
  ASSERT_EQ(health_check(channel).serving_status, 1);

  auto hanging = std::async(std::launch::async,
                            [&] { return unary_call(channel, "/arflow.test.Echo/Hang", ""); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (echo.hang_calls() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(echo.hang_calls(), 1);

  const auto started = std::chrono::steady_clock::now();
  (*server)->shutdown(absl::Milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, std::chrono::milliseconds(290));  // the call in flight got its grace
  EXPECT_LT(took, std::chrono::seconds(4));         // and was cancelled after it
  // The server cancels it and closes the connection: the client sees one or the other.
  EXPECT_THAT(hanging.get().status.error_code(),
              ::testing::AnyOf(grpc::StatusCode::CANCELLED, grpc::StatusCode::UNAVAILABLE));
  EXPECT_FALSE(health_check(channel).status.ok());
  (*server)->shutdown(absl::Seconds(1));  // a second shutdown is a no-op
  (*server)->wait();                      // returns at once once shut down
}

TEST(GrpcServer, ServesTlsWhenGivenCertificateAndKey) {
  arflow::testing::TempDir dir;
  const auto cert = testing::make_self_signed_cert();
  testing::write_file(dir.sub("cert.pem"), cert.cert_pem);
  testing::write_file(dir.sub("key.pem"), cert.key_pem);
  GrpcServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.tls_cert_path = dir.sub("cert.pem");
  options.tls_key_path = dir.sub("key.pem");
  auto server = GrpcServer::start(std::move(options));
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string target = "127.0.0.1:" + std::to_string((*server)->port());

  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = cert.cert_pem;
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  const auto tls = grpc::CreateCustomChannel(target, grpc::SslCredentials(ssl), args);
  const auto health = health_check(tls);
  ASSERT_TRUE(health.status.ok()) << health.status.error_message();
  EXPECT_EQ(health.serving_status, 1);

  // A plaintext client cannot talk to it.
  EXPECT_FALSE(health_check(insecure_channel((*server)->port())).status.ok());
}

}  // namespace
}  // namespace arflow::server
