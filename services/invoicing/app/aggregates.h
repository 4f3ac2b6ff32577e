#pragma once
// Loading the invoicing aggregates a command decides against, and the ones a query shows.
//
// An invoice's state is folded from its stream (a short one: a draft, its issue, a few
// payments and statuses), read through the command's Transaction so that it sees the writes
// of the batch in flight; the executor keeps what it folded (eventstore::FoldCache), so a
// command folds only the events appended since. Queries fold the committed stream and may
// keep it as the history.
// A customer's state is its row (keys.h), written in the same batch as each of its events,
// because a customer's stream grows with every update while issuing reads it every time. A
// series' state is its row, the last number it gave (written with the document that took
// it); a series with no row goes on from its stream's head, one event per number given
// before the row existed.

#include <memory>
#include <string_view>
#include <vector>

#include "arflow/core/clock.h"
#include "arflow/core/error.h"
#include "arflow/eventstore/envelope.h"
#include "arflow/eventstore/store.h"
#include "arflow/eventstore/transaction.h"
#include "arflow/invoicing/v1/invoicing_service.pb.h"
#include "invoicing/domain/customer_state.h"
#include "invoicing/domain/invoice_state.h"
#include "invoicing/domain/series.h"

namespace arflow::invoicing::app {

// Where a stream stands: the version to append after, and when it began and last changed.
struct StreamPosition {
  uint64_t version = 0;
  Timestamp created{};
  Timestamp updated{};
};

struct LoadedInvoice {
  std::string tenant;
  InvoiceState state;
  StreamPosition position;
};

struct LoadedCustomer {
  std::string tenant;
  CustomerState state;
  StreamPosition position;
  v1::Customer resource;  // the row; empty for a customer not registered
};

// Folds one stored event of the invoice's stream into `invoice`.
void fold(LoadedInvoice& invoice, const eventstore::Envelope& event);

Result<LoadedInvoice> load_invoice(eventstore::Transaction& txn, std::string_view tenant,
                                   std::string_view invoice_id);
// Keeps `invoice`, whose events were just appended, as its stream's fold for the next load.
absl::Status keep_invoice(eventstore::Transaction& txn, const LoadedInvoice& invoice);
// A customer as the executor read it: shared by the commands that read it until it changes.
using KnownCustomer = std::shared_ptr<const LoadedCustomer>;
// Never null: a customer not registered has an empty state and version 0.
Result<KnownCustomer> load_customer(eventstore::Transaction& txn, std::string_view tenant,
                                    std::string_view customer_id);
Result<SeriesState> load_series(eventstore::Transaction& txn, std::string_view tenant,
                                std::string_view series);

// Committed state, for queries. `history`, when given, receives the invoice's events.
Result<LoadedInvoice> read_invoice(const eventstore::Store& store, std::string_view tenant,
                                   std::string_view invoice_id,
                                   std::vector<eventstore::Envelope>* history = nullptr);

// The customer's state as its row holds it.
Result<CustomerState> customer_state(const v1::Customer& row);

}  // namespace arflow::invoicing::app
