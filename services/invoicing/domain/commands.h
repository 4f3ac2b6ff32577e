#pragma once
// What people and other services ask of the invoicing domain. Plain structs: the API layer
// (or a reaction to another service's event) fills them from a request, with amounts already
// typed as Money and Decimal; the deciders check every rule and name the field that breaks
// one. Times come in the command ("as of", issue date): the domain never reads a clock.

#include <string>
#include <vector>

#include "arflow/core/clock.h"
#include "arflow/core/money.h"
#include "invoicing/domain/model.h"

namespace arflow::invoicing {

// ----- Customer (stream "customer/<customer_id>") ---------------------------------------------

struct RegisterCustomer {
  std::string customer_id;
  CustomerDetails details;
};

// Replaces the details as a whole: the API merges a partial update (field mask) first.
struct UpdateCustomer {
  std::string customer_id;
  CustomerDetails details;
};

// ----- Invoice (stream "invoice/<invoice_id>") ------------------------------------------------

struct DraftInvoice {
  std::string invoice_id;
  std::string customer_id;
  InvoiceContent content;
};

// Replaces the draft's content (lines, terms, deposits) as a whole.
struct EditDraft {
  std::string invoice_id;
  InvoiceContent content;
};

struct DeleteDraft {
  std::string invoice_id;
};

// Numbers the draft in `series` and freezes it. The decider also needs the customer, the
// series and, for a final invoice, the deposit invoices it deducts (see invoice.h).
struct IssueInvoice {
  std::string invoice_id;
  std::string series;  // e.g. "2026"
  Date issue_date;
};

// A credit note is its own numbered document, in its own series (e.g. "CN-2026").
// Partial: `lines` priced like an invoice's, at most what the invoice still carries.
// Full (`full`, no lines): cancels everything the invoice still carries and voids it.
struct IssueCreditNote {
  std::string invoice_id;
  std::string credit_note_id;
  std::string series;
  Date issue_date;
  std::string reason;
  bool full = false;
  std::vector<InvoiceLine> lines;
};

struct WriteOffInvoice {
  std::string invoice_id;
  std::string reason;
  Date as_of;
};

// Sent by collections; `source_id` is its event that asked, so a redelivery adds nothing.
struct AddLateFee {
  std::string invoice_id;
  std::string source_id;
  LateFeeKind kind;
  std::string description;
  Money amount;
  Date as_of;
};

struct RecordRecipientStatus {
  std::string invoice_id;
  RecipientStatus status;
  std::string reason;
  Timestamp reported_at;  // when the platform says it happened
};

// A reaction to payments' allocation event; `allocation_id` makes it idempotent.
struct ApplyPayment {
  std::string invoice_id;
  std::string allocation_id;
  Money amount;
  Date paid_on;
};

// A reaction to payments' reversal (chargeback, refund) of an allocation applied before.
struct ReversePayment {
  std::string invoice_id;
  std::string allocation_id;
  std::string reason;
};

}  // namespace arflow::invoicing
