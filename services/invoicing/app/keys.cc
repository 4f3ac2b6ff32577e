#include "invoicing/app/keys.h"

#include <fmt/compile.h>
#include <fmt/format.h>

namespace arflow::invoicing::app {

std::string tenant_stream(std::string_view tenant, std::string_view stream) {
  return fmt::format(FMT_COMPILE("{}/{}"), tenant, stream);
}

std::string customer_row(std::string_view tenant, std::string_view customer_id) {
  return fmt::format(FMT_COMPILE("tenant/{}/customer/{}"), tenant, customer_id);
}

std::string customers_prefix(std::string_view tenant) {
  return fmt::format(FMT_COMPILE("tenant/{}/customer/"), tenant);
}

std::string invoice_row(std::string_view tenant, std::string_view invoice_id) {
  return fmt::format(FMT_COMPILE("tenant/{}/invoice/{}"), tenant, invoice_id);
}

std::string invoices_prefix(std::string_view tenant) {
  return fmt::format(FMT_COMPILE("tenant/{}/invoice/"), tenant);
}

std::string series_row(std::string_view tenant, std::string_view series) {
  return fmt::format(FMT_COMPILE("tenant/{}/series/{}"), tenant, series);
}

std::string customer_invoice_row(std::string_view tenant, std::string_view customer_id,
                                 std::string_view invoice_id) {
  return fmt::format(FMT_COMPILE("tenant/{}/customer-invoice/{}/{}"), tenant, customer_id,
                     invoice_id);
}

std::string customer_invoices_prefix(std::string_view tenant, std::string_view customer_id) {
  return fmt::format(FMT_COMPILE("tenant/{}/customer-invoice/{}/"), tenant, customer_id);
}

}  // namespace arflow::invoicing::app
