#include "arflow/server/rpc_metrics.h"

#include <fmt/format.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>

#include <array>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"

namespace arflow::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr int kCodeCount = 17;  // grpc::StatusCode OK (0) .. UNAUTHENTICATED (16)

// The series of one method label. Counters by code are added on first use, so a method
// exports only the codes it has answered with.
// Thread-safety: record() is called by any number of calls at once.
class MethodMetrics {
 public:
  MethodMetrics(std::string label, prometheus::Family<prometheus::Counter>& requests,
                prometheus::Family<prometheus::Histogram>& durations)
      : label_(std::move(label)),
        requests_(requests),
        duration_(durations.Add({{"method", label_}}, rpc_latency_buckets())) {}

  void record(grpc::StatusCode code, std::chrono::steady_clock::duration elapsed) {
    int index = static_cast<int>(code);
    if (index < 0 || index >= kCodeCount) {
      index = static_cast<int>(grpc::StatusCode::UNKNOWN);
    }
    counter(static_cast<std::size_t>(index)).Increment();
    duration_.Observe(std::chrono::duration<double>(elapsed).count());
  }

 private:
  prometheus::Counter& counter(std::size_t index) {
    prometheus::Counter* counter = by_code_[index].load(std::memory_order_acquire);
    if (counter == nullptr) {
      // Family::Add is thread-safe and returns the existing series for the same labels, so
      // two threads racing here store the same pointer.
      const auto code = absl::StatusCodeToString(static_cast<absl::StatusCode>(index));
      counter = &requests_.Add({{"method", label_}, {"code", code}});
      by_code_[index].store(counter, std::memory_order_release);
    }
    return *counter;
  }

  const std::string label_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Histogram& duration_;
  std::array<std::atomic<prometheus::Counter*>, kCodeCount> by_code_{};
};

// The families and the per-method series, shared by the factory and every live interceptor.
// Thread-safety: method() is called concurrently by gRPC (guarded by mu_).
class RpcMetrics {
 public:
  explicit RpcMetrics(MetricsRegistry& metrics)
      : registry_(metrics.shared_registry()),
        requests_(prometheus::BuildCounter()
                      .Name(metrics.metric_name("grpc_requests_total"))
                      .Help("gRPC calls answered, by method and status code")
                      .Register(*registry_)),
        durations_(prometheus::BuildHistogram()
                       .Name(metrics.metric_name("grpc_request_duration_seconds"))
                       .Help("Time from receiving a gRPC call to sending its status, by method")
                       .Register(*registry_)) {}

  MethodMetrics& method(std::string_view full_method) {
    std::string_view label = full_method;
    if (!label.empty() && label.front() == '/') {
      label.remove_prefix(1);
    }
    if (label.empty()) {
      label = "unknown";
    }
    std::lock_guard lock(mu_);
    if (auto it = methods_.find(label); it != methods_.end()) {
      return *it->second;
    }
    if (methods_.size() >= kMaxMethodLabels) {
      label = "other";
    }
    if (auto it = methods_.find(label); it != methods_.end()) {
      return *it->second;
    }
    auto inserted = methods_.emplace(
        std::string(label),
        std::make_unique<MethodMetrics>(std::string(label), requests_, durations_));
    return *inserted.first->second;
  }

 private:
  std::shared_ptr<prometheus::Registry> registry_;  // owns the families below
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& durations_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<MethodMetrics>, std::less<>> methods_;  // guarded by mu_
};

// One per call. Thread-safety: gRPC may run a streaming call's send and receive interception
// points on different threads at once; only PRE_SEND_STATUS (once per call) and the
// destructor (after every interception point) touch recorded_, which is atomic anyway.
class RpcMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcMetricsInterceptor(std::shared_ptr<RpcMetrics> metrics, MethodMetrics& method)
      : metrics_(std::move(metrics)), method_(method), start_(std::chrono::steady_clock::now()) {}

  ~RpcMetricsInterceptor() override {
    if (!recorded_.exchange(true)) {
      record(grpc::StatusCode::CANCELLED);
    }
  }

  RpcMetricsInterceptor(const RpcMetricsInterceptor&) = delete;
  RpcMetricsInterceptor& operator=(const RpcMetricsInterceptor&) = delete;

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        !recorded_.exchange(true)) {
      record(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void record(grpc::StatusCode code) {
    method_.record(code, std::chrono::steady_clock::now() - start_);
  }

  std::shared_ptr<RpcMetrics> metrics_;  // keeps method_ alive
  MethodMetrics& method_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<bool> recorded_{false};
};

class RpcMetricsFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcMetricsFactory(MetricsRegistry& metrics)
      : metrics_(std::make_shared<RpcMetrics>(metrics)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    const char* method = info->method();
    MethodMetrics& series = metrics_->method(method != nullptr ? method : "");
    return new RpcMetricsInterceptor(metrics_, series);
  }

 private:
  std::shared_ptr<RpcMetrics> metrics_;
};

}  // namespace

const std::vector<double>& rpc_latency_buckets() {
  static const std::vector<double> buckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                              0.005,  0.01,    0.025,  0.05,  0.1,
                                              0.25,   0.5,     1.0,    2.5,   5.0};
  return buckets;
}

Result<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
make_rpc_metrics_interceptor(MetricsRegistry& metrics) {
  // prometheus-cpp reports a name clash by throwing; nothing may cross our API.
  try {
    return std::make_unique<RpcMetricsFactory>(metrics);
  } catch (const std::exception& e) {
    return absl::InternalError(fmt::format("cannot register gRPC metrics: {}", e.what()));
  }
}

}  // namespace arflow::server
