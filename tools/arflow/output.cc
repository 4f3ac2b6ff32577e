#include "output.h"

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

#include <string_view>

#include "arflow/core/money.h"
#include "layout.h"

namespace arflow::cli {
namespace {

std::string profile_text(v1::CustomerProfile profile) {
  switch (profile) {
    case v1::CUSTOMER_PROFILE_BUSINESS:
      return "business";
    case v1::CUSTOMER_PROFILE_ADMINISTRATION:
      return "administration";
    case v1::CUSTOMER_PROFILE_INDIVIDUAL:
      return "individual";
    default:
      return "-";
  }
}

std::string fee_kind_text(v1::LateFeeKind kind) {
  return enum_text(v1::LateFeeKind_descriptor(), kind, "LATE_FEE_KIND_");
}

std::string address_text(const v1::PostalAddress& address) {
  std::string out = join(address.lines(), ", ");
  const std::string place = fmt::format("{} {}", address.postal_code(), address.city());
  for (const std::string& part : {place, address.region(), address.country()}) {
    if (part.find_first_not_of(' ') == std::string::npos) {
      continue;
    }
    if (!out.empty()) {
      out += ", ";
    }
    out += part.substr(part.find_first_not_of(' '));
  }
  return out.empty() ? "-" : out;
}

std::string decimal_text(const common::Decimal& d) {
  const uint64_t magnitude =
      d.units() < 0 ? 0 - static_cast<uint64_t>(d.units()) : static_cast<uint64_t>(d.units());
  std::string digits = std::to_string(magnitude);
  if (d.scale() > 0) {
    if (digits.size() <= d.scale()) {
      digits.insert(0, d.scale() + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - d.scale(), 1, '.');
  }
  return d.units() < 0 ? "-" + digits : digits;
}

std::string number_or_draft(const v1::Invoice& invoice) {
  return invoice.number().empty() ? "-" : invoice.number();
}

}  // namespace

std::string to_json(const google::protobuf::Message& message) {
  std::string out;
  const google::protobuf::util::JsonPrintOptions options;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) {
    return "{}";
  }
  return out;
}

std::string money_text(const common::Money& money) {
  if (money.currency().empty()) {
    return "-";
  }
  auto m = Money::of(money.minor_units(), money.currency());
  if (!m.ok()) {
    return fmt::format("{} minor units of {}", money.minor_units(), money.currency());
  }
  return format(*m);
}

std::string date_text(const common::Date& date) {
  if (date.year() == 0 && date.month() == 0 && date.day() == 0) {
    return "-";
  }
  return fmt::format("{:04}-{:02}-{:02}", date.year(), date.month(), date.day());
}

std::string bps_text(int64_t bps) {
  const int64_t whole = bps / 100;
  int64_t fraction = bps % 100;
  if (fraction < 0) {
    fraction = -fraction;
  }
  std::string sign = bps < 0 && whole == 0 ? "-" : "";
  if (fraction == 0) {
    return fmt::format("{}{}%", sign, whole);
  }
  if (fraction % 10 == 0) {
    return fmt::format("{}{}.{}%", sign, whole, fraction / 10);
  }
  return fmt::format("{}{}.{:02}%", sign, whole, fraction);
}

std::string terms_text(const v1::PaymentTerms& terms) {
  switch (terms.kind()) {
    case v1::PaymentTerms::KIND_NET_DAYS:
      return fmt::format("net {} days", terms.days());
    case v1::PaymentTerms::KIND_END_OF_MONTH_PLUS:
      return fmt::format("end of month + {} days", terms.days());
    case v1::PaymentTerms::KIND_DUE_ON_RECEIPT:
      return "due on receipt";
    default:
      return "customer default";
  }
}

std::string status_text(v1::InvoiceStatus status) {
  return enum_text(v1::InvoiceStatus_descriptor(), status, "INVOICE_STATUS_");
}

std::string recipient_status_text(v1::RecipientStatus status) {
  if (status == v1::RECIPIENT_STATUS_UNSPECIFIED) {
    return "-";
  }
  return enum_flag_text(v1::RecipientStatus_descriptor(), status, "RECIPIENT_STATUS_");
}

std::string event_type(const arflow::events::v1::Envelope& envelope) {
  const auto* oneof = arflow::events::v1::Envelope::descriptor()->FindOneofByName("payload");
  const auto* f = envelope.GetReflection()->GetOneofFieldDescriptor(envelope, oneof);
  return f == nullptr ? "(unknown)" : f->name();
}

void print_history(std::ostream& out,
                   const google::protobuf::RepeatedPtrField<arflow::events::v1::Envelope>& history,
                   const std::function<std::string(const arflow::events::v1::Envelope&)>& detail) {
  if (history.empty()) {
    return;
  }
  out << "  history\n";
  std::vector<std::vector<std::string>> rows;
  rows.reserve(static_cast<size_t>(history.size()));
  for (const auto& e : history) {
    rows.push_back({fmt::format("    {}", e.version()), timestamp_text(e.occurred_at()),
                    event_type(e), e.actor(), detail(e)});
  }
  print_table(out, {"    V", "OCCURRED", "EVENT", "ACTOR", "DETAIL"},
              {true, false, false, false, false}, rows);
}

void print_customer(std::ostream& out, const v1::Customer& customer) {
  const v1::CustomerDetails& d = customer.details();
  out << fmt::format("customer {}  {}\n", customer.customer_id(), d.legal_name());
  field(out, "name", customer.name());
  field(out, "profile", profile_text(d.profile()));
  field(out, "language", d.language().empty() ? "-" : d.language());
  field(out, "emails", d.contact_emails().empty() ? "-" : join(d.contact_emails(), ", "));
  field(out, "address", address_text(d.billing_address()));
  field(out, "tax id", d.tax_id().empty() ? "-" : d.tax_id());
  field(out, "terms", terms_text(d.default_payment_terms()));
  field(out, "credit limit", d.has_credit_limit() ? money_text(d.credit_limit()) : "none");
  if (customer.has_update_time()) {
    field(out, "updated", timestamp_text(customer.update_time()));
  }
}

void print_customer_table(std::ostream& out, const std::vector<v1::Customer>& customers) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(customers.size());
  for (const auto& c : customers) {
    const auto& d = c.details();
    rows.push_back({c.customer_id(), d.legal_name(), profile_text(d.profile()),
                    terms_text(d.default_payment_terms()),
                    d.has_credit_limit() ? money_text(d.credit_limit()) : "-",
                    d.contact_emails().empty() ? "-" : join(d.contact_emails(), ", ")});
  }
  print_table(out, {"CUSTOMER", "NAME", "PROFILE", "TERMS", "CREDIT LIMIT", "EMAILS"},
              {false, false, false, false, true, false}, rows);
}

