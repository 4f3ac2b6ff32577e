#pragma once
// The invoicing domain's vocabulary: the value types that commands, aggregate states and the
// conversions to events share. Plain data; the rules live in the deciders (docs/invoicing.md).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arflow/core/decimal.h"
#include "arflow/core/money.h"

namespace arflow::invoicing {

// A civil date in the tenant's calendar. The domain never reads a clock: commands carry the
// dates (issue date, "as of") that the service derived from its Clock.
using Date = std::chrono::year_month_day;

// Basis points in one whole: 10000 bps = 100 %.
inline constexpr int64_t kBasisPointsPerWhole = 10'000;

// ----- Customers ------------------------------------------------------------------------------

// Collections chooses its dunning policy from it.
enum class CustomerProfile {
  kUnspecified,  // what an API request without a profile becomes; refused by the decider
  kAdministration,
  kBusiness,
  kIndividual,
};

struct PostalAddress {
  std::vector<std::string> lines;
  std::string postal_code;
  std::string city;
  std::string region;
  std::string country;  // ISO 3166-1 alpha-2, upper case

  friend bool operator==(const PostalAddress&, const PostalAddress&) = default;
};

enum class PaymentTermsKind {
  kUnspecified,
  kNetDays,         // due `days` after the issue date
  kEndOfMonthPlus,  // due `days` after the last day of the issue month
  kDueOnReceipt,    // due on the issue date
};

struct PaymentTerms {
  PaymentTermsKind kind = PaymentTermsKind::kUnspecified;
  uint32_t days = 0;

  friend bool operator==(const PaymentTerms&, const PaymentTerms&) = default;
};

struct CustomerDetails {
  std::string legal_name;
  CustomerProfile profile = CustomerProfile::kUnspecified;
  std::string language;  // BCP 47 primary tag
  std::vector<std::string> contact_emails;
  PostalAddress billing_address;
  std::string tax_id;  // optional
  PaymentTerms default_payment_terms;
  std::optional<Money> credit_limit;  // none: no limit recorded

  friend bool operator==(const CustomerDetails&, const CustomerDetails&) = default;
};

// ----- Invoices -------------------------------------------------------------------------------

enum class InvoiceKind {
  kStandard,  // a standard invoice that deducts deposits is the "final" invoice
  kDeposit,   // a down-payment invoice
};

enum class InvoiceStatus {
  kNone,  // no such invoice (an empty stream)
  kDraft,
  kDeleted,  // a draft thrown away; never had a number, its id is never reused
  kIssued,
  kPartiallyPaid,
  kPaid,
  kVoid,           // cancelled by credit note; the number is kept
  kUncollectible,  // written off
};

// "DRAFT", "ISSUED", ...: for messages.
std::string_view status_name(InvoiceStatus status);

struct InvoiceLine {
  std::string description;
  Decimal quantity;          // > 0
  Money unit_price;          // >= 0, in the invoice's currency
  int64_t discount_bps = 0;  // 0..10000 off this line
  int64_t tax_rate_bps;      // 0..10000
};

// A percentage off the amount due when paid within `days` of the issue date.
struct EarlyPaymentDiscount {
  int64_t rate_bps = 0;  // 1..10000
  uint32_t days = 0;

  friend bool operator==(const EarlyPaymentDiscount&, const EarlyPaymentDiscount&) = default;
};

// Printed on the invoice; what collections may charge when it is paid late.
struct LatePaymentTerms {
  int64_t penalty_rate_bps = 0;             // per year, 0..10000
  std::optional<Money> recovery_indemnity;  // fixed, e.g. 40 EUR; in the invoice's currency

  friend bool operator==(const LatePaymentTerms&, const LatePaymentTerms&) = default;
};

// What a draft says. Issuing freezes it and prices it.
struct InvoiceContent {
  std::string currency;  // ISO 4217; every amount of the invoice is in it
  InvoiceKind kind = InvoiceKind::kStandard;
  std::vector<InvoiceLine> lines;
  std::optional<PaymentTerms> payment_terms;  // none: the customer's default at issue
  std::optional<EarlyPaymentDiscount> early_payment_discount;
  std::optional<LatePaymentTerms> late_payment_terms;
  std::vector<std::string> deposit_invoice_ids;  // deposits a final invoice deducts
};

// The tax of one rate over a whole document (see totals.h).
struct TaxAmount {
  int64_t rate_bps;
  Money taxable;  // the net amount taxed at this rate
  Money tax;

  friend bool operator==(const TaxAmount&, const TaxAmount&) = default;
};

// What the buyer's platform (public-sector portal, e-invoicing platform) reports.
enum class RecipientStatus {
  kReceived,
  kMadeAvailable,
  kApproved,
  kPartiallyApproved,
  kDisputed,
  kSuspended,
  kToBeRecycled,  // rejected for correction
  kServiceDone,   // "service fait"
  kMandated,      // payment ordered
  kPaymentTransmitted,
  kRefused,
  kCollected,
};

// "RECEIVED", "MADE_AVAILABLE", ...: for messages.
std::string_view recipient_status_name(RecipientStatus status);

enum class LateFeeKind {
  kInterest,           // penalty interest for the days late
  kRecoveryIndemnity,  // the fixed indemnity (EU: 40 EUR)
  kFee,                // any other late-payment fee
};

// Why an allocation from payments could not be applied (payments makes it customer credit).
enum class AllocationRejection {
  kInvoiceNotIssued,
  kInvoiceVoid,
  kInvoiceUncollectible,
  kWouldOverpay,
  kCurrencyMismatch,
};

}  // namespace arflow::invoicing
