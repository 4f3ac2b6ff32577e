#pragma once
// The `arflow` command line (cli.h's run()): its flags, subcommands and calls. The class is
// defined across cli.cc (global flags, customers, invoices, statement, export) and
// cli_payments.cc (payments and customer credit); each subcommand's action is a member that
// builds the request (requests*.h), makes the call and prints the answer (output*.h).

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "arflow/admin/v1/admin_service.grpc.pb.h"
#include "arflow/invoicing/v1/invoicing_service.grpc.pb.h"
#include "arflow/payments/v1/payments_service.grpc.pb.h"
#include "cli.h"
#include "output.h"
#include "requests.h"
#include "requests_payments.h"

namespace arflow::cli {

using Stub = v1::InvoicingService::StubInterface;
using PaymentsStub = pay::PaymentsService::StubInterface;

// A string flag that remembers whether it was given. One Opt may back the same flag of several
// subcommands (only one of them runs).
struct Opt {
  std::string value;
  std::vector<CLI::Option*> options;

  bool given() const {
    return std::any_of(options.begin(), options.end(),
                       [](const CLI::Option* o) { return o->count() > 0; });
  }
  std::optional<std::string> get() const {
    return given() ? std::optional<std::string>(value) : std::nullopt;
  }
};

struct ListOpt {
  std::vector<std::string> values;
  std::vector<CLI::Option*> options;

  std::optional<std::vector<std::string>> get() const {
    const bool given = std::any_of(options.begin(), options.end(),
                                   [](const CLI::Option* o) { return o->count() > 0; });
    return given ? std::optional<std::vector<std::string>>(values) : std::nullopt;
  }
};

void add(CLI::App* app, Opt& opt, const std::string& name, const std::string& help);
// Repeatable, one value per occurrence: "--email a@b.fr --email c@d.fr".
void add(CLI::App* app, ListOpt& opt, const std::string& name, const std::string& help);

class Cli {
 public:
  Cli(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}

  int run(int argc, char** argv);

 private:
  void define(CLI::App& app);
  void define_customer(CLI::App& app);
  void define_invoice(CLI::App& app);
  void define_payment(CLI::App& app);
  void define_credit(CLI::App& app);
  void define_admin(CLI::App& app);
  void define_customer_details(CLI::App* sub);
  void define_list(CLI::App* list);
  CustomerFlags customer_flags() const;

  // The leaf subcommand `sub` runs `action` when it is the one given.
  void leaf(CLI::App* sub, std::function<int()> action) {
    leaves_.emplace_back(sub, std::move(action));
  }

  // ----- calls --------------------------------------------------------------------------------

  std::unique_ptr<grpc::ClientContext> context() const;

  // The stub of a service (Stub or PaymentsStub), connected on first use.
  template <class S>
  S& stub() {
    if constexpr (std::is_same_v<S, Stub>) {
      if (!invoicing_) {
        invoicing_ = v1::InvoicingService::NewStub(channel(addr_));
      }
      return *invoicing_;
    } else {
      static_assert(std::is_same_v<S, PaymentsStub>, "a stub of arflow's services");
      if (!payments_) {
        payments_ = pay::PaymentsService::NewStub(channel(payments_addr_));
      }
      return *payments_;
    }
  }
  static std::shared_ptr<grpc::Channel> channel(const std::string& addr);
  // The admin API of "invoicing" or "payments" (at --addr or --payments-addr).
  admin::v1::AdminService::StubInterface& admin(const std::string& service);
  // The services a dlq command asks: --service, or every one.
  std::vector<std::string> admin_services() const;

