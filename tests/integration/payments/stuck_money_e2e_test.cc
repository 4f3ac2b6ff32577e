// Money that could have stayed between invoicing and payments, and how an operator (or the
// services themselves) gets it moving again: arflow-broker, arflow-invoicing and
// arflow-payments as processes, the `arflow` CLI as the operator's hands, arflow-reconcile as
// the judge.
//  - An allocation invoicing refused (a fault drill standing for a rule an upgrade fixes) is
//    held, listed with `arflow dlq list`, and replayed with `arflow dlq replay` after the
//    upgrade: applied once, the invoice paid, the two services agree.
//  - Payments started past one of invoicing's events (as on a topic where that message was
//    skipped) asks for it, applies it and what came after it in order, and agrees.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "arflow/bus/consumer_runner.h"
#include "arflow/bus/topics.h"
#include "arflow/eventstore/command_loop.h"
#include "payments_fixture.h"
#include "support/loop_command.h"
#include "support/shell.h"
#include "support/topic_reader.h"

namespace arflow::testing {
namespace {

constexpr char kTenant[] = "tenants/dev";

class StuckMoneyEndToEnd : public ::testing::Test {
 protected:
  iv1::InvoicingService::Stub& invoicing() { return *processes_.invoicing().stub(); }
  pv1::PaymentsService::Stub& payments() { return *processes_.payments().stub(); }

  void create_customer(const std::string& id) { testing::create_customer(invoicing(), id); }
  void issue(const std::string& id, int64_t cents) {
    ASSERT_FALSE(issue_invoice(invoicing(), id, "acme", cents).empty());
  }

