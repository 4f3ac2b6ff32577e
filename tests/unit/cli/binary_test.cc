// The built `arflow` binary against an in-process fake InvoicingService and PaymentsService
// (on one port): what it sends (requests, Bearer metadata), what it prints, its exit codes.

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "arflow/invoicing/v1/invoicing_service.grpc.pb.h"
#include "arflow/payments/v1/payments_service.grpc.pb.h"
#include "support/shell.h"
#include "support/temp_dir.h"

namespace arflow::cli {
namespace {

namespace v1 = ::arflow::invoicing::v1;
namespace pay = ::arflow::payments::v1;
using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;

template <class M>
M parse_text(const std::string& text) {
  M m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

const v1::Invoice kIssued = parse_text<v1::Invoice>(R"pb(
  name: "tenants/acme/invoices/inv-1"
  invoice_id: "inv-1"
  customer_id: "c-42"
  status: INVOICE_STATUS_ISSUED
  content {
    currency: "EUR"
    kind: INVOICE_KIND_STANDARD
    lines {
      description: "Consulting"
      quantity { units: 3 }
      unit_price { minor_units: 45000 currency: "EUR" }
      tax_rate_bps: 2000
      net_amount { minor_units: 135000 currency: "EUR" }
    }
  }
  series: "2026"
  number: "2026-000001"
  issue_date { year: 2026 month: 11 day: 23 }
  due_date { year: 2026 month: 12 day: 23 }
  payment_terms { kind: KIND_NET_DAYS days: 30 }
  taxes {
    rate_bps: 2000
    taxable_amount { minor_units: 135000 currency: "EUR" }
    tax_amount { minor_units: 27000 currency: "EUR" }
  }
  net_total { minor_units: 135000 currency: "EUR" }
  tax_total { minor_units: 27000 currency: "EUR" }
  total { minor_units: 162000 currency: "EUR" }
  amount_due { minor_units: 162000 currency: "EUR" }
  balance { minor_units: 162000 currency: "EUR" }
)pb");

// Canned answers; remembers every request and its authorization metadata.
class FakeInvoicing final : public v1::InvoicingService::Service {
 public:
  grpc::Status CreateInvoice(grpc::ServerContext* ctx, const v1::CreateInvoiceRequest* request,
                             v1::Invoice* response) override {
    std::lock_guard lock(mu_);
    record(ctx);
    create_invoice.push_back(*request);
    if (request->customer_id() == "unknown") {
      return {grpc::StatusCode::NOT_FOUND, "customer tenants/acme/customers/unknown not found"};
    }
    *response = kIssued;
    return grpc::Status::OK;
  }

  grpc::Status ListInvoices(grpc::ServerContext* ctx, const v1::ListInvoicesRequest* request,
                            v1::ListInvoicesResponse* response) override {
    std::lock_guard lock(mu_);
    record(ctx);
    list_invoices.push_back(*request);
    if (request->page_token().empty()) {
      v1::Invoice draft;
      draft.set_invoice_id("inv-0");
      draft.set_customer_id("c-7");
      draft.set_status(v1::INVOICE_STATUS_DRAFT);
      *response->add_invoices() = draft;
      *response->add_invoices() = kIssued;
      response->set_next_page_token("page-2");
    } else {
      v1::Invoice paid = kIssued;
      paid.set_invoice_id("inv-2");
      paid.set_number("2026-000002");
      paid.set_status(v1::INVOICE_STATUS_PAID);
      paid.mutable_balance()->set_minor_units(0);
      *response->add_invoices() = paid;
    }
    return grpc::Status::OK;
  }

  grpc::Status ExportFollowUpTable(grpc::ServerContext* ctx,
                                   const v1::ExportFollowUpTableRequest* request,
                                   grpc::ServerWriter<v1::FileChunk>* writer) override {
    {
      std::lock_guard lock(mu_);
      record(ctx);
      export_requests.push_back(*request);
    }
    v1::FileChunk first;
    first.set_content_type("text/csv");
    first.set_file_name("follow-up.csv");
    first.set_data("number,customer\n");
    writer->Write(first);
    v1::FileChunk second;
    second.set_data("2026-000001,c-42\n");
    writer->Write(second);
    if (request->filter() == "fail") {
      return {grpc::StatusCode::INTERNAL, "export broke"};
    }
    return grpc::Status::OK;
  }

  grpc::Status CreateCustomer(grpc::ServerContext* ctx, const v1::CreateCustomerRequest* request,
                              v1::Customer* response) override {
    std::lock_guard lock(mu_);
    record(ctx);
    create_customer.push_back(*request);
    response->set_name(request->parent() + "/customers/" + request->customer_id());
    response->set_customer_id(request->customer_id());
    *response->mutable_details() = request->details();
    return grpc::Status::OK;
  }

  grpc::Status GetCustomer(grpc::ServerContext* ctx, const v1::GetCustomerRequest* request,
                           v1::Customer* response) override {
    std::lock_guard lock(mu_);
    record(ctx);
    get_customer.push_back(*request);
    response->set_name(request->name());
    response->set_customer_id("c-42");
    *response->mutable_details() = parse_text<v1::CustomerDetails>(R"pb(
      legal_name: "Acme SAS"
      billing_address { lines: "1 rue de la Paix" postal_code: "75002" city: "Paris" country: "FR" }
    )pb");
    return grpc::Status::OK;
  }

  grpc::Status UpdateCustomer(grpc::ServerContext* ctx, const v1::UpdateCustomerRequest* request,
                              v1::Customer* response) override {
    std::lock_guard lock(mu_);
    record(ctx);
    update_customer.push_back(*request);
    response->set_name(request->name());
    response->set_customer_id("c-42");
    *response->mutable_details() = request->details();
    return grpc::Status::OK;
  }

  grpc::Status GetInvoice(grpc::ServerContext* ctx, const v1::GetInvoiceRequest* request,
                          v1::Invoice* response) override {
    std::lock_guard lock(mu_);
    record(ctx);
    get_invoice.push_back(*request);
    *response = kIssued;
    auto* event = response->add_history();
    event->set_version(1);
    event->set_actor("billing-1");
    event->mutable_occurred_at()->set_seconds(1795392000);  // 2026-11-23
    event->mutable_invoice_issued()->set_number("2026-000001");
    return grpc::Status::OK;
  }

  grpc::Status AddLateFee(grpc::ServerContext* ctx, const v1::AddLateFeeRequest* request,
                          v1::Invoice* response) override {
    std::lock_guard lock(mu_);
    record(ctx);
    add_late_fee.push_back(*request);
    *response = kIssued;
    *response->mutable_fees() = request->amount();
    response->mutable_balance()->set_minor_units(kIssued.balance().minor_units() +
                                                 request->amount().minor_units());
    return grpc::Status::OK;
  }

  std::mutex mu_;
  std::vector<v1::GetInvoiceRequest> get_invoice;
  std::vector<v1::AddLateFeeRequest> add_late_fee;
  std::vector<v1::CreateCustomerRequest> create_customer;
  std::vector<v1::GetCustomerRequest> get_customer;
  std::vector<v1::UpdateCustomerRequest> update_customer;
  std::vector<std::optional<std::string>> authorization;  // per call, nullopt when absent
  std::vector<v1::CreateInvoiceRequest> create_invoice;
  std::vector<v1::ListInvoicesRequest> list_invoices;
  std::vector<v1::ExportFollowUpTableRequest> export_requests;

 private:
  void record(grpc::ServerContext* ctx) {
    const auto& md = ctx->client_metadata();
    auto it = md.find("authorization");
    authorization.push_back(it == md.end() ? std::nullopt
                                           : std::optional<std::string>(std::string(
                                                 it->second.data(), it->second.size())));
  }
};

const pay::Payment kPayment = parse_text<pay::Payment>(R"pb(
  name: "tenants/dev/payments/pay-1"
  payment_id: "pay-1"
  customer_id: "c-42"
  amount { minor_units: 162000 currency: "EUR" }
  method: PAYMENT_METHOD_BANK_TRANSFER
  received_on { year: 2026 month: 11 day: 24 }
  status: PAYMENT_STATUS_UNAPPLIED
  allocated { minor_units: 0 currency: "EUR" }
  unapplied { minor_units: 162000 currency: "EUR" }
  refunded { minor_units: 0 currency: "EUR" }
  charged_back { minor_units: 0 currency: "EUR" }
)pb");

// The payment after `allocations`, as PENDING allocations.
pay::Payment allocated(
    const google::protobuf::RepeatedPtrField<pay::AllocationRequest>& allocations) {
  pay::Payment payment = kPayment;
  int64_t total = 0;
  for (const auto& a : allocations) {
    auto* allocation = payment.add_allocations();
    allocation->set_allocation_id("pay-1-a" + std::to_string(payment.allocations_size()));
    allocation->set_invoice_id(a.invoice_id());
    allocation->set_invoice_number(a.invoice_id() == "inv-1" ? "2026-000001" : "");
    *allocation->mutable_amount() = a.amount();
    allocation->set_status(pay::ALLOCATION_STATUS_PENDING);
    total += a.amount().minor_units();
  }
  payment.mutable_allocated()->set_minor_units(total);
  payment.mutable_unapplied()->set_minor_units(kPayment.amount().minor_units() - total);
  payment.set_status(total == kPayment.amount().minor_units()
                         ? pay::PAYMENT_STATUS_APPLIED
                         : pay::PAYMENT_STATUS_PARTIALLY_APPLIED);
  return payment;
}

// Canned answers; remembers every request.
class FakePayments final : public pay::PaymentsService::Service {
 public:
  grpc::Status RecordPayment(grpc::ServerContext* /*ctx*/, const pay::RecordPaymentRequest* request,
                             pay::Payment* response) override {
    std::lock_guard lock(mu_);
    record_payment.push_back(*request);
    if (request->payment_id() == "dup") {
      return {grpc::StatusCode::ALREADY_EXISTS, "payment tenants/dev/payments/dup already exists"};
    }
    *response = kPayment;
    if (request->auto_allocate()) {
      google::protobuf::RepeatedPtrField<pay::AllocationRequest> all;
      all.Add()->set_invoice_id("inv-1");
      *all.Mutable(0)->mutable_amount() = request->amount();
      *response = allocated(all);
    }
    response->set_remittance_text(request->remittance_text());
    return grpc::Status::OK;
  }

  grpc::Status AllocatePayment(grpc::ServerContext* /*ctx*/,
                               const pay::AllocatePaymentRequest* request,
                               pay::Payment* response) override {
    std::lock_guard lock(mu_);
    allocate_payment.push_back(*request);
    *response = allocated(request->allocations());
    return grpc::Status::OK;
  }

  grpc::Status GetPayment(grpc::ServerContext* /*ctx*/, const pay::GetPaymentRequest* request,
                          pay::Payment* response) override {
    std::lock_guard lock(mu_);
    get_payment.push_back(*request);
    *response = kPayment;
    auto* event = response->add_history();
    event->set_version(1);
    event->set_actor("treasury");
    event->mutable_occurred_at()->set_seconds(1795478400);  // 2026-11-24
    *event->mutable_payment_recorded()->mutable_amount() = kPayment.amount();
    return grpc::Status::OK;
  }

  grpc::Status ListPayments(grpc::ServerContext* /*ctx*/, const pay::ListPaymentsRequest* request,
                            pay::ListPaymentsResponse* response) override {
    std::lock_guard lock(mu_);
    list_payments.push_back(*request);
    *response->add_payments() = kPayment;
    if (request->page_token().empty()) {
      response->set_next_page_token("page-2");
    }
    return grpc::Status::OK;
  }

  grpc::Status ApplyCustomerCredit(grpc::ServerContext* /*ctx*/,
                                   const pay::ApplyCustomerCreditRequest* request,
                                   pay::CustomerCredit* response) override {
    std::lock_guard lock(mu_);
    apply_credit.push_back(*request);
    response->set_customer(request->customer());
    auto* balance = response->add_balances();
    balance->set_currency(request->allocation().amount().currency());
    balance->set_minor_units(10000 - request->allocation().amount().minor_units());
    response->add_payment_ids("pay-1");
    return grpc::Status::OK;
  }

  std::mutex mu_;
  std::vector<pay::RecordPaymentRequest> record_payment;
  std::vector<pay::AllocatePaymentRequest> allocate_payment;
  std::vector<pay::GetPaymentRequest> get_payment;
  std::vector<pay::ListPaymentsRequest> list_payments;
  std::vector<pay::ApplyCustomerCreditRequest> apply_credit;
};

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string shell_quote(const std::string& arg) {
  std::string q = "'";
  for (const char c : arg) {
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return q + "'";
}

class BinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&fake_);
    builder.RegisterService(&payments_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }
  void TearDown() override { server_->Shutdown(); }

  std::string addr() const { return "127.0.0.1:" + std::to_string(port_); }

  // Runs `arflow <args>` with `env` ("NAME=value" words) added to the test's environment
  // (which keeps the sanitizers' options) without the caller's ARFLOW_* settings.
  CliRun arflow(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    std::string command =
        "env -u ARFLOW_ADDR -u ARFLOW_PAYMENTS_ADDR -u ARFLOW_API_KEY -u ARFLOW_TENANT";
    for (const auto& e : env) {
      command += " " + shell_quote(e);
    }
    command += " " + shell_quote(std::string(ARFLOW_BIN_DIR) + "/arflow");
    for (const auto& a : args) {
      command += " " + shell_quote(a);
    }
    const std::string err_path = dir_.sub("stderr");
    command += " 2>" + shell_quote(err_path);
    CliRun run;
    run.out = arflow::testing::run_capture(command, &run.exit_code);
    std::ifstream err(err_path);
    std::stringstream buffer;
    buffer << err.rdbuf();
    run.err = buffer.str();
    return run;
  }

  arflow::testing::TempDir dir_;
  FakeInvoicing fake_;
  FakePayments payments_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(BinaryTest, CreateAndIssueSendsTheRequestAndTheKey) {
  const CliRun run = arflow({"--addr",
                             addr(),
                             "--tenant",
                             "acme",
                             "--api-key",
                             "arf_secret",
                             "invoice",
                             "create",
                             "inv-1",
                             "--customer",
                             "c-42",
                             "--currency",
                             "EUR",
                             "--line",
                             "Consulting;3;450.00;20",
                             "--line",
                             "Travel;1.5;80;10;5",
                             "--terms",
                             "net:30",
                             "--issue",
                             "--series",
                             "2026",
                             "--issue-date",
                             "2026-11-23",
                             "--request-id",
                             "req-0001"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(fake_.create_invoice.size(), 1U);
  const auto& request = fake_.create_invoice[0];
  EXPECT_EQ(request.parent(), "tenants/acme");
  EXPECT_EQ(request.invoice_id(), "inv-1");
  EXPECT_EQ(request.customer_id(), "c-42");
  EXPECT_EQ(request.request_id(), "req-0001");
  EXPECT_TRUE(request.issue());
  EXPECT_EQ(request.series(), "2026");
  EXPECT_EQ(request.issue_date().day(), 23U);
  ASSERT_EQ(request.content().lines_size(), 2);
  EXPECT_EQ(request.content().lines(1).quantity().units(), 15);
  EXPECT_EQ(request.content().lines(1).quantity().scale(), 1U);
  EXPECT_EQ(request.content().lines(1).unit_price().minor_units(), 8000);
  EXPECT_EQ(request.content().lines(1).tax_rate_bps(), 1000);
  EXPECT_EQ(request.content().lines(1).discount_bps(), 500);
  EXPECT_EQ(request.content().payment_terms().days(), 30U);
  EXPECT_THAT(fake_.authorization, ElementsAre(std::optional<std::string>("Bearer arf_secret")));

  EXPECT_THAT(run.out, HasSubstr("invoice inv-1  2026-000001  ISSUED"));
  EXPECT_THAT(run.out, HasSubstr("total         1620.00 EUR"));
  EXPECT_THAT(run.out, HasSubstr("due date      2026-12-23"));
  EXPECT_THAT(run.out, HasSubstr("balance       1620.00 EUR"));
  EXPECT_THAT(run.out, HasSubstr("request id: req-0001\n"));
}

TEST_F(BinaryTest, EnvironmentAndAFreshRequestIdWithoutAKey) {
  const CliRun run = arflow({"invoice", "create", "inv-1", "--customer", "c-42", "--currency",
                             "EUR", "--line", "Consulting;3;450.00;20"},
                            {"ARFLOW_ADDR=" + addr(), "ARFLOW_TENANT=globex"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(fake_.create_invoice.size(), 1U);
  EXPECT_EQ(fake_.create_invoice[0].parent(), "tenants/globex");
  // A ULID, printed so that the user can retry with it.
  const std::string& id = fake_.create_invoice[0].request_id();
  EXPECT_THAT(id, MatchesRegex("[0-9A-Z]{26}"));
  EXPECT_THAT(run.out, HasSubstr("request id: " + id));
  EXPECT_THAT(fake_.authorization, ElementsAre(std::nullopt));
}

TEST_F(BinaryTest, CustomerCreateThenUpdateOfTheCityOnly) {
  const CliRun create = arflow({"--addr",
                                addr(),
                                "customer",
                                "create",
                                "c-42",
                                "--name",
                                "Acme SAS",
                                "--profile",
                                "business",
                                "--language",
                                "fr",
                                "--email",
                                "a@acme.fr",
                                "--email",
                                "b@acme.fr",
                                "--address-line",
                                "1 rue de la Paix",
                                "--postal-code",
                                "75002",
                                "--city",
                                "Paris",
                                "--country",
                                "FR",
                                "--tax-id",
                                "FR123",
                                "--terms",
                                "eom:15",
                                "--credit-limit",
                                "5000.00 EUR"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  ASSERT_EQ(fake_.create_customer.size(), 1U);
  const auto& details = fake_.create_customer[0].details();
  EXPECT_EQ(details.legal_name(), "Acme SAS");
  EXPECT_THAT(details.contact_emails(), ElementsAre("a@acme.fr", "b@acme.fr"));
  EXPECT_EQ(details.billing_address().city(), "Paris");
  EXPECT_EQ(details.default_payment_terms().kind(), v1::PaymentTerms::KIND_END_OF_MONTH_PLUS);
  EXPECT_EQ(details.credit_limit().minor_units(), 500000);
  EXPECT_THAT(create.out, HasSubstr("customer c-42  Acme SAS\n"));
  EXPECT_THAT(create.out, HasSubstr("credit limit  5000.00 EUR\n"));
  EXPECT_THAT(create.out, HasSubstr("address       1 rue de la Paix, 75002 Paris, FR\n"));

  const CliRun update = arflow({"--addr", addr(), "customer", "update", "c-42", "--city", "Lyon",
                                "--postal-code", "69001", "--output", "json"});
  ASSERT_EQ(update.exit_code, 0) << update.err;
  ASSERT_EQ(fake_.get_customer.size(), 1U);  // read the address, to keep its other parts
  ASSERT_EQ(fake_.update_customer.size(), 1U);
  const auto& request = fake_.update_customer[0];
  EXPECT_EQ(request.name(), "tenants/dev/customers/c-42");
  EXPECT_THAT(request.update_mask().paths(), ElementsAre("billing_address"));
  EXPECT_EQ(request.details().billing_address().city(), "Lyon");
  EXPECT_EQ(request.details().billing_address().postal_code(), "69001");
  EXPECT_THAT(request.details().billing_address().lines(), ElementsAre("1 rue de la Paix"));
  EXPECT_TRUE(request.details().legal_name().empty());  // not in the mask, not sent
  EXPECT_THAT(update.out, HasSubstr("\"city\":\"Lyon\""));
  EXPECT_THAT(update.err, MatchesRegex("request id: [0-9A-Z]{26}\n"));
}

TEST_F(BinaryTest, GetWithAndWithoutHistory) {
  const CliRun with = arflow({"--addr", addr(), "invoice", "get", "inv-1", "--history"});
  ASSERT_EQ(with.exit_code, 0) << with.err;
  ASSERT_EQ(fake_.get_invoice.size(), 1U);
  EXPECT_EQ(fake_.get_invoice[0].name(), "tenants/dev/invoices/inv-1");
  EXPECT_EQ(fake_.get_invoice[0].view(), v1::INVOICE_VIEW_FULL);
  EXPECT_THAT(with.out, HasSubstr("1  2026-11-23T00:00:00Z  invoice_issued  billing-1  "
                                  "2026-000001\n"));
  EXPECT_THAT(with.out, Not(HasSubstr("request id")));  // not a change

  const CliRun json = arflow({"--addr", addr(), "--output", "json", "invoice", "get", "inv-1"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  v1::Invoice printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &printed).ok()) << json.out;
  EXPECT_EQ(printed.number(), "2026-000001");
  EXPECT_EQ(printed.history_size(), 0);  // only with --history
}

TEST_F(BinaryTest, FeeInTheInvoiceCurrencyReadsTheInvoiceFirst) {
  const CliRun run = arflow({"--addr", addr(), "invoice", "fee", "inv-1", "--source-id", "evt-7",
                             "--kind", "indemnity", "--amount", "40.00", "--description",
                             "Indemnité forfaitaire", "--as-of", "2027-01-10"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(fake_.get_invoice.size(), 1U);
  EXPECT_EQ(fake_.get_invoice[0].view(), v1::INVOICE_VIEW_BASIC);
  ASSERT_EQ(fake_.add_late_fee.size(), 1U);
  const auto& request = fake_.add_late_fee[0];
  EXPECT_EQ(request.name(), "tenants/dev/invoices/inv-1");
  EXPECT_EQ(request.source_id(), "evt-7");
  EXPECT_EQ(request.kind(), v1::LATE_FEE_KIND_RECOVERY_INDEMNITY);
  EXPECT_EQ(request.amount().minor_units(), 4000);
  EXPECT_EQ(request.amount().currency(), "EUR");
  EXPECT_EQ(request.description(), "Indemnité forfaitaire");
  EXPECT_EQ(request.as_of().year(), 2027);
  EXPECT_THAT(run.out, HasSubstr("fees          40.00 EUR\n"));
  EXPECT_THAT(run.out, HasSubstr("balance       1660.00 EUR\n"));

  const CliRun with_currency = arflow({"--addr", addr(), "invoice", "fee", "inv-1", "--source-id",
                                       "evt-8", "--kind", "fee", "--amount", "5 EUR"});
  ASSERT_EQ(with_currency.exit_code, 0) << with_currency.err;
  EXPECT_EQ(fake_.get_invoice.size(), 1U);  // not read again
  EXPECT_EQ(fake_.add_late_fee[1].amount().minor_units(), 500);
}

TEST_F(BinaryTest, ListPrintsATable) {
  const CliRun run = arflow({"--addr", addr(), "invoice", "list", "--filter",
                             "customer_id = \"c-42\" AND status = ISSUED", "--page-size", "2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(fake_.list_invoices.size(), 1U);
  EXPECT_EQ(fake_.list_invoices[0].parent(), "tenants/dev");
  EXPECT_EQ(fake_.list_invoices[0].filter(), "customer_id = \"c-42\" AND status = ISSUED");
  EXPECT_EQ(fake_.list_invoices[0].page_size(), 2);
  EXPECT_EQ(fake_.list_invoices[0].view(), v1::INVOICE_VIEW_BASIC);
  EXPECT_EQ(run.out,
            "INVOICE  NUMBER       CUSTOMER  STATUS        TOTAL      BALANCE  DUE\n"
            "inv-0    -            c-7       DRAFT             -            -  -\n"
            "inv-1    2026-000001  c-42      ISSUED  1620.00 EUR  1620.00 EUR  2026-12-23\n"
            "next page: --page-token page-2\n");
}

TEST_F(BinaryTest, ListAllFollowsPagesAndPrintsJsonLines) {
  const CliRun run = arflow({"--addr", addr(), "invoice", "list", "--all", "--output", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(fake_.list_invoices.size(), 2U);
  EXPECT_EQ(fake_.list_invoices[1].page_token(), "page-2");
  std::istringstream lines(run.out);
  std::string line;
  std::vector<v1::ListInvoicesResponse> pages;
  while (std::getline(lines, line)) {
    v1::ListInvoicesResponse page;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &page).ok()) << line;
    pages.push_back(page);
  }
  ASSERT_EQ(pages.size(), 2U);
  EXPECT_EQ(pages[0].invoices_size(), 2);
  EXPECT_EQ(pages[0].next_page_token(), "page-2");
  EXPECT_EQ(pages[1].invoices(0).number(), "2026-000002");
  EXPECT_THAT(run.out, HasSubstr("\"status\":\"INVOICE_STATUS_PAID\""));
}

TEST_F(BinaryTest, ServerErrorIsCodeAndMessageExitOne) {
  const CliRun run =
      arflow({"--addr", addr(), "invoice", "create", "inv-9", "--customer", "unknown", "--currency",
              "EUR", "--line", "A;1;1;20", "--request-id", "r-9"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, AllOf(HasSubstr("NOT_FOUND: customer tenants/acme/customers/unknown not "
                                       "found\n"),
                             HasSubstr("request id: r-9")));
  EXPECT_THAT(run.out, IsEmpty());
}

TEST_F(BinaryTest, BadInputNamesTheFlagExitTwoAndSendsNothing) {
  const CliRun run = arflow({"--addr", addr(), "invoice", "create", "inv-1", "--customer", "c-42",
                             "--currency", "EUR", "--line", "Consulting;3;450.00;5.555"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "arflow: --line 1: tax % \"5.555\" must have at most 2 decimals\n");
  EXPECT_TRUE(fake_.create_invoice.empty());

  const CliRun missing = arflow(
      {"--addr", addr(), "invoice", "create", "inv-1", "--currency", "EUR", "--line", "A;1;1;20"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("--customer"));

  const CliRun output = arflow({"--output", "yaml", "invoice", "list"});
  EXPECT_EQ(output.exit_code, 2);
  EXPECT_THAT(output.err, HasSubstr("--output"));
}

TEST_F(BinaryTest, ExportWritesTheChunksToTheFile) {
  const std::string out = dir_.sub("follow-up.csv");
  const CliRun run = arflow({"--addr", addr(), "--api-key", "k", "export", "follow-up", "--format",
                             "csv", "--as-of", "2026-12-31", "--out", out});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(fake_.export_requests.size(), 1U);
  EXPECT_EQ(fake_.export_requests[0].format(), v1::EXPORT_FORMAT_CSV);
  EXPECT_EQ(fake_.export_requests[0].as_of().year(), 2026);
  std::ifstream file(out);
  std::stringstream content;
  content << file.rdbuf();
  EXPECT_EQ(content.str(), "number,customer\n2026-000001,c-42\n");
  EXPECT_THAT(run.out, HasSubstr("wrote 33 bytes to " + out + " (text/csv, follow-up.csv)"));
  EXPECT_THAT(fake_.authorization, ElementsAre(std::optional<std::string>("Bearer k")));

  const CliRun to_stdout =
      arflow({"--addr", addr(), "export", "follow-up", "--format", "csv", "--out", "-"});
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  EXPECT_EQ(to_stdout.out, "number,customer\n2026-000001,c-42\n");
  EXPECT_THAT(to_stdout.err, HasSubstr("wrote 33 bytes to stdout"));
}

TEST_F(BinaryTest, FailedExportLeavesNoFile) {
  const std::string out = dir_.sub("broken.csv");
  const CliRun run =
      arflow({"--addr", addr(), "export", "follow-up", "--filter", "fail", "--out", out});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("INTERNAL: export broke"));
  EXPECT_FALSE(std::ifstream(out).good());
  EXPECT_FALSE(std::ifstream(out + ".part").good());
}

TEST_F(BinaryTest, PaymentRecordGoesToThePaymentsService) {
  const CliRun run = arflow({"--payments-addr",
                             addr(),
                             "--api-key",
                             "arf_secret",
                             "payment",
                             "record",
                             "pay-1",
                             "--customer",
                             "c-42",
                             "--amount",
                             "1620.00 EUR",
                             "--received-on",
                             "2026-11-24",
                             "--reference",
                             "BANK-7",
                             "--remittance",
                             "Invoice 2026-000001",
                             "--auto-allocate",
                             "--request-id",
                             "req-p1"},
                            // The invoicing address is not used: nothing listens there.
                            {"ARFLOW_ADDR=127.0.0.1:1"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(payments_.record_payment.size(), 1U);
  const auto& request = payments_.record_payment[0];
  EXPECT_EQ(request.parent(), "tenants/dev");
  EXPECT_EQ(request.payment_id(), "pay-1");
  EXPECT_EQ(request.customer_id(), "c-42");
  EXPECT_EQ(request.amount().minor_units(), 162000);
  EXPECT_EQ(request.method(), pay::PAYMENT_METHOD_BANK_TRANSFER);
  EXPECT_EQ(request.received_on().day(), 24U);
  EXPECT_EQ(request.external_reference(), "BANK-7");
  EXPECT_EQ(request.remittance_text(), "Invoice 2026-000001");
  EXPECT_TRUE(request.auto_allocate());
  EXPECT_EQ(request.request_id(), "req-p1");
  EXPECT_THAT(fake_.authorization, IsEmpty());

  EXPECT_THAT(run.out, HasSubstr("payment pay-1  APPLIED\n"));
  EXPECT_THAT(run.out, HasSubstr("  remittance    Invoice 2026-000001\n"));
  EXPECT_THAT(run.out, HasSubstr("  unapplied     0.00 EUR\n"));
  EXPECT_THAT(run.out, HasSubstr("    inv-1    2026-000001  1620.00 EUR  PENDING\n"));
  EXPECT_THAT(run.out, HasSubstr("request id: req-p1\n"));
}

TEST_F(BinaryTest, PaymentsAddressFromTheEnvironmentAndJson) {
  const CliRun run = arflow({"payment", "record", "pay-1", "--customer", "c-42", "--amount",
                             "1620 EUR", "--method", "card", "--output", "json"},
                            {"ARFLOW_PAYMENTS_ADDR=" + addr()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(payments_.record_payment.size(), 1U);
  EXPECT_EQ(payments_.record_payment[0].method(), pay::PAYMENT_METHOD_CARD);
  pay::Payment printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(run.out, &printed).ok()) << run.out;
  EXPECT_EQ(printed.payment_id(), "pay-1");
  EXPECT_THAT(run.err, MatchesRegex("request id: [0-9A-Z]{26}\n"));
}

TEST_F(BinaryTest, AllocateReadsThePaymentCurrencyFirst) {
  const CliRun run = arflow({"--payments-addr", addr(), "payment", "allocate", "pay-1", "--invoice",
                             "inv-1=1000.00", "--invoice", "inv-2=20 EUR"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(payments_.get_payment.size(), 1U);
  EXPECT_EQ(payments_.get_payment[0].name(), "tenants/dev/payments/pay-1");
  ASSERT_EQ(payments_.allocate_payment.size(), 1U);
  const auto& request = payments_.allocate_payment[0];
  EXPECT_EQ(request.name(), "tenants/dev/payments/pay-1");
  ASSERT_EQ(request.allocations_size(), 2);
  EXPECT_EQ(request.allocations(0).invoice_id(), "inv-1");
  EXPECT_EQ(request.allocations(0).amount().minor_units(), 100000);
  EXPECT_EQ(request.allocations(0).amount().currency(), "EUR");
  EXPECT_EQ(request.allocations(1).amount().minor_units(), 2000);
  EXPECT_THAT(run.out, HasSubstr("payment pay-1  PARTIALLY_APPLIED\n"));
  EXPECT_THAT(run.out, HasSubstr("  unapplied     600.00 EUR\n"));

  // With --currency, or every amount with its own, the payment is not read.
  const CliRun named = arflow({"--payments-addr", addr(), "payment", "allocate", "pay-1",
                               "--invoice", "inv-1=1 EUR", "--currency", "EUR"});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  EXPECT_EQ(payments_.get_payment.size(), 1U);
}

TEST_F(BinaryTest, PaymentGetListAndCredit) {
  const CliRun get = arflow({"--payments-addr", addr(), "payment", "get", "pay-1", "--history"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_THAT(get.out, HasSubstr("payment pay-1  UNAPPLIED\n"));
  EXPECT_THAT(get.out, HasSubstr("1  2026-11-24T00:00:00Z  payment_recorded  treasury  "
                                 "1620.00 EUR\n"));
  EXPECT_THAT(get.out, Not(HasSubstr("request id")));  // not a change

  const CliRun list = arflow(
      {"--payments-addr", addr(), "payment", "list", "--filter", "unapplied = true", "--all"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  ASSERT_EQ(payments_.list_payments.size(), 2U);
  EXPECT_EQ(payments_.list_payments[0].filter(), "unapplied = true");
  EXPECT_EQ(payments_.list_payments[1].page_token(), "page-2");
  EXPECT_EQ(list.out,
            "PAYMENT  CUSTOMER  RECEIVED    METHOD         STATUS          AMOUNT    UNAPPLIED\n"
            "pay-1    c-42      2026-11-24  bank-transfer  UNAPPLIED  1620.00 EUR  1620.00 EUR\n"
            "pay-1    c-42      2026-11-24  bank-transfer  UNAPPLIED  1620.00 EUR  1620.00 EUR\n");

  // The amount is in the invoice's currency, read from the invoicing service.
  const CliRun apply = arflow({"--addr", addr(), "--payments-addr", addr(), "credit", "apply",
                               "c-42", "--invoice", "inv-1", "--amount", "40"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  ASSERT_EQ(fake_.get_invoice.size(), 1U);
  EXPECT_EQ(fake_.get_invoice[0].name(), "tenants/dev/invoices/inv-1");
  ASSERT_EQ(payments_.apply_credit.size(), 1U);
  EXPECT_EQ(payments_.apply_credit[0].customer(), "tenants/dev/customers/c-42");
  EXPECT_EQ(payments_.apply_credit[0].allocation().amount().minor_units(), 4000);
  EXPECT_EQ(payments_.apply_credit[0].allocation().amount().currency(), "EUR");
  EXPECT_THAT(apply.out, HasSubstr("credit of tenants/dev/customers/c-42\n"
                                   "  balance       60.00 EUR\n"));
  EXPECT_THAT(apply.out, ContainsRegex("request id: [0-9A-Z]{26}\n"));
}

TEST_F(BinaryTest, PaymentRefusalsExitTwoOrOne) {
  const CliRun method = arflow({"--payments-addr", addr(), "payment", "record", "pay-1",
                                "--customer", "c-42", "--amount", "10 EUR", "--method", "wire"});
  EXPECT_EQ(method.exit_code, 2);
  EXPECT_EQ(method.err,
            "arflow: --method: \"wire\" must be one of bank-transfer, card, direct-debit, check, "
            "cash, other\n");
  const CliRun amount = arflow({"--payments-addr", addr(), "payment", "record", "pay-1",
                                "--customer", "c-42", "--amount", "10"});
  EXPECT_EQ(amount.exit_code, 2);
  EXPECT_EQ(amount.err,
            "arflow: --amount: \"10\" must be an amount and a currency, like \"5000.00 EUR\"\n");
  const CliRun reason =
      arflow({"--payments-addr", addr(), "payment", "charge-back", "pay-1", "--on", "2026-12-01"});
  EXPECT_EQ(reason.exit_code, 2);
  EXPECT_THAT(reason.err, HasSubstr("--reason"));
  EXPECT_TRUE(payments_.record_payment.empty());

  const CliRun dup = arflow({"--payments-addr", addr(), "payment", "record", "dup", "--customer",
                             "c-42", "--amount", "10 EUR", "--request-id", "r-dup"});
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_THAT(dup.err, AllOf(HasSubstr("ALREADY_EXISTS: payment tenants/dev/payments/dup already "
                                       "exists\n"),
                             HasSubstr("request id: r-dup")));
}

}  // namespace
}  // namespace arflow::cli
