#include "arflow/server/admin_api.h"

#include <fmt/format.h>

#include <limits>

#include "arflow/contract/limits.h"
#include "arflow/contract/names.h"
#include "arflow/contract/paging.h"
#include "arflow/server/auth.h"
#include "arflow/server/status.h"
#include "arflow/server/unary.h"

namespace arflow::server {

Result<bus::ConsumerRunner*> AdminApi::consumer_named(std::string_view name) const {
  if (name.empty()) {
    if (consumers_.size() == 1) {
      return consumers_.front();
    }
    return consumers_.empty() ? Result<bus::ConsumerRunner*>(
                                    absl::NotFoundError("consumer: this service consumes no topic"))
                              : invalid_field("consumer",
                                              "must name one of the service's "
                                              "consumers: it has several");
  }
  for (auto* consumer : consumers_) {
    if (consumer->name() == name) {
      return consumer;
    }
  }
  return absl::NotFoundError(fmt::format("consumer: this service has no consumer '{}'", name));
}

Result<AdminApi::HeldEventTarget> AdminApi::held_event_of(grpc::CallbackServerContext& ctx,
                                                          std::string_view parent,
                                                          std::string_view id,
                                                          std::string_view consumer) const {
  ARFLOW_ASSIGN_OR_RETURN(const Principal principal, authorize(ctx, tenants_));
  ARFLOW_RETURN_IF_ERROR(contract::check_parent(parent, principal.tenant_id));
  ARFLOW_RETURN_IF_ERROR(contract::check_length(id, contract::kMaxStreamLength, "id"));
  ARFLOW_ASSIGN_OR_RETURN(bus::ConsumerRunner* const runner, consumer_named(consumer));
  return HeldEventTarget{.tenant = principal.tenant_id, .consumer = runner};
}

grpc::ServerUnaryReactor* AdminApi::ListDeadLetters(
    Ctx* ctx, const admin::v1::ListDeadLettersRequest* request,
    admin::v1::ListDeadLettersResponse* response) {
  auto principal = authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  if (auto parent = contract::check_parent(request->parent(), principal->tenant_id); !parent.ok()) {
    return finish_unary(ctx, parent);
  }
  auto size = contract::page_size_of(request->page_size());
  if (!size.ok()) {
    return finish_unary(ctx, size.status());
  }
  uint64_t total = 0;
  for (auto* consumer : consumers_) {
    const size_t room =
        static_cast<size_t>(*size) - static_cast<size_t>(response->dead_letters_size());
    uint64_t held = 0;
    auto letters = consumer->dead_letters(principal->tenant_id, room, &held);
    if (!letters.ok()) {
      return finish_unary(ctx, letters.status());
    }
    total += held;
    for (auto& letter : *letters) {
      *response->add_dead_letters() = std::move(letter);
    }
  }
  response->set_total(total);
  return finish_unary(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminApi::GetDeadLetter(Ctx* ctx,
                                                  const admin::v1::GetDeadLetterRequest* request,
                                                  admin::v1::DeadLetter* response) {
  auto target = held_event_of(*ctx, request->parent(), request->id(), request->consumer());
  if (!target.ok()) {
    return finish_unary(ctx, target.status());
  }
  return reply(ctx, target->consumer->dead_letter(target->tenant, request->id()), response);
}

grpc::ServerUnaryReactor* AdminApi::ReplayDeadLetters(
    Ctx* ctx, const admin::v1::ReplayDeadLettersRequest* request,
    admin::v1::ReplayDeadLettersResponse* response) {
  auto target = held_event_of(*ctx, request->parent(), request->id(), request->consumer());
  if (!target.ok()) {
    return finish_unary(ctx, target.status());
  }
  auto outcome = target->consumer->replay(target->tenant, request->id());
  if (!outcome.ok()) {
    return finish_unary(ctx, outcome.status());
  }
  response->set_applied(outcome->applied);
  for (auto& held : outcome->held) {
    *response->add_held() = std::move(held);
  }
  return finish_unary(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminApi::RepublishStream(
    Ctx* ctx, const admin::v1::RepublishStreamRequest* request,
    admin::v1::RepublishStreamResponse* response) {
  auto principal = authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  if (auto parent = contract::check_parent(request->parent(), principal->tenant_id); !parent.ok()) {
    return finish_unary(ctx, parent);
  }
  if (request->stream().empty()) {
    return finish_unary(ctx, invalid_field("stream", "must name a stream (\"invoice/inv-1\")"));
  }
  if (auto s = contract::check_length(request->stream(), contract::kMaxStreamLength, "stream");
      !s.ok()) {
    return finish_unary(ctx, s);
  }
  const uint64_t from = std::max<uint64_t>(request->from_version(), 1);
  const uint64_t to =
      request->to_version() == 0 ? std::numeric_limits<uint64_t>::max() : request->to_version();
  if (from > to) {
    return finish_unary(ctx, invalid_field("to_version", "must be 0 or at least from_version"));
  }
  // Streams are under the tenant: a key names its own tenant's streams only.
  const std::string stream = fmt::format("{}/{}", principal->tenant_id, request->stream());
  auto count = std::make_shared<uint64_t>(0);
  eventstore::Command command;
  command.tenant = principal->tenant_id;
  command.execute = [stream, from, to, count](eventstore::Transaction& txn) -> Result<std::string> {
    ARFLOW_ASSIGN_OR_RETURN(*count, txn.republish(stream, from, to));
    return std::string();
  };
  const auto done = loop_.execute(std::move(command));
  if (!done.ok()) {
    return finish_unary(ctx, done.status());
  }
  response->set_republished(*count);
  return finish_unary(ctx, absl::OkStatus());
}

}  // namespace arflow::server
