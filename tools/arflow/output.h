#pragma once
// What `arflow` prints: a response as one line of protobuf JSON (--output json), or a
// summary for people (--output text). Amounts go through arflow::format(Money). The
// payments service's resources are in output_payments.h.

#include <google/protobuf/message.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "arflow/invoicing/v1/invoicing_service.pb.h"
#include "input.h"

namespace arflow::cli {

// The message as protobuf's JSON mapping (JsonPrintOptions defaults: lowerCamelCase field
// names, enums by name, 64-bit integers as strings), on one line without the newline.
std::string to_json(const google::protobuf::Message& message);

// "12.34 EUR"; "-" when the message is unset (no currency).
std::string money_text(const common::Money& money);
// "2026-11-23"; "-" when unset.
std::string date_text(const common::Date& date);
// 2000 -> "20%", 550 -> "5.5%", 5 -> "0.05%".
std::string bps_text(int64_t bps);
// "net 30 days", "end of month + 15 days", "due on receipt"; "customer default" when unset.
std::string terms_text(const v1::PaymentTerms& terms);
// "ISSUED", "PARTIALLY_PAID", ...
std::string status_text(v1::InvoiceStatus status);
// "service-done", ...; "-" when unspecified.
std::string recipient_status_text(v1::RecipientStatus status);
// The payload's field name of an event ("invoice_issued").
std::string event_type(const arflow::events::v1::Envelope& envelope);

// A resource's events under "  history", one row each: version, time, type, actor and
// `detail(event)`. Nothing when there are none.
void print_history(std::ostream& out,
                   const google::protobuf::RepeatedPtrField<arflow::events::v1::Envelope>& history,
                   const std::function<std::string(const arflow::events::v1::Envelope&)>& detail);

void print_customer(std::ostream& out, const v1::Customer& customer);
void print_customer_table(std::ostream& out, const std::vector<v1::Customer>& customers);

// With `history`, the invoice's events too (when the response carries them).
void print_invoice(std::ostream& out, const v1::Invoice& invoice, bool history);
// One row per invoice: id, number, customer, status, total, balance, due date.
void print_invoice_table(std::ostream& out, const std::vector<v1::Invoice>& invoices);

void print_statement(std::ostream& out, const v1::CustomerStatement& statement);

}  // namespace arflow::cli
