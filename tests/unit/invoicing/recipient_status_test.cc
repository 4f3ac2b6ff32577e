// Recipient statuses: every transition, allowed or refused; they change no money.
#include "invoicing/domain/recipient_status.h"

#include <deque>
#include <map>
#include <set>

#include "fixtures.h"

namespace arflow::invoicing {
namespace {

using ::absl::StatusCode;
using testing::Book;
using testing::money;
using testing::only;
using S = RecipientStatus;

// The table of docs/invoicing.md, written out again here so that a change to the code's table
// must be a deliberate change to this one too. nullopt: no status reported yet.
const std::map<std::optional<S>, std::set<S>>& expected_table() {
  static const auto* table = new std::map<std::optional<S>, std::set<S>>{
      {std::nullopt, {S::kReceived, S::kMadeAvailable}},
      {S::kReceived, {S::kMadeAvailable, S::kToBeRecycled, S::kRefused}},
      {S::kMadeAvailable,
       {S::kApproved, S::kPartiallyApproved, S::kDisputed, S::kSuspended, S::kServiceDone,
        S::kToBeRecycled, S::kRefused}},
      {S::kApproved,
       {S::kServiceDone, S::kMandated, S::kPaymentTransmitted, S::kDisputed, S::kSuspended}},
      {S::kPartiallyApproved,
       {S::kApproved, S::kServiceDone, S::kMandated, S::kPaymentTransmitted, S::kDisputed,
        S::kSuspended}},
      {S::kServiceDone,
       {S::kApproved, S::kPartiallyApproved, S::kMandated, S::kPaymentTransmitted, S::kDisputed,
        S::kSuspended}},
      {S::kDisputed,
       {S::kApproved, S::kPartiallyApproved, S::kSuspended, S::kToBeRecycled, S::kRefused}},
      {S::kSuspended,
       {S::kMadeAvailable, S::kApproved, S::kPartiallyApproved, S::kServiceDone, S::kDisputed,
        S::kToBeRecycled, S::kRefused}},
      {S::kMandated, {S::kPaymentTransmitted, S::kCollected}},
      {S::kPaymentTransmitted, {S::kCollected}},
      {S::kToBeRecycled, {S::kReceived, S::kMadeAvailable}},
      {S::kRefused, {}},
      {S::kCollected, {}},
  };
  return *table;
}

// A shortest way from no status to `target` through the expected table.
std::vector<S> path_to(S target) {
  std::map<S, std::optional<S>> came_from;
  std::deque<std::optional<S>> queue{std::nullopt};
  while (!queue.empty()) {
    const std::optional<S> at = queue.front();
    queue.pop_front();
    for (S next : expected_table().at(at)) {
      if (!came_from.contains(next)) {
        came_from[next] = at;
        queue.emplace_back(next);
      }
    }
  }
  std::vector<S> path;
  for (std::optional<S> at = target; at.has_value(); at = came_from.at(*at)) {
    path.insert(path.begin(), *at);
  }
  return path;
}

RecordRecipientStatus report(S status, std::string reason = "as the platform says",
                             std::string invoice = "inv-1") {
  return RecordRecipientStatus{.invoice_id = std::move(invoice),
                               .status = status,
                               .reason = std::move(reason),
                               .reported_at = from_unix_millis(1'770'000'000'000)};
}

TEST(RecipientStatusTest, EveryTransitionIsAllowedOrRefusedAsDocumented) {
  std::vector<std::optional<S>> froms{std::nullopt};
  for (S s : all_recipient_statuses()) {
    froms.emplace_back(s);
  }
  ASSERT_EQ(froms.size(), expected_table().size());
  int allowed = 0;
  int refused = 0;
  for (const std::optional<S>& from : froms) {
    for (S to : all_recipient_statuses()) {
      const std::string from_name = from ? std::string(recipient_status_name(*from)) : "none";
      SCOPED_TRACE(fmt::format("{} -> {}", from_name, recipient_status_name(to)));
      Book book;
      book.issued("inv-1");
      if (from.has_value()) {
        for (S step : path_to(*from)) {
          ASSERT_TRUE(book.run(report(step)).ok());
        }
      }
      auto events = book.run(report(to));
      if (from == to) {
        ASSERT_TRUE(events.ok());
        EXPECT_TRUE(events->empty());  // the same report again
      } else if (expected_table().at(from).contains(to)) {
        ++allowed;
        ASSERT_TRUE(events.ok()) << events.status();
        const auto& e = only<v1::RecipientStatusChanged>(*events);
        EXPECT_EQ(e.status(), to_proto(to));
        EXPECT_EQ(e.previous_status(), from ? to_proto(*from) : v1::RECIPIENT_STATUS_UNSPECIFIED);
        EXPECT_EQ(book.invoice("inv-1").recipient_status->status, to);
      } else {
        ++refused;
        EXPECT_ERROR(events, StatusCode::kFailedPrecondition,
                     fmt::format("recipient status of invoice 2026-000001 cannot go from {} to {}",
                                 from_name, recipient_status_name(to)));
      }
      EXPECT_TRUE(recipient_transition_allowed(from, to) == expected_table().at(from).contains(to));
    }
  }
  EXPECT_EQ(allowed, 46);
  EXPECT_EQ(refused, 13 * 12 - 46 - 12);
}

TEST(RecipientStatusTest, AReportRecordsStatusReasonAndTime) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.run(report(S::kMadeAvailable, "")).ok());
  auto events = book.run(report(S::kDisputed, "quantity delivered was 8, not 10"));
  ASSERT_TRUE(events.ok()) << events.status();
  const auto& e = only<v1::RecipientStatusChanged>(*events);
  EXPECT_EQ(e.invoice_number(), "2026-000001");
  EXPECT_EQ(e.reason(), "quantity delivered was 8, not 10");
  EXPECT_EQ(e.reported_at().seconds(), 1'770'000'000);
  const auto& recorded = *book.invoice("inv-1").recipient_status;
  EXPECT_EQ(recorded.status, S::kDisputed);
  EXPECT_EQ(recorded.reason, "quantity delivered was 8, not 10");
  EXPECT_EQ(recorded.reported_at, from_unix_millis(1'770'000'000'000));
}

TEST(RecipientStatusTest, RefusalsDisputesAndSuspensionsMustSayWhy) {
  const std::set<S> need_reason{S::kPartiallyApproved, S::kDisputed, S::kSuspended,
                                S::kToBeRecycled, S::kRefused};
  for (S s : all_recipient_statuses()) {
    EXPECT_EQ(recipient_status_needs_reason(s), need_reason.contains(s))
        << recipient_status_name(s);
  }
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.run(report(S::kMadeAvailable, "")).ok());
  EXPECT_ERROR(book.run(report(S::kDisputed, " ")), StatusCode::kInvalidArgument,
               "reason must say why the invoice is DISPUTED");
  EXPECT_ERROR(book.run(report(S::kToBeRecycled, "")), StatusCode::kInvalidArgument,
               "reason must say why the invoice is TO_BE_RECYCLED");
}

