#include "invoicing/domain/customer.h"

#include "fixtures.h"

namespace arflow::invoicing {
namespace {

using ::absl::StatusCode;
using testing::customer_details;
using testing::money;

Result<std::vector<CustomerEvent>> register_with(CustomerDetails details,
                                                 const CustomerState& state = {}) {
  return decide(RegisterCustomer{.customer_id = "cust-1", .details = std::move(details)}, state);
}

CustomerState registered() {
  CustomerState state;
  const auto events = register_with(customer_details());
  for (const CustomerEvent& e : events.value()) {
    state = evolve(state, e);
  }
  return state;
}

TEST(CustomerTest, RegisteringRecordsEveryDetail) {
  auto events = register_with(customer_details());
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 1u);
  const auto& e = std::get<v1::CustomerRegistered>(events->front());
  EXPECT_EQ(e.customer_id(), "cust-1");
  EXPECT_EQ(e.details().legal_name(), "Commune de Lyon");
  EXPECT_EQ(e.details().profile(), v1::CUSTOMER_PROFILE_ADMINISTRATION);
  EXPECT_EQ(e.details().language(), "fr");
  EXPECT_EQ(e.details().contact_emails(0), "compta@lyon.fr");
  EXPECT_EQ(e.details().billing_address().country(), "FR");
  EXPECT_EQ(e.details().tax_id(), "FR12345678901");
  EXPECT_EQ(e.details().default_payment_terms().kind(), v1::PaymentTerms::KIND_NET_DAYS);
  EXPECT_EQ(e.details().default_payment_terms().days(), 30u);
  EXPECT_EQ(e.details().credit_limit().minor_units(), 1'000'000);
  EXPECT_EQ(e.details().credit_limit().currency(), "EUR");

  const CustomerState state = registered();
  EXPECT_TRUE(state.registered);
  EXPECT_EQ(state.customer_id, "cust-1");
  EXPECT_EQ(state.details, customer_details());
}

TEST(CustomerTest, RegisteringTwiceIsRefused) {
  EXPECT_ERROR(register_with(customer_details(), registered()), StatusCode::kFailedPrecondition,
               "customer 'cust-1' is already registered");
}

TEST(CustomerTest, IdMustNameAStream) {
  EXPECT_ERROR(decide(RegisterCustomer{.customer_id = "a/b", .details = customer_details()}, {}),
               StatusCode::kInvalidArgument,
               "customer_id must contain only letters, digits, '-', '_', '.' and ':'");
  EXPECT_ERROR(decide(RegisterCustomer{.customer_id = "", .details = customer_details()}, {}),
               StatusCode::kInvalidArgument, "customer_id must be 1 to 128 characters");
}

TEST(CustomerTest, LegalNameAndProfileAreRequired) {
  auto details = customer_details();
  details.legal_name = "  ";
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "legal_name must not be empty");
  details = customer_details();
  details.legal_name = std::string(201, 'a');
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "legal_name must be at most 200 characters");
  details = customer_details();
  details.profile = CustomerProfile::kUnspecified;
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "profile must be ADMINISTRATION, BUSINESS or INDIVIDUAL");
  for (CustomerProfile profile : {CustomerProfile::kAdministration, CustomerProfile::kBusiness,
                                  CustomerProfile::kIndividual}) {
    details.profile = profile;
    EXPECT_TRUE(register_with(details).ok());
  }
}

TEST(CustomerTest, LanguageIsOneWeWriteIn) {
  auto details = customer_details();
  for (const char* language : {"en", "fr", "it", "de", "es", "nl", "pt"}) {
    details.language = language;
    EXPECT_TRUE(register_with(details).ok()) << language;
  }
  for (const char* language : {"", "EN", "en-GB", "xx"}) {
    details.language = language;
    EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
                 "language must be one of de, en, es, fr, it, nl, pt");
  }
}

TEST(CustomerTest, ContactEmailsAreValidated) {
  for (const char* email : {"a@example.com", "first.last+tag@sub.example.co.uk",
                            "o'brien@example.ie", "x_y-z@a-b.example.org", "UPPER@EXAMPLE.COM"}) {
    EXPECT_TRUE(validate_email(email, "e").ok()) << email;
  }
  for (const char* email :
       {"", "plain", "@example.com", "a@", "a@@example.com", "a@b@example.com", "a..b@example.com",
        ".a@example.com", "a.@example.com", "a b@example.com", "a@localhost", "a@-example.com",
        "a@example-.com", "a@example..com", "a@example.c", "a@example.c0m", "a@10.0.0.1",
        "a@exa_mple.com", "a\n@example.com"}) {
    SCOPED_TRACE(email);
    EXPECT_ERROR(validate_email(email, "contact_emails[0]"), StatusCode::kInvalidArgument,
                 "contact_emails[0] must be an e-mail address like name@example.com");
  }
  EXPECT_FALSE(validate_email(std::string(65, 'a') + "@example.com", "e").ok());

  auto details = customer_details();
  details.contact_emails = {"compta@lyon.fr", "not an address"};
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "contact_emails[1] must be an e-mail address like name@example.com");
  details.contact_emails = {"compta@lyon.fr", "Compta@Lyon.FR"};
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "contact_emails[1] repeats contact_emails[0]");
  details.contact_emails = {};
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "contact_emails must have 1 to 10 addresses");
}

