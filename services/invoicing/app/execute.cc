#include "invoicing/app/execute.h"

#include <fmt/format.h>
#include <google/protobuf/util/field_mask_util.h>

#include <map>
#include <span>
#include <vector>

#include "invoicing/app/aggregates.h"
#include "invoicing/app/keys.h"
#include "invoicing/app/resources.h"
#include "invoicing/domain/customer.h"
#include "invoicing/domain/events.h"
#include "invoicing/domain/invoice.h"
#include "invoicing/domain/proto_convert.h"

namespace arflow::invoicing::app {

namespace {

using eventstore::Envelope;
using eventstore::ExpectedVersion;
using eventstore::RowUse;
using eventstore::stamped;
using eventstore::Transaction;

// ----- Customers ------------------------------------------------------------------------------

Result<v1::Customer> record(Transaction& txn, const Caller& caller, const LoadedCustomer& customer,
                            std::span<const CustomerEvent> events) {
  if (events.empty()) {
    return customer.resource;
  }
  CustomerState after = customer.state;
  std::vector<Envelope> envelopes;
  envelopes.reserve(events.size());
  for (const auto& event : events) {
    after = evolve(std::move(after), event);
    envelopes.push_back(stamped(caller, after.customer_id));
    set_payload(event, envelopes.back());
  }
  ARFLOW_RETURN_IF_ERROR(after.integrity);
  auto head = txn.append(tenant_stream(caller.tenant, customer_stream(after.customer_id)),
                         ExpectedVersion::exactly(customer.position.version), envelopes);
  if (!head.ok()) {
    return head.status();
  }
  const Timestamp created = customer.position.version == 0 ? txn.now() : customer.position.created;
  v1::Customer resource = customer_resource(caller.tenant, after, created, txn.now());
  txn.put(customer_row(caller.tenant, after.customer_id), resource.SerializeAsString());
  return resource;
}

// ----- Invoices -------------------------------------------------------------------------------

absl::Status not_found(std::string_view field, std::string_view what, std::string_view id) {
  return absl::NotFoundError(fmt::format("{}: {} '{}' does not exist", field, what, id));
}

// Folds events the decider gave into `invoice`.
absl::Status fold_decided(LoadedInvoice& invoice, std::span<const InvoiceEvent> events) {
  InvoiceState& after = invoice.state;
  for (const auto& event : events) {
    after = evolve(std::move(after), event);
  }
  if (!after.integrity.ok()) {
    // The decider's own events must fold: anything else is a bug, not the caller's fault.
    return absl::InternalError(fmt::format("the events decided for invoice '{}' do not fold: {}",
                                           after.invoice_id, after.integrity.message()));
  }
  return absl::OkStatus();
}

// The list row of the invoice whose row was written last, as append_folded wrote it: its
// BASIC resource serialized, which an answer in that view then is, not a second build. Every
// append to an invoice's stream goes through append_folded, so an entry whose stream and
// version match the invoice being answered was built from that very state.
struct LastInvoiceRow {
  std::string stream;
  uint64_t version = 0;
  std::string row;
};

// `invoice`, just recorded, as the API shows it: the command's answer, declared as its stream
// at this version for the request's idempotency record (invoice_answer).
v1::Invoice answer(Transaction& txn, const LoadedInvoice& invoice) {
  txn.answer_from(tenant_stream(invoice.tenant, invoice_stream(invoice.state.invoice_id)),
                  invoice.position.version);
  return invoice_resource(invoice, InvoiceDetail::kFull);
}

// The same in `detail`; the BASIC view is the invoice's list row as written, in wire form.
contract::Answer<v1::Invoice> answer(Transaction& txn, const LoadedInvoice& invoice,
                                     InvoiceDetail detail) {
  if (detail == InvoiceDetail::kFull) {
    return answer(txn, invoice);
  }
  std::string stream = tenant_stream(invoice.tenant, invoice_stream(invoice.state.invoice_id));
  auto& last = txn.executor_local<LastInvoiceRow>();
  const bool written = last.version == invoice.position.version && last.stream == stream;
  txn.answer_from(std::move(stream), invoice.position.version);
  if (written) {
    last.version = 0;
    return contract::Answer<v1::Invoice>::wire(std::move(last.row));
  }
  return invoice_resource(invoice, detail);
}

// Appends `events`, already folded into `invoice`, to its stream and rewrites its rows.
absl::Status append_folded(Transaction& txn, const Caller& caller, LoadedInvoice& invoice,
                           std::vector<InvoiceEvent> events) {
  if (events.empty()) {
    return absl::OkStatus();
  }
  const bool created = invoice.position.version == 0;
  std::vector<Envelope> envelopes;
  envelopes.reserve(events.size());
  for (auto& event : events) {
    envelopes.push_back(stamped(caller, invoice.state.customer_id));
    set_payload(std::move(event), envelopes.back());
  }
  auto head = txn.append(tenant_stream(caller.tenant, invoice_stream(invoice.state.invoice_id)),
                         ExpectedVersion::exactly(invoice.position.version), envelopes);
  if (!head.ok()) {
    return head.status();
  }
  invoice.position.version = *head;
  if (created) {
    invoice.position.created = txn.now();
    txn.put(
        customer_invoice_row(caller.tenant, invoice.state.customer_id, invoice.state.invoice_id),
        "", RowUse::kQueriesOnly);
  }
  invoice.position.updated = txn.now();
  // Commands fold the invoice's stream (kept folded by the executor); only queries read it.
  auto& last = txn.executor_local<LastInvoiceRow>();
  last.row = invoice_resource(invoice, InvoiceDetail::kBasic).SerializeAsString();
  last.stream = tenant_stream(caller.tenant, invoice_stream(invoice.state.invoice_id));
  last.version = invoice.position.version;
  txn.put(invoice_row(caller.tenant, invoice.state.invoice_id), last.row, RowUse::kQueriesOnly);
  return keep_invoice(txn, invoice);
}

// Appends `events` to the invoice's stream, folds them in and rewrites its rows. Folded in
// place: on any error the command fails and its caller drops `invoice`.
absl::Status record(Transaction& txn, const Caller& caller, LoadedInvoice& invoice,
                    std::vector<InvoiceEvent> events) {
  ARFLOW_RETURN_IF_ERROR(fold_decided(invoice, events));
  return append_folded(txn, caller, invoice, std::move(events));
}

// Records the number a document took as its series' row, in the document's batch. The
// number itself is a fact of the document's own event (InvoiceIssued, CreditNoteIssued),
// published in its customer's order; the row only keeps the series' last number, for the
// next document (aggregates.h).
absl::Status record_number(Transaction& txn, const Caller& caller, const SeriesState& series,
                           const SeriesEvent& number) {
  if (auto after = evolve(series, number); !after.integrity.ok()) {
    // The decider numbered against this very state: anything but last + 1 is a bug.
    return absl::InternalError(after.integrity.message());
  }
  txn.put(series_row(caller.tenant, number.series()), number.SerializeAsString());
  return absl::OkStatus();
}

// Records what a decision touching several streams decided: the invoice's events, the
// number, and the other invoices' (deposits') events; all in this command's batch.
absl::Status record(Transaction& txn, const Caller& caller, LoadedInvoice& invoice,
                    const SeriesState& series, std::map<std::string, LoadedInvoice>& others,
                    InvoiceDecision& decision) {
  ARFLOW_RETURN_IF_ERROR(record(txn, caller, invoice, std::move(decision.events)));
  if (decision.number.has_value()) {
    ARFLOW_RETURN_IF_ERROR(record_number(txn, caller, series, *decision.number));
  }
  std::map<std::string, std::vector<InvoiceEvent>> by_invoice;
  for (auto& other : decision.other_invoices) {
    by_invoice[other.invoice_id].push_back(std::move(other.event));
  }
  for (auto& [id, events] : by_invoice) {
    auto it = others.find(id);
    if (it == others.end()) {
      return absl::InternalError(
          fmt::format("the decider wrote to invoice '{}', which it was not given", id));
    }
    ARFLOW_RETURN_IF_ERROR(record(txn, caller, it->second, std::move(events)));
  }
  return absl::OkStatus();
}

Result<LoadedInvoice> existing_invoice(Transaction& txn, const Caller& caller,
                                       std::string_view invoice_id) {
  ARFLOW_RETURN_IF_ERROR(validate_id(invoice_id, "invoice_id"));
  auto invoice = load_invoice(txn, caller.tenant, invoice_id);
  if (invoice.ok() && invoice->state.status == InvoiceStatus::kNone) {
    return not_found("name", "invoice", invoice_id);
  }
  return invoice;
}

// Runs a decider that yields the invoice's own events only, and records them; returns the
// invoice after.
template <typename Command>
Result<LoadedInvoice> change_invoice(Transaction& txn, const Caller& caller,
                                     const Command& command) {
  auto invoice = existing_invoice(txn, caller, command.invoice_id);
  if (!invoice.ok()) {
    return invoice.status();
  }
  auto events = decide(command, invoice->state);
  if (!events.ok()) {
    return events.status();
  }
  ARFLOW_RETURN_IF_ERROR(record(txn, caller, *invoice, *std::move(events)));
  return invoice;
}

// change_invoice, answered with the invoice as the API shows it.
template <typename Command>
Result<v1::Invoice> on_invoice(Transaction& txn, const Caller& caller, const Command& command) {
  auto invoice = change_invoice(txn, caller, command);
  if (!invoice.ok()) {
    return invoice.status();
  }
  return answer(txn, *invoice);
}

// The deposit invoices a draft's content deducts, by id (those that exist).
Result<std::map<std::string, LoadedInvoice>> load_deposits(Transaction& txn, const Caller& caller,
                                                           const InvoiceContent& draft) {
  std::map<std::string, LoadedInvoice> deposits;
  for (const auto& id : draft.deposit_invoice_ids) {
    if (validate_id(id, "content.deposit_invoice_ids").ok() && !deposits.contains(id)) {
      auto deposit = load_invoice(txn, caller.tenant, id);
      if (!deposit.ok()) {
        return deposit.status();
      }
      deposits.emplace(id, *std::move(deposit));
    }
  }
  return deposits;
}

// What issuing reads besides the invoice and its customer: the series it is numbered in and
// the deposit invoices its content deducts.
struct IssueReads {
  SeriesState series;
  std::map<std::string, LoadedInvoice> deposits;
  std::vector<InvoiceState> deposit_states;
};

Result<IssueReads> read_for_issue(Transaction& txn, const Caller& caller,
                                  const IssueInvoice& command, const InvoiceContent& content) {
  ARFLOW_RETURN_IF_ERROR(validate_series(command.series, "series"));
  auto series = load_series(txn, caller.tenant, command.series);
  if (!series.ok()) {
    return series.status();
  }
  auto deposits = load_deposits(txn, caller, content);
  if (!deposits.ok()) {
    return deposits.status();
  }
  IssueReads reads{.series = *std::move(series), .deposits = *std::move(deposits)};
  reads.deposit_states.reserve(reads.deposits.size());
  for (const auto& [id, deposit] : reads.deposits) {
    reads.deposit_states.push_back(deposit.state);
  }
  return reads;
}

// Issues `draft` for `customer` and records the decision in `invoice`, the draft's stream:
// the stored draft itself (then `draft` is its state), or the empty stream of a draft this
// same command made, which the decision folds into from nothing, as a reload would.
// `draft` is not read once recording starts.
absl::Status issue(Transaction& txn, const Caller& caller, LoadedInvoice& invoice,
                   const InvoiceState& draft, const LoadedCustomer& customer,
                   const IssueInvoice& command) {
  auto reads = read_for_issue(txn, caller, command, draft.content);
  if (!reads.ok()) {
    return reads.status();
  }
  auto decision = decide(command, draft, customer.state, reads->series, reads->deposit_states);
  if (!decision.ok()) {
    return decision.status();
  }
  return record(txn, caller, invoice, reads->series, reads->deposits, *decision);
}

// The customer a new invoice is for, and the invoice's stream (empty), after the checks of
// drafting that need the store: the customer exists and the id is not taken.
struct NewInvoice {
  KnownCustomer customer;
  LoadedInvoice invoice;
};

Result<NewInvoice> load_new_invoice(Transaction& txn, const Caller& caller,
                                    const DraftInvoice& command) {
  ARFLOW_RETURN_IF_ERROR(validate_id(command.invoice_id, "invoice_id"));
  ARFLOW_RETURN_IF_ERROR(validate_id(command.customer_id, "customer_id"));
  auto customer = load_customer(txn, caller.tenant, command.customer_id);
  if (!customer.ok()) {
    return customer.status();
  }
  if (!(*customer)->state.registered) {
    return not_found("customer_id", "customer", command.customer_id);
  }
  auto invoice = load_invoice(txn, caller.tenant, command.invoice_id);
  if (!invoice.ok()) {
    return invoice.status();
  }
  if (invoice->state.status != InvoiceStatus::kNone) {
    return absl::AlreadyExistsError(fmt::format("invoice_id: invoice '{}' already exists ({})",
                                                command.invoice_id,
                                                status_name(invoice->state.status)));
  }
  return NewInvoice{*std::move(customer), *std::move(invoice)};
}

}  // namespace

Result<v1::Customer> execute(Transaction& txn, const Caller& caller,
                             const RegisterCustomer& command) {
  ARFLOW_RETURN_IF_ERROR(validate_id(command.customer_id, "customer_id"));
  auto customer = load_customer(txn, caller.tenant, command.customer_id);
  if (!customer.ok()) {
    return customer.status();
  }
  if ((*customer)->position.version > 0) {
    return absl::AlreadyExistsError(
        fmt::format("customer_id: customer '{}' already exists", command.customer_id));
  }
  auto events = decide(command, (*customer)->state);
  if (!events.ok()) {
    return events.status();
  }
  return record(txn, caller, **customer, *events);
}

Result<v1::Customer> update_customer(Transaction& txn, const Caller& caller,
                                     std::string_view customer_id, const v1::CustomerDetails& patch,
                                     const google::protobuf::FieldMask& mask) {
  ARFLOW_RETURN_IF_ERROR(validate_id(customer_id, "name"));
  auto customer = load_customer(txn, caller.tenant, customer_id);
  if (!customer.ok()) {
    return customer.status();
  }
  if (!(*customer)->state.registered) {
    return not_found("name", "customer", customer_id);
  }
  v1::CustomerDetails merged = (*customer)->resource.details();
  if (mask.paths().empty()) {
    merged = patch;
  } else {
    google::protobuf::util::FieldMaskUtil::MergeOptions options;
    options.set_replace_message_fields(true);
    options.set_replace_repeated_fields(true);
    google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, options, &merged);
  }
  auto details = from_proto(merged, "details");
  if (!details.ok()) {
    return details.status();
  }
  auto events = decide(
      UpdateCustomer{.customer_id = std::string(customer_id), .details = *std::move(details)},
      (*customer)->state);
  if (!events.ok()) {
    return events.status();
  }
  return record(txn, caller, **customer, *events);
}