void print_invoice(std::ostream& out, const v1::Invoice& invoice, bool history) {
  const v1::InvoiceContent& content = invoice.content();
  const bool issued = !invoice.number().empty();
  out << fmt::format("invoice {}  {}  {}{}\n", invoice.invoice_id(),
                     issued ? invoice.number() : "(no number)", status_text(invoice.status()),
                     content.kind() == v1::INVOICE_KIND_DEPOSIT ? "  deposit" : "");
  field(out, "customer", invoice.customer_id());
  if (!content.currency().empty()) {
    field(out, "currency", content.currency());
  }
  if (issued) {
    field(out, "issue date", date_text(invoice.issue_date()));
    field(out, "due date", date_text(invoice.due_date()));
    field(out, "terms", terms_text(invoice.payment_terms()));
  } else {
    field(out, "terms", terms_text(content.payment_terms()));
  }
  if (content.has_early_payment_discount()) {
    const auto& e = content.early_payment_discount();
    const auto& pay_by =
        invoice.has_early_payment_deadline() ? invoice.early_payment_deadline() : e.pay_by();
    field(out, "early payment",
          fmt::format("{} off within {} days{}", bps_text(e.rate_bps()), e.days(),
                      date_text(pay_by) == "-" ? "" : " (by " + date_text(pay_by) + ")"));
  }
  if (content.has_late_payment_terms()) {
    const auto& l = content.late_payment_terms();
    field(out, "late payment",
          fmt::format("penalty {} a year{}", bps_text(l.penalty_rate_bps()),
                      l.has_recovery_indemnity()
                          ? ", recovery indemnity " + money_text(l.recovery_indemnity())
                          : ""));
  }
  if (content.deposit_invoice_ids_size() > 0) {
    field(out, "deducts", join(content.deposit_invoice_ids(), ", "));
  }
  if (!invoice.deducted_by_invoice_id().empty()) {
    field(out, "deducted by", invoice.deducted_by_invoice_id());
  }
  if (content.lines_size() > 0) {
    out << "  lines\n";
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < content.lines_size(); ++i) {
      const auto& line = content.lines(i);
      const common::Money* net = nullptr;
      if (line.has_net_amount()) {
        net = &line.net_amount();
      } else if (i < invoice.line_net_amounts_size()) {
        net = &invoice.line_net_amounts(i);
      }
      rows.push_back({fmt::format("    {}", i + 1), line.description(),
                      decimal_text(line.quantity()), money_text(line.unit_price()),
                      line.discount_bps() == 0 ? "" : "-" + bps_text(line.discount_bps()),
                      bps_text(line.tax_rate_bps()), net == nullptr ? "" : money_text(*net)});
    }
    print_table(out, {"    #", "DESCRIPTION", "QTY", "UNIT PRICE", "DISC", "TAX", "NET"},
                {true, false, true, true, true, true, true}, rows);
  }
  for (const auto& tax : invoice.taxes()) {
    field(out, "tax " + bps_text(tax.rate_bps()),
          fmt::format("{} on {}", money_text(tax.tax_amount()), money_text(tax.taxable_amount())));
  }
  const std::pair<std::string_view, const common::Money*> amounts[] = {
      {"net total", &invoice.net_total()},   {"tax total", &invoice.tax_total()},
      {"total", &invoice.total()},           {"deposits", &invoice.deposits_deducted()},
      {"amount due", &invoice.amount_due()}, {"fees", &invoice.fees()},
      {"credited", &invoice.credited()},     {"paid", &invoice.paid()},
      {"balance", &invoice.balance()},
  };
  for (const auto& [label, money] : amounts) {
    // Zero deposits, fees, credits and payments say nothing.
    const bool always = label == "net total" || label == "tax total" || label == "total" ||
                        label == "amount due" || label == "balance";
    if (!money->currency().empty() && (always || money->minor_units() != 0)) {
      field(out, label, money_text(*money));
    }
  }
  if (invoice.has_last_payment_date()) {
    field(out, "last payment", date_text(invoice.last_payment_date()));
  }
  for (const auto& cn : invoice.credit_notes()) {
    field(out, "credit note",
          fmt::format("{} ({}) {}{}", cn.number(), cn.credit_note_id(), money_text(cn.total()),
                      cn.full() ? " full" : ""));
  }
  if (!invoice.write_off_reason().empty()) {
    field(out, "written off", invoice.write_off_reason());
  }
  if (invoice.recipient_status() != v1::RECIPIENT_STATUS_UNSPECIFIED) {
    field(out, "recipient",
          fmt::format("{}{}", recipient_status_text(invoice.recipient_status()),
                      invoice.recipient_status_reason().empty()
                          ? ""
                          : ": " + invoice.recipient_status_reason()));
  }
  if (history) {
    print_history(out, invoice.history(), [](const arflow::events::v1::Envelope& e) {
      if (e.has_late_fee_added()) {
        return fmt::format("{} {}", fee_kind_text(e.late_fee_added().kind()),
                           money_text(e.late_fee_added().amount()));
      }
      if (e.has_payment_applied()) {
        return money_text(e.payment_applied().amount());
      }
      if (e.has_credit_note_issued()) {
        return e.credit_note_issued().number();
      }
      if (e.has_invoice_issued()) {
        return e.invoice_issued().number();
      }
      if (e.has_recipient_status_changed()) {
        return recipient_status_text(e.recipient_status_changed().status());
      }
      return std::string();
    });
  }
}

