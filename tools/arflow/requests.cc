#include "requests.h"

#include <fmt/format.h>

namespace arflow::cli {
namespace {

// What `flags` set in `details`; the mask paths of the fields set.
absl::Status fill_details(const CustomerFlags& flags, const v1::PostalAddress* current_address,
                          v1::CustomerDetails& details, std::vector<std::string>& paths) {
  if (flags.name) {
    details.set_legal_name(*flags.name);
    paths.emplace_back("legal_name");
  }
  if (flags.profile) {
    auto profile = parse_profile(*flags.profile, "--profile");
    if (!profile.ok()) {
      return profile.status();
    }
    details.set_profile(*profile);
    paths.emplace_back("profile");
  }
  if (flags.language) {
    details.set_language(*flags.language);
    paths.emplace_back("language");
  }
  if (flags.emails) {
    for (const auto& email : *flags.emails) {
      if (email.find('@') == std::string::npos) {
        return bad_flag("--email", fmt::format("\"{}\" must be an e-mail address", email));
      }
      details.add_contact_emails(email);
    }
    paths.emplace_back("contact_emails");
  }
  if (flags.any_address()) {
    v1::PostalAddress* address = details.mutable_billing_address();
    if (current_address != nullptr) {
      *address = *current_address;
    }
    if (flags.address_lines) {
      address->clear_lines();
      for (const auto& line : *flags.address_lines) {
        address->add_lines(line);
      }
    }
    if (flags.postal_code) {
      address->set_postal_code(*flags.postal_code);
    }
    if (flags.city) {
      address->set_city(*flags.city);
    }
    if (flags.region) {
      address->set_region(*flags.region);
    }
    if (flags.country) {
      const std::string& c = *flags.country;
      if (c.size() != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z') {
        return bad_flag("--country",
                        fmt::format("\"{}\" must be an ISO 3166-1 alpha-2 code like FR", c));
      }
      address->set_country(c);
    }
    paths.emplace_back("billing_address");
  }
  if (flags.tax_id) {
    details.set_tax_id(*flags.tax_id);
    paths.emplace_back("tax_id");
  }
  if (flags.terms) {
    auto terms = parse_terms(*flags.terms, "--terms");
    if (!terms.ok()) {
      return terms.status();
    }
    *details.mutable_default_payment_terms() = *terms;
    paths.emplace_back("default_payment_terms");
  }
  if (flags.credit_limit) {
    if (*flags.credit_limit != "none") {
      auto limit = parse_money_text(*flags.credit_limit, "--credit-limit");
      if (!limit.ok()) {
        return limit.status();
      }
      if (limit->minor_units() < 0) {
        return bad_flag("--credit-limit", "must be >= 0");
      }
      *details.mutable_credit_limit() = *limit;
    }
    paths.emplace_back("credit_limit");
  }
  return absl::OkStatus();
}

absl::Status check_ids(const std::vector<std::string>& ids, std::string_view flag) {
  for (const auto& id : ids) {
    ARFLOW_RETURN_IF_ERROR(check_id(id, flag));
  }
  return absl::OkStatus();
}

}  // namespace

std::string tenant_parent(const std::string& tenant) { return "tenants/" + tenant; }

std::string customer_name(const std::string& tenant, const std::string& customer_id) {
  return fmt::format("tenants/{}/customers/{}", tenant, customer_id);
}

std::string invoice_name(const std::string& tenant, const std::string& invoice_id) {
  return fmt::format("tenants/{}/invoices/{}", tenant, invoice_id);
}

Result<v1::CreateCustomerRequest> build_create_customer(const std::string& tenant,
                                                        const std::string& customer_id,
                                                        const CustomerFlags& flags,
                                                        const std::string& request_id) {
  ARFLOW_RETURN_IF_ERROR(check_id(customer_id, "customer_id"));
  v1::CreateCustomerRequest request;
  request.set_parent(tenant_parent(tenant));
  request.set_customer_id(customer_id);
  request.set_request_id(request_id);
  std::vector<std::string> paths;
  ARFLOW_RETURN_IF_ERROR(fill_details(flags, nullptr, *request.mutable_details(), paths));
  return request;
}

Result<v1::UpdateCustomerRequest> build_update_customer(const std::string& tenant,
                                                        const std::string& customer_id,
                                                        const CustomerFlags& flags,
                                                        const std::string& request_id,
                                                        const v1::PostalAddress* current_address) {
  ARFLOW_RETURN_IF_ERROR(check_id(customer_id, "customer_id"));
  v1::UpdateCustomerRequest request;
  request.set_name(customer_name(tenant, customer_id));
  request.set_request_id(request_id);
  std::vector<std::string> paths;
  ARFLOW_RETURN_IF_ERROR(fill_details(flags, current_address, *request.mutable_details(), paths));
  if (paths.empty()) {
    return bad_flag("customer update", "give at least one field to change (--name, --email, ...)");
  }
  for (auto& path : paths) {
    request.mutable_update_mask()->add_paths(std::move(path));
  }
  return request;
}

Result<v1::CreateInvoiceRequest> build_create_invoice(const std::string& tenant,
                                                      const std::string& invoice_id,
                                                      const InvoiceFlags& flags,
                                                      const std::string& request_id) {
  ARFLOW_RETURN_IF_ERROR(check_id(invoice_id, "invoice_id"));
  ARFLOW_RETURN_IF_ERROR(check_id(flags.customer_id, "--customer"));
  ARFLOW_RETURN_IF_ERROR(check_currency(flags.currency, "--currency"));
  v1::CreateInvoiceRequest request;
  request.set_parent(tenant_parent(tenant));
  request.set_invoice_id(invoice_id);
  request.set_customer_id(flags.customer_id);
  request.set_request_id(request_id);

  v1::InvoiceContent& content = *request.mutable_content();
  content.set_currency(flags.currency);
  content.set_kind(flags.deposit ? v1::INVOICE_KIND_DEPOSIT : v1::INVOICE_KIND_STANDARD);
  if (flags.lines.empty()) {
    return bad_flag("--line", "give at least one line, like --line \"Consulting;3;450.00;20\"");
  }
  for (size_t i = 0; i < flags.lines.size(); ++i) {
    auto line = parse_line(flags.lines[i], flags.currency, fmt::format("--line {}", i + 1));
    if (!line.ok()) {
      return line.status();
    }
    *content.add_lines() = std::move(*line);
  }
  if (flags.terms) {
    auto terms = parse_terms(*flags.terms, "--terms");
    if (!terms.ok()) {
      return terms.status();
    }
    *content.mutable_payment_terms() = *terms;
  }
  if (flags.early_discount) {
    auto discount = parse_early_discount(*flags.early_discount, "--early-discount");
    if (!discount.ok()) {
      return discount.status();
    }
    *content.mutable_early_payment_discount() = *discount;
  }
  if (flags.late_penalty || flags.recovery_indemnity) {
    v1::LatePaymentTerms& late = *content.mutable_late_payment_terms();
    if (flags.late_penalty) {
      auto rate = parse_percent_bps(*flags.late_penalty, "--late-penalty");
      if (!rate.ok()) {
        return rate.status();
      }
      late.set_penalty_rate_bps(*rate);
    }
    if (flags.recovery_indemnity) {
      auto indemnity =
          parse_money_text(*flags.recovery_indemnity, "--recovery-indemnity", flags.currency);
      if (!indemnity.ok()) {
        return indemnity.status();
      }
      if (indemnity->minor_units() < 0) {
        return bad_flag("--recovery-indemnity", "must be >= 0");
      }
      *late.mutable_recovery_indemnity() = *indemnity;
    }
  }
  ARFLOW_RETURN_IF_ERROR(check_ids(flags.deduct, "--deduct"));
  for (const auto& id : flags.deduct) {
    content.add_deposit_invoice_ids(id);
  }
  if (flags.deposit && !flags.deduct.empty()) {
    return bad_flag("--deduct", "a deposit invoice cannot deduct deposits (leave out --deposit)");
  }

  if (flags.issue) {
    if (!flags.series || flags.series->empty()) {
      return bad_flag("--series", "is required with --issue, like --series 2026");
    }
    request.set_issue(true);
    request.set_series(*flags.series);
    if (flags.issue_date) {
      auto date = parse_date(*flags.issue_date, "--issue-date");
      if (!date.ok()) {
        return date.status();
      }
      *request.mutable_issue_date() = *date;
    }
  } else if (flags.series || flags.issue_date) {
    return bad_flag(flags.series ? "--series" : "--issue-date",
                    "only goes with --issue (a draft has no number yet)");
  }
  return request;
}

Result<v1::IssueInvoiceRequest> build_issue_invoice(const std::string& tenant,
                                                    const std::string& invoice_id,
                                                    const std::string& series,
                                                    const std::optional<std::string>& issue_date,
                                                    const std::string& request_id) {
  ARFLOW_RETURN_IF_ERROR(check_id(invoice_id, "invoice_id"));
  if (series.empty()) {
    return bad_flag("--series", "must not be empty, like --series 2026");
  }
  v1::IssueInvoiceRequest request;
  request.set_name(invoice_name(tenant, invoice_id));
  request.set_series(series);
  request.set_request_id(request_id);
  if (issue_date) {
    auto date = parse_date(*issue_date, "--issue-date");
    if (!date.ok()) {
      return date.status();
    }
    *request.mutable_issue_date() = *date;
  }
  return request;
}

Result<v1::CreateCreditNoteRequest> build_credit_note(const std::string& tenant,
                                                      const std::string& invoice_id,
                                                      const CreditNoteFlags& flags,
                                                      const std::string& currency,
                                                      const std::string& request_id) {
  ARFLOW_RETURN_IF_ERROR(check_id(invoice_id, "invoice_id"));
  ARFLOW_RETURN_IF_ERROR(check_id(flags.credit_note_id, "--credit-note-id"));
  if (flags.series.empty()) {
    return bad_flag("--series", "must not be empty, like --series CN-2026");
  }
  if (flags.full == !flags.lines.empty()) {
    return bad_flag("--full", "give either --full or the lines to credit (--line ...), not both");
  }
  v1::CreateCreditNoteRequest request;
  request.set_name(invoice_name(tenant, invoice_id));
  request.set_credit_note_id(flags.credit_note_id);
  request.set_series(flags.series);
  request.set_reason(flags.reason);
  request.set_full(flags.full);
  request.set_request_id(request_id);
  if (flags.issue_date) {
    auto date = parse_date(*flags.issue_date, "--issue-date");
    if (!date.ok()) {
      return date.status();
    }
    *request.mutable_issue_date() = *date;
  }
  if (!flags.lines.empty()) {
    ARFLOW_RETURN_IF_ERROR(check_currency(currency, "--currency"));
  }
  for (size_t i = 0; i < flags.lines.size(); ++i) {
    auto line = parse_line(flags.lines[i], currency, fmt::format("--line {}", i + 1));
    if (!line.ok()) {
      return line.status();
    }
    *request.add_lines() = std::move(*line);
  }
  return request;
}

bool amount_has_currency(const std::string& amount) {
  return amount.find(' ') != std::string::npos;
}

Result<v1::AddLateFeeRequest> build_late_fee(const std::string& tenant,
                                             const std::string& invoice_id, const FeeFlags& flags,
                                             const std::optional<std::string>& currency,
                                             const std::string& request_id) {
  ARFLOW_RETURN_IF_ERROR(check_id(invoice_id, "invoice_id"));
  if (flags.source_id.empty()) {
    return bad_flag("--source-id", "must not be empty");
  }
  auto kind = parse_fee_kind(flags.kind, "--kind");
  if (!kind.ok()) {
    return kind.status();
  }
  auto amount = parse_positive_money(flags.amount, "--amount", currency);
  if (!amount.ok()) {
    return amount.status();
  }
  v1::AddLateFeeRequest request;
  request.set_name(invoice_name(tenant, invoice_id));
  request.set_source_id(flags.source_id);
  request.set_kind(*kind);
  request.set_description(flags.description);
  *request.mutable_amount() = *amount;
  request.set_request_id(request_id);
  if (flags.as_of) {
    auto date = parse_date(*flags.as_of, "--as-of");
    if (!date.ok()) {
      return date.status();
    }
    *request.mutable_as_of() = *date;
  }
  return request;
}

}  // namespace arflow::cli
