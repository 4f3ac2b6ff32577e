#include "cli.h"

#include <fmt/format.h>
#include <google/protobuf/struct.pb.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "arflow/core/clock.h"
#include "arflow/core/ulid.h"
#include "cli_app.h"

namespace arflow::cli {
namespace {

constexpr double kMaxTimeoutSeconds = 86'400;  // a day; more is a typo

}  // namespace

void add(CLI::App* app, Opt& opt, const std::string& name, const std::string& help) {
  opt.options.push_back(app->add_option(name, opt.value, help));
}

void add(CLI::App* app, ListOpt& opt, const std::string& name, const std::string& help) {
  opt.options.push_back(app->add_option(name, opt.values, help)->allow_extra_args(false));
}

// ----- calls ----------------------------------------------------------------------------------

std::unique_ptr<grpc::ClientContext> Cli::context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!api_key_.empty()) {
    ctx->AddMetadata("authorization", "Bearer " + api_key_);
  }
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::duration_cast<std::chrono::system_clock::duration>(
                        std::chrono::duration<double>(timeout_seconds_)));
  return ctx;
}

std::shared_ptr<grpc::Channel> Cli::channel(const std::string& addr) {
  return grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
}

int Cli::bad_input(const absl::Status& status) const {
  err_ << "arflow: " << status.message() << '\n';
  return kExitBadInput;
}

int Cli::rpc_failed(const grpc::Status& status, bool mutation) const {
  err_ << absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())) << ": "
       << status.error_message() << '\n';
  if (mutation) {
    // Transient failures (UNAVAILABLE, DEADLINE_EXCEEDED, ...) may or may not have been
    // applied: the same request id makes the retry safe.
    err_ << fmt::format("request id: {} (retry with --request-id {})\n", request_id_, request_id_);
  }
  return kExitRpcError;
}

// ----- definition ---------------------------------------------------------------------------

void Cli::define(CLI::App& app) {
  app.require_subcommand(1);
  // Global flags may come after the subcommand too: "arflow invoice get inv-1 --output json".
  app.fallthrough();
  app.add_option("--addr", addr_, "The invoicing service, host:port")
      ->envname("ARFLOW_ADDR")
      ->capture_default_str();
  app.add_option("--payments-addr", payments_addr_, "The payments service, host:port")
      ->envname("ARFLOW_PAYMENTS_ADDR")
      ->capture_default_str();
  app.add_option("--api-key", api_key_,
                 "API key, sent as 'authorization: Bearer <key>' (none in open dev mode)")
      ->envname("ARFLOW_API_KEY");
  app.add_option("--tenant", tenant_, "Tenant of the resource names (the key's tenant)")
      ->envname("ARFLOW_TENANT")
      ->capture_default_str();
  app.add_option("--output", output_, "text (a summary) or json (the response, one per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--timeout", timeout_seconds_, "Deadline of each call, in seconds")
      ->capture_default_str();
  app.add_option("--request-id", request_id_,
                 "Idempotency key of a change (default: a fresh one, printed with the result; "
                 "retry with it)");

  define_customer(app);
  define_invoice(app);
  define_payment(app);
  define_credit(app);
  define_admin(app);

  auto* st = app.add_subcommand("statement", "A customer's open items and balances");
  st->add_option("customer_id", id_)->required();
  add(st, as_of_, "--as-of", "Date for days late, YYYY-MM-DD (default: today)");
  leaf(st, [this] { return statement(); });

  auto* exp = app.add_subcommand("export", "Exports");
  exp->require_subcommand(1);
  auto* fu = exp->add_subcommand("follow-up", "The follow-up table of issued invoices");
  fu->add_option("--format", format_, "csv or xlsx")
      ->check(CLI::IsMember({"csv", "xlsx"}))
      ->capture_default_str();
  fu->add_option("--filter", filter_, "As invoice list's --filter");
  add(fu, as_of_, "--as-of", "Date for days late, YYYY-MM-DD (default: today)");
  fu->add_option("--out", out_path_, "File to write; - for stdout (csv only)")->required();
  leaf(fu, [this] { return export_follow_up(); });
}