void print_invoice_table(std::ostream& out, const std::vector<v1::Invoice>& invoices) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(invoices.size());
  for (const auto& inv : invoices) {
    rows.push_back({inv.invoice_id(), number_or_draft(inv), inv.customer_id(),
                    status_text(inv.status()), money_text(inv.total()), money_text(inv.balance()),
                    date_text(inv.due_date())});
  }
  print_table(out, {"INVOICE", "NUMBER", "CUSTOMER", "STATUS", "TOTAL", "BALANCE", "DUE"},
              {false, false, false, false, true, true, false}, rows);
}

void print_statement(std::ostream& out, const v1::CustomerStatement& statement) {
  out << fmt::format("statement of {} as of {}\n", statement.customer(),
                     date_text(statement.as_of()));
  std::vector<std::vector<std::string>> rows;
  for (const auto& item : statement.open_items()) {
    rows.push_back({item.number().empty() ? "-" : item.number(), item.invoice_id(),
                    date_text(item.issue_date()), date_text(item.due_date()),
                    money_text(item.amount_due()), money_text(item.balance()),
                    std::to_string(item.days_late()), status_text(item.status()),
                    recipient_status_text(item.recipient_status())});
  }
  if (rows.empty()) {
    out << "no open items\n";
  } else {
    print_table(out,
                {"NUMBER", "INVOICE", "ISSUED", "DUE", "AMOUNT DUE", "BALANCE", "DAYS LATE",
                 "STATUS", "RECIPIENT"},
                {false, false, false, false, true, true, true, false, false}, rows);
  }
  for (const auto& balance : statement.balances()) {
    out << fmt::format("balance  {}\n", money_text(balance));
  }
  for (const auto& overdue : statement.overdue()) {
    out << fmt::format("overdue  {}\n", money_text(overdue));
  }
}

}  // namespace arflow::cli
