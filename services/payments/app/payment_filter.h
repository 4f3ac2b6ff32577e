#pragma once
// The `filter` of ListPayments: the AIP-160 subset of arflow/contract/filter_syntax.h over a
// payment's fields, parsed once per request and evaluated on each payment scanned. Pure.
//
//   customer_id = "c-42" AND method = BANK_TRANSFER AND received_on >= 2026-11-01
//   unapplied = true
//
// Fields and the operators they take:
//   customer_id    text                            = !=
//   currency       ISO 4217 code                   = !=
//   method         PaymentMethod (CARD, ...)       = !=
//   status         PaymentStatus (APPLIED, ...)    = !=
//   received_on    YYYY-MM-DD                      = != < <= > >=
//   unapplied      true | false                    =    (money still to match, or none)
// Enum values are the short name or the full proto name (PAYMENT_METHOD_CARD), upper case.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "arflow/contract/filter_syntax.h"
#include "arflow/core/error.h"
#include "arflow/payments/v1/payments_service.pb.h"

namespace arflow::payments {

enum class PaymentField { kCustomerId, kCurrency, kMethod, kStatus, kReceivedOn, kUnapplied };

struct PaymentComparison {
  PaymentField field;
  contract::FilterOperator op;
  std::variant<std::string, contract::Date, v1::PaymentMethod, v1::PaymentStatus, bool> value;
};

// Comparisons that must all hold; none matches every payment.
struct PaymentFilter {
  std::vector<PaymentComparison> comparisons;
};

// INVALID_ARGUMENT "filter <rule>" naming the token and its position.
Result<PaymentFilter> parse_payment_filter(std::string_view text);

bool matches(const PaymentFilter& filter, const v1::Payment& payment);

// The customer id when the filter pins one with `customer_id = ...`: the service then scans
// that customer's payments rather than the tenant's.
std::optional<std::string> customer_id_equals(const PaymentFilter& filter);

}  // namespace arflow::payments
