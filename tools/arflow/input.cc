#include "input.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

#include "arflow/contract/limits.h"
#include "arflow/core/currency.h"
#include "arflow/core/decimal.h"
#include "arflow/core/money.h"

namespace arflow::cli {
namespace {

constexpr uint32_t kMaxTermDays = 365;  // as the server's rule (docs/invoicing.md)
using contract::kMaxIdLength;
using contract::kMaxRequestIdLength;

// A user's text in a message: quoted, cut short.
std::string quoted(std::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() > kMax) {
    return fmt::format("\"{}...\"", text.substr(0, kMax));
  }
  return fmt::format("\"{}\"", text);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A whole number of days, 0..kMaxTermDays.
Result<uint32_t> parse_days(std::string_view text, std::string_view flag, std::string_view what) {
  if (text.empty() || text.size() > 3) {
    return bad_flag(flag, fmt::format("{} {} must be a whole number of days from 0 to {}", what,
                                      quoted(text), kMaxTermDays));
  }
  uint32_t days = 0;
  for (const char c : text) {
    if (!is_digit(c)) {
      return bad_flag(flag, fmt::format("{} {} must be a whole number of days from 0 to {}", what,
                                        quoted(text), kMaxTermDays));
    }
    days = days * 10 + static_cast<uint32_t>(c - '0');
  }
  if (days > kMaxTermDays) {
    return bad_flag(flag, fmt::format("{} {} must be at most {} days", what, text, kMaxTermDays));
  }
  return days;
}

// The fields of a --line, split on ';' with "\;" and "\\" as escapes.
Result<std::vector<std::string>> split_line(std::string_view text, std::string_view flag) {
  std::vector<std::string> fields(1);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 < text.size() && (text[i + 1] == ';' || text[i + 1] == '\\')) {
        fields.back().push_back(text[++i]);
        continue;
      }
      return bad_flag(flag, "a backslash may only escape ';' or '\\' (write \\; or \\\\)");
    }
    if (c == ';') {
      fields.emplace_back();
      continue;
    }
    fields.back().push_back(c);
  }
  return fields;
}

// Percentage with its own field name inside a flag ("--line 2: tax %").
Result<int64_t> parse_percent_field(std::string_view text, std::string_view flag,
                                    std::string_view what) {
  std::string_view number = text;
  if (!number.empty() && number.back() == '%') {
    number.remove_suffix(1);
  }
  const std::string prefix = what.empty() ? std::string() : fmt::format("{} ", what);
  auto decimal = Decimal::parse(number, "percentage");
  if (!decimal.ok() || decimal->is_negative()) {
    return bad_flag(flag, fmt::format("{}{} must be a percentage from 0 to 100 like 20 or 5.5",
                                      prefix, quoted(text)));
  }
  if (decimal->scale() > 2) {
    return bad_flag(flag, fmt::format("{}{} must have at most 2 decimals", prefix, quoted(text)));
  }
  // At most 18 decimals and int64 units were checked by the parser; the value is checked
  // against 100 % before it is scaled, so scaling cannot overflow.
  if (*decimal > Decimal::whole(100)) {
    return bad_flag(flag, fmt::format("{}{} must be at most 100%", prefix, quoted(text)));
  }
  int64_t bps = decimal->units();
  for (uint32_t s = decimal->scale(); s < 2; ++s) {
    bps *= 10;
  }
  return bps;
}

constexpr std::array<std::pair<std::string_view, v1::RecipientStatus>, 12> kRecipientStatuses = {{
    {"received", v1::RECIPIENT_STATUS_RECEIVED},
    {"made-available", v1::RECIPIENT_STATUS_MADE_AVAILABLE},
    {"approved", v1::RECIPIENT_STATUS_APPROVED},
    {"partially-approved", v1::RECIPIENT_STATUS_PARTIALLY_APPROVED},
    {"disputed", v1::RECIPIENT_STATUS_DISPUTED},
    {"suspended", v1::RECIPIENT_STATUS_SUSPENDED},
    {"to-be-recycled", v1::RECIPIENT_STATUS_TO_BE_RECYCLED},
    {"service-done", v1::RECIPIENT_STATUS_SERVICE_DONE},
    {"mandated", v1::RECIPIENT_STATUS_MANDATED},
    {"payment-transmitted", v1::RECIPIENT_STATUS_PAYMENT_TRANSMITTED},
    {"refused", v1::RECIPIENT_STATUS_REFUSED},
    {"collected", v1::RECIPIENT_STATUS_COLLECTED},
}};

