// `arflow payment ...` and `arflow credit ...`: the payments service
// (arflow.payments.v1.PaymentsService). The rest of the command line is in cli.cc.

#include <algorithm>

#include "cli_app.h"
#include "output_payments.h"

namespace arflow::cli {

// ----- definition ---------------------------------------------------------------------------

void Cli::define_payment(CLI::App& app) {
  auto* payment = app.add_subcommand("payment", "Payments received (the payments service)");
  payment->require_subcommand(1);

  auto* record =
      payment->add_subcommand("record", "Record money received (allocate it with --auto-allocate)");
  record->add_option("payment_id", id_)->required();
  record->add_option("--customer", payment_.customer_id, "The payer's customer id")->required();
  record->add_option("--amount", payment_.amount, "Amount and currency: \"100.00 EUR\"")
      ->required();
  record->add_option("--method", payment_.method, payment_method_choices())->capture_default_str();
  add(record, received_on_, "--received-on", "YYYY-MM-DD (default: today)");
  record->add_option("--reference", payment_.reference,
                     "The bank's or gateway's id of it (recorded once per tenant)");
  record->add_option("--remittance", payment_.remittance,
                     "What the payer wrote; invoice numbers in it guide --auto-allocate");
  record->add_flag("--auto-allocate", payment_.auto_allocate,
                   "Allocate it at once: to the invoices whose numbers --reference or "
                   "--remittance name, then the oldest due");
  leaf(record, [this] { return payment_record(); });

  auto* allocate = payment->add_subcommand("allocate", "Allocate unapplied money to invoices");
  allocate->add_option("payment_id", id_)->required();
  allocate
      ->add_option("--invoice", allocations_,
                   "INVOICE_ID=AMOUNT (repeatable, one per invoice), e.g. inv-1=40.00 (the "
                   "payment's currency) or \"inv-1=40.00 EUR\"")
      ->allow_extra_args(false)
      ->required();
  add(allocate, currency_, "--currency", "The payment's currency (default: read from the payment)");
  leaf(allocate, [this] { return payment_allocate(); });

  auto* auto_allocate = payment->add_subcommand(
      "auto-allocate", "Allocate what is unapplied: invoices named in it first, then oldest due");
  auto_allocate->add_option("payment_id", id_)->required();
  leaf(auto_allocate, [this] { return payment_auto_allocate(); });

  auto* refund = payment->add_subcommand("refund", "Pay back unapplied money");
  refund->add_option("payment_id", id_)->required();
  add(refund, amount_, "--amount",
      "10.00 (the payment's currency) or \"10.00 EUR\" (default: all that is unapplied)");
  refund->add_option("--reason", reason_, "Why");
  add(refund, currency_, "--currency", "The payment's currency (default: read from the payment)");
  leaf(refund, [this] { return payment_refund(); });

  auto* charge_back = payment->add_subcommand(
      "charge-back", "The bank took it back: reverse its allocations, reopen the invoices");
  charge_back->add_option("payment_id", id_)->required();
  charge_back->add_option("--reason", reason_, "What the bank said")->required();
  add(charge_back, on_, "--on", "YYYY-MM-DD (default: today)");
  leaf(charge_back, [this] { return payment_charge_back(); });

  auto* get = payment->add_subcommand("get", "Show a payment and its allocations");
  get->add_option("payment_id", id_)->required();
  get->add_flag("--history", history_, "With its events");
  leaf(get, [this] { return payment_get(); });

  auto* list = payment->add_subcommand("list", "List payments");
  list->add_option("--filter", filter_,
                   "e.g. 'customer_id = \"c-42\" AND method = BANK_TRANSFER AND received_on >= "
                   "2026-11-01' or 'unapplied = true'");
  define_list(list);
  leaf(list, [this] { return payment_list(); });

  auto* open = payment->add_subcommand(
      "open-invoices", "A customer's invoices open for allocation, as the payments service knows");
  open->add_option("customer_id", id_)->required();
  leaf(open, [this] { return payment_open_invoices(); });
}

void Cli::define_credit(CLI::App& app) {
  auto* credit = app.add_subcommand("credit", "A customer's unapplied money (payments service)");
  credit->require_subcommand(1);

  auto* get = credit->add_subcommand("get", "Show a customer's credit");
  get->add_option("customer_id", id_)->required();
  leaf(get, [this] { return credit_get(); });

  auto* apply = credit->add_subcommand("apply", "Pay an invoice out of the customer's credit");
  apply->add_option("customer_id", id_)->required();
  apply->add_option("--invoice", customer_credit_.invoice_id, "Invoice id")->required();
  apply
      ->add_option("--amount", customer_credit_.amount,
                   "40.00 (the invoice's currency) or \"40.00 EUR\"")
      ->required();
  add(apply, currency_, "--currency", "The invoice's currency (default: read from the invoice)");
  leaf(apply, [this] { return credit_apply(); });

  auto* refund = credit->add_subcommand("refund", "Pay back part or all of the customer's credit");
  refund->add_option("customer_id", id_)->required();
  refund
      ->add_option("--amount", customer_credit_.amount,
                   "Amount and currency (which credit): \"10.00 EUR\"")
      ->required();
  refund->add_option("--reason", customer_credit_.reason, "Why");
  leaf(refund, [this] { return credit_refund(); });
}

// ----- helpers ------------------------------------------------------------------------------

int Cli::done_payment(const pay::Payment& payment, bool mutation, bool history) {
  return done(
      payment, [&] { print_payment(out_, payment, history); }, mutation);
}

int Cli::done_credit(const pay::CustomerCredit& credit, bool mutation) {
  return done(
      credit, [&] { print_customer_credit(out_, credit); }, mutation);
}

Result<std::string> Cli::payment_currency(const std::string& payment_id, const Opt& currency_flag,
                                          grpc::Status& rpc_status) {
  if (currency_flag.given()) {
    return currency_flag.value;
  }
  pay::GetPaymentRequest request;
  request.set_name(payment_name(tenant_, payment_id));
  pay::Payment payment;
  rpc_status = call(&PaymentsStub::GetPayment, request, payment);
  if (!rpc_status.ok()) {
    return absl::UnknownError("rpc");
  }
  return payment.amount().currency();
}

// ----- payments -----------------------------------------------------------------------------

int Cli::payment_record() {
  PaymentFlags flags = payment_;
  flags.received_on = received_on_.get();
  auto request = build_record_payment(tenant_, id_, flags, request_id_);
  if (!request.ok()) {
    return bad_input(request.status());
  }
  pay::Payment payment;
  if (auto s = call(&PaymentsStub::RecordPayment, *request, payment); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_payment(payment, true);
}

int Cli::payment_allocate() {
  if (auto s = check_id(id_, "payment_id"); !s.ok()) {
    return bad_input(s);
  }
  std::optional<std::string> currency;
  if (currency_.given() ||
      !std::all_of(allocations_.begin(), allocations_.end(),
                   [](const std::string& a) { return amount_has_currency(a); })) {
    grpc::Status rpc_status;
    auto c = payment_currency(id_, currency_, rpc_status);
    if (!rpc_status.ok()) {
      return rpc_failed(rpc_status, false);
    }
    currency = *c;
  }
  auto request = build_allocate_payment(tenant_, id_, allocations_, currency, request_id_);
  if (!request.ok()) {
    return bad_input(request.status());
  }
  pay::Payment payment;
  if (auto s = call(&PaymentsStub::AllocatePayment, *request, payment); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_payment(payment, true);
}

int Cli::payment_auto_allocate() {
  if (auto s = check_id(id_, "payment_id"); !s.ok()) {
    return bad_input(s);
  }
  pay::AutoAllocatePaymentRequest request;
  request.set_name(payment_name(tenant_, id_));
  request.set_request_id(request_id_);
  pay::Payment payment;
  if (auto s = call(&PaymentsStub::AutoAllocatePayment, request, payment); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_payment(payment, true);
}

int Cli::payment_refund() {
  if (auto s = check_id(id_, "payment_id"); !s.ok()) {
    return bad_input(s);
  }
  const RefundFlags flags{.amount = amount_.get(), .reason = reason_};
  std::optional<std::string> currency;
  if (flags.amount && (currency_.given() || !amount_has_currency(*flags.amount))) {
    grpc::Status rpc_status;
    auto c = payment_currency(id_, currency_, rpc_status);
    if (!rpc_status.ok()) {
      return rpc_failed(rpc_status, false);
    }
    currency = *c;
  }
  auto request = build_refund_payment(tenant_, id_, flags, currency, request_id_);
  if (!request.ok()) {
    return bad_input(request.status());
  }
  pay::Payment payment;
  if (auto s = call(&PaymentsStub::RefundPayment, *request, payment); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_payment(payment, true);
}

int Cli::payment_charge_back() {
  auto request = build_charge_back(
      tenant_, id_, ChargeBackFlags{.reason = reason_, .on = on_.get()}, request_id_);
  if (!request.ok()) {
    return bad_input(request.status());
  }
  pay::Payment payment;
  if (auto s = call(&PaymentsStub::ChargeBackPayment, *request, payment); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_payment(payment, true);
}

int Cli::payment_get() {
  if (auto s = check_id(id_, "payment_id"); !s.ok()) {
    return bad_input(s);
  }
  pay::GetPaymentRequest request;
  request.set_name(payment_name(tenant_, id_));
  pay::Payment payment;
  if (auto s = call(&PaymentsStub::GetPayment, request, payment); !s.ok()) {
    return rpc_failed(s, false);
  }
  if (!history_) {
    payment.clear_history();
  }
  return done_payment(payment, false, history_);
}

int Cli::payment_list() {
  pay::ListPaymentsRequest request;
  request.set_parent(tenant_parent(tenant_));
  request.set_filter(filter_);
  return list(
      &PaymentsStub::ListPayments, request,
      [](const pay::ListPaymentsResponse& r) -> const auto& { return r.payments(); },
      &print_payment_table);
}

int Cli::payment_open_invoices() {
  if (auto s = check_id(id_, "customer_id"); !s.ok()) {
    return bad_input(s);
  }
  pay::ListOpenInvoicesRequest request;
  request.set_customer(customer_name(tenant_, id_));
  pay::ListOpenInvoicesResponse response;
  if (auto s = call(&PaymentsStub::ListOpenInvoices, request, response); !s.ok()) {
    return rpc_failed(s, false);
  }
  return done(
      response, [&] { print_open_invoices(out_, response); }, false);
}

// ----- customer credit ----------------------------------------------------------------------

int Cli::credit_get() {
  if (auto s = check_id(id_, "customer_id"); !s.ok()) {
    return bad_input(s);
  }
  pay::GetCustomerCreditRequest request;
  request.set_customer(customer_name(tenant_, id_));
  pay::CustomerCredit credit;
  if (auto s = call(&PaymentsStub::GetCustomerCredit, request, credit); !s.ok()) {
    return rpc_failed(s, false);
  }
  return done_credit(credit, false);
}

int Cli::credit_apply() {
  const CreditFlags& flags = customer_credit_;
  // Both ids are checked before the invoice is read.
  if (auto s = check_id(id_, "customer_id"); !s.ok()) {
    return bad_input(s);
  }
  if (auto s = check_id(flags.invoice_id, "--invoice"); !s.ok()) {
    return bad_input(s);
  }
  std::optional<std::string> currency;
  if (currency_.given() || !amount_has_currency(flags.amount)) {
    grpc::Status rpc_status;
    auto c = invoice_currency(flags.invoice_id, currency_, rpc_status);
    if (!rpc_status.ok()) {
      return rpc_failed(rpc_status, false);
    }
    currency = *c;
  }
  auto request = build_apply_credit(tenant_, id_, flags, currency, request_id_);
  if (!request.ok()) {
    return bad_input(request.status());
  }
  pay::CustomerCredit credit;
  if (auto s = call(&PaymentsStub::ApplyCustomerCredit, *request, credit); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_credit(credit, true);
}

int Cli::credit_refund() {
  auto request = build_refund_credit(tenant_, id_, customer_credit_, request_id_);
  if (!request.ok()) {
    return bad_input(request.status());
  }
  pay::CustomerCredit credit;
  if (auto s = call(&PaymentsStub::RefundCustomerCredit, *request, credit); !s.ok()) {
    return rpc_failed(s, true);
  }
  return done_credit(credit, true);
}

}  // namespace arflow::cli
