#pragma once
// The invoice aggregate's state, folded from its stream "invoice/<invoice_id>" by evolve
// (invoice.h). A deposit invoice's stream also records which final invoice deducted it.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "arflow/core/clock.h"
#include "arflow/core/money.h"
#include "invoicing/domain/model.h"
#include "invoicing/domain/receivable.h"

namespace arflow::invoicing {

struct AllocationRecord {
  enum class State {
    kApplied,
    kReversed,  // payments reversed it (chargeback, refund)
    kReleased,  // a full credit note gave it back to payments as customer credit
  };
  Money amount;
  State state;
  Date paid_on;  // the payment's value date
};

struct CreditNoteRecord {
  std::string credit_note_id;
  std::string number;
  Money total;
  bool full;
};

// A deposit invoice a final invoice deducts, with what remained of it per rate.
struct DeductedDeposit {
  std::string invoice_id;
  std::string number;
  Date issue_date;
  Money amount;
  std::vector<TaxAmount> taxes;

  friend bool operator==(const DeductedDeposit&, const DeductedDeposit&) = default;
};

// On a deposit invoice: the final invoice that deducts it.
struct Deduction {
  std::string final_invoice_id;
  std::string final_invoice_number;
};

struct WriteOff {
  std::string reason;
  Date on;
  Money amount;
};

struct RecipientStatusRecord {
  RecipientStatus status;
  std::string reason;
  Timestamp reported_at;
};

// Everything that exists once the invoice is issued.
struct IssuedInvoice {
  std::string series;
  uint64_t sequence;
  std::string number;
  Date issue_date;
  Date due_date;
  PaymentTerms payment_terms;
  std::optional<Date> early_payment_deadline;
  CustomerDetails customer;  // as printed
  std::vector<Money> line_nets;
  std::vector<TaxAmount> taxes;
  Money net_total;
  Money tax_total;
  Money total;
  std::vector<DeductedDeposit> deposits;
  Receivable receivable;
  // Per rate, what partial credit notes may still take: the invoice's taxes less the
  // deposits deducted and the credit notes so far. A full credit note takes all of it.
  std::vector<TaxAmount> creditable;
  std::map<std::string, AllocationRecord> allocations;
  std::set<std::string> fee_sources;
  std::vector<CreditNoteRecord> credit_notes;
  std::optional<WriteOff> write_off;
  std::optional<Deduction> deducted_by;  // deposit invoices only
};

struct InvoiceState {
  std::string invoice_id;
  std::string customer_id;
  InvoiceStatus status = InvoiceStatus::kNone;
  InvoiceContent content;  // the draft; frozen at issue
  std::optional<IssuedInvoice> issued;
  std::optional<RecipientStatusRecord> recipient_status;
  // Allocations answered with AllocationRejected (a draft can reject one too): a redelivery
  // of the same allocation records nothing.
  std::set<std::string> rejected_allocations;
  // Not OK when an event of the stream could not be applied: every later decision on this
  // invoice is refused with it rather than guessed.
  absl::Status integrity;
};

}  // namespace arflow::invoicing