Result<v1::Invoice> execute(Transaction& txn, const Caller& caller, const DraftInvoice& command) {
  auto fresh = load_new_invoice(txn, caller, command);
  if (!fresh.ok()) {
    return fresh.status();
  }
  auto events = decide(command, fresh->invoice.state);
  if (!events.ok()) {
    return events.status();
  }
  ARFLOW_RETURN_IF_ERROR(record(txn, caller, fresh->invoice, *std::move(events)));
  return answer(txn, fresh->invoice);
}

Result<contract::Answer<v1::Invoice>> execute(Transaction& txn, const Caller& caller,
                                              const DraftInvoice& draft_command,
                                              const IssueInvoice& command, InvoiceDetail detail) {
  // Drafting then issuing within one command: the caller sees one outcome, an issued
  // invoice or nothing at all, and the stream gets the decision's InvoiceIssued alone.
  auto fresh = load_new_invoice(txn, caller, draft_command);
  if (!fresh.ok()) {
    return fresh.status();
  }
  // The draft is checked before anything it names (series, deposits) is read.
  auto drafted = unrecorded_draft(draft_command, fresh->invoice.state);
  if (!drafted.ok()) {
    return drafted.status();
  }
  ARFLOW_RETURN_IF_ERROR(issue(txn, caller, fresh->invoice, *drafted, *fresh->customer, command));
  return answer(txn, fresh->invoice, detail);
}

