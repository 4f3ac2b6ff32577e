#pragma once
// The API's resources (v1::Invoice, v1::Customer) as the aggregates' states show them.

#include <string_view>
#include <vector>

#include "arflow/eventstore/envelope.h"
#include "arflow/invoicing/v1/invoicing_service.pb.h"
#include "invoicing/app/aggregates.h"

namespace arflow::invoicing::app {

enum class InvoiceDetail {
  kBasic,  // what lists show: no lines, no history
  kFull,   // with the lines
};

v1::Invoice invoice_resource(const LoadedInvoice& invoice, InvoiceDetail detail);

v1::Customer customer_resource(std::string_view tenant, const CustomerState& state,
                               Timestamp created, Timestamp updated);

}  // namespace arflow::invoicing::app