  // A unary call of either service: call(&Stub::GetInvoice, ...), call(&PaymentsStub::...).
  template <class S, class Request, class Response>
  grpc::Status call(grpc::Status (S::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response& response) {
    auto ctx = context();
    return (stub<S>().*method)(ctx.get(), request, &response);
  }

  int bad_input(const absl::Status& status) const;
  int rpc_failed(const grpc::Status& status, bool mutation) const;

  // The response of a mutation: JSON on one line, or the summary; then the request id.
  template <class Response>
  int done(const Response& response, const std::function<void()>& print_text, bool mutation) {
    if (json()) {
      out_ << to_json(response) << '\n';
      if (mutation) {
        err_ << "request id: " << request_id_ << '\n';
      }
    } else {
      print_text();
      if (mutation) {
        out_ << "request id: " << request_id_ << '\n';
      }
    }
    return kExitOk;
  }

  // A list call with --page-size and --page-token, page after page with --all: each page's
  // response in JSON mode; else `print(out, the items of every page read)` and the token of
  // the next page, if any. `items(response)` is the page's repeated field.
  template <class S, class Request, class Response, class Items, class Item>
  int list(grpc::Status (S::*method)(grpc::ClientContext*, const Request&, Response*),
           Request request, Items items, void (*print)(std::ostream&, const std::vector<Item>&)) {
    request.set_page_size(page_size_);
    request.set_page_token(page_token_);
    std::vector<Item> all;
    std::string next;
    while (true) {
      Response response;
      if (auto s = call(method, request, response); !s.ok()) {
        return rpc_failed(s, false);
      }
      if (json()) {
        out_ << to_json(response) << '\n';
      }
      const auto& page = items(response);
      all.insert(all.end(), page.begin(), page.end());
      next = response.next_page_token();
      if (!all_ || next.empty() || next == request.page_token()) {
        break;
      }
      request.set_page_token(next);
    }
    if (!json()) {
      print(out_, all);
      if (!next.empty() && !all_) {
        out_ << "next page: --page-token " << next << '\n';
      }
    }
    return kExitOk;
  }

  int done_invoice(const v1::Invoice& invoice, bool mutation, bool history = false) {
    return done(
        invoice, [&] { print_invoice(out_, invoice, history); }, mutation);
  }
  int done_payment(const pay::Payment& payment, bool mutation, bool history = false);
  int done_credit(const pay::CustomerCredit& credit, bool mutation);

  bool json() const { return output_ == "json"; }

  // An invoice's currency (for amounts given without one): from --currency, else read.
  Result<std::string> invoice_currency(const std::string& invoice_id, const Opt& currency_flag,
                                       grpc::Status& rpc_status);
  // A payment's currency, likewise.
  Result<std::string> payment_currency(const std::string& payment_id, const Opt& currency_flag,
                                       grpc::Status& rpc_status);

  // ----- commands ------------------------------------------------------------------------------

  int customer_create();
  int customer_update();
  int customer_get();
  int customer_list();
  int invoice_create();
  int invoice_issue();
  int invoice_get();
  int invoice_list();
  int invoice_delete();
  int invoice_credit();
  int invoice_write_off();
  int invoice_fee();
  int invoice_recipient_status();
  int statement();
  int export_follow_up();
  int payment_record();
  int payment_allocate();
  int payment_auto_allocate();
  int payment_refund();
  int payment_charge_back();
  int payment_get();
  int payment_list();
  int payment_open_invoices();
  int credit_get();
  int credit_apply();
  int credit_refund();
  int dlq_list();
  int dlq_show();
  int dlq_replay();
  int republish_stream();

  std::ostream& out_;
  std::ostream& err_;
  std::vector<std::pair<CLI::App*, std::function<int()>>> leaves_;
  std::unique_ptr<Stub> invoicing_;
  std::unique_ptr<PaymentsStub> payments_;
  std::map<std::string, std::unique_ptr<admin::v1::AdminService::StubInterface>> admin_;

  // Global flags.
  std::string addr_ = "127.0.0.1:50051";
  std::string payments_addr_ = "127.0.0.1:50052";
  std::string api_key_;
  std::string tenant_ = "dev";
  std::string output_ = "text";
  double timeout_seconds_ = 30;
  std::string request_id_;

  // Positionals and flags of the subcommands (each run uses only its own).
  std::string id_;
  std::string status_arg_;
  // customer details
  Opt name_, profile_, language_, postal_code_, city_, region_, country_, tax_id_, terms_,
      credit_limit_;
  ListOpt emails_, address_lines_;
  // lists
  int page_size_ = 0;
  std::string page_token_;
  bool all_ = false;
  std::string filter_;
  // invoices
  InvoiceFlags invoice_;
  Opt inv_terms_, early_discount_, late_penalty_, recovery_indemnity_, series_, issue_date_;
  std::string issue_series_;
  bool history_ = false;
  CreditNoteFlags credit_;
  Opt credit_issue_date_, currency_;
  std::string reason_;
  FeeFlags fee_;
  Opt as_of_;
  // export
  std::string format_ = "csv";
  std::string out_path_;
  // payments and credit
  PaymentFlags payment_;
  Opt received_on_, amount_, on_;
  std::vector<std::string> allocations_;
  CreditFlags customer_credit_;
  // dlq and republish
  std::string service_;
  std::string consumer_;
  uint64_t from_version_ = 0;
  uint64_t to_version_ = 0;
};

}  // namespace arflow::cli
