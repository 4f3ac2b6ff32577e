#include "payments/app/queries.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "arflow/contract/ids.h"
#include "arflow/contract/paging.h"
#include "payments/app/keys.h"
#include "payments/app/resources.h"
#include "payments/app/rows.h"
#include "payments/domain/events.h"

namespace arflow::payments::app {

using eventstore::Column;

Result<v1::Payment> get_payment(const eventstore::Store& store, std::string_view tenant,
                                std::string_view payment_id) {
  ARFLOW_RETURN_IF_ERROR(contract::validate_id(payment_id, "name"));
  auto row = load_payment_row(reader_of(store), tenant, payment_id);
  if (!row.ok()) {
    return row.status();
  }
  if (!row->has_value()) {
    return absl::NotFoundError(fmt::format("name: payment '{}' does not exist", payment_id));
  }
  // Read after the row: the history holds at least what the row shows.
  auto history = store.read_stream(tenant_stream(tenant, payment_stream(payment_id)));
  if (!history.ok()) {
    return history.status();
  }
  v1::Payment payment = **std::move(row);
  for (auto& event : *history) {
    *payment.add_history() = std::move(event);
  }
  return payment;
}

Result<v1::ListPaymentsResponse> list_payments(const eventstore::Store& store,
                                               std::string_view tenant, const PaymentFilter& filter,
                                               int32_t page_size, std::string_view page_token) {
  auto page = contract::page_request(page_size, page_token);
  if (!page.ok()) {
    return page.status();
  }
  const auto customer = customer_id_equals(filter);
  const std::string prefix =
      customer.has_value() ? customer_payments_prefix(tenant, *customer) : payments_prefix(tenant);
  v1::ListPaymentsResponse response;
  std::string last;
  size_t looked_at = 0;
  absl::Status failed;
  ARFLOW_RETURN_IF_ERROR(store.scan(
      Column::kState, prefix, contract::scan_start(prefix, page->after),
      [&](std::string_view key, std::string_view value) {
        if (response.payments_size() == page->size || looked_at == kMaxScannedPerPage) {
          response.set_next_page_token(last);
          return false;
        }
        ++looked_at;
        last = std::string(key.substr(prefix.size()));
        v1::Payment payment;
        if (customer.has_value()) {
          auto row = load_payment_row(reader_of(store), tenant, last);
          if (!row.ok() || !row->has_value()) {
            failed = row.ok() ? absl::DataLossError(
                                    fmt::format("payment '{}' is indexed but has no row", last))
                              : row.status();
            return false;
          }
          payment = **std::move(row);
        } else if (!payment.ParseFromString(std::string(value))) {
          failed = absl::DataLossError(fmt::format("read-model row {} is unreadable", key));
          return false;
        }
        if (matches(filter, payment)) {
          *response.add_payments() = std::move(payment);
        }
        return true;
      }));
  ARFLOW_RETURN_IF_ERROR(failed);
  return response;
}

Result<v1::CustomerCredit> get_customer_credit(const eventstore::Store& store,
                                               std::string_view tenant,
                                               std::string_view customer_id) {
  ARFLOW_RETURN_IF_ERROR(contract::validate_id(customer_id, "customer"));
  return customer_credit(reader_of(store), tenant, customer_id);
}

Result<v1::ListOpenInvoicesResponse> list_open_invoices(const eventstore::Store& store,
                                                        std::string_view tenant,
                                                        std::string_view customer_id) {
  ARFLOW_RETURN_IF_ERROR(contract::validate_id(customer_id, "customer"));
  auto invoices = load_open_invoices(store, reader_of(store), tenant, customer_id);
  if (!invoices.ok()) {
    return invoices.status();
  }
  std::sort(invoices->begin(), invoices->end(), [](const auto& a, const auto& b) {
    return std::tie(a.due_date, a.number) < std::tie(b.due_date, b.number);
  });
  v1::ListOpenInvoicesResponse response;
  for (const auto& invoice : *invoices) {
    ARFLOW_ASSIGN_OR_RETURN(*response.add_invoices(), open_invoice_resource(invoice));
  }
  return response;
}

}  // namespace arflow::payments::app
