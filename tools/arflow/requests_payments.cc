#include "requests_payments.h"

#include <fmt/format.h>

#include "requests.h"

namespace arflow::cli {
namespace {

// --currency, when given, before the amounts that use it.
absl::Status check_default_currency(const std::optional<std::string>& currency) {
  return currency ? check_currency(*currency, "--currency") : absl::OkStatus();
}

}  // namespace

std::string payment_name(const std::string& tenant, const std::string& payment_id) {
  return fmt::format("tenants/{}/payments/{}", tenant, payment_id);
}

Result<pay::RecordPaymentRequest> build_record_payment(const std::string& tenant,
                                                       const std::string& payment_id,
                                                       const PaymentFlags& flags,
                                                       const std::string& request_id) {
  ARFLOW_RETURN_IF_ERROR(check_id(payment_id, "payment_id"));
  ARFLOW_RETURN_IF_ERROR(check_id(flags.customer_id, "--customer"));
  auto amount = parse_positive_money(flags.amount, "--amount");
  if (!amount.ok()) {
    return amount.status();
  }
  auto method = parse_payment_method(flags.method, "--method");
  if (!method.ok()) {
    return method.status();
  }
  pay::RecordPaymentRequest request;
  request.set_parent(tenant_parent(tenant));
  request.set_payment_id(payment_id);
  request.set_customer_id(flags.customer_id);
  *request.mutable_amount() = *amount;
  request.set_method(*method);
  if (flags.received_on) {
    auto date = parse_date(*flags.received_on, "--received-on");
    if (!date.ok()) {
      return date.status();
    }
    *request.mutable_received_on() = *date;
  }
  request.set_external_reference(flags.reference);
  request.set_remittance_text(flags.remittance);
  request.set_auto_allocate(flags.auto_allocate);
  request.set_request_id(request_id);
  return request;
}

Result<pay::AllocatePaymentRequest> build_allocate_payment(
    const std::string& tenant, const std::string& payment_id,
    const std::vector<std::string>& allocations, const std::optional<std::string>& currency,
    const std::string& request_id) {
  ARFLOW_RETURN_IF_ERROR(check_id(payment_id, "payment_id"));
  ARFLOW_RETURN_IF_ERROR(check_default_currency(currency));
  if (allocations.empty()) {
    return bad_flag("--invoice", "give at least one allocation, like --invoice inv-1=40.00");
  }
  pay::AllocatePaymentRequest request;
  request.set_name(payment_name(tenant, payment_id));
  for (size_t i = 0; i < allocations.size(); ++i) {
    const std::string flag = fmt::format("--invoice {}", i + 1);
    auto allocation = parse_allocation(allocations[i], flag, currency);
    if (!allocation.ok()) {
      return allocation.status();
    }
    for (const auto& earlier : request.allocations()) {
      if (earlier.invoice_id() == allocation->invoice_id()) {
        return bad_flag(flag, fmt::format("invoice {} is allocated twice (one --invoice per "
                                          "invoice)",
                                          earlier.invoice_id()));
      }
    }
    *request.add_allocations() = std::move(*allocation);
  }
  request.set_request_id(request_id);
  return request;
}

Result<pay::RefundPaymentRequest> build_refund_payment(const std::string& tenant,
                                                       const std::string& payment_id,
                                                       const RefundFlags& flags,
                                                       const std::optional<std::string>& currency,
                                                       const std::string& request_id) {
  ARFLOW_RETURN_IF_ERROR(check_id(payment_id, "payment_id"));
  pay::RefundPaymentRequest request;
  request.set_name(payment_name(tenant, payment_id));
  if (flags.amount) {
    ARFLOW_RETURN_IF_ERROR(check_default_currency(currency));
    auto amount = parse_positive_money(*flags.amount, "--amount", currency);
    if (!amount.ok()) {
      return amount.status();
    }
    *request.mutable_amount() = *amount;
  }
  request.set_reason(flags.reason);
  request.set_request_id(request_id);
  return request;
}

Result<pay::ChargeBackPaymentRequest> build_charge_back(const std::string& tenant,
                                                        const std::string& payment_id,
                                                        const ChargeBackFlags& flags,
                                                        const std::string& request_id) {
  ARFLOW_RETURN_IF_ERROR(check_id(payment_id, "payment_id"));
  if (flags.reason.empty()) {
    return bad_flag("--reason", "must say what the bank said, like --reason \"disputed\"");
  }
  pay::ChargeBackPaymentRequest request;
  request.set_name(payment_name(tenant, payment_id));
  request.set_reason(flags.reason);
  if (flags.on) {
    auto date = parse_date(*flags.on, "--on");
    if (!date.ok()) {
      return date.status();
    }
    *request.mutable_charged_back_on() = *date;
  }
  request.set_request_id(request_id);
  return request;
}

Result<pay::ApplyCustomerCreditRequest> build_apply_credit(
    const std::string& tenant, const std::string& customer_id, const CreditFlags& flags,
    const std::optional<std::string>& currency, const std::string& request_id) {
  ARFLOW_RETURN_IF_ERROR(check_id(customer_id, "customer_id"));
  ARFLOW_RETURN_IF_ERROR(check_id(flags.invoice_id, "--invoice"));
  ARFLOW_RETURN_IF_ERROR(check_default_currency(currency));
  auto amount = parse_positive_money(flags.amount, "--amount", currency);
  if (!amount.ok()) {
    return amount.status();
  }
  pay::ApplyCustomerCreditRequest request;
  request.set_customer(customer_name(tenant, customer_id));
  request.mutable_allocation()->set_invoice_id(flags.invoice_id);
  *request.mutable_allocation()->mutable_amount() = *amount;
  request.set_request_id(request_id);
  return request;
}

Result<pay::RefundCustomerCreditRequest> build_refund_credit(const std::string& tenant,
                                                             const std::string& customer_id,
                                                             const CreditFlags& flags,
                                                             const std::string& request_id) {
  ARFLOW_RETURN_IF_ERROR(check_id(customer_id, "customer_id"));
  auto amount = parse_positive_money(flags.amount, "--amount");
  if (!amount.ok()) {
    return amount.status();
  }
  pay::RefundCustomerCreditRequest request;
  request.set_customer(customer_name(tenant, customer_id));
  *request.mutable_amount() = *amount;
  request.set_reason(flags.reason);
  request.set_request_id(request_id);
  return request;
}

}  // namespace arflow::cli
