#pragma once
// Money movements made once for the life of the ledger. A refund, an allocation request, a
// credit application and a credit refund each have a business id (the client's, or
// contract::natural_key_of its request id); the first command that moves money under it
// keeps a row naming it, in its own batch, and any later one with the same id is refused.
// The loop's idempotency records answer a retry with the first answer for 7 days; this row
// is what still recognises the retry after they expired, so a late retry is refused as a
// duplicate instead of moving the money a second time.
//
// Thread-safety: on the loop's thread only, like the Transaction.

#include <string>
#include <string_view>

#include "arflow/core/error.h"
#include "arflow/eventstore/transaction.h"

namespace arflow::payments::app {

// The kinds of movement, each its own namespace of business ids.
inline constexpr std::string_view kRefund = "refund";
inline constexpr std::string_view kAllocation = "allocation";
inline constexpr std::string_view kCreditApplication = "credit-application";
inline constexpr std::string_view kCreditRefund = "credit-refund";

// Records movement `id` of `kind` as made (`what` says by what, for the message of a later
// refusal). ALREADY_EXISTS naming `field` when it was made before. An empty id records
// nothing (a movement the service makes itself).
absl::Status claim_movement(eventstore::Transaction& txn, std::string_view tenant,
                            std::string_view kind, std::string_view id, std::string_view field,
                            std::string what);

}  // namespace arflow::payments::app
