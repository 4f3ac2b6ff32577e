#include "server_test_support.h"

#include <arpa/inet.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/impl/codegen/server_callback_handlers.h>
#include <grpcpp/security/credentials.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <sstream>
#include <stdexcept>

#include "arflow/server/auth.h"
#include "arflow/server/status.h"

namespace arflow::server::testing {
namespace {

grpc::ByteBuffer to_byte_buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string to_string(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) {
    return bytes;
  }
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

class EchoReactor final : public grpc::ServerGenericBidiReactor {
 public:
  EchoReactor(grpc::GenericCallbackServerContext* ctx, const TenantDirectory& tenants,
              std::atomic<int>& hang_calls) {
    const std::string& method = ctx->method();
    if (method == "/arflow.test.Echo/Whoami") {
      const auto principal = authorize(*ctx, tenants);
      if (!principal.ok()) {
        finish(to_grpc_status(principal.status()));
        return;
      }
      reply(principal->tenant_id + "/" + principal->key_name);
    } else if (method == "/arflow.test.Echo/Forgetful") {
      reply("served without authorization");
    } else if (method == "/arflow.test.Echo/Reject") {
      finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "amount must be > 0"));
    } else if (method == "/arflow.test.Echo/Hang") {
      hang_calls.fetch_add(1);  // finished by OnCancel
    } else {
      finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, method + " is not a test method"));
    }
  }

  void OnCancel() override { finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")); }
  void OnDone() override { delete this; }

 private:
  void reply(const std::string& text) {
    if (finished_.exchange(true)) {
      return;
    }
    response_ = to_byte_buffer(text);
    StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
  }

  void finish(const grpc::Status& status) {
    if (finished_.exchange(true)) {
      return;
    }
    Finish(status);
  }

  grpc::ByteBuffer response_;
  std::atomic<bool> finished_{false};
};

// Deleters for OpenSSL objects.
struct OpenSslFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

void check(bool ok, const char* what) {
  if (!ok) {
    throw std::runtime_error(std::string("OpenSSL failed: ") + what);
  }
}

}  // namespace

grpc::ServerGenericBidiReactor* EchoService::CreateReactor(
    grpc::GenericCallbackServerContext* ctx) {
  return new EchoReactor(ctx, tenants_, hang_calls_);
}

UnaryWhoamiService::UnaryWhoamiService(const TenantDirectory& tenants) : tenants_(tenants) {
  // What protoc's gRPC plugin generates for a callback service with one unary method.
  AddMethod(new grpc::internal::RpcServiceMethod("/arflow.test.Unary/Whoami",
                                                 grpc::internal::RpcMethod::NORMAL_RPC, nullptr));
  MarkMethodCallback(
      0, new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
             [this](grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
                    grpc::ByteBuffer* response) { return whoami(ctx, request, response); }));
}

grpc::ServerUnaryReactor* UnaryWhoamiService::whoami(grpc::CallbackServerContext* ctx,
                                                     const grpc::ByteBuffer* /*request*/,
                                                     grpc::ByteBuffer* response) {
  const auto principal = authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  *response = to_byte_buffer(principal->tenant_id + "/" + principal->key_name);
  return finish_unary(ctx, absl::OkStatus());
}

CallResult unary_call(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                      const std::string& request,
                      const std::multimap<std::string, std::string>& metadata) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  for (const auto& [key, value] : metadata) {
    context.AddMetadata(key, value);
  }
  const grpc::ByteBuffer request_buffer = to_byte_buffer(request);
  grpc::ByteBuffer response_buffer;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request_buffer, &response_buffer,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  CallResult result;
  result.status = done.get_future().get();
  if (result.status.ok()) {
    result.response = to_string(response_buffer);
  }
  for (const auto& [key, value] : context.GetServerTrailingMetadata()) {
    result.trailing_metadata.emplace(std::string(key.data(), key.size()),
                                     std::string(value.data(), value.size()));
  }
  return result;
}

