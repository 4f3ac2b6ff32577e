// Gapless numbering under concurrency and crashes: 10,000 invoices are issued by 8 client
// threads while arflow-invoicing is killed with SIGKILL and started again twice. Each
// client retries a call that failed with the same request id, as a real client would.
// Afterwards the numbers are exactly 1..N, none twice, and every acknowledged invoice exists
// with the number its acknowledgement gave.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "invoicing_fixture.h"

namespace arflow::testing {
namespace {

constexpr int kClients = 8;
constexpr int kInvoices = 10'000;
constexpr int kKillAt[] = {3'000, 6'500};  // acknowledged invoices before each kill

v1::CreateInvoiceRequest issue_request(int i) {
  v1::CreateInvoiceRequest request;
  request.set_parent("tenants/dev");
  request.set_invoice_id("n-" + std::to_string(i));
  request.set_customer_id("numbering");
  request.set_request_id("issue-n-" + std::to_string(i));
  request.set_issue(true);
  request.set_series("GAPLESS");
  // One date for all: numbers follow dates, and "today" taken by each request could change
  // between two of them at midnight and refuse the one numbered after.
  request.mutable_issue_date()->set_year(2026);
  request.mutable_issue_date()->set_month(9);
  request.mutable_issue_date()->set_day(1);
  auto* content = request.mutable_content();
  content->set_currency("EUR");
  for (int l = 0; l < 3; ++l) {
    auto* line = content->add_lines();
    line->set_description("line " + std::to_string(l));
    line->mutable_quantity()->set_units(1 + l);
    line->mutable_unit_price()->set_minor_units(1000 + i);
    line->mutable_unit_price()->set_currency("EUR");
    line->set_tax_rate_bps(2000);
  }
  return request;
}

uint64_t sequence_of(const std::string& number) {
  return std::stoull(number.substr(number.rfind('-') + 1));
}

TEST(InvoiceNumbering, GaplessAndNeverReusedUnderEightClientsAndTwoCrashes) {
  InvoicingProcesses processes;
  ASSERT_TRUE(processes.start_service());
  {
    v1::CreateCustomerRequest request;
    request.set_parent("tenants/dev");
    request.set_customer_id("numbering");
    request.set_request_id("create-numbering");
    auto* d = request.mutable_details();
    d->set_legal_name("Numbering Ltd");
    d->set_profile(v1::CUSTOMER_PROFILE_BUSINESS);
    d->set_language("en");
    d->add_contact_emails("ap@numbering.example");
    d->mutable_billing_address()->add_lines("1 High Street");
    d->mutable_billing_address()->set_postal_code("EC1A 1BB");
    d->mutable_billing_address()->set_city("London");
    d->mutable_billing_address()->set_country("GB");
    d->mutable_default_payment_terms()->set_kind(v1::PaymentTerms::KIND_NET_DAYS);
    d->mutable_default_payment_terms()->set_days(30);
    v1::Customer out;
    auto status = processes.stub()->CreateCustomer(call_context().get(), request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  std::atomic<int> acknowledged{0};
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::string> acked_numbers(kInvoices);  // by invoice index; one writer each
  std::vector<std::thread> clients;
  clients.reserve(kClients);
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      for (int i = next++; i < kInvoices && !failed; i = next++) {
        const auto request = issue_request(i);
        for (int attempt = 0;; ++attempt) {
          v1::Invoice invoice;
          auto status = processes.stub()->CreateInvoice(call_context(5).get(), request, &invoice);
          if (status.ok()) {
            acked_numbers[static_cast<size_t>(i)] = invoice.number();
            ++acknowledged;
            break;
          }
          // Down or restarting: retry the same request (same request_id) until it answers.
          if ((status.error_code() != grpc::StatusCode::UNAVAILABLE &&
               status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED &&
               status.error_code() != grpc::StatusCode::CANCELLED) ||
              attempt > 2000) {
            ADD_FAILURE() << "invoice " << i << ": " << status.error_code() << " "
                          << status.error_message();
            failed = true;
            return;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      }
    });
  }
  for (const int kill_at : kKillAt) {
    while (acknowledged < kill_at && !failed) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    processes.kill_service();
    ASSERT_TRUE(processes.start_service());
  }
  for (auto& t : clients) {
    t.join();
  }
  ASSERT_FALSE(failed);
  ASSERT_EQ(acknowledged, kInvoices);

  // Every invoice the service holds, through its API.
  std::map<uint64_t, std::string> by_sequence;
  size_t listed = 0;
  v1::ListInvoicesRequest list;
  list.set_parent("tenants/dev");
  list.set_page_size(1000);
  list.set_filter("series = \"GAPLESS\"");
  do {
    v1::ListInvoicesResponse page;
    auto status = processes.stub()->ListInvoices(call_context().get(), list, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const auto& invoice : page.invoices()) {
      ++listed;
      const auto [it, inserted] =
          by_sequence.emplace(sequence_of(invoice.number()), invoice.invoice_id());
      EXPECT_TRUE(inserted) << "number " << invoice.number() << " given to " << it->second
                            << " and " << invoice.invoice_id();
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());

  EXPECT_EQ(listed, static_cast<size_t>(kInvoices));
  ASSERT_FALSE(by_sequence.empty());
  EXPECT_EQ(by_sequence.begin()->first, 1u);
  EXPECT_EQ(by_sequence.rbegin()->first, static_cast<uint64_t>(kInvoices)) << "a gap";
  for (int i = 0; i < kInvoices; ++i) {
    const std::string& number = acked_numbers[static_cast<size_t>(i)];
    auto it = by_sequence.find(sequence_of(number));
    ASSERT_NE(it, by_sequence.end()) << "acknowledged " << number << " is missing";
    EXPECT_EQ(it->second, "n-" + std::to_string(i)) << number;
  }
}

}  // namespace
}  // namespace arflow::testing
