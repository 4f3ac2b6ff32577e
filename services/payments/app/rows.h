#pragma once
// The payments service's read-model rows (keys.h) as the command loop reads and writes them:
// what payments knows of each invoice, a customer's open invoices, and a customer's payments
// with money unapplied. Written in the same batch as the events that change them, so they
// never disagree with the streams after a crash.
//
// Reads go through a RowReader: a command's Transaction (which sees its batch's writes) or,
// for queries, the committed Store. Writes go through the Transaction.
// Thread-safety: as the reader's; writes on the command loop's thread only.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arflow/core/error.h"
#include "arflow/eventstore/store.h"
#include "arflow/eventstore/transaction.h"
#include "arflow/internal/v1/payments_rows.pb.h"
#include "arflow/payments/v1/payments_service.pb.h"
#include "payments/domain/known_invoice.h"
#include "payments/domain/payment_state.h"

namespace arflow::payments::app {

// A state row by key; nullopt when absent.
using RowReader = std::function<Result<std::optional<std::string>>(std::string_view key)>;
RowReader reader_of(eventstore::Transaction& txn);
RowReader reader_of(const eventstore::Store& store);

internal::v1::KnownInvoiceRow to_row(const KnownInvoice& invoice);
// DATA_LOSS for a row that does not convert back (a corrupt store).
Result<KnownInvoice> from_row(const internal::v1::KnownInvoiceRow& row);

// What payments knows of the invoice; an empty KnownInvoice (not issued) when nothing.
Result<KnownInvoice> load_known_invoice(const RowReader& read, std::string_view tenant,
                                        std::string_view invoice_id);
void save_known_invoice(eventstore::Transaction& txn, std::string_view tenant,
                        const KnownInvoice& invoice);

// The customer's invoices open for payment, as payments knows them (any order). The index
// is scanned as committed (a scan cannot see a batch in flight): an invoice issued in the
// batch being written may be missed; each one found is read through `read` and kept only if
// it is still the customer's and open, so nothing closed meanwhile is returned.
Result<std::vector<KnownInvoice>> load_open_invoices(const eventstore::Store& store,
                                                     const RowReader& read, std::string_view tenant,
                                                     std::string_view customer_id);
// Keeps the customer's open-invoice index in step with `invoice`, which was open for payment
// (`was_open`) before the event just folded in.
void track_open_invoice(eventstore::Transaction& txn, std::string_view tenant,
                        const KnownInvoice& invoice, bool was_open);

// Indexes an issued invoice by its number (upper case), for auto-allocation's mentions.
void index_invoice_number(eventstore::Transaction& txn, std::string_view tenant,
                          const KnownInvoice& invoice);
// The open invoices of the customer whose numbers `text` mentions (allocation_plan.h).
Result<std::vector<KnownInvoice>> mentioned_open_invoices(const RowReader& read,
                                                          std::string_view tenant,
                                                          std::string_view customer_id,
                                                          std::string_view text);

// Ids of the customer's payments with money unapplied, in the order they had some.
Result<std::vector<std::string>> credit_payment_ids(const RowReader& read, std::string_view tenant,
                                                    std::string_view customer_id);
// Keeps the customer's credit row in step with whether `payment` has money unapplied.
absl::Status track_credit(eventstore::Transaction& txn, std::string_view tenant,
                          const PaymentState& payment);

// The payment's row (the API's resource without history); nullopt when not recorded.
Result<std::optional<v1::Payment>> load_payment_row(const RowReader& read, std::string_view tenant,
                                                    std::string_view payment_id);

// The customer's credit: the unapplied money of its payments, per currency.
Result<v1::CustomerCredit> customer_credit(const RowReader& read, std::string_view tenant,
                                           std::string_view customer_id);

}  // namespace arflow::payments::app
