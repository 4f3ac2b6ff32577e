#pragma once
// The `filter` of ListInvoices and ExportFollowUpTable: a small subset of AIP-160
// (https://google.aip.dev/160), parsed once per request and then evaluated on each invoice
// the service scans. Pure: no I/O, no clock.
//
// Syntax: arflow/contract/filter_syntax.h (what every service's filter reads; errors name the
// offending token and its position), e.g.
//   customer_id = "c-42" AND status = ISSUED AND due_date < 2026-12-01
//   overdue_as_of = 2026-11-23
//
// Fields and the operators they take:
//   customer_id, number, series   text                        = !=
//   currency                      ISO 4217 code                = !=
//   status                        InvoiceStatus                = !=
//   recipient_status              RecipientStatus              = !=
//   issue_date, due_date          YYYY-MM-DD                   = != < <= > >=
//   overdue_as_of                 YYYY-MM-DD                   =
// Enum values are the short name (ISSUED, PARTIALLY_PAID, DISPUTED) or the full proto name
// (INVOICE_STATUS_ISSUED, RECIPIENT_STATUS_DISPUTED), upper case. `overdue_as_of = D` keeps
// the open invoices (ISSUED, PARTIALLY_PAID) whose due date is strictly before D.
//
// Absent values: an invoice that lacks a date (a draft has no issue or due date) matches no
// `=` and no ordered comparison on it, and matches every `!=` on it (absent differs from
// any date). Text fields compare as stored, so a draft's number is "" and `number != X`
// matches it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "arflow/contract/filter_syntax.h"
#include "arflow/core/error.h"
#include "arflow/invoicing/v1/invoicing_service.pb.h"
#include "invoicing/domain/model.h"

namespace arflow::invoicing {

enum class FilterField {
  kCustomerId,
  kStatus,
  kCurrency,
  kNumber,
  kSeries,
  kIssueDate,
  kDueDate,
  kRecipientStatus,
  kOverdueAsOf,
};

using contract::FilterOperator;

// One `field operator value`, already checked: the value has the field's type (text for
// customer_id, currency, number and series; a date; or the field's enum).
struct FilterComparison {
  FilterField field;
  FilterOperator op;
  std::variant<std::string, Date, v1::InvoiceStatus, v1::RecipientStatus> value;

  friend bool operator==(const FilterComparison&, const FilterComparison&) = default;
};

// Comparisons that must all hold; none matches every invoice.
struct InvoiceFilter {
  std::vector<FilterComparison> comparisons;

  friend bool operator==(const InvoiceFilter&, const InvoiceFilter&) = default;
};

// A longer filter is refused before parsing.
using contract::kMaxFilterLength;

// Parses `text` (empty or blank: matches everything). Errors are INVALID_ARGUMENT
// "filter <rule>", naming the offending token and its position (1-based, in bytes), e.g.
//   filter has an unknown field "state" at position 1; fields are customer_id, status, ...
//   filter has an unknown status "FINISHED" at position 10; expected e.g. ISSUED or ...
Result<InvoiceFilter> parse_invoice_filter(std::string_view text);

// True when `invoice` satisfies every comparison of `filter`.
bool matches(const InvoiceFilter& filter, const v1::Invoice& invoice);

// The customer id when the filter pins one with `customer_id = ...` (the first, if
// several): the service can then scan that customer's invoices rather than the tenant's.
std::optional<std::string> customer_id_equals(const InvoiceFilter& filter);

// ISSUED or PARTIALLY_PAID: something is still expected to be paid.
bool is_open(v1::InvoiceStatus status);

// The invoice's currency: its content's, or for an invoice without content its total's.
std::string_view invoice_currency(const v1::Invoice& invoice);

}  // namespace arflow::invoicing