void Cli::define_customer_details(CLI::App* sub) {
  add(sub, name_, "--name", "Legal name");
  add(sub, profile_, "--profile", "business, administration or individual");
  add(sub, language_, "--language", "Language of documents, BCP 47 primary tag: en, fr, it");
  add(sub, emails_, "--email", "Contact e-mail (repeatable)");
  add(sub, address_lines_, "--address-line", "Billing address line (repeatable)");
  add(sub, postal_code_, "--postal-code", "Billing address postal code");
  add(sub, city_, "--city", "Billing address city");
  add(sub, region_, "--region", "Billing address region");
  add(sub, country_, "--country", "Billing address country, ISO 3166-1 alpha-2: FR");
  add(sub, tax_id_, "--tax-id", "Tax (VAT) identifier");
  add(sub, terms_, "--terms", "Default payment terms: net:<days>, eom:<days> or receipt");
  add(sub, credit_limit_, "--credit-limit", "Credit limit, e.g. \"5000.00 EUR\" (none: no limit)");
}

CustomerFlags Cli::customer_flags() const {
  return CustomerFlags{.name = name_.get(),
                       .profile = profile_.get(),
                       .language = language_.get(),
                       .emails = emails_.get(),
                       .address_lines = address_lines_.get(),
                       .postal_code = postal_code_.get(),
                       .city = city_.get(),
                       .region = region_.get(),
                       .country = country_.get(),
                       .tax_id = tax_id_.get(),
                       .terms = terms_.get(),
                       .credit_limit = credit_limit_.get()};
}

void Cli::define_customer(CLI::App& app) {
  auto* customer = app.add_subcommand("customer", "Customers");
  customer->require_subcommand(1);

  auto* create = customer->add_subcommand("create", "Register a customer");
  create->add_option("customer_id", id_)->required();
  define_customer_details(create);
  name_.options.back()->required();
  leaf(create, [this] { return customer_create(); });

  auto* update = customer->add_subcommand("update", "Change the fields given");
  update->add_option("customer_id", id_)->required();
  define_customer_details(update);
  leaf(update, [this] { return customer_update(); });

  auto* get = customer->add_subcommand("get", "Show a customer");
  get->add_option("customer_id", id_)->required();
  leaf(get, [this] { return customer_get(); });

  auto* list = customer->add_subcommand("list", "List customers");
  define_list(list);
  leaf(list, [this] { return customer_list(); });
}

void Cli::define_list(CLI::App* list) {
  list->add_option("--page-size", page_size_, "At most this many per page (server default 50)");
  list->add_option("--page-token", page_token_, "Continue from a previous page");
  list->add_flag("--all", all_, "Every page");
}

