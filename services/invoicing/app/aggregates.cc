#include "invoicing/app/aggregates.h"

#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>

#include "arflow/eventstore/fold_cache.h"
#include "invoicing/app/keys.h"
#include "invoicing/domain/events.h"
#include "invoicing/domain/invoice.h"
#include "invoicing/domain/proto_convert.h"

namespace arflow::invoicing::app {

namespace {

void track(StreamPosition& position, const eventstore::Envelope& event) {
  position.version = event.version();
  const Timestamp at = eventstore::from_proto(event.recorded_at());
  if (event.version() == 1) {
    position.created = at;
  }
  position.updated = at;
}

}  // namespace

void fold(LoadedInvoice& invoice, const eventstore::Envelope& event) {
  auto payload = invoice_event(event);
  if (!payload.has_value()) {
    if (invoice.state.integrity.ok()) {
      invoice.state.integrity = absl::DataLossError(
          fmt::format("stream {} holds an event of type '{}' at version {}", event.stream(),
                      eventstore::event_type(event), event.version()));
    }
    return;
  }
  invoice.state = evolve(std::move(invoice.state), *payload);
  track(invoice.position, event);
}

namespace {
// Invoices the executor has folded: applying a payment or a status folds only what changed.
using InvoiceFolds = eventstore::FoldCache<LoadedInvoice>;
}  // namespace

Result<LoadedInvoice> load_invoice(eventstore::Transaction& txn, std::string_view tenant,
                                   std::string_view invoice_id) {
  return txn.executor_local<InvoiceFolds>().load(
      txn, tenant_stream(tenant, invoice_stream(invoice_id)),
      LoadedInvoice{.tenant = std::string(tenant), .state = {}, .position = {}},
      [](LoadedInvoice& invoice, const eventstore::Envelope& event) { fold(invoice, event); });
}

absl::Status keep_invoice(eventstore::Transaction& txn, const LoadedInvoice& invoice) {
  return txn.executor_local<InvoiceFolds>().keep(
      txn, tenant_stream(invoice.tenant, invoice_stream(invoice.state.invoice_id)), invoice,
      invoice.position.version);
}

Result<LoadedInvoice> read_invoice(const eventstore::Store& store, std::string_view tenant,
                                   std::string_view invoice_id,
                                   std::vector<eventstore::Envelope>* history) {
  auto events = store.read_stream(tenant_stream(tenant, invoice_stream(invoice_id)));
  if (!events.ok()) {
    return events.status();
  }
  LoadedInvoice invoice{.tenant = std::string(tenant), .state = {}, .position = {}};
  for (const auto& event : *events) {
    fold(invoice, event);
  }
  if (history != nullptr) {
    *history = std::move(*events);
  }
  return invoice;
}

Result<CustomerState> customer_state(const v1::Customer& row) {
  auto details = from_proto(row.details(), "details");
  if (!details.ok()) {
    return absl::DataLossError(fmt::format("the row of customer '{}' is unreadable: {}",
                                           row.customer_id(), details.status().message()));
  }
  return CustomerState{.customer_id = row.customer_id(),
                       .registered = true,
                       .details = *std::move(details),
                       .integrity = absl::OkStatus()};
}

namespace {

// Customers as their rows said, by stream and the head they were read at. Issuing reads its
// customer every time, and parsing the row and checking its details was ~5% of the
// executor's work per invoice. An entry is used only while its head (version and the tag of
// the head event) is the stream's: a rolled-back update leaves it void. Executor thread only.
class ReadCustomers {
 public:
  static constexpr size_t kCapacity = 100'000;  // then it starts again empty

  KnownCustomer find(std::string_view stream, eventstore::StreamHead head) const {
    const auto it = entries_.find(stream);
    return it != entries_.end() && it->second.head == head ? it->second.customer : nullptr;
  }
  void keep(std::string_view stream, eventstore::StreamHead head, KnownCustomer customer) {
    if (entries_.size() >= kCapacity) {
      entries_.clear();
    }
    entries_.insert_or_assign(std::string(stream), Entry{head, std::move(customer)});
  }

 private:
  struct Entry {
    eventstore::StreamHead head;
    KnownCustomer customer;
  };
  absl::flat_hash_map<std::string, Entry, eventstore::StreamNameHash, std::equal_to<>> entries_;
};

Result<LoadedCustomer> read_customer_row(eventstore::Transaction& txn, std::string_view tenant,
                                         std::string_view customer_id, uint64_t version) {
  LoadedCustomer customer{
      .tenant = std::string(tenant), .state = {}, .position = {}, .resource = {}};
  customer.position.version = version;
  auto row = txn.get(customer_row(tenant, customer_id));
  if (!row.ok()) {
    return row.status();
  }
  if (!row->has_value() || !customer.resource.ParseFromString(**row)) {
    return absl::DataLossError(
        fmt::format("customer '{}' has {} events but no readable row", customer_id, version));
  }
  auto state = customer_state(customer.resource);
  if (!state.ok()) {
    return state.status();
  }
  customer.state = *std::move(state);
  customer.position.created = eventstore::from_proto(customer.resource.create_time());
  customer.position.updated = eventstore::from_proto(customer.resource.update_time());
  return customer;
}

}  // namespace

Result<KnownCustomer> load_customer(eventstore::Transaction& txn, std::string_view tenant,
                                    std::string_view customer_id) {
  const std::string stream = tenant_stream(tenant, customer_stream(customer_id));
  auto head = txn.stream_head(stream);
  if (!head.ok()) {
    return head.status();
  }
  if (head->version == 0) {
    return std::make_shared<const LoadedCustomer>(
        LoadedCustomer{.tenant = std::string(tenant), .state = {}, .position = {}, .resource = {}});
  }
  auto& read = txn.executor_local<ReadCustomers>();
  if (auto known = read.find(stream, *head)) {
    return known;
  }
  auto customer = read_customer_row(txn, tenant, customer_id, head->version);
  if (!customer.ok()) {
    return customer.status();
  }
  auto known = std::make_shared<const LoadedCustomer>(*std::move(customer));
  read.keep(stream, *head, known);
  return known;
}

Result<SeriesState> load_series(eventstore::Transaction& txn, std::string_view tenant,
                                std::string_view series) {
  auto row = txn.get(series_row(tenant, series));
  if (!row.ok()) {
    return row.status();
  }
  SeriesState state;
  if (row->has_value()) {
    SeriesEvent last;
    if (!last.ParseFromString(**row) || last.series() != series) {
      return absl::DataLossError(fmt::format("series '{}': its row is unreadable", series));
    }
    // With its last number's issue date, which the next document may not precede (none in a
    // row written before numbers recorded their date).
    state = state_after(last);
    ARFLOW_RETURN_IF_ERROR(state.integrity);
    return state;
  }
  // No row: the series gave no number yet, or gave them all before the row existed, when
  // its stream recorded one DocumentNumberAssigned per number (its head is the last one).
  auto head = txn.stream_version(tenant_stream(tenant, series_stream(series)));
  if (!head.ok()) {
    return head.status();
  }
  if (*head > 0) {
    state.series = std::string(series);
    state.last_sequence = *head;
  }
  return state;
}

}  // namespace arflow::invoicing::app
