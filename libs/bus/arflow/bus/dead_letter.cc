#include "arflow/bus/dead_letter.h"

#include <string>

#include "arflow/bus/topics.h"
#include "arflow/events/v1/dead_letter.pb.h"
#include "arflow/eventstore/envelope.h"

namespace arflow::bus {

internal::v1::OutboxRecord dead_letter(const RefusedMessage& message, std::string_view reason,
                                       Timestamp now) {
  events::v1::DeadLetter letter;
  letter.set_consumer(std::string(message.consumer));
  letter.set_source_topic(std::string(message.topic));
  letter.set_source_partition(message.partition);
  letter.set_source_offset(message.offset);
  // Keys are ours (tenant/customer) and short; a value is cut so that the dead letter
  // itself stays publishable.
  constexpr size_t kMaxCopied = size_t{256} * 1024;
  letter.set_source_key(std::string(message.key.substr(0, 4096)));
  letter.set_source_value(std::string(message.value.substr(0, kMaxCopied)));
  letter.set_source_value_truncated(message.value.size() > kMaxCopied);
  letter.set_reason(std::string(reason));
  eventstore::to_proto(now, *letter.mutable_failed_at());

  internal::v1::OutboxRecord record;
  record.set_topic(std::string(kDeadLetters));
  record.set_key(letter.source_key());  // same partition as the customer's events
  record.set_value(letter.SerializeAsString());
  record.set_event_type("dead_letter");
  return record;
}

}  // namespace arflow::bus