void Cli::define_invoice(CLI::App& app) {
  auto* invoice = app.add_subcommand("invoice", "Invoices");
  invoice->require_subcommand(1);

  auto* create = invoice->add_subcommand("create", "Draft an invoice (and issue it with --issue)");
  create->add_option("invoice_id", id_)->required();
  create->add_option("--customer", invoice_.customer_id, "Customer id")->required();
  create->add_option("--currency", invoice_.currency, "ISO 4217 currency: EUR")->required();
  create
      ->add_option("--line", invoice_.lines,
                   "\"description;quantity;unit price;tax %[;discount %]\" (repeatable), e.g. "
                   "\"Consulting;3;450.00;20\"")
      ->allow_extra_args(false)
      ->required();
  add(create, inv_terms_, "--terms",
      "Payment terms net:<days>, eom:<days> or receipt (default: the customer's)");
  create->add_flag("--deposit", invoice_.deposit, "A deposit (down-payment) invoice");
  create->add_option("--deduct", invoice_.deduct, "Deposit invoice id to deduct (repeatable)")
      ->allow_extra_args(false);
  add(create, early_discount_, "--early-discount",
      "Early-payment discount <percent>:<days>: 2%:10");
  add(create, late_penalty_, "--late-penalty", "Late-payment penalty rate a year: 12%");
  add(create, recovery_indemnity_, "--recovery-indemnity",
      "Fixed recovery indemnity printed: 40.00");
  create->add_flag("--issue", invoice_.issue, "Issue it at once (needs --series)");
  add(create, series_, "--series", "Numbering series, with --issue: 2026");
  add(create, issue_date_, "--issue-date", "Issue date YYYY-MM-DD, with --issue (default: today)");
  leaf(create, [this] { return invoice_create(); });

  auto* issue = invoice->add_subcommand("issue", "Number a draft and freeze it");
  issue->add_option("invoice_id", id_)->required();
  issue->add_option("--series", issue_series_, "Numbering series: 2026")->required();
  add(issue, issue_date_, "--issue-date", "YYYY-MM-DD (default: today)");
  leaf(issue, [this] { return invoice_issue(); });

  auto* get = invoice->add_subcommand("get", "Show an invoice");
  get->add_option("invoice_id", id_)->required();
  get->add_flag("--history", history_, "With its events");
  leaf(get, [this] { return invoice_get(); });

  auto* list = invoice->add_subcommand("list", "List invoices");
  list->add_option("--filter", filter_,
                   "e.g. 'customer_id = \"c-42\" AND status = ISSUED AND due_date < 2026-12-01' "
                   "or 'overdue_as_of = 2026-11-23'");
  define_list(list);
  leaf(list, [this] { return invoice_list(); });

  auto* del = invoice->add_subcommand("delete", "Delete a draft");
  del->add_option("invoice_id", id_)->required();
  leaf(del, [this] { return invoice_delete(); });

  auto* credit = invoice->add_subcommand("credit", "Issue a credit note on an issued invoice");
  credit->add_option("invoice_id", id_)->required();
  credit->add_option("--credit-note-id", credit_.credit_note_id, "Id of the credit note")
      ->required();
  credit->add_option("--series", credit_.series, "Numbering series: CN-2026")->required();
  add(credit, credit_issue_date_, "--issue-date", "YYYY-MM-DD (default: today)");
  credit->add_option("--reason", credit_.reason, "Why")->required();
  auto* full = credit->add_flag("--full", credit_.full, "Credit all it still carries (voids it)");
  auto* lines = credit
                    ->add_option("--line", credit_.lines,
                                 "A line to credit, as invoice create's --line (repeatable)")
                    ->allow_extra_args(false);
  full->excludes(lines);
  add(credit, currency_, "--currency", "The invoice's currency (default: read from the invoice)");
  leaf(credit, [this] { return invoice_credit(); });

  auto* write_off = invoice->add_subcommand("write-off", "Write the balance off (uncollectible)");
  write_off->add_option("invoice_id", id_)->required();
  write_off->add_option("--reason", reason_, "Why")->required();
  add(write_off, as_of_, "--as-of", "YYYY-MM-DD (default: today)");
  leaf(write_off, [this] { return invoice_write_off(); });

  auto* fee = invoice->add_subcommand("fee", "Add a late-payment fee or interest");
  fee->add_option("invoice_id", id_)->required();
  fee->add_option("--source-id", fee_.source_id, "What asked for it; one fee per source")
      ->required();
  fee->add_option("--kind", fee_.kind, "interest, indemnity or fee")->required();
  fee->add_option("--amount", fee_.amount, "40.00 (the invoice's currency) or \"40.00 EUR\"")
      ->required();
  fee->add_option("--description", fee_.description, "Printed description");
  add(fee, as_of_, "--as-of", "YYYY-MM-DD (default: today)");
  leaf(fee, [this] { return invoice_fee(); });

  auto* rs =
      invoice->add_subcommand("recipient-status", "Record what the recipient's platform reports");
  rs->add_option("invoice_id", id_)->required();
  rs->add_option("status", status_arg_, recipient_status_choices())->required();
  rs->add_option("--reason", reason_, "The platform's reason");
  leaf(rs, [this] { return invoice_recipient_status(); });
}

int Cli::run(int argc, char** argv) {
  CLI::App app{
      "arflow: the accounts-receivable command line (arflow.invoicing.v1, "
      "arflow.payments.v1)",
      "arflow"};
  define(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out_, err_);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, out_, err_);
  } catch (const CLI::ParseError& e) {
    app.exit(e, out_, err_);
    return kExitBadInput;
  }
  if (request_id_.empty()) {
    const SystemClock clock;
    request_id_ = UlidGenerator(clock).next();
  } else if (auto s = check_request_id(request_id_, "--request-id"); !s.ok()) {
    return bad_input(s);
  }
  if (!(timeout_seconds_ > 0 && timeout_seconds_ <= kMaxTimeoutSeconds)) {
    return bad_input(bad_flag(
        "--timeout", fmt::format("must be a number of seconds > 0 and <= {}", kMaxTimeoutSeconds)));
  }
  if (tenant_.empty()) {
    return bad_input(bad_flag("--tenant", "must not be empty"));
  }
  for (auto& [sub, action] : leaves_) {
    if (sub->parsed()) {
      return action();
    }
  }
  err_ << "arflow: no command given (arflow --help)\n";
  return kExitBadInput;
}

