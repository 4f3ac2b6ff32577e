#pragma once
// The invoice aggregate (stream "invoice/<invoice_id>"): what happens to an invoice, from
// draft to paid, void or written off. decide() checks a command against the state and says
// what happened (events) or why not (an error naming the field and the rule); evolve() folds
// an event into the state. Neither does I/O nor reads a clock. Rules: docs/invoicing.md.
//
// Errors: INVALID_ARGUMENT for a request wrong whatever the state; FAILED_PRECONDITION for a
// request the invoice's state does not allow. An allocation of a payment the invoice cannot
// take is not an error: it is an AllocationRejected event, so payments can make it credit.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "arflow/core/error.h"
#include "invoicing/domain/commands.h"
#include "invoicing/domain/customer_state.h"
#include "invoicing/domain/events.h"
#include "invoicing/domain/invoice_state.h"
#include "invoicing/domain/series.h"

namespace arflow::invoicing {

// An event for another invoice's stream (a deposit invoice, when a final invoice deducts it
// or releases it).
struct OtherInvoiceEvent {
  std::string invoice_id;
  InvoiceEvent event;
};

// What issuing a document decides, for every stream it touches; the service appends them
// all in one batch.
struct InvoiceDecision {
  std::vector<InvoiceEvent> events;               // the invoice's own stream
  std::optional<SeriesEvent> number;              // the series' row
  std::vector<OtherInvoiceEvent> other_invoices;  // deposit invoices' streams
};

Result<std::vector<InvoiceEvent>> decide(const DraftInvoice& command, const InvoiceState& state);
Result<std::vector<InvoiceEvent>> decide(const EditDraft& command, const InvoiceState& state);
Result<std::vector<InvoiceEvent>> decide(const DeleteDraft& command, const InvoiceState& state);

// `customer` is the draft's customer; `series` the state of series `command.series`;
// `deposits` the states of the draft's deposit invoices (any order; others are ignored).
Result<InvoiceDecision> decide(const IssueInvoice& command, const InvoiceState& state,
                               const CustomerState& customer, const SeriesState& series,
                               std::span<const InvoiceState> deposits = {});

// Drafting and issuing a new invoice in one command (CreateInvoice with issue set). The
// draft is never recorded: the decision's InvoiceIssued, which carries the whole content, is
// the stream's first event, and folded from nothing it gives what drafting then issuing
// would give.
//
// unrecorded_draft: the draft `command` makes of the new stream's `state` (empty), checked
// as drafting checks it and as its InvoiceDrafted would fold, to be issued by
// decide(IssueInvoice, ...) once the series and the deposits its content names are read.
Result<InvoiceState> unrecorded_draft(const DraftInvoice& command, const InvoiceState& state);
// Both steps in one decision, for callers that have the series and deposits at hand.
Result<InvoiceDecision> decide(const DraftInvoice& draft, const IssueInvoice& command,
                               const InvoiceState& state, const CustomerState& customer,
                               const SeriesState& series,
                               std::span<const InvoiceState> deposits = {});

// `series` is the state of "series/<command.series>".
Result<InvoiceDecision> decide(const IssueCreditNote& command, const InvoiceState& state,
                               const SeriesState& series);

Result<std::vector<InvoiceEvent>> decide(const WriteOffInvoice& command, const InvoiceState& state);
// The same source_id again records nothing.
Result<std::vector<InvoiceEvent>> decide(const AddLateFee& command, const InvoiceState& state);
// The same status again records nothing.
Result<std::vector<InvoiceEvent>> decide(const RecordRecipientStatus& command,
                                         const InvoiceState& state);
// The same allocation_id again records nothing; an allocation the invoice cannot take
// records AllocationRejected.
Result<std::vector<InvoiceEvent>> decide(const ApplyPayment& command, const InvoiceState& state);
// Reversing an allocation already reversed, released or rejected records nothing.
Result<std::vector<InvoiceEvent>> decide(const ReversePayment& command, const InvoiceState& state);

InvoiceState evolve(InvoiceState state, const InvoiceEvent& event);

}  // namespace arflow::invoicing
