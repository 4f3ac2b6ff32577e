#pragma once
// arflow.payments.v1.PaymentsService over gRPC: each handler authorizes the call, checks the
// names against the caller's tenant, translates the request into a domain command and hands
// it to the command loop (mutations) or reads committed data (queries). No business rule
// lives here: those are the deciders' (services/payments/domain).
//
// Mutations reply once their batch is durable; the request id makes them idempotent. Dates a
// request leaves out ("today") come from the service's clock, in UTC.
//
// Thread-safety: handlers run on gRPC's threads, concurrently; the store, the loop and the
// tenants directory are safe to share. The API must outlive the server that serves it.

#include "arflow/core/clock.h"
#include "arflow/eventstore/command_loop.h"
#include "arflow/eventstore/store.h"
#include "arflow/payments/v1/payments_service.grpc.pb.h"
#include "arflow/server/tenants.h"

namespace arflow::payments::api {

class PaymentsApi final : public v1::PaymentsService::CallbackService {
 public:
  PaymentsApi(eventstore::Store& store, eventstore::CommandLoop& loop,
              const server::TenantDirectory& tenants, const Clock& clock);

  using Ctx = grpc::CallbackServerContext;
  using Unary = grpc::ServerUnaryReactor;

  Unary* RecordPayment(Ctx* ctx, const v1::RecordPaymentRequest* request,
                       v1::Payment* response) override;
  Unary* BatchRecordPayments(Ctx* ctx, const v1::BatchRecordPaymentsRequest* request,
                             v1::BatchRecordPaymentsResponse* response) override;
  Unary* AllocatePayment(Ctx* ctx, const v1::AllocatePaymentRequest* request,
                         v1::Payment* response) override;
  Unary* AutoAllocatePayment(Ctx* ctx, const v1::AutoAllocatePaymentRequest* request,
                             v1::Payment* response) override;
  Unary* ApplyCustomerCredit(Ctx* ctx, const v1::ApplyCustomerCreditRequest* request,
                             v1::CustomerCredit* response) override;
  Unary* RefundPayment(Ctx* ctx, const v1::RefundPaymentRequest* request,
                       v1::Payment* response) override;
  Unary* RefundCustomerCredit(Ctx* ctx, const v1::RefundCustomerCreditRequest* request,
                              v1::CustomerCredit* response) override;
  Unary* ChargeBackPayment(Ctx* ctx, const v1::ChargeBackPaymentRequest* request,
                           v1::Payment* response) override;

  Unary* GetPayment(Ctx* ctx, const v1::GetPaymentRequest* request, v1::Payment* response) override;
  Unary* ListPayments(Ctx* ctx, const v1::ListPaymentsRequest* request,
                      v1::ListPaymentsResponse* response) override;
  Unary* GetCustomerCredit(Ctx* ctx, const v1::GetCustomerCreditRequest* request,
                           v1::CustomerCredit* response) override;
  Unary* ListOpenInvoices(Ctx* ctx, const v1::ListOpenInvoicesRequest* request,
                          v1::ListOpenInvoicesResponse* response) override;

 private:
  eventstore::Store& store_;
  eventstore::CommandLoop& loop_;
  const server::TenantDirectory& tenants_;
  const Clock& clock_;
};

}  // namespace arflow::payments::api