Result<std::string> Cli::invoice_currency(const std::string& invoice_id, const Opt& currency_flag,
                                          grpc::Status& rpc_status) {
  if (currency_flag.given()) {
    return currency_flag.value;
  }
  v1::GetInvoiceRequest request;
  request.set_name(invoice_name(tenant_, invoice_id));
  request.set_view(v1::INVOICE_VIEW_BASIC);
  v1::Invoice invoice;
  rpc_status = call(&Stub::GetInvoice, request, invoice);
  if (!rpc_status.ok()) {
    return absl::UnknownError("rpc");
  }
  return invoice.content().currency();
}

// ----- customers ----------------------------------------------------------------------------

int Cli::customer_create() {
  auto request = build_create_customer(tenant_, id_, customer_flags(), request_id_);
  if (!request.ok()) {
    return bad_input(request.status());
  }
  v1::Customer customer;
  if (auto s = call(&Stub::CreateCustomer, *request, customer); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done(
      customer, [&] { print_customer(out_, customer); }, true);
}

int Cli::customer_update() {
  const CustomerFlags flags = customer_flags();
  if (auto s = check_id(id_, "customer_id"); !s.ok()) {
    return bad_input(s);
  }
  // The address is one field of the API: the flags not given keep their current values.
  std::optional<v1::PostalAddress> current;
  if (flags.any_address()) {
    v1::GetCustomerRequest get;
    get.set_name(customer_name(tenant_, id_));
    v1::Customer customer;
    if (auto s = call(&Stub::GetCustomer, get, customer); !s.ok()) {
      return rpc_failed(s, false);
    }
    current = customer.details().billing_address();
  }
  auto request =
      build_update_customer(tenant_, id_, flags, request_id_, current ? &*current : nullptr);
  if (!request.ok()) {
    return bad_input(request.status());
  }
  v1::Customer customer;
  if (auto s = call(&Stub::UpdateCustomer, *request, customer); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done(
      customer, [&] { print_customer(out_, customer); }, true);
}

int Cli::customer_get() {
  if (auto s = check_id(id_, "customer_id"); !s.ok()) {
    return bad_input(s);
  }
  v1::GetCustomerRequest request;
  request.set_name(customer_name(tenant_, id_));
  v1::Customer customer;
  if (auto s = call(&Stub::GetCustomer, request, customer); !s.ok()) {
    return rpc_failed(s, false);
  }
  return done(
      customer, [&] { print_customer(out_, customer); }, false);
}

int Cli::customer_list() {
  v1::ListCustomersRequest request;
  request.set_parent(tenant_parent(tenant_));
  return list(
      &Stub::ListCustomers, request,
      [](const v1::ListCustomersResponse& r) -> const auto& { return r.customers(); },
      &print_customer_table);
}

// ----- invoices -----------------------------------------------------------------------------

int Cli::invoice_create() {
  InvoiceFlags flags = invoice_;
  flags.terms = inv_terms_.get();
  flags.early_discount = early_discount_.get();
  flags.late_penalty = late_penalty_.get();
  flags.recovery_indemnity = recovery_indemnity_.get();
  flags.series = series_.get();
  flags.issue_date = issue_date_.get();
  auto request = build_create_invoice(tenant_, id_, flags, request_id_);
  if (!request.ok()) {
    return bad_input(request.status());
  }
  v1::Invoice invoice;
  if (auto s = call(&Stub::CreateInvoice, *request, invoice); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_invoice(invoice, true);
}

int Cli::invoice_issue() {
  auto request = build_issue_invoice(tenant_, id_, issue_series_, issue_date_.get(), request_id_);
  if (!request.ok()) {
    return bad_input(request.status());
  }
  v1::Invoice invoice;
  if (auto s = call(&Stub::IssueInvoice, *request, invoice); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_invoice(invoice, true);
}

int Cli::invoice_get() {
  if (auto s = check_id(id_, "invoice_id"); !s.ok()) {
    return bad_input(s);
  }
  v1::GetInvoiceRequest request;
  request.set_name(invoice_name(tenant_, id_));
  request.set_view(v1::INVOICE_VIEW_FULL);
  v1::Invoice invoice;
  if (auto s = call(&Stub::GetInvoice, request, invoice); !s.ok()) {
    return rpc_failed(s, false);
  }
  if (!history_) {
    invoice.clear_history();
  }
  return done_invoice(invoice, false, history_);
}

int Cli::invoice_list() {
  v1::ListInvoicesRequest request;
  request.set_parent(tenant_parent(tenant_));
  request.set_filter(filter_);
  request.set_view(v1::INVOICE_VIEW_BASIC);
  return list(
      &Stub::ListInvoices, request,
      [](const v1::ListInvoicesResponse& r) -> const auto& { return r.invoices(); },
      &print_invoice_table);
}

int Cli::invoice_delete() {
  if (auto s = check_id(id_, "invoice_id"); !s.ok()) {
    return bad_input(s);
  }
  v1::DeleteInvoiceRequest request;
  request.set_name(invoice_name(tenant_, id_));
  request.set_request_id(request_id_);
  v1::Invoice invoice;
  if (auto s = call(&Stub::DeleteInvoice, request, invoice); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_invoice(invoice, true);
}

int Cli::invoice_credit() {
  if (auto s = check_id(id_, "invoice_id"); !s.ok()) {
    return bad_input(s);
  }
  CreditNoteFlags flags = credit_;
  flags.issue_date = credit_issue_date_.get();
  std::string currency;
  if (!flags.lines.empty()) {
    grpc::Status rpc_status;
    auto c = invoice_currency(id_, currency_, rpc_status);
    if (!rpc_status.ok()) {
      return rpc_failed(rpc_status, false);
    }
    currency = *c;
  }
  auto request = build_credit_note(tenant_, id_, flags, currency, request_id_);
  if (!request.ok()) {
    return bad_input(request.status());
  }
  v1::Invoice invoice;
  if (auto s = call(&Stub::CreateCreditNote, *request, invoice); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_invoice(invoice, true);
}

int Cli::invoice_write_off() {
  if (auto s = check_id(id_, "invoice_id"); !s.ok()) {
    return bad_input(s);
  }
  v1::WriteOffInvoiceRequest request;
  request.set_name(invoice_name(tenant_, id_));
  request.set_reason(reason_);
  request.set_request_id(request_id_);
  if (as_of_.given()) {
    auto date = parse_date(as_of_.value, "--as-of");
    if (!date.ok()) {
      return bad_input(date.status());
    }
    *request.mutable_as_of() = *date;
  }
  v1::Invoice invoice;
  if (auto s = call(&Stub::WriteOffInvoice, request, invoice); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_invoice(invoice, true);
}

int Cli::invoice_fee() {
  if (auto s = check_id(id_, "invoice_id"); !s.ok()) {
    return bad_input(s);
  }
  FeeFlags flags = fee_;
  flags.as_of = as_of_.get();
  std::optional<std::string> currency;
  if (!amount_has_currency(flags.amount)) {
    grpc::Status rpc_status;
    const Opt none;
    auto c = invoice_currency(id_, none, rpc_status);
    if (!rpc_status.ok()) {
      return rpc_failed(rpc_status, false);
    }
    currency = *c;
  }
  auto request = build_late_fee(tenant_, id_, flags, currency, request_id_);
  if (!request.ok()) {
    return bad_input(request.status());
  }
  v1::Invoice invoice;
  if (auto s = call(&Stub::AddLateFee, *request, invoice); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_invoice(invoice, true);
}

int Cli::invoice_recipient_status() {
  if (auto s = check_id(id_, "invoice_id"); !s.ok()) {
    return bad_input(s);
  }
  auto status = parse_recipient_status(status_arg_, "status");
  if (!status.ok()) {
    return bad_input(status.status());
  }
  v1::RecordRecipientStatusRequest request;
  request.set_name(invoice_name(tenant_, id_));
  request.set_status(*status);
  request.set_reason(reason_);
  request.set_request_id(request_id_);
  v1::Invoice invoice;
  if (auto s = call(&Stub::RecordRecipientStatus, request, invoice); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_invoice(invoice, true);
}

// ----- statement and export -----------------------------------------------------------------

int Cli::statement() {
  if (auto s = check_id(id_, "customer_id"); !s.ok()) {
    return bad_input(s);
  }
  v1::GetCustomerStatementRequest request;
  request.set_name(customer_name(tenant_, id_));
  if (as_of_.given()) {
    auto date = parse_date(as_of_.value, "--as-of");
    if (!date.ok()) {
      return bad_input(date.status());
    }
    *request.mutable_as_of() = *date;
  }
  v1::CustomerStatement response;
  if (auto s = call(&Stub::GetCustomerStatement, request, response); !s.ok()) {
    return rpc_failed(s, false);
  }
  return done(
      response, [&] { print_statement(out_, response); }, false);
}

int Cli::export_follow_up() {
  auto format = parse_export_format(format_, "--format");
  if (!format.ok()) {
    return bad_input(format.status());
  }
  const bool to_stdout = out_path_ == "-";
  if (to_stdout && *format == v1::EXPORT_FORMAT_XLSX) {
    return bad_input(bad_flag("--out", "- (stdout) is for csv only; give a file for xlsx"));
  }
  v1::ExportFollowUpTableRequest request;
  request.set_parent(tenant_parent(tenant_));
  request.set_format(*format);
  request.set_filter(filter_);
  if (as_of_.given()) {
    auto date = parse_date(as_of_.value, "--as-of");
    if (!date.ok()) {
      return bad_input(date.status());
    }
    *request.mutable_as_of() = *date;
  }

  // A file is written beside its final name and renamed once the whole stream arrived, so a
  // failed export never leaves a truncated file under that name.
  const std::string part_path = out_path_ + ".part";
  std::ofstream file;
  if (!to_stdout) {
    file.open(part_path, std::ios::binary | std::ios::trunc);
    if (!file) {
      return bad_input(bad_flag("--out", fmt::format("cannot write {}", part_path)));
    }
  }
  std::ostream& sink = to_stdout ? out_ : file;

  auto ctx = context();
  auto reader = stub<Stub>().ExportFollowUpTable(ctx.get(), request);
  v1::FileChunk chunk;
  std::string content_type;
  std::string file_name;
  uint64_t bytes = 0;
  bool first = true;
  while (reader->Read(&chunk)) {
    if (first) {
      content_type = chunk.content_type();
      file_name = chunk.file_name();
      first = false;
    }
    sink.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
    bytes += chunk.data().size();
  }
  const grpc::Status status = reader->Finish();
  sink.flush();
  std::error_code ec;
  if (!status.ok()) {
    if (!to_stdout) {
      file.close();
      std::filesystem::remove(part_path, ec);
    }
    return rpc_failed(status, false);
  }
  if (!to_stdout) {
    file.close();
    if (!file) {
      std::filesystem::remove(part_path, ec);
      err_ << "arflow: could not write " << part_path << '\n';
      return kExitRpcError;
    }
    std::filesystem::rename(part_path, out_path_, ec);
    if (ec) {
      err_ << "arflow: could not rename " << part_path << " to " << out_path_ << ": "
           << ec.message() << '\n';
      return kExitRpcError;
    }
  }
  // The summary goes where the data does not.
  std::ostream& summary = to_stdout ? err_ : out_;
  if (json()) {
    google::protobuf::Struct s;
    auto& fields = *s.mutable_fields();
    fields["out"].set_string_value(out_path_);
    fields["bytes"].set_number_value(static_cast<double>(bytes));
    fields["contentType"].set_string_value(content_type);
    fields["fileName"].set_string_value(file_name);
    summary << to_json(s) << '\n';
  } else {
    summary << fmt::format("wrote {} bytes to {} ({}{})\n", bytes, to_stdout ? "stdout" : out_path_,
                           content_type.empty() ? "no content type" : content_type,
                           file_name.empty() ? "" : ", " + file_name);
  }
  return kExitOk;
}

int run(int argc, char** argv, std::ostream& out, std::ostream& err) {
  Cli cli(out, err);
  return cli.run(argc, argv);
}

}  // namespace arflow::cli
