// arflow-bench-invoicing: invoices/s and latency of arflow-invoicing over gRPC on this machine.
//   1. unary: --callers callers, one CreateInvoice (issue=true) each at a time (gRPC's
//      callback API by default; --client sync for a blocking thread per caller)
//   2. batched: BatchIssueInvoices, --batch invoices per call, --batch-callers at a time, the
//      results in --batch-view (BASIC by default: a billing run sent the lines already)
//   3. paced: CreateInvoice open loop at half the unary rate; latency from the scheduled send
// By default it starts its own arflow-invoicing (next to this binary) on a fresh data
// directory without --kafka-brokers: the service runs the embedded broker and its outbox relay
// publishes every event, on the same cores. Every invoice is numbered and durable (WAL fsync)
// before its reply. The client shares the machine too. Figures, not a test.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <google/protobuf/arena.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "arflow/core/thread_name.h"
#include "arflow/invoicing/v1/invoicing_service.grpc.pb.h"
#include "arflow/process/child_process.h"
#include "bench_support.h"
#include "metrics_scrape.h"
#include "thread_cpu.h"

namespace {

namespace v1 = ::arflow::invoicing::v1;
using arflow::bench::cpu_breakdown;
using arflow::bench::CpuSample;
using arflow::bench::metrics_port_from_log;
using arflow::bench::percentiles;
using arflow::bench::Percentiles;
using arflow::bench::sample_cpu;
using arflow::bench::scrape;
using arflow::bench::self_dir;
using arflow::process::ChildProcess;
using Clock = std::chrono::steady_clock;

constexpr int kMaxErrorsShown = 5;
constexpr auto kCallDeadline = std::chrono::seconds(30);
constexpr std::string_view kReady = "arflow-invoicing grpc_port=";

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// printf, then flush: the run takes a while and is often piped.
template <class... Args>
void say(const char* format, Args... args) {
  std::printf(format, args...);
  std::fflush(stdout);
}

// ----- Errors -----------------------------------------------------------------------------------

// Every failed call or result is counted; the first few are kept to print.
class Errors {
 public:
  void add(std::string_view where, std::string message) {
    const uint64_t n = count_.fetch_add(1, std::memory_order_relaxed);
    if (n < kMaxErrorsShown) {
      std::lock_guard lock(mu_);
      first_.push_back(fmt::format("{}: {}", where, message));
    }
  }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  void print() {
    std::lock_guard lock(mu_);
    for (const auto& e : first_) {
      say("  error: %s\n", e.c_str());
    }
    if (count() > first_.size()) {
      say("  ... %llu errors in all\n", static_cast<unsigned long long>(count()));
    }
  }

