#pragma once
// A message a consumer could not decode or apply, made into an outbox record for
// `arflow.dlq.v1`. Going through the outbox puts the dead letter in the same WriteBatch as
// the consumed offset that skips it: the message is never lost between the two.

#include <string_view>

#include "arflow/core/clock.h"
#include "arflow/internal/v1/store.pb.h"

namespace arflow::bus {

struct RefusedMessage {
  std::string_view consumer;
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string_view key;
  std::string_view value;
};

internal::v1::OutboxRecord dead_letter(const RefusedMessage& message, std::string_view reason,
                                       Timestamp now);

}  // namespace arflow::bus
