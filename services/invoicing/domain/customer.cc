#include "invoicing/domain/customer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "invoicing/domain/payment_terms.h"
#include "invoicing/domain/proto_convert.h"

namespace arflow::invoicing {

namespace {

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_control(char c) {
  return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f;
}

// RFC 5322 "atext": what a dot-atom local part may hold besides dots.
bool is_atext(char c) {
  static constexpr std::string_view kSpecials = "!#$%&'*+/=?^_`{|}~-";
  return is_alnum(c) || kSpecials.find(c) != std::string_view::npos;
}

bool valid_local_part(std::string_view local) {
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.') {
    return false;
  }
  for (size_t i = 0; i < local.size(); ++i) {
    if (local[i] == '.') {
      if (local[i + 1] == '.') {
        return false;  // ".." (i + 1 exists: the last character is not a dot)
      }
    } else if (!is_atext(local[i])) {
      return false;
    }
  }
  return true;
}

bool valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) {
    return false;
  }
  size_t labels = 0;
  std::string_view last;
  while (true) {
    const size_t dot = domain.find('.');
    const std::string_view label = domain.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    if (!std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; })) {
      return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) {
      break;
    }
    domain.remove_prefix(dot + 1);
  }
  // A mailbox lives under a registered name: "example.com", not "localhost" or "10.0.0.1".
  return labels >= 2 && last.size() >= 2 && std::all_of(last.begin(), last.end(), is_alpha);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (is_upper(c)) {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

absl::Status validate_text(std::string_view text, std::string_view field, size_t max_length,
                           bool required) {
  if (required && text.find_first_not_of(' ') == std::string_view::npos) {
    return invalid_field(field, "must not be empty");
  }
  if (text.size() > max_length) {
    return invalid_field(field, fmt::format("must be at most {} characters", max_length));
  }
  if (std::any_of(text.begin(), text.end(), is_control)) {
    return invalid_field(field, "must not contain control characters");
  }
  return absl::OkStatus();
}

absl::Status validate_address(const PostalAddress& address) {
  if (address.lines.empty() || address.lines.size() > kMaxAddressLines) {
    return invalid_field("billing_address.lines",
                         fmt::format("must have 1 to {} lines", kMaxAddressLines));
  }
  for (size_t i = 0; i < address.lines.size(); ++i) {
    ARFLOW_RETURN_IF_ERROR(validate_text(address.lines[i],
                                         fmt::format("billing_address.lines[{}]", i),
                                         kMaxAddressFieldLength, /*required=*/true));
  }
  ARFLOW_RETURN_IF_ERROR(validate_text(address.city, "billing_address.city", kMaxAddressFieldLength,
                                       /*required=*/true));
  ARFLOW_RETURN_IF_ERROR(validate_text(address.postal_code, "billing_address.postal_code", 20,
                                       /*required=*/false));
  ARFLOW_RETURN_IF_ERROR(validate_text(address.region, "billing_address.region",
                                       kMaxAddressFieldLength, /*required=*/false));
  const std::string_view country = address.country;
  if (country.size() != 2 || !is_upper(country[0]) || !is_upper(country[1])) {
    return invalid_field("billing_address.country",
                         "must be an ISO 3166-1 alpha-2 code in upper case, like FR");
  }
  return absl::OkStatus();
}

absl::Status validate_tax_id(std::string_view tax_id) {
  if (tax_id.size() > kMaxTaxIdLength) {
    return invalid_field("tax_id", fmt::format("must be at most {} characters", kMaxTaxIdLength));
  }
  const bool allowed = std::all_of(tax_id.begin(), tax_id.end(), [](char c) {
    return is_alnum(c) || c == '-' || c == '.' || c == '/';
  });
  if (!allowed) {
    return invalid_field("tax_id", "must contain only letters, digits, '-', '.' and '/'");
  }
  return absl::OkStatus();
}

absl::Status matches(const CustomerState& state, std::string_view customer_id) {
  ARFLOW_RETURN_IF_ERROR(state.integrity);
  if (!state.customer_id.empty() && state.customer_id != customer_id) {
    // The service loaded the wrong stream: a wiring error, not the caller's.
    return absl::InternalError(fmt::format("a command for customer '{}' met the state of '{}'",
                                           customer_id, state.customer_id));
  }
  return absl::OkStatus();
}

template <class Event>
Event customer_event(std::string_view customer_id, const CustomerDetails& details) {
  Event event;
  event.set_customer_id(std::string(customer_id));
  *event.mutable_details() = to_proto(details);
  return event;
}

}  // namespace

bool supported_language(std::string_view language) {
  static constexpr std::array<std::string_view, 7> kLanguages{"de", "en", "es", "fr",
                                                              "it", "nl", "pt"};
  return std::find(kLanguages.begin(), kLanguages.end(), language) != kLanguages.end();
}

