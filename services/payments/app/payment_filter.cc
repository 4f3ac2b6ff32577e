#include "payments/app/payment_filter.h"

#include <fmt/format.h>

#include <array>

#include "arflow/core/currency.h"

namespace arflow::payments {

namespace {

using contract::FilterFieldSyntax;
using contract::FilterOperator;
using contract::FilterTerm;
using contract::quoted_token;
using contract::refuse_filter;

constexpr std::array kEqualOnly{FilterOperator::kEqual};

// In the order of PaymentField.
constexpr std::array kFields = {
    FilterFieldSyntax{.name = "customer_id", .operators = contract::kEqualityOperators},
    FilterFieldSyntax{.name = "currency", .operators = contract::kEqualityOperators},
    FilterFieldSyntax{.name = "method", .operators = contract::kEqualityOperators},
    FilterFieldSyntax{.name = "status", .operators = contract::kEqualityOperators},
    FilterFieldSyntax{.name = "received_on", .operators = contract::kEveryOperator},
    FilterFieldSyntax{.name = "unapplied", .operators = kEqualOnly},
};

Result<PaymentComparison> typed(const FilterTerm& term) {
  const auto field = static_cast<PaymentField>(term.field);
  PaymentComparison comparison{.field = field, .op = term.op, .value = term.value};
  const auto refuse = [&](std::string_view what, std::string_view expected) {
    return refuse_filter(fmt::format("has an unknown {} {} at position {}; expected {}", what,
                                     quoted_token(term.value), term.value_position, expected));
  };
  switch (field) {
    case PaymentField::kCustomerId:
      return comparison;
    case PaymentField::kCurrency:
      if (!find_currency(term.value).ok()) {
        return refuse("currency", "an ISO 4217 code such as EUR");
      }
      return comparison;
    case PaymentField::kMethod: {
      auto method = contract::parse_filter_enum<v1::PaymentMethod>(term.value, "PAYMENT_METHOD_",
                                                                   v1::PaymentMethod_Parse);
      if (!method) {
        return refuse("method", "e.g. BANK_TRANSFER or PAYMENT_METHOD_BANK_TRANSFER");
      }
      comparison.value = *method;
      return comparison;
    }
    case PaymentField::kStatus: {
      auto status = contract::parse_filter_enum<v1::PaymentStatus>(term.value, "PAYMENT_STATUS_",
                                                                   v1::PaymentStatus_Parse);
      if (!status) {
        return refuse("status", "e.g. UNAPPLIED or PAYMENT_STATUS_UNAPPLIED");
      }
      comparison.value = *status;
      return comparison;
    }
    case PaymentField::kReceivedOn: {
      auto date = contract::filter_date_of(term);
      if (!date.ok()) {
        return date.status();
      }
      comparison.value = *date;
      return comparison;
    }
    case PaymentField::kUnapplied:
      if (term.value != "true" && term.value != "false") {
        return refuse("value", "true or false");
      }
      comparison.value = term.value == "true";
      return comparison;
  }
  return refuse("field", "a field of the payment");
}

bool holds(const PaymentComparison& c, const v1::Payment& payment) {
  switch (c.field) {
    case PaymentField::kCustomerId:
      return contract::compare(c.op, payment.customer_id(), std::get<std::string>(c.value));
    case PaymentField::kCurrency:
      return contract::compare(c.op, payment.amount().currency(), std::get<std::string>(c.value));
    case PaymentField::kMethod:
      return contract::compare(c.op, payment.method(), std::get<v1::PaymentMethod>(c.value));
    case PaymentField::kStatus:
      return contract::compare(c.op, payment.status(), std::get<v1::PaymentStatus>(c.value));
    case PaymentField::kReceivedOn: {
      auto received = contract::from_proto(payment.received_on(), "received_on");
      return received.ok() && contract::compare(c.op, *received, std::get<contract::Date>(c.value));
    }
    case PaymentField::kUnapplied: {
      auto unapplied = contract::from_proto(payment.unapplied(), "unapplied");
      const bool has = unapplied.ok() && unapplied->is_positive();
      return contract::compare(c.op, has, std::get<bool>(c.value));
    }
  }
  return false;
}

}  // namespace

Result<PaymentFilter> parse_payment_filter(std::string_view text) {
  auto comparisons = contract::parse_typed_filter<PaymentComparison>(text, kFields, typed);
  if (!comparisons.ok()) {
    return comparisons.status();
  }
  return PaymentFilter{.comparisons = *std::move(comparisons)};
}

bool matches(const PaymentFilter& filter, const v1::Payment& payment) {
  for (const auto& comparison : filter.comparisons) {
    if (!holds(comparison, payment)) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> customer_id_equals(const PaymentFilter& filter) {
  for (const auto& c : filter.comparisons) {
    if (c.field == PaymentField::kCustomerId && c.op == FilterOperator::kEqual) {
      return std::get<std::string>(c.value);
    }
  }
  return std::nullopt;
}

}  // namespace arflow::payments
