#pragma once
// A projection for kernel tests: per stream, how many events were applied and the sum of
// their versions. Applied exactly once, stream s with n events shows count n and sum
// n(n+1)/2; a lost or doubled event shows in both. Events whose actor is "poison" are
// refused, to exercise the dead-letter path.

#include <string>

#include "arflow/bus/consumer_runner.h"
#include "arflow/eventstore/keys.h"

namespace arflow::testing {

class CounterProjection final : public bus::Projection {
 public:
  absl::Status apply(const eventstore::Envelope& event, eventstore::Transaction& txn) override {
    if (event.actor() == "poison") {
      return absl::FailedPreconditionError("the counter refuses events of actor 'poison'");
    }
    ARFLOW_RETURN_IF_ERROR(add(txn, "count/" + event.stream(), 1));
    return add(txn, "sum/" + event.stream(), event.version());
  }

  static absl::Status add(eventstore::Transaction& txn, const std::string& key, uint64_t by) {
    auto row = txn.get(key);
    if (!row.ok()) {
      return row.status();
    }
    const uint64_t current = row->has_value() ? eventstore::read_be64(**row) : 0;
    txn.put(key, eventstore::be64(current + by));
    return absl::OkStatus();
  }
};

}  // namespace arflow::testing
