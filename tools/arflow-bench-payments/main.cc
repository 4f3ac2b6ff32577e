// arflow-bench-payments: money moving end to end between arflow-payments and
// arflow-invoicing on this machine.
//   setup:   --customers customers and one issued invoice per payment (BatchIssueInvoices),
//            then wait until payments knows every invoice from invoicing's events
//   batch:   --batch-callers callers, each BatchRecordPayments of --batch-size payments (a
//            bank statement's lines), each with auto_allocate and the invoice's number in its
//            remittance text: recorded and allocated in one command
//   unary:   --callers synchronous callers, each RecordPayment of one such payment (run
//            last, after the lag phase)
//            Each throughput phase ends when invoicing has published its last invoice PAID;
//            the rate is payments / (last PAID - first send), and the phase prints the CPU
//            each process and thread used
//   lag:     an open loop at --rate (default: half the rate measured so far): every
//            --lag-window-ms the payments scheduled in that window go as one
//            BatchRecordPayments (one RecordPayment when the window holds one); the lag of
//            each is from its scheduled send to invoicing's PaymentApplied (status PAID) read
//            on arflow.invoicing.events.v1
// It starts arflow-broker, arflow-invoicing and arflow-payments (next to this binary) on a
// fresh data directory; every step is durable (WAL fsync) before it is answered or published.
// The client, the broker and a Kafka reader share the machine. Figures, not a test.
#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "arflow/bus/embedded_broker.h"
#include "arflow/bus/kafka.h"
#include "arflow/bus/topics.h"
#include "arflow/events/v1/envelope.pb.h"
#include "arflow/invoicing/v1/invoicing_service.grpc.pb.h"
#include "arflow/payments/v1/payments_service.grpc.pb.h"
#include "arflow/process/child_process.h"
#include "bench_support.h"
#include "metrics_scrape.h"
#include "thread_cpu.h"

namespace {

namespace iv1 = ::arflow::invoicing::v1;
namespace pv1 = ::arflow::payments::v1;
using arflow::bench::Clock;
using arflow::process::ChildProcess;

constexpr char kParent[] = "tenants/dev";

std::unique_ptr<grpc::ClientContext> context(int seconds = 60) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return ctx;
}

int64_t cents_of(size_t i) { return 10'000 + static_cast<int64_t>(i % 97) * 1'000; }

// When invoicing said each invoice is PAID (as read on its topic), by invoice id.
class PaidWatcher {
 public:
  static std::unique_ptr<PaidWatcher> start(const std::string& bootstrap) {
    auto conf = arflow::bus::make_conf({{"bootstrap.servers", bootstrap},
                                        {"group.id", "bench-payments"},
                                        {"enable.auto.commit", "false"},
                                        {"fetch.wait.max.ms", "5"}},
                                       {});
    if (!conf.ok()) {
      return nullptr;
    }
    auto consumer = arflow::bus::make_client(RD_KAFKA_CONSUMER, *std::move(conf));
    if (!consumer.ok()) {
      return nullptr;
    }
    const std::string topic(arflow::bus::kInvoicingEvents);
    auto counts = arflow::bus::partition_counts(consumer->get(), {topic}, std::chrono::seconds(10));
    if (!counts.ok()) {
      return nullptr;
    }
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new((*counts)[0]);
    for (int p = 0; p < (*counts)[0]; ++p) {
      rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_END;
    }
    rd_kafka_assign(consumer->get(), parts);
    rd_kafka_topic_partition_list_destroy(parts);
    auto watcher = std::unique_ptr<PaidWatcher>(new PaidWatcher(*std::move(consumer)));
    watcher->thread_ = std::thread([w = watcher.get()] { w->run(); });
    return watcher;
  }

  ~PaidWatcher() {
    stop_ = true;
    thread_.join();
  }

  // Waits until `ids` are all paid or `timeout` passes; returns how many are.
  size_t wait_paid(const std::vector<std::string>& ids, std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    size_t seen = 0;  // ids[0, seen) are paid: each wake-up looks only further
    const auto all = [&] {
      while (seen < ids.size() && paid_.contains(ids[seen])) {
        ++seen;
      }
      return seen == ids.size();
    };
    cv_.wait_for(lock, timeout, all);
    return static_cast<size_t>(
        std::count_if(ids.begin(), ids.end(), [&](const auto& id) { return paid_.contains(id); }));
  }

