#include "invoicing/domain/payment_terms.h"

#include <fmt/format.h>

namespace arflow::invoicing {

absl::Status validate_payment_terms(const PaymentTerms& terms, std::string_view field) {
  switch (terms.kind) {
    case PaymentTermsKind::kNetDays:
    case PaymentTermsKind::kEndOfMonthPlus:
      if (terms.days > kMaxTermDays) {
        return invalid_field(fmt::format("{}.days", field),
                             fmt::format("must be at most {}", kMaxTermDays));
      }
      return absl::OkStatus();
    case PaymentTermsKind::kDueOnReceipt:
      if (terms.days != 0) {
        return invalid_field(fmt::format("{}.days", field), "must be 0 when due on receipt");
      }
      return absl::OkStatus();
    case PaymentTermsKind::kUnspecified:
      break;
  }
  return invalid_field(fmt::format("{}.kind", field),
                       "must be NET_DAYS, END_OF_MONTH_PLUS or DUE_ON_RECEIPT");
}

absl::Status validate_early_payment_discount(const EarlyPaymentDiscount& discount,
                                             std::string_view field) {
  if (discount.rate_bps <= 0 || discount.rate_bps > kBasisPointsPerWhole) {
    return invalid_field(fmt::format("{}.rate_bps", field), "must be between 1 and 10000");
  }
  if (discount.days > kMaxTermDays) {
    return invalid_field(fmt::format("{}.days", field),
                         fmt::format("must be at most {}", kMaxTermDays));
  }
  return absl::OkStatus();
}

absl::Status validate_late_payment_terms(const LatePaymentTerms& terms, std::string_view currency,
                                         std::string_view field) {
  if (terms.penalty_rate_bps < 0 || terms.penalty_rate_bps > kMaxPenaltyRateBps) {
    return invalid_field(fmt::format("{}.penalty_rate_bps", field),
                         fmt::format("must be between 0 and {}", kMaxPenaltyRateBps));
  }
  if (terms.recovery_indemnity.has_value()) {
    const Money& indemnity = *terms.recovery_indemnity;
    if (indemnity.currency() != currency) {
      return invalid_field(fmt::format("{}.recovery_indemnity", field),
                           fmt::format("currency {} must be the invoice's currency {}",
                                       indemnity.currency(), currency));
    }
    if (indemnity.is_negative()) {
      return invalid_field(fmt::format("{}.recovery_indemnity", field), "must be >= 0");
    }
  }
  return absl::OkStatus();
}

absl::Status validate_date(Date date, std::string_view field) {
  if (!date.ok()) {
    return invalid_field(field, "must be a valid date");
  }
  return absl::OkStatus();
}

Date add_days(Date date, uint32_t days) {
  return Date{std::chrono::sys_days(date) + std::chrono::days(days)};
}

Date last_day_of_month(Date date) {
  return Date{
      std::chrono::year_month_day_last(date.year(), std::chrono::month_day_last(date.month()))};
}

Date due_date(Date issue_date, const PaymentTerms& terms) {
  switch (terms.kind) {
    case PaymentTermsKind::kNetDays:
      return add_days(issue_date, terms.days);
    case PaymentTermsKind::kEndOfMonthPlus:
      return add_days(last_day_of_month(issue_date), terms.days);
    case PaymentTermsKind::kDueOnReceipt:
    case PaymentTermsKind::kUnspecified:  // refused by validate_payment_terms before
      break;
  }
  return issue_date;
}

}  // namespace arflow::invoicing
