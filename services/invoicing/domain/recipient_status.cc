#include "invoicing/domain/recipient_status.h"

#include <algorithm>
#include <array>

namespace arflow::invoicing {

namespace {

using S = RecipientStatus;

constexpr std::array kAll{S::kReceived,           S::kMadeAvailable, S::kApproved,
                          S::kPartiallyApproved,  S::kDisputed,      S::kSuspended,
                          S::kToBeRecycled,       S::kServiceDone,   S::kMandated,
                          S::kPaymentTransmitted, S::kRefused,       S::kCollected};

// The table of recipient_status.h, one row per status.
constexpr std::array kFirst{S::kReceived, S::kMadeAvailable};
constexpr std::array kAfterReceived{S::kMadeAvailable, S::kToBeRecycled, S::kRefused};
constexpr std::array kAfterMadeAvailable{S::kApproved,  S::kPartiallyApproved, S::kDisputed,
                                         S::kSuspended, S::kServiceDone,       S::kToBeRecycled,
                                         S::kRefused};
constexpr std::array kAfterApproved{S::kServiceDone, S::kMandated, S::kPaymentTransmitted,
                                    S::kDisputed, S::kSuspended};
constexpr std::array kAfterPartiallyApproved{S::kApproved, S::kServiceDone,
                                             S::kMandated, S::kPaymentTransmitted,
                                             S::kDisputed, S::kSuspended};
constexpr std::array kAfterServiceDone{S::kApproved, S::kPartiallyApproved,
                                       S::kMandated, S::kPaymentTransmitted,
                                       S::kDisputed, S::kSuspended};
constexpr std::array kAfterDisputed{S::kApproved, S::kPartiallyApproved, S::kSuspended,
                                    S::kToBeRecycled, S::kRefused};
constexpr std::array kAfterSuspended{S::kMadeAvailable, S::kApproved, S::kPartiallyApproved,
                                     S::kServiceDone,   S::kDisputed, S::kToBeRecycled,
                                     S::kRefused};
constexpr std::array kAfterMandated{S::kPaymentTransmitted, S::kCollected};
constexpr std::array kAfterPaymentTransmitted{S::kCollected};
constexpr std::array kAfterToBeRecycled{S::kReceived, S::kMadeAvailable};

}  // namespace

std::span<const RecipientStatus> all_recipient_statuses() { return kAll; }

std::span<const RecipientStatus> next_recipient_statuses(std::optional<RecipientStatus> from) {
  if (!from.has_value()) {
    return kFirst;
  }
  switch (*from) {
    case S::kReceived:
      return kAfterReceived;
    case S::kMadeAvailable:
      return kAfterMadeAvailable;
    case S::kApproved:
      return kAfterApproved;
    case S::kPartiallyApproved:
      return kAfterPartiallyApproved;
    case S::kServiceDone:
      return kAfterServiceDone;
    case S::kDisputed:
      return kAfterDisputed;
    case S::kSuspended:
      return kAfterSuspended;
    case S::kMandated:
      return kAfterMandated;
    case S::kPaymentTransmitted:
      return kAfterPaymentTransmitted;
    case S::kToBeRecycled:
      return kAfterToBeRecycled;
    case S::kRefused:
    case S::kCollected:
      break;
  }
  return {};
}

bool recipient_transition_allowed(std::optional<RecipientStatus> from, RecipientStatus to) {
  const auto next = next_recipient_statuses(from);
  return std::find(next.begin(), next.end(), to) != next.end();
}

bool recipient_status_needs_reason(RecipientStatus status) {
  switch (status) {
    case S::kPartiallyApproved:
    case S::kDisputed:
    case S::kSuspended:
    case S::kToBeRecycled:
    case S::kRefused:
      return true;
    default:
      return false;
  }
}

}  // namespace arflow::invoicing
