// `arflow dlq ...` and `arflow republish`: the admin API every service serves
// (arflow.admin.v1.AdminService; the runbook in docs/operations.md, "A dead letter or a
// gap"). The rest of the command line is in cli.cc.

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include "cli_app.h"

namespace arflow::cli {

namespace {

std::string_view state_name(admin::v1::DeadLetterState state) {
  switch (state) {
    case admin::v1::DEAD_LETTER_STATE_REFUSED:
      return "REFUSED";
    case admin::v1::DEAD_LETTER_STATE_FAILED:
      return "FAILED";
    case admin::v1::DEAD_LETTER_STATE_WAITING:
      return "WAITING";
    case admin::v1::DEAD_LETTER_STATE_UNDECODABLE:
      return "UNDECODABLE";
    default:
      return "?";
  }
}

// One line a held event: id, state, type, origin, when, why.
void print_dead_letter_line(std::ostream& out, std::string_view service,
                            const admin::v1::DeadLetter& d) {
  out << fmt::format("{}  {}  {}  {}  {}  {}:{}@{}  {}  {}\n", service, d.consumer(), d.id(),
                     state_name(d.state()), d.event_type().empty() ? "-" : d.event_type(),
                     d.source_topic(), d.source_partition(), d.source_offset(),
                     google::protobuf::util::TimeUtil::ToString(d.held_at()), d.reason());
}

}  // namespace

std::vector<std::string> Cli::admin_services() const {
  if (service_.empty()) {
    return {"invoicing", "payments"};
  }
  return {service_};
}

admin::v1::AdminService::StubInterface& Cli::admin(const std::string& service) {
  auto& stub = admin_[service];
  if (!stub) {
    stub =
        admin::v1::AdminService::NewStub(channel(service == "payments" ? payments_addr_ : addr_));
  }
  return *stub;
}

void Cli::define_admin(CLI::App& app) {
  auto* dlq = app.add_subcommand(
      "dlq", "Events a service's consumers hold instead of applying: list, show, replay");
  dlq->require_subcommand(1);
  const auto service_flag = [this](CLI::App* sub, bool required) {
    auto* flag =
        sub->add_option("--service", service_, "The service that holds them: invoicing or payments")
            ->check(CLI::IsMember({"invoicing", "payments"}));
    if (required) {
      flag->required();
    }
    sub->add_option("--consumer", consumer_, "Which of its consumers (when it has several)");
  };
  auto* list = dlq->add_subcommand("list", "What is held, per service (both by default)");
  service_flag(list, false);
  list->add_option("--page-size", page_size_, "At most this many per service (default 50)");
  leaf(list, [this] { return dlq_list(); });

  auto* show = dlq->add_subcommand("show", "One held event, decoded");
  show->add_option("id", id_, "As dlq list shows it: invoice/inv-1@3")->required();
  service_flag(show, true);
  leaf(show, [this] { return dlq_show(); });

  auto* replay = dlq->add_subcommand(
      "replay", "Apply what is held for a stream once its cause is fixed (each event once)");
  replay->add_option("id", id_, "A held event's id (invoice/inv-1@3) or its stream")->required();
  service_flag(replay, true);
  leaf(replay, [this] { return dlq_replay(); });

  auto* republish = app.add_subcommand(
      "republish", "Publish a stream's events again from the service that owns it");
  republish->add_option("--stream", id_, "The stream: invoice/inv-1, payment/pay-1")->required();
  republish->add_option("--service", service_, "The service that owns it: invoicing or payments")
      ->check(CLI::IsMember({"invoicing", "payments"}))
      ->required();
  republish->add_option("--from", from_version_, "First version (default: 1)");
  republish->add_option("--to", to_version_, "Last version (default: the stream's head)");
  leaf(republish, [this] { return republish_stream(); });
}

int Cli::dlq_list() {
  uint64_t total = 0;
  for (const auto& service : admin_services()) {
    admin::v1::ListDeadLettersRequest request;
    request.set_parent("tenants/" + tenant_);
    request.set_page_size(page_size_);
    admin::v1::ListDeadLettersResponse response;
    auto ctx = context();
    if (auto s = admin(service).ListDeadLetters(ctx.get(), request, &response); !s.ok()) {
      err_ << service << ": ";
      return rpc_failed(s, false);
    }
    if (json()) {
      out_ << to_json(response) << '\n';
      continue;
    }
    for (const auto& d : response.dead_letters()) {
      print_dead_letter_line(out_, service, d);
    }
    total += response.total();
    if (response.total() > static_cast<uint64_t>(response.dead_letters_size())) {
      out_ << fmt::format("{}: {} held in all, {} shown\n", service, response.total(),
                          response.dead_letters_size());
    }
  }
  if (!json() && total == 0) {
    out_ << "nothing held\n";
  }
  return kExitOk;
}

int Cli::dlq_show() {
  admin::v1::GetDeadLetterRequest request;
  request.set_parent("tenants/" + tenant_);
  request.set_id(id_);
  request.set_consumer(consumer_);
  admin::v1::DeadLetter response;
  auto ctx = context();
  if (auto s = admin(service_).GetDeadLetter(ctx.get(), request, &response); !s.ok()) {
    return rpc_failed(s, false);
  }
  if (json()) {
    response.clear_source_value();
    out_ << to_json(response) << '\n';
    return kExitOk;
  }
  print_dead_letter_line(out_, service_, response);
  out_ << fmt::format("attempts: {}\nkey: {}\n", response.attempts(), response.source_key());
  out_ << (response.event_text().empty() ? "(not an event this service can decode)\n"
                                         : response.event_text());
  return kExitOk;
}

int Cli::dlq_replay() {
  admin::v1::ReplayDeadLettersRequest request;
  request.set_parent("tenants/" + tenant_);
  request.set_id(id_);
  request.set_consumer(consumer_);
  admin::v1::ReplayDeadLettersResponse response;
  auto ctx = context();
  if (auto s = admin(service_).ReplayDeadLetters(ctx.get(), request, &response); !s.ok()) {
    return rpc_failed(s, false);
  }
  if (json()) {
    out_ << to_json(response) << '\n';
    return kExitOk;
  }
  out_ << fmt::format("applied {}, still held {}\n", response.applied(), response.held_size());
  for (const auto& d : response.held()) {
    print_dead_letter_line(out_, service_, d);
  }
  return kExitOk;
}

int Cli::republish_stream() {
  admin::v1::RepublishStreamRequest request;
  request.set_parent("tenants/" + tenant_);
  request.set_stream(id_);
  request.set_from_version(from_version_);
  request.set_to_version(to_version_);
  admin::v1::RepublishStreamResponse response;
  auto ctx = context();
  if (auto s = admin(service_).RepublishStream(ctx.get(), request, &response); !s.ok()) {
    return rpc_failed(s, false);
  }
  if (json()) {
    out_ << to_json(response) << '\n';
    return kExitOk;
  }
  out_ << fmt::format("republished {} events of {}\n", response.republished(), id_);
  return kExitOk;
}

}  // namespace arflow::cli
