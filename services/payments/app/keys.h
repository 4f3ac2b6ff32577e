#pragma once
// Where the payments service keeps a tenant's data in its store. Every stream and every row
// is under the tenant, so that one tenant's ids never meet another's:
//   streams    "<tenant>/payment/<id>"
//   state rows "tenant/<tenant>/payment/<id>"                      -> v1::Payment (no history)
//              "tenant/<tenant>/customer-payment/<customer>/<id>"  -> "" (an index)
//              "tenant/<tenant>/external-reference/<reference>"    -> the payment id
//              "tenant/<tenant>/invoice/<id>"                      -> internal KnownInvoiceRow
//              "tenant/<tenant>/invoice-number/<NUMBER>"           -> the invoice id (upper case)
//              "tenant/<tenant>/open-invoice/<customer>/<id>"      -> "" (an index)
//              "tenant/<tenant>/credit/<customer>"                 -> IdListRow of payment ids
//                  (the customer's payments with money unapplied, oldest first)
//              "tenant/<tenant>/movement/<kind>/<business id>"     -> what it moved (movements.h)
// Ids never contain '/', so no prefix is another's; an external reference may, and is only
// ever read by its whole key.

#include <string>
#include <string_view>

namespace arflow::payments::app {

// A domain stream ("payment/<id>", events.h) under the tenant.
std::string tenant_stream(std::string_view tenant, std::string_view stream);

std::string payment_row(std::string_view tenant, std::string_view payment_id);
std::string payments_prefix(std::string_view tenant);

std::string customer_payment_row(std::string_view tenant, std::string_view customer_id,
                                 std::string_view payment_id);
std::string customer_payments_prefix(std::string_view tenant, std::string_view customer_id);

std::string external_reference_row(std::string_view tenant, std::string_view reference);

std::string known_invoice_row(std::string_view tenant, std::string_view invoice_id);
std::string invoice_number_row(std::string_view tenant, std::string_view upper_case_number);
std::string open_invoice_row(std::string_view tenant, std::string_view customer_id,
                             std::string_view invoice_id);
std::string open_invoices_prefix(std::string_view tenant, std::string_view customer_id);
std::string credit_row(std::string_view tenant, std::string_view customer_id);
std::string movement_row(std::string_view tenant, std::string_view kind, std::string_view id);

}  // namespace arflow::payments::app
