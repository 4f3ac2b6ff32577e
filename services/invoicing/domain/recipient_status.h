#pragma once
// The statuses the buyer's side reports (public-sector portals such as Chorus Pro, e-invoicing
// platforms) and which report may follow which. They change no money: collections reads them
// (DISPUTED and SUSPENDED pause dunning).
//
//   (none)             -> RECEIVED, MADE_AVAILABLE
//   RECEIVED           -> MADE_AVAILABLE, TO_BE_RECYCLED, REFUSED
//   MADE_AVAILABLE     -> APPROVED, PARTIALLY_APPROVED, DISPUTED, SUSPENDED, SERVICE_DONE,
//                         TO_BE_RECYCLED, REFUSED
//   APPROVED           -> SERVICE_DONE, MANDATED, PAYMENT_TRANSMITTED, DISPUTED, SUSPENDED
//   PARTIALLY_APPROVED -> APPROVED, SERVICE_DONE, MANDATED, PAYMENT_TRANSMITTED, DISPUTED,
//                         SUSPENDED
//   SERVICE_DONE       -> APPROVED, PARTIALLY_APPROVED, MANDATED, PAYMENT_TRANSMITTED,
//                         DISPUTED, SUSPENDED
//   DISPUTED           -> APPROVED, PARTIALLY_APPROVED, SUSPENDED, TO_BE_RECYCLED, REFUSED
//   SUSPENDED          -> MADE_AVAILABLE, APPROVED, PARTIALLY_APPROVED, SERVICE_DONE, DISPUTED,
//                         TO_BE_RECYCLED, REFUSED
//   MANDATED           -> PAYMENT_TRANSMITTED, COLLECTED
//   PAYMENT_TRANSMITTED-> COLLECTED
//   TO_BE_RECYCLED     -> RECEIVED, MADE_AVAILABLE   (the corrected invoice deposited again)
//   REFUSED, COLLECTED -> nothing (final)
//
// The same status reported again is not a transition: the decider records nothing.

#include <optional>
#include <span>

#include "invoicing/domain/model.h"

namespace arflow::invoicing {

// Every status, in declaration order.
std::span<const RecipientStatus> all_recipient_statuses();

// The statuses that may follow `from` (nullopt: no status reported yet).
std::span<const RecipientStatus> next_recipient_statuses(std::optional<RecipientStatus> from);

bool recipient_transition_allowed(std::optional<RecipientStatus> from, RecipientStatus to);

// A refusal, a dispute, a suspension, a rejection for correction or a partial approval must
// say why: the supplier has to act on it.
bool recipient_status_needs_reason(RecipientStatus status);

}  // namespace arflow::invoicing
