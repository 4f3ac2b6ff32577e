#pragma once
// What payments knows of an invoice: what invoicing's events said last (balance, status),
// and payments' own allocations to it that invoicing has not answered yet. An allocation may
// cover at most open() = balance - in flight, so that two allocations in flight cannot
// over-pay an invoice between them. Pure: the payments service folds invoicing's events in
// with evolve() and its own allocations with the functions below.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "arflow/events/v1/envelope.pb.h"
#include "arflow/invoicing/v1/events.pb.h"
#include "payments/domain/commands.h"

namespace arflow::payments {

struct KnownInvoice {
  std::string invoice_id;
  std::string customer_id;
  std::string number;
  std::string currency;
  Date due_date{};
  std::optional<Money> balance;  // as invoicing last said; unset until issued
  invoicing::v1::InvoiceStatus status = invoicing::v1::INVOICE_STATUS_UNSPECIFIED;
  std::map<std::string, Money> in_flight;  // allocation id -> amount, not answered yet

  bool issued() const { return balance.has_value(); }
  // ISSUED or PARTIALLY_PAID: an allocation may go to it.
  bool open_for_payment() const;
  // balance - what is in flight (never below zero); nullopt when not open for payment.
  std::optional<Money> open() const;
};

// Folds one of invoicing's events in (those about other invoices or without money leave it
// unchanged). `invoice` starts empty for an invoice never seen.
void evolve(KnownInvoice& invoice, const events::v1::Envelope& invoicing_event);

// The invoice id an invoicing event is about, or empty when it changes no invoice payments
// follows.
std::string_view invoice_of(const events::v1::Envelope& invoicing_event);

// The allocation id invoicing answered about (PaymentApplied, AllocationRejected,
// AllocationReleased), or empty.
std::string_view answered_allocation(const events::v1::Envelope& invoicing_event);

// Payments sent an allocation: it is in flight until invoicing answers or payments takes
// it back.
void allocation_sent(KnownInvoice& invoice, const std::string& allocation_id, Money amount);
// Invoicing answered, or payments reversed the allocation: no longer in flight.
void allocation_settled(KnownInvoice& invoice, std::string_view allocation_id);

}  // namespace arflow::payments