  std::optional<Clock::time_point> paid_at(const std::string& id) {
    std::lock_guard lock(mu_);
    const auto it = paid_.find(id);
    return it == paid_.end() ? std::nullopt : std::optional(it->second);
  }

 private:
  explicit PaidWatcher(arflow::bus::KafkaHandle consumer) : consumer_(std::move(consumer)) {}

  void run() {
    arflow::events::v1::Envelope event;
    while (!stop_) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_.get(), 50);
      if (m == nullptr) {
        continue;
      }
      const auto now = Clock::now();
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR &&
          event.ParseFromArray(m->payload, static_cast<int>(m->len)) &&
          event.has_payment_applied() &&
          event.payment_applied().status() == iv1::INVOICE_STATUS_PAID) {
        std::lock_guard lock(mu_);
        paid_.emplace(event.payment_applied().invoice_id(), now);
        cv_.notify_all();
      }
      rd_kafka_message_destroy(m);
    }
  }

  arflow::bus::KafkaHandle consumer_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, Clock::time_point> paid_;  // guarded by mu_
};

struct Invoice {
  std::string id;
  std::string number;
  std::string customer;
  int64_t cents = 0;
};

// Starts a service binary and waits for its "grpc_port=" line; the address, or "".
std::string start_service(ChildProcess& child, const std::string& name, const std::string& dir,
                          const std::string& bootstrap) {
  const std::string bin = arflow::bench::self_dir() + "/arflow-" + name;
  if (const auto started =
          child.start({bin, "--data-dir", dir + "/" + name, "--kafka-brokers", bootstrap,
                       "--grpc-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"},
                      dir + "/" + name + ".log");
      !started.ok()) {
    fmt::print(stderr, "{}\n", started.ToString());
    return "";
  }
  const auto line = child.read_line(std::chrono::seconds(60));
  const auto at = line ? line->find("grpc_port=") : std::string::npos;
  return at == std::string::npos ? "" : "127.0.0.1:" + line->substr(at + 10);
}

