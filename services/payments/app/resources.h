#pragma once
// The API's resources (v1::Payment, v1::CustomerCredit, v1::OpenInvoice) as the payments
// service's state shows them, and their names:
//   tenants/{tenant}/payments/{payment_id}, tenants/{tenant}/customers/{customer_id}

#include <span>
#include <string>
#include <string_view>

#include "arflow/core/error.h"
#include "arflow/payments/v1/payments_service.pb.h"
#include "payments/app/aggregates.h"
#include "payments/domain/known_invoice.h"

namespace arflow::payments::app {

std::string payment_name(std::string_view tenant, std::string_view payment_id);
std::string customer_name(std::string_view tenant, std::string_view customer_id);

// The payment as its state says, without history. A standing allocation is APPLIED once
// invoicing said so, which the state does not know: `previous` (the payment's row before
// this change, or nullptr) carries that, and the times of earlier allocations and refunds;
// what is new is stamped `now`.
v1::Payment payment_resource(std::string_view tenant, const LoadedPayment& payment,
                             const v1::Payment* previous, Timestamp now);

// Marks the allocation APPLIED in the payment's row; false when it has no such allocation.
bool mark_applied(v1::Payment& row, std::string_view allocation_id);

// OUT_OF_RANGE when what is in flight to the invoice adds up beyond int64 minor units.
Result<v1::OpenInvoice> open_invoice_resource(const KnownInvoice& invoice);

}  // namespace arflow::payments::app
