#pragma once
// What every arflow service process runs, assembled from its flags (DESIGN.md,
// "Operations"): the event store in --data-dir, its command loop, the outbox relay to Kafka
// (an embedded broker when --kafka-brokers is empty), consumer runners, the Prometheus
// registry with the kernel metrics, the tenants directory and the gRPC server. A service's
// main.cpp adds its projections and its API and waits for a stop signal:
//
//   auto host = ServiceHost::start({.service = "invoicing", .events_topic = kInvoicingEvents,
//                                   .flags = flags});
//   InvoicingApi api((*host)->store(), (*host)->loop(), (*host)->tenants(), ...);
//   (*host)->add_consumer("invoicing.payments", reaction, {kPaymentsEvents});
//   (*host)->serve({&api});
//   (*host)->run_until_signal(stop_signals);
//   (*host)->stop_serving();  // then `api` is destroyed, then the host
//
// Stopping (destruction) goes in the order that loses nothing: the gRPC server drains its
// calls, consumers stop, the command loop finishes what it holds, the relay publishes what
// it can and stops; the outbox keeps the rest for the next start.
//
// Thread-safety: start, add_consumer, serve and the destructor on one thread (main); the
// accessors from any thread.

#include <signal.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arflow/bus/consumer_runner.h"
#include "arflow/bus/embedded_broker.h"
#include "arflow/bus/outbox_relay.h"
#include "arflow/core/clock.h"
#include "arflow/core/options.h"
#include "arflow/eventstore/command_loop.h"
#include "arflow/eventstore/store.h"
#include "arflow/server/admin_api.h"
#include "arflow/server/grpc_server.h"
#include "arflow/server/kernel_metrics.h"
#include "arflow/server/metrics.h"
#include "arflow/server/tenants.h"

namespace arflow::server {

struct ServiceHostOptions {
  std::string service;       // "invoicing": metric names, logs
  std::string events_topic;  // where the service's own events go
  ServiceOptions flags;
};

// SIGTERM and SIGINT, blocked in the calling thread and so in every thread it starts after:
// call it first in main(), then hand the set to run_until_signal().
sigset_t block_stop_signals();

// Logs why the service could not start; returns the process's exit code for it.
int start_failed(const absl::Status& why);

class ServiceHost {
 public:
  static Result<std::unique_ptr<ServiceHost>> start(ServiceHostOptions options);
  ~ServiceHost();
  ServiceHost(const ServiceHost&) = delete;
  ServiceHost& operator=(const ServiceHost&) = delete;

  eventstore::Store& store() { return *store_; }
  eventstore::CommandLoop& loop() { return *loop_; }
  const Clock& clock() const { return *clock_; }
  const TenantDirectory& tenants() const { return tenants_; }
  const std::string& bootstrap_servers() const { return bootstrap_; }
  const ServiceOptions& flags() const { return options_.flags; }

  // Consumes `topics` into `projection` (which must outlive the host), on this service's
  // shard of the partitions. The first consumer also answers the republish requests of
  // other services' consumers (arflow.republish.v1); each is listed and replayed through
  // arflow.admin.v1.AdminService, which serve() adds.
  absl::Status add_consumer(std::string name, bus::Projection& projection,
                            std::vector<std::string> topics);

  // Starts serving `services` (which must outlive the host) and the admin API on
  // --grpc-addr.
  absl::Status serve(std::vector<grpc::Service*> services);
  // The bound gRPC port, once serving.
  uint16_t grpc_port() const { return server_ != nullptr ? server_->port() : 0; }

  // Stops serving: running calls get the shutdown grace, then are cancelled. Call it before
  // destroying the services that were served (they may still be finishing calls).
  void stop_serving();

  // Blocks until one of `signals` arrives. The caller blocks them in every thread first
  // (block_stop_signals() before start()), so that only this wait receives them.
  int run_until_signal(const sigset_t& signals);

  // Prints "arflow-<service> grpc_port=<port>" on stdout once serving: the line scripts and
  // tests that asked for port 0 wait for.
  void announce_serving() const;

 private:
  explicit ServiceHost(ServiceHostOptions options) : options_(std::move(options)) {}

  ServiceHostOptions options_;
  std::unique_ptr<Clock> clock_;
  TenantDirectory tenants_ = TenantDirectory::open_dev_mode();
  std::unique_ptr<bus::EmbeddedBroker> broker_;  // when no --kafka-brokers
  std::string bootstrap_;
  std::unique_ptr<eventstore::Store> store_;
  std::unique_ptr<eventstore::CommandLoop> loop_;
  std::unique_ptr<bus::OutboxRelay> relay_;
  std::optional<eventstore::CommandLoop::Subscription> wake_relay_;
  std::vector<std::unique_ptr<bus::ConsumerRunner>> consumers_;
  std::unique_ptr<MetricsRegistry> metrics_;
  std::shared_ptr<KernelMetrics> kernel_metrics_;
  std::unique_ptr<AdminApi> admin_;
  std::unique_ptr<GrpcServer> server_;
};

}  // namespace arflow::server
