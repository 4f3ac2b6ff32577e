// The invoicing application layer against a real store and command loop: what the executor
// keeps of an invoice between commands (eventstore::FoldCache) is, after every kind of
// change, what the invoice's committed events fold to.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>

#include "arflow/eventstore/command_loop.h"
#include "fixtures.h"
#include "invoicing/app/aggregates.h"
#include "invoicing/app/execute.h"
#include "invoicing/app/keys.h"
#include "invoicing/app/queries.h"
#include "invoicing/app/resources.h"
#include "invoicing/domain/events.h"
#include "invoicing/domain/series.h"
#include "support/loop_command.h"

namespace arflow::invoicing {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the fixtures
using eventstore::Transaction;

class InvoicingAppTest : public arflow::testing::LoopTest {
 protected:
  void SetUp() override { open("arflow.invoicing.events.v1"); }

  template <typename... Command>
  void exec(const Command&... command) {
    auto done = run<bool>([&](Transaction& txn, const app::Caller& caller) -> Result<bool> {
      ARFLOW_RETURN_IF_ERROR(app::execute(txn, caller, command...).status());
      return true;
    });
    ASSERT_TRUE(done.ok()) << done.status();
  }
  // A command of the payments reaction, answered with a status only.
  template <typename Command>
  void react(const Command& command) {
    auto done = run<bool>([&](Transaction& txn, const app::Caller& caller) -> Result<bool> {
      ARFLOW_RETURN_IF_ERROR(app::execute(txn, caller, command));
      return true;
    });
    ASSERT_TRUE(done.ok()) << done.status();
  }