pv1::RecordPaymentRequest payment_for(const Invoice& invoice, const std::string& run) {
  pv1::RecordPaymentRequest r;
  r.set_parent(kParent);
  r.set_payment_id(run + "-pay-" + invoice.id);
  r.set_customer_id(invoice.customer);
  r.mutable_amount()->set_minor_units(invoice.cents);
  r.mutable_amount()->set_currency("EUR");
  r.set_method(pv1::PAYMENT_METHOD_BANK_TRANSFER);
  r.set_remittance_text("Payment of invoice " + invoice.number);
  r.set_auto_allocate(true);
  r.set_request_id(r.payment_id());
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"arflow-bench-payments: payments recorded+allocated per second until paid"};
  size_t payments = 20'000;
  int callers = 32;
  int customers = 200;
  double rate = 0;
  double lag_seconds = 10;
  double lag_window_ms = 10;
  size_t batch_size = 100;
  int batch_callers = 4;
  app.add_option("--payments", payments, "Payments in the throughput phase")->capture_default_str();
  app.add_option("--callers", callers, "Synchronous callers")->capture_default_str();
  app.add_option("--customers", customers, "Customers the invoices are spread over")
      ->capture_default_str();
  app.add_option("--rate", rate, "Paced rate of the lag phase (0: half the measured rate)");
  app.add_option("--lag-seconds", lag_seconds, "Length of the lag phase")->capture_default_str();
  app.add_option("--lag-window-ms", lag_window_ms,
                 "The lag phase sends what was scheduled in each such window as one call")
      ->capture_default_str();
  app.add_option("--batch-size", batch_size, "Payments per BatchRecordPayments call")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--batch-callers", batch_callers, "Callers of BatchRecordPayments")
      ->capture_default_str();
  std::string phase_list = "unary,batch,lag";
  app.add_option("--phases", phase_list, "Which of unary,batch,lag to run")->capture_default_str();
  int brokers = arflow::bus::EmbeddedBrokerOptions{}.brokers;
  app.add_option("--brokers", brokers,
                 "Brokers of the embedded cluster (each Kafka client polls every one of them)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3));
  CLI11_PARSE(app, argc, argv);
  std::set<std::string> phases;
  for (size_t at = 0; at <= phase_list.size();) {
    const size_t comma = std::min(phase_list.find(',', at), phase_list.size());
    phases.insert(phase_list.substr(at, comma - at));
    at = comma + 1;
  }

  std::string dir = "/tmp/arflow-bench-payments-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    fmt::print(stderr, "cannot make a data directory\n");
    return 1;
  }
  ChildProcess broker;
  ChildProcess invoicing_process;
  ChildProcess payments_process;
  if (const auto started =
          broker.start({arflow::bench::self_dir() + "/arflow-broker", "--partitions", "12",
                        "--brokers", std::to_string(brokers)},
                       dir + "/broker.log");
      !started.ok()) {
    fmt::print(stderr, "{}\n", started.ToString());
    return 1;
  }
  const auto bootstrap = broker.read_line(std::chrono::seconds(30)).value_or("");
  const auto invoicing_addr = start_service(invoicing_process, "invoicing", dir, bootstrap);
  const auto payments_addr = start_service(payments_process, "payments", dir, bootstrap);
  if (bootstrap.empty() || invoicing_addr.empty() || payments_addr.empty()) {
    fmt::print(stderr, "the services did not start; logs in {}\n", dir);
    return 1;
  }
  auto invoicing = iv1::InvoicingService::NewStub(
      grpc::CreateChannel(invoicing_addr, grpc::InsecureChannelCredentials()));
  std::vector<std::unique_ptr<pv1::PaymentsService::Stub>> payment_stubs;
  for (int i = 0; i < 4; ++i) {  // a few connections, as several client processes would have
    grpc::ChannelArguments args;
    args.SetInt("arflow.channel", i);
    payment_stubs.push_back(pv1::PaymentsService::NewStub(
        grpc::CreateCustomChannel(payments_addr, grpc::InsecureChannelCredentials(), args)));
  }
  fmt::print("arflow-bench-payments: data in {}\n", dir);

  // ----- Setup: customers, one issued invoice per payment, known to payments --------------
  // One invoice per payment of each throughput phase, and as many for the lag phase.
  const size_t total = payments * (phases.contains("unary") ? 1 : 0) +
                       payments * (phases.contains("batch") ? 1 : 0) +
                       (phases.contains("lag") ? payments : 0);
  std::vector<Invoice> invoices(total);
  for (int c = 0; c < customers; ++c) {
    iv1::CreateCustomerRequest r;
    r.set_parent(kParent);
    r.set_customer_id(fmt::format("c{}", c));
    r.set_request_id(r.customer_id());
    auto* d = r.mutable_details();
    d->set_legal_name(fmt::format("Client {} SAS", c));
    d->set_profile(iv1::CUSTOMER_PROFILE_BUSINESS);
    d->set_language("fr");
    d->add_contact_emails("billing@example.com");
    d->mutable_billing_address()->add_lines("1 rue de la Paix");
    d->mutable_billing_address()->set_city("Paris");
    d->mutable_billing_address()->set_postal_code("75002");
    d->mutable_billing_address()->set_country("FR");
    d->mutable_default_payment_terms()->set_kind(iv1::PaymentTerms::KIND_NET_DAYS);
    d->mutable_default_payment_terms()->set_days(30);
    iv1::Customer out;
    if (auto s = invoicing->CreateCustomer(context().get(), r, &out); !s.ok()) {
      fmt::print(stderr, "CreateCustomer: {}\n", s.error_message());
      return 1;
    }
  }
  const auto setup_start = Clock::now();
  for (size_t from = 0; from < total; from += 500) {
    iv1::BatchIssueInvoicesRequest batch;
    batch.set_parent(kParent);
    for (size_t i = from; i < std::min(total, from + 500); ++i) {
      auto* r = batch.add_requests();
      r->set_invoice_id(fmt::format("i{}", i));
      r->set_customer_id(fmt::format("c{}", i % static_cast<size_t>(customers)));
      r->set_request_id(r->invoice_id());
      r->set_series("B");
      r->mutable_content()->set_currency("EUR");
      auto* line = r->mutable_content()->add_lines();
      line->set_description("Service");
      line->mutable_quantity()->set_units(1);
      line->mutable_unit_price()->set_minor_units(cents_of(i));
      line->mutable_unit_price()->set_currency("EUR");
    }
    iv1::BatchIssueInvoicesResponse out;
    if (auto s = invoicing->BatchIssueInvoices(context().get(), batch, &out); !s.ok()) {
      fmt::print(stderr, "BatchIssueInvoices: {}\n", s.error_message());
      return 1;
    }
    for (int k = 0; k < out.results_size(); ++k) {
      const auto& result = out.results(k);
      if (result.code() != 0) {
        fmt::print(stderr, "BatchIssueInvoices refused an invoice: {}\n", result.message());
        return 1;
      }
      const auto& inv = result.invoice();
      const size_t i = from + static_cast<size_t>(k);
      invoices[i] = Invoice{inv.invoice_id(), inv.number(), inv.customer_id(), cents_of(i)};
    }
  }
  // Payments knows them all once each customer's open invoices add up.
  for (int attempt = 0;; ++attempt) {
    size_t known = 0;
    for (int c = 0; c < customers; ++c) {
      pv1::ListOpenInvoicesRequest r;
      r.set_customer(fmt::format("{}/customers/c{}", kParent, c));
      pv1::ListOpenInvoicesResponse out;
      if (payment_stubs[0]->ListOpenInvoices(context().get(), r, &out).ok()) {
        known += static_cast<size_t>(out.invoices_size());
      }
    }
    if (known == total) {
      break;
    }
    if (attempt == 600) {
      fmt::print(stderr, "payments knows {} of {} invoices after a minute\n", known, total);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  fmt::print("setup: {} customers, {} invoices issued and known to payments in {:.1f} s\n",
             customers, total, std::chrono::duration<double>(Clock::now() - setup_start).count());

  auto watcher = PaidWatcher::start(bootstrap);
  if (!watcher) {
    fmt::print(stderr, "cannot read {}\n", arflow::bus::kInvoicingEvents);
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the reader's offsets resolve

  // ----- Throughput phases ---------------------------------------------------------------------
  const std::vector<std::pair<std::string, std::string>> processes = {
      {"payments", fmt::format("/proc/{}", payments_process.pid())},
      {"invoicing", fmt::format("/proc/{}", invoicing_process.pid())},
      {"broker", fmt::format("/proc/{}", broker.pid())},
      {"benchmark", "/proc/self"}};
  // Each phase starts on quiet services: what the one before left (consumers behind, outboxes
  // not yet delivered) would otherwise count against it.
  const std::array<int, 2> metrics_ports = {
      arflow::bench::metrics_port_from_log(arflow::bench::read_proc_file(dir + "/payments.log")),
      arflow::bench::metrics_port_from_log(arflow::bench::read_proc_file(dir + "/invoicing.log"))};
  const auto wait_quiet = [&] {
    const auto busy = [](const std::map<std::string, double>& m, const std::string& service) {
      double left = 0;
      for (const char* gauge : {"consumer_lag_messages", "outbox_depth", "outbox_in_flight"}) {
        const auto it = m.find(fmt::format("arflow_{}_{}", service, gauge));
        left += it == m.end() ? 0 : it->second;
      }
      return left;
    };
    int quiet_polls = 0;
    for (int attempt = 0; attempt < 600 && quiet_polls < 3; ++attempt) {
      const double left = busy(arflow::bench::scrape(metrics_ports[0]), "payments") +
                          busy(arflow::bench::scrape(metrics_ports[1]), "invoicing");
      quiet_polls = left == 0 ? quiet_polls + 1 : 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  size_t next_invoice = 0;  // invoices are used once, phase after phase
  std::atomic<size_t> failed{0};
  // Sends `count` payments through `send(first, n)` from `threads` callers, `per_call` at a
  // time; prints the end-to-end rate and the CPU it took.
  const auto throughput = [&](const std::string& name, size_t count, int threads, size_t per_call,
                              const std::function<bool(size_t first, size_t n)>& send) {
    wait_quiet();
    const size_t first = next_invoice;
    next_invoice += count;
    std::vector<arflow::bench::CpuSample> cpu_before;
    cpu_before.reserve(processes.size());
    for (const auto& [process, proc] : processes) {
      cpu_before.push_back(arflow::bench::sample_cpu(proc));
    }
    std::atomic<size_t> next{0};
    const auto start = Clock::now();
    std::vector<std::thread> callers_threads;
    callers_threads.reserve(static_cast<size_t>(threads));
    for (int t = 0; t < threads; ++t) {
      callers_threads.emplace_back([&] {
        for (size_t i = next.fetch_add(per_call); i < count; i = next.fetch_add(per_call)) {
          if (!send(first + i, std::min(per_call, count - i))) {
            ++failed;
          }
        }
      });
    }
    for (auto& t : callers_threads) {
      t.join();
    }
    const auto answered = Clock::now();
    std::vector<std::string> ids;
    ids.reserve(count);
    for (size_t i = first; i < first + count; ++i) {
      ids.push_back(invoices[i].id);
    }
    const size_t paid = watcher->wait_paid(ids, std::chrono::seconds(120));
    Clock::time_point last = start;
    for (const auto& id : ids) {
      last = std::max(last, watcher->paid_at(id).value_or(last));
    }
    const double seconds = std::chrono::duration<double>(last - start).count();
    const double answered_s = std::chrono::duration<double>(answered - start).count();
    const double end_to_end = static_cast<double>(paid) / seconds;
    fmt::print(
        "{}: {} payments recorded+allocated by {} callers, {} a call; answered in {:.2f} s "
        "({:.0f}/s); invoicing showed {} invoices PAID after {:.2f} s: {:.0f} payments/s end to "
        "end; {} failed\n",
        name, count, threads, per_call, answered_s, static_cast<double>(count) / answered_s, paid,
        seconds, end_to_end, failed.load());
    // What it cost, per process and thread: steadier than the rate on a shared machine.
    const double phase = std::chrono::duration<double>(Clock::now() - start).count();
    std::string breakdown;
    double all_cores = 0;
    for (size_t i = 0; i < processes.size(); ++i) {
      double cores = 0;
      const auto threads_text = arflow::bench::cpu_breakdown(
          cpu_before[i], arflow::bench::sample_cpu(processes[i].second), phase, &cores);
      all_cores += cores;
      breakdown += fmt::format("    {} {:.2f}: {}\n", processes[i].first, cores, threads_text);
    }
    fmt::print("  cpu (cores, whole phase): {:.2f} in all, {:.0f} us of CPU per payment\n{}",
               all_cores, all_cores * phase * 1e6 / static_cast<double>(count), breakdown);
    return paid == count ? end_to_end : 0.0;
  };
  size_t stub_turn = 0;
  std::mutex stub_mu;
  const auto stub = [&]() -> pv1::PaymentsService::Stub& {
    std::lock_guard lock(stub_mu);
    return *payment_stubs[stub_turn++ % payment_stubs.size()];
  };
  const auto send_unary = [&](const std::string& run, size_t i) {
    pv1::Payment out;
    return stub().RecordPayment(context().get(), payment_for(invoices[i], run), &out).ok() &&
           out.allocations_size() == 1;
  };
  const auto send_batch = [&](const std::string& run, size_t first, size_t n) {
    if (n == 1) {
      return send_unary(run, first);
    }
    pv1::BatchRecordPaymentsRequest batch;
    batch.set_parent(kParent);
    for (size_t i = first; i < first + n; ++i) {
      *batch.add_requests() = payment_for(invoices[i], run);
    }
    pv1::BatchRecordPaymentsResponse out;
    if (!stub().BatchRecordPayments(context().get(), batch, &out).ok()) {
      return false;
    }
    return std::all_of(out.results().begin(), out.results().end(), [](const auto& r) {
      return r.code() == 0 && r.payment().allocations_size() == 1;
    });
  };
  double best = 0;
  if (phases.contains("batch")) {
    best = std::max(best,
                    throughput("batch", payments, batch_callers, batch_size,
                               [&](size_t first, size_t n) { return send_batch("b", first, n); }));
  }

  // ----- Lag at a paced rate ----------------------------------------------------------------
  if (phases.contains("lag")) {
    wait_quiet();
    const double paced = rate > 0 ? rate : best / 2;
    if (paced <= 0) {
      fmt::print(stderr, "lag: no rate to pace at (give --rate, or run the batch phase)\n");
      return 1;
    }
    const auto window = std::chrono::microseconds(static_cast<int64_t>(lag_window_ms * 1000));
    // At most --payments: the invoices after them are the unary phase's.
    const size_t count = std::min(payments, static_cast<size_t>(paced * lag_seconds));
    const size_t first = next_invoice;
    next_invoice += count;
    std::vector<Clock::time_point> scheduled(count);
    const auto t0 = Clock::now() + std::chrono::milliseconds(100);
    for (size_t k = 0; k < count; ++k) {
      scheduled[k] =
          t0 + std::chrono::nanoseconds(static_cast<int64_t>(1e9 * static_cast<double>(k) / paced));
    }
    // Window w holds the payments scheduled in [t0 + w * window, t0 + (w + 1) * window); it is
    // sent at its end. Several senders, so that a slow call does not hold the next window.
    const auto span = (scheduled.empty() ? t0 : scheduled.back()) - t0;
    const auto windows = static_cast<size_t>(span / window) + 1;
    std::atomic<size_t> next_window{0};
    std::vector<std::thread> senders;
    senders.reserve(static_cast<size_t>(callers));
    for (int t = 0; t < callers; ++t) {
      senders.emplace_back([&] {
        for (size_t w = next_window++; w < windows && count > 0; w = next_window++) {
          const auto begin = t0 + w * window;
          const auto end = begin + window;
          const auto from = static_cast<size_t>(
              std::lower_bound(scheduled.begin(), scheduled.end(), begin) - scheduled.begin());
          const auto to = static_cast<size_t>(
              std::lower_bound(scheduled.begin(), scheduled.end(), end) - scheduled.begin());
          std::this_thread::sleep_until(end);
          for (size_t i = from; i < to; i += batch_size) {
            if (!send_batch("l", first + i, std::min(batch_size, to - i))) {
              ++failed;
            }
          }
        }
      });
    }
    for (auto& t : senders) {
      t.join();
    }
    std::vector<std::string> ids;
    ids.reserve(count);
    for (size_t k = 0; k < count; ++k) {
      ids.push_back(invoices[first + k].id);
    }
    const size_t lag_paid = watcher->wait_paid(ids, std::chrono::seconds(60));
    std::vector<std::vector<int64_t>> lags(1);
    for (size_t k = 0; k < count; ++k) {
      if (auto at = watcher->paid_at(ids[k]); at.has_value()) {
        lags[0].push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(*at - scheduled[k]).count());
      }
    }
    const auto p = arflow::bench::percentiles(lags);
    fmt::print(
        "lag: {} payments at {:.0f}/s for {:.0f} s, sent every {:.0f} ms; {} shown PAID; from "
        "scheduled send to invoicing's PaymentApplied: p50 {:.1f} ms, p99 {:.1f} ms, p99.9 "
        "{:.1f} ms, max {:.1f} ms\n",
        count, paced, lag_seconds, lag_window_ms, lag_paid, p.p50_ms, p.p99_ms, p.p999_ms,
        p.max_ms);
    if (lag_paid != count) {
      ++failed;
    }
  }
  // Unary last: its many small calls leave many small message sets in the embedded broker,
  // whose fetches scan a partition's sets one by one (docs/performance.md), which would
  // slow the phases after it.
  if (phases.contains("unary")) {
    best = std::max(best, throughput("unary", payments, callers, 1,
                                     [&](size_t first, size_t) { return send_unary("u", first); }));
  }
  watcher.reset();  // a Kafka client outliving the broker logs every broker as down
  payments_process.stop();
  invoicing_process.stop();
  broker.stop();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return failed.load() == 0 ? 0 : 1;
}