Result<v1::Invoice> execute(Transaction& txn, const Caller& caller, const EditDraft& command) {
  return on_invoice(txn, caller, command);
}

Result<v1::Invoice> execute(Transaction& txn, const Caller& caller, const DeleteDraft& command) {
  return on_invoice(txn, caller, command);
}

Result<v1::Invoice> execute(Transaction& txn, const Caller& caller, const IssueInvoice& command) {
  auto invoice = existing_invoice(txn, caller, command.invoice_id);
  if (!invoice.ok()) {
    return invoice.status();
  }
  auto customer = load_customer(txn, caller.tenant, invoice->state.customer_id);
  if (!customer.ok()) {
    return customer.status();
  }
  ARFLOW_RETURN_IF_ERROR(issue(txn, caller, *invoice, invoice->state, **customer, command));
  return answer(txn, *invoice);
}

Result<v1::Invoice> execute(Transaction& txn, const Caller& caller,
                            const IssueCreditNote& command) {
  auto invoice = existing_invoice(txn, caller, command.invoice_id);
  if (!invoice.ok()) {
    return invoice.status();
  }
  ARFLOW_RETURN_IF_ERROR(validate_series(command.series, "series"));
  auto series = load_series(txn, caller.tenant, command.series);
  if (!series.ok()) {
    return series.status();
  }
  // A full credit note on a final invoice releases the deposits it deducted.
  std::map<std::string, LoadedInvoice> deposits;
  if (invoice->state.issued.has_value()) {
    for (const auto& deducted : invoice->state.issued->deposits) {
      auto deposit = load_invoice(txn, caller.tenant, deducted.invoice_id);
      if (!deposit.ok()) {
        return deposit.status();
      }
      deposits.emplace(deducted.invoice_id, *std::move(deposit));
    }
  }
  auto decision = decide(command, invoice->state, *series);
  if (!decision.ok()) {
    return decision.status();
  }
  ARFLOW_RETURN_IF_ERROR(record(txn, caller, *invoice, *series, deposits, *decision));
  return answer(txn, *invoice);
}

