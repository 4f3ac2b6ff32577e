#pragma once
// What `arflow payment ...` and `arflow credit ...` print for people (--output text); JSON
// and the invoicing service's resources are in output.h.

#include <ostream>
#include <string>
#include <vector>

#include "arflow/payments/v1/payments_service.pb.h"
#include "input.h"

namespace arflow::cli {

// "PARTIALLY_APPLIED", ...
std::string payment_status_text(pay::PaymentStatus status);
// "bank-transfer", ... (as --method takes it).
std::string payment_method_text(pay::PaymentMethod method);
// "PENDING", "APPLIED", "RETURNED", "REVERSED".
std::string allocation_status_text(pay::AllocationStatus status);

// The amounts and their split, one row per allocation and per refund; with `history`, the
// payment's events too (when the response carries them).
void print_payment(std::ostream& out, const pay::Payment& payment, bool history);
// One row per payment: id, customer, received on, method, status, amount, unapplied.
void print_payment_table(std::ostream& out, const std::vector<pay::Payment>& payments);

// Unapplied money per currency, and the payments it comes from.
void print_customer_credit(std::ostream& out, const pay::CustomerCredit& credit);

// One row per invoice: id, number, due date, balance, in flight, open.
void print_open_invoices(std::ostream& out, const pay::ListOpenInvoicesResponse& response);

}  // namespace arflow::cli
