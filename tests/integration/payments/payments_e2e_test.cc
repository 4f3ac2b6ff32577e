// Money moving between invoicing and payments as an accountant follows it: arflow-broker,
// arflow-invoicing and arflow-payments started as processes, driven through their gRPC
// clients. Invoices are issued; one is paid in full, one in part, one with an overpayment,
// one through auto-allocation by its number in the remittance text; one is voided while an
// allocation to it is in flight; credit is refunded; a payment is charged back. At the end,
// both services' APIs say what an accountant would compute.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <thread>

#include "arflow/bus/topics.h"
#include "payments_fixture.h"
#include "support/shell.h"
#include "support/topic_reader.h"

namespace arflow::testing {
namespace {

constexpr char kTenant[] = "tenants/dev";

class MoneyFlowEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(processes_.start()); }

  iv1::InvoicingService::Stub& invoicing() { return *processes_.invoicing().stub(); }
  pv1::PaymentsService::Stub& payments() { return *processes_.payments().stub(); }

  void create_customer(const std::string& id) { testing::create_customer(invoicing(), id); }

  // Issues an invoice of `cents` (no tax) and returns its number.
  std::string issue(const std::string& id, const std::string& customer, int64_t cents) {
    return issue_invoice(invoicing(), id, customer, cents);
  }

