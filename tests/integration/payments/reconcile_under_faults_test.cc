// Reconciliation under faults: a mixed load of invoices issued, payments recorded
// and auto-allocated by the invoice number in their remittance text, payments charged back
// and invoices voided meanwhile, while arflow-invoicing and arflow-payments are each killed with
// SIGKILL and restarted at random moments. Every request is retried with its request id until it is
// answered, as a client would. Once quiet, arflow-reconcile (the operator's tool, run as a
// process) must find both services agreeing to the cent for every customer and invoice, and
// the payments service must hold every payment once: none lost, none applied twice.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <random>
#include <set>
#include <thread>

#include "payments_fixture.h"
#include "support/seed.h"
#include "support/shell.h"

namespace arflow::testing {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr int kInvoices = 1'500;  // the sanitizers' build is several times slower
#else
constexpr int kInvoices = 10'000;  // and as many payments: 20,000 operations and more
#endif
constexpr int kCustomers = 40;
constexpr int kWorkers = 8;
constexpr char kTenant[] = "tenants/dev";

bool retryable(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         s.error_code() == grpc::StatusCode::CANCELLED ||
         s.error_code() == grpc::StatusCode::UNKNOWN;
}

// Calls until the service answers (a killed service is restarted meanwhile): the same
// request, so the same request id, every time.
template <typename Service>
grpc::Status until_answered(
    ServiceProcess<Service>& service,
    const std::function<grpc::Status(typename Service::Stub&, grpc::ClientContext*)>& call) {
  grpc::Status status;
  for (int attempt = 0; attempt < 1200; ++attempt) {
    auto stub = service.stub();
    status = call(*stub, call_context(5).get());
    if (!retryable(status)) {
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return status;
}

// Waits (up to 10 s) until payments lists `invoice_id` among `customer`'s open invoices.
void await_open_invoice(ServiceProcess<pv1::PaymentsService>& payments, const std::string& customer,
                        const std::string& invoice_id) {
  pv1::ListOpenInvoicesRequest request;
  request.set_customer(std::string(kTenant) + "/customers/" + customer);
  for (int attempt = 0; attempt < 2000; ++attempt) {
    pv1::ListOpenInvoicesResponse open;
    const auto s = until_answered<pv1::PaymentsService>(payments, [&](auto& stub, auto* ctx) {
      return stub.ListOpenInvoices(ctx, request, &open);
    });
    if (s.ok() && std::any_of(open.invoices().begin(), open.invoices().end(),
                              [&](const auto& i) { return i.invoice_id() == invoice_id; })) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int64_t invoice_cents(int k) { return 1'000 + (k * 7'919) % 49'000; }

// 60% exact, 20% half, 20% ten euros over.
int64_t payment_cents(int k) {
  const int64_t due = invoice_cents(k);
  switch (k % 5) {
    case 0:
      return due / 2;
    case 1:
      return due + 1'000;
    default:
      return due;
  }
}

TEST(ReconcileUnderFaults, BothServicesKilledAtRandomStillAgreeToTheCentWithEveryPaymentOnce) {
  MoneyFlowProcesses processes;
  ASSERT_TRUE(processes.start());
  auto& invoicing = processes.invoicing();
  auto& payments = processes.payments();

  for (int c = 0; c < kCustomers; ++c) {
    iv1::CreateCustomerRequest request;
    request.set_parent(kTenant);
    request.set_customer_id("c" + std::to_string(c));
    *request.mutable_details() = acme_details();
    request.set_request_id("customer-" + std::to_string(c));
    iv1::Customer out;
    ASSERT_TRUE(invoicing.stub()->CreateCustomer(call_context().get(), request, &out).ok());
  }

  std::atomic<bool> loading{true};
  std::atomic<int> kills{0};
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::atomic<int> voided{0};
  std::mutex failure_mu;
  std::string first_failure;
  const auto fail = [&](const std::string& what, const grpc::Status& s) {
    if (failures.fetch_add(1) == 0) {
      std::lock_guard lock(failure_mu);
      first_failure = what + ": " + s.error_message();
    }
  };

  std::thread killer([&, seed = test_seed(20261123)] {
    std::mt19937_64 random(seed);
    while (loading.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(700 + random() % 1500));
      if (!loading.load()) {
        break;
      }
      const bool payments_side = random() % 2 == 0;
      if (payments_side) {
        payments.kill();
        ASSERT_TRUE(payments.start());
      } else {
        invoicing.kill();
        ASSERT_TRUE(invoicing.start());
      }
      ++kills;
    }
  });

  std::vector<std::thread> workers;
  workers.reserve(kWorkers);
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      for (int k = next++; k < kInvoices; k = next++) {
        const std::string id = std::to_string(k);
        const std::string customer = "c" + std::to_string(k % kCustomers);
        iv1::CreateInvoiceRequest issue;
        issue.set_parent(kTenant);
        issue.set_invoice_id("inv-" + id);
        issue.set_customer_id(customer);
        issue.mutable_content()->set_currency("EUR");
        *issue.mutable_content()->add_lines() = line("Service", 1, invoice_cents(k), 0);
        issue.set_issue(true);
        issue.set_series("F");
        *issue.mutable_issue_date() = date(2026, 10, 1);
        issue.set_request_id("issue-" + id);
        iv1::Invoice invoice;
        auto s = until_answered<iv1::InvoicingService>(invoicing, [&](auto& stub, auto* ctx) {
          return stub.CreateInvoice(ctx, issue, &invoice);
        });
        if (!s.ok()) {
          fail("issue " + id, s);
          continue;
        }
        if (k % 10 == 3) {
          // The invoice is voided right after its payment. For the void to race an allocation
          // in flight (rather than meet a payment that payments could not allocate yet),
          // payments must know the invoice first: under the sanitizers its InvoiceIssued may
          // take longer to arrive than this worker takes to pay.
          await_open_invoice(payments, customer, "inv-" + id);
        }
        pv1::RecordPaymentRequest record;
        record.set_parent(kTenant);
        record.set_payment_id("pay-" + id);
        record.set_customer_id(customer);
        *record.mutable_amount() = eur(payment_cents(k));
        record.set_method(pv1::PAYMENT_METHOD_BANK_TRANSFER);
        record.set_external_reference("BANK-" + id);
        record.set_remittance_text("Invoice " + invoice.number());
        record.set_auto_allocate(true);
        record.set_request_id("record-" + id);
        pv1::Payment payment;
        s = until_answered<pv1::PaymentsService>(payments, [&](auto& stub, auto* ctx) {
          return stub.RecordPayment(ctx, record, &payment);
        });
        if (!s.ok()) {
          fail("record " + id, s);
          continue;
        }
        if (k % 50 == 7) {  // the bank takes it back, allocations and all
          pv1::ChargeBackPaymentRequest bounce;
          bounce.set_name(std::string(kTenant) + "/payments/pay-" + id);
          bounce.set_reason("R01 insufficient funds");
          bounce.set_request_id("bounce-" + id);
          pv1::Payment out;
          s = until_answered<pv1::PaymentsService>(payments, [&](auto& stub, auto* ctx) {
            return stub.ChargeBackPayment(ctx, bounce, &out);
          });
          if (!s.ok()) {
            fail("charge back " + id, s);
          }
        }
        if (k % 10 == 3) {  // voided while the allocation to it may be in flight
          iv1::CreateCreditNoteRequest cancel;
          cancel.set_name(std::string(kTenant) + "/invoices/inv-" + id);
          cancel.set_credit_note_id("cn-" + id);
          cancel.set_series("AV");
          cancel.set_reason("cancelled");
          cancel.set_full(true);
          cancel.set_request_id("void-" + id);
          iv1::Invoice out;
          s = until_answered<iv1::InvoicingService>(invoicing, [&](auto& stub, auto* ctx) {
            return stub.CreateCreditNote(ctx, cancel, &out);
          });
          if (s.ok()) {
            ++voided;
          } else if (s.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
            fail("void " + id, s);  // a paid invoice cannot be voided: that one is fine
          }
        }
      }
    });
  }
  for (auto& w : workers) {
    w.join();
  }
  loading = false;
  killer.join();
  ASSERT_EQ(failures.load(), 0) << first_failure;
  EXPECT_GE(kills.load(), 2) << "the load ended before the services were killed";

  int exit_code = -1;
  const std::string report =
      run_capture(std::string(ARFLOW_BIN_DIR) + "/arflow-reconcile --invoicing " +
                      invoicing.address() + " --payments " + payments.address() + " --wait 180",
                  &exit_code);
  EXPECT_EQ(exit_code, 0) << report;
  EXPECT_TRUE(report.starts_with("AGREE")) << report;

  // Every payment once, with the amount recorded: none lost, none doubled.
  std::set<std::string> ids;
  int64_t total = 0;
  pv1::ListPaymentsRequest list;
  list.set_parent(kTenant);
  list.set_page_size(1000);
  do {
    pv1::ListPaymentsResponse page;
    ASSERT_TRUE(payments.stub()->ListPayments(call_context().get(), list, &page).ok());
    for (const auto& p : page.payments()) {
      EXPECT_TRUE(ids.insert(p.payment_id()).second) << p.payment_id() << " listed twice";
      total += p.amount().minor_units();
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  int64_t recorded = 0;
  for (int k = 0; k < kInvoices; ++k) {
    recorded += payment_cents(k);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kInvoices));
  EXPECT_EQ(total, recorded);
  // The saga ran: money was applied, and some came back as credit from voided invoices.
  EXPECT_THAT(report, ::testing::Not(::testing::HasSubstr(" 0 applied")));
  EXPECT_THAT(report, ::testing::Not(::testing::HasSubstr(" 0 returned")));
  EXPECT_THAT(report, ::testing::Not(::testing::HasSubstr(" 0 reversed")));
  std::cout << "kills=" << kills.load() << " voided=" << voided.load() << "\n" << report;
}

}  // namespace
}  // namespace arflow::testing
