#pragma once
// The customer aggregate (stream "customer/<customer_id>"): registering a customer and
// keeping its details. That a customer id exists is the service's question; the rules of
// the details are here.

#include <string_view>
#include <vector>

#include "arflow/contract/ids.h"
#include "arflow/core/error.h"
#include "invoicing/domain/commands.h"
#include "invoicing/domain/customer_state.h"
#include "invoicing/domain/events.h"

namespace arflow::invoicing {

// Lengths of the customer's texts are the contract's (contract/limits.h): payments and
// collections receive them in invoicing's events.
using contract::kMaxAddressFieldLength;
using contract::kMaxEmailLength;
using contract::kMaxLegalNameLength;
using contract::kMaxTaxIdLength;
inline constexpr size_t kMaxContactEmails = 10;
inline constexpr size_t kMaxAddressLines = 4;

// The languages documents and reminders are written in.
bool supported_language(std::string_view language);

// INVALID_ARGUMENT naming `field` unless `email` is one address "local@domain" that a mail
// server accepts: a dot-atom local part (RFC 5322, no quoting), a domain of at least two
// LDH labels with an alphabetic top-level label.
absl::Status validate_email(std::string_view email, std::string_view field);

// Ids name streams; the rule is every service's (arflow/contract/ids.h).
using contract::validate_id;

// Every rule of the details; fields are named as in the API ("contact_emails[1]").
absl::Status validate_customer_details(const CustomerDetails& details);

Result<std::vector<CustomerEvent>> decide(const RegisterCustomer& command,
                                          const CustomerState& state);
// Details identical to the current ones record nothing.
Result<std::vector<CustomerEvent>> decide(const UpdateCustomer& command,
                                          const CustomerState& state);

CustomerState evolve(CustomerState state, const CustomerEvent& event);

}  // namespace arflow::invoicing
