#include "invoicing/domain/model.h"

namespace arflow::invoicing {

std::string_view status_name(InvoiceStatus status) {
  switch (status) {
    case InvoiceStatus::kNone:
      return "NONE";
    case InvoiceStatus::kDraft:
      return "DRAFT";
    case InvoiceStatus::kDeleted:
      return "DELETED";
    case InvoiceStatus::kIssued:
      return "ISSUED";
    case InvoiceStatus::kPartiallyPaid:
      return "PARTIALLY_PAID";
    case InvoiceStatus::kPaid:
      return "PAID";
    case InvoiceStatus::kVoid:
      return "VOID";
    case InvoiceStatus::kUncollectible:
      return "UNCOLLECTIBLE";
  }
  return "UNKNOWN";  // only reachable through a cast of an out-of-range integer
}

std::string_view recipient_status_name(RecipientStatus status) {
  switch (status) {
    case RecipientStatus::kReceived:
      return "RECEIVED";
    case RecipientStatus::kMadeAvailable:
      return "MADE_AVAILABLE";
    case RecipientStatus::kApproved:
      return "APPROVED";
    case RecipientStatus::kPartiallyApproved:
      return "PARTIALLY_APPROVED";
    case RecipientStatus::kDisputed:
      return "DISPUTED";
    case RecipientStatus::kSuspended:
      return "SUSPENDED";
    case RecipientStatus::kToBeRecycled:
      return "TO_BE_RECYCLED";
    case RecipientStatus::kServiceDone:
      return "SERVICE_DONE";
    case RecipientStatus::kMandated:
      return "MANDATED";
    case RecipientStatus::kPaymentTransmitted:
      return "PAYMENT_TRANSMITTED";
    case RecipientStatus::kRefused:
      return "REFUSED";
    case RecipientStatus::kCollected:
      return "COLLECTED";
  }
  return "UNKNOWN";  // only reachable through a cast of an out-of-range integer
}

}  // namespace arflow::invoicing
