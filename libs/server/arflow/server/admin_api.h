#pragma once
// arflow.admin.v1.AdminService, which every service serves beside its own API
// (proto/arflow/admin/v1/admin_service.proto; the runbook in docs/operations.md, "A dead
// letter or a gap"): the events its consumers hold, their replay, and republishing a
// stream's events. Authorized like every API (an API key of the tenant, or open dev mode);
// a key sees and replays its own tenant's events only.
//
// Thread-safety: handlers run on gRPC's threads, concurrently; the consumers are safe to
// share. Replay waits for its command's batch to be durable on the handler's thread (an
// operator's call, not a hot path). The API must outlive the server that serves it, and the
// consumers must outlive the API.

#include <vector>

#include "arflow/admin/v1/admin_service.grpc.pb.h"
#include "arflow/bus/consumer_runner.h"
#include "arflow/eventstore/command_loop.h"
#include "arflow/server/tenants.h"

namespace arflow::server {

class AdminApi final : public admin::v1::AdminService::CallbackService {
 public:
  AdminApi(eventstore::CommandLoop& loop, const TenantDirectory& tenants)
      : loop_(loop), tenants_(tenants) {}

  // Before serving.
  void add_consumer(bus::ConsumerRunner* consumer) { consumers_.push_back(consumer); }

  using Ctx = grpc::CallbackServerContext;
  using Unary = grpc::ServerUnaryReactor;
  Unary* ListDeadLetters(Ctx* ctx, const admin::v1::ListDeadLettersRequest* request,
                         admin::v1::ListDeadLettersResponse* response) override;
  Unary* GetDeadLetter(Ctx* ctx, const admin::v1::GetDeadLetterRequest* request,
                       admin::v1::DeadLetter* response) override;
  Unary* ReplayDeadLetters(Ctx* ctx, const admin::v1::ReplayDeadLettersRequest* request,
                           admin::v1::ReplayDeadLettersResponse* response) override;
  Unary* RepublishStream(Ctx* ctx, const admin::v1::RepublishStreamRequest* request,
                         admin::v1::RepublishStreamResponse* response) override;

 private:
  // The consumer a request names; the only one when it names none.
  Result<bus::ConsumerRunner*> consumer_named(std::string_view name) const;
  // The caller's tenant and the consumer of a request about one held event (or stream), once
  // the call is authorized and its fields checked.
  struct HeldEventTarget {
    std::string tenant;
    bus::ConsumerRunner* consumer = nullptr;
  };
  Result<HeldEventTarget> held_event_of(grpc::CallbackServerContext& ctx, std::string_view parent,
                                        std::string_view id, std::string_view consumer) const;

  eventstore::CommandLoop& loop_;
  const TenantDirectory& tenants_;
  std::vector<bus::ConsumerRunner*> consumers_;
};

}  // namespace arflow::server
