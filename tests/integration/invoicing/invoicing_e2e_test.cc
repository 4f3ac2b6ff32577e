// The invoicing service as its users meet it: arflow-broker and arflow-invoicing started as
// processes, driven through the generated gRPC client, events read back with kcat.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <thread>

#include "arflow/bus/topics.h"
#include "arflow/events/v1/envelope.pb.h"
#include "invoicing_fixture.h"
#include "support/invoicing_requests.h"
#include "support/shell.h"
#include "support/topic_reader.h"

namespace arflow::testing {
namespace {

using grpc::StatusCode;

class InvoicingEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    processes_ = new InvoicingProcesses();
    ASSERT_FALSE(processes_->bootstrap().empty());
    ASSERT_TRUE(processes_->start_service());
  }
  static void TearDownTestSuite() {
    delete processes_;
    processes_ = nullptr;
  }

  static v1::InvoicingService::Stub& api() { return *processes_->stub(); }

  static grpc::Status create_customer(const std::string& id, v1::Customer* out = nullptr) {
    v1::CreateCustomerRequest request;
    request.set_parent("tenants/dev");
    request.set_customer_id(id);
    *request.mutable_details() = acme_details();
    request.set_request_id("create-customer-" + id);
    v1::Customer ignored;
    return api().CreateCustomer(call_context().get(), request, out != nullptr ? out : &ignored);
  }

  static v1::CreateInvoiceRequest invoice_request(const std::string& id,
                                                  const std::string& customer, bool issue) {
    v1::CreateInvoiceRequest request;
    request.set_parent("tenants/dev");
    request.set_invoice_id(id);
    request.set_customer_id(customer);
    request.mutable_content()->set_currency("EUR");
    *request.mutable_content()->add_lines() = line("Consulting", 3, 45000, 2000);
    *request.mutable_content()->add_lines() = line("Travel", 1, 12050, 1000);
    request.set_request_id("create-invoice-" + id);
    request.set_issue(issue);
    if (issue) {
      request.set_series("E2E");
      *request.mutable_issue_date() = date(2026, 9, 1);
    }
    return request;
  }

  static v1::Invoice get(const std::string& id, v1::InvoiceView view = v1::INVOICE_VIEW_FULL) {
    v1::GetInvoiceRequest request;
    request.set_name("tenants/dev/invoices/" + id);
    request.set_view(view);
    v1::Invoice invoice;
    auto status = api().GetInvoice(call_context().get(), request, &invoice);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return invoice;
  }

  // Publishes a payments event as the payments service would.
  static void publish_payment_event(const std::string& stream, events::v1::Envelope envelope) {
    static int sequence = 0;
    envelope.set_event_id("01PAYMENTEVENT" + std::to_string(++sequence));
    envelope.set_tenant_id("dev");
    envelope.set_stream(stream);
    envelope.set_version(1);
    auto status = produce_raw(processes_->bootstrap(), std::string(bus::kPaymentsEvents),
                              "dev/" + envelope.customer_id(), envelope.SerializeAsString());
    ASSERT_TRUE(status.ok()) << status;
  }

  static void allocate(const std::string& allocation_id, const std::string& customer,
                       const std::string& invoice, int64_t cents) {
    events::v1::Envelope e;
    e.set_customer_id(customer);
    auto* a = e.mutable_payment_allocated();
    a->set_payment_id("pay-" + allocation_id);
    a->set_allocation_id(allocation_id);
    a->set_invoice_id(invoice);
    a->mutable_amount()->set_minor_units(cents);
    a->mutable_amount()->set_currency("EUR");
    *a->mutable_paid_on() = date(2026, 10, 15);
    publish_payment_event("dev/payment/pay-" + allocation_id, e);
  }

