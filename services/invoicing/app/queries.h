#pragma once
// The invoicing service's read side: what GetX/ListX and the exports answer, from committed
// data only (Store reads never block the command loop). Lists page in invoice-id order over
// the read-model rows (keys.h); a page token is the last id the previous page looked at.
// Page sizes and tokens are every service's (arflow/contract/paging.h).
//
// Thread-safety: every function may be called from any thread.

#include <cstdint>
#include <functional>
#include <string_view>

#include "arflow/core/error.h"
#include "arflow/eventstore/store.h"
#include "arflow/invoicing/v1/invoicing_service.pb.h"
#include "invoicing/domain/model.h"
#include "invoicing/query/filter.h"

namespace arflow::invoicing::app {

// A filtered list looks at most this many invoices per call, then returns what it found with
// a next page token, so that a rare match cannot make one call scan a whole tenant.
inline constexpr size_t kMaxScannedPerPage = 10'000;

Result<v1::Customer> get_customer(const eventstore::Store& store, std::string_view tenant,
                                  std::string_view customer_id);
Result<v1::ListCustomersResponse> list_customers(const eventstore::Store& store,
                                                 std::string_view tenant, int32_t page_size,
                                                 std::string_view page_token);

Result<v1::Invoice> get_invoice(const eventstore::Store& store, std::string_view tenant,
                                std::string_view invoice_id, v1::InvoiceView view);
// Deleted drafts are not listed.
Result<v1::ListInvoicesResponse> list_invoices(const eventstore::Store& store,
                                               std::string_view tenant, const InvoiceFilter& filter,
                                               int32_t page_size, std::string_view page_token,
                                               v1::InvoiceView view);

Result<v1::CustomerStatement> customer_statement(const eventstore::Store& store,
                                                 std::string_view tenant,
                                                 std::string_view customer_id, Date as_of);

// Every issued invoice (one with a number) that matches `filter`, in id order, BASIC view.
// `visit` returns an error to stop the export with it.
absl::Status for_each_issued_invoice(const eventstore::Store& store, std::string_view tenant,
                                     const InvoiceFilter& filter,
                                     const std::function<absl::Status(const v1::Invoice&)>& visit);

}  // namespace arflow::invoicing::app