  std::string invoice(const std::string& id) {
    iv1::GetInvoiceRequest request;
    request.set_name(std::string(kTenant) + "/invoices/" + id);
    iv1::Invoice out;
    auto status = invoicing().GetInvoice(call_context().get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return iv1::InvoiceStatus_Name(out.status()).substr(15) + " " +
           std::to_string(out.balance().minor_units());
  }

  // What payments knows is open on `id`, in cents; -1 when it knows nothing open there.
  int64_t open_on(const std::string& id) {
    pv1::ListOpenInvoicesRequest request;
    request.set_customer(std::string(kTenant) + "/customers/acme");
    pv1::ListOpenInvoicesResponse out;
    EXPECT_TRUE(payments().ListOpenInvoices(call_context().get(), request, &out).ok());
    for (const auto& i : out.invoices()) {
      if (i.invoice_id() == id) {
        return i.open().minor_units();
      }
    }
    return -1;
  }

  grpc::Status pay(const std::string& payment, const std::string& invoice, int64_t cents) {
    pv1::RecordPaymentRequest record;
    record.set_parent(kTenant);
    record.set_payment_id(payment);
    record.set_customer_id("acme");
    *record.mutable_amount() = eur(cents);
    record.set_method(pv1::PAYMENT_METHOD_BANK_TRANSFER);
    *record.mutable_received_on() = date(2026, 12, 2);
    record.set_request_id("record-" + payment);
    pv1::Payment out;
    if (auto s = payments().RecordPayment(call_context().get(), record, &out); !s.ok()) {
      return s;
    }
    pv1::AllocatePaymentRequest allocate;
    allocate.set_name(std::string(kTenant) + "/payments/" + payment);
    auto* a = allocate.add_allocations();
    a->set_invoice_id(invoice);
    *a->mutable_amount() = eur(cents);
    allocate.set_request_id("allocate-" + payment);
    return payments().AllocatePayment(call_context().get(), allocate, &out);
  }

  // The `arflow` CLI against both services: its output (stdout and stderr) and exit code.
  std::string arflow(const std::string& args, int* exit_code) {
    return run_capture(std::string(ARFLOW_BIN_DIR) + "/arflow --addr " +
                           processes_.invoicing().address() + " --payments-addr " +
                           processes_.payments().address() + " " + args + " 2>&1",
                       exit_code);
  }

  std::string reconcile(int* exit_code) {
    return run_capture(std::string(ARFLOW_BIN_DIR) + "/arflow-reconcile --invoicing " +
                           processes_.invoicing().address() + " --payments " +
                           processes_.payments().address() + " --wait 30",
                       exit_code);
  }

  MoneyFlowProcesses processes_;
};

TEST_F(StuckMoneyEndToEnd, ARefusedAllocationIsListedThenReplayedAfterTheUpgradeAndAppliedOnce) {
  // Invoicing refuses allocations, as a release with a too strict rule would.
  ASSERT_TRUE(processes_.invoicing().start({"--drill-refuse-events", "payment_allocated"}));
  ASSERT_TRUE(processes_.payments().start());
  create_customer("acme");
  issue("inv-1", 100'00);
  ASSERT_TRUE(eventually([&] { return open_on("inv-1") == 100'00; }));
  ASSERT_TRUE(pay("p1", "inv-1", 100'00).ok());

  int code = -1;
  std::string listed;
  ASSERT_TRUE(eventually([&] {
    listed = arflow("dlq list --service invoicing", &code);
    return listed.find("payment/p1@2") != std::string::npos;
  })) << listed;
  EXPECT_EQ(code, 0);
  EXPECT_THAT(listed, ::testing::HasSubstr("invoicing  invoicing.payments  payment/p1@2  REFUSED  "
                                           "payment_allocated"));
  EXPECT_THAT(listed, ::testing::HasSubstr("payment_allocated refused by the fault drill"));
  const std::string shown = arflow("dlq show payment/p1@2 --service invoicing", &code);
  EXPECT_EQ(code, 0) << shown;
  EXPECT_THAT(shown, ::testing::HasSubstr("payment_allocated {"));
  EXPECT_EQ(invoice("inv-1"), "ISSUED 10000");

  // The upgrade: invoicing restarted without the faulty rule, then the operator replays.
  ASSERT_EQ(processes_.invoicing().stop(), 0);
  ASSERT_TRUE(processes_.invoicing().start());
  const std::string replayed = arflow("dlq replay payment/p1@2 --service invoicing", &code);
  EXPECT_EQ(code, 0) << replayed;
  EXPECT_THAT(replayed, ::testing::HasSubstr("applied 1, still held 0"));
  EXPECT_EQ(invoice("inv-1"), "PAID 0");
  // A second replay changes nothing.
  const std::string twice = arflow("dlq replay payment/p1@2 --service invoicing", &code);
  EXPECT_EQ(code, 1) << twice;
  EXPECT_THAT(twice, ::testing::HasSubstr("NOT_FOUND"));
  EXPECT_EQ(invoice("inv-1"), "PAID 0");
  EXPECT_THAT(arflow("dlq list", &code), ::testing::HasSubstr("nothing held"));

  const std::string report = reconcile(&code);
  EXPECT_EQ(code, 0) << report;
  EXPECT_TRUE(report.starts_with("AGREE")) << report;
}

TEST_F(StuckMoneyEndToEnd, AConsumerThatNeverReceivedAnEventAsksForItAndCatchesUpInOrder) {
  ASSERT_TRUE(processes_.start());
  create_customer("acme");
  issue("inv-1", 100'00);
  ASSERT_TRUE(eventually([&] { return open_on("inv-1") == 100'00; }));
  ASSERT_EQ(processes_.payments().stop(), 0);

  // While payments is down, two late fees: versions 2 and 3 of the invoice's stream.
  for (const auto& [source, cents] : {std::pair{"fee-1", 10'00}, std::pair{"fee-2", 5'00}}) {
    iv1::AddLateFeeRequest fee;
    fee.set_name(std::string(kTenant) + "/invoices/inv-1");
    fee.set_source_id(source);
    fee.set_kind(iv1::LATE_FEE_KIND_FEE);
    fee.set_description("Late payment fee");
    *fee.mutable_amount() = eur(cents);
    *fee.mutable_as_of() = date(2026, 12, 1);
    fee.set_request_id(std::string("add-") + source);
    iv1::Invoice out;
    auto status = invoicing().AddLateFee(call_context().get(), fee, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  // Payments is made to start past version 2, as on a topic where that message was skipped.
  ReadMessage second;
  ASSERT_TRUE(eventually([&] {
    for (const auto& m : read_topic(processes_.bootstrap(), std::string(bus::kInvoicingEvents))) {
      eventstore::Envelope e;
      if (e.ParseFromString(m.value) && e.stream() == "dev/invoice/inv-1" && e.version() == 2) {
        second = m;
        return true;
      }
    }
    return false;
  }));
  {
    auto store = eventstore::Store::open(
        {.path = processes_.data_dir("payments") + "/store", .events_topic = ""});
    ASSERT_TRUE(store.ok()) << store.status();
    eventstore::CommandLoop loop(**store);
    auto moved = run_command<bool>(
        loop, "dev", [&](eventstore::Transaction& txn, const eventstore::Caller&) -> Result<bool> {
          txn.put(bus::ConsumerRunner::offset_key(
                      "payments.invoicing", std::string(bus::kInvoicingEvents), second.partition),
                  eventstore::be64(static_cast<uint64_t>(second.offset + 1)));
          return true;
        });
    ASSERT_TRUE(moved.ok()) << moved.status();
  }
  ASSERT_TRUE(processes_.payments().start());

  // Version 3 arrives first: held, version 2 asked of invoicing, both applied in order.
  EXPECT_TRUE(eventually([&] { return open_on("inv-1") == 115'00; })) << open_on("inv-1");
  int code = -1;
  EXPECT_THAT(arflow("dlq list", &code), ::testing::HasSubstr("nothing held"));
  ASSERT_TRUE(pay("p1", "inv-1", 115'00).ok());
  EXPECT_TRUE(eventually([&] { return invoice("inv-1") == "PAID 0"; })) << invoice("inv-1");
  const std::string report = reconcile(&code);
  EXPECT_EQ(code, 0) << report;
  EXPECT_TRUE(report.starts_with("AGREE")) << report;
}

}  // namespace
}  // namespace arflow::testing
