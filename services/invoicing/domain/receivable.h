#pragma once
// The money an issued invoice carries, and how each change moves its balance and status.
// The deciders compute the balance and status an event announces with these functions, and
// evolve applies the same functions to the event, so what consumers read and what the
// aggregate holds can never differ.

#include "arflow/core/error.h"
#include "arflow/core/money.h"
#include "invoicing/domain/model.h"

namespace arflow::invoicing {

struct Receivable {
  Money amount_due;          // the invoice total less the deposits it deducts; fixed at issue
  Money fees;                // late fees added
  Money fees_credited;       // late fees cancelled by a full credit note
  Money credited;            // the totals of the credit notes (fees credited included)
  Money paid;                // allocations applied, less those reversed or released
  Money balance;             // amount_due + fees - credited - paid
  bool voided = false;       // a credit note cancelled what was left, with nothing paid
  bool written_off = false;  // the balance was given up: no more payments, fees or credits
};

// Freshly issued: the balance is the amount due.
Result<Receivable> open_receivable(Money amount_due);

// A payment allocation applied: the balance goes down.
Result<Receivable> with_payment(Receivable r, Money amount);
// An allocation reversed (chargeback) or released (full credit note): the balance goes up.
Result<Receivable> without_payment(Receivable r, Money amount);
Result<Receivable> with_fee(Receivable r, Money amount);
// A credit note of `total`, `fees_part` of which cancels late fees. When it leaves nothing
// to pay and nothing was paid, the invoice is void.
Result<Receivable> with_credit(Receivable r, Money total, Money fees_part);
Receivable with_write_off(Receivable r);

// Status follows from the money: UNCOLLECTIBLE once written off, VOID once voided, PAID at a
// zero balance, PARTIALLY_PAID when something is paid, ISSUED otherwise.
InvoiceStatus status_of(const Receivable& r);

}  // namespace arflow::invoicing
