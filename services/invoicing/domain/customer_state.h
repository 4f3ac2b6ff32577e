#pragma once
// The customer aggregate's state, folded from its stream "customer/<customer_id>".

#include <string>

#include "absl/status/status.h"
#include "invoicing/domain/model.h"

namespace arflow::invoicing {

struct CustomerState {
  std::string customer_id;
  bool registered = false;
  CustomerDetails details;
  // Not OK when an event of the stream could not be applied (a corrupt or foreign event):
  // every later decision on this customer is refused with it rather than guessed.
  absl::Status integrity;
};

}  // namespace arflow::invoicing
