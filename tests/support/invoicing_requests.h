#pragma once
// Requests to arflow-invoicing that end-to-end tests share: a French business customer, an
// invoice line, a date.

#include <string>

#include "arflow/invoicing/v1/invoicing_service.pb.h"

namespace arflow::testing {

inline ::arflow::invoicing::v1::CustomerDetails acme_details(const std::string& name = "Acme SAS") {
  namespace iv1 = ::arflow::invoicing::v1;
  iv1::CustomerDetails d;
  d.set_legal_name(name);
  d.set_profile(iv1::CUSTOMER_PROFILE_BUSINESS);
  d.set_language("fr");
  d.add_contact_emails("compta@acme.fr");
  auto* a = d.mutable_billing_address();
  a->add_lines("1 rue de la Paix");
  a->set_postal_code("75002");
  a->set_city("Paris");
  a->set_country("FR");
  d.mutable_default_payment_terms()->set_kind(iv1::PaymentTerms::KIND_NET_DAYS);
  d.mutable_default_payment_terms()->set_days(30);
  return d;
}

inline ::arflow::invoicing::v1::InvoiceLine line(const std::string& description, int64_t quantity,
                                                 int64_t unit_cents, int64_t tax_bps,
                                                 const std::string& currency = "EUR") {
  ::arflow::invoicing::v1::InvoiceLine l;
  l.set_description(description);
  l.mutable_quantity()->set_units(quantity);
  l.mutable_unit_price()->set_minor_units(unit_cents);
  l.mutable_unit_price()->set_currency(currency);
  l.set_tax_rate_bps(tax_bps);
  return l;
}

inline ::arflow::common::v1::Date date(int y, unsigned m, unsigned d) {
  ::arflow::common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

}  // namespace arflow::testing
