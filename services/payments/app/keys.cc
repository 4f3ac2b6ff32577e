#include "payments/app/keys.h"

#include <fmt/compile.h>
#include <fmt/format.h>

namespace arflow::payments::app {

std::string tenant_stream(std::string_view tenant, std::string_view stream) {
  return fmt::format(FMT_COMPILE("{}/{}"), tenant, stream);
}

std::string payment_row(std::string_view tenant, std::string_view payment_id) {
  return fmt::format(FMT_COMPILE("tenant/{}/payment/{}"), tenant, payment_id);
}

std::string payments_prefix(std::string_view tenant) {
  return fmt::format(FMT_COMPILE("tenant/{}/payment/"), tenant);
}

std::string customer_payment_row(std::string_view tenant, std::string_view customer_id,
                                 std::string_view payment_id) {
  return fmt::format(FMT_COMPILE("tenant/{}/customer-payment/{}/{}"), tenant, customer_id,
                     payment_id);
}

std::string customer_payments_prefix(std::string_view tenant, std::string_view customer_id) {
  return fmt::format(FMT_COMPILE("tenant/{}/customer-payment/{}/"), tenant, customer_id);
}

std::string external_reference_row(std::string_view tenant, std::string_view reference) {
  return fmt::format(FMT_COMPILE("tenant/{}/external-reference/{}"), tenant, reference);
}

std::string known_invoice_row(std::string_view tenant, std::string_view invoice_id) {
  return fmt::format(FMT_COMPILE("tenant/{}/invoice/{}"), tenant, invoice_id);
}

std::string invoice_number_row(std::string_view tenant, std::string_view upper_case_number) {
  return fmt::format(FMT_COMPILE("tenant/{}/invoice-number/{}"), tenant, upper_case_number);
}

std::string open_invoice_row(std::string_view tenant, std::string_view customer_id,
                             std::string_view invoice_id) {
  return fmt::format(FMT_COMPILE("tenant/{}/open-invoice/{}/{}"), tenant, customer_id, invoice_id);
}

std::string open_invoices_prefix(std::string_view tenant, std::string_view customer_id) {
  return fmt::format(FMT_COMPILE("tenant/{}/open-invoice/{}/"), tenant, customer_id);
}

std::string credit_row(std::string_view tenant, std::string_view customer_id) {
  return fmt::format(FMT_COMPILE("tenant/{}/credit/{}"), tenant, customer_id);
}

std::string movement_row(std::string_view tenant, std::string_view kind, std::string_view id) {
  return fmt::format(FMT_COMPILE("tenant/{}/movement/{}/{}"), tenant, kind, id);
}

}  // namespace arflow::payments::app