 private:
  std::atomic<uint64_t> count_{0};
  std::mutex mu_;
  std::vector<std::string> first_;  // guarded by mu_
};

std::string describe(const grpc::Status& s) {
  return fmt::format("code {} ({})", static_cast<int>(s.error_code()), s.error_message());
}

// ----- Latencies --------------------------------------------------------------------------------

int64_t nanos(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

// The measured part of a phase: calls completing in [start, end) count.
struct Window {
  Clock::time_point start;
  Clock::time_point end;
  bool contains(Clock::time_point t) const { return t >= start && t < end; }
  double seconds() const { return seconds_between(start, end); }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

double metric(const std::map<std::string, double>& m, const std::string& suffix) {
  const auto it = m.find("arflow_invoicing_" + suffix);
  return it == m.end() ? 0 : it->second;
}

// What a phase cost: CPU of both processes by thread, and the service's kernel counters.
class PhaseProbe {
 public:
  PhaseProbe(pid_t service_pid, int metrics_port)
      : service_dir_(service_pid > 0 ? fmt::format("/proc/{}", service_pid) : ""),
        metrics_port_(metrics_port) {}

  void begin() {
    start_ = Clock::now();
    client_ = sample_cpu("/proc/self");
    if (!service_dir_.empty()) {
      service_ = sample_cpu(service_dir_);
    }
    metrics_ = scrape(metrics_port_);
  }

  void end() const {
    const double s = seconds_between(start_, Clock::now());
    double client_total = 0;
    const std::string client = cpu_breakdown(client_, sample_cpu("/proc/self"), s, &client_total);
    if (!service_dir_.empty()) {
      double service_total = 0;
      const std::string service =
          cpu_breakdown(service_, sample_cpu(service_dir_), s, &service_total);
      say("  cpu (cores, whole phase): service %.2f, benchmark %.2f\n", service_total,
          client_total);
      say("    service:   %s\n", service.c_str());
    } else {
      say("  cpu (cores, whole phase): benchmark %.2f\n", client_total);
    }
    say("    benchmark: %s\n", client.c_str());
    const auto after = scrape(metrics_port_);
    if (metrics_.empty() || after.empty()) {
      return;
    }
    const auto delta = [&](const char* name) {
      return metric(after, name) - metric(metrics_, name);
    };
    const double commands = delta("commands_total");
    const double batches = delta("command_batches_total");
    say("  service: %.0f commands in %.0f synced batches (%.1f per fsync), %.0f events "
        "appended, %.0f published; outbox depth %.0f at the end\n",
        commands, batches, batches > 0 ? commands / batches : 0.0, delta("events_appended_total"),
        delta("events_published_total"), metric(after, "outbox_depth"));
  }

 private:
  std::string service_dir_;
  int metrics_port_;
  Clock::time_point start_;
  CpuSample client_;
  CpuSample service_;
  std::map<std::string, double> metrics_;
};

// ----- The workload -----------------------------------------------------------------------------

struct Workload {
  std::string parent = "tenants/dev";
  std::string run;  // makes every id of this run unique, also against a running service
  std::vector<std::string> customers;
  int lines = 3;
};

v1::CustomerDetails customer_details(int i) {
  v1::CustomerDetails d;
  d.set_legal_name(fmt::format("Client {} SAS", i));
  d.set_profile(v1::CUSTOMER_PROFILE_BUSINESS);
  d.set_language("fr");
  d.add_contact_emails("billing@example.com");
  auto* a = d.mutable_billing_address();
  a->add_lines(fmt::format("{} rue de la Paix", i + 1));
  a->set_postal_code("75002");
  a->set_city("Paris");
  a->set_country("FR");
  d.mutable_default_payment_terms()->set_kind(v1::PaymentTerms::KIND_NET_DAYS);
  d.mutable_default_payment_terms()->set_days(30);
  return d;
}

// An invoice to issue in series B1: `lines` lines, quantities, prices and rates varied by
// `seq`. `id` is the invoice id; the request id is derived from it.
void fill_invoice(v1::CreateInvoiceRequest* r, const Workload& w, const std::string& id,
                  uint64_t seq, bool with_parent) {
  static constexpr std::array<int64_t, 3> kRates = {2000, 1000, 550};
  if (with_parent) {
    r->set_parent(w.parent);
  }
  r->set_invoice_id(id);
  r->set_customer_id(w.customers[seq % w.customers.size()]);
  r->set_request_id("req-" + id);
  r->set_issue(true);
  r->set_series("B1");
  auto* content = r->mutable_content();
  content->set_currency("EUR");
  for (int k = 0; k < w.lines; ++k) {
    const auto v = seq + static_cast<uint64_t>(k);
    auto* line = content->add_lines();
    line->set_description(fmt::format("Service line {}", k + 1));
    line->mutable_quantity()->set_units(static_cast<int64_t>(1 + v % 5));
    line->mutable_unit_price()->set_minor_units(45000 + static_cast<int64_t>(v % 7) * 1250);
    line->mutable_unit_price()->set_currency("EUR");
    line->set_tax_rate_bps(kRates.at(v % kRates.size()));
  }
}

std::unique_ptr<grpc::ClientContext> context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  return ctx;
}

// An issued invoice comes back ISSUED with a number.
bool issued(const v1::Invoice& invoice) {
  return invoice.status() == v1::INVOICE_STATUS_ISSUED && !invoice.number().empty();
}

// Whether a CreateInvoice was answered with the issued invoice; anything else is an error.
bool answered_issued(Errors& errors, const v1::CreateInvoiceRequest& request,
                     const grpc::Status& status, const v1::Invoice& invoice) {
  if (!status.ok()) {
    errors.add("CreateInvoice " + request.invoice_id(), describe(status));
    return false;
  }
  if (!issued(invoice)) {
    errors.add("CreateInvoice " + request.invoice_id(), "answered without an issued invoice");
    return false;
  }
  return true;
}

class Channels {
 public:
  Channels(const std::string& target, int count) {
    for (int i = 0; i < count; ++i) {
      grpc::ChannelArguments args;
      // Separate connections: without these, channels to one target share one subchannel.
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      args.SetInt("arflow.bench.channel", i);
      args.SetMaxReceiveMessageSize(64 << 20);
      channels_.push_back(
          grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
    }
  }
  bool connect(std::chrono::seconds timeout) {
    for (auto& c : channels_) {
      if (!c->WaitForConnected(std::chrono::system_clock::now() + timeout)) {
        return false;
      }
    }
    return true;
  }
  std::unique_ptr<v1::InvoicingService::Stub> stub(int caller) const {
    return v1::InvoicingService::NewStub(channels_[static_cast<size_t>(caller) % channels_.size()]);
  }

 private:
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
};

// ----- Phases -----------------------------------------------------------------------------------

struct PhaseResult {
  bool ran = false;
  int concurrency = 0;
  double invoices_per_s = 0;
  uint64_t failures = 0;
  Percentiles latency;
  double target_rate = 0;  // paced only
};

// Starts `callers` threads running body(caller, window, latencies) and joins them.
template <class Body>
Window run_threads(int callers, double warmup_s, double seconds,
                   std::vector<std::vector<int64_t>>& latencies, Body body) {
  latencies.assign(static_cast<size_t>(callers), {});
  const auto start = Clock::now() + std::chrono::milliseconds(50);  // all threads started
  Window window;
  window.start =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup_s));
  window.end = window.start +
               std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(callers));
  for (int t = 0; t < callers; ++t) {
    threads.emplace_back([&, t] {
      arflow::name_this_thread("bench-caller");
      std::this_thread::sleep_until(start);
      body(t, start, window, latencies[static_cast<size_t>(t)]);
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  return window;
}

PhaseResult unary_phase(const Channels& channels, const Workload& w, int callers, double warmup_s,
                        double seconds, Errors& errors) {
  std::atomic<uint64_t> done{0};
  std::vector<std::vector<int64_t>> latencies;
  const auto window = run_threads(
      callers, warmup_s, seconds, latencies,
      [&](int t, Clock::time_point, const Window& win, std::vector<int64_t>& lat) {
        auto stub = channels.stub(t);
        lat.reserve(200'000);
        uint64_t count = 0;
        for (uint64_t i = 0; Clock::now() < win.end; ++i) {
          v1::CreateInvoiceRequest request;
          fill_invoice(&request, w, fmt::format("{}-u{}-{}", w.run, t, i),
                       i * static_cast<uint64_t>(callers) + static_cast<uint64_t>(t), true);
          v1::Invoice invoice;
          const auto sent = Clock::now();
          const auto status = stub->CreateInvoice(context().get(), request, &invoice);
          const auto received = Clock::now();
          if (answered_issued(errors, request, status, invoice) && win.contains(received)) {
            lat.push_back(nanos(received - sent));
            ++count;
          }
        }
        done.fetch_add(count);
      });
  PhaseResult r{.ran = true, .concurrency = callers};
  r.invoices_per_s = static_cast<double>(done.load()) / window.seconds();
  r.latency = percentiles(latencies);
  return r;
}

// The unary phase with gRPC's callback API: each caller has one call in flight and starts
// its next from the previous one's completion, on gRPC's threads. A service calling arflow
// does the same with far fewer threads than one per call in flight: 64 blocking threads on
// 2 cores cost ~0.4 core of context switches that the service then lacks.
class CallbackCallers {
 public:
  CallbackCallers(const Channels& channels, const Workload& w, int callers, const Window& window,
                  Errors& errors)
      : w_(w), window_(window), errors_(errors), callers_(static_cast<size_t>(callers)) {
    for (size_t t = 0; t < callers_.size(); ++t) {
      callers_[t].index = static_cast<uint64_t>(t);
      callers_[t].stub = channels.stub(static_cast<int>(t));
      callers_[t].latencies.reserve(200'000);
    }
  }

  // Runs every caller until the window ends; returns each caller's latencies (ns).
  std::vector<std::vector<int64_t>> run() {
    running_ = callers_.size();
    for (auto& caller : callers_) {
      next(caller);
    }
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return running_ == 0; });
    std::vector<std::vector<int64_t>> latencies;
    for (auto& caller : callers_) {
      latencies.push_back(std::move(caller.latencies));
    }
    return latencies;
  }

  uint64_t done() const { return done_.load(); }

 private:
  struct Caller {
    uint64_t index = 0;
    uint64_t sequence = 0;
    std::unique_ptr<v1::InvoicingService::Stub> stub;
    std::unique_ptr<grpc::ClientContext> context;
    v1::CreateInvoiceRequest request;
    v1::Invoice invoice;
    Clock::time_point sent;
    std::vector<int64_t> latencies;  // touched by one call's completion at a time
  };

  void next(Caller& c) {
    if (Clock::now() >= window_.end) {
      std::lock_guard lock(mu_);
      if (--running_ == 0) {
        cv_.notify_all();
      }
      return;
    }
    c.request.Clear();
    fill_invoice(&c.request, w_, fmt::format("{}-u{}-{}", w_.run, c.index, c.sequence),
                 c.sequence * callers_.size() + c.index, true);
    ++c.sequence;
    c.invoice.Clear();
    c.context = context();
    c.sent = Clock::now();
    c.stub->async()->CreateInvoice(c.context.get(), &c.request, &c.invoice,
                                   [this, &c](const grpc::Status& status) {
                                     const auto received = Clock::now();
                                     if (answered_issued(errors_, c.request, status, c.invoice) &&
                                         window_.contains(received)) {
                                       c.latencies.push_back(nanos(received - c.sent));
                                       done_.fetch_add(1);
                                     }
                                     next(c);
                                   });
  }

  const Workload& w_;
  const Window window_;
  Errors& errors_;
  std::vector<Caller> callers_;
  std::atomic<uint64_t> done_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  size_t running_ = 0;  // guarded by mu_
};

PhaseResult callback_unary_phase(const Channels& channels, const Workload& w, int callers,
                                 double warmup_s, double seconds, Errors& errors) {
  Window window;
  window.start = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(warmup_s));
  window.end = window.start +
               std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  CallbackCallers run(channels, w, callers, window, errors);
  auto latencies = run.run();
  PhaseResult r{.ran = true, .concurrency = callers};
  r.invoices_per_s = static_cast<double>(run.done()) / window.seconds();
  r.latency = percentiles(latencies);
  return r;
}

PhaseResult batch_phase(const Channels& channels, const Workload& w, int callers, int batch,
                        v1::InvoiceView view, double warmup_s, double seconds, Errors& errors) {
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> failed{0};
  std::vector<std::vector<int64_t>> latencies;
  const auto window = run_threads(
      callers, warmup_s, seconds, latencies,
      [&](int t, Clock::time_point, const Window& win, std::vector<int64_t>& lat) {
        auto stub = channels.stub(t);
        uint64_t count = 0;
        uint64_t seq = 0;
        for (uint64_t call = 0; Clock::now() < win.end; ++call) {
          // A call's messages on one arena, as a client with calls this large should: the
          // hundred answers parse into it and are dropped at once, not message by message.
          google::protobuf::Arena arena;
          auto& request =
              *google::protobuf::Arena::CreateMessage<v1::BatchIssueInvoicesRequest>(&arena);
          request.set_parent(w.parent);
          request.set_view(view);
          for (int k = 0; k < batch; ++k, ++seq) {
            fill_invoice(request.add_requests(), w, fmt::format("{}-b{}-{}", w.run, t, seq),
                         seq * static_cast<uint64_t>(callers) + static_cast<uint64_t>(t), false);
          }
          auto& response =
              *google::protobuf::Arena::CreateMessage<v1::BatchIssueInvoicesResponse>(&arena);
          const auto sent = Clock::now();
          const auto status = stub->BatchIssueInvoices(context().get(), request, &response);
          const auto received = Clock::now();
          if (!status.ok()) {
            errors.add(fmt::format("BatchIssueInvoices caller {} call {}", t, call),
                       describe(status));
            failed.fetch_add(static_cast<uint64_t>(batch));
            continue;
          }
          if (response.results_size() != batch) {
            errors.add(fmt::format("BatchIssueInvoices caller {} call {}", t, call),
                       fmt::format("{} results for {} requests", response.results_size(), batch));
            failed.fetch_add(static_cast<uint64_t>(batch));
            continue;
          }
          uint64_t ok = 0;
          for (int k = 0; k < batch; ++k) {
            const auto& result = response.results(k);
            if (result.code() == 0 && issued(result.invoice())) {
              ++ok;
            } else {
              errors.add("BatchIssueInvoices " + request.requests(k).invoice_id(),
                         fmt::format("code {} ({})", result.code(), result.message()));
              failed.fetch_add(1);
            }
          }
          if (win.contains(received)) {
            lat.push_back(nanos(received - sent));
            count += ok;
          }
        }
        done.fetch_add(count);
      });
  PhaseResult r{.ran = true, .concurrency = callers, .failures = failed.load()};
  r.invoices_per_s = static_cast<double>(done.load()) / window.seconds();
  r.latency = percentiles(latencies);
  return r;
}

// Open loop: each thread sends on its own fixed schedule (rate / threads, staggered), however
// late the previous reply was; latency runs from the scheduled send time, so a stalled
// service shows as latency instead of as fewer samples (no coordinated omission).
PhaseResult paced_phase(const Channels& channels, const Workload& w, int threads, double rate,
                        double warmup_s, double seconds, Errors& errors) {
  std::atomic<uint64_t> completed{0};
  std::atomic<int64_t> max_send_lag_ns{0};
  std::vector<std::vector<int64_t>> latencies;
  const std::chrono::duration<double> interval(static_cast<double>(threads) / rate);
  const auto window = run_threads(
      threads, warmup_s, seconds, latencies,
      [&](int t, Clock::time_point start, const Window& win, std::vector<int64_t>& lat) {
        auto stub = channels.stub(t);
        uint64_t count = 0;
        int64_t max_lag = 0;
        const auto offset = interval * (static_cast<double>(t) / static_cast<double>(threads));
        for (uint64_t i = 0;; ++i) {
          const auto scheduled = start + std::chrono::duration_cast<Clock::duration>(
                                             offset + interval * static_cast<double>(i));
          if (scheduled >= win.end) {
            break;
          }
          std::this_thread::sleep_until(scheduled);
          v1::CreateInvoiceRequest request;
          fill_invoice(&request, w, fmt::format("{}-p{}-{}", w.run, t, i),
                       i * static_cast<uint64_t>(threads) + static_cast<uint64_t>(t), true);
          v1::Invoice invoice;
          const auto sent = Clock::now();
          const auto status = stub->CreateInvoice(context().get(), request, &invoice);
          const auto received = Clock::now();
          if (!answered_issued(errors, request, status, invoice)) {
            continue;
          }
          if (win.contains(scheduled)) {
            lat.push_back(nanos(received - scheduled));
            max_lag = std::max(max_lag, nanos(sent - scheduled));
          }
          if (win.contains(received)) {
            ++count;
          }
        }
        completed.fetch_add(count);
        int64_t seen = max_send_lag_ns.load();
        while (max_lag > seen && !max_send_lag_ns.compare_exchange_weak(seen, max_lag)) {
        }
      });
  PhaseResult r{.ran = true, .concurrency = threads, .target_rate = rate};
  r.invoices_per_s = static_cast<double>(completed.load()) / window.seconds();
  r.latency = percentiles(latencies);
  say("  latest send behind its schedule: %.1f ms\n",
      static_cast<double>(max_send_lag_ns.load()) / 1e6);
  return r;
}

std::string base36(uint64_t v) {
  std::string out;
  do {
    out.insert(out.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36]);
    v /= 36;
  } while (v != 0);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"arflow-bench-invoicing: invoices/s and latency of arflow-invoicing over gRPC"};
  std::string addr;
  std::string service_bin = self_dir() + "/arflow-invoicing";
  int metrics_port = 0;
  double seconds = 10;
  double warmup = 2;
  int callers = 64;
  int channel_count = 1;
  int batch = 100;
  // 2 to 4 callers already keep the command loop full: 64 issued ~10% fewer invoices/s at
  // ~20x the call latency (batches of ~1,850 commands per fsync).
  int batch_callers = 64;
  std::string batch_view = "basic";
  double paced_rate = 0;
  int invoice_lines = 3;
  int customer_count = 64;
  std::vector<std::string> phases = {"unary", "batch", "paced"};
  std::string client = "callback";
  app.add_option("--addr", addr,
                 "host:port of a running arflow-invoicing (open dev mode, tenant dev); "
                 "default: start one on a fresh data directory");
  app.add_option("--service", service_bin, "arflow-invoicing binary to start")
      ->capture_default_str();
  app.add_option("--metrics-port", metrics_port,
                 "With --addr: the service's metrics port on 127.0.0.1 (optional)");
  app.add_option("--seconds", seconds, "Measured seconds per phase")->capture_default_str();
  app.add_option("--warmup", warmup, "Warm-up seconds before each phase")->capture_default_str();
  app.add_option("--callers", callers, "Concurrent callers (unary and paced threads)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  app.add_option("--client", client,
                 "How the unary callers call: callback (gRPC's callback API, each caller's next "
                 "call started from the last one's completion) or sync (a blocking thread per "
                 "caller)")
      ->capture_default_str()
      ->check(CLI::IsMember({"callback", "sync"}));
  app.add_option("--channels", channel_count,
                 "gRPC channels (connections) the callers share (1 measured fastest: 4 and 16 were "
                 "5-7% slower)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--batch", batch, "Invoices per BatchIssueInvoices call")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option(
         "--batch-callers", batch_callers,
         "Concurrent BatchIssueInvoices callers (64, as a billing run of many workers does, "
         "keep the service's executor busy: 4 left it waiting between calls)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  app.add_option("--batch-view", batch_view,
                 "How the batch results show the invoices: basic (no lines: the caller sent them) "
                 "or full (as CreateInvoice answers)")
      ->capture_default_str()
      ->check(CLI::IsMember({"basic", "full"}));
  app.add_option("--paced-rate", paced_rate,
                 "Invoices/s of the paced run (default: half the unary rate)");
  app.add_option("--invoice-lines", invoice_lines, "Lines per invoice")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--customers", customer_count, "Customers created first")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--phases", phases, "Comma-separated: unary,batch,paced")
      ->delimiter(',')
      ->check(CLI::IsMember({"unary", "batch", "paced"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const auto wants = [&](const char* p) {
    return std::find(phases.begin(), phases.end(), p) != phases.end();
  };
  if (wants("paced") && !wants("unary") && paced_rate <= 0) {
    std::fprintf(stderr, "--phases paced without unary needs --paced-rate\n");
    return 2;
  }

  std::string command = "command:";
  for (int i = 0; i < argc; ++i) {
    command += std::string(" ") + argv[i];
  }
  say("arflow invoicing benchmark (%u cores)\n%s\n", std::thread::hardware_concurrency(),
      command.c_str());

  // The service: a running one, or our own on a fresh data directory.
  std::string data_dir;
  std::unique_ptr<ChildProcess> service;
  if (addr.empty()) {
    const char* base = std::getenv("TMPDIR");
    std::string templ =
        std::string(base != nullptr ? base : "/tmp") + "/arflow-bench-invoicing-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) {
      std::fprintf(stderr, "cannot create a temporary directory\n");
      return 1;
    }
    data_dir = templ;
    const std::string log = data_dir + "/invoicing.log";
    service = std::make_unique<ChildProcess>();
    if (const auto started =
            service->start({service_bin, "--data-dir", data_dir + "/invoicing", "--grpc-addr",
                            "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"},
                           log);
        !started.ok()) {
      std::fprintf(stderr, "%s\n", started.ToString().c_str());
      return 1;
    }
    auto line = service->read_line(std::chrono::seconds(60));
    if (!line.has_value() || !line->starts_with(kReady)) {
      std::fprintf(stderr, "%s did not come up; its log:\n%s\n", service_bin.c_str(),
                   read_file(log).c_str());
      return 1;
    }
    addr = "127.0.0.1:" + line->substr(kReady.size());
    metrics_port = metrics_port_from_log(read_file(log));
    say("service: %s (pid %d), gRPC %s, metrics port %d, data %s, embedded Kafka broker\n",
        service_bin.c_str(), static_cast<int>(service->pid()), addr.c_str(), metrics_port,
        data_dir.c_str());
  } else {
    say("service: %s (already running)\n", addr.c_str());
  }

  int rc = 0;
  {
    Channels channels(addr, channel_count);
    if (!channels.connect(std::chrono::seconds(10))) {
      std::fprintf(stderr, "cannot connect to %s\n", addr.c_str());
      return 1;
    }
    Errors errors;
    Workload workload;
    workload.run =
        base36(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count()));
    workload.lines = invoice_lines;
    {
      auto stub = channels.stub(0);
      for (int i = 0; i < customer_count; ++i) {
        v1::CreateCustomerRequest request;
        request.set_parent(workload.parent);
        request.set_customer_id(fmt::format("{}-c{}", workload.run, i));
        *request.mutable_details() = customer_details(i);
        request.set_request_id("req-" + request.customer_id());
        v1::Customer customer;
        const auto status = stub->CreateCustomer(context().get(), request, &customer);
        if (!status.ok()) {
          errors.add("CreateCustomer " + request.customer_id(), describe(status));
          continue;
        }
        workload.customers.push_back(request.customer_id());
      }
    }
    say("setup: %zu customers (ids %s-c*), %d lines per invoice, series B1, %d channel%s\n",
        workload.customers.size(), workload.run.c_str(), workload.lines, channel_count,
        channel_count == 1 ? "" : "s");
    if (workload.customers.size() != static_cast<size_t>(customer_count)) {
      errors.print();
      return 1;
    }

    PhaseProbe probe(service ? service->pid() : -1, metrics_port);
    PhaseResult unary;
    PhaseResult batched;
    PhaseResult paced;
    if (wants("unary")) {
      say("unary: %d callers (%s client), CreateInvoice issue=true, %g s after %g s warm-up\n",
          callers, client.c_str(), seconds, warmup);
      probe.begin();
      unary = client == "sync"
                  ? unary_phase(channels, workload, callers, warmup, seconds, errors)
                  : callback_unary_phase(channels, workload, callers, warmup, seconds, errors);
      say("  %10.0f invoices/s   latency p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms"
          "  (%zu calls)\n",
          unary.invoices_per_s, unary.latency.p50_ms, unary.latency.p99_ms, unary.latency.p999_ms,
          unary.latency.max_ms, unary.latency.count);
      probe.end();
    }
    if (wants("batch")) {
      say("batched: %d callers, BatchIssueInvoices of %d, %s view, %g s after %g s warm-up\n",
          batch_callers, batch, batch_view.c_str(), seconds, warmup);
      probe.begin();
      batched = batch_phase(channels, workload, batch_callers, batch,
                            batch_view == "full" ? v1::INVOICE_VIEW_FULL : v1::INVOICE_VIEW_BASIC,
                            warmup, seconds, errors);
      say("  %10.0f invoices/s   call latency p50 %.2f ms  p99 %.2f ms  max %.2f ms  (%zu calls, "
          "%llu invoices failed)\n",
          batched.invoices_per_s, batched.latency.p50_ms, batched.latency.p99_ms,
          batched.latency.max_ms, batched.latency.count,
          static_cast<unsigned long long>(batched.failures));
      probe.end();
    }
    if (wants("paced")) {
      const double rate = paced_rate > 0 ? paced_rate : unary.invoices_per_s / 2;
      if (rate <= 0) {
        errors.add("paced", "no rate: the unary phase issued nothing");
      } else {
        say("paced: CreateInvoice at %.0f/s open loop, %d threads, %g s after %g s warm-up; "
            "latency from the scheduled send\n",
            rate, callers, seconds, warmup);
        probe.begin();
        paced = paced_phase(channels, workload, callers, rate, warmup, seconds, errors);
        say("  %10.0f invoices/s   latency p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms"
            "  (%zu calls)\n",
            paced.invoices_per_s, paced.latency.p50_ms, paced.latency.p99_ms, paced.latency.p999_ms,
            paced.latency.max_ms, paced.latency.count);
        probe.end();
      }
    }

    const auto totals = scrape(metrics_port);
    if (!totals.empty()) {
      say("service totals: %.0f events appended, %.0f published, outbox depth %.0f, "
          "%.0f in flight\n",
          metric(totals, "events_appended_total"), metric(totals, "events_published_total"),
          metric(totals, "outbox_depth"), metric(totals, "outbox_in_flight"));
    }

    say("\nsummary (%u cores, benchmark and service on the same machine)\n",
        std::thread::hardware_concurrency());
    say("  %-52s %12s %9s %9s %9s  %s\n", "phase", "invoices/s", "p50 ms", "p99 ms", "p99.9 ms",
        "target");
    if (unary.ran) {
      say("  %-52s %12.0f %9.2f %9.2f %9.2f  %s\n",
          fmt::format("unary CreateInvoice, {} {} callers", unary.concurrency, client).c_str(),
          unary.invoices_per_s, unary.latency.p50_ms, unary.latency.p99_ms, unary.latency.p999_ms,
          ">= 10,000/s");
    }
    if (batched.ran) {
      say("  %-52s %12.0f %9.2f %9.2f %9s  %s\n",
          fmt::format("BatchIssueInvoices x{} {}, {} callers (per call)", batch, batch_view,
                      batched.concurrency)
              .c_str(),
          batched.invoices_per_s, batched.latency.p50_ms, batched.latency.p99_ms, "-",
          ">= 40,000/s");
    }
    if (paced.ran) {
      say("  %-52s %12.0f %9.2f %9.2f %9.2f  %s\n",
          fmt::format("paced CreateInvoice at {:.0f}/s, {} threads", paced.target_rate,
                      paced.concurrency)
              .c_str(),
          paced.invoices_per_s, paced.latency.p50_ms, paced.latency.p99_ms, paced.latency.p999_ms,
          "p50/p99 at half rate");
    }
    if (errors.count() > 0) {
      say("\nFAILED: %llu calls or results failed\n",
          static_cast<unsigned long long>(errors.count()));
      errors.print();
      rc = 1;
    }
  }

  if (service) {
    const int status = service->stop();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      say("service exited with wait status %d; its log: %s/invoicing.log (kept)\n", status,
          data_dir.c_str());
      return 1;
    }
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
  }
  return rc;
}
