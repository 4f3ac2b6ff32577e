#pragma once
// The invoicing events are the protobuf messages of arflow/invoicing/v1/events.proto, the
// public contract. Each aggregate's events form a variant, so that an event of one aggregate
// cannot be folded into another's state, and travel in the Envelope's payload.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "arflow/events/v1/envelope.pb.h"
#include "arflow/invoicing/v1/events.pb.h"

namespace arflow::invoicing {

// On "customer/<customer_id>".
using CustomerEvent = std::variant<v1::CustomerRegistered, v1::CustomerUpdated>;

// On "invoice/<invoice_id>". DepositDeducted and DepositDeductionReleased go to the deposit
// invoice's stream.
using InvoiceEvent =
    std::variant<v1::InvoiceDrafted, v1::InvoiceDraftEdited, v1::InvoiceDraftDeleted,
                 v1::InvoiceIssued, v1::DepositDeducted, v1::DepositDeductionReleased,
                 v1::AllocationReleased, v1::CreditNoteIssued, v1::InvoiceWrittenOff,
                 v1::LateFeeAdded, v1::RecipientStatusChanged, v1::PaymentApplied,
                 v1::PaymentReversed, v1::AllocationRejected>;

// "customer/<id>", "invoice/<id>", "series/<series>" (a series' numbers before its row).
std::string customer_stream(std::string_view customer_id);
std::string invoice_stream(std::string_view invoice_id);
std::string series_stream(std::string_view series);

// Sets the Envelope's payload to the event (the rest of the Envelope is the service's). An
// invoice event is moved in: an issued invoice's event repeats its whole content.
void set_payload(const CustomerEvent& event, events::v1::Envelope& envelope);
void set_payload(InvoiceEvent event, events::v1::Envelope& envelope);

// The payload as an aggregate's event, or nullopt when it is another aggregate's (or none).
std::optional<CustomerEvent> customer_event(const events::v1::Envelope& envelope);
std::optional<InvoiceEvent> invoice_event(const events::v1::Envelope& envelope);

}  // namespace arflow::invoicing
