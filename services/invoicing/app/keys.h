#pragma once
// Where the invoicing service keeps a tenant's data in its store. Every stream and every row
// is under the tenant, so that one tenant's ids never meet another's:
//   streams      "<tenant>/customer/<id>", "<tenant>/invoice/<id>", "<tenant>/series/<series>"
//   state rows   "tenant/<tenant>/customer/<id>"                  -> v1::Customer
//                "tenant/<tenant>/invoice/<id>"                   -> v1::Invoice, BASIC view
//                "tenant/<tenant>/customer-invoice/<customer>/<invoice>" -> "" (an index)
//                "tenant/<tenant>/series/<series>"                -> v1::DocumentNumberAssigned,
//                                                                    the last number given
// Tenant, customer and invoice ids never contain '/', so no prefix is another's.

#include <string>
#include <string_view>

namespace arflow::invoicing::app {

// A domain stream ("invoice/<id>", events.h) under the tenant.
std::string tenant_stream(std::string_view tenant, std::string_view stream);

std::string customer_row(std::string_view tenant, std::string_view customer_id);
std::string customers_prefix(std::string_view tenant);

std::string invoice_row(std::string_view tenant, std::string_view invoice_id);
std::string invoices_prefix(std::string_view tenant);

// A numbering series' state: the last number it gave (aggregates.h, load_series).
std::string series_row(std::string_view tenant, std::string_view series);

std::string customer_invoice_row(std::string_view tenant, std::string_view customer_id,
                                 std::string_view invoice_id);
std::string customer_invoices_prefix(std::string_view tenant, std::string_view customer_id);

}  // namespace arflow::invoicing::app