std::shared_ptr<grpc::Channel> insecure_channel(std::uint16_t port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

HealthResult health_check(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& service) {
  // HealthCheckRequest { string service = 1; }
  std::string request;
  if (!service.empty()) {
    request.push_back('\x0a');
    request.push_back(static_cast<char>(service.size()));  // test names are < 128 bytes
    request += service;
  }
  const CallResult call = unary_call(channel, "/grpc.health.v1.Health/Check", request);
  HealthResult result{call.status, 0};
  // HealthCheckResponse { ServingStatus status = 1; } (a one-byte varint for 0..3)
  if (call.status.ok() && call.response.size() == 2 && call.response[0] == '\x08') {
    result.serving_status = static_cast<unsigned char>(call.response[1]);
  }
  return result;
}

std::optional<std::vector<std::string>> reflection_list_services(
    const std::shared_ptr<grpc::Channel>& channel) {
  // The reflection messages are compiled into libgrpc++_reflection and registered in the
  // generated descriptor pool; use them through protobuf reflection.
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const auto* request_type =
      pool->FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionRequest");
  const auto* response_type =
      pool->FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionResponse");
  if (request_type == nullptr || response_type == nullptr) {
    return std::nullopt;
  }
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  std::unique_ptr<google::protobuf::Message> request(factory->GetPrototype(request_type)->New());
  request->GetReflection()->SetString(request.get(), request_type->FindFieldByName("list_services"),
                                      "*");
  const CallResult call =
      unary_call(channel, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                 request->SerializeAsString());
  if (!call.status.ok()) {
    return std::nullopt;
  }
  std::unique_ptr<google::protobuf::Message> response(factory->GetPrototype(response_type)->New());
  if (!response->ParseFromString(call.response)) {
    return std::nullopt;
  }
  const auto* list_field = response_type->FindFieldByName("list_services_response");
  if (!response->GetReflection()->HasField(*response, list_field)) {
    return std::nullopt;
  }
  const auto& list = response->GetReflection()->GetMessage(*response, list_field);
  const auto* service_field = list.GetDescriptor()->FindFieldByName("service");
  std::vector<std::string> names;
  const int count = list.GetReflection()->FieldSize(list, service_field);
  for (int i = 0; i < count; ++i) {
    const auto& service = list.GetReflection()->GetRepeatedMessage(list, service_field, i);
    names.push_back(service.GetReflection()->GetString(
        service, service.GetDescriptor()->FindFieldByName("name")));
  }
  return names;
}

std::string http_get(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return "";
  }
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0) {
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char chunk[4096];
      for (ssize_t n; (n = ::recv(fd, chunk, sizeof(chunk), 0)) > 0;) {
        response.append(chunk, static_cast<std::size_t>(n));
      }
    }
  }
  ::close(fd);
  return response;
}

std::optional<double> sample_value(const std::string& exposition, const std::string& name,
                                   const std::map<std::string, std::string>& labels) {
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(name) || line.size() <= name.size()) {
      continue;
    }
    std::string_view rest = std::string_view(line).substr(name.size());
    std::map<std::string, std::string> found;
    if (rest.front() == '{') {
      const auto close = rest.find('}');
      if (close == std::string_view::npos) {
        continue;
      }
      std::string_view pairs = rest.substr(1, close - 1);
      while (!pairs.empty()) {
        const auto comma = pairs.find(',');
        const std::string_view pair = pairs.substr(0, comma);
        pairs = comma == std::string_view::npos ? std::string_view() : pairs.substr(comma + 1);
        const auto eq = pair.find("=\"");
        if (eq == std::string_view::npos || pair.back() != '"') {
          continue;
        }
        found[std::string(pair.substr(0, eq))] =
            std::string(pair.substr(eq + 2, pair.size() - eq - 3));
      }
      rest = rest.substr(close + 1);
    }
    if (rest.empty() || rest.front() != ' ') {
      continue;  // a longer metric name
    }
    bool match = true;
    for (const auto& [key, value] : labels) {
      const auto it = found.find(key);
      match = match && it != found.end() && it->second == value;
    }
    if (match) {
      return std::stod(std::string(rest.substr(1)));
    }
  }
  return std::nullopt;
}

SelfSignedCert make_self_signed_cert() {
  std::unique_ptr<EVP_PKEY, OpenSslFree> key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EVP_EC_gen");
  std::unique_ptr<X509, OpenSslFree> cert(X509_new());
  check(cert != nullptr, "X509_new");
  check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) == 1, "serial");
  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) != nullptr, "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600) != nullptr, "notAfter");
  check(X509_set_pubkey(cert.get(), key.get()) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                   0) == 1,
        "CN");
  check(X509_set_issuer_name(cert.get(), name) == 1, "issuer");
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, OpenSslFree> san(
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"));
  check(san != nullptr, "subjectAltName");
  check(X509_add_ext(cert.get(), san.get(), -1) == 1, "X509_add_ext");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");

  std::unique_ptr<BIO, OpenSslFree> cert_bio(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, OpenSslFree> key_bio(BIO_new(BIO_s_mem()));
  check(cert_bio != nullptr && key_bio != nullptr, "BIO_new");
  check(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1, "PEM_write_bio_X509");
  check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) ==
            1,
        "PEM_write_bio_PrivateKey");
  return SelfSignedCert{bio_contents(cert_bio.get()), bio_contents(key_bio.get())};
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << content;
  if (!file) {
    throw std::runtime_error("cannot write " + path);
  }
}

}  // namespace arflow::server::testing
