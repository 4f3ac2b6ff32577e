#pragma once
// What callers ask of a payment, in the business's words. The API layer builds these from
// requests (converting and checking what a message cannot say); the deciders check the rest.

#include <optional>
#include <string>
#include <vector>

#include "arflow/contract/convert.h"
#include "arflow/core/money.h"
#include "arflow/payments/v1/events.pb.h"

namespace arflow::payments {

using contract::Date;

struct RecordPayment {
  std::string payment_id;
  std::string customer_id;
  Money amount;
  v1::PaymentMethod method = v1::PAYMENT_METHOD_UNSPECIFIED;
  Date received_on{};
  std::string external_reference;
  std::string remittance_text;
};

// Part of a payment for one invoice.
struct InvoiceToPay {
  std::string invoice_id;
  Money amount;
};

struct AllocatePayment {
  std::string payment_id;
  std::vector<InvoiceToPay> allocations;  // 1..kMaxAllocations, one per invoice
  std::string movement_id;  // the request's business id (contract::natural_key_of); may be empty
};
inline constexpr size_t kMaxAllocations = 100;

struct RefundPayment {
  std::string payment_id;
  std::optional<Money> amount;  // unset: all that is unapplied
  std::string reason;
  // Its business id, unique per tenant for the life of the ledger (a client's, or
  // contract::natural_key_of its request id). Empty: "<payment_id>-r<n>".
  std::string refund_id;
};

struct ChargeBackPayment {
  std::string payment_id;
  std::string reason;
  Date charged_back_on{};
};

// Invoicing rejected or released an allocation: its money goes back on the payment.
struct ReturnAllocation {
  std::string payment_id;
  std::string allocation_id;
  v1::ReturnReason reason = v1::RETURN_REASON_UNSPECIFIED;
  std::string detail;
};

}  // namespace arflow::payments
