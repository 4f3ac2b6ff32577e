#pragma once
// The payments service's read side: what GetPayment, ListPayments, GetCustomerCredit and
// ListOpenInvoices answer, from committed data only (Store reads never block the command
// loop). ListPayments pages in payment-id order over the payments' rows (keys.h), or over
// the customer's index when the filter names one; a page token is the last id looked at.
//
// Thread-safety: every function may be called from any thread.

#include <cstdint>
#include <string_view>

#include "arflow/core/error.h"
#include "arflow/eventstore/store.h"
#include "arflow/payments/v1/payments_service.pb.h"
#include "payments/app/payment_filter.h"

namespace arflow::payments::app {

// A filtered list looks at most this many payments per call, then returns what it found
// with a next page token, so that a rare match cannot make one call scan a whole tenant.
inline constexpr size_t kMaxScannedPerPage = 10'000;

// With its history (every event, oldest first).
Result<v1::Payment> get_payment(const eventstore::Store& store, std::string_view tenant,
                                std::string_view payment_id);
Result<v1::ListPaymentsResponse> list_payments(const eventstore::Store& store,
                                               std::string_view tenant, const PaymentFilter& filter,
                                               int32_t page_size, std::string_view page_token);
Result<v1::CustomerCredit> get_customer_credit(const eventstore::Store& store,
                                               std::string_view tenant,
                                               std::string_view customer_id);
// Oldest due date first, then by number.
Result<v1::ListOpenInvoicesResponse> list_open_invoices(const eventstore::Store& store,
                                                        std::string_view tenant,
                                                        std::string_view customer_id);

}  // namespace arflow::payments::app
