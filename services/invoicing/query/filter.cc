#include "invoicing/query/filter.h"

#include <fmt/format.h>

#include <array>
#include <span>
#include <utility>

#include "arflow/core/currency.h"
#include "invoicing/domain/proto_convert.h"

namespace arflow::invoicing {

namespace {

using contract::compare;
using contract::FilterFieldSyntax;
using contract::FilterTerm;
using contract::quoted_token;
using contract::refuse_filter;

enum class ValueType { kText, kCurrency, kStatus, kRecipientStatus, kDate };

// The operators of text and enum fields, of dates, and of overdue_as_of.
constexpr std::span<const FilterOperator> kEquality = contract::kEqualityOperators;
constexpr std::span<const FilterOperator> kOrdered = contract::kEveryOperator;
constexpr std::array kEqualOnly{FilterOperator::kEqual};

struct FieldSpec {
  FilterFieldSyntax syntax;  // its name and operators
  FilterField field{};
  ValueType type{};
};

// In the order messages list them.
constexpr std::array kFields = {
    FieldSpec{{"customer_id", kEquality}, FilterField::kCustomerId, ValueType::kText},
    FieldSpec{{"status", kEquality}, FilterField::kStatus, ValueType::kStatus},
    FieldSpec{{"currency", kEquality}, FilterField::kCurrency, ValueType::kCurrency},
    FieldSpec{{"number", kEquality}, FilterField::kNumber, ValueType::kText},
    FieldSpec{{"series", kEquality}, FilterField::kSeries, ValueType::kText},
    FieldSpec{{"issue_date", kOrdered}, FilterField::kIssueDate, ValueType::kDate},
    FieldSpec{{"due_date", kOrdered}, FilterField::kDueDate, ValueType::kDate},
    FieldSpec{{"recipient_status", kEquality},
              FilterField::kRecipientStatus,
              ValueType::kRecipientStatus},
    FieldSpec{{"overdue_as_of", kEqualOnly}, FilterField::kOverdueAsOf, ValueType::kDate},
};

// What the parser reads: kFields' syntax, in the same order, so a term's field indexes both.
constexpr auto kSyntax = [] {
  std::array<FilterFieldSyntax, kFields.size()> out{};
  for (size_t i = 0; i < kFields.size(); ++i) {
    out[i] = kFields[i].syntax;
  }
  return out;
}();

// The term with its value of the field's type.
Result<FilterComparison> typed(const FilterTerm& term) {
  const FieldSpec& spec = kFields[term.field];
  FilterComparison comparison{.field = spec.field, .op = term.op, .value = std::string()};
  switch (spec.type) {
    case ValueType::kText:
      comparison.value = term.value;
      return comparison;
    case ValueType::kCurrency:
      if (!find_currency(term.value).ok()) {
        return refuse_filter(
            fmt::format("has an unknown currency {} at position {}; expected an "
                        "ISO 4217 code such as EUR",
                        quoted_token(term.value), term.value_position));
      }
      comparison.value = term.value;
      return comparison;
    case ValueType::kStatus: {
      auto status = contract::parse_filter_enum<v1::InvoiceStatus>(term.value, "INVOICE_STATUS_",
                                                                   v1::InvoiceStatus_Parse);
      if (!status) {
        return refuse_filter(
            fmt::format("has an unknown status {} at position {}; expected e.g. "
                        "ISSUED or INVOICE_STATUS_ISSUED",
                        quoted_token(term.value), term.value_position));
      }
      comparison.value = *status;
      return comparison;
    }
    case ValueType::kRecipientStatus: {
      auto status = contract::parse_filter_enum<v1::RecipientStatus>(
          term.value, "RECIPIENT_STATUS_", v1::RecipientStatus_Parse);
      if (!status) {
        return refuse_filter(
            fmt::format("has an unknown recipient status {} at position {}; expected "
                        "e.g. DISPUTED or RECIPIENT_STATUS_DISPUTED",
                        quoted_token(term.value), term.value_position));
      }
      comparison.value = *status;
      return comparison;
    }
    case ValueType::kDate: {
      auto date = contract::filter_date_of(term);
      if (!date.ok()) {
        return date.status();
      }
      comparison.value = *date;
      return comparison;
    }
  }
  return refuse_filter(fmt::format("has an unsupported field {}", quoted_token(spec.syntax.name)));
}

// The date when it is set and valid; an invalid stored date counts as absent. (A template
// so that it takes whichever message the contract's dates are.)
template <class ProtoDate>
std::optional<Date> date_of(bool has, const ProtoDate& date) {
  if (!has) {
    return std::nullopt;
  }
  auto converted = from_proto(date, "date");
  if (!converted.ok()) {
    return std::nullopt;
  }
  return *converted;
}

// Absent differs from every date: only != matches it.
bool compare_date(FilterOperator op, std::optional<Date> actual, Date wanted) {
  if (!actual) {
    return op == FilterOperator::kNotEqual;
  }
  return compare(op, *actual, wanted);
}

bool holds(const FilterComparison& c, const v1::Invoice& invoice) {
  const auto* text = std::get_if<std::string>(&c.value);
  const auto* date = std::get_if<Date>(&c.value);
  switch (c.field) {
    case FilterField::kCustomerId:
      return text != nullptr &&
             compare<std::string_view>(c.op, invoice.customer_id(), std::string_view(*text));
    case FilterField::kCurrency:
      return text != nullptr &&
             compare<std::string_view>(c.op, invoice_currency(invoice), std::string_view(*text));
    case FilterField::kNumber:
      return text != nullptr &&
             compare<std::string_view>(c.op, invoice.number(), std::string_view(*text));
    case FilterField::kSeries:
      return text != nullptr &&
             compare<std::string_view>(c.op, invoice.series(), std::string_view(*text));
    case FilterField::kStatus: {
      const auto* status = std::get_if<v1::InvoiceStatus>(&c.value);
      return status != nullptr && compare(c.op, invoice.status(), *status);
    }
    case FilterField::kRecipientStatus: {
      const auto* status = std::get_if<v1::RecipientStatus>(&c.value);
      return status != nullptr && compare(c.op, invoice.recipient_status(), *status);
    }
    case FilterField::kIssueDate:
      return date != nullptr &&
             compare_date(c.op, date_of(invoice.has_issue_date(), invoice.issue_date()), *date);
    case FilterField::kDueDate:
      return date != nullptr &&
             compare_date(c.op, date_of(invoice.has_due_date(), invoice.due_date()), *date);
    case FilterField::kOverdueAsOf: {
      if (date == nullptr || c.op != FilterOperator::kEqual || !is_open(invoice.status())) {
        return false;
      }
      const std::optional<Date> due = date_of(invoice.has_due_date(), invoice.due_date());
      return due.has_value() && *due < *date;
    }
  }
  return false;
}

}  // namespace

Result<InvoiceFilter> parse_invoice_filter(std::string_view text) {
  auto comparisons = contract::parse_typed_filter<FilterComparison>(text, kSyntax, typed);
  if (!comparisons.ok()) {
    return comparisons.status();
  }
  return InvoiceFilter{.comparisons = *std::move(comparisons)};
}

bool matches(const InvoiceFilter& filter, const v1::Invoice& invoice) {
  for (const FilterComparison& comparison : filter.comparisons) {
    if (!holds(comparison, invoice)) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> customer_id_equals(const InvoiceFilter& filter) {
  for (const FilterComparison& comparison : filter.comparisons) {
    if (comparison.field == FilterField::kCustomerId && comparison.op == FilterOperator::kEqual) {
      if (const auto* id = std::get_if<std::string>(&comparison.value)) {
        return *id;
      }
    }
  }
  return std::nullopt;
}

bool is_open(v1::InvoiceStatus status) {
  return status == v1::INVOICE_STATUS_ISSUED || status == v1::INVOICE_STATUS_PARTIALLY_PAID;
}

std::string_view invoice_currency(const v1::Invoice& invoice) {
  if (!invoice.content().currency().empty()) {
    return invoice.content().currency();
  }
  return invoice.total().currency();
}

}  // namespace arflow::invoicing