TEST(CustomerTest, BillingAddressNeedsALineACityAndACountryCode) {
  auto details = customer_details();
  details.billing_address.country = "fr";
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "billing_address.country must be an ISO 3166-1 alpha-2 code in upper case, like FR");
  details = customer_details();
  details.billing_address.lines = {};
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "billing_address.lines must have 1 to 4 lines");
  details = customer_details();
  details.billing_address.lines = {"1 rue", ""};
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "billing_address.lines[1] must not be empty");
  details = customer_details();
  details.billing_address.city = "";
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "billing_address.city must not be empty");
}

TEST(CustomerTest, TaxIdIsOptionalButWellFormed) {
  auto details = customer_details();
  details.tax_id = "";
  EXPECT_TRUE(register_with(details).ok());
  details.tax_id = "12-3456789";
  EXPECT_TRUE(register_with(details).ok());
  details.tax_id = "FR 123";
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "tax_id must contain only letters, digits, '-', '.' and '/'");
}

TEST(CustomerTest, DefaultPaymentTermsAreValidated) {
  auto details = customer_details();
  details.default_payment_terms = {};
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "default_payment_terms.kind must be NET_DAYS, END_OF_MONTH_PLUS or DUE_ON_RECEIPT");
  details.default_payment_terms = {.kind = PaymentTermsKind::kDueOnReceipt, .days = 5};
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "default_payment_terms.days must be 0 when due on receipt");
  details.default_payment_terms = {.kind = PaymentTermsKind::kEndOfMonthPlus, .days = 366};
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument,
               "default_payment_terms.days must be at most 365");
}

TEST(CustomerTest, CreditLimitIsOptionalAndNotNegative) {
  auto details = customer_details();
  details.credit_limit.reset();
  EXPECT_TRUE(register_with(details).ok());
  details.credit_limit = money(-1);
  EXPECT_ERROR(register_with(details), StatusCode::kInvalidArgument, "credit_limit must be >= 0");
  details.credit_limit = money(500'000, "JPY");
  EXPECT_TRUE(register_with(details).ok());
}

TEST(CustomerTest, UpdatingReplacesTheDetails) {
  auto details = customer_details();
  details.language = "it";
  details.contact_emails.emplace_back("direzione@example.it");
  auto events = decide(UpdateCustomer{.customer_id = "cust-1", .details = details}, registered());
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 1u);
  const auto& e = std::get<v1::CustomerUpdated>(events->front());
  EXPECT_EQ(e.details().language(), "it");
  EXPECT_EQ(e.details().contact_emails_size(), 2);
  const CustomerState after = evolve(registered(), events->front());
  EXPECT_EQ(after.details, details);
}

TEST(CustomerTest, UpdatingWithTheSameDetailsRecordsNothing) {
  auto events =
      decide(UpdateCustomer{.customer_id = "cust-1", .details = customer_details()}, registered());
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());
}

TEST(CustomerTest, UpdatingAnUnregisteredCustomerIsRefused) {
  EXPECT_ERROR(decide(UpdateCustomer{.customer_id = "cust-1", .details = customer_details()}, {}),
               StatusCode::kFailedPrecondition, "customer 'cust-1' is not registered");
  auto details = customer_details();
  details.legal_name = "";
  EXPECT_ERROR(decide(UpdateCustomer{.customer_id = "cust-1", .details = details}, registered()),
               StatusCode::kInvalidArgument, "legal_name must not be empty");
}

TEST(CustomerTest, AStreamOurDecidersCouldNotHaveWrittenStopsDecisions) {
  v1::CustomerUpdated update;
  update.set_customer_id("cust-1");
  *update.mutable_details() = to_proto(customer_details());
  const CustomerState state = evolve(CustomerState{}, CustomerEvent{update});
  EXPECT_EQ(state.integrity.code(), StatusCode::kDataLoss);
  EXPECT_ERROR(register_with(customer_details(), state), StatusCode::kDataLoss,
               "customer 'cust-1': update out of order");
}

}  // namespace
}  // namespace arflow::invoicing
