#include "arflow/server/auth_guard.h"

#include <string>
#include <string_view>

#include "arflow/core/log.h"
#include "arflow/server/auth.h"

namespace arflow::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

// One per call; stateless apart from the method name. Acts only at PRE_SEND_STATUS, which
// gRPC runs once per call.
class AuthGuard final : public grpc::experimental::Interceptor {
 public:
  // `method` lives as long as the call (gRPC's ServerRpcInfo), so as long as this.
  explicit AuthGuard(std::string_view method) : method_(method) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      check(*methods);
    }
    methods->Proceed();
  }

 private:
  void check(grpc::experimental::InterceptorBatchMethods& methods) const {
    auto* trailing = methods.GetSendTrailingMetadata();
    const std::string marker(detail::kAuthorizedTrailer);
    const bool authorized = trailing != nullptr && trailing->erase(marker) > 0;
    if (authorized || is_open_method(method_)) {
      return;
    }
    if (!methods.GetSendStatus().ok()) {
      return;
    }
    ARFLOW_LOG_ERROR("auth_guard_violation",
                     "method={} reason=\"handler answered OK without calling authorize()\"",
                     method_);
    methods.ModifySendStatus(
        grpc::Status(grpc::StatusCode::INTERNAL, "handler did not authorize the call"));
  }

  const std::string_view method_;
};

// Thread-safety: stateless; called concurrently by gRPC.
class AuthGuardFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    const char* method = info->method();
    return new AuthGuard(method != nullptr ? std::string_view(method) : std::string_view());
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> make_auth_guard() {
  return std::make_unique<AuthGuardFactory>();
}

}  // namespace arflow::server
