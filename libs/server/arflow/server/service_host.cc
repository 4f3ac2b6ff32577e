#include "arflow/server/service_host.h"

#include <filesystem>
#include <iostream>

#include "arflow/core/log.h"

namespace arflow::server {

Result<std::unique_ptr<ServiceHost>> ServiceHost::start(ServiceHostOptions options) {
  ARFLOW_RETURN_IF_ERROR(validate(options.flags));
  std::unique_ptr<ServiceHost> host(new ServiceHost(std::move(options)));
  const ServiceOptions& flags = host->options_.flags;

  auto clock = make_clock(flags.clock);
  if (!clock.ok()) {
    return clock.status();
  }
  host->clock_ = *std::move(clock);
  auto tenants = TenantDirectory::from_flag(flags.tenants_file);
  if (!tenants.ok()) {
    return tenants.status();
  }
  host->tenants_ = *std::move(tenants);

  if (flags.kafka_brokers.empty()) {
    auto broker = bus::EmbeddedBroker::start({});
    if (!broker.ok()) {
      return broker.status();
    }
    host->broker_ = *std::move(broker);
    host->bootstrap_ = host->broker_->bootstrap_servers();
    ARFLOW_LOG_WARN("embedded_broker_started",
                    "bootstrap={} reason=\"no --kafka-brokers: events stay in this process\"",
                    host->bootstrap_);
  } else {
    host->bootstrap_ = flags.kafka_brokers;
  }

  std::error_code ec;
  std::filesystem::create_directories(flags.data_dir, ec);
  if (ec) {
    return absl::UnavailableError(
        fmt::format("--data-dir {}: cannot create it: {}", flags.data_dir, ec.message()));
  }
  auto store =
      eventstore::Store::open({.path = (std::filesystem::path(flags.data_dir) / "store").string(),
                               .events_topic = host->options_.events_topic,
                               .clock = host->clock_.get()});
  if (!store.ok()) {
    return store.status();
  }
  host->store_ = *std::move(store);
  host->loop_ = std::make_unique<eventstore::CommandLoop>(*host->store_);

  auto relay = bus::OutboxRelay::start(
      *host->store_, {.bootstrap_servers = host->bootstrap_, .kafka_config = flags.kafka_config});
  if (!relay.ok()) {
    return relay.status();
  }
  host->relay_ = *std::move(relay);
  host->wake_relay_.emplace(
      host->loop_->on_commit([relay = host->relay_.get()] { relay->wake(); }));

  auto metrics = MetricsRegistry::create(host->options_.service, flags.metrics_addr);
  if (!metrics.ok()) {
    return metrics.status();
  }
  host->metrics_ = *std::move(metrics);
  host->kernel_metrics_ =
      std::make_shared<KernelMetrics>(host->options_.service, *host->store_, *host->loop_);
  host->kernel_metrics_->set_relay(host->relay_.get());
  host->metrics_->add_collectable(host->kernel_metrics_);
  host->admin_ = std::make_unique<AdminApi>(*host->loop_, host->tenants_);
  return host;
}

absl::Status ServiceHost::add_consumer(std::string name, bus::Projection& projection,
                                       std::vector<std::string> topics) {
  const ServiceOptions& flags = options_.flags;
  auto runner = bus::ConsumerRunner::start(*store_, *loop_, projection,
                                           {.name = name,
                                            .bootstrap_servers = bootstrap_,
                                            .kafka_config = flags.kafka_config,
                                            .topics = std::move(topics),
                                            .shard = flags.shard,
                                            .shard_count = flags.shard_count,
                                            .answers_republish_requests = consumers_.empty(),
                                            .drill_refuse_event_types = flags.drill_refuse_events});
  if (!runner.ok()) {
    return runner.status();
  }
  kernel_metrics_->add_consumer(std::move(name), runner->get());
  admin_->add_consumer(runner->get());
  consumers_.push_back(*std::move(runner));
  return absl::OkStatus();
}

absl::Status ServiceHost::serve(std::vector<grpc::Service*> services) {
  GrpcServerOptions options;
  options.listen_address = options_.flags.grpc_addr;
  options.services = std::move(services);
  options.services.push_back(admin_.get());
  options.metrics = metrics_.get();
  auto server = GrpcServer::start(std::move(options));
  if (!server.ok()) {
    return server.status();
  }
  server_ = *std::move(server);
  ARFLOW_LOG_INFO("service_ready", "service={} grpc_port={} metrics={} data_dir={} kafka={}",
                  options_.service, server_->port(), options_.flags.metrics_addr,
                  options_.flags.data_dir, bootstrap_);
  return absl::OkStatus();
}

sigset_t block_stop_signals() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  return stop;
}

int start_failed(const absl::Status& why) {
  ARFLOW_LOG_ERROR("start_failed", "error=\"{}\"", why.ToString());
  return 1;
}

void ServiceHost::announce_serving() const {
  std::cout << "arflow-" << options_.service << " grpc_port=" << grpc_port() << std::endl;
}

int ServiceHost::run_until_signal(const sigset_t& signals) {
  int sig = 0;
  sigwait(&signals, &sig);
  ARFLOW_LOG_INFO("service_stopping", "service={} signal={}", options_.service, sig);
  return sig;
}

void ServiceHost::stop_serving() {
  if (server_ != nullptr) {
    server_->shutdown(kDefaultShutdownGrace);
  }
  server_.reset();
  admin_.reset();
}

ServiceHost::~ServiceHost() {
  stop_serving();
  metrics_.reset();  // no scrape reads the parts below any more
  kernel_metrics_.reset();
  consumers_.clear();
  wake_relay_.reset();  // before the loop it is subscribed to; the relay also polls
  loop_.reset();        // runs and commits what it still holds
  relay_.reset();
  store_.reset();
  broker_.reset();
}

}  // namespace arflow::server
