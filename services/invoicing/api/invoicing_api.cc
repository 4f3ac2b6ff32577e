#include "invoicing/api/invoicing_api.h"

#include <fmt/format.h>
#include <google/protobuf/util/field_mask_util.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "arflow/core/log.h"
#include "arflow/eventstore/keys.h"
#include "arflow/server/auth.h"
#include "arflow/server/batch.h"
#include "arflow/server/status.h"
#include "arflow/server/unary.h"
#include "invoicing/app/execute.h"
#include "invoicing/app/names.h"
#include "invoicing/app/queries.h"
#include "invoicing/domain/customer.h"
#include "invoicing/domain/proto_convert.h"
#include "invoicing/domain/series.h"
#include "invoicing/query/filter.h"
#include "invoicing/query/follow_up.h"

namespace arflow::invoicing::api {

namespace {

constexpr size_t kExportChunkBytes = size_t{64} * 1024;

using server::check_request_id;
using server::date_or_today;
using server::fingerprint_of;
using server::mutate;
using server::reply;
using server::Work;

// What CreateInvoice asks, as domain commands; `prefix` names the request in a batch.
struct CreateInvoiceCommands {
  DraftInvoice draft;
  std::optional<IssueInvoice> issue;
};

Result<CreateInvoiceCommands> create_invoice_commands(const v1::CreateInvoiceRequest& request,
                                                      bool issue, std::string_view prefix,
                                                      const Clock& clock) {
  const auto field = [&](std::string_view name) { return fmt::format("{}{}", prefix, name); };
  ARFLOW_RETURN_IF_ERROR(check_request_id(request.request_id(), field("request_id")));
  ARFLOW_RETURN_IF_ERROR(validate_id(request.invoice_id(), field("invoice_id")));
  ARFLOW_RETURN_IF_ERROR(validate_id(request.customer_id(), field("customer_id")));
  auto content = from_proto(request.content(), field("content"));
  if (!content.ok()) {
    return content.status();
  }
  CreateInvoiceCommands commands{.draft = DraftInvoice{.invoice_id = request.invoice_id(),
                                                       .customer_id = request.customer_id(),
                                                       .content = *std::move(content)},
                                 .issue = std::nullopt};
  if (issue) {
    ARFLOW_RETURN_IF_ERROR(validate_series(request.series(), field("series")));
    auto issue_date =
        date_or_today(request.has_issue_date(), request.issue_date(), field("issue_date"), clock);
    if (!issue_date.ok()) {
      return issue_date.status();
    }
    commands.issue = IssueInvoice{
        .invoice_id = request.invoice_id(), .series = request.series(), .issue_date = *issue_date};
  } else if (!request.series().empty() || request.has_issue_date()) {
    return invalid_field(field("series"), "is only for an invoice issued at once (issue = true)");
  }
  return commands;
}

Work<v1::Invoice> create_invoice_work(CreateInvoiceCommands commands,
                                      app::InvoiceDetail detail = app::InvoiceDetail::kFull) {
  return [commands = std::move(commands), detail](
             eventstore::Transaction& txn,
             const app::Caller& caller) -> Result<contract::Answer<v1::Invoice>> {
    if (commands.issue.has_value()) {
      return app::execute(txn, caller, commands.draft, *commands.issue, detail);
    }
    return app::execute(txn, caller, commands.draft);
  };
}

// A retried command on an invoice answered again, in `detail`.
server::Rebuild<v1::Invoice> invoice_answer(app::InvoiceDetail detail = app::InvoiceDetail::kFull) {
  return [detail](eventstore::Transaction& txn, const app::Caller& caller,
                  const eventstore::AnswerSource& source) {
    return app::invoice_answer(txn, caller, source, detail);
  };
}

// The detail of a batch's results: INVALID_ARGUMENT for a view that is not one.
Result<app::InvoiceDetail> batch_detail(v1::InvoiceView view) {
  switch (view) {
    case v1::INVOICE_VIEW_UNSPECIFIED:
    case v1::INVOICE_VIEW_FULL:
      return app::InvoiceDetail::kFull;
    case v1::INVOICE_VIEW_BASIC:
      return app::InvoiceDetail::kBasic;
    default:
      return invalid_field("view", "must be INVOICE_VIEW_BASIC or INVOICE_VIEW_FULL");
  }
}

// A command on an invoice named in the request, run as is.
template <typename Command>
Work<v1::Invoice> invoice_work(Command command) {
  return [command = std::move(command)](eventstore::Transaction& txn,
                                        const app::Caller& caller) -> Result<v1::Invoice> {
    return app::execute(txn, caller, command);
  };
}

}  // namespace

InvoicingApi::InvoicingApi(eventstore::Store& store, eventstore::CommandLoop& loop,
                           const server::TenantDirectory& tenants, const Clock& clock,
                           InvoicingApiOptions options)
    : store_(store), loop_(loop), tenants_(tenants), clock_(clock), options_(std::move(options)) {}

InvoicingApi::~InvoicingApi() {
  while (exports_->load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// ----- Customers ------------------------------------------------------------------------------

grpc::ServerUnaryReactor* InvoicingApi::CreateCustomer(Ctx* ctx,
                                                       const v1::CreateCustomerRequest* request,
                                                       v1::Customer* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  absl::Status valid = app::check_parent(request->parent(), principal->tenant_id);
  if (valid.ok()) {
    valid = check_request_id(request->request_id(), "request_id");
  }
  auto details = from_proto(request->details(), "details");
  if (valid.ok()) {
    valid = details.status();
  }
  if (!valid.ok()) {
    return server::finish_unary(ctx, valid);
  }
  RegisterCustomer command{.customer_id = request->customer_id(), .details = *std::move(details)};
  return mutate<v1::Customer>(
      loop_, ctx, *principal, "CreateCustomer", *request, request->request_id(), response,
      [command = std::move(command)](eventstore::Transaction& txn, const app::Caller& caller) {
        return app::execute(txn, caller, command);
      });
}

grpc::ServerUnaryReactor* InvoicingApi::UpdateCustomer(Ctx* ctx,
                                                       const v1::UpdateCustomerRequest* request,
                                                       v1::Customer* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  auto customer_id = app::customer_id_of(request->name(), principal->tenant_id);
  if (!customer_id.ok()) {
    return server::finish_unary(ctx, customer_id.status());
  }
  absl::Status valid = check_request_id(request->request_id(), "request_id");
  if (valid.ok() && !google::protobuf::util::FieldMaskUtil::IsValidFieldMask<v1::CustomerDetails>(
                        request->update_mask())) {
    valid = invalid_field("update_mask",
                          "must name fields of CustomerDetails ('legal_name', "
                          "'contact_emails', 'billing_address', ...)");
  }
  if (!valid.ok()) {
    return server::finish_unary(ctx, valid);
  }
  return mutate<v1::Customer>(
      loop_, ctx, *principal, "UpdateCustomer", *request, request->request_id(), response,
      [id = *customer_id, patch = request->details(), mask = request->update_mask()](
          eventstore::Transaction& txn, const app::Caller& caller) {
        return app::update_customer(txn, caller, id, patch, mask);
      });
}

grpc::ServerUnaryReactor* InvoicingApi::GetCustomer(Ctx* ctx, const v1::GetCustomerRequest* request,
                                                    v1::Customer* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  auto customer_id = app::customer_id_of(request->name(), principal->tenant_id);
  if (!customer_id.ok()) {
    return server::finish_unary(ctx, customer_id.status());
  }
  auto customer = app::get_customer(store_, principal->tenant_id, *customer_id);
  return reply(ctx, std::move(customer), response);
}

grpc::ServerUnaryReactor* InvoicingApi::ListCustomers(Ctx* ctx,
                                                      const v1::ListCustomersRequest* request,
                                                      v1::ListCustomersResponse* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  if (auto parent = app::check_parent(request->parent(), principal->tenant_id); !parent.ok()) {
    return server::finish_unary(ctx, parent);
  }
  auto page = app::list_customers(store_, principal->tenant_id, request->page_size(),
                                  request->page_token());
  return reply(ctx, std::move(page), response);
}

// ----- Invoices -------------------------------------------------------------------------------

grpc::ServerUnaryReactor* InvoicingApi::CreateInvoice(Ctx* ctx,
                                                      const v1::CreateInvoiceRequest* request,
                                                      v1::Invoice* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  if (auto parent = app::check_parent(request->parent(), principal->tenant_id); !parent.ok()) {
    return server::finish_unary(ctx, parent);
  }
  auto commands = create_invoice_commands(*request, request->issue(), "", clock_);
  if (!commands.ok()) {
    return server::finish_unary(ctx, commands.status());
  }
  return mutate<v1::Invoice>(loop_, ctx, *principal, "CreateInvoice", *request,
                             request->request_id(), response,
                             create_invoice_work(*std::move(commands)), invoice_answer());
}

grpc::ServerUnaryReactor* InvoicingApi::UpdateInvoice(Ctx* ctx,
                                                      const v1::UpdateInvoiceRequest* request,
                                                      v1::Invoice* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  auto invoice_id = server::with_request_id(
      app::invoice_id_of(request->name(), principal->tenant_id), request->request_id());
  absl::Status valid = invoice_id.status();
  auto content = from_proto(request->content(), "content");
  if (valid.ok()) {
    valid = content.status();
  }
  if (!valid.ok()) {
    return server::finish_unary(ctx, valid);
  }
  return mutate<v1::Invoice>(
      loop_, ctx, *principal, "UpdateInvoice", *request, request->request_id(), response,
      invoice_work(EditDraft{.invoice_id = *invoice_id, .content = *std::move(content)}),
      invoice_answer());
}

grpc::ServerUnaryReactor* InvoicingApi::DeleteInvoice(Ctx* ctx,
                                                      const v1::DeleteInvoiceRequest* request,
                                                      v1::Invoice* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  auto invoice_id = server::with_request_id(
      app::invoice_id_of(request->name(), principal->tenant_id), request->request_id());
  absl::Status valid = invoice_id.status();
  if (!valid.ok()) {
    return server::finish_unary(ctx, valid);
  }
  return mutate<v1::Invoice>(
      loop_, ctx, *principal, "DeleteInvoice", *request, request->request_id(), response,
      invoice_work(DeleteDraft{.invoice_id = *invoice_id}), invoice_answer());
}

grpc::ServerUnaryReactor* InvoicingApi::IssueInvoice(Ctx* ctx,
                                                     const v1::IssueInvoiceRequest* request,
                                                     v1::Invoice* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  auto invoice_id = server::with_request_id(
      app::invoice_id_of(request->name(), principal->tenant_id), request->request_id());
  absl::Status valid = invoice_id.status();
  if (valid.ok()) {
    valid = validate_series(request->series(), "series");
  }
  auto issue_date =
      date_or_today(request->has_issue_date(), request->issue_date(), "issue_date", clock_);
  if (valid.ok()) {
    valid = issue_date.status();
  }
  if (!valid.ok()) {
    return server::finish_unary(ctx, valid);
  }
  return mutate<v1::Invoice>(
      loop_, ctx, *principal, "IssueInvoice", *request, request->request_id(), response,
      invoice_work(invoicing::IssueInvoice{
          .invoice_id = *invoice_id, .series = request->series(), .issue_date = *issue_date}),
      invoice_answer());
}

grpc::ServerUnaryReactor* InvoicingApi::BatchIssueInvoices(
    Ctx* ctx, const v1::BatchIssueInvoicesRequest* request,
    v1::BatchIssueInvoicesResponse* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  const int n = request->requests_size();
  if (auto valid = server::check_batch(request->parent(), principal->tenant_id, n); !valid.ok()) {
    return server::finish_unary(ctx, valid);
  }
  const auto detail = batch_detail(request->view());
  if (!detail.ok()) {
    return server::finish_unary(ctx, detail.status());
  }
  server::BatchCall<v1::BatchIssueInvoicesResponse::Result, v1::Invoice> batch(
      ctx, *response->mutable_results(), n,
      v1::BatchIssueInvoicesResponse::Result::kInvoiceFieldNumber);
  for (int i = 0; i < n; ++i) {
    const auto& one = request->requests(i);
    const std::string prefix = fmt::format("requests[{}].", i);
    const absl::Status valid =
        server::check_element_parent(one.parent(), principal->tenant_id, prefix);
    auto commands = valid.ok() ? create_invoice_commands(one, /*issue=*/true, prefix, clock_)
                               : Result<CreateInvoiceCommands>(valid);
    if (!commands.ok()) {
      batch.refuse(i, commands.status());
      continue;
    }
    // The same fingerprint as CreateInvoice with issue set: retrying one invoice of a batch
    // on its own (or the other way round) gets the first answer.
    v1::CreateInvoiceRequest as_single = one;
    as_single.set_parent(app::tenant_name(principal->tenant_id));
    as_single.set_issue(true);
    batch.submit(loop_, i, *principal, fingerprint_of("CreateInvoice", as_single), one.request_id(),
                 create_invoice_work(*std::move(commands), *detail), invoice_answer(*detail));
  }
  return batch.reactor();
}

grpc::ServerUnaryReactor* InvoicingApi::CreateCreditNote(Ctx* ctx,
                                                         const v1::CreateCreditNoteRequest* request,
                                                         v1::Invoice* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  auto invoice_id = server::with_request_id(
      app::invoice_id_of(request->name(), principal->tenant_id), request->request_id());
  absl::Status valid = invoice_id.status();
  auto issue_date =
      date_or_today(request->has_issue_date(), request->issue_date(), "issue_date", clock_);
  if (valid.ok()) {
    valid = issue_date.status();
  }
  std::vector<InvoiceLine> lines;
  for (int i = 0; valid.ok() && i < request->lines_size(); ++i) {
    auto line = from_proto(request->lines(i), fmt::format("lines[{}]", i));
    valid = line.status();
    if (line.ok()) {
      lines.push_back(*std::move(line));
    }
  }
  if (!valid.ok()) {
    return server::finish_unary(ctx, valid);
  }
  return mutate<v1::Invoice>(
      loop_, ctx, *principal, "CreateCreditNote", *request, request->request_id(), response,
      invoice_work(IssueCreditNote{.invoice_id = *invoice_id,
                                   .credit_note_id = request->credit_note_id(),
                                   .series = request->series(),
                                   .issue_date = *issue_date,
                                   .reason = request->reason(),
                                   .full = request->full(),
                                   .lines = std::move(lines)}),
      invoice_answer());
}

grpc::ServerUnaryReactor* InvoicingApi::WriteOffInvoice(Ctx* ctx,
                                                        const v1::WriteOffInvoiceRequest* request,
                                                        v1::Invoice* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  auto invoice_id = server::with_request_id(
      app::invoice_id_of(request->name(), principal->tenant_id), request->request_id());
  absl::Status valid = invoice_id.status();
  auto as_of = date_or_today(request->has_as_of(), request->as_of(), "as_of", clock_);
  if (valid.ok()) {
    valid = as_of.status();
  }
  if (!valid.ok()) {
    return server::finish_unary(ctx, valid);
  }
  return mutate<v1::Invoice>(
      loop_, ctx, *principal, "WriteOffInvoice", *request, request->request_id(), response,
      invoice_work(invoicing::WriteOffInvoice{
          .invoice_id = *invoice_id, .reason = request->reason(), .as_of = *as_of}),
      invoice_answer());
}

grpc::ServerUnaryReactor* InvoicingApi::AddLateFee(Ctx* ctx, const v1::AddLateFeeRequest* request,
                                                   v1::Invoice* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  auto invoice_id = server::with_request_id(
      app::invoice_id_of(request->name(), principal->tenant_id), request->request_id());
  absl::Status valid = invoice_id.status();
  auto as_of = date_or_today(request->has_as_of(), request->as_of(), "as_of", clock_);
  if (valid.ok()) {
    valid = as_of.status();
  }
  auto kind = from_proto(request->kind(), "kind");
  if (valid.ok()) {
    valid = kind.status();
  }
  auto amount = from_proto(request->amount(), "amount");
  if (valid.ok()) {
    valid = amount.status();
  }
  if (!valid.ok()) {
    return server::finish_unary(ctx, valid);
  }
  return mutate<v1::Invoice>(
      loop_, ctx, *principal, "AddLateFee", *request, request->request_id(), response,
      invoice_work(invoicing::AddLateFee{.invoice_id = *invoice_id,
                                         .source_id = request->source_id(),
                                         .kind = *kind,
                                         .description = request->description(),
                                         .amount = *amount,
                                         .as_of = *as_of}),
      invoice_answer());
}

grpc::ServerUnaryReactor* InvoicingApi::RecordRecipientStatus(
    Ctx* ctx, const v1::RecordRecipientStatusRequest* request, v1::Invoice* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  auto invoice_id = server::with_request_id(
      app::invoice_id_of(request->name(), principal->tenant_id), request->request_id());
  absl::Status valid = invoice_id.status();
  auto status = from_proto(request->status(), "status");
  if (valid.ok()) {
    valid = status.status();
  }
  Result<Timestamp> reported = clock_.now();
  if (request->has_reported_time()) {
    reported = from_proto(request->reported_time(), "reported_time");
  }
  if (valid.ok()) {
    valid = reported.status();
  }
  if (!valid.ok()) {
    return server::finish_unary(ctx, valid);
  }
  return mutate<v1::Invoice>(
      loop_, ctx, *principal, "RecordRecipientStatus", *request, request->request_id(), response,
      invoice_work(invoicing::RecordRecipientStatus{.invoice_id = *invoice_id,
                                                    .status = *status,
                                                    .reason = request->reason(),
                                                    .reported_at = *reported}),
      invoice_answer());
}

grpc::ServerUnaryReactor* InvoicingApi::GetInvoice(Ctx* ctx, const v1::GetInvoiceRequest* request,
                                                   v1::Invoice* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  auto invoice_id = app::invoice_id_of(request->name(), principal->tenant_id);
  if (!invoice_id.ok()) {
    return server::finish_unary(ctx, invoice_id.status());
  }
  auto invoice = app::get_invoice(store_, principal->tenant_id, *invoice_id, request->view());
  return reply(ctx, std::move(invoice), response);
}

grpc::ServerUnaryReactor* InvoicingApi::ListInvoices(Ctx* ctx,
                                                     const v1::ListInvoicesRequest* request,
                                                     v1::ListInvoicesResponse* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  if (auto parent = app::check_parent(request->parent(), principal->tenant_id); !parent.ok()) {
    return server::finish_unary(ctx, parent);
  }
  auto filter = parse_invoice_filter(request->filter());
  if (!filter.ok()) {
    return server::finish_unary(ctx, filter.status());
  }
  auto page = app::list_invoices(store_, principal->tenant_id, *filter, request->page_size(),
                                 request->page_token(), request->view());
  return reply(ctx, std::move(page), response);
}

grpc::ServerUnaryReactor* InvoicingApi::GetCustomerStatement(
    Ctx* ctx, const v1::GetCustomerStatementRequest* request, v1::CustomerStatement* response) {
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return server::finish_unary(ctx, principal.status());
  }
  auto customer_id = app::customer_id_of(request->name(), principal->tenant_id);
  if (!customer_id.ok()) {
    return server::finish_unary(ctx, customer_id.status());
  }
  auto as_of = date_or_today(request->has_as_of(), request->as_of(), "as_of", clock_);
  if (!as_of.ok()) {
    return server::finish_unary(ctx, as_of.status());
  }
  auto statement = app::customer_statement(store_, principal->tenant_id, *customer_id, *as_of);
  return reply(ctx, std::move(statement), response);
}

// ----- The follow-up export -------------------------------------------------------------------

// Streams one export: a worker thread reads the invoices and builds the file, and hands
// each chunk to gRPC once the previous one is written (flow control: memory stays flat).
class InvoicingApi::ExportReactor final : public grpc::ServerWriteReactor<v1::FileChunk> {
 public:
  ExportReactor(const eventstore::Store& store, std::string tenant, InvoiceFilter filter,
                v1::ExportFormat format, Date as_of, std::filesystem::path dir,
                std::shared_ptr<std::atomic<int>> exports)
      : exports_(std::move(exports)) {
    exports_->fetch_add(1);
    worker_ = std::thread([this, &store, tenant = std::move(tenant), filter = std::move(filter),
                           format, as_of, dir = std::move(dir)] {
      Finish(server::to_grpc_status(run(store, tenant, filter, format, as_of, dir)));
    });
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard lock(mu_);
      writing_ = false;
      cancelled_ = cancelled_ || !ok;
    }
    cv_.notify_all();
  }

  void OnCancel() override {
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
    }
    cv_.notify_all();
  }

