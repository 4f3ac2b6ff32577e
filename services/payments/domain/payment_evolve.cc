#include <fmt/format.h>

#include "arflow/contract/convert.h"
#include "payments/domain/payment.h"

namespace arflow::payments {

namespace {

using contract::from_proto;

// Marks the state corrupt (once): an event that does not fit is a bug or a damaged stream,
// and nothing may be decided on it.
void corrupt(PaymentState& state, std::string_view why) {
  if (state.integrity.ok()) {
    state.integrity = absl::DataLossError(fmt::format("payment '{}': {}", state.payment_id, why));
  }
}

// `from` -= amount, `to` += amount; both in the payment's currency.
bool move_money(PaymentState& state, Money amount, Money PaymentAmounts::*from,
                Money PaymentAmounts::*to) {
  auto& money = *state.money;
  auto less = subtract(money.*from, amount);
  auto more = add(money.*to, amount);
  if (!less.ok() || !more.ok() || less->is_negative()) {
    corrupt(state, fmt::format("{} does not fit its amounts", format(amount)));
    return false;
  }
  money.*from = *less;
  money.*to = *more;
  return true;
}

AllocationRecord* find(PaymentState& state, std::string_view id) {
  return const_cast<AllocationRecord*>(find_allocation(state, id));  // state is ours to change
}

void apply(PaymentState& state, const v1::PaymentRecorded& e) {
  auto amount = from_proto(e.amount(), "amount");
  auto received = from_proto(e.received_on(), "received_on");
  auto zero = Money::zero(e.amount().currency());
  if (state.recorded() || !amount.ok() || !received.ok() || !zero.ok()) {
    corrupt(state, "PaymentRecorded does not fit");
    return;
  }
  state.payment_id = e.payment_id();
  state.customer_id = e.customer_id();
  state.money = PaymentAmounts{.amount = *amount,
                               .allocated = *zero,
                               .unapplied = *amount,
                               .refunded = *zero,
                               .charged_back = *zero};
  state.method = e.method();
  state.received_on = *received;
  state.external_reference = e.external_reference();
  state.remittance_text = e.remittance_text();
}

void apply(PaymentState& state, const v1::PaymentAllocated& e) {
  auto amount = from_proto(e.amount(), "amount");
  if (!amount.ok() || find(state, e.allocation_id()) != nullptr) {
    corrupt(state, fmt::format("PaymentAllocated '{}' does not fit", e.allocation_id()));
    return;
  }
  if (move_money(state, *amount, &PaymentAmounts::unapplied, &PaymentAmounts::allocated)) {
    state.allocations.push_back(AllocationRecord{.allocation_id = e.allocation_id(),
                                                 .invoice_id = e.invoice_id(),
                                                 .invoice_number = e.invoice_number(),
                                                 .amount = *amount,
                                                 .state = AllocationState::kStanding,
                                                 .detail = {},
                                                 .movement_id = e.movement_id()});
  }
}

// An allocation standing no more: its money back to unapplied.
void take_back(PaymentState& state, std::string_view id, AllocationState to, std::string detail) {
  AllocationRecord* allocation = find(state, id);
  if (allocation == nullptr || allocation->state != AllocationState::kStanding) {
    corrupt(state, fmt::format("allocation '{}' is not standing", id));
    return;
  }
  if (move_money(state, allocation->amount, &PaymentAmounts::allocated,
                 &PaymentAmounts::unapplied)) {
    allocation->state = to;
    allocation->detail = std::move(detail);
  }
}

void apply(PaymentState& state, const v1::AllocationReversed& e) {
  take_back(state, e.allocation_id(), AllocationState::kReversed, e.reason());
}

void apply(PaymentState& state, const v1::AllocationReturned& e) {
  take_back(state, e.allocation_id(), AllocationState::kReturned, e.detail());
}

void apply(PaymentState& state, const v1::PaymentRefunded& e) {
  auto amount = from_proto(e.amount(), "amount");
  if (!amount.ok()) {
    corrupt(state, "PaymentRefunded does not fit");
    return;
  }
  if (move_money(state, *amount, &PaymentAmounts::unapplied, &PaymentAmounts::refunded)) {
    state.refunds.push_back(
        RefundRecord{.refund_id = e.refund_id(), .amount = *amount, .reason = e.reason()});
  }
}

void apply(PaymentState& state, const v1::PaymentChargedBack& e) {
  auto amount = from_proto(e.amount(), "amount");
  if (!amount.ok() || state.charged_back) {
    corrupt(state, "PaymentChargedBack does not fit");
    return;
  }
  if (move_money(state, *amount, &PaymentAmounts::unapplied, &PaymentAmounts::charged_back)) {
    state.charged_back = true;
    state.charge_back_reason = e.reason();
  }
}

}  // namespace

PaymentState evolve(PaymentState state, const PaymentEvent& event) {
  if (!state.integrity.ok()) {
    return state;
  }
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (!std::is_same_v<E, v1::PaymentRecorded>) {
          if (!state.recorded()) {
            corrupt(state, "an event before PaymentRecorded");
            return;
          }
        }
        apply(state, e);
      },
      event);
  return state;
}

v1::PaymentStatus payment_status(const PaymentState& state) {
  if (!state.recorded()) {
    return v1::PAYMENT_STATUS_UNSPECIFIED;
  }
  const auto& money = *state.money;
  if (state.charged_back) {
    return v1::PAYMENT_STATUS_CHARGED_BACK;
  }
  if (money.unapplied.is_zero()) {
    return money.allocated.is_zero() ? v1::PAYMENT_STATUS_REFUNDED : v1::PAYMENT_STATUS_APPLIED;
  }
  return money.allocated.is_zero() ? v1::PAYMENT_STATUS_UNAPPLIED
                                   : v1::PAYMENT_STATUS_PARTIALLY_APPLIED;
}

const AllocationRecord* find_allocation(const PaymentState& state, std::string_view id) {
  for (const auto& a : state.allocations) {
    if (a.allocation_id == id) {
      return &a;
    }
  }
  return nullptr;
}

}  // namespace arflow::payments
