// Conversions between the domain's types and the contract, and the Envelope payload.
#include "invoicing/domain/proto_convert.h"

#include <limits>
#include <set>

#include "fixtures.h"
#include "invoicing/domain/events.h"

namespace arflow::invoicing {
namespace {

using ::absl::StatusCode;
using testing::Book;
using testing::customer_details;
using testing::date;
using testing::line;
using testing::money;

TEST(ProtoConvertTest, CustomerDetailsRoundTrip) {
  auto back = from_proto(to_proto(customer_details()), "details");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, customer_details());
  CustomerDetails without_limit = customer_details();
  without_limit.credit_limit.reset();
  EXPECT_FALSE(to_proto(without_limit).has_credit_limit());
  EXPECT_EQ(*from_proto(to_proto(without_limit), "details"), without_limit);
}

TEST(ProtoConvertTest, ContentRoundTrip) {
  InvoiceContent content = testing::content_of(
      {line("1.5", money(1234), 2000, 500, "Hours"), line("2", money(99), 550)});
  content.kind = InvoiceKind::kStandard;
  content.payment_terms = PaymentTerms{.kind = PaymentTermsKind::kEndOfMonthPlus, .days = 45};
  content.early_payment_discount = EarlyPaymentDiscount{.rate_bps = 200, .days = 10};
  content.late_payment_terms =
      LatePaymentTerms{.penalty_rate_bps = 1215, .recovery_indemnity = money(4000)};
  content.deposit_invoice_ids = {"dep-1", "dep-2"};
  auto back = from_proto(to_proto(content), "");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->currency, "EUR");
  ASSERT_EQ(back->lines.size(), 2u);
  EXPECT_EQ(back->lines[0].description, "Hours");
  EXPECT_EQ(back->lines[0].quantity, testing::quantity("1.5"));
  EXPECT_EQ(back->lines[0].quantity.scale(), 1u);
  EXPECT_EQ(back->lines[0].unit_price, money(1234));
  EXPECT_EQ(back->lines[0].discount_bps, 500);
  EXPECT_EQ(back->lines[1].tax_rate_bps, 550);
  EXPECT_EQ(back->payment_terms, content.payment_terms);
  EXPECT_EQ(back->early_payment_discount, content.early_payment_discount);
  EXPECT_EQ(back->late_payment_terms, content.late_payment_terms);
  EXPECT_EQ(back->deposit_invoice_ids, content.deposit_invoice_ids);

  // Unset terms on a draft mean "the customer's default".
  content.payment_terms.reset();
  content.early_payment_discount.reset();
  content.late_payment_terms.reset();
  back = from_proto(to_proto(content), "");
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->payment_terms.has_value());
  EXPECT_FALSE(back->early_payment_discount.has_value());
  EXPECT_FALSE(back->late_payment_terms.has_value());
}

TEST(ProtoConvertTest, BadMessagesNameTheField) {
  common::Money bad_money;
  bad_money.set_minor_units(100);
  bad_money.set_currency("XYZ");
  EXPECT_ERROR(from_proto(bad_money, "lines[0].unit_price"), StatusCode::kInvalidArgument,
               "lines[0].unit_price.currency 'XYZ' is not an ISO 4217 code");
  common::Decimal bad_decimal;
  bad_decimal.set_units(1);
  bad_decimal.set_scale(19);
  EXPECT_ERROR(from_proto(bad_decimal, "lines[0].quantity"), StatusCode::kInvalidArgument,
               "lines[0].quantity.scale must be <= 18");
  EXPECT_EQ(*from_proto(to_proto(date(2028, 2, 29)), "d"), date(2028, 2, 29));
  common::Date february_30;
  february_30.set_year(2026);
  february_30.set_month(2);
  february_30.set_day(30);
  EXPECT_ERROR(from_proto(february_30, "issue_date"), StatusCode::kInvalidArgument,
               "issue_date must be a valid date");
  february_30.set_month(300);
  EXPECT_ERROR(from_proto(february_30, "issue_date"), StatusCode::kInvalidArgument,
               "issue_date must be a valid date");
  EXPECT_ERROR(from_proto(v1::RECIPIENT_STATUS_UNSPECIFIED, "status"), StatusCode::kInvalidArgument,
               "status must be a recipient status");
  EXPECT_ERROR(from_proto(v1::LATE_FEE_KIND_UNSPECIFIED, "kind"), StatusCode::kInvalidArgument,
               "kind must be INTEREST, RECOVERY_INDEMNITY or FEE");
  google::protobuf::Timestamp far;
  far.set_seconds(std::numeric_limits<int64_t>::max());
  EXPECT_ERROR(from_proto(far, "reported_at"), StatusCode::kInvalidArgument,
               "reported_at must be a timestamp between years 1 and 9999");
}

