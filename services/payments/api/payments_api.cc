#include "payments/api/payments_api.h"

#include <fmt/format.h>

#include "arflow/contract/convert.h"
#include "arflow/contract/ids.h"
#include "arflow/contract/names.h"
#include "arflow/server/auth.h"
#include "arflow/server/batch.h"
#include "arflow/server/status.h"
#include "arflow/server/unary.h"
#include "payments/app/execute.h"
#include "payments/app/payment_filter.h"
#include "payments/app/queries.h"

namespace arflow::payments::api {

namespace {

using eventstore::Caller;
using eventstore::Transaction;
using server::finish_unary;

Result<std::string> payment_id_of(std::string_view name, std::string_view tenant) {
  return contract::child_id_of(name, tenant, "payments", "name");
}

Result<std::string> customer_id_of(std::string_view name, std::string_view tenant) {
  return contract::child_id_of(name, tenant, "customers", "customer");
}

// A command on a payment named in the request, run as is.
template <typename Command>
server::Work<v1::Payment> payment_work(Command command) {
  return [command = std::move(command)](Transaction& txn,
                                        const Caller& caller) -> Result<v1::Payment> {
    return app::execute(txn, caller, command);
  };
}

// RecordPayment as work for the loop, once its fields are checked; `prefix` names the
// request in a batch ("requests[3].").
Result<server::Work<v1::Payment>> record_payment_work(const v1::RecordPaymentRequest& request,
                                                      const std::string& prefix,
                                                      const Clock& clock) {
  ARFLOW_RETURN_IF_ERROR(server::check_request_id(request.request_id(), prefix + "request_id"));
  auto amount = contract::from_proto(request.amount(), prefix + "amount");
  if (!amount.ok()) {
    return amount.status();
  }
  auto received_on = server::date_or_today(request.has_received_on(), request.received_on(),
                                           prefix + "received_on", clock);
  if (!received_on.ok()) {
    return received_on.status();
  }
  payments::RecordPayment command{.payment_id = request.payment_id(),
                                  .customer_id = request.customer_id(),
                                  .amount = *amount,
                                  .method = request.method(),
                                  .received_on = *received_on,
                                  .external_reference = request.external_reference(),
                                  .remittance_text = request.remittance_text()};
  return server::Work<v1::Payment>(
      [command = std::move(command), auto_allocate = request.auto_allocate()](
          Transaction& txn, const Caller& caller) {
        return app::execute(txn, caller, command, auto_allocate);
      });
}

}  // namespace

PaymentsApi::PaymentsApi(eventstore::Store& store, eventstore::CommandLoop& loop,
                         const server::TenantDirectory& tenants, const Clock& clock)
    : store_(store), loop_(loop), tenants_(tenants), clock_(clock) {}

// ----- Mutations ------------------------------------------------------------------------------

grpc::ServerUnaryReactor* PaymentsApi::RecordPayment(Ctx* ctx,
                                                     const v1::RecordPaymentRequest* request,
                                                     v1::Payment* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  absl::Status valid = contract::check_parent(request->parent(), principal->tenant_id);
  auto work = valid.ok() ? record_payment_work(*request, "", clock_)
                         : Result<server::Work<v1::Payment>>(valid);
  if (!work.ok()) {
    return finish_unary(ctx, work.status());
  }
  return server::mutate<v1::Payment>(loop_, ctx, *principal, "RecordPayment", *request,
                                     request->request_id(), response, *std::move(work));
}

grpc::ServerUnaryReactor* PaymentsApi::BatchRecordPayments(
    Ctx* ctx, const v1::BatchRecordPaymentsRequest* request,
    v1::BatchRecordPaymentsResponse* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  const int n = request->requests_size();
  if (auto valid = server::check_batch(request->parent(), principal->tenant_id, n); !valid.ok()) {
    return finish_unary(ctx, valid);
  }
  server::BatchCall<v1::BatchRecordPaymentsResponse::Result, v1::Payment> batch(
      ctx, *response->mutable_results(), n,
      v1::BatchRecordPaymentsResponse::Result::kPaymentFieldNumber);
  for (int i = 0; i < n; ++i) {
    const auto& one = request->requests(i);
    const std::string prefix = fmt::format("requests[{}].", i);
    const absl::Status valid =
        server::check_element_parent(one.parent(), principal->tenant_id, prefix);
    auto work = valid.ok() ? record_payment_work(one, prefix, clock_)
                           : Result<server::Work<v1::Payment>>(valid);
    if (!work.ok()) {
      batch.refuse(i, work.status());
      continue;
    }
    // The same fingerprint as RecordPayment: retrying one line of a statement on its own (or
    // the other way round) gets the first answer.
    v1::RecordPaymentRequest as_single = one;
    as_single.set_parent(contract::tenant_name(principal->tenant_id));
    batch.submit(loop_, i, *principal, server::fingerprint_of("RecordPayment", as_single),
                 one.request_id(), *std::move(work));
  }
  return batch.reactor();
}

grpc::ServerUnaryReactor* PaymentsApi::AllocatePayment(Ctx* ctx,
                                                       const v1::AllocatePaymentRequest* request,
                                                       v1::Payment* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  auto payment_id = server::with_request_id(payment_id_of(request->name(), principal->tenant_id),
                                            request->request_id());
  absl::Status valid = payment_id.status();
  payments::AllocatePayment command;
  for (int i = 0; valid.ok() && i < request->allocations_size(); ++i) {
    const auto& wanted = request->allocations(i);
    auto amount = contract::from_proto(wanted.amount(), fmt::format("allocations[{}].amount", i));
    valid = amount.status();
    if (valid.ok()) {
      command.allocations.push_back(
          InvoiceToPay{.invoice_id = wanted.invoice_id(), .amount = *amount});
    }
  }
  if (!valid.ok()) {
    return finish_unary(ctx, valid);
  }
  command.payment_id = *payment_id;
  command.movement_id = contract::natural_key_of(request->request_id());
  return server::mutate<v1::Payment>(loop_, ctx, *principal, "AllocatePayment", *request,
                                     request->request_id(), response,
                                     payment_work(std::move(command)));
}

grpc::ServerUnaryReactor* PaymentsApi::AutoAllocatePayment(
    Ctx* ctx, const v1::AutoAllocatePaymentRequest* request, v1::Payment* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  auto payment_id = server::with_request_id(payment_id_of(request->name(), principal->tenant_id),
                                            request->request_id());
  absl::Status valid = payment_id.status();
  if (!valid.ok()) {
    return finish_unary(ctx, valid);
  }
  return server::mutate<v1::Payment>(loop_, ctx, *principal, "AutoAllocatePayment", *request,
                                     request->request_id(), response,
                                     [id = *payment_id](Transaction& txn, const Caller& caller) {
                                       return app::auto_allocate(txn, caller, id);
                                     });
}

grpc::ServerUnaryReactor* PaymentsApi::ApplyCustomerCredit(
    Ctx* ctx, const v1::ApplyCustomerCreditRequest* request, v1::CustomerCredit* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  auto customer_id = server::with_request_id(
      customer_id_of(request->customer(), principal->tenant_id), request->request_id());
  absl::Status valid = customer_id.status();
  if (valid.ok() && !request->has_allocation()) {
    valid = invalid_field("allocation", "must name the invoice and the amount to pay");
  }
  auto amount = contract::from_proto(request->allocation().amount(), "allocation.amount");
  if (valid.ok()) {
    valid = amount.status();
  }
  if (!valid.ok()) {
    return finish_unary(ctx, valid);
  }
  return server::mutate<v1::CustomerCredit>(
      loop_, ctx, *principal, "ApplyCustomerCredit", *request, request->request_id(), response,
      [customer = *customer_id,
       allocation =
           InvoiceToPay{.invoice_id = request->allocation().invoice_id(), .amount = *amount},
       movement = contract::natural_key_of(request->request_id())](Transaction& txn,
                                                                   const Caller& caller) {
        return app::apply_customer_credit(txn, caller, customer, allocation, movement);
      });
}

grpc::ServerUnaryReactor* PaymentsApi::RefundPayment(Ctx* ctx,
                                                     const v1::RefundPaymentRequest* request,
                                                     v1::Payment* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  auto payment_id = server::with_request_id(payment_id_of(request->name(), principal->tenant_id),
                                            request->request_id());
  absl::Status valid = payment_id.status();
  payments::RefundPayment command{.payment_id = {},
                                  .amount = {},
                                  .reason = request->reason(),
                                  .refund_id = request->refund_id().empty()
                                                   ? contract::natural_key_of(request->request_id())
                                                   : request->refund_id()};
  if (valid.ok() && !request->refund_id().empty()) {
    valid = contract::validate_id(request->refund_id(), "refund_id");
  }
  if (valid.ok() && request->has_amount()) {
    auto amount = contract::from_proto(request->amount(), "amount");
    valid = amount.status();
    if (valid.ok()) {
      command.amount = *amount;
    }
  }
  if (!valid.ok()) {
    return finish_unary(ctx, valid);
  }
  command.payment_id = *payment_id;
  return server::mutate<v1::Payment>(loop_, ctx, *principal, "RefundPayment", *request,
                                     request->request_id(), response,
                                     payment_work(std::move(command)));
}

grpc::ServerUnaryReactor* PaymentsApi::RefundCustomerCredit(
    Ctx* ctx, const v1::RefundCustomerCreditRequest* request, v1::CustomerCredit* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  auto customer_id = server::with_request_id(
      customer_id_of(request->customer(), principal->tenant_id), request->request_id());
  absl::Status valid = customer_id.status();
  auto amount = contract::from_proto(request->amount(), "amount");
  if (valid.ok()) {
    valid = amount.status();
  }
  if (!valid.ok()) {
    return finish_unary(ctx, valid);
  }
  return server::mutate<v1::CustomerCredit>(
      loop_, ctx, *principal, "RefundCustomerCredit", *request, request->request_id(), response,
      [customer = *customer_id, amount = *amount, reason = request->reason(),
       movement = contract::natural_key_of(request->request_id())](Transaction& txn,
                                                                   const Caller& caller) {
        return app::refund_customer_credit(txn, caller, customer, amount, reason, movement);
      });
}

grpc::ServerUnaryReactor* PaymentsApi::ChargeBackPayment(
    Ctx* ctx, const v1::ChargeBackPaymentRequest* request, v1::Payment* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  auto payment_id = server::with_request_id(payment_id_of(request->name(), principal->tenant_id),
                                            request->request_id());
  absl::Status valid = payment_id.status();
  auto on = server::date_or_today(request->has_charged_back_on(), request->charged_back_on(),
                                  "charged_back_on", clock_);
  if (valid.ok()) {
    valid = on.status();
  }
  if (!valid.ok()) {
    return finish_unary(ctx, valid);
  }
  return server::mutate<v1::Payment>(
      loop_, ctx, *principal, "ChargeBackPayment", *request, request->request_id(), response,
      payment_work(payments::ChargeBackPayment{
          .payment_id = *payment_id, .reason = request->reason(), .charged_back_on = *on}));
}

// ----- Queries --------------------------------------------------------------------------------

grpc::ServerUnaryReactor* PaymentsApi::GetPayment(Ctx* ctx, const v1::GetPaymentRequest* request,
                                                  v1::Payment* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  auto payment_id = payment_id_of(request->name(), principal->tenant_id);
  if (!payment_id.ok()) {
    return finish_unary(ctx, payment_id.status());
  }
  return server::reply(ctx, app::get_payment(store_, principal->tenant_id, *payment_id), response);
}

grpc::ServerUnaryReactor* PaymentsApi::ListPayments(Ctx* ctx,
                                                    const v1::ListPaymentsRequest* request,
                                                    v1::ListPaymentsResponse* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  if (auto parent = contract::check_parent(request->parent(), principal->tenant_id); !parent.ok()) {
    return finish_unary(ctx, parent);
  }
  auto filter = parse_payment_filter(request->filter());
  if (!filter.ok()) {
    return finish_unary(ctx, filter.status());
  }
  return server::reply(ctx,
                       app::list_payments(store_, principal->tenant_id, *filter,
                                          request->page_size(), request->page_token()),
                       response);
}

grpc::ServerUnaryReactor* PaymentsApi::GetCustomerCredit(
    Ctx* ctx, const v1::GetCustomerCreditRequest* request, v1::CustomerCredit* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  auto customer_id = customer_id_of(request->customer(), principal->tenant_id);
  if (!customer_id.ok()) {
    return finish_unary(ctx, customer_id.status());
  }
  return server::reply(ctx, app::get_customer_credit(store_, principal->tenant_id, *customer_id),
                       response);
}

grpc::ServerUnaryReactor* PaymentsApi::ListOpenInvoices(Ctx* ctx,
                                                        const v1::ListOpenInvoicesRequest* request,
                                                        v1::ListOpenInvoicesResponse* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return finish_unary(ctx, principal.status());
  }
  auto customer_id = customer_id_of(request->customer(), principal->tenant_id);
  if (!customer_id.ok()) {
    return finish_unary(ctx, customer_id.status());
  }
  return server::reply(ctx, app::list_open_invoices(store_, principal->tenant_id, *customer_id),
                       response);
}

}  // namespace arflow::payments::api