constexpr std::array<std::pair<std::string_view, pay::PaymentMethod>, 6> kPaymentMethods = {{
    {"bank-transfer", pay::PAYMENT_METHOD_BANK_TRANSFER},
    {"card", pay::PAYMENT_METHOD_CARD},
    {"direct-debit", pay::PAYMENT_METHOD_DIRECT_DEBIT},
    {"check", pay::PAYMENT_METHOD_CHECK},
    {"cash", pay::PAYMENT_METHOD_CASH},
    {"other", pay::PAYMENT_METHOD_OTHER},
}};

// The names of a table of choices: "a, b, c".
template <class Enum, size_t N>
std::string choices(const std::array<std::pair<std::string_view, Enum>, N>& table) {
  std::string out;
  for (const auto& [name, value] : table) {
    if (!out.empty()) {
      out += ", ";
    }
    out += name;
  }
  return out;
}

// The value named `text` in `table`; else INVALID_ARGUMENT listing the choices.
template <class Enum, size_t N>
Result<Enum> choose(const std::array<std::pair<std::string_view, Enum>, N>& table,
                    std::string_view text, std::string_view flag) {
  for (const auto& [name, value] : table) {
    if (text == name) {
      return value;
    }
  }
  return bad_flag(flag, fmt::format("{} must be one of {}", quoted(text), choices(table)));
}

}  // namespace

absl::Status bad_flag(std::string_view flag, std::string_view rule) {
  return absl::InvalidArgumentError(fmt::format("{}: {}", flag, rule));
}

Result<int64_t> parse_percent_bps(std::string_view text, std::string_view flag) {
  return parse_percent_field(text, flag, "");
}

Result<v1::PaymentTerms> parse_terms(std::string_view text, std::string_view flag) {
  v1::PaymentTerms terms;
  if (text == "receipt") {
    terms.set_kind(v1::PaymentTerms::KIND_DUE_ON_RECEIPT);
    return terms;
  }
  const size_t colon = text.find(':');
  const std::string_view kind = text.substr(0, colon);
  if (colon == std::string_view::npos || (kind != "net" && kind != "eom")) {
    return bad_flag(flag,
                    fmt::format("{} must be net:<days>, eom:<days> or receipt", quoted(text)));
  }
  auto days = parse_days(text.substr(colon + 1), flag, "days");
  if (!days.ok()) {
    return days.status();
  }
  terms.set_kind(kind == "net" ? v1::PaymentTerms::KIND_NET_DAYS
                               : v1::PaymentTerms::KIND_END_OF_MONTH_PLUS);
  terms.set_days(*days);
  return terms;
}

