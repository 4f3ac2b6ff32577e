#pragma once
// Helpers over the public Envelope that the kernel needs to route and store an event.

#include <string>
#include <string_view>

#include "arflow/core/clock.h"
#include "arflow/events/v1/envelope.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace arflow::eventstore {

using events::v1::Envelope;

// Who asks for a change, as every event it records says (DESIGN.md, "Events").
struct Caller {
  std::string tenant;
  std::string actor;           // the API key's name, or the reacting service ("payments")
  std::string causation_id;    // the request id, or the event reacted to
  std::string correlation_id;  // the business flow; the request id when it starts one
};

// An envelope for one of the caller's events about `customer_id`, payload still to set.
Envelope stamped(const Caller& caller, std::string_view customer_id);

// The payload's field name ("customer_registered"), or "" when no payload is set.
std::string_view event_type(const Envelope& envelope);

// The Kafka message key: "<tenant_id>/<customer_id>". Every event of one customer shares it.
std::string message_key(std::string_view tenant_id, std::string_view customer_id);

void to_proto(Timestamp t, google::protobuf::Timestamp& out);
Timestamp from_proto(const google::protobuf::Timestamp& t);

}  // namespace arflow::eventstore
