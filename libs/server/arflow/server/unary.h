#pragma once
// What every service's gRPC handlers share to answer a unary call (DESIGN.md, "The write
// path"): a mutation goes to the command loop with its request id and a fingerprint of the
// request (so a retry gets the first answer) and the call finishes once the outcome is
// durable; a query finishes at once with what it read.
//
//   return mutate<v1::Payment>(loop_, ctx, *principal, "RefundPayment", *request,
//                              request->request_id(), response,
//                              [command](eventstore::Transaction& txn, const Caller& caller) {
//                                return app::execute(txn, caller, command);
//                              });
//
// Thread-safety: any thread; `response` belongs to the call until it finishes.

#include <google/protobuf/message.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "arflow/contract/answer.h"
#include "arflow/contract/convert.h"
#include "arflow/contract/limits.h"
#include "arflow/core/clock.h"
#include "arflow/core/error.h"
#include "arflow/eventstore/command_loop.h"
#include "arflow/eventstore/envelope.h"
#include "arflow/server/auth.h"
#include "arflow/server/status.h"

namespace arflow::server {

using contract::kMaxRequestIdLength;

// INVALID_ARGUMENT naming `field` unless `request_id` is set and short enough.
absl::Status check_request_id(std::string_view request_id, std::string_view field);

// The id a mutation's resource name gave (or why it gave none), once `request_id` is checked
// too; the name's error comes first, as the fields come in the request.
Result<std::string> with_request_id(Result<std::string> id, std::string_view request_id);

// The same request gives the same fingerprint; the method is part of it, so one request id
// used for two different calls is told apart.
uint64_t fingerprint_of(std::string_view method, const google::protobuf::Message& request);

// The caller of a request: the key's tenant and name, the request id as cause and flow.
eventstore::Caller caller_of(const Principal& principal, const std::string& request_id);

// Today in UTC by `clock`; or the request's date when it has one.
contract::Date today(const Clock& clock);
Result<contract::Date> date_or_today(bool has, const common::v1::Date& date, std::string_view field,
                                     const Clock& clock);

// A mutation's work on the executor; it answers with the resource, or with the resource's
// wire form when it holds that already (contract::Answer).
template <typename Response>
using Work = std::function<Result<contract::Answer<Response>>(eventstore::Transaction&,
                                                              const eventstore::Caller&)>;

// Makes a mutation's answer again, for a retried request, from the source its Work declared
// (Transaction::answer_from): see eventstore::Command::rebuild_answer. A mutation given one
// keeps a reference in its idempotency record instead of a copy of its answer.
template <typename Response>
using Rebuild = std::function<Result<Response>(eventstore::Transaction&, const eventstore::Caller&,
                                               const eventstore::AnswerSource&)>;

// Puts a command's answer where its call's response wants it (the response itself, or an
// element of a batch call's); an error if it cannot (bytes that are not the resource).
template <typename Response>
using Deliver = std::function<absl::Status(contract::Answer<Response>)>;

// A mutation as a command for the loop. `work` runs on the executor; its answer goes to
// `deliver`, and serialized to the request's idempotency record (unless `rebuild` is given
// and `work` declared where its answer can be made again), and `*executed` is set. A
// replayed request runs nothing: outcome() then delivers the answer kept in the record.
template <typename Response>
eventstore::Command command_of(const Principal& principal, uint64_t fingerprint,
                               const std::string& request_id, Deliver<Response> deliver,
                               std::shared_ptr<bool> executed, Work<Response> work,
                               Rebuild<Response> rebuild = {}) {
  eventstore::Command command;
  command.tenant = principal.tenant_id;
  command.request_id = request_id;
  command.fingerprint = fingerprint;
  eventstore::Caller caller = caller_of(principal, request_id);
  // Written by the executor before the outcome is durable, read by `done` after: the loop's
  // hand-over orders the two.
  command.execute =
      [caller, work = std::move(work), deliver = std::move(deliver), executed = std::move(executed),
       rebuilds = static_cast<bool>(rebuild)](eventstore::Transaction& txn) -> Result<std::string> {
    auto answer = work(txn, caller);
    if (!answer.ok()) {
      return answer.status();
    }
    // Empty when the record keeps the answer's source instead of its bytes.
    std::string kept =
        rebuilds && txn.answer_source().has_value() ? std::string() : answer->serialized();
    ARFLOW_RETURN_IF_ERROR(deliver(*std::move(answer)));
    *executed = true;
    return kept;
  };
  if (rebuild) {
    command.rebuild_answer = [caller = std::move(caller), rebuild = std::move(rebuild)](
                                 eventstore::Transaction& txn,
                                 const eventstore::AnswerSource& source) -> Result<std::string> {
      auto answer = rebuild(txn, caller, source);
      if (!answer.ok()) {
        return answer.status();
      }
      return answer->SerializeAsString();
    };
  }
  return command;
}

// The durable outcome of a command made by command_of: OK with the answer delivered, or why
// not. A replayed request's answer is the record's, parsed: a record is checked before it
// is sent again.
template <typename Response>
absl::Status outcome(Result<std::string> result, bool executed, const Deliver<Response>& deliver) {
  if (!result.ok() || executed) {
    return result.status();
  }
  Response replayed;
  if (!replayed.ParseFromString(*result)) {
    return absl::InternalError("the stored result of this request is unreadable");
  }
  return deliver(std::move(replayed));
}

// Hands a mutation to the command loop; the call finishes once its outcome is durable. See
// command_of for `rebuild`.
template <typename Response>
grpc::ServerUnaryReactor* mutate(eventstore::CommandLoop& loop, grpc::CallbackServerContext* ctx,
                                 const Principal& principal, std::string_view method,
                                 const google::protobuf::Message& request,
                                 const std::string& request_id, Response* response,
                                 Work<Response> work, Rebuild<Response> rebuild = {}) {
  auto* reactor = ctx->DefaultReactor();
  auto executed = std::make_shared<bool>(false);
  Deliver<Response> deliver = [response](contract::Answer<Response> answer) {
    auto resource = std::move(answer).to_resource();
    if (!resource.ok()) {
      return resource.status();
    }
    *response = *std::move(resource);
    return absl::OkStatus();
  };
  auto command = command_of(principal, fingerprint_of(method, request), request_id, deliver,
                            executed, std::move(work), std::move(rebuild));
  command.done = [reactor, deliver, executed](Result<std::string> result) {
    reactor->Finish(to_grpc_status(outcome(std::move(result), *executed, deliver)));
  };
  loop.submit(std::move(command));
  return reactor;
}

// Finishes a query with its result.
template <typename T>
grpc::ServerUnaryReactor* reply(grpc::CallbackServerContext* ctx, Result<T> result, T* response) {
  if (!result.ok()) {
    return finish_unary(ctx, result.status());
  }
  *response = *std::move(result);
  return finish_unary(ctx, absl::OkStatus());
}

}  // namespace arflow::server
