#pragma once
// A batch call: many mutations in one gRPC call (BatchIssueInvoices, BatchRecordPayments),
// each one command of the loop that succeeds or fails on its own and is idempotent by its
// own request id, exactly as if it had been sent alone. Results come back in request order;
// the call finishes once the last element's outcome is durable. One call then costs one
// gRPC round trip and its commands share a few group commits, which is what lets a caller
// with many items (a bank statement, a billing run) go faster than one call per item.
//
//   server::BatchCall<v1::BatchRecordPaymentsResponse::Result, v1::Payment> batch(
//       ctx, *response->mutable_results(), request->requests_size(),
//       v1::BatchRecordPaymentsResponse::Result::kPaymentFieldNumber);
//   for (int i = 0; i < n; ++i) {
//     if (bad) { batch.refuse(i, why); continue; }
//     batch.submit(loop_, i, principal, fingerprint, request_id, work);
//   }
//   return batch.reactor();
//
// ResultMessage is the response's per-element message: the element's resource plus `code`
// (google.rpc.Code) and `message` (the field and the rule) fields.
//
// Thread-safety: element i is written by one thread at a time (its answer by the executor,
// then its outcome by the committer, ordered by the loop's hand-over); distinct elements are
// distinct messages, all added before the first command is submitted.

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/repeated_ptr_field.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "arflow/contract/answer.h"
#include "arflow/contract/names.h"
#include "arflow/core/error.h"
#include "arflow/server/unary.h"

namespace arflow::server {

// Requests one batch call may hold.
inline constexpr int kMaxBatchRequests = 1000;

// What a batch call checks before any element: its parent is the caller's tenant, and it
// holds 1 to kMaxBatchRequests requests.
inline absl::Status check_batch(std::string_view parent, std::string_view caller_tenant,
                                int requests) {
  ARFLOW_RETURN_IF_ERROR(contract::check_parent(parent, caller_tenant));
  if (requests == 0 || requests > kMaxBatchRequests) {
    return invalid_field("requests", fmt::format("must hold 1 to {} requests", kMaxBatchRequests));
  }
  return absl::OkStatus();
}

// An element's own parent: empty (the batch's), or the caller's tenant too. `prefix` names
// the element in errors ("requests[3].").
inline absl::Status check_element_parent(std::string_view parent, std::string_view caller_tenant,
                                         std::string_view prefix) {
  if (parent.empty()) {
    return absl::OkStatus();
  }
  return contract::check_parent(parent, caller_tenant, fmt::format("{}parent", prefix));
}

template <typename ResultMessage, typename Resource>
class BatchCall {
 public:
  // `resource_field`: the number of ResultMessage's field that holds the element's resource
  // (e.g. Result::kInvoiceFieldNumber), a Resource message.
  BatchCall(grpc::CallbackServerContext* ctx,
            google::protobuf::RepeatedPtrField<ResultMessage>& results, int size,
            int resource_field)
      : state_(std::make_shared<State>(ctx->DefaultReactor(), results, size, resource_field)) {
    results.Reserve(size);
    for (int i = 0; i < size; ++i) {
      results.Add();
    }
  }

  // Element i never reached the loop: its input was refused.
  void refuse(int i, const absl::Status& why) const { settle(*state_, i, why); }

  // Element i as a command; its resource is what `work` answers (or, for a retried request
  // id, what it answered the first time). An answer in wire form goes out as it is. See
  // command_of for `rebuild`.
  void submit(eventstore::CommandLoop& loop, int i, const Principal& principal,
              uint64_t fingerprint, const std::string& request_id, Work<Resource> work,
              Rebuild<Resource> rebuild = {}) const {
    // The flag lives in the shared state, which the command keeps alive.
    std::shared_ptr<bool> executed(state_, &state_->executed[static_cast<size_t>(i)]);
    Deliver<Resource> deliver = [state = state_, i](contract::Answer<Resource> answer) {
      return place(*state->results.Mutable(i), state->resource_field, std::move(answer));
    };
    auto command = command_of(principal, fingerprint, request_id, deliver, executed,
                              std::move(work), std::move(rebuild));
    command.done = [state = state_, i, deliver](Result<std::string> result) {
      settle(*state, i,
             outcome(std::move(result), state->executed[static_cast<size_t>(i)], deliver));
    };
    loop.submit(std::move(command));
  }

  grpc::ServerUnaryReactor* reactor() const { return state_->reactor; }

 private:
  struct State {
    State(grpc::ServerUnaryReactor* r, google::protobuf::RepeatedPtrField<ResultMessage>& res,
          int size, int field)
        : reactor(r),
          results(res),
          remaining(size),
          executed(std::make_unique<bool[]>(static_cast<size_t>(size))),
          resource_field(ResultMessage::descriptor()->FindFieldByNumber(field)) {
      if (resource_field != nullptr && resource_field->message_type() != Resource::descriptor()) {
        resource_field = nullptr;  // not the resource's field: place() says so
      }
    }
    grpc::ServerUnaryReactor* reactor;
    google::protobuf::RepeatedPtrField<ResultMessage>& results;
    std::atomic<int> remaining;
    std::unique_ptr<bool[]> executed;  // by element: run now rather than replayed
    const google::protobuf::FieldDescriptor* resource_field;
  };

  // Puts an element's answer in its result's `field`: a resource in the field, its wire form
  // as the same bytes the field would serialize to (see contract::Answer), unparsed.
  static absl::Status place(ResultMessage& result, const google::protobuf::FieldDescriptor* field,
                            contract::Answer<Resource> answer) {
    if (field == nullptr) {
      return absl::InternalError("the batch's result message has no field for its resource");
    }
    const auto* reflection = result.GetReflection();
    if (answer.is_wire()) {
      *reflection->MutableUnknownFields(&result)->AddLengthDelimited(field->number()) =
          std::move(answer).take_wire();
      return absl::OkStatus();
    }
    auto resource = std::move(answer).to_resource();
    if (!resource.ok()) {
      return resource.status();
    }
    static_cast<Resource&>(*reflection->MutableMessage(&result, field)) = *std::move(resource);
    return absl::OkStatus();
  }

  // The last element settled finishes the call.
  static void settle(State& state, int i, const absl::Status& status) {
    ResultMessage& result = *state.results.Mutable(i);
    if (!status.ok()) {
      result.Clear();  // executed perhaps, but its batch was not written
    }
    result.set_code(static_cast<int32_t>(status.code()));
    result.set_message(std::string(status.message()));
    if (state.remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      state.reactor->Finish(grpc::Status::OK);
    }
  }

  std::shared_ptr<State> state_;
};

}  // namespace arflow::server