TEST(ProtoConvertTest, TimestampsRoundTripToTheMicrosecond) {
  for (int64_t micros : {int64_t{0}, int64_t{1'770'000'000'123'456}, int64_t{-1}}) {
    const Timestamp t{std::chrono::microseconds(micros)};
    const auto proto = to_proto(t);
    EXPECT_GE(proto.nanos(), 0);
    EXPECT_EQ(*from_proto(proto, "t"), t) << micros;
  }
}

TEST(ProtoConvertTest, EveryInvoiceEventTravelsInTheEnvelope) {
  Book book;
  book.issued("dep-1", [] {
    InvoiceContent c = testing::content_of({line("1", money(10000), 2000)});
    c.kind = InvoiceKind::kDeposit;
    return c;
  }());
  book.issued("inv-1");
  ASSERT_TRUE(book.pay("inv-1", "a-1", money(100)).ok());
  ASSERT_TRUE(book.pay("inv-1", "a-2", money(999999)).ok());  // rejected
  ASSERT_TRUE(book.run(ReversePayment{.invoice_id = "inv-1", .allocation_id = "a-1"}).ok());
  ASSERT_TRUE(book.pay("inv-1", "a-3", money(100)).ok());
  ASSERT_TRUE(book.run(AddLateFee{.invoice_id = "inv-1",
                                  .source_id = "s",
                                  .kind = LateFeeKind::kFee,
                                  .description = "fee",
                                  .amount = money(500),
                                  .as_of = date(2026, 4, 1)})
                  .ok());
  ASSERT_TRUE(book.run(RecordRecipientStatus{.invoice_id = "inv-1",
                                             .status = RecipientStatus::kReceived,
                                             .reported_at = from_unix_millis(1)})
                  .ok());
  ASSERT_TRUE(book.credit(IssueCreditNote{.invoice_id = "inv-1",
                                          .credit_note_id = "cn",
                                          .series = "CN",
                                          .issue_date = date(2026, 4, 2),
                                          .reason = "r",
                                          .full = true})
                  .ok());

  std::set<size_t> kinds;
  for (const std::string id : {"dep-1", "inv-1"}) {
    for (const InvoiceEvent& event : book.history(id)) {
      events::v1::Envelope envelope;
      set_payload(event, envelope);
      const auto back = invoice_event(envelope);
      ASSERT_TRUE(back.has_value());
      EXPECT_EQ(back->index(), event.index());
      EXPECT_FALSE(customer_event(envelope).has_value());
      kinds.insert(event.index());
    }
  }
  // Drafted, issued, applied, rejected, reversed, fee, status, released, credit note.
  EXPECT_EQ(kinds.size(), 9u);

  events::v1::Envelope envelope;
  set_payload(CustomerEvent{v1::CustomerRegistered{}}, envelope);
  EXPECT_TRUE(customer_event(envelope).has_value());
  EXPECT_FALSE(invoice_event(envelope).has_value());
}

TEST(ProtoConvertTest, StreamNames) {
  EXPECT_EQ(customer_stream("c-1"), "customer/c-1");
  EXPECT_EQ(invoice_stream("01J"), "invoice/01J");
  EXPECT_EQ(series_stream("CN-2026"), "series/CN-2026");
}

}  // namespace
}  // namespace arflow::invoicing
