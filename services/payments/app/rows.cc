#include "payments/app/rows.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "arflow/contract/convert.h"
#include "payments/app/keys.h"
#include "payments/app/resources.h"
#include "payments/domain/allocation_plan.h"

namespace arflow::payments::app {

namespace {

using internal::v1::IdListRow;
using internal::v1::KnownInvoiceRow;

absl::Status unreadable(std::string_view key, std::string_view why) {
  return absl::DataLossError(fmt::format("row {} is unreadable: {}", key, why));
}

Result<IdListRow> load_id_list(const RowReader& read, const std::string& key) {
  auto bytes = read(key);
  if (!bytes.ok()) {
    return bytes.status();
  }
  IdListRow row;
  if (bytes->has_value() && !row.ParseFromString(**bytes)) {
    return unreadable(key, "not an id list");
  }
  return row;
}

// Adds or removes `id` so that its presence is `wanted`; writes the row only on a change.
absl::Status keep_listed(eventstore::Transaction& txn, const std::string& key, std::string_view id,
                         bool wanted) {
  auto list = load_id_list(reader_of(txn), key);
  if (!list.ok()) {
    return list.status();
  }
  auto& ids = *list->mutable_ids();
  const auto it = std::find(ids.begin(), ids.end(), id);
  const bool listed = it != ids.end();
  if (listed == wanted) {
    return absl::OkStatus();
  }
  if (wanted) {
    ids.Add(std::string(id));
  } else {
    ids.erase(it);
  }
  if (ids.empty()) {
    txn.remove(key);
  } else {
    txn.put(key, list->SerializeAsString());
  }
  return absl::OkStatus();
}

}  // namespace

RowReader reader_of(eventstore::Transaction& txn) {
  return [&txn](std::string_view key) { return txn.get(key); };
}

RowReader reader_of(const eventstore::Store& store) {
  return [&store](std::string_view key) { return store.get(eventstore::Column::kState, key); };
}

KnownInvoiceRow to_row(const KnownInvoice& invoice) {
  KnownInvoiceRow row;
  row.set_invoice_id(invoice.invoice_id);
  row.set_customer_id(invoice.customer_id);
  row.set_number(invoice.number);
  row.set_currency(invoice.currency);
  *row.mutable_due_date() = contract::to_proto(invoice.due_date);
  if (invoice.balance.has_value()) {
    *row.mutable_balance() = contract::to_proto(*invoice.balance);
  }
  row.set_status(invoice.status);
  for (const auto& [id, amount] : invoice.in_flight) {
    (*row.mutable_in_flight())[id] = contract::to_proto(amount);
  }
  return row;
}

Result<KnownInvoice> from_row(const KnownInvoiceRow& row) {
  KnownInvoice invoice{.invoice_id = row.invoice_id(),
                       .customer_id = row.customer_id(),
                       .number = row.number(),
                       .currency = row.currency(),
                       .due_date = {},
                       .balance = std::nullopt,
                       .status = static_cast<invoicing::v1::InvoiceStatus>(row.status()),
                       .in_flight = {}};
  // The row's name is formatted only for an error: this runs for every known invoice read.
  const auto unreadable_field = [&row](const absl::Status& why) {
    return unreadable(fmt::format("of invoice '{}'", row.invoice_id()), std::string(why.message()));
  };
  if (row.has_due_date()) {
    auto due = contract::from_proto(row.due_date(), "due_date");
    if (!due.ok()) {
      return unreadable_field(due.status());
    }
    invoice.due_date = *due;
  }
  if (row.has_balance()) {
    auto balance = contract::from_proto(row.balance(), "balance");
    if (!balance.ok()) {
      return unreadable_field(balance.status());
    }
    invoice.balance = *balance;
  }
  for (const auto& [id, amount] : row.in_flight()) {
    auto money = contract::from_proto(amount, "in_flight");
    if (!money.ok()) {
      return unreadable_field(money.status());
    }
    invoice.in_flight.emplace(id, *money);
  }
  return invoice;
}

Result<KnownInvoice> load_known_invoice(const RowReader& read, std::string_view tenant,
                                        std::string_view invoice_id) {
  const std::string key = known_invoice_row(tenant, invoice_id);
  auto bytes = read(key);
  if (!bytes.ok()) {
    return bytes.status();
  }
  if (!bytes->has_value()) {
    return KnownInvoice{.invoice_id = std::string(invoice_id)};
  }
  KnownInvoiceRow row;
  if (!row.ParseFromString(**bytes)) {
    return unreadable(key, "not a known invoice");
  }
  return from_row(row);
}

void save_known_invoice(eventstore::Transaction& txn, std::string_view tenant,
                        const KnownInvoice& invoice) {
  txn.put(known_invoice_row(tenant, invoice.invoice_id), to_row(invoice).SerializeAsString());
}

Result<std::vector<KnownInvoice>> load_open_invoices(const eventstore::Store& store,
                                                     const RowReader& read, std::string_view tenant,
                                                     std::string_view customer_id) {
  const std::string prefix = open_invoices_prefix(tenant, customer_id);
  std::vector<std::string> ids;
  ARFLOW_RETURN_IF_ERROR(store.scan(eventstore::Column::kState, prefix, "",
                                    [&](std::string_view key, std::string_view) {
                                      ids.emplace_back(key.substr(prefix.size()));
                                      return true;
                                    }));
  std::vector<KnownInvoice> invoices;
  invoices.reserve(ids.size());
  for (const auto& id : ids) {
    auto invoice = load_known_invoice(read, tenant, id);
    if (!invoice.ok()) {
      return invoice.status();
    }
    if (invoice->customer_id == customer_id && invoice->open_for_payment()) {
      invoices.push_back(*std::move(invoice));
    }
  }
  return invoices;
}

void track_open_invoice(eventstore::Transaction& txn, std::string_view tenant,
                        const KnownInvoice& invoice, bool was_open) {
  const bool open = invoice.open_for_payment();
  if (open == was_open) {
    return;
  }
  const std::string key = open_invoice_row(tenant, invoice.customer_id, invoice.invoice_id);
  if (open) {
    txn.put(key, "", eventstore::RowUse::kQueriesOnly);  // read by prefix scans only
  } else {
    txn.remove(key);
  }
}

void index_invoice_number(eventstore::Transaction& txn, std::string_view tenant,
                          const KnownInvoice& invoice) {
  std::string number = invoice.number;
  std::transform(number.begin(), number.end(), number.begin(), [](char c) {
    return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  });
  txn.put(invoice_number_row(tenant, number), invoice.invoice_id);
}

Result<std::vector<KnownInvoice>> mentioned_open_invoices(const RowReader& read,
                                                          std::string_view tenant,
                                                          std::string_view customer_id,
                                                          std::string_view text) {
  std::vector<KnownInvoice> invoices;
  for (const auto& number : possible_mentions(text)) {
    auto id = read(invoice_number_row(tenant, number));
    if (!id.ok()) {
      return id.status();
    }
    if (!id->has_value()) {
      continue;
    }
    auto invoice = load_known_invoice(read, tenant, **id);
    if (!invoice.ok()) {
      return invoice.status();
    }
    if (invoice->customer_id == customer_id && invoice->open_for_payment()) {
      invoices.push_back(*std::move(invoice));
    }
  }
  return invoices;
}

Result<std::vector<std::string>> credit_payment_ids(const RowReader& read, std::string_view tenant,
                                                    std::string_view customer_id) {
  auto ids = load_id_list(read, credit_row(tenant, customer_id));
  if (!ids.ok()) {
    return ids.status();
  }
  return std::vector<std::string>(ids->ids().begin(), ids->ids().end());
}

absl::Status track_credit(eventstore::Transaction& txn, std::string_view tenant,
                          const PaymentState& payment) {
  const bool has_credit = payment.money.has_value() && payment.money->unapplied.is_positive();
  return keep_listed(txn, credit_row(tenant, payment.customer_id), payment.payment_id, has_credit);
}

Result<std::optional<v1::Payment>> load_payment_row(const RowReader& read, std::string_view tenant,
                                                    std::string_view payment_id) {
  const std::string key = payment_row(tenant, payment_id);
  auto bytes = read(key);
  if (!bytes.ok()) {
    return bytes.status();
  }
  if (!bytes->has_value()) {
    return std::optional<v1::Payment>();
  }
  v1::Payment row;
  if (!row.ParseFromString(**bytes)) {
    return unreadable(key, "not a payment");
  }
  return std::optional<v1::Payment>(std::move(row));
}

Result<v1::CustomerCredit> customer_credit(const RowReader& read, std::string_view tenant,
                                           std::string_view customer_id) {
  auto ids = credit_payment_ids(read, tenant, customer_id);
  if (!ids.ok()) {
    return ids.status();
  }
  v1::CustomerCredit credit;
  credit.set_customer(customer_name(tenant, customer_id));
  // Per currency (in code order, so the answer is stable), checked: never a wrapped total.
  MoneySum balances(fmt::format("the credit of customer '{}'", customer_id));
  for (const auto& id : *ids) {
    auto row = load_payment_row(read, tenant, id);
    if (!row.ok()) {
      return row.status();
    }
    if (!row->has_value()) {
      return absl::DataLossError(fmt::format(
          "customer '{}''s credit names payment '{}', which has no row", customer_id, id));
    }
    auto unapplied = contract::from_proto((*row)->unapplied(), "unapplied");
    if (!unapplied.ok()) {
      return unreadable(payment_row(tenant, id), std::string(unapplied.status().message()));
    }
    ARFLOW_RETURN_IF_ERROR(balances.add(*unapplied));
    credit.add_payment_ids(id);
  }
  for (const Money& balance : balances.totals()) {
    *credit.add_balances() = contract::to_proto(balance);
  }
  return credit;
}

}  // namespace arflow::payments::app
