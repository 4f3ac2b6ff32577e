#pragma once
// The topics of DESIGN.md. Message key = "<tenant_id>/<customer_id>" on every topic.

#include <array>
#include <string_view>

namespace arflow::bus {

inline constexpr std::string_view kInvoicingEvents = "arflow.invoicing.events.v1";
inline constexpr std::string_view kPaymentsEvents = "arflow.payments.events.v1";
inline constexpr std::string_view kCollectionsEvents = "arflow.collections.events.v1";
inline constexpr std::string_view kDeadLetters = "arflow.dlq.v1";
// A consumer that missed an event asks the stream's service to publish it again
// (events/v1/republish.proto).
inline constexpr std::string_view kRepublishRequests = "arflow.republish.v1";

inline constexpr std::array<std::string_view, 5> kAllTopics = {
    kInvoicingEvents, kPaymentsEvents, kCollectionsEvents, kDeadLetters, kRepublishRequests};

// Message headers that repeat envelope fields so routers need not decode the payload.
inline constexpr std::string_view kHeaderEventId = "event_id";
inline constexpr std::string_view kHeaderEventType = "event_type";

}  // namespace arflow::bus
