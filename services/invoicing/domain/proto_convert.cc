#include "invoicing/domain/proto_convert.h"

#include <fmt/compile.h>
#include <fmt/format.h>

namespace arflow::invoicing {

v1::CustomerProfile to_proto(CustomerProfile profile) {
  switch (profile) {
    case CustomerProfile::kAdministration:
      return v1::CUSTOMER_PROFILE_ADMINISTRATION;
    case CustomerProfile::kBusiness:
      return v1::CUSTOMER_PROFILE_BUSINESS;
    case CustomerProfile::kIndividual:
      return v1::CUSTOMER_PROFILE_INDIVIDUAL;
    case CustomerProfile::kUnspecified:
      break;
  }
  return v1::CUSTOMER_PROFILE_UNSPECIFIED;
}

CustomerProfile from_proto(v1::CustomerProfile profile) {
  switch (profile) {
    case v1::CUSTOMER_PROFILE_ADMINISTRATION:
      return CustomerProfile::kAdministration;
    case v1::CUSTOMER_PROFILE_BUSINESS:
      return CustomerProfile::kBusiness;
    case v1::CUSTOMER_PROFILE_INDIVIDUAL:
      return CustomerProfile::kIndividual;
    default:
      return CustomerProfile::kUnspecified;
  }
}

v1::PostalAddress to_proto(const PostalAddress& address) {
  v1::PostalAddress out;
  for (const std::string& line : address.lines) {
    out.add_lines(line);
  }
  out.set_postal_code(address.postal_code);
  out.set_city(address.city);
  out.set_region(address.region);
  out.set_country(address.country);
  return out;
}

PostalAddress from_proto(const v1::PostalAddress& address) {
  return PostalAddress{.lines = {address.lines().begin(), address.lines().end()},
                       .postal_code = address.postal_code(),
                       .city = address.city(),
                       .region = address.region(),
                       .country = address.country()};
}

v1::PaymentTerms to_proto(const PaymentTerms& terms) {
  v1::PaymentTerms out;
  switch (terms.kind) {
    case PaymentTermsKind::kNetDays:
      out.set_kind(v1::PaymentTerms::KIND_NET_DAYS);
      break;
    case PaymentTermsKind::kEndOfMonthPlus:
      out.set_kind(v1::PaymentTerms::KIND_END_OF_MONTH_PLUS);
      break;
    case PaymentTermsKind::kDueOnReceipt:
      out.set_kind(v1::PaymentTerms::KIND_DUE_ON_RECEIPT);
      break;
    case PaymentTermsKind::kUnspecified:
      out.set_kind(v1::PaymentTerms::KIND_UNSPECIFIED);
      break;
  }
  out.set_days(terms.days);
  return out;
}

PaymentTerms from_proto(const v1::PaymentTerms& terms) {
  PaymentTerms out{.days = terms.days()};
  switch (terms.kind()) {
    case v1::PaymentTerms::KIND_NET_DAYS:
      out.kind = PaymentTermsKind::kNetDays;
      break;
    case v1::PaymentTerms::KIND_END_OF_MONTH_PLUS:
      out.kind = PaymentTermsKind::kEndOfMonthPlus;
      break;
    case v1::PaymentTerms::KIND_DUE_ON_RECEIPT:
      out.kind = PaymentTermsKind::kDueOnReceipt;
      break;
    default:
      out.kind = PaymentTermsKind::kUnspecified;
      break;
  }
  return out;
}

v1::CustomerDetails to_proto(const CustomerDetails& details) {
  v1::CustomerDetails out;
  out.set_legal_name(details.legal_name);
  out.set_profile(to_proto(details.profile));
  out.set_language(details.language);
  for (const std::string& email : details.contact_emails) {
    out.add_contact_emails(email);
  }
  *out.mutable_billing_address() = to_proto(details.billing_address);
  out.set_tax_id(details.tax_id);
  *out.mutable_default_payment_terms() = to_proto(details.default_payment_terms);
  if (details.credit_limit.has_value()) {
    *out.mutable_credit_limit() = to_proto(*details.credit_limit);
  }
  return out;
}

Result<CustomerDetails> from_proto(const v1::CustomerDetails& details, std::string_view field) {
  CustomerDetails out{
      .legal_name = details.legal_name(),
      .profile = from_proto(details.profile()),
      .language = details.language(),
      .contact_emails = {details.contact_emails().begin(), details.contact_emails().end()},
      .billing_address = from_proto(details.billing_address()),
      .tax_id = details.tax_id(),
      .default_payment_terms = from_proto(details.default_payment_terms()),
  };
  if (details.has_credit_limit()) {
    ARFLOW_ASSIGN_OR_RETURN(
        out.credit_limit,
        from_proto(details.credit_limit(),
                   field.empty() ? std::string("credit_limit")
                                 : fmt::format(FMT_COMPILE("{}.credit_limit"), field)));
  }
  return out;
}

v1::InvoiceKind to_proto(InvoiceKind kind) {
  return kind == InvoiceKind::kDeposit ? v1::INVOICE_KIND_DEPOSIT : v1::INVOICE_KIND_STANDARD;
}

Result<InvoiceKind> from_proto(v1::InvoiceKind kind, std::string_view field) {
  switch (kind) {
    case v1::INVOICE_KIND_UNSPECIFIED:  // an invoice is standard unless it says otherwise
    case v1::INVOICE_KIND_STANDARD:
      return InvoiceKind::kStandard;
    case v1::INVOICE_KIND_DEPOSIT:
      return InvoiceKind::kDeposit;
    default:
      return invalid_field(field, "must be STANDARD or DEPOSIT");
  }
}

v1::InvoiceStatus to_proto(InvoiceStatus status) {
  switch (status) {
    case InvoiceStatus::kDraft:
      return v1::INVOICE_STATUS_DRAFT;
    case InvoiceStatus::kDeleted:
      return v1::INVOICE_STATUS_DELETED;
    case InvoiceStatus::kIssued:
      return v1::INVOICE_STATUS_ISSUED;
    case InvoiceStatus::kPartiallyPaid:
      return v1::INVOICE_STATUS_PARTIALLY_PAID;
    case InvoiceStatus::kPaid:
      return v1::INVOICE_STATUS_PAID;
    case InvoiceStatus::kVoid:
      return v1::INVOICE_STATUS_VOID;
    case InvoiceStatus::kUncollectible:
      return v1::INVOICE_STATUS_UNCOLLECTIBLE;
    case InvoiceStatus::kNone:
      break;
  }
  return v1::INVOICE_STATUS_UNSPECIFIED;
}

InvoiceStatus from_proto(v1::InvoiceStatus status) {
  switch (status) {
    case v1::INVOICE_STATUS_DRAFT:
      return InvoiceStatus::kDraft;
    case v1::INVOICE_STATUS_DELETED:
      return InvoiceStatus::kDeleted;
    case v1::INVOICE_STATUS_ISSUED:
      return InvoiceStatus::kIssued;
    case v1::INVOICE_STATUS_PARTIALLY_PAID:
      return InvoiceStatus::kPartiallyPaid;
    case v1::INVOICE_STATUS_PAID:
      return InvoiceStatus::kPaid;
    case v1::INVOICE_STATUS_VOID:
      return InvoiceStatus::kVoid;
    case v1::INVOICE_STATUS_UNCOLLECTIBLE:
      return InvoiceStatus::kUncollectible;
    default:
      return InvoiceStatus::kNone;
  }
}

v1::RecipientStatus to_proto(RecipientStatus status) {
  switch (status) {
    case RecipientStatus::kReceived:
      return v1::RECIPIENT_STATUS_RECEIVED;
    case RecipientStatus::kMadeAvailable:
      return v1::RECIPIENT_STATUS_MADE_AVAILABLE;
    case RecipientStatus::kApproved:
      return v1::RECIPIENT_STATUS_APPROVED;
    case RecipientStatus::kPartiallyApproved:
      return v1::RECIPIENT_STATUS_PARTIALLY_APPROVED;
    case RecipientStatus::kDisputed:
      return v1::RECIPIENT_STATUS_DISPUTED;
    case RecipientStatus::kSuspended:
      return v1::RECIPIENT_STATUS_SUSPENDED;
    case RecipientStatus::kToBeRecycled:
      return v1::RECIPIENT_STATUS_TO_BE_RECYCLED;
    case RecipientStatus::kServiceDone:
      return v1::RECIPIENT_STATUS_SERVICE_DONE;
    case RecipientStatus::kMandated:
      return v1::RECIPIENT_STATUS_MANDATED;
    case RecipientStatus::kPaymentTransmitted:
      return v1::RECIPIENT_STATUS_PAYMENT_TRANSMITTED;
    case RecipientStatus::kRefused:
      return v1::RECIPIENT_STATUS_REFUSED;
    case RecipientStatus::kCollected:
      return v1::RECIPIENT_STATUS_COLLECTED;
  }
  return v1::RECIPIENT_STATUS_UNSPECIFIED;
}

Result<RecipientStatus> from_proto(v1::RecipientStatus status, std::string_view field) {
  switch (status) {
    case v1::RECIPIENT_STATUS_RECEIVED:
      return RecipientStatus::kReceived;
    case v1::RECIPIENT_STATUS_MADE_AVAILABLE:
      return RecipientStatus::kMadeAvailable;
    case v1::RECIPIENT_STATUS_APPROVED:
      return RecipientStatus::kApproved;
    case v1::RECIPIENT_STATUS_PARTIALLY_APPROVED:
      return RecipientStatus::kPartiallyApproved;
    case v1::RECIPIENT_STATUS_DISPUTED:
      return RecipientStatus::kDisputed;
    case v1::RECIPIENT_STATUS_SUSPENDED:
      return RecipientStatus::kSuspended;
    case v1::RECIPIENT_STATUS_TO_BE_RECYCLED:
      return RecipientStatus::kToBeRecycled;
    case v1::RECIPIENT_STATUS_SERVICE_DONE:
      return RecipientStatus::kServiceDone;
    case v1::RECIPIENT_STATUS_MANDATED:
      return RecipientStatus::kMandated;
    case v1::RECIPIENT_STATUS_PAYMENT_TRANSMITTED:
      return RecipientStatus::kPaymentTransmitted;
    case v1::RECIPIENT_STATUS_REFUSED:
      return RecipientStatus::kRefused;
    case v1::RECIPIENT_STATUS_COLLECTED:
      return RecipientStatus::kCollected;
    default:
      return invalid_field(field, "must be a recipient status");
  }
}

v1::LateFeeKind to_proto(LateFeeKind kind) {
  switch (kind) {
    case LateFeeKind::kInterest:
      return v1::LATE_FEE_KIND_INTEREST;
    case LateFeeKind::kRecoveryIndemnity:
      return v1::LATE_FEE_KIND_RECOVERY_INDEMNITY;
    case LateFeeKind::kFee:
      return v1::LATE_FEE_KIND_FEE;
  }
  return v1::LATE_FEE_KIND_UNSPECIFIED;
}

Result<LateFeeKind> from_proto(v1::LateFeeKind kind, std::string_view field) {
  switch (kind) {
    case v1::LATE_FEE_KIND_INTEREST:
      return LateFeeKind::kInterest;
    case v1::LATE_FEE_KIND_RECOVERY_INDEMNITY:
      return LateFeeKind::kRecoveryIndemnity;
    case v1::LATE_FEE_KIND_FEE:
      return LateFeeKind::kFee;
    default:
      return invalid_field(field, "must be INTEREST, RECOVERY_INDEMNITY or FEE");
  }
}

v1::AllocationRejectionReason to_proto(AllocationRejection reason) {
  switch (reason) {
    case AllocationRejection::kInvoiceNotIssued:
      return v1::ALLOCATION_REJECTION_REASON_INVOICE_NOT_ISSUED;
    case AllocationRejection::kInvoiceVoid:
      return v1::ALLOCATION_REJECTION_REASON_INVOICE_VOID;
    case AllocationRejection::kInvoiceUncollectible:
      return v1::ALLOCATION_REJECTION_REASON_INVOICE_UNCOLLECTIBLE;
    case AllocationRejection::kWouldOverpay:
      return v1::ALLOCATION_REJECTION_REASON_WOULD_OVERPAY;
    case AllocationRejection::kCurrencyMismatch:
      return v1::ALLOCATION_REJECTION_REASON_CURRENCY_MISMATCH;
  }
  return v1::ALLOCATION_REJECTION_REASON_UNSPECIFIED;
}

v1::InvoiceLine to_proto(const InvoiceLine& line, std::optional<Money> net) {
  v1::InvoiceLine out;
  out.set_description(line.description);
  *out.mutable_quantity() = to_proto(line.quantity);
  *out.mutable_unit_price() = to_proto(line.unit_price);
  out.set_discount_bps(line.discount_bps);
  out.set_tax_rate_bps(line.tax_rate_bps);
  if (net.has_value()) {
    *out.mutable_net_amount() = to_proto(*net);
  }
  return out;
}

Result<InvoiceLine> from_proto(const v1::InvoiceLine& line, std::string_view field) {
  ARFLOW_ASSIGN_OR_RETURN(
      Decimal quantity,
      from_proto(line.quantity(), fmt::format(FMT_COMPILE("{}.quantity"), field)));
  ARFLOW_ASSIGN_OR_RETURN(
      Money unit_price,
      from_proto(line.unit_price(), fmt::format(FMT_COMPILE("{}.unit_price"), field)));
  return InvoiceLine{.description = line.description(),
                     .quantity = quantity,
                     .unit_price = unit_price,
                     .discount_bps = line.discount_bps(),
                     .tax_rate_bps = line.tax_rate_bps()};
}

v1::TaxAmount to_proto(const TaxAmount& tax) {
  v1::TaxAmount out;
  out.set_rate_bps(tax.rate_bps);
  *out.mutable_taxable_amount() = to_proto(tax.taxable);
  *out.mutable_tax_amount() = to_proto(tax.tax);
  return out;
}

Result<TaxAmount> from_proto(const v1::TaxAmount& tax, std::string_view field) {
  ARFLOW_ASSIGN_OR_RETURN(
      Money taxable,
      from_proto(tax.taxable_amount(), fmt::format(FMT_COMPILE("{}.taxable_amount"), field)));
  ARFLOW_ASSIGN_OR_RETURN(
      Money amount, from_proto(tax.tax_amount(), fmt::format(FMT_COMPILE("{}.tax_amount"), field)));
  return TaxAmount{.rate_bps = tax.rate_bps(), .taxable = taxable, .tax = amount};
}

v1::EarlyPaymentDiscount to_proto(const EarlyPaymentDiscount& discount) {
  v1::EarlyPaymentDiscount out;
  out.set_rate_bps(discount.rate_bps);
  out.set_days(discount.days);
  return out;
}

v1::LatePaymentTerms to_proto(const LatePaymentTerms& terms) {
  v1::LatePaymentTerms out;
  out.set_penalty_rate_bps(terms.penalty_rate_bps);
  if (terms.recovery_indemnity.has_value()) {
    *out.mutable_recovery_indemnity() = to_proto(*terms.recovery_indemnity);
  }
  return out;
}

Result<LatePaymentTerms> from_proto(const v1::LatePaymentTerms& terms, std::string_view field) {
  LatePaymentTerms out{.penalty_rate_bps = terms.penalty_rate_bps()};
  if (terms.has_recovery_indemnity()) {
    ARFLOW_ASSIGN_OR_RETURN(out.recovery_indemnity,
                            from_proto(terms.recovery_indemnity(),
                                       fmt::format(FMT_COMPILE("{}.recovery_indemnity"), field)));
  }
  return out;
}

v1::InvoiceContent to_proto(const InvoiceContent& content, bool with_lines) {
  v1::InvoiceContent out;
  out.set_currency(content.currency);
  out.set_kind(to_proto(content.kind));
  if (with_lines) {
    for (const InvoiceLine& line : content.lines) {
      *out.add_lines() = to_proto(line);
    }
  }
  if (content.payment_terms.has_value()) {
    *out.mutable_payment_terms() = to_proto(*content.payment_terms);
  }
  if (content.early_payment_discount.has_value()) {
    *out.mutable_early_payment_discount() = to_proto(*content.early_payment_discount);
  }
  if (content.late_payment_terms.has_value()) {
    *out.mutable_late_payment_terms() = to_proto(*content.late_payment_terms);
  }
  for (const std::string& id : content.deposit_invoice_ids) {
    out.add_deposit_invoice_ids(id);
  }
  return out;
}

Result<InvoiceContent> from_proto(const v1::InvoiceContent& content, std::string_view field) {
  const auto sub = [&](std::string_view name) {
    return field.empty() ? std::string(name) : fmt::format(FMT_COMPILE("{}.{}"), field, name);
  };
  ARFLOW_ASSIGN_OR_RETURN(InvoiceKind kind, from_proto(content.kind(), sub("kind")));
  InvoiceContent out{.currency = content.currency(), .kind = kind};
  out.lines.reserve(static_cast<size_t>(content.lines_size()));
  for (int i = 0; i < content.lines_size(); ++i) {
    ARFLOW_ASSIGN_OR_RETURN(
        InvoiceLine line,
        from_proto(content.lines(i), fmt::format(FMT_COMPILE("{}[{}]"), sub("lines"), i)));
    out.lines.push_back(std::move(line));
  }
  if (content.has_payment_terms() &&
      content.payment_terms().kind() != v1::PaymentTerms::KIND_UNSPECIFIED) {
    out.payment_terms = from_proto(content.payment_terms());
  }
  if (content.has_early_payment_discount()) {
    out.early_payment_discount =
        EarlyPaymentDiscount{.rate_bps = content.early_payment_discount().rate_bps(),
                             .days = content.early_payment_discount().days()};
  }
  if (content.has_late_payment_terms()) {
    ARFLOW_ASSIGN_OR_RETURN(out.late_payment_terms,
                            from_proto(content.late_payment_terms(), sub("late_payment_terms")));
  }
  out.deposit_invoice_ids.assign(content.deposit_invoice_ids().begin(),
                                 content.deposit_invoice_ids().end());
  return out;
}

}  // namespace arflow::invoicing