TEST(RecipientStatusTest, StatusesChangeNoMoney) {
  Book book;
  book.issued("inv-1");
  ASSERT_TRUE(book.pay("inv-1", "alloc-1", money(2000)).ok());
  const Receivable before = book.invoice("inv-1").issued->receivable;
  for (S s : path_to(S::kCollected)) {
    ASSERT_TRUE(book.run(report(s)).ok());
  }
  const InvoiceState& after = book.invoice("inv-1");
  EXPECT_EQ(after.issued->receivable.balance, before.balance);
  EXPECT_EQ(after.issued->receivable.paid, before.paid);
  EXPECT_EQ(after.status, InvoiceStatus::kPartiallyPaid);
  EXPECT_EQ(after.recipient_status->status, S::kCollected);
}

TEST(RecipientStatusTest, ReportedOnIssuedInvoicesWhateverTheirStatus) {
  Book book;
  ASSERT_TRUE(book.run(DraftInvoice{.invoice_id = "draft",
                                    .customer_id = "cust-1",
                                    .content = testing::simple_content()})
                  .ok());
  EXPECT_ERROR(book.run(report(S::kReceived, "", "draft")), StatusCode::kFailedPrecondition,
               "invoice 'draft' is DRAFT: recipient statuses are reported on issued invoices only");
  book.issued("void");
  book.voided("void");
  EXPECT_TRUE(book.run(report(S::kReceived, "", "void")).ok());
}

TEST(RecipientStatusTest, TheReportTimeIsRequired) {
  Book book;
  book.issued("inv-1");
  RecordRecipientStatus command = report(S::kReceived);
  command.reported_at = Timestamp{};
  EXPECT_ERROR(book.run(command), StatusCode::kInvalidArgument, "reported_at must be set");
}

}  // namespace
}  // namespace arflow::invoicing