Result<v1::Invoice> execute(Transaction& txn, const Caller& caller,
                            const WriteOffInvoice& command) {
  return on_invoice(txn, caller, command);
}

Result<v1::Invoice> execute(Transaction& txn, const Caller& caller, const AddLateFee& command) {
  return on_invoice(txn, caller, command);
}

Result<v1::Invoice> execute(Transaction& txn, const Caller& caller,
                            const RecordRecipientStatus& command) {
  return on_invoice(txn, caller, command);
}

Result<v1::Invoice> invoice_answer(Transaction& txn, const Caller& caller,
                                   const eventstore::AnswerSource& source, InvoiceDetail detail) {
  LoadedInvoice invoice{.tenant = caller.tenant, .state = {}, .position = {}};
  ARFLOW_RETURN_IF_ERROR(
      txn.replay_until(source.stream, source.version,
                       [&invoice](const eventstore::Envelope& event) { fold(invoice, event); }));
  ARFLOW_RETURN_IF_ERROR(invoice.state.integrity);
  return invoice_resource(invoice, detail);
}

absl::Status execute(Transaction& txn, const Caller& caller, const ApplyPayment& command) {
  return change_invoice(txn, caller, command).status();
}

absl::Status execute(Transaction& txn, const Caller& caller, const ReversePayment& command) {
  return change_invoice(txn, caller, command).status();
}

}  // namespace arflow::invoicing::app
