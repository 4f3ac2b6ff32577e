#pragma once
// Loading a payment: its state folded from its stream ("<tenant>/payment/<id>", a short one:
// the receipt, its allocations, refunds, a chargeback). Commands read it through their
// Transaction, so that they see the writes of the batch in flight, and the executor keeps
// what it folded (eventstore::FoldCache), so a command folds only the events appended since;
// queries read the committed stream and may keep it as the history.

#include <string_view>
#include <vector>

#include "arflow/core/clock.h"
#include "arflow/core/error.h"
#include "arflow/eventstore/envelope.h"
#include "arflow/eventstore/store.h"
#include "arflow/eventstore/transaction.h"
#include "payments/domain/payment_state.h"

namespace arflow::payments::app {

struct LoadedPayment {
  PaymentState state;
  uint64_t version = 0;  // the stream's head: the version to append after
  Timestamp created{};
  Timestamp updated{};
};

// Folds one stored event of the payment's stream into `payment`.
void fold(LoadedPayment& payment, const eventstore::Envelope& event);

Result<LoadedPayment> load_payment(eventstore::Transaction& txn, std::string_view tenant,
                                   std::string_view payment_id);

// Keeps `payment`, whose events were just appended, as its stream's fold for the next load.
absl::Status keep_payment(eventstore::Transaction& txn, std::string_view tenant,
                          const LoadedPayment& payment);

// Committed state, for queries. `history`, when given, receives the payment's events.
Result<LoadedPayment> read_payment(const eventstore::Store& store, std::string_view tenant,
                                   std::string_view payment_id,
                                   std::vector<eventstore::Envelope>* history = nullptr);

}  // namespace arflow::payments::app