  void OnDone() override {
    if (worker_.get_id() == std::this_thread::get_id()) {
      worker_.detach();
    } else {
      worker_.join();
    }
    auto exports = exports_;
    delete this;
    exports->fetch_sub(1);
  }

 private:
  absl::Status run(const eventstore::Store& store, const std::string& tenant,
                   const InvoiceFilter& filter, v1::ExportFormat format, Date as_of,
                   const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return absl::UnavailableError(
          fmt::format("cannot create the export directory {}: {}", dir.string(), ec.message()));
    }
    auto file = FollowUpExport::create(format, as_of, dir);
    if (!file.ok()) {
      return file.status();
    }
    chunk_.set_content_type(std::string((*file)->content_type()));
    chunk_.set_file_name((*file)->file_name());
    ARFLOW_RETURN_IF_ERROR(app::for_each_issued_invoice(
        store, tenant, filter, [&](const v1::Invoice& invoice) -> absl::Status {
          absl::Status added = (*file)->add(invoice);
          return added.ok() ? append((*file)->take(kExportChunkBytes)) : added;
        }));
    ARFLOW_RETURN_IF_ERROR((*file)->finish());
    for (std::string data = (*file)->take(kExportChunkBytes); !data.empty();
         data = (*file)->take(kExportChunkBytes)) {
      ARFLOW_RETURN_IF_ERROR(append(data));
    }
    ARFLOW_RETURN_IF_ERROR((*file)->status());  // a failed read ends take() early
    if (!chunk_.data().empty() || !sent_any_) {
      ARFLOW_RETURN_IF_ERROR(write());
    }
    // Finish only once the last write is done.
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !writing_ || cancelled_; });
    return cancelled_ ? absl::CancelledError("the client went away") : absl::OkStatus();
  }

  // Adds to the chunk being filled; writes it once it is full.
  absl::Status append(std::string_view data) {
    chunk_.mutable_data()->append(data);
    return chunk_.data().size() >= kExportChunkBytes ? write() : absl::OkStatus();
  }

  // Writes the chunk being filled, once the previous write is done.
  absl::Status write() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !writing_ || cancelled_; });
    if (cancelled_) {
      return absl::CancelledError("the client went away");
    }
    writing_ = true;
    in_flight_ = std::move(chunk_);
    chunk_.Clear();
    sent_any_ = true;
    lock.unlock();
    StartWrite(&in_flight_);
    return absl::OkStatus();
  }

  std::shared_ptr<std::atomic<int>> exports_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool writing_ = false;     // guarded by mu_
  bool cancelled_ = false;   // guarded by mu_
  bool sent_any_ = false;    // worker only
  v1::FileChunk chunk_;      // worker only: being filled
  v1::FileChunk in_flight_;  // owned by gRPC between StartWrite and OnWriteDone
  std::thread worker_;
};