Result<common::Date> parse_date(std::string_view text, std::string_view flag) {
  const auto malformed = [&] {
    return bad_flag(flag, fmt::format("{} must be a date YYYY-MM-DD", quoted(text)));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return malformed();
  }
  const auto number = [&](size_t from, size_t len, int& out) {
    out = 0;
    for (size_t i = from; i < from + len; ++i) {
      if (!is_digit(text[i])) {
        return false;
      }
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int year = 0;
  int month = 0;
  int day = 0;
  if (!number(0, 4, year) || !number(5, 2, month) || !number(8, 2, day)) {
    return malformed();
  }
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok() || year < 1) {
    return bad_flag(flag, fmt::format("{} is not a calendar date", quoted(text)));
  }
  common::Date date;
  date.set_year(year);
  date.set_month(static_cast<uint32_t>(month));
  date.set_day(static_cast<uint32_t>(day));
  return date;
}

absl::Status check_currency(std::string_view code, std::string_view flag) {
  if (auto currency = find_currency(code); !currency.ok()) {
    return bad_flag(flag,
                    fmt::format("{} must be an ISO 4217 currency code like EUR", quoted(code)));
  }
  return absl::OkStatus();
}

Result<common::Money> parse_amount(std::string_view text, std::string_view currency,
                                   std::string_view flag) {
  ARFLOW_RETURN_IF_ERROR(check_currency(currency, flag));
  auto money = arflow::parse_money(text, currency, "amount");
  if (!money.ok()) {
    auto zero = Money::zero(currency);
    return bad_flag(flag,
                    fmt::format("{} must be an amount in {} with at most {} decimals, like {}",
                                quoted(text), currency, zero.ok() ? zero->exponent() : 0,
                                zero.ok() ? format(*zero) : std::string("0")));
  }
  common::Money out;
  out.set_minor_units(money->minor_units());
  out.set_currency(std::string(money->currency()));
  return out;
}

Result<common::Money> parse_money_text(std::string_view text, std::string_view flag,
                                       std::optional<std::string_view> default_currency) {
  const size_t space = text.find(' ');
  if (space == std::string_view::npos) {
    if (!default_currency.has_value()) {
      return bad_flag(flag, fmt::format("{} must be an amount and a currency, like \"5000.00 EUR\"",
                                        quoted(text)));
    }
    return parse_amount(text, *default_currency, flag);
  }
  const std::string_view amount = text.substr(0, space);
  const std::string_view currency = text.substr(space + 1);
  if (default_currency.has_value() && currency != *default_currency) {
    return bad_flag(flag, fmt::format("{} must be in {}, the document's currency", quoted(text),
                                      *default_currency));
  }
  return parse_amount(amount, currency, flag);
}

Result<common::Money> parse_positive_money(std::string_view text, std::string_view flag,
                                           std::optional<std::string_view> default_currency) {
  auto money = parse_money_text(text, flag, default_currency);
  if (money.ok() && money->minor_units() <= 0) {
    return bad_flag(flag, "must be > 0");
  }
  return money;
}

Result<v1::InvoiceLine> parse_line(std::string_view text, std::string_view currency,
                                   std::string_view flag) {
  auto fields = split_line(text, flag);
  if (!fields.ok()) {
    return fields.status();
  }
  if (fields->size() != 4 && fields->size() != 5) {
    return bad_flag(flag,
                    fmt::format("{} must be \"description;quantity;unit price;tax %[;discount "
                                "%]\", like \"Consulting;3;450.00;20\"",
                                quoted(text)));
  }
  const auto& f = *fields;
  if (f[0].empty()) {
    return bad_flag(flag, "description must not be empty");
  }
  v1::InvoiceLine line;
  line.set_description(f[0]);

  auto quantity = Decimal::parse(f[1], "quantity");
  if (!quantity.ok() || !quantity->is_positive()) {
    return bad_flag(
        flag, fmt::format("quantity {} must be a decimal number > 0, like 3 or 1.5", quoted(f[1])));
  }
  line.mutable_quantity()->set_units(quantity->units());
  line.mutable_quantity()->set_scale(quantity->scale());

  auto price = parse_amount(f[2], currency, flag);
  if (!price.ok()) {
    auto zero = Money::zero(currency);
    return bad_flag(flag, fmt::format("unit price {} must be an amount >= 0 in {} with at most {} "
                                      "decimals, like 450.00",
                                      quoted(f[2]), currency, zero.ok() ? zero->exponent() : 0));
  }
  if (price->minor_units() < 0) {
    return bad_flag(flag, fmt::format("unit price {} must be >= 0", quoted(f[2])));
  }
  *line.mutable_unit_price() = *price;

  auto tax = parse_percent_field(f[3], flag, "tax %");
  if (!tax.ok()) {
    return tax.status();
  }
  line.set_tax_rate_bps(*tax);
  if (f.size() == 5) {
    auto discount = parse_percent_field(f[4], flag, "discount %");
    if (!discount.ok()) {
      return discount.status();
    }
    line.set_discount_bps(*discount);
  }
  return line;
}

Result<v1::EarlyPaymentDiscount> parse_early_discount(std::string_view text,
                                                      std::string_view flag) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return bad_flag(flag, fmt::format("{} must be <percent>:<days>, like 2%:10", quoted(text)));
  }
  auto rate = parse_percent_field(text.substr(0, colon), flag, "rate");
  if (!rate.ok()) {
    return rate.status();
  }
  if (*rate == 0) {
    return bad_flag(flag, "rate must be > 0");
  }
  auto days = parse_days(text.substr(colon + 1), flag, "days");
  if (!days.ok()) {
    return days.status();
  }
  v1::EarlyPaymentDiscount discount;
  discount.set_rate_bps(*rate);
  discount.set_days(*days);
  return discount;
}

