#include "invoicing/domain/receivable.h"

namespace arflow::invoicing {

namespace {

// balance = amount_due + fees - credited - paid, recomputed from the parts after each change
// rather than adjusted, so the identity holds by construction.
Result<Receivable> rebalanced(Receivable r) {
  ARFLOW_ASSIGN_OR_RETURN(Money owed, add(r.amount_due, r.fees));
  ARFLOW_ASSIGN_OR_RETURN(Money settled, add(r.credited, r.paid));
  ARFLOW_ASSIGN_OR_RETURN(r.balance, subtract(owed, settled));
  return r;
}

}  // namespace

Result<Receivable> open_receivable(Money amount_due) {
  ARFLOW_ASSIGN_OR_RETURN(Money zero, Money::zero(amount_due.currency()));
  return Receivable{.amount_due = amount_due,
                    .fees = zero,
                    .fees_credited = zero,
                    .credited = zero,
                    .paid = zero,
                    .balance = amount_due};
}

Result<Receivable> with_payment(Receivable r, Money amount) {
  ARFLOW_ASSIGN_OR_RETURN(r.paid, add(r.paid, amount));
  return rebalanced(r);
}

Result<Receivable> without_payment(Receivable r, Money amount) {
  ARFLOW_ASSIGN_OR_RETURN(r.paid, subtract(r.paid, amount));
  return rebalanced(r);
}

Result<Receivable> with_fee(Receivable r, Money amount) {
  ARFLOW_ASSIGN_OR_RETURN(r.fees, add(r.fees, amount));
  return rebalanced(r);
}

Result<Receivable> with_credit(Receivable r, Money total, Money fees_part) {
  ARFLOW_ASSIGN_OR_RETURN(r.credited, add(r.credited, total));
  ARFLOW_ASSIGN_OR_RETURN(r.fees_credited, add(r.fees_credited, fees_part));
  ARFLOW_ASSIGN_OR_RETURN(r, rebalanced(r));
  // Nothing left to pay and nothing was paid: the credit notes cancelled the invoice. With
  // something paid, the invoice is settled (part paid, part credited) and shows PAID.
  if (r.balance.is_zero() && r.paid.is_zero()) {
    r.voided = true;
  }
  return r;
}

Receivable with_write_off(Receivable r) {
  r.written_off = true;
  return r;
}

InvoiceStatus status_of(const Receivable& r) {
  if (r.written_off) {
    return InvoiceStatus::kUncollectible;
  }
  if (r.voided) {
    return InvoiceStatus::kVoid;
  }
  if (!r.balance.is_positive()) {
    return InvoiceStatus::kPaid;
  }
  return r.paid.is_positive() ? InvoiceStatus::kPartiallyPaid : InvoiceStatus::kIssued;
}

}  // namespace arflow::invoicing
