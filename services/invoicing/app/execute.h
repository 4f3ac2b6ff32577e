#pragma once
// The invoicing service's write side: each function runs one domain command on the command
// loop's Transaction (DESIGN.md, "The write path"). It loads the aggregates the decider
// needs (aggregates.h), runs the pure decide(), appends the events at the versions it read
// (ABORTED if another writer got there first, which the single-writer loop rules out), folds
// them in, and writes the read-model rows (keys.h) in the same batch. It returns the
// resource as it stands after the command, which the loop keeps as the request's result: a
// command on an invoice declares it as the invoice's stream at the version the command left
// (Transaction::answer_from), which invoice_answer makes again for a retried request.
//
// Errors: the decider's (INVALID_ARGUMENT, FAILED_PRECONDITION, naming the field and the
// rule), NOT_FOUND for an invoice or customer that does not exist, ALREADY_EXISTS for an id
// already taken. On error the loop rolls back whatever the command staged.
// Thread-safety: on the loop's thread only, like the Transaction.

#include <string>
#include <string_view>

#include "arflow/contract/answer.h"
#include "arflow/core/error.h"
#include "arflow/eventstore/envelope.h"
#include "arflow/eventstore/transaction.h"
#include "arflow/invoicing/v1/invoicing_service.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "invoicing/app/resources.h"
#include "invoicing/domain/commands.h"

namespace arflow::invoicing::app {

using eventstore::Caller;

Result<v1::Customer> execute(eventstore::Transaction& txn, const Caller& caller,
                             const RegisterCustomer& command);
// Sets the fields of `mask` (every field when it is empty) from `patch`, then updates.
Result<v1::Customer> update_customer(eventstore::Transaction& txn, const Caller& caller,
                                     std::string_view customer_id, const v1::CustomerDetails& patch,
                                     const google::protobuf::FieldMask& mask);

Result<v1::Invoice> execute(eventstore::Transaction& txn, const Caller& caller,
                            const DraftInvoice& command);
// Drafts and issues in one step: the InvoiceIssued alone is appended (it holds the whole
// content; no InvoiceDrafted), with the number. Answered in `detail` (a billing run that
// sent the lines may not want them back; the BASIC view comes in wire form, the invoice's
// list row as written).
Result<contract::Answer<v1::Invoice>> execute(eventstore::Transaction& txn, const Caller& caller,
                                              const DraftInvoice& draft, const IssueInvoice& issue,
                                              InvoiceDetail detail = InvoiceDetail::kFull);
Result<v1::Invoice> execute(eventstore::Transaction& txn, const Caller& caller,
                            const EditDraft& command);
Result<v1::Invoice> execute(eventstore::Transaction& txn, const Caller& caller,
                            const DeleteDraft& command);
Result<v1::Invoice> execute(eventstore::Transaction& txn, const Caller& caller,
                            const IssueInvoice& command);
Result<v1::Invoice> execute(eventstore::Transaction& txn, const Caller& caller,
                            const IssueCreditNote& command);
Result<v1::Invoice> execute(eventstore::Transaction& txn, const Caller& caller,
                            const WriteOffInvoice& command);
Result<v1::Invoice> execute(eventstore::Transaction& txn, const Caller& caller,
                            const AddLateFee& command);
Result<v1::Invoice> execute(eventstore::Transaction& txn, const Caller& caller,
                            const RecordRecipientStatus& command);
// The answer a command on an invoice gave, made again for a retried request from the
// invoice's stream folded up to the version that command left (see above), in `detail`.
Result<v1::Invoice> invoice_answer(eventstore::Transaction& txn, const Caller& caller,
                                   const eventstore::AnswerSource& source, InvoiceDetail detail);

// What the payments reaction runs: nobody reads an answer, so none is built.
absl::Status execute(eventstore::Transaction& txn, const Caller& caller,
                     const ApplyPayment& command);
absl::Status execute(eventstore::Transaction& txn, const Caller& caller,
                     const ReversePayment& command);

}  // namespace arflow::invoicing::app