Result<v1::CustomerProfile> parse_profile(std::string_view text, std::string_view flag) {
  if (text == "business") {
    return v1::CUSTOMER_PROFILE_BUSINESS;
  }
  if (text == "administration") {
    return v1::CUSTOMER_PROFILE_ADMINISTRATION;
  }
  if (text == "individual") {
    return v1::CUSTOMER_PROFILE_INDIVIDUAL;
  }
  return bad_flag(flag,
                  fmt::format("{} must be business, administration or individual", quoted(text)));
}

Result<v1::LateFeeKind> parse_fee_kind(std::string_view text, std::string_view flag) {
  if (text == "interest") {
    return v1::LATE_FEE_KIND_INTEREST;
  }
  if (text == "indemnity") {
    return v1::LATE_FEE_KIND_RECOVERY_INDEMNITY;
  }
  if (text == "fee") {
    return v1::LATE_FEE_KIND_FEE;
  }
  return bad_flag(flag, fmt::format("{} must be interest, indemnity or fee", quoted(text)));
}

Result<v1::RecipientStatus> parse_recipient_status(std::string_view text, std::string_view flag) {
  return choose(kRecipientStatuses, text, flag);
}

std::string recipient_status_choices() { return choices(kRecipientStatuses); }

Result<pay::PaymentMethod> parse_payment_method(std::string_view text, std::string_view flag) {
  return choose(kPaymentMethods, text, flag);
}

std::string payment_method_choices() { return choices(kPaymentMethods); }

Result<pay::AllocationRequest> parse_allocation(std::string_view text, std::string_view flag,
                                                std::optional<std::string_view> default_currency) {
  const size_t equals = text.find('=');
  if (equals == std::string_view::npos) {
    return bad_flag(flag, fmt::format("{} must be INVOICE_ID=AMOUNT, like inv-1=40.00 or "
                                      "\"inv-1=40.00 EUR\"",
                                      quoted(text)));
  }
  const std::string_view invoice_id = text.substr(0, equals);
  ARFLOW_RETURN_IF_ERROR(check_id(invoice_id, flag));
  auto amount = parse_positive_money(text.substr(equals + 1), flag, default_currency);
  if (!amount.ok()) {
    return amount.status();
  }
  pay::AllocationRequest allocation;
  allocation.set_invoice_id(std::string(invoice_id));
  *allocation.mutable_amount() = *amount;
  return allocation;
}

Result<v1::ExportFormat> parse_export_format(std::string_view text, std::string_view flag) {
  if (text == "csv") {
    return v1::EXPORT_FORMAT_CSV;
  }
  if (text == "xlsx") {
    return v1::EXPORT_FORMAT_XLSX;
  }
  return bad_flag(flag, fmt::format("{} must be csv or xlsx", quoted(text)));
}

absl::Status check_id(std::string_view id, std::string_view flag) {
  const bool ok = !id.empty() && id.size() <= kMaxIdLength &&
                  std::all_of(id.begin(), id.end(), contract::is_id_char);
  if (!ok) {
    return bad_flag(
        flag, fmt::format("{} must be 1 to {} of A-Z a-z 0-9 - _ . :", quoted(id), kMaxIdLength));
  }
  return absl::OkStatus();
}

absl::Status check_request_id(std::string_view id, std::string_view flag) {
  if (id.empty() || id.size() > kMaxRequestIdLength) {
    return bad_flag(flag, fmt::format("must be 1 to {} characters", kMaxRequestIdLength));
  }
  return absl::OkStatus();
}

}  // namespace arflow::cli
