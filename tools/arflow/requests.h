#pragma once
// The `arflow` subcommands' flags, as given, and the requests they make. Pure functions: no
// I/O, so the translation from a command line to a request is tested on its own.
//
// A flag that was not given is nullopt (or an empty list): an update sends only the fields
// of the flags given, in its update_mask.

#include <optional>
#include <string>
#include <vector>

#include "arflow/core/error.h"
#include "arflow/invoicing/v1/invoicing_service.pb.h"
#include "input.h"

namespace arflow::cli {

// "tenants/{tenant}", ".../customers/{id}", ".../invoices/{id}".
std::string tenant_parent(const std::string& tenant);
std::string customer_name(const std::string& tenant, const std::string& customer_id);
std::string invoice_name(const std::string& tenant, const std::string& invoice_id);

struct CustomerFlags {
  std::optional<std::string> name;  // legal name
  std::optional<std::string> profile;
  std::optional<std::string> language;
  std::optional<std::vector<std::string>> emails;
  std::optional<std::vector<std::string>> address_lines;
  std::optional<std::string> postal_code;
  std::optional<std::string> city;
  std::optional<std::string> region;
  std::optional<std::string> country;
  std::optional<std::string> tax_id;
  std::optional<std::string> terms;
  std::optional<std::string> credit_limit;  // "5000.00 EUR", or "none" (update: remove it)

  bool any_address() const { return address_lines || postal_code || city || region || country; }
};

Result<v1::CreateCustomerRequest> build_create_customer(const std::string& tenant,
                                                        const std::string& customer_id,
                                                        const CustomerFlags& flags,
                                                        const std::string& request_id);

// Only the fields of the flags given, each named in update_mask. The address is one field of
// the contract ("billing_address"): when only some of its flags are given, the others keep
// their values from `current_address` (the customer's address as last read), which the
// caller must then pass. INVALID_ARGUMENT when no flag is given.
Result<v1::UpdateCustomerRequest> build_update_customer(
    const std::string& tenant, const std::string& customer_id, const CustomerFlags& flags,
    const std::string& request_id, const v1::PostalAddress* current_address = nullptr);

struct InvoiceFlags {
  std::string customer_id;
  std::string currency;
  std::vector<std::string> lines;
  std::optional<std::string> terms;
  bool deposit = false;
  std::vector<std::string> deduct;  // deposit invoice ids
  std::optional<std::string> early_discount;
  std::optional<std::string> late_penalty;
  std::optional<std::string> recovery_indemnity;
  bool issue = false;
  std::optional<std::string> series;
  std::optional<std::string> issue_date;
};

Result<v1::CreateInvoiceRequest> build_create_invoice(const std::string& tenant,
                                                      const std::string& invoice_id,
                                                      const InvoiceFlags& flags,
                                                      const std::string& request_id);

Result<v1::IssueInvoiceRequest> build_issue_invoice(const std::string& tenant,
                                                    const std::string& invoice_id,
                                                    const std::string& series,
                                                    const std::optional<std::string>& issue_date,
                                                    const std::string& request_id);

struct CreditNoteFlags {
  std::string credit_note_id;
  std::string series;
  std::optional<std::string> issue_date;
  std::string reason;
  bool full = false;
  std::vector<std::string> lines;
};

// `currency` is the invoice's (only needed for lines).
Result<v1::CreateCreditNoteRequest> build_credit_note(const std::string& tenant,
                                                      const std::string& invoice_id,
                                                      const CreditNoteFlags& flags,
                                                      const std::string& currency,
                                                      const std::string& request_id);

struct FeeFlags {
  std::string source_id;
  std::string kind;
  std::string amount;  // "40.00" in the invoice's currency, or "40.00 EUR"
  std::string description;
  std::optional<std::string> as_of;
};

// `currency` is the invoice's; nullopt when the amount must carry its own.
Result<v1::AddLateFeeRequest> build_late_fee(const std::string& tenant,
                                             const std::string& invoice_id, const FeeFlags& flags,
                                             const std::optional<std::string>& currency,
                                             const std::string& request_id);

// True when the amount text names its currency ("40.00 EUR").
bool amount_has_currency(const std::string& amount);

}  // namespace arflow::cli
