#include "payments/app/movements.h"

#include <fmt/format.h>

#include "payments/app/keys.h"

namespace arflow::payments::app {

absl::Status claim_movement(eventstore::Transaction& txn, std::string_view tenant,
                            std::string_view kind, std::string_view id, std::string_view field,
                            std::string what) {
  if (id.empty()) {
    return absl::OkStatus();
  }
  const std::string row = movement_row(tenant, kind, id);
  ARFLOW_ASSIGN_OR_RETURN(const auto made, txn.get(row));
  if (made.has_value()) {
    return absl::AlreadyExistsError(
        fmt::format("{}: {} '{}' was made already ({}); a request moves money once, even retried "
                    "after its idempotency record expired",
                    field, kind, id, *made));
  }
  txn.put(row, std::move(what), eventstore::RowUse::kQueriesOnly);
  return absl::OkStatus();
}

}  // namespace arflow::payments::app
