// Due dates from payment terms, month ends included.
#include "invoicing/domain/payment_terms.h"

#include "fixtures.h"

namespace arflow::invoicing {
namespace {

using ::absl::StatusCode;
using testing::date;
using testing::money;

PaymentTerms net(uint32_t days) { return {.kind = PaymentTermsKind::kNetDays, .days = days}; }
PaymentTerms end_of_month_plus(uint32_t days) {
  return {.kind = PaymentTermsKind::kEndOfMonthPlus, .days = days};
}

TEST(PaymentTermsTest, NetDaysCountCalendarDays) {
  EXPECT_EQ(due_date(date(2026, 1, 31), net(30)), date(2026, 3, 2));
  EXPECT_EQ(due_date(date(2028, 1, 31), net(30)), date(2028, 3, 1));  // leap year
  EXPECT_EQ(due_date(date(2026, 12, 15), net(30)), date(2027, 1, 14));
  EXPECT_EQ(due_date(date(2026, 3, 10), net(0)), date(2026, 3, 10));
}

TEST(PaymentTermsTest, EndOfMonthPlusStartsFromTheLastDayOfTheIssueMonth) {
  EXPECT_EQ(due_date(date(2026, 1, 31), end_of_month_plus(30)), date(2026, 3, 2));
  EXPECT_EQ(due_date(date(2026, 1, 15), end_of_month_plus(30)), date(2026, 3, 2));
  EXPECT_EQ(due_date(date(2026, 2, 10), end_of_month_plus(30)), date(2026, 3, 30));
  EXPECT_EQ(due_date(date(2028, 2, 10), end_of_month_plus(30)), date(2028, 3, 30));
  EXPECT_EQ(due_date(date(2026, 2, 1), end_of_month_plus(0)), date(2026, 2, 28));
  EXPECT_EQ(due_date(date(2028, 2, 1), end_of_month_plus(0)), date(2028, 2, 29));
  EXPECT_EQ(due_date(date(2026, 4, 15), end_of_month_plus(45)), date(2026, 6, 14));
  EXPECT_EQ(due_date(date(2026, 12, 1), end_of_month_plus(10)), date(2027, 1, 10));
}

TEST(PaymentTermsTest, DueOnReceiptIsTheIssueDate) {
  EXPECT_EQ(due_date(date(2026, 5, 17), {.kind = PaymentTermsKind::kDueOnReceipt}),
            date(2026, 5, 17));
}

TEST(PaymentTermsTest, TermsAreValidated) {
  EXPECT_TRUE(validate_payment_terms(net(365), "t").ok());
  EXPECT_ERROR(validate_payment_terms(net(366), "payment_terms"), StatusCode::kInvalidArgument,
               "payment_terms.days must be at most 365");
  EXPECT_ERROR(validate_payment_terms({}, "payment_terms"), StatusCode::kInvalidArgument,
               "payment_terms.kind must be NET_DAYS, END_OF_MONTH_PLUS or DUE_ON_RECEIPT");
  EXPECT_ERROR(validate_early_payment_discount({.rate_bps = 0, .days = 10}, "d"),
               StatusCode::kInvalidArgument, "d.rate_bps must be between 1 and 10000");
  EXPECT_ERROR(validate_late_payment_terms({.penalty_rate_bps = 10001}, "EUR", "l"),
               StatusCode::kInvalidArgument, "l.penalty_rate_bps must be between 0 and 10000");
  EXPECT_ERROR(
      validate_late_payment_terms(
          {.penalty_rate_bps = 1200, .recovery_indemnity = money(4000, "USD")}, "EUR", "l"),
      StatusCode::kInvalidArgument,
      "l.recovery_indemnity currency USD must be the invoice's currency EUR");
  EXPECT_ERROR(validate_date(date(2026, 2, 30), "issue_date"), StatusCode::kInvalidArgument,
               "issue_date must be a valid date");
}

}  // namespace
}  // namespace arflow::invoicing