grpc::ServerWriteReactor<v1::FileChunk>* InvoicingApi::ExportFollowUpTable(
    Ctx* ctx, const v1::ExportFollowUpTableRequest* request) {
  const auto refuse = [](const absl::Status& status) {
    struct Refusal final : grpc::ServerWriteReactor<v1::FileChunk> {
      explicit Refusal(const absl::Status& status) { Finish(server::to_grpc_status(status)); }
      void OnDone() override { delete this; }
    };
    return new Refusal(status);
  };
  auto principal = server::authorize(*ctx, tenants_);
  if (!principal.ok()) {
    return refuse(principal.status());
  }
  if (auto parent = app::check_parent(request->parent(), principal->tenant_id); !parent.ok()) {
    return refuse(parent);
  }
  auto filter = parse_invoice_filter(request->filter());
  if (!filter.ok()) {
    return refuse(filter.status());
  }
  auto as_of = date_or_today(request->has_as_of(), request->as_of(), "as_of", clock_);
  if (!as_of.ok()) {
    return refuse(as_of.status());
  }
  if (!v1::ExportFormat_IsValid(request->format())) {
    return refuse(invalid_field("format", "must be EXPORT_FORMAT_CSV or EXPORT_FORMAT_XLSX"));
  }
  return new ExportReactor(store_, principal->tenant_id, *std::move(filter), request->format(),
                           *as_of, options_.export_dir, exports_);
}

}  // namespace arflow::invoicing::api
