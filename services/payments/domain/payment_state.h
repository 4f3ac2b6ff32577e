#pragma once
// A payment as its events say (stream "payment/<payment_id>"). Plain data: evolve() builds
// it, deciders read it.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "payments/domain/commands.h"

namespace arflow::payments {

enum class AllocationState {
  kStanding,  // counts as applied (invoicing may not have answered yet)
  kReturned,  // invoicing rejected or released it: the money is credit again
  kReversed,  // taken back by a chargeback
};

struct AllocationRecord {
  std::string allocation_id;  // "<payment_id>-a<n>"
  std::string invoice_id;
  std::string invoice_number;
  Money amount;
  AllocationState state = AllocationState::kStanding;
  std::string detail;       // why returned or reversed
  std::string movement_id;  // the business id of the request that made it
};

struct RefundRecord {
  std::string refund_id;  // "<payment_id>-r<n>"
  Money amount;
  std::string reason;
};

// amount = allocated + unapplied + refunded + charged_back, always.
struct PaymentAmounts {
  Money amount;
  Money allocated;  // standing allocations
  Money unapplied;  // the customer's credit from this payment
  Money refunded;
  Money charged_back;
};

struct PaymentState {
  std::string payment_id;
  std::string customer_id;
  std::optional<PaymentAmounts> money;  // set once recorded
  v1::PaymentMethod method = v1::PAYMENT_METHOD_UNSPECIFIED;
  Date received_on{};
  std::string external_reference;
  std::string remittance_text;
  std::vector<AllocationRecord> allocations;  // oldest first
  std::vector<RefundRecord> refunds;
  bool charged_back = false;
  std::string charge_back_reason;
  // Not OK when an event did not fit the state: the stream is corrupt and nothing may be
  // decided on it.
  absl::Status integrity;

  bool recorded() const { return money.has_value(); }
};

v1::PaymentStatus payment_status(const PaymentState& state);

// The allocation of that id, or nullptr.
const AllocationRecord* find_allocation(const PaymentState& state, std::string_view id);

}  // namespace arflow::payments