  // Polls until `done` holds for the invoice (the reaction is asynchronous).
  template <typename Pred>
  static v1::Invoice wait_for(const std::string& id, Pred done) {
    v1::Invoice invoice;
    for (int i = 0; i < 300; ++i) {
      invoice = get(id);
      if (done(invoice)) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return invoice;
  }

  static InvoicingProcesses* processes_;
};

InvoicingProcesses* InvoicingEndToEnd::processes_ = nullptr;

TEST_F(InvoicingEndToEnd,
       AnInvoiceIsIssuedNumberedPaidInPartThenInFullAndItsHistorySaysWhoAndWhen) {
  ASSERT_TRUE(create_customer("acme").ok());
  v1::Invoice issued;
  auto status =
      api().CreateInvoice(call_context().get(), invoice_request("inv-100", "acme", true), &issued);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(issued.status(), v1::INVOICE_STATUS_ISSUED);
  EXPECT_TRUE(issued.number().starts_with("E2E-")) << issued.number();
  // 3 x 450.00 at 20 % + 120.50 at 10 %: 1350.00 + 270.00 + 120.50 + 12.05 = 1752.55.
  EXPECT_EQ(issued.total().minor_units(), 175255);
  EXPECT_EQ(issued.tax_total().minor_units(), 28205);
  EXPECT_EQ(issued.due_date().month(), 10u);  // net 30 from 1 September
  EXPECT_EQ(issued.due_date().day(), 1u);

  allocate("alloc-100-a", "acme", "inv-100", 50000);
  auto partly = wait_for("inv-100", [](const v1::Invoice& i) {
    return i.status() == v1::INVOICE_STATUS_PARTIALLY_PAID;
  });
  EXPECT_EQ(partly.status(), v1::INVOICE_STATUS_PARTIALLY_PAID);
  EXPECT_EQ(partly.balance().minor_units(), 125255);
  EXPECT_EQ(partly.last_payment_date().day(), 15u);

  allocate("alloc-100-b", "acme", "inv-100", 125255);
  auto paid = wait_for("inv-100",
                       [](const v1::Invoice& i) { return i.status() == v1::INVOICE_STATUS_PAID; });
  EXPECT_EQ(paid.status(), v1::INVOICE_STATUS_PAID);
  EXPECT_EQ(paid.balance().minor_units(), 0);

  // The history: created issued by the API key (one event), then two payments by the
  // reaction.
  std::vector<std::string> who;
  for (const auto& event : paid.history()) {
    who.push_back(std::string(event.payload_case() == events::v1::Envelope::kPaymentApplied
                                  ? "payment:"
                                  : "other:") +
                  event.actor());
    EXPECT_TRUE(event.has_recorded_at());
  }
  EXPECT_EQ(who, (std::vector<std::string>{"other:open-dev-mode", "payment:payments",
                                           "payment:payments"}));
}

TEST_F(InvoicingEndToEnd, AnAllocationTheInvoiceCannotTakeIsAnsweredOnTheTopicNotApplied) {
  ASSERT_TRUE(create_customer("overpayer").ok());
  v1::Invoice issued;
  ASSERT_TRUE(api()
                  .CreateInvoice(call_context().get(),
                                 invoice_request("inv-200", "overpayer", true), &issued)
                  .ok());
  allocate("alloc-200", "overpayer", "inv-200", issued.total().minor_units() + 1);
  // Published, so payments can turn it into credit; the invoice is untouched.
  bool rejected = false;
  for (int i = 0; i < 200 && !rejected; ++i) {
    for (const auto& m : read_topic(processes_->bootstrap(), std::string(bus::kInvoicingEvents))) {
      events::v1::Envelope e;
      rejected = rejected || (e.ParseFromString(m.value) && e.has_allocation_rejected() &&
                              e.allocation_rejected().allocation_id() == "alloc-200" &&
                              e.allocation_rejected().reason() ==
                                  v1::ALLOCATION_REJECTION_REASON_WOULD_OVERPAY);
    }
    if (!rejected) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  EXPECT_TRUE(rejected);
  EXPECT_EQ(get("inv-200").balance().minor_units(), issued.total().minor_units());
}

TEST_F(InvoicingEndToEnd, ARetriedRequestGetsTheFirstAnswerAndAReusedIdForAnotherRequestIsRefused) {
  ASSERT_TRUE(create_customer("retrier").ok());
  auto request = invoice_request("inv-300", "retrier", true);
  v1::Invoice first;
  v1::Invoice again;
  ASSERT_TRUE(api().CreateInvoice(call_context().get(), request, &first).ok());
  ASSERT_TRUE(api().CreateInvoice(call_context().get(), request, &again).ok());
  EXPECT_EQ(first.number(), again.number());
  EXPECT_EQ(first.SerializeAsString(), again.SerializeAsString());

  // The invoice changes; a retry of each request still gets the answer it got first (the
  // record keeps the invoice's version, and the answer is made again from its events).
  v1::RecordRecipientStatusRequest received;
  received.set_name("tenants/dev/invoices/inv-300");
  received.set_status(v1::RECIPIENT_STATUS_RECEIVED);
  received.set_request_id("received-300");
  v1::Invoice received_first;
  ASSERT_TRUE(api().RecordRecipientStatus(call_context().get(), received, &received_first).ok());
  v1::RecordRecipientStatusRequest available = received;
  available.set_status(v1::RECIPIENT_STATUS_MADE_AVAILABLE);
  available.set_request_id("available-300");
  v1::Invoice available_first;
  ASSERT_TRUE(api().RecordRecipientStatus(call_context().get(), available, &available_first).ok());
  v1::Invoice later;
  ASSERT_TRUE(api().CreateInvoice(call_context().get(), request, &later).ok());
  EXPECT_EQ(later.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(later.recipient_status(), v1::RECIPIENT_STATUS_UNSPECIFIED);
  ASSERT_TRUE(api().RecordRecipientStatus(call_context().get(), received, &later).ok());
  EXPECT_EQ(later.SerializeAsString(), received_first.SerializeAsString());
  EXPECT_EQ(later.recipient_status(), v1::RECIPIENT_STATUS_RECEIVED);
  EXPECT_EQ(get("inv-300").recipient_status(), v1::RECIPIENT_STATUS_MADE_AVAILABLE);

  auto other = invoice_request("inv-301", "retrier", true);
  other.set_request_id(request.request_id());
  v1::Invoice refused;
  auto status = api().CreateInvoice(call_context().get(), other, &refused);
  EXPECT_EQ(status.error_code(), StatusCode::ALREADY_EXISTS) << status.error_message();

  // The customer's create, retried, is the same answer too.
  v1::Customer c1;
  v1::Customer c2;
  EXPECT_TRUE(create_customer("retrier", &c1).ok());
  EXPECT_TRUE(create_customer("retrier", &c2).ok());
  EXPECT_EQ(c1.SerializeAsString(), c2.SerializeAsString());
}

// A billing run in one call: each invoice is issued or refused on its own, the issued ones
// numbered one after the other; the run sent again issues nothing twice.
TEST_F(InvoicingEndToEnd, ABillingRunIssuesEachInvoiceOnItsOwnAndARetryIssuesNothingTwice) {
  ASSERT_TRUE(create_customer("billed").ok());
  v1::BatchIssueInvoicesRequest run;
  run.set_parent("tenants/dev");
  *run.add_requests() = invoice_request("inv-b1", "billed", true);
  *run.add_requests() = invoice_request("inv-b2", "nobody", true);
  auto empty = invoice_request("inv-b3", "billed", true);
  empty.mutable_content()->clear_lines();
  *run.add_requests() = empty;
  *run.add_requests() = invoice_request("inv-b4", "billed", true);
  for (auto& r : *run.mutable_requests()) {
    r.set_series("RUN");
  }
  v1::BatchIssueInvoicesResponse first;
  auto status = api().BatchIssueInvoices(call_context().get(), run, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(first.results_size(), 4);
  EXPECT_EQ(first.results(0).code(), 0);
  EXPECT_EQ(first.results(1).code(), static_cast<int>(StatusCode::NOT_FOUND));
  EXPECT_EQ(first.results(1).message(), "customer_id: customer 'nobody' does not exist");
  EXPECT_FALSE(first.results(1).has_invoice());
  EXPECT_EQ(first.results(2).code(), static_cast<int>(StatusCode::INVALID_ARGUMENT));
  EXPECT_NE(first.results(2).message().find("lines"), std::string::npos)
      << first.results(2).message();
  EXPECT_EQ(first.results(3).code(), 0);
  // The refused ones took no number: the issued two are consecutive.
  const std::string n1 = first.results(0).invoice().number();
  const std::string n4 = first.results(3).invoice().number();
  ASSERT_FALSE(n1.empty());
  EXPECT_EQ(std::stoi(n4.substr(n4.rfind('-') + 1)), std::stoi(n1.substr(n1.rfind('-') + 1)) + 1)
      << n1 << " then " << n4;

  v1::BatchIssueInvoicesResponse again;
  ASSERT_TRUE(api().BatchIssueInvoices(call_context().get(), run, &again).ok());
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(again.results(i).SerializeAsString(), first.results(i).SerializeAsString())
        << "invoice " << i;
  }
  // One invoice of the run retried on its own gets the run's answer.
  v1::Invoice alone;
  ASSERT_TRUE(api().CreateInvoice(call_context().get(), run.requests(3), &alone).ok());
  EXPECT_EQ(alone.SerializeAsString(), first.results(3).invoice().SerializeAsString());
  EXPECT_EQ(get("inv-b4").number(), n4);
}

// A billing run that sent the lines asks for its results without them (BASIC, as lists show
// invoices); a retry gets the same invoices, in the view it asks for.
TEST_F(InvoicingEndToEnd, ABillingRunMayTakeItsResultsWithoutTheLinesItSent) {
  ASSERT_TRUE(create_customer("basic-run").ok());
  v1::BatchIssueInvoicesRequest run;
  run.set_parent("tenants/dev");
  run.set_view(v1::INVOICE_VIEW_BASIC);
  *run.add_requests() = invoice_request("inv-v1", "basic-run", true);
  *run.add_requests() = invoice_request("inv-v2", "basic-run", true);
  v1::BatchIssueInvoicesResponse basic;
  auto status = api().BatchIssueInvoices(call_context().get(), run, &basic);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(basic.results_size(), 2);
  for (const auto& result : basic.results()) {
    ASSERT_EQ(result.code(), 0) << result.message();
    EXPECT_EQ(result.invoice().status(), v1::INVOICE_STATUS_ISSUED);
    EXPECT_FALSE(result.invoice().number().empty());
    EXPECT_GT(result.invoice().total().minor_units(), 0);
    EXPECT_EQ(result.invoice().content().lines_size(), 0);
    EXPECT_EQ(result.invoice().line_net_amounts_size(), 0);
  }
  // As ListInvoices shows them.
  v1::ListInvoicesRequest list;
  list.set_parent("tenants/dev");
  list.set_filter("customer_id = \"basic-run\"");
  v1::ListInvoicesResponse listed;
  ASSERT_TRUE(api().ListInvoices(call_context().get(), list, &listed).ok());
  ASSERT_EQ(listed.invoices_size(), 2);
  for (const auto& invoice : listed.invoices()) {
    const auto& answered =
        invoice.invoice_id() == "inv-v1" ? basic.results(0).invoice() : basic.results(1).invoice();
    EXPECT_EQ(invoice.SerializeAsString(), answered.SerializeAsString()) << invoice.invoice_id();
  }

  v1::BatchIssueInvoicesResponse again;
  ASSERT_TRUE(api().BatchIssueInvoices(call_context().get(), run, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), basic.SerializeAsString());
  run.set_view(v1::INVOICE_VIEW_FULL);
  v1::BatchIssueInvoicesResponse full;
  ASSERT_TRUE(api().BatchIssueInvoices(call_context().get(), run, &full).ok());
  ASSERT_EQ(full.results_size(), 2);
  EXPECT_EQ(full.results(0).invoice().number(), basic.results(0).invoice().number());
  EXPECT_EQ(full.results(0).invoice().content().lines_size(),
            run.requests(0).content().lines_size());
  v1::Invoice shown = get("inv-v1");
  shown.clear_history();  // GetInvoice's FULL view adds the events
  EXPECT_EQ(full.results(0).invoice().SerializeAsString(), shown.SerializeAsString());

  run.set_view(static_cast<v1::InvoiceView>(7));
  v1::BatchIssueInvoicesResponse refused;
  status = api().BatchIssueInvoices(call_context().get(), run, &refused);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("view"), std::string::npos) << status.error_message();
}

TEST_F(InvoicingEndToEnd, BadInputIsRefusedNamingTheFieldAndTheRuleAndChangesNothing) {
  ASSERT_TRUE(create_customer("careful").ok());
  const auto refuse = [](const v1::CreateInvoiceRequest& request, StatusCode code,
                         const std::string& says) {
    v1::Invoice out;
    auto status = api().CreateInvoice(call_context().get(), request, &out);
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    EXPECT_NE(status.error_message().find(says), std::string::npos) << status.error_message();
  };
  auto unknown_customer = invoice_request("bad-1", "nobody", true);
  refuse(unknown_customer, StatusCode::NOT_FOUND, "customer_id");
  auto no_lines = invoice_request("bad-2", "careful", true);
  no_lines.mutable_content()->clear_lines();
  refuse(no_lines, StatusCode::INVALID_ARGUMENT, "lines");
  auto zero_quantity = invoice_request("bad-3", "careful", true);
  zero_quantity.mutable_content()->mutable_lines(1)->mutable_quantity()->set_units(0);
  refuse(zero_quantity, StatusCode::INVALID_ARGUMENT, "lines[1].quantity");
  auto unknown_currency = invoice_request("bad-4", "careful", true);
  unknown_currency.mutable_content()->set_currency("XYZ");
  refuse(unknown_currency, StatusCode::INVALID_ARGUMENT, "currency");
  auto mixed = invoice_request("bad-5", "careful", true);
  mixed.mutable_content()->mutable_lines(0)->mutable_unit_price()->set_currency("USD");
  refuse(mixed, StatusCode::INVALID_ARGUMENT, "lines[0].unit_price");
  auto no_request_id = invoice_request("bad-6", "careful", true);
  no_request_id.clear_request_id();
  refuse(no_request_id, StatusCode::INVALID_ARGUMENT, "request_id");
  auto other_tenant = invoice_request("bad-7", "careful", true);
  other_tenant.set_parent("tenants/someone-else");
  refuse(other_tenant, StatusCode::PERMISSION_DENIED, "parent");

  // None of them left anything behind: no invoice, no number taken.
  v1::ListInvoicesRequest list;
  list.set_parent("tenants/dev");
  list.set_filter("customer_id = \"careful\"");
  v1::ListInvoicesResponse page;
  ASSERT_TRUE(api().ListInvoices(call_context().get(), list, &page).ok());
  EXPECT_EQ(page.invoices_size(), 0);

  // Issuing twice, editing an issued invoice, crediting more than the balance, a recipient
  // status that cannot follow: FAILED_PRECONDITION or INVALID_ARGUMENT, nothing recorded.
  v1::Invoice issued;
  ASSERT_TRUE(
      api()
          .CreateInvoice(call_context().get(), invoice_request("good-1", "careful", true), &issued)
          .ok());
  v1::IssueInvoiceRequest issue;
  issue.set_name("tenants/dev/invoices/good-1");
  issue.set_series("E2E");
  issue.set_request_id("issue-again");
  v1::Invoice out;
  EXPECT_EQ(api().IssueInvoice(call_context().get(), issue, &out).error_code(),
            StatusCode::FAILED_PRECONDITION);
  v1::UpdateInvoiceRequest edit;
  edit.set_name("tenants/dev/invoices/good-1");
  *edit.mutable_content() = invoice_request("x", "careful", false).content();
  edit.set_request_id("edit-issued");
  EXPECT_EQ(api().UpdateInvoice(call_context().get(), edit, &out).error_code(),
            StatusCode::FAILED_PRECONDITION);
  v1::CreateCreditNoteRequest credit;
  credit.set_name("tenants/dev/invoices/good-1");
  credit.set_credit_note_id("cn-too-much");
  credit.set_series("CN-E2E");
  credit.set_reason("goodwill");
  *credit.add_lines() = line("Consulting", 10, 45000, 2000);
  credit.set_request_id("credit-too-much");
  auto credited = api().CreateCreditNote(call_context().get(), credit, &out);
  EXPECT_TRUE(credited.error_code() == StatusCode::FAILED_PRECONDITION ||
              credited.error_code() == StatusCode::INVALID_ARGUMENT)
      << credited.error_message();
  v1::RecordRecipientStatusRequest collected;
  collected.set_name("tenants/dev/invoices/good-1");
  collected.set_status(v1::RECIPIENT_STATUS_COLLECTED);
  collected.set_request_id("collected-too-early");
  collected.set_reason("?");
  auto status_refused = api().RecordRecipientStatus(call_context().get(), collected, &out);
  EXPECT_NE(status_refused.error_code(), StatusCode::OK);
  const v1::Invoice after = get("good-1");
  EXPECT_EQ(after.history_size(), 1);  // created issued (one event): nothing else
  EXPECT_EQ(after.balance().minor_units(), issued.balance().minor_units());
}

TEST_F(InvoicingEndToEnd, CreditNotesFeesAndRecipientStatusesShowInTheStatementAndTheFollowUp) {
  ASSERT_TRUE(create_customer("city-hall").ok());
  v1::Invoice issued;
  ASSERT_TRUE(api()
                  .CreateInvoice(call_context().get(),
                                 invoice_request("inv-400", "city-hall", true), &issued)
                  .ok());
  v1::Invoice out;
  // A late fee asked twice by the same source is added once.
  v1::AddLateFeeRequest fee;
  fee.set_name("tenants/dev/invoices/inv-400");
  fee.set_source_id("collections-event-1");
  fee.set_kind(v1::LATE_FEE_KIND_RECOVERY_INDEMNITY);
  fee.set_description("Indemnité forfaitaire pour frais de recouvrement");
  fee.mutable_amount()->set_minor_units(4000);
  fee.mutable_amount()->set_currency("EUR");
  *fee.mutable_as_of() = date(2026, 11, 1);
  fee.set_request_id("fee-1");
  ASSERT_TRUE(api().AddLateFee(call_context().get(), fee, &out).ok());
  fee.set_request_id("fee-1-redelivered");
  auto again = api().AddLateFee(call_context().get(), fee, &out);
  ASSERT_TRUE(again.ok()) << again.error_message();
  EXPECT_EQ(out.fees().minor_units(), 4000);
  EXPECT_EQ(out.balance().minor_units(), issued.total().minor_units() + 4000);

  v1::CreateCreditNoteRequest credit;
  credit.set_name("tenants/dev/invoices/inv-400");
  credit.set_credit_note_id("cn-400");
  credit.set_series("CN-E2E");
  credit.set_reason("one day not worked");
  *credit.add_lines() = line("Consulting", 1, 45000, 2000);
  credit.set_request_id("credit-400");
  ASSERT_TRUE(api().CreateCreditNote(call_context().get(), credit, &out).ok());
  EXPECT_EQ(out.credited().minor_units(), 54000);
  ASSERT_EQ(out.credit_notes_size(), 1);
  EXPECT_TRUE(out.credit_notes(0).number().starts_with("CN-E2E-"));

  // The buyer's platform makes it available, then the buyer disputes it.
  v1::RecordRecipientStatusRequest available;
  available.set_name("tenants/dev/invoices/inv-400");
  available.set_status(v1::RECIPIENT_STATUS_MADE_AVAILABLE);
  available.set_request_id("available-400");
  ASSERT_TRUE(api().RecordRecipientStatus(call_context().get(), available, &out).ok());
  v1::RecordRecipientStatusRequest disputed;
  disputed.set_name("tenants/dev/invoices/inv-400");
  disputed.set_status(v1::RECIPIENT_STATUS_DISPUTED);
  disputed.set_reason("purchase order number missing");
  disputed.set_request_id("disputed-400");
  ASSERT_TRUE(api().RecordRecipientStatus(call_context().get(), disputed, &out).ok());
  EXPECT_EQ(out.recipient_status(), v1::RECIPIENT_STATUS_DISPUTED);

  v1::GetCustomerStatementRequest statement_request;
  statement_request.set_name("tenants/dev/customers/city-hall");
  *statement_request.mutable_as_of() = date(2026, 11, 23);
  v1::CustomerStatement statement;
  auto statement_status =
      api().GetCustomerStatement(call_context().get(), statement_request, &statement);
  ASSERT_TRUE(statement_status.ok()) << statement_status.error_message();
  ASSERT_EQ(statement.open_items_size(), 1);
  EXPECT_EQ(statement.open_items(0).days_late(), 53);  // due 1 October
  EXPECT_EQ(statement.open_items(0).recipient_status(), v1::RECIPIENT_STATUS_DISPUTED);
  ASSERT_EQ(statement.balances_size(), 1);
  EXPECT_EQ(statement.balances(0).minor_units(), issued.total().minor_units() + 4000 - 54000);

  for (const auto format : {v1::EXPORT_FORMAT_CSV, v1::EXPORT_FORMAT_XLSX}) {
    v1::ExportFollowUpTableRequest export_request;
    export_request.set_parent("tenants/dev");
    export_request.set_format(format);
    export_request.set_filter("customer_id = \"city-hall\"");
    *export_request.mutable_as_of() = date(2026, 11, 23);
    auto ctx = call_context();
    auto reader = api().ExportFollowUpTable(ctx.get(), export_request);
    std::string file;
    std::string content_type;
    v1::FileChunk chunk;
    while (reader->Read(&chunk)) {
      if (content_type.empty()) {
        content_type = chunk.content_type();
      }
      file += chunk.data();
    }
    auto status = reader->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
    if (format == v1::EXPORT_FORMAT_CSV) {
      EXPECT_EQ(content_type, "text/csv; charset=utf-8");
      EXPECT_NE(file.find(issued.number() + ",2026-09-01,city-hall,Acme SAS,EUR,1752.55"),
                std::string::npos)
          << file;
      EXPECT_NE(file.find(",Unpaid,53,Disputed"), std::string::npos) << file;
    } else {
      EXPECT_TRUE(file.starts_with("PK")) << "an .xlsx file is a zip archive";
      EXPECT_GT(file.size(), 1000u);
    }
  }
}

// kcat, a Kafka client nobody here wrote, reads what the service published: every event of
// the scenario, each with its type header, keyed tenant/customer.
TEST_F(InvoicingEndToEnd, KcatReadsThePublishedEventsWithTheirTypeAndCustomerKey) {
  ASSERT_TRUE(create_customer("kcat-customer").ok());
  v1::Invoice issued;
  ASSERT_TRUE(api()
                  .CreateInvoice(call_context().get(),
                                 invoice_request("inv-500", "kcat-customer", true), &issued)
                  .ok());
  v1::Invoice draft;  // a draft is an event too (one created issued is its InvoiceIssued only)
  ASSERT_TRUE(api()
                  .CreateInvoice(call_context().get(),
                                 invoice_request("inv-501", "kcat-customer", false), &draft)
                  .ok());
  std::set<std::string> seen;
  for (int i = 0; i < 100 && seen.size() < 3; ++i) {
    int rc = -1;
    const std::string out = run_capture(
        "kcat -b " + processes_->bootstrap() + " -t " + std::string(bus::kInvoicingEvents) +
            " -C -o beginning -e -q -X fetch.wait.max.ms=10 -f '%k %h\\n' 2>&1",
        &rc);
    ASSERT_EQ(rc, 0) << out;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {  // "<key> <headers>" per message
      if (!line.starts_with("dev/kcat-customer event_id=")) {
        continue;
      }
      for (const std::string type : {"customer_registered", "invoice_drafted", "invoice_issued"}) {
        if (line.find("event_type=" + type) != std::string::npos) {
          seen.insert(type);
        }
      }
    }
    if (seen.size() < 3) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  EXPECT_EQ(seen.size(), 3u);
}

}  // namespace
}  // namespace arflow::testing
