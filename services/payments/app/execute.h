#pragma once
// The payments service's write side: each function runs one command on the command loop's
// Transaction (DESIGN.md, "The write path"). It loads the payment (aggregates.h) and what
// payments knows of the invoices (rows.h), runs the pure decide(), appends the events at
// the version it read, and rewrites the read-model rows in the same batch: the payment's row,
// the invoices' allocations in flight, the customer's credit and open-invoice lists. It
// returns the resource as it stands after the command, which the loop keeps as the
// request's result.
//
// Errors: the decider's (INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND for an invoice
// payments does not know, naming the field and the rule), NOT_FOUND for a payment that does
// not exist, ALREADY_EXISTS for a payment id or an external reference already recorded. On
// error the loop rolls back whatever the command staged.
// Thread-safety: on the loop's thread only, like the Transaction.

#include <string>
#include <string_view>

#include "arflow/core/error.h"
#include "arflow/eventstore/envelope.h"
#include "arflow/eventstore/transaction.h"
#include "arflow/payments/v1/payments_service.pb.h"
#include "payments/domain/commands.h"

namespace arflow::payments::app {

using eventstore::Caller;

// With `auto_allocate`, the new payment is then allocated as auto_allocate() does, in the
// same command.
Result<v1::Payment> execute(eventstore::Transaction& txn, const Caller& caller,
                            const RecordPayment& command, bool auto_allocate);
Result<v1::Payment> execute(eventstore::Transaction& txn, const Caller& caller,
                            const AllocatePayment& command);
// Allocates what is unapplied over the customer's open invoices (allocation_plan.h). A
// payment with nothing to allocate, or a customer with nothing open, is returned unchanged.
Result<v1::Payment> auto_allocate(eventstore::Transaction& txn, const Caller& caller,
                                  std::string_view payment_id);
Result<v1::Payment> execute(eventstore::Transaction& txn, const Caller& caller,
                            const RefundPayment& command);
Result<v1::Payment> execute(eventstore::Transaction& txn, const Caller& caller,
                            const ChargeBackPayment& command);
Result<v1::Payment> execute(eventstore::Transaction& txn, const Caller& caller,
                            const ReturnAllocation& command);

// Pays `allocation` out of the customer's credit, oldest payments first, one allocation per
// payment drawn on; or refunds `amount` of it likewise. FAILED_PRECONDITION when the credit
// in that currency is short. Field names are the request's ("allocation.amount", "amount").
// `movement_id` is the request's business id (movements.h): ALREADY_EXISTS when it moved
// money before; empty for none.
Result<v1::CustomerCredit> apply_customer_credit(eventstore::Transaction& txn, const Caller& caller,
                                                 std::string_view customer_id,
                                                 const InvoiceToPay& allocation,
                                                 std::string_view movement_id = {});
Result<v1::CustomerCredit> refund_customer_credit(eventstore::Transaction& txn,
                                                  const Caller& caller,
                                                  std::string_view customer_id, Money amount,
                                                  std::string_view reason,
                                                  std::string_view movement_id = {});

}  // namespace arflow::payments::app
