// arflow-reconcile: do arflow-invoicing and arflow-payments agree on the money between them?
// Lists every invoice of a tenant from invoicing and every payment from payments, then checks
// (reconcile.h) that each invoice's paid amount is what payments allocated to it and that each
// payment's money adds up. Safe against live services: it only reads.
//
//   arflow-reconcile --invoicing 127.0.0.1:50051 --payments 127.0.0.1:50052 --wait 60
//
// Exit status: 0 the services agree, 1 they disagree (or allocations are still in flight when
// --wait runs out), 2 a service could not be read, or its amounts cannot be summed (a total
// beyond int64 minor units, an unknown currency).
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

#include "arflow/invoicing/v1/invoicing_service.grpc.pb.h"
#include "arflow/payments/v1/payments_service.grpc.pb.h"
#include "reconcile.h"

namespace {

namespace iv1 = ::arflow::invoicing::v1;
namespace pv1 = ::arflow::payments::v1;

struct Options {
  std::string invoicing = "127.0.0.1:50051";
  std::string payments = "127.0.0.1:50052";
  std::string tenant = "dev";
  std::string api_key;
  int wait_seconds = 0;
  int timeout_seconds = 30;
};

class Reader {
 public:
  explicit Reader(const Options& options)
      : options_(options),
        invoicing_(iv1::InvoicingService::NewStub(
            grpc::CreateChannel(options.invoicing, grpc::InsecureChannelCredentials()))),
        payments_(pv1::PaymentsService::NewStub(
            grpc::CreateChannel(options.payments, grpc::InsecureChannelCredentials()))) {}

  // Every invoice, page by page; an error message on failure.
  std::optional<std::string> invoices(std::vector<iv1::Invoice>& out) {
    iv1::ListInvoicesRequest request;
    request.set_parent("tenants/" + options_.tenant);
    request.set_page_size(1000);
    request.set_view(iv1::INVOICE_VIEW_BASIC);
    do {
      iv1::ListInvoicesResponse page;
      auto ctx = context();
      if (auto s = invoicing_->ListInvoices(ctx.get(), request, &page); !s.ok()) {
        return "invoicing ListInvoices: " + s.error_message();
      }
      for (auto& invoice : *page.mutable_invoices()) {
        out.push_back(std::move(invoice));
      }
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return std::nullopt;
  }

  std::optional<std::string> payments(std::vector<pv1::Payment>& out) {
    pv1::ListPaymentsRequest request;
    request.set_parent("tenants/" + options_.tenant);
    request.set_page_size(1000);
    do {
      pv1::ListPaymentsResponse page;
      auto ctx = context();
      if (auto s = payments_->ListPayments(ctx.get(), request, &page); !s.ok()) {
        return "payments ListPayments: " + s.error_message();
      }
      for (auto& payment : *page.mutable_payments()) {
        out.push_back(std::move(payment));
      }
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return std::nullopt;
  }

 private:
  std::unique_ptr<grpc::ClientContext> context() const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(options_.timeout_seconds));
    if (!options_.api_key.empty()) {
      ctx->AddMetadata("authorization", "Bearer " + options_.api_key);
    }
    return ctx;
  }

  const Options& options_;
  std::unique_ptr<iv1::InvoicingService::Stub> invoicing_;
  std::unique_ptr<pv1::PaymentsService::Stub> payments_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"arflow-reconcile: check that invoicing and payments agree to the cent"};
  Options options;
  app.add_option("--invoicing", options.invoicing, "arflow-invoicing, host:port");
  app.add_option("--payments", options.payments, "arflow-payments, host:port");
  app.add_option("--tenant", options.tenant, "The tenant to reconcile (the key's tenant)");
  app.add_option("--api-key", options.api_key,
                 "API key, sent as 'authorization: Bearer <key>' (none in open dev mode)")
      ->envname("ARFLOW_API_KEY");
  app.add_option("--wait", options.wait_seconds,
                 "Seconds to keep checking while the services disagree or allocations are in "
                 "flight (0: check once)");
  app.add_option("--timeout", options.timeout_seconds, "Deadline of each call, in seconds");
  CLI11_PARSE(app, argc, argv);

  Reader reader(options);
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(options.wait_seconds);
  while (true) {
    // Payments first: an allocation it lists has been sent, so invoicing, read after, has
    // either answered it or shows it in flight; never the other way round.
    std::vector<pv1::Payment> payments;
    std::vector<iv1::Invoice> invoices;
    if (auto error = reader.payments(payments); error.has_value()) {
      std::cerr << *error << "\n";
      return 2;
    }
    if (auto error = reader.invoices(invoices); error.has_value()) {
      std::cerr << *error << "\n";
      return 2;
    }
    const auto report = arflow::reconcile::reconcile(invoices, payments);
    if (!report.ok()) {
      // Waiting does not help: the same amounts cannot be summed on the next reading either.
      std::cerr << "cannot reconcile: " << std::string(report.status().message()) << "\n";
      return 2;
    }
    if (report->agree() || std::chrono::steady_clock::now() >= give_up) {
      std::cout << arflow::reconcile::describe(*report);
      return report->agree() ? 0 : 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}
