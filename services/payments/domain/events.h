#pragma once
// The payments events are the protobuf messages of arflow/payments/v1/events.proto, the
// public contract. A payment's events form a variant, so that another aggregate's event
// cannot be folded into a payment, and travel in the Envelope's payload.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "arflow/events/v1/envelope.pb.h"
#include "arflow/payments/v1/events.pb.h"

namespace arflow::payments {

// On "payment/<payment_id>".
using PaymentEvent =
    std::variant<v1::PaymentRecorded, v1::PaymentAllocated, v1::AllocationReversed,
                 v1::AllocationReturned, v1::PaymentRefunded, v1::PaymentChargedBack>;

std::string payment_stream(std::string_view payment_id);

// Moves the event into the Envelope's payload (the rest of the Envelope is the service's).
void set_payload(PaymentEvent event, events::v1::Envelope& envelope);

// The payload as a payment's event, or nullopt when it is another aggregate's (or none).
std::optional<PaymentEvent> payment_event(const events::v1::Envelope& envelope);

}  // namespace arflow::payments
