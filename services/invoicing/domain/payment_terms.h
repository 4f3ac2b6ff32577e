#pragma once
// When an invoice is due, and the terms printed for early and late payment.
//
// Due dates are civil dates computed at issue, in calendar days, with no shift for weekends
// or holidays (those are the buyer's calendar, not ours; collections' grace covers them):
//  - NET_DAYS N: the issue date + N days.            31 Jan + 30 -> 2 Mar (1 Mar in a leap year)
//  - END_OF_MONTH_PLUS N: the last day of the issue month, whatever its length (28, 29, 30
//    or 31), + N days.                               15 Jan, EOM + 30 -> 31 Jan + 30 = 2 Mar
//                                                     10 Feb, EOM + 30 -> 28 Feb + 30 = 30 Mar
//    (The other French reading of "30 jours fin de mois", + N days then the end of that
//    month, is not this kind; it would be a kind of its own.)
//  - DUE_ON_RECEIPT: the issue date (an e-invoice is received the day it is issued).

#include <cstdint>
#include <string_view>

#include "arflow/core/error.h"
#include "invoicing/domain/model.h"

namespace arflow::invoicing {

// Terms longer than a year are a typo, not a contract.
inline constexpr uint32_t kMaxTermDays = 365;
// A penalty rate above 100 % a year is a typo too.
inline constexpr int64_t kMaxPenaltyRateBps = 10'000;

// kind set; days <= kMaxTermDays; DUE_ON_RECEIPT takes no days.
absl::Status validate_payment_terms(const PaymentTerms& terms, std::string_view field);
// rate 1..10000 bps, days <= kMaxTermDays.
absl::Status validate_early_payment_discount(const EarlyPaymentDiscount& discount,
                                             std::string_view field);
// penalty 0..kMaxPenaltyRateBps per year; the indemnity >= 0 and in `currency`.
absl::Status validate_late_payment_terms(const LatePaymentTerms& terms, std::string_view currency,
                                         std::string_view field);

// INVALID_ARGUMENT "<field> must be a valid date" unless `date.ok()`.
absl::Status validate_date(Date date, std::string_view field);

Date add_days(Date date, uint32_t days);
Date last_day_of_month(Date date);

// The due date of an invoice issued on `issue_date` under valid `terms`.
Date due_date(Date issue_date, const PaymentTerms& terms);

}  // namespace arflow::invoicing