absl::Status validate_email(std::string_view email, std::string_view field) {
  const size_t at = email.find('@');
  if (email.size() > kMaxEmailLength || at == std::string_view::npos ||
      email.find('@', at + 1) != std::string_view::npos || !valid_local_part(email.substr(0, at)) ||
      !valid_domain(email.substr(at + 1))) {
    return invalid_field(field, "must be an e-mail address like name@example.com");
  }
  return absl::OkStatus();
}

absl::Status validate_customer_details(const CustomerDetails& details) {
  ARFLOW_RETURN_IF_ERROR(
      validate_text(details.legal_name, "legal_name", kMaxLegalNameLength, /*required=*/true));
  if (details.profile == CustomerProfile::kUnspecified) {
    return invalid_field("profile", "must be ADMINISTRATION, BUSINESS or INDIVIDUAL");
  }
  if (!supported_language(details.language)) {
    return invalid_field("language", "must be one of de, en, es, fr, it, nl, pt");
  }
  if (details.contact_emails.empty() || details.contact_emails.size() > kMaxContactEmails) {
    return invalid_field("contact_emails",
                         fmt::format("must have 1 to {} addresses", kMaxContactEmails));
  }
  for (size_t i = 0; i < details.contact_emails.size(); ++i) {
    const std::string field = fmt::format("contact_emails[{}]", i);
    ARFLOW_RETURN_IF_ERROR(validate_email(details.contact_emails[i], field));
    for (size_t j = 0; j < i; ++j) {
      // Mailbox domains are case-insensitive and in practice local parts are too.
      if (lower(details.contact_emails[j]) == lower(details.contact_emails[i])) {
        return invalid_field(field, fmt::format("repeats contact_emails[{}]", j));
      }
    }
  }
  ARFLOW_RETURN_IF_ERROR(validate_address(details.billing_address));
  ARFLOW_RETURN_IF_ERROR(validate_tax_id(details.tax_id));
  ARFLOW_RETURN_IF_ERROR(
      validate_payment_terms(details.default_payment_terms, "default_payment_terms"));
  if (details.credit_limit.has_value() && details.credit_limit->is_negative()) {
    return invalid_field("credit_limit", "must be >= 0");
  }
  return absl::OkStatus();
}

Result<std::vector<CustomerEvent>> decide(const RegisterCustomer& command,
                                          const CustomerState& state) {
  ARFLOW_RETURN_IF_ERROR(validate_id(command.customer_id, "customer_id"));
  ARFLOW_RETURN_IF_ERROR(matches(state, command.customer_id));
  if (state.registered) {
    return precondition_failed(
        fmt::format("customer '{}' is already registered", command.customer_id));
  }
  ARFLOW_RETURN_IF_ERROR(validate_customer_details(command.details));
  return std::vector<CustomerEvent>{
      customer_event<v1::CustomerRegistered>(command.customer_id, command.details)};
}

Result<std::vector<CustomerEvent>> decide(const UpdateCustomer& command,
                                          const CustomerState& state) {
  ARFLOW_RETURN_IF_ERROR(validate_id(command.customer_id, "customer_id"));
  ARFLOW_RETURN_IF_ERROR(matches(state, command.customer_id));
  if (!state.registered) {
    return precondition_failed(fmt::format("customer '{}' is not registered", command.customer_id));
  }
  ARFLOW_RETURN_IF_ERROR(validate_customer_details(command.details));
  if (command.details == state.details) {
    return std::vector<CustomerEvent>{};
  }
  return std::vector<CustomerEvent>{
      customer_event<v1::CustomerUpdated>(command.customer_id, command.details)};
}

CustomerState evolve(CustomerState state, const CustomerEvent& event) {
  if (!state.integrity.ok()) {
    return state;
  }
  const auto* registered = std::get_if<v1::CustomerRegistered>(&event);
  const auto* updated = std::get_if<v1::CustomerUpdated>(&event);
  const bool registration = registered != nullptr;
  const std::string& customer_id =
      registration ? registered->customer_id() : updated->customer_id();
  const v1::CustomerDetails* details = registration ? &registered->details() : &updated->details();
  auto parsed = from_proto(*details, "details");
  if (!parsed.ok()) {
    state.integrity =
        absl::DataLossError(fmt::format("customer '{}': an event could not be applied: {}",
                                        customer_id, parsed.status().message()));
    return state;
  }
  if (registration == state.registered) {
    // Registered twice, or updated before registration: not a stream our deciders wrote.
    state.integrity = absl::DataLossError(fmt::format("customer '{}': {} out of order", customer_id,
                                                      registration ? "registration" : "update"));
    return state;
  }
  state.customer_id = customer_id;
  state.registered = true;
  state.details = *std::move(parsed);
  return state;
}

}  // namespace arflow::invoicing
