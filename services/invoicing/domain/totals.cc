#include "invoicing/domain/totals.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "arflow/contract/limits.h"
#include "arflow/core/currency.h"
#include "arflow/core/decimal.h"

namespace arflow::invoicing {

namespace {

// Names the field in an arithmetic error (an overflow of int64 minor units), keeping its code.
absl::Status about(std::string_view field, const absl::Status& status) {
  return absl::Status(status.code(), fmt::format("{}: {}", field, status.message()));
}

}  // namespace

absl::Status validate_line(const InvoiceLine& line, std::string_view currency,
                           std::string_view field) {
  if (line.description.empty()) {
    return invalid_field(fmt::format("{}.description", field), "must not be empty");
  }
  if (line.description.size() > contract::kMaxTextLength) {  // the field named only then
    return contract::check_length(line.description, contract::kMaxTextLength,
                                  fmt::format("{}.description", field));
  }
  if (!line.quantity.is_positive()) {
    return invalid_field(fmt::format("{}.quantity", field), "must be > 0");
  }
  if (line.unit_price.currency() != currency) {
    return invalid_field(fmt::format("{}.unit_price", field),
                         fmt::format("currency {} must be the invoice's currency {}",
                                     line.unit_price.currency(), currency));
  }
  if (line.unit_price.is_negative()) {
    return invalid_field(fmt::format("{}.unit_price", field), "must be >= 0");
  }
  if (line.discount_bps < 0 || line.discount_bps > kBasisPointsPerWhole) {
    return invalid_field(fmt::format("{}.discount_bps", field), "must be between 0 and 10000");
  }
  if (line.tax_rate_bps < 0 || line.tax_rate_bps > kBasisPointsPerWhole) {
    return invalid_field(fmt::format("{}.tax_rate_bps", field), "must be between 0 and 10000");
  }
  return absl::OkStatus();
}

Result<Money> line_net(const InvoiceLine& line) {
  if (line.discount_bps == 0) {
    return multiply(line.unit_price, line.quantity, Rounding::HalfEven);
  }
  // quantity x (1 - discount) is exact as a Decimal (4 more decimals), so the price is
  // multiplied and rounded once: no intermediate rounding of the gross amount.
  ARFLOW_ASSIGN_OR_RETURN(Decimal remaining,
                          Decimal::of(kBasisPointsPerWhole - line.discount_bps, 4));
  ARFLOW_ASSIGN_OR_RETURN(Decimal factor, multiply(line.quantity, remaining));
  return multiply(line.unit_price, factor, Rounding::HalfEven);
}

Result<Totals> price_lines(std::string_view currency, std::span<const InvoiceLine> lines,
                           std::string_view field) {
  ARFLOW_RETURN_IF_ERROR(find_currency(currency).status());
  if (lines.empty()) {
    return invalid_field(field, "must not be empty");
  }
  if (lines.size() > kMaxLines) {
    return invalid_field(field, fmt::format("must have at most {} lines", kMaxLines));
  }
  ARFLOW_ASSIGN_OR_RETURN(Money zero, Money::zero(currency));
  Totals totals{.net = zero, .tax = zero, .gross = zero};
  totals.line_nets.reserve(lines.size());
  std::map<int64_t, Money> net_by_rate;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string line_field = fmt::format(FMT_COMPILE("{}[{}]"), field, i);
    ARFLOW_RETURN_IF_ERROR(validate_line(lines[i], currency, line_field));
    auto net = line_net(lines[i]);
    if (!net.ok()) {
      return about(line_field, net.status());
    }
    totals.line_nets.push_back(*net);
    auto [it, inserted] = net_by_rate.try_emplace(lines[i].tax_rate_bps, zero);
    auto rate_net = add(it->second, *net);
    auto total_net = add(totals.net, *net);
    if (!rate_net.ok() || !total_net.ok()) {
      return about(field, (rate_net.ok() ? total_net : rate_net).status());
    }
    it->second = *rate_net;
    totals.net = *total_net;
  }
  for (const auto& [rate, net] : net_by_rate) {
    ARFLOW_ASSIGN_OR_RETURN(Money tax, apply_basis_points(net, rate, Rounding::HalfEven));
    totals.taxes.push_back(TaxAmount{.rate_bps = rate, .taxable = net, .tax = tax});
    ARFLOW_ASSIGN_OR_RETURN(totals.tax, add(totals.tax, tax));
  }
  ARFLOW_ASSIGN_OR_RETURN(totals.gross, add(totals.net, totals.tax));
  return totals;
}

Result<std::vector<TaxAmount>> taxes_less(std::vector<TaxAmount> from,
                                          std::span<const TaxAmount> less) {
  for (const TaxAmount& minus : less) {
    auto it = std::find_if(from.begin(), from.end(),
                           [&](const TaxAmount& t) { return t.rate_bps == minus.rate_bps; });
    if (it == from.end()) {
      return precondition_failed(fmt::format("there is nothing at the rate of {} bps to take {}",
                                             minus.rate_bps, format(minus.taxable)));
    }
    ARFLOW_ASSIGN_OR_RETURN(Money taxable, subtract(it->taxable, minus.taxable));
    ARFLOW_ASSIGN_OR_RETURN(Money tax, subtract(it->tax, minus.tax));
    if (taxable.is_negative() || tax.is_negative()) {
      return precondition_failed(fmt::format(
          "at the rate of {} bps, {} + {} tax cannot be taken from {} + {} tax", minus.rate_bps,
          format(minus.taxable), format(minus.tax), format(it->taxable), format(it->tax)));
    }
    it->taxable = taxable;
    it->tax = tax;
  }
  return from;
}

Result<Money> gross_of(std::span<const TaxAmount> taxes, Money zero) {
  Money sum = zero;
  for (const TaxAmount& t : taxes) {
    ARFLOW_ASSIGN_OR_RETURN(sum, add(sum, t.taxable));
    ARFLOW_ASSIGN_OR_RETURN(sum, add(sum, t.tax));
  }
  return sum;
}

}  // namespace arflow::invoicing
