#pragma once
// The payment aggregate (stream "payment/<payment_id>"): money received, where it went, and
// what came back. decide() checks a command against the state and says what happened
// (events) or why not (an error naming the field and the rule); evolve() folds an event into
// the state. Neither does I/O nor reads a clock. Rules: docs/payments.md.
//
// Errors: INVALID_ARGUMENT for a request wrong whatever the state; NOT_FOUND for an invoice
// payments does not know; FAILED_PRECONDITION for a request the state does not allow (more
// than is unapplied, an invoice of another customer or currency, a void or paid invoice).

#include <span>
#include <vector>

#include "arflow/core/error.h"
#include "payments/domain/commands.h"
#include "payments/domain/events.h"
#include "payments/domain/known_invoice.h"
#include "payments/domain/payment_state.h"

namespace arflow::payments {

Result<std::vector<PaymentEvent>> decide(const RecordPayment& command, const PaymentState& state);

// `invoices` are what payments knows of the invoices the command names (those it does not
// know are absent). Allocation ids are "<payment_id>-a<n>", n counting from 1.
Result<std::vector<PaymentEvent>> decide(const AllocatePayment& command, const PaymentState& state,
                                         std::span<const KnownInvoice> invoices);

// Refund ids are "<payment_id>-r<n>".
Result<std::vector<PaymentEvent>> decide(const RefundPayment& command, const PaymentState& state);

// Reverses every standing allocation, then takes the payment back.
Result<std::vector<PaymentEvent>> decide(const ChargeBackPayment& command,
                                         const PaymentState& state);

// An allocation already returned or reversed records nothing (invoicing may answer twice,
// and a chargeback may have reversed it meanwhile).
Result<std::vector<PaymentEvent>> decide(const ReturnAllocation& command,
                                         const PaymentState& state);

PaymentState evolve(PaymentState state, const PaymentEvent& event);

}  // namespace arflow::payments
