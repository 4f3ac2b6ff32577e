#pragma once
// What a user types on the `arflow` command line, turned into the contract's messages.
//
// Every parser is exact (no floating point) and refuses rather than guesses. Errors are
// INVALID_ARGUMENT whose message starts with the flag (or argument) and states the rule:
//   --line 2: tax % "5.555" must have at most 2 decimals
// The CLI prints such a message and exits with code 2.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arflow/common/v1/money.pb.h"
#include "arflow/core/error.h"
#include "arflow/invoicing/v1/events.pb.h"
#include "arflow/invoicing/v1/invoicing_service.pb.h"
#include "arflow/payments/v1/payments_service.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace arflow::cli {

namespace v1 = ::arflow::invoicing::v1;
namespace pay = ::arflow::payments::v1;
namespace common = ::arflow::common::v1;

// INVALID_ARGUMENT "<flag>: <rule>".
absl::Status bad_flag(std::string_view flag, std::string_view rule);

// A percentage as basis points, exactly: "20" -> 2000, "5.5" -> 550, "0.25" -> 25, with an
// optional trailing '%'. 0..100 %, at most 2 decimals.
Result<int64_t> parse_percent_bps(std::string_view text, std::string_view flag);

// "net:30" (due 30 days after the issue date), "eom:15" (15 days after the end of the issue
// month), "receipt" (due on receipt). Days 0..365.
Result<v1::PaymentTerms> parse_terms(std::string_view text, std::string_view flag);

// "YYYY-MM-DD", a real calendar date.
Result<common::Date> parse_date(std::string_view text, std::string_view flag);

// An ISO 4217 code ("EUR").
absl::Status check_currency(std::string_view code, std::string_view flag);

// An amount in `currency` ("450.00"), at most the currency's decimals.
Result<common::Money> parse_amount(std::string_view text, std::string_view currency,
                                   std::string_view flag);

// An amount and its currency: "5000.00 EUR". When `default_currency` is given, the currency
// may be left out ("40.00"); when both are there they must agree.
Result<common::Money> parse_money_text(std::string_view text, std::string_view flag,
                                       std::optional<std::string_view> default_currency = {});

// parse_money_text, and the amount must be > 0.
Result<common::Money> parse_positive_money(std::string_view text, std::string_view flag,
                                           std::optional<std::string_view> default_currency = {});

// "description;quantity;unit price;tax %[;discount %]" in `currency`, e.g.
// "Consulting;3;450.00;20" or "Licence;1.5;99.90;5.5;10". "\;" is a ';' inside the
// description, "\\" a backslash. The quantity must be > 0, the unit price >= 0. The line's
// net amount is left for the server to compute. `flag` names the line, e.g. "--line 2".
Result<v1::InvoiceLine> parse_line(std::string_view text, std::string_view currency,
                                   std::string_view flag);

// "2%:10": 2 % off when paid within 10 days of the issue date (1..100 %, 0..365 days).
Result<v1::EarlyPaymentDiscount> parse_early_discount(std::string_view text, std::string_view flag);

// "business", "administration", "individual".
Result<v1::CustomerProfile> parse_profile(std::string_view text, std::string_view flag);

// "interest", "indemnity", "fee".
Result<v1::LateFeeKind> parse_fee_kind(std::string_view text, std::string_view flag);

// A RecipientStatus value in lower case with '-': "received", "service-done",
// "to-be-recycled", ... (the enum's names without RECIPIENT_STATUS_).
Result<v1::RecipientStatus> parse_recipient_status(std::string_view text, std::string_view flag);
// Every accepted recipient status, for help texts: "received, made-available, ...".
std::string recipient_status_choices();

// A PaymentMethod in lower case with '-': "bank-transfer", "card", "direct-debit", "check",
// "cash", "other".
Result<pay::PaymentMethod> parse_payment_method(std::string_view text, std::string_view flag);
// Every accepted payment method, for help texts: "bank-transfer, card, ...".
std::string payment_method_choices();

// "INVOICE_ID=AMOUNT": "inv-1=40.00" (in `default_currency`) or "inv-1=40.00 EUR". The
// amount must be > 0. `flag` names the allocation, e.g. "--invoice 2".
Result<pay::AllocationRequest> parse_allocation(
    std::string_view text, std::string_view flag,
    std::optional<std::string_view> default_currency = {});

// "csv" or "xlsx".
Result<v1::ExportFormat> parse_export_format(std::string_view text, std::string_view flag);

// A resource id as the API takes it: 1..128 of A-Z a-z 0-9 - _ . :
absl::Status check_id(std::string_view id, std::string_view flag);

// A request id: 1..128 characters.
absl::Status check_request_id(std::string_view id, std::string_view flag);

}  // namespace arflow::cli
