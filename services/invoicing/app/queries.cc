#include "invoicing/app/queries.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <tuple>

#include "arflow/contract/paging.h"
#include "invoicing/app/aggregates.h"
#include "invoicing/app/keys.h"
#include "invoicing/app/names.h"
#include "invoicing/app/resources.h"
#include "invoicing/domain/customer.h"
#include "invoicing/domain/proto_convert.h"
#include "invoicing/query/follow_up.h"

namespace arflow::invoicing::app {

namespace {

using eventstore::Column;

Result<v1::Invoice> invoice_from_row(std::string_view key, std::string_view value) {
  v1::Invoice invoice;
  if (!invoice.ParseFromString(std::string(value))) {
    return absl::DataLossError(fmt::format("read-model row {} is unreadable", key));
  }
  return invoice;
}

// Scans the tenant's invoices (or, when the filter pins a customer, that customer's index)
// from after `after`, calling `visit` with each row's invoice until it returns false or
// `budget` rows were looked at. Returns the id of the last invoice looked at, "" at the end.
Result<std::string> scan_invoices(const eventstore::Store& store, std::string_view tenant,
                                  const InvoiceFilter& filter, std::string_view after,
                                  size_t budget,
                                  const std::function<Result<bool>(const v1::Invoice&)>& visit) {
  const auto customer = customer_id_equals(filter);
  const std::string prefix =
      customer.has_value() ? customer_invoices_prefix(tenant, *customer) : invoices_prefix(tenant);
  std::string last;
  size_t looked_at = 0;
  bool reached_end = true;
  absl::Status failed;
  auto scanned = store.scan(
      Column::kState, prefix, contract::scan_start(prefix, after),
      [&](std::string_view key, std::string_view value) {
        if (looked_at == budget) {
          reached_end = false;
          return false;
        }
        ++looked_at;
        last = std::string(key.substr(prefix.size()));
        Result<v1::Invoice> invoice = absl::UnknownError("");
        if (customer.has_value()) {
          auto row = store.get(Column::kState, invoice_row(tenant, last));
          if (!row.ok()) {
            failed = row.status();
            return false;
          }
          if (!row->has_value()) {
            failed =
                absl::DataLossError(fmt::format("invoice '{}' is indexed but has no row", last));
            return false;
          }
          invoice = invoice_from_row(key, **row);
        } else {
          invoice = invoice_from_row(key, value);
        }
        if (!invoice.ok()) {
          failed = invoice.status();
          return false;
        }
        if (invoice->status() == v1::INVOICE_STATUS_DELETED || !matches(filter, *invoice)) {
          return true;
        }
        auto go_on = visit(*invoice);
        if (!go_on.ok()) {
          failed = go_on.status();
          return false;
        }
        if (!*go_on) {
          reached_end = false;
        }
        return *go_on;
      });
  ARFLOW_RETURN_IF_ERROR(scanned);
  ARFLOW_RETURN_IF_ERROR(failed);
  return reached_end ? std::string() : last;
}

}  // namespace

Result<v1::Customer> get_customer(const eventstore::Store& store, std::string_view tenant,
                                  std::string_view customer_id) {
  ARFLOW_RETURN_IF_ERROR(validate_id(customer_id, "name"));
  auto row = store.get(Column::kState, customer_row(tenant, customer_id));
  if (!row.ok()) {
    return row.status();
  }
  if (!row->has_value()) {
    return absl::NotFoundError(fmt::format("name: customer '{}' does not exist", customer_id));
  }
  v1::Customer customer;
  if (!customer.ParseFromString(**row)) {
    return absl::DataLossError(fmt::format("the row of customer '{}' is unreadable", customer_id));
  }
  return customer;
}

Result<v1::ListCustomersResponse> list_customers(const eventstore::Store& store,
                                                 std::string_view tenant, int32_t page_size,
                                                 std::string_view page_token) {
  auto page = contract::page_request(page_size, page_token);
  if (!page.ok()) {
    return page.status();
  }
  const std::string prefix = customers_prefix(tenant);
  v1::ListCustomersResponse response;
  absl::Status failed;
  ARFLOW_RETURN_IF_ERROR(store.scan(
      Column::kState, prefix, contract::scan_start(prefix, page->after),
      [&](std::string_view key, std::string_view value) {
        if (response.customers_size() == page->size) {
          response.set_next_page_token(response.customers().rbegin()->customer_id());
          return false;
        }
        if (!response.add_customers()->ParseFromString(std::string(value))) {
          failed = absl::DataLossError(fmt::format("read-model row {} is unreadable", key));
          return false;
        }
        return true;
      }));
  ARFLOW_RETURN_IF_ERROR(failed);
  return response;
}

Result<v1::Invoice> get_invoice(const eventstore::Store& store, std::string_view tenant,
                                std::string_view invoice_id, v1::InvoiceView view) {
  ARFLOW_RETURN_IF_ERROR(validate_id(invoice_id, "name"));
  std::vector<eventstore::Envelope> history;
  const bool full = view != v1::INVOICE_VIEW_BASIC;
  auto invoice = read_invoice(store, tenant, invoice_id, full ? &history : nullptr);
  if (!invoice.ok()) {
    return invoice.status();
  }
  if (invoice->state.status == InvoiceStatus::kNone) {
    return absl::NotFoundError(fmt::format("name: invoice '{}' does not exist", invoice_id));
  }
  ARFLOW_RETURN_IF_ERROR(invoice->state.integrity);
  v1::Invoice resource =
      invoice_resource(*invoice, full ? InvoiceDetail::kFull : InvoiceDetail::kBasic);
  for (auto& event : history) {
    *resource.add_history() = std::move(event);
  }
  return resource;
}

Result<v1::ListInvoicesResponse> list_invoices(const eventstore::Store& store,
                                               std::string_view tenant, const InvoiceFilter& filter,
                                               int32_t page_size, std::string_view page_token,
                                               v1::InvoiceView view) {
  auto page = contract::page_request(page_size, page_token);
  if (!page.ok()) {
    return page.status();
  }
  v1::ListInvoicesResponse response;
  auto last = scan_invoices(store, tenant, filter, page->after, kMaxScannedPerPage,
                            [&](const v1::Invoice& invoice) -> Result<bool> {
                              if (view == v1::INVOICE_VIEW_FULL) {
                                auto full = get_invoice(store, tenant, invoice.invoice_id(), view);
                                if (!full.ok()) {
                                  return full.status();
                                }
                                *response.add_invoices() = *std::move(full);
                              } else {
                                *response.add_invoices() = invoice;
                              }
                              return response.invoices_size() < page->size;
                            });
  if (!last.ok()) {
    return last.status();
  }
  response.set_next_page_token(*last);
  return response;
}

Result<v1::CustomerStatement> customer_statement(const eventstore::Store& store,
                                                 std::string_view tenant,
                                                 std::string_view customer_id, Date as_of) {
  auto customer = get_customer(store, tenant, customer_id);
  if (!customer.ok()) {
    return customer.status();
  }
  auto by_customer = parse_invoice_filter(fmt::format("customer_id = \"{}\"", customer_id));
  if (!by_customer.ok()) {
    return by_customer.status();
  }
  v1::CustomerStatement statement;
  statement.set_customer(customer->name());
  *statement.mutable_as_of() = to_proto(as_of);
  // Per currency, checked: a sum beyond int64 minor units is OUT_OF_RANGE, never wrapped.
  MoneySum balances(fmt::format("the balance of customer '{}'", customer_id));
  MoneySum overdue(fmt::format("the overdue balance of customer '{}'", customer_id));
  auto last = scan_invoices(
      store, tenant, *by_customer, "", SIZE_MAX, [&](const v1::Invoice& invoice) -> Result<bool> {
        if (!is_open(invoice.status())) {
          return true;
        }
        auto* item = statement.add_open_items();
        item->set_invoice_id(invoice.invoice_id());
        item->set_number(invoice.number());
        *item->mutable_issue_date() = invoice.issue_date();
        *item->mutable_due_date() = invoice.due_date();
        *item->mutable_amount_due() = invoice.amount_due();
        *item->mutable_balance() = invoice.balance();
        item->set_status(invoice.status());
        item->set_days_late(static_cast<int32_t>(days_late(invoice, as_of)));
        item->set_recipient_status(invoice.recipient_status());
        auto balance = from_proto(invoice.balance(), "balance");
        if (!balance.ok()) {
          return absl::DataLossError(
              fmt::format("invoice '{}': {}", invoice.invoice_id(), balance.status().message()));
        }
        ARFLOW_RETURN_IF_ERROR(balances.add(*balance));
        if (item->days_late() > 0) {
          ARFLOW_RETURN_IF_ERROR(overdue.add(*balance));
        }
        return true;
      });
  if (!last.ok()) {
    return last.status();
  }
  auto& items = *statement.mutable_open_items();
  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.due_date().year(), a.due_date().month(), a.due_date().day()) <
           std::make_tuple(b.due_date().year(), b.due_date().month(), b.due_date().day());
  });
  for (const Money& sum : balances.totals()) {
    *statement.add_balances() = to_proto(sum);
  }
  for (const Money& sum : overdue.totals()) {
    *statement.add_overdue() = to_proto(sum);
  }
  return statement;
}

absl::Status for_each_issued_invoice(const eventstore::Store& store, std::string_view tenant,
                                     const InvoiceFilter& filter,
                                     const std::function<absl::Status(const v1::Invoice&)>& visit) {
  return scan_invoices(store, tenant, filter, "", SIZE_MAX,
                       [&](const v1::Invoice& invoice) -> Result<bool> {
                         if (invoice.number().empty()) {
                           return true;
                         }
                         ARFLOW_RETURN_IF_ERROR(visit(invoice));
                         return true;
                       })
      .status();
}

}  // namespace arflow::invoicing::app
