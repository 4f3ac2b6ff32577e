#include "invoicing/app/names.h"

namespace arflow::invoicing::app {

namespace {

constexpr std::string_view kCustomers = "customers";
constexpr std::string_view kInvoices = "invoices";

}  // namespace

std::string customer_name(std::string_view tenant, std::string_view customer_id) {
  return contract::child_name(tenant, kCustomers, customer_id);
}

std::string invoice_name(std::string_view tenant, std::string_view invoice_id) {
  return contract::child_name(tenant, kInvoices, invoice_id);
}

Result<std::string> customer_id_of(std::string_view name, std::string_view caller_tenant,
                                   std::string_view field) {
  return contract::child_id_of(name, caller_tenant, kCustomers, field);
}

Result<std::string> invoice_id_of(std::string_view name, std::string_view caller_tenant,
                                  std::string_view field) {
  return contract::child_id_of(name, caller_tenant, kInvoices, field);
}

}  // namespace arflow::invoicing::app
