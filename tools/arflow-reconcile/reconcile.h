#pragma once
// Whether invoicing and payments agree on the money between them (docs/payments.md, "The saga
// with invoicing"): for every invoice, what invoicing says was paid on it equals the sum of
// payments' standing allocations to it; for every payment, its amount splits exactly into
// allocated + unapplied + refunded + charged back. Pure: the tool (main.cc) and the tests
// give it what both services' APIs list.
//
// Thread-safety: none needed; plain functions over values.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "arflow/core/error.h"
#include "arflow/invoicing/v1/invoicing_service.pb.h"
#include "arflow/payments/v1/payments_service.pb.h"

namespace arflow::reconcile {

struct Report {
  size_t invoices = 0;
  size_t payments = 0;
  size_t customers = 0;
  // Allocations sent and not answered yet: a report is final only when this is 0.
  size_t in_flight = 0;
  size_t applied = 0;   // allocations invoicing applied and that still stand
  size_t returned = 0;  // allocations invoicing rejected or released: back as credit
  size_t reversed = 0;  // allocations a chargeback took back
  // One line per disagreement, for people: "customer c1 invoice i7: invoicing paid 100.00
  // EUR, payments allocated 50.00 EUR".
  std::vector<std::string> disagreements;

  bool agree() const { return disagreements.empty() && in_flight == 0; }
};

// Compares the two services' views. Invoices without payments and drafts are counted; an
// allocation to an invoice invoicing does not list is a disagreement. Amounts are summed per
// currency with overflow checks: OUT_OF_RANGE naming the sum when one goes beyond int64
// minor units, INVALID_ARGUMENT naming the amount when its currency is not ISO 4217; the
// answers cannot be compared then, so there is no report rather than a wrong one.
Result<Report> reconcile(const std::vector<invoicing::v1::Invoice>& invoices,
                         const std::vector<payments::v1::Payment>& payments);

// The report as an operator reads it: a summary line, then the disagreements.
std::string describe(const Report& report);

}  // namespace arflow::reconcile
