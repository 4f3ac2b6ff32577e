#pragma once
// The `arflow payment` and `arflow credit` subcommands' flags, as given, and the requests
// they make to arflow.payments.v1.PaymentsService (requests.h has the invoicing ones). Pure
// functions: no I/O.
//
// An amount written without its currency ("40.00") is in `currency`, the payment's or the
// invoice's, which the caller reads or takes from --currency; nullopt when every amount must
// name its own ("40.00 EUR").

#include <optional>
#include <string>
#include <vector>

#include "arflow/core/error.h"
#include "arflow/payments/v1/payments_service.pb.h"
#include "input.h"

namespace arflow::cli {

// "tenants/{tenant}/payments/{id}". A customer's credit is named by customer_name().
std::string payment_name(const std::string& tenant, const std::string& payment_id);

struct PaymentFlags {
  std::string customer_id;
  std::string amount;  // "100.00 EUR"
  std::string method = "bank-transfer";
  std::optional<std::string> received_on;
  std::string reference;   // the bank's or gateway's id
  std::string remittance;  // what the payer wrote
  bool auto_allocate = false;
};

Result<pay::RecordPaymentRequest> build_record_payment(const std::string& tenant,
                                                       const std::string& payment_id,
                                                       const PaymentFlags& flags,
                                                       const std::string& request_id);

// `allocations`: the --invoice values, "INVOICE_ID=AMOUNT" each.
Result<pay::AllocatePaymentRequest> build_allocate_payment(
    const std::string& tenant, const std::string& payment_id,
    const std::vector<std::string>& allocations, const std::optional<std::string>& currency,
    const std::string& request_id);

struct RefundFlags {
  std::optional<std::string> amount;  // nullopt: all that is unapplied
  std::string reason;
};

Result<pay::RefundPaymentRequest> build_refund_payment(const std::string& tenant,
                                                       const std::string& payment_id,
                                                       const RefundFlags& flags,
                                                       const std::optional<std::string>& currency,
                                                       const std::string& request_id);

struct ChargeBackFlags {
  std::string reason;  // what the bank said; required
  std::optional<std::string> on;
};

Result<pay::ChargeBackPaymentRequest> build_charge_back(const std::string& tenant,
                                                        const std::string& payment_id,
                                                        const ChargeBackFlags& flags,
                                                        const std::string& request_id);

struct CreditFlags {
  std::string invoice_id;  // apply
  std::string amount;
  std::string reason;  // refund
};

// Pays flags.invoice_id out of the customer's credit; `currency` is the invoice's.
Result<pay::ApplyCustomerCreditRequest> build_apply_credit(
    const std::string& tenant, const std::string& customer_id, const CreditFlags& flags,
    const std::optional<std::string>& currency, const std::string& request_id);

// The amount names its currency: it says which of the customer's credits.
Result<pay::RefundCustomerCreditRequest> build_refund_credit(const std::string& tenant,
                                                             const std::string& customer_id,
                                                             const CreditFlags& flags,
                                                             const std::string& request_id);

}  // namespace arflow::cli