  // The invoice as the executor loads it is the invoice its committed events fold to.
  void expect_kept_is_folded(std::string_view id) {
    auto kept = run<app::LoadedInvoice>([&](Transaction& txn, const app::Caller& caller) {
      return app::load_invoice(txn, caller.tenant, id);
    });
    auto folded = app::read_invoice(*store_, kTenant, id);
    ASSERT_TRUE(kept.ok()) << kept.status();
    ASSERT_TRUE(folded.ok()) << folded.status();
    EXPECT_EQ(kept->position.version, folded->position.version);
    EXPECT_EQ(kept->position.created, folded->position.created);
    EXPECT_EQ(kept->position.updated, folded->position.updated);
    EXPECT_EQ(app::invoice_resource(*kept, app::InvoiceDetail::kFull).DebugString(),
              app::invoice_resource(*folded, app::InvoiceDetail::kFull).DebugString());
  }
};

TEST_F(InvoicingAppTest, WhatTheExecutorKeepsOfAnInvoiceIsWhatItsEventsFoldTo) {
  auto customer = run<v1::Customer>([](Transaction& txn, const app::Caller& caller) {
    return app::execute(txn, caller,
                        RegisterCustomer{.customer_id = "c1", .details = customer_details()});
  });
  ASSERT_TRUE(customer.ok()) << customer.status();

  // Drafted and issued in one command: appended in one go, kept once.
  exec(DraftInvoice{.invoice_id = "i1",
                    .customer_id = "c1",
                    .content =
                        content_of({line("3", money(10000), 2000), line("1.5", money(3333), 550)})},
       IssueInvoice{.invoice_id = "i1", .series = "2026", .issue_date = date(2026, 11, 2)});
  expect_kept_is_folded("i1");

  react(ApplyPayment{.invoice_id = "i1",
                     .allocation_id = "p1-a1",
                     .amount = money(5000),
                     .paid_on = date(2026, 11, 20)});
  expect_kept_is_folded("i1");

  exec(RecordRecipientStatus{.invoice_id = "i1",
                             .status = RecipientStatus::kReceived,
                             .reason = "on the platform",
                             .reported_at = from_unix_millis(1'795'000'000'000)});
  expect_kept_is_folded("i1");

  exec(IssueCreditNote{.invoice_id = "i1",
                       .credit_note_id = "cn1",
                       .series = "CN-2026",
                       .issue_date = date(2026, 11, 21),
                       .reason = "one unit returned",
                       .full = false,
                       .lines = {line("1", money(10000), 2000)}});
  expect_kept_is_folded("i1");

  react(ReversePayment{.invoice_id = "i1", .allocation_id = "p1-a1", .reason = "chargeback"});
  expect_kept_is_folded("i1");

  // A draft recorded on its own, then issued by a later command.
  exec(DraftInvoice{.invoice_id = "i2", .customer_id = "c1", .content = simple_content()});
  expect_kept_is_folded("i2");
  exec(IssueInvoice{.invoice_id = "i2", .series = "2026", .issue_date = date(2026, 11, 3)});
  expect_kept_is_folded("i2");
}

TEST_F(InvoicingAppTest, AnInvoiceDraftedAndIssuedByOneCommandIsOneEventAndReadsTheSame) {
  auto customer = run<v1::Customer>([](Transaction& txn, const app::Caller& caller) {
    return app::execute(txn, caller,
                        RegisterCustomer{.customer_id = "c1", .details = customer_details()});
  });
  ASSERT_TRUE(customer.ok()) << customer.status();
  InvoiceContent content = content_of({line("2", money(4500), 2000), line("1", money(900), 550)});
  content.early_payment_discount = EarlyPaymentDiscount{.rate_bps = 150, .days = 8};

  exec(DraftInvoice{.invoice_id = "direct", .customer_id = "c1", .content = content},
       IssueInvoice{.invoice_id = "direct", .series = "2026", .issue_date = date(2026, 11, 2)});
  exec(DraftInvoice{.invoice_id = "later", .customer_id = "c1", .content = content});
  exec(IssueInvoice{.invoice_id = "later", .series = "2026", .issue_date = date(2026, 11, 2)});

  auto direct = app::read_invoice(*store_, kTenant, "direct");
  auto later = app::read_invoice(*store_, kTenant, "later");
  ASSERT_TRUE(direct.ok()) << direct.status();
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(direct->position.version, 1u);  // InvoiceIssued alone
  EXPECT_EQ(later->position.version, 2u);   // InvoiceDrafted, InvoiceIssued
  const v1::Invoice a = app::invoice_resource(*direct, app::InvoiceDetail::kFull);
  const v1::Invoice b = app::invoice_resource(*later, app::InvoiceDetail::kFull);
  EXPECT_EQ(a.status(), v1::INVOICE_STATUS_ISSUED);
  EXPECT_EQ(a.content().DebugString(), b.content().DebugString());
  EXPECT_EQ(a.total().DebugString(), b.total().DebugString());
  EXPECT_EQ(a.due_date().DebugString(), b.due_date().DebugString());
  expect_kept_is_folded("direct");
}

// A billing run asking for the BASIC view gets each invoice's list row as written, in wire
// form (the batch call sends it on unparsed); the FULL view is the resource itself.
TEST_F(InvoicingAppTest, ABasicAnswerIsTheInvoicesListRowAsWritten) {
  exec(RegisterCustomer{.customer_id = "c1", .details = customer_details()});
  struct Answered {
    bool wire = false;
    std::string bytes;
  };
  const auto issue = [&](const std::string& id, app::InvoiceDetail detail) {
    return run<Answered>([&](Transaction& txn, const app::Caller& caller) -> Result<Answered> {
      auto answer = app::execute(
          txn, caller,
          DraftInvoice{.invoice_id = id, .customer_id = "c1", .content = simple_content()},
          IssueInvoice{.invoice_id = id, .series = "2026", .issue_date = date(2026, 11, 2)},
          detail);
      if (!answer.ok()) {
        return answer.status();
      }
      return Answered{.wire = answer->is_wire(), .bytes = answer->serialized()};
    });
  };
  auto basic = issue("i1", app::InvoiceDetail::kBasic);
  ASSERT_TRUE(basic.ok()) << basic.status();
  EXPECT_TRUE(basic->wire);
  auto row = store_->get(eventstore::Column::kState, app::invoice_row(kTenant, "i1"));
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ(basic->bytes, **row);
  v1::Invoice listed;
  ASSERT_TRUE(listed.ParseFromString(basic->bytes));
  EXPECT_EQ(listed.number(), "2026-000001");
  EXPECT_EQ(listed.content().lines_size(), 0);

  auto full = issue("i2", app::InvoiceDetail::kFull);
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_FALSE(full->wire);
  v1::Invoice shown;
  ASSERT_TRUE(shown.ParseFromString(full->bytes));
  EXPECT_EQ(shown.number(), "2026-000002");
  EXPECT_GT(shown.content().lines_size(), 0);
}

TEST_F(InvoicingAppTest, AnInvoiceIssuedAfterItsCustomerChangedPrintsTheCustomerAsChanged) {
  auto customer = run<v1::Customer>([](Transaction& txn, const app::Caller& caller) {
    return app::execute(txn, caller,
                        RegisterCustomer{.customer_id = "c1", .details = customer_details()});
  });
  ASSERT_TRUE(customer.ok()) << customer.status();
  const auto issue = [&](const std::string& id) {
    exec(DraftInvoice{.invoice_id = id, .customer_id = "c1", .content = simple_content()},
         IssueInvoice{.invoice_id = id, .series = "2026", .issue_date = date(2026, 11, 2)});
    auto invoice = app::read_invoice(*store_, kTenant, id);
    EXPECT_TRUE(invoice.ok()) << invoice.status();
    return invoice.ok() ? invoice->state.issued->customer.legal_name : "";
  };
  const auto rename = [&](const std::string& name) {
    v1::CustomerDetails patch;
    patch.set_legal_name(name);
    google::protobuf::FieldMask mask;
    mask.add_paths("legal_name");
    return run<v1::Customer>([&](Transaction& txn, const app::Caller& caller) {
      return app::update_customer(txn, caller, "c1", patch, mask);
    });
  };

  EXPECT_EQ(issue("i1"), "Commune de Lyon");
  ASSERT_TRUE(rename("Ville de Lyon").ok());
  EXPECT_EQ(issue("i2"), "Ville de Lyon");

  // A change rolled back with its command is not printed.
  auto refused =
      run<v1::Customer>([&](Transaction& txn, const app::Caller& caller) -> Result<v1::Customer> {
        v1::CustomerDetails patch;
        patch.set_legal_name("Metropole de Lyon");
        google::protobuf::FieldMask mask;
        mask.add_paths("legal_name");
        ARFLOW_RETURN_IF_ERROR(app::update_customer(txn, caller, "c1", patch, mask).status());
        ARFLOW_RETURN_IF_ERROR(app::load_customer(txn, caller.tenant, "c1").status());  // read back
        return absl::FailedPreconditionError("refused after the change");
      });
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(issue("i3"), "Ville de Lyon");
  // The next change takes the version the rolled-back one had.
  ASSERT_TRUE(rename("Grand Lyon").ok());
  EXPECT_EQ(issue("i4"), "Grand Lyon");
}

// A series keeps its last number as a row written with the document that took it. A series
// that gave its numbers before the row existed (one DocumentNumberAssigned per number on its
// stream) goes on from its stream's last number; a refused issue spends none.
TEST_F(InvoicingAppTest, ASeriesGoesOnFromItsLastNumberWhereverItWasKept) {
  auto customer = run<v1::Customer>([](Transaction& txn, const app::Caller& caller) {
    return app::execute(txn, caller,
                        RegisterCustomer{.customer_id = "c1", .details = customer_details()});
  });
  ASSERT_TRUE(customer.ok()) << customer.status();
  const std::string old_stream = app::tenant_stream(kTenant, series_stream("OLD"));
  auto old = run<bool>([&](Transaction& txn, const app::Caller&) -> Result<bool> {
    std::vector<eventstore::Envelope> numbers(3);
    for (size_t i = 0; i < numbers.size(); ++i) {
      auto& number = *numbers[i].mutable_document_number_assigned();
      number.set_series("OLD");
      number.set_sequence(i + 1);
      number.set_number(document_number("OLD", i + 1));
      numbers[i].set_tenant_id(std::string(kTenant));
      numbers[i].set_customer_id("c1");
    }
    ARFLOW_RETURN_IF_ERROR(txn.append(old_stream, eventstore::ExpectedVersion::no_stream(), numbers,
                                      eventstore::Publication::kStoreOnly)
                               .status());
    return true;
  });
  ASSERT_TRUE(old.ok()) << old.status();

  const auto issue = [&](const std::string& id, const std::string& series) {
    return run<v1::Invoice>(
        [&](Transaction& txn, const app::Caller& caller) -> Result<v1::Invoice> {
          auto answer = app::execute(
              txn, caller,
              DraftInvoice{.invoice_id = id, .customer_id = "c1", .content = simple_content()},
              IssueInvoice{.invoice_id = id, .series = series, .issue_date = date(2026, 11, 2)});
          if (!answer.ok()) {
            return answer.status();
          }
          return std::move(*answer).to_resource();
        });
  };
  EXPECT_EQ(issue("i1", "OLD")->number(), "OLD-000004");
  EXPECT_EQ(issue("i2", "NEW")->number(), "NEW-000001");
  EXPECT_EQ(issue("i1", "NEW").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(issue("i3", "OLD")->number(), "OLD-000005");
  EXPECT_EQ(issue("i4", "NEW")->number(), "NEW-000002");

  // The numbers went to the rows; the streams hold only what the old numbering wrote.
  EXPECT_EQ(*store_->stream_version(old_stream), 3u);
  EXPECT_EQ(*store_->stream_version(app::tenant_stream(kTenant, series_stream("NEW"))), 0u);
  auto row = store_->get(eventstore::Column::kState, app::series_row(kTenant, "NEW"));
  ASSERT_TRUE(row.ok() && row->has_value());
  v1::DocumentNumberAssigned last;
  ASSERT_TRUE(last.ParseFromString(**row));
  EXPECT_EQ(last.number(), "NEW-000002");
  EXPECT_EQ(last.document_id(), "i4");
}

// Numbers follow dates. An issue dated before the series' last document is refused as the
// store sees it: nothing is written, the row keeps its last number, and the next issue that
// follows the dates takes last + 1. A row written before numbers recorded their date has
// nothing to compare with; the next number records one.
TEST_F(InvoicingAppTest, AnIssueDatedBeforeTheLastDocumentOfItsSeriesWritesNothing) {
  exec(RegisterCustomer{.customer_id = "c1", .details = customer_details()});
  const auto issue = [&](const std::string& id, const std::string& series, Date on) {
    return run<v1::Invoice>(
        [&](Transaction& txn, const app::Caller& caller) -> Result<v1::Invoice> {
          auto answer = app::execute(
              txn, caller,
              DraftInvoice{.invoice_id = id, .customer_id = "c1", .content = simple_content()},
              IssueInvoice{.invoice_id = id, .series = series, .issue_date = on});
          if (!answer.ok()) {
            return answer.status();
          }
          return std::move(*answer).to_resource();
        });
  };
  const auto row_of = [&](const std::string& series) {
    auto row = store_->get(eventstore::Column::kState, app::series_row(kTenant, series));
    EXPECT_TRUE(row.ok() && row->has_value());
    return row.ok() && row->has_value() ? **row : std::string();
  };

  EXPECT_EQ(issue("i1", "2026", date(2026, 12, 7))->number(), "2026-000001");
  const std::string before = row_of("2026");

  auto refused = issue("i2", "2026", date(2026, 9, 1));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(message_of(refused.status()),
            "issue_date: 2026-09-01 is before 2026-12-07, the date of the last document of "
            "series '2026' (2026-000001); numbers follow dates");
  // A stored draft, issued by its own command: refused the same way.
  exec(DraftInvoice{.invoice_id = "i3", .customer_id = "c1", .content = simple_content()});
  auto issued_late = run<v1::Invoice>([](Transaction& txn, const app::Caller& caller) {
    return app::execute(
        txn, caller,
        IssueInvoice{.invoice_id = "i3", .series = "2026", .issue_date = date(2026, 12, 6)});
  });
  EXPECT_EQ(issued_late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(row_of("2026"), before);
  EXPECT_EQ(*store_->stream_version(app::tenant_stream(kTenant, invoice_stream("i2"))), 0u);

  EXPECT_EQ(issue("i4", "2026", date(2026, 12, 7))->number(), "2026-000002");
  v1::DocumentNumberAssigned last;
  ASSERT_TRUE(last.ParseFromString(row_of("2026")));
  EXPECT_EQ(last.document_id(), "i4");
  EXPECT_EQ(last.issue_date().day(), 7u);

  // A row without a date, as numbers were kept before they recorded theirs.
  auto undated = run<bool>([](Transaction& txn, const app::Caller& caller) -> Result<bool> {
    v1::DocumentNumberAssigned number;
    number.set_series("OLD");
    number.set_sequence(7);
    number.set_number(document_number("OLD", 7));
    txn.put(app::series_row(caller.tenant, "OLD"), number.SerializeAsString());
    return true;
  });
  ASSERT_TRUE(undated.ok()) << undated.status();
  EXPECT_EQ(issue("i5", "OLD", date(2026, 1, 5))->number(), "OLD-000008");
  ASSERT_TRUE(last.ParseFromString(row_of("OLD")));
  EXPECT_EQ(last.issue_date().month(), 1u);
  EXPECT_EQ(last.issue_date().day(), 5u);
  EXPECT_EQ(issue("i6", "OLD", date(2026, 1, 4)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// Two invoices of nearly the int64 maximum: the customer's balance cannot be summed, and the
// statement says so instead of showing a wrapped (negative) balance.
TEST_F(InvoicingAppTest, AStatementWhoseBalanceCannotBeSummedIsOutOfRangeNotAWrappedTotal) {
  exec(RegisterCustomer{.customer_id = "c1", .details = customer_details()});
  constexpr int64_t kNearlyMax = std::numeric_limits<int64_t>::max() - 1;
  for (const char* id : {"i1", "i2"}) {
    exec(DraftInvoice{.invoice_id = id,
                      .customer_id = "c1",
                      .content = content_of({line("1", money(kNearlyMax), 0)})},
         IssueInvoice{.invoice_id = id, .series = "2026", .issue_date = date(2026, 11, 2)});
  }
  auto statement = app::customer_statement(*store_, kTenant, "c1", date(2026, 11, 20));
  ASSERT_FALSE(statement.ok());
  EXPECT_EQ(statement.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(message_of(statement.status()),
            "the balance of customer 'c1' in EUR exceeds the int64 range of minor units");
}

}  // namespace
}  // namespace arflow::invoicing
