#pragma once
// Between the domain's types and the contract's messages. to_proto never fails; from_proto
// checks what a message cannot (a currency code, a date, an enum value) and names `field` in
// its error, so the API layer can build commands with these and pass errors through.

#include <optional>
#include <string_view>

#include "arflow/common/v1/money.pb.h"
#include "arflow/contract/convert.h"
#include "arflow/core/clock.h"
#include "arflow/core/decimal.h"
#include "arflow/core/error.h"
#include "arflow/core/money.h"
#include "arflow/invoicing/v1/events.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "invoicing/domain/model.h"

namespace arflow::invoicing {

namespace common = ::arflow::common::v1;

// Money, Decimal, Date and Timestamp: the shared conversions.
using contract::from_proto;
using contract::to_proto;

v1::CustomerProfile to_proto(CustomerProfile profile);
CustomerProfile from_proto(v1::CustomerProfile profile);  // unknown values: kUnspecified

v1::PostalAddress to_proto(const PostalAddress& address);
PostalAddress from_proto(const v1::PostalAddress& address);

v1::PaymentTerms to_proto(const PaymentTerms& terms);
PaymentTerms from_proto(const v1::PaymentTerms& terms);  // unknown kinds: kUnspecified

v1::CustomerDetails to_proto(const CustomerDetails& details);
Result<CustomerDetails> from_proto(const v1::CustomerDetails& details, std::string_view field);

v1::InvoiceKind to_proto(InvoiceKind kind);
Result<InvoiceKind> from_proto(v1::InvoiceKind kind, std::string_view field);

v1::InvoiceStatus to_proto(InvoiceStatus status);
InvoiceStatus from_proto(v1::InvoiceStatus status);  // unknown values: kNone

v1::RecipientStatus to_proto(RecipientStatus status);
Result<RecipientStatus> from_proto(v1::RecipientStatus status, std::string_view field);

v1::LateFeeKind to_proto(LateFeeKind kind);
Result<LateFeeKind> from_proto(v1::LateFeeKind kind, std::string_view field);

v1::AllocationRejectionReason to_proto(AllocationRejection reason);

// `net` is the line's priced amount, when known (issued invoices, credit notes).
v1::InvoiceLine to_proto(const InvoiceLine& line, std::optional<Money> net = std::nullopt);
Result<InvoiceLine> from_proto(const v1::InvoiceLine& line, std::string_view field);

v1::TaxAmount to_proto(const TaxAmount& tax);
Result<TaxAmount> from_proto(const v1::TaxAmount& tax, std::string_view field);

v1::EarlyPaymentDiscount to_proto(const EarlyPaymentDiscount& discount);
v1::LatePaymentTerms to_proto(const LatePaymentTerms& terms);
Result<LatePaymentTerms> from_proto(const v1::LatePaymentTerms& terms, std::string_view field);

// `with_lines` false leaves the lines out (a list row), without building them first.
v1::InvoiceContent to_proto(const InvoiceContent& content, bool with_lines = true);
Result<InvoiceContent> from_proto(const v1::InvoiceContent& content, std::string_view field);

}  // namespace arflow::invoicing
