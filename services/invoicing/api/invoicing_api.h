#pragma once
// arflow.invoicing.v1.InvoicingService over gRPC: each handler authorizes the call, checks
// the names against the caller's tenant, translates the request into a domain command and
// hands it to the command loop (mutations) or reads committed data (queries). No business
// rule lives here: those are the deciders' (services/invoicing/domain).
//
// Mutations reply once their batch is durable. The request id and a fingerprint of the
// request make every mutation idempotent (CommandLoop): a retry gets the first answer.
// Dates a request leaves out ("today") come from the service's clock, in UTC.
//
// Thread-safety: handlers run on gRPC's threads, concurrently; the store, the loop and the
// tenants directory are safe to share. The API must outlive the server that serves it.

#include <atomic>
#include <filesystem>
#include <memory>

#include "arflow/core/clock.h"
#include "arflow/eventstore/command_loop.h"
#include "arflow/eventstore/store.h"
#include "arflow/invoicing/v1/invoicing_service.grpc.pb.h"
#include "arflow/server/tenants.h"

namespace arflow::invoicing::api {

struct InvoicingApiOptions {
  // Where follow-up workbooks are built before they are streamed.
  std::filesystem::path export_dir;
};

class InvoicingApi final : public v1::InvoicingService::CallbackService {
 public:
  InvoicingApi(eventstore::Store& store, eventstore::CommandLoop& loop,
               const server::TenantDirectory& tenants, const Clock& clock,
               InvoicingApiOptions options);
  // Waits for the exports still streaming.
  ~InvoicingApi() override;
  InvoicingApi(const InvoicingApi&) = delete;
  InvoicingApi& operator=(const InvoicingApi&) = delete;

  using Ctx = grpc::CallbackServerContext;
  using Unary = grpc::ServerUnaryReactor;

  Unary* CreateCustomer(Ctx* ctx, const v1::CreateCustomerRequest* request,
                        v1::Customer* response) override;
  Unary* UpdateCustomer(Ctx* ctx, const v1::UpdateCustomerRequest* request,
                        v1::Customer* response) override;
  Unary* GetCustomer(Ctx* ctx, const v1::GetCustomerRequest* request,
                     v1::Customer* response) override;
  Unary* ListCustomers(Ctx* ctx, const v1::ListCustomersRequest* request,
                       v1::ListCustomersResponse* response) override;

  Unary* CreateInvoice(Ctx* ctx, const v1::CreateInvoiceRequest* request,
                       v1::Invoice* response) override;
  Unary* UpdateInvoice(Ctx* ctx, const v1::UpdateInvoiceRequest* request,
                       v1::Invoice* response) override;
  Unary* DeleteInvoice(Ctx* ctx, const v1::DeleteInvoiceRequest* request,
                       v1::Invoice* response) override;
  Unary* IssueInvoice(Ctx* ctx, const v1::IssueInvoiceRequest* request,
                      v1::Invoice* response) override;
  Unary* BatchIssueInvoices(Ctx* ctx, const v1::BatchIssueInvoicesRequest* request,
                            v1::BatchIssueInvoicesResponse* response) override;
  Unary* CreateCreditNote(Ctx* ctx, const v1::CreateCreditNoteRequest* request,
                          v1::Invoice* response) override;
  Unary* WriteOffInvoice(Ctx* ctx, const v1::WriteOffInvoiceRequest* request,
                         v1::Invoice* response) override;
  Unary* AddLateFee(Ctx* ctx, const v1::AddLateFeeRequest* request, v1::Invoice* response) override;
  Unary* RecordRecipientStatus(Ctx* ctx, const v1::RecordRecipientStatusRequest* request,
                               v1::Invoice* response) override;
  Unary* GetInvoice(Ctx* ctx, const v1::GetInvoiceRequest* request, v1::Invoice* response) override;
  Unary* ListInvoices(Ctx* ctx, const v1::ListInvoicesRequest* request,
                      v1::ListInvoicesResponse* response) override;
  Unary* GetCustomerStatement(Ctx* ctx, const v1::GetCustomerStatementRequest* request,
                              v1::CustomerStatement* response) override;
  grpc::ServerWriteReactor<v1::FileChunk>* ExportFollowUpTable(
      Ctx* ctx, const v1::ExportFollowUpTableRequest* request) override;

 private:
  class ExportReactor;

  eventstore::Store& store_;
  eventstore::CommandLoop& loop_;
  const server::TenantDirectory& tenants_;
  const Clock& clock_;
  const InvoicingApiOptions options_;
  // Exports in progress; the destructor waits for them (they read the store).
  std::shared_ptr<std::atomic<int>> exports_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace arflow::invoicing::api
