#pragma once
// How money is matched without the caller naming amounts: auto-allocation of a payment to
// its customer's open invoices, and drawing on a customer's credit (unapplied money spread
// over several payments). Pure: the service gives the candidates, these say how much goes
// where, and the deciders check it as they would a caller's allocation.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arflow/core/error.h"
#include "payments/domain/commands.h"
#include "payments/domain/known_invoice.h"
#include "payments/domain/payment_state.h"

namespace arflow::payments {

// True when `number` appears in `text` as a whole token: not preceded or followed by a
// letter or digit, so "2026-00012" is not found in "2026-000123". Case-insensitive.
bool mentions(std::string_view text, std::string_view number);

// Every part of `text` that mentions() could find as an invoice number: bounded by word
// boundaries, without whitespace, with a digit, at most kMaxMentionLength bytes; upper-cased,
// each once, at most kMaxMentions of them, in order of appearance. So that a service can look
// the mentioned invoices up by number instead of trying every open invoice. A part without a
// digit is left out: a number ends with its sequence (invoicing numbers `<series>-000123`),
// and the words of a remittance text ("payment", "invoice") would each cost a lookup.
inline constexpr size_t kMaxMentionLength = 48;  // a series (<= 20) + '-' + its sequence
inline constexpr size_t kMaxMentions = 256;
std::vector<std::string> possible_mentions(std::string_view text);

// The payment's unapplied money over `invoices` (its customer's, any order): first the
// invoices whose number the external reference or the remittance text mentions (in order
// of due date), then the others oldest due date first (then by number); each gets what is
// open on it, until the money runs out. Invoices of another customer or currency, or not
// open, are skipped. Empty when nothing can be allocated.
std::vector<InvoiceToPay> auto_allocation(const PaymentState& payment,
                                          std::span<const KnownInvoice> invoices);

struct Draw {
  std::string payment_id;
  Money amount;
};

// `amount` drawn from the unapplied money of `payments` (the customer's, oldest first),
// each giving what it has, until the amount is covered. FAILED_PRECONDITION naming `field`
// when the credit in that currency is short.
Result<std::vector<Draw>> draw_from_credit(std::span<const PaymentState> payments, Money amount,
                                           std::string_view field);

}  // namespace arflow::payments