  iv1::Invoice invoice(const std::string& id) {
    iv1::GetInvoiceRequest request;
    request.set_name(std::string(kTenant) + "/invoices/" + id);
    iv1::Invoice out;
    auto status = invoicing().GetInvoice(call_context().get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  static pv1::RecordPaymentRequest payment_request(const std::string& id, int64_t cents,
                                                   const std::string& remittance = "",
                                                   bool auto_allocate = false) {
    pv1::RecordPaymentRequest request;
    request.set_parent(kTenant);
    request.set_payment_id(id);
    request.set_customer_id("acme");
    *request.mutable_amount() = eur(cents);
    request.set_method(pv1::PAYMENT_METHOD_BANK_TRANSFER);
    *request.mutable_received_on() = date(2026, 11, 2);
    request.set_external_reference("BANK-" + id);
    request.set_remittance_text(remittance);
    request.set_auto_allocate(auto_allocate);
    request.set_request_id("record-" + id);
    return request;
  }

  grpc::Status record(const std::string& id, int64_t cents, const std::string& remittance = "",
                      bool auto_allocate = false, pv1::Payment* out = nullptr) {
    pv1::Payment ignored;
    return payments().RecordPayment(call_context().get(),
                                    payment_request(id, cents, remittance, auto_allocate),
                                    out != nullptr ? out : &ignored);
  }

  grpc::Status allocate(const std::string& payment, const std::string& invoice, int64_t cents) {
    pv1::AllocatePaymentRequest request;
    request.set_name(std::string(kTenant) + "/payments/" + payment);
    auto* a = request.add_allocations();
    a->set_invoice_id(invoice);
    *a->mutable_amount() = eur(cents);
    request.set_request_id("allocate-" + payment + "-" + invoice);
    pv1::Payment out;
    return payments().AllocatePayment(call_context().get(), request, &out);
  }

  pv1::Payment payment(const std::string& id) {
    pv1::GetPaymentRequest request;
    request.set_name(std::string(kTenant) + "/payments/" + id);
    pv1::Payment out;
    auto status = payments().GetPayment(call_context().get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  pv1::ListOpenInvoicesResponse open_invoices(const std::string& customer = "acme") {
    pv1::ListOpenInvoicesRequest request;
    request.set_customer(std::string(kTenant) + "/customers/" + customer);
    pv1::ListOpenInvoicesResponse out;
    auto status = payments().ListOpenInvoices(call_context().get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  MoneyFlowProcesses processes_;
};

std::string summary(const iv1::Invoice& invoice) {
  return iv1::InvoiceStatus_Name(invoice.status()).substr(15) + " " +
         std::to_string(invoice.balance().minor_units());
}

std::string summary(const pv1::Payment& p) {
  std::string out = pv1::PaymentStatus_Name(p.status()).substr(15);
  for (const auto& m : {p.allocated(), p.unapplied(), p.refunded(), p.charged_back()}) {
    out += " " + std::to_string(m.minor_units());
  }
  for (const auto& a : p.allocations()) {
    out += " " + a.invoice_id() + ":" + pv1::AllocationStatus_Name(a.status()).substr(18);
  }
  return out;
}

TEST_F(MoneyFlowEndToEnd, PaymentsInFullInPartOverpaidAutoAllocatedVoidedRefundedAndChargedBack) {
  create_customer("acme");
  issue("inv-a", "acme", 100'00);
  issue("inv-b", "acme", 200'00);
  issue("inv-c", "acme", 300'00);
  const std::string number_d = issue("inv-d", "acme", 150'00);
  issue("inv-e", "acme", 80'00);
  ASSERT_TRUE(eventually([&] { return open_invoices().invoices_size() == 5; }))
      << "payments never learned of the five invoices";

  // In full, in part, overpaid (the rest is credit).
  ASSERT_TRUE(record("p1", 100'00).ok());
  ASSERT_TRUE(allocate("p1", "inv-a", 100'00).ok());
  ASSERT_TRUE(record("p2", 50'00).ok());
  ASSERT_TRUE(allocate("p2", "inv-b", 50'00).ok());
  ASSERT_TRUE(record("p3", 350'00).ok());
  ASSERT_TRUE(allocate("p3", "inv-c", 300'00).ok());
  // By the number the customer wrote on the transfer.
  pv1::Payment p4;
  ASSERT_TRUE(record("p4", 150'00, "Facture " + number_d + " merci", true, &p4).ok());
  ASSERT_EQ(p4.allocations_size(), 1);
  EXPECT_EQ(p4.allocations(0).invoice_id(), "inv-d");

  // Voided while an allocation to it may be in flight: whichever service sees it first, the
  // money ends as credit.
  ASSERT_TRUE(record("p5", 80'00).ok());
  iv1::CreateCreditNoteRequest void_e;
  void_e.set_name(std::string(kTenant) + "/invoices/inv-e");
  void_e.set_credit_note_id("cn-e");
  void_e.set_series("AV");
  void_e.set_reason("ordered by mistake");
  void_e.set_full(true);
  void_e.set_request_id("void-e");
  iv1::Invoice voided;
  ASSERT_TRUE(invoicing().CreateCreditNote(call_context().get(), void_e, &voided).ok());
  const grpc::Status in_flight = allocate("p5", "inv-e", 80'00);
  EXPECT_TRUE(in_flight.ok() || in_flight.error_code() == grpc::StatusCode::FAILED_PRECONDITION)
      << in_flight.error_message();

  // The overpayment's credit refunded; p2 bounced.
  pv1::RefundPaymentRequest refund;
  refund.set_name(std::string(kTenant) + "/payments/p3");
  refund.set_reason("overpaid");
  refund.set_request_id("refund-p3");
  pv1::Payment refunded;
  ASSERT_TRUE(payments().RefundPayment(call_context().get(), refund, &refunded).ok());
  EXPECT_EQ(refunded.refunded().minor_units(), 50'00);
  ASSERT_TRUE(eventually([&] { return summary(invoice("inv-b")) == "PARTIALLY_PAID 15000"; }));
  pv1::ChargeBackPaymentRequest bounce;
  bounce.set_name(std::string(kTenant) + "/payments/p2");
  bounce.set_reason("R01 insufficient funds");
  bounce.set_request_id("bounce-p2");
  pv1::Payment bounced;
  ASSERT_TRUE(payments().ChargeBackPayment(call_context().get(), bounce, &bounced).ok());

  // What an accountant computes, once both services are quiet.
  const std::map<std::string, std::string> invoices = {{"inv-a", "PAID 0"},
                                                       {"inv-b", "ISSUED 20000"},
                                                       {"inv-c", "PAID 0"},
                                                       {"inv-d", "PAID 0"},
                                                       {"inv-e", "VOID 0"}};
  for (const auto& [id, expected] : invoices) {
    EXPECT_TRUE(eventually([&, &id = id, &expected = expected] {
      return summary(invoice(id)) == expected;
    })) << id
        << " is " << summary(invoice(id)) << ", expected " << expected;
  }
  const std::string p5_expected =
      in_flight.ok() ? "UNAPPLIED 0 8000 0 0 inv-e:RETURNED" : "UNAPPLIED 0 8000 0 0";
  const std::map<std::string, std::string> expected_payments = {
      {"p1", "APPLIED 10000 0 0 0 inv-a:APPLIED"},
      {"p2", "CHARGED_BACK 0 0 0 5000 inv-b:REVERSED"},
      {"p3", "APPLIED 30000 0 5000 0 inv-c:APPLIED"},
      {"p4", "APPLIED 15000 0 0 0 inv-d:APPLIED"},
      {"p5", p5_expected}};
  for (const auto& [id, expected] : expected_payments) {
    EXPECT_TRUE(eventually([&, &id = id, &expected = expected] {
      return summary(payment(id)) == expected;
    })) << id
        << " is " << summary(payment(id)) << ", expected " << expected;
  }
  pv1::GetCustomerCreditRequest credit_request;
  credit_request.set_customer(std::string(kTenant) + "/customers/acme");
  pv1::CustomerCredit credit;
  ASSERT_TRUE(payments().GetCustomerCredit(call_context().get(), credit_request, &credit).ok());
  ASSERT_EQ(credit.balances_size(), 1);
  EXPECT_EQ(credit.balances(0).minor_units(), 80'00);
  EXPECT_THAT(credit.payment_ids(), ::testing::ElementsAre("p5"));
  // Payments' view of what is open comes to agree with invoicing: only inv-b, for 200.00 (the
  // chargeback reopened it; payments learns that from invoicing's PaymentReversed).
  const auto only_b_open = [&] {
    auto open = open_invoices();
    return open.invoices_size() == 1 && open.invoices(0).invoice_id() == "inv-b" &&
           open.invoices(0).open().minor_units() == 200'00;
  };
  EXPECT_TRUE(eventually(only_b_open)) << open_invoices().DebugString();
}

// Invoices of many customers numbered from one series: each customer's events reach
// payments in order (messages are keyed by customer), and nothing is set aside in the
// dead-letter topic. The numbering series spans customers, so its events stay in invoicing's
// store: published, they would have reached payments out of order across partitions.
TEST_F(MoneyFlowEndToEnd, InvoicesOfManyCustomersFromOneSeriesReachPaymentsAndNothingIsSetAside) {
  constexpr int kCustomers = 12;
  for (int i = 0; i < kCustomers; ++i) {
    create_customer("c" + std::to_string(i));
    issue("inv-" + std::to_string(i), "c" + std::to_string(i), 10'00 + i);
  }
  ASSERT_TRUE(eventually([&] {
    for (int i = 0; i < kCustomers; ++i) {
      if (open_invoices("c" + std::to_string(i)).invoices_size() != 1) {
        return false;
      }
    }
    return true;
  })) << "payments never learned of every customer's invoice";
  // What invoicing published after each invoice is consumed by now (10 ms fetches).
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  // Exactly each customer's registered and issued (an invoice created issued is one
  // event): the reader works, and the series' events were not published.
  const auto published = read_topic(processes_.bootstrap(), std::string(bus::kInvoicingEvents));
  EXPECT_EQ(published.size(), size_t{kCustomers} * 2);
  std::vector<std::string> set_aside;  // the keys (tenant/customer) of dead letters
  for (const auto& message : read_topic(processes_.bootstrap(), std::string(bus::kDeadLetters))) {
    set_aside.push_back(message.key);
  }
  EXPECT_THAT(set_aside, ::testing::IsEmpty());
}

// What a new user did through reflection: a payment whose id is as long as payments allows,
// auto-allocated, then charged back with the bank's 1,010-character reason. Invoicing takes
// both (an allocation id is derived from the payment id; a reason is one contract's text):
// the invoice is paid, then reopened, and the two services agree.
TEST_F(MoneyFlowEndToEnd, TheLongestPaymentIdPaysTheInvoiceAndALongChargebackReasonReopensIt) {
  create_customer("acme");
  const std::string number = issue("inv-l", "acme", 120'00);
  ASSERT_TRUE(eventually([&] { return open_invoices().invoices_size() == 1; }));
  const std::string payment_id(128, 'p');
  pv1::Payment recorded;
  auto request = payment_request(payment_id, 120'00, "Facture " + number, true);
  request.set_request_id("record-longest");
  ASSERT_TRUE(payments().RecordPayment(call_context().get(), request, &recorded).ok());
  ASSERT_EQ(recorded.allocations_size(), 1);
  EXPECT_TRUE(eventually([&] { return summary(invoice("inv-l")) == "PAID 0"; }))
      << summary(invoice("inv-l"));
  EXPECT_TRUE(eventually([&] {
    return summary(payment(payment_id)) == "APPLIED 12000 0 0 0 inv-l:APPLIED";
  })) << summary(payment(payment_id));

  pv1::ChargeBackPaymentRequest bounce;
  bounce.set_name(std::string(kTenant) + "/payments/" + payment_id);
  bounce.set_reason("R01 " + std::string(1'006, 'r'));
  ASSERT_EQ(bounce.reason().size(), 1'010u);
  bounce.set_request_id("bounce-longest");
  pv1::Payment bounced;
  const auto charged_back = payments().ChargeBackPayment(call_context().get(), bounce, &bounced);
  ASSERT_TRUE(charged_back.ok()) << charged_back.error_message();
  EXPECT_TRUE(eventually([&] { return summary(invoice("inv-l")) == "ISSUED 12000"; }))
      << summary(invoice("inv-l"));

  int exit_code = -1;
  const std::string report =
      run_capture(std::string(ARFLOW_BIN_DIR) + "/arflow-reconcile --invoicing " +
                      processes_.invoicing().address() + " --payments " +
                      processes_.payments().address() + " --wait 30",
                  &exit_code);
  EXPECT_EQ(exit_code, 0) << report;
  EXPECT_TRUE(report.starts_with("AGREE")) << report;
  EXPECT_THAT(read_topic(processes_.bootstrap(), std::string(bus::kDeadLetters)),
              ::testing::IsEmpty());
}

TEST_F(MoneyFlowEndToEnd, BadInputIsRefusedNamingTheFieldAndARetryGetsTheFirstAnswer) {
  create_customer("acme");
  issue("inv-x", "acme", 100'00);
  ASSERT_TRUE(eventually([&] { return open_invoices().invoices_size() == 1; }));
  EXPECT_EQ(record("z", 0).error_message(), "amount must be > 0");
  ASSERT_TRUE(record("p1", 60'00).ok());
  pv1::RecordPaymentRequest again;
  again.set_parent(kTenant);
  again.set_payment_id("p1");
  again.set_customer_id("acme");
  *again.mutable_amount() = eur(60'00);
  again.set_method(pv1::PAYMENT_METHOD_CARD);
  again.set_request_id("another-request");  // the same payment id under a new request id
  pv1::Payment ignored;
  const auto dup = payments().RecordPayment(call_context().get(), again, &ignored);
  EXPECT_EQ(dup.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(dup.error_message(), "payment_id: payment 'p1' already exists");
  pv1::Payment first;
  ASSERT_TRUE(record("p1", 60'00, "", false, &first).ok());  // the retry: the first answer
  EXPECT_EQ(first.payment_id(), "p1");
  const auto over = allocate("p1", "inv-x", 60'01);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(over.error_message().find("allocations"), std::string::npos) << over.error_message();
  EXPECT_EQ(payment("p1").allocations_size(), 0);
}

// A bank statement's lines sent in one call: each is recorded and allocated, or refused
// naming its field, on its own; the statement sent again records nothing twice.
TEST_F(MoneyFlowEndToEnd, ABankStatementImportedInOneCallRecordsEachLineOnItsOwn) {
  create_customer("acme");
  const std::string number_a = issue("inv-a", "acme", 100'00);
  const std::string number_b = issue("inv-b", "acme", 250'00);
  ASSERT_TRUE(eventually([&] { return open_invoices().invoices_size() == 2; }));

  pv1::BatchRecordPaymentsRequest statement;
  statement.set_parent(kTenant);
  *statement.add_requests() = payment_request("s1", 100'00, "Facture " + number_a, true);
  *statement.add_requests() = payment_request("s2", 0);
  auto same_reference = payment_request("s3", 5'00);
  same_reference.set_external_reference("BANK-s1");
  *statement.add_requests() = same_reference;
  *statement.add_requests() = payment_request("s4", 100'00, "Acompte " + number_b, true);
  auto no_request_id = payment_request("s5", 7'00);
  no_request_id.clear_request_id();
  *statement.add_requests() = no_request_id;

  pv1::BatchRecordPaymentsResponse first;
  auto status = payments().BatchRecordPayments(call_context().get(), statement, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(first.results_size(), 5);
  const auto outcome = [](const pv1::BatchRecordPaymentsResponse::Result& r) {
    return std::to_string(r.code()) + " " + r.message() + " " + r.payment().payment_id() + " " +
           std::to_string(r.payment().allocations_size());
  };
  EXPECT_EQ(outcome(first.results(0)), "0  s1 1");
  EXPECT_EQ(outcome(first.results(1)), "3 amount must be > 0  0");
  EXPECT_EQ(first.results(2).code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(first.results(2).message().find("external_reference"), std::string::npos)
      << first.results(2).message();
  EXPECT_EQ(outcome(first.results(3)), "0  s4 1");
  EXPECT_EQ(first.results(4).code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(first.results(4).message().rfind("requests[4].request_id must be set", 0), 0u)
      << first.results(4).message();

  // The statement sent again: the same answers, and nothing recorded twice.
  pv1::BatchRecordPaymentsResponse again;
  ASSERT_TRUE(payments().BatchRecordPayments(call_context().get(), statement, &again).ok());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(outcome(again.results(i)), outcome(first.results(i))) << "line " << i;
  }
  EXPECT_EQ(again.results(0).payment().create_time().seconds(),
            first.results(0).payment().create_time().seconds());
  // One line retried on its own gets the answer the statement got.
  pv1::Payment alone;
  ASSERT_TRUE(payments().RecordPayment(call_context().get(), statement.requests(3), &alone).ok());
  EXPECT_EQ(alone.SerializeAsString(), first.results(3).payment().SerializeAsString());
  pv1::ListPaymentsRequest list;
  list.set_parent(kTenant);
  pv1::ListPaymentsResponse listed;
  ASSERT_TRUE(payments().ListPayments(call_context().get(), list, &listed).ok());
  EXPECT_EQ(listed.payments_size(), 2);

  EXPECT_TRUE(eventually([&] {
    return summary(invoice("inv-a")) == "PAID 0" &&
           summary(invoice("inv-b")) == "PARTIALLY_PAID 15000";
  })) << summary(invoice("inv-a"))
      << ", " << summary(invoice("inv-b"));

  pv1::BatchRecordPaymentsRequest empty;
  empty.set_parent(kTenant);
  pv1::BatchRecordPaymentsResponse none;
  const auto refused = payments().BatchRecordPayments(call_context().get(), empty, &none);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(refused.error_message(), "requests must hold 1 to 1000 requests");
}

}  // namespace
}  // namespace arflow::testing
