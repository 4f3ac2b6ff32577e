#include "payments/domain/allocation_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace arflow::payments {

namespace {

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool same_letter(char a, char b) {
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

}  // namespace

bool mentions(std::string_view text, std::string_view number) {
  if (number.empty() || text.size() < number.size()) {
    return false;
  }
  for (size_t at = 0; at + number.size() <= text.size(); ++at) {
    if (!std::equal(number.begin(), number.end(), text.begin() + static_cast<std::ptrdiff_t>(at),
                    same_letter)) {
      continue;
    }
    const bool starts = at == 0 || !is_word(text[at - 1]);
    const size_t end = at + number.size();
    const bool ends = end == text.size() || !is_word(text[end]);
    if (starts && ends) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> possible_mentions(std::string_view text) {
  std::vector<std::string> out;
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  for (size_t start = 0; start < text.size() && out.size() < kMaxMentions; ++start) {
    if (!is_word(text[start]) || (start > 0 && is_word(text[start - 1]))) {
      continue;
    }
    for (size_t end = start + 1; end <= text.size() && end - start <= kMaxMentionLength &&
                                 !space(text[end - 1]) && out.size() < kMaxMentions;
         ++end) {
      if (!is_word(text[end - 1]) || (end < text.size() && is_word(text[end]))) {
        continue;
      }
      const std::string_view part = text.substr(start, end - start);
      if (std::none_of(part.begin(), part.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
        continue;
      }
      std::string candidate(part);
      std::transform(candidate.begin(), candidate.end(), candidate.begin(), [](char c) {
        return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      });
      if (std::find(out.begin(), out.end(), candidate) == out.end()) {
        out.push_back(std::move(candidate));
      }
    }
  }
  return out;
}

std::vector<InvoiceToPay> auto_allocation(const PaymentState& payment,
                                          std::span<const KnownInvoice> invoices) {
  std::vector<InvoiceToPay> plan;
  if (!payment.recorded() || payment.charged_back || !payment.money->unapplied.is_positive()) {
    return plan;
  }
  struct Candidate {
    const KnownInvoice* invoice;
    Money open;
    bool mentioned;
  };
  std::vector<Candidate> candidates;
  for (const auto& invoice : invoices) {
    if (invoice.customer_id != payment.customer_id ||
        invoice.currency != payment.money->amount.currency()) {
      continue;
    }
    const auto open = invoice.open();
    if (!open.has_value() || !open->is_positive()) {
      continue;
    }
    const bool mentioned = mentions(payment.external_reference, invoice.number) ||
                           mentions(payment.remittance_text, invoice.number);
    candidates.push_back({&invoice, *open, mentioned});
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.mentioned != b.mentioned) {
      return a.mentioned;
    }
    if (a.invoice->due_date != b.invoice->due_date) {
      return a.invoice->due_date < b.invoice->due_date;
    }
    return a.invoice->number < b.invoice->number;
  });
  Money left = payment.money->unapplied;
  for (const auto& c : candidates) {
    if (!left.is_positive()) {
      break;
    }
    const Money take = *compare(c.open, left) < 0 ? c.open : left;
    plan.push_back(InvoiceToPay{.invoice_id = c.invoice->invoice_id, .amount = take});
    left = *subtract(left, take);
  }
  return plan;
}

Result<std::vector<Draw>> draw_from_credit(std::span<const PaymentState> payments, Money amount,
                                           std::string_view field) {
  std::vector<Draw> draws;
  Money left = amount;
  Money available = *Money::zero(amount.currency());
  for (const auto& payment : payments) {
    if (!payment.recorded() || payment.charged_back ||
        !payment.money->unapplied.same_currency(amount) ||
        !payment.money->unapplied.is_positive()) {
      continue;
    }
    ARFLOW_ASSIGN_OR_RETURN(available, add(available, payment.money->unapplied));
    if (!left.is_positive()) {
      continue;
    }
    ARFLOW_ASSIGN_OR_RETURN(const int cmp, compare(payment.money->unapplied, left));
    const Money take = cmp < 0 ? payment.money->unapplied : left;
    draws.push_back(Draw{.payment_id = payment.payment_id, .amount = take});
    ARFLOW_ASSIGN_OR_RETURN(left, subtract(left, take));
  }
  if (left.is_positive()) {
    return precondition_failed(fmt::format("{} {} exceeds the customer's credit in {}: {}", field,
                                           format(amount), amount.currency(), format(available)));
  }
  return draws;
}

}  // namespace arflow::payments
