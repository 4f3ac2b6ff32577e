#pragma once
// Pricing an invoice's (or a credit note's) lines, exactly, with two named roundings:
//
//  - Line net = quantity x unit price x (1 - discount), computed exactly and rounded once,
//    half-even, to the currency's minor unit: 2.5 x 0.01 EUR = 0.025 -> 0.02 EUR.
//  - Tax per rate on the document total: the nets of all lines of one rate are summed, the
//    rate is applied once to that sum, rounded half-even. Three lines of 0.33 EUR at 20 %
//    give 0.99 x 20 % = 0.198 -> 0.20 EUR of tax (per line it would be 3 x 0.07 = 0.21).
//    This is how EN 16931 (the EU e-invoicing norm) builds its VAT breakdown, so the tax
//    printed per rate is exactly the rate applied to the printed taxable amount.
//
// Totals: net = sum of the line nets, tax = sum of the per-rate taxes, gross = net + tax.

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "arflow/core/error.h"
#include "arflow/core/money.h"
#include "invoicing/domain/model.h"

namespace arflow::invoicing {

// Bounds what one request can make the service hold; far above any real invoice.
inline constexpr size_t kMaxLines = 1'000;

struct Totals {
  std::vector<Money> line_nets;  // one per line, in order
  std::vector<TaxAmount> taxes;  // one per rate used, ascending rate
  Money net;
  Money tax;
  Money gross;
};

// INVALID_ARGUMENT naming `field` ("lines[2]") when the line breaks a rule: description
// empty or too long, quantity <= 0, unit price < 0 or not in `currency`, discount or tax
// rate outside 0..10000 bps.
absl::Status validate_line(const InvoiceLine& line, std::string_view currency,
                           std::string_view field);

// The line's net amount (see above). The line must be valid.
Result<Money> line_net(const InvoiceLine& line);

// Validates `lines` (at least one, at most kMaxLines, each valid, all in `currency`, which
// must be an ISO 4217 code) and prices them. `field` names the list in messages.
Result<Totals> price_lines(std::string_view currency, std::span<const InvoiceLine> lines,
                           std::string_view field = "lines");

// `from` less `less`, rate by rate (rates of `from` that reach zero stay, at zero).
// FAILED_PRECONDITION when `less` has a rate that `from` lacks, or takes more taxable amount
// or more tax than `from` has at a rate.
Result<std::vector<TaxAmount>> taxes_less(std::vector<TaxAmount> from,
                                          std::span<const TaxAmount> less);

// Sum of taxable + tax over `taxes`; `zero` gives the currency when `taxes` is empty.
Result<Money> gross_of(std::span<const TaxAmount> taxes, Money zero);

}  // namespace arflow::invoicing
