#include "payments/domain/events.h"

#include <fmt/format.h>

namespace arflow::payments {

using events::v1::Envelope;

std::string payment_stream(std::string_view payment_id) {
  return fmt::format("payment/{}", payment_id);
}

void set_payload(PaymentEvent event, Envelope& envelope) {
  std::visit(
      [&](auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, v1::PaymentRecorded>) {
          *envelope.mutable_payment_recorded() = std::move(e);
        } else if constexpr (std::is_same_v<E, v1::PaymentAllocated>) {
          *envelope.mutable_payment_allocated() = std::move(e);
        } else if constexpr (std::is_same_v<E, v1::AllocationReversed>) {
          *envelope.mutable_allocation_reversed() = std::move(e);
        } else if constexpr (std::is_same_v<E, v1::AllocationReturned>) {
          *envelope.mutable_allocation_returned() = std::move(e);
        } else if constexpr (std::is_same_v<E, v1::PaymentRefunded>) {
          *envelope.mutable_payment_refunded() = std::move(e);
        } else {
          static_assert(std::is_same_v<E, v1::PaymentChargedBack>);
          *envelope.mutable_payment_charged_back() = std::move(e);
        }
      },
      event);
}

std::optional<PaymentEvent> payment_event(const Envelope& envelope) {
  switch (envelope.payload_case()) {
    case Envelope::kPaymentRecorded:
      return envelope.payment_recorded();
    case Envelope::kPaymentAllocated:
      return envelope.payment_allocated();
    case Envelope::kAllocationReversed:
      return envelope.allocation_reversed();
    case Envelope::kAllocationReturned:
      return envelope.allocation_returned();
    case Envelope::kPaymentRefunded:
      return envelope.payment_refunded();
    case Envelope::kPaymentChargedBack:
      return envelope.payment_charged_back();
    default:
      return std::nullopt;
  }
}

}  // namespace arflow::payments
