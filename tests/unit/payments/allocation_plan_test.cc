// Auto-allocation and drawing on a customer's credit.
#include "fixtures.h"

namespace arflow::payments {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the fixtures
using ::testing::ElementsAre;
using ::testing::IsEmpty;

MATCHER_P2(Pays, invoice_id, amount, "") {
  return arg.invoice_id == invoice_id && arg.amount == amount;
}

TEST(Mentions, FindsANumberAsAWholeToken) {
  EXPECT_TRUE(mentions("Payment of invoice 2026-000123, thanks", "2026-000123"));
  EXPECT_TRUE(mentions("inv b1-000123", "B1-000123"));
  EXPECT_FALSE(mentions("2026-0001234", "2026-000123"));
  EXPECT_FALSE(mentions("X2026-000123", "2026-000123"));
  EXPECT_FALSE(mentions("anything", ""));
}

TEST(PossibleMentions, ListEveryWordBoundedPartWithADigitUpperCasedSoEveryNumberIsAmongThem) {
  const std::string text = "Facture 2026-000123, et b-7 (acompte) FA2026-9";
  EXPECT_THAT(possible_mentions(text),
              ::testing::ElementsAre("2026", "2026-000123", "000123", "B-7", "7", "FA2026",
                                     "FA2026-9", "9"));
  for (const auto& candidate : possible_mentions(text)) {
    EXPECT_TRUE(mentions(text, candidate)) << candidate;
  }
  EXPECT_THAT(possible_mentions("pay 2026-000123 twice: 2026-000123"),
              ::testing::Contains("2026-000123"));
  EXPECT_EQ(possible_mentions(std::string(5000, 'x') + " A-1").back(), "1");
}

TEST(AutoAllocation, PaysTheInvoicesTheRemittanceNamesFirstThenTheOldest) {
  const PaymentState p = recorded(money(10'000), "", "pour facture N3");
  const std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(3'000), date(2026, 10, 1)),
                                           invoice("i2", "N2", money(3'000), date(2026, 9, 1)),
                                           invoice("i3", "N3", money(6'000), date(2026, 12, 1))};
  EXPECT_THAT(
      auto_allocation(p, invoices),
      ElementsAre(Pays("i3", money(6'000)), Pays("i2", money(3'000)), Pays("i1", money(1'000))));
}

TEST(AutoAllocation, ReadsTheExternalReferenceToo) {
  const PaymentState p = recorded(money(2'000), "SEPA N2", "");
  const std::vector<KnownInvoice> invoices{invoice("i1", "N1", money(3'000), date(2026, 1, 1)),
                                           invoice("i2", "N2", money(3'000), date(2026, 9, 1))};
  EXPECT_THAT(auto_allocation(p, invoices), ElementsAre(Pays("i2", money(2'000))));
}

TEST(AutoAllocation, SkipsWhatCannotBePaid) {
  const PaymentState p = recorded(money(10'000));
  std::vector<KnownInvoice> invoices{
      invoice("other", "N1", money(3'000), date(2026, 1, 1), "c2"),
      invoice("usd", "N2", money(3'000, "USD")), invoice("void", "N3", money(3'000)),
      invoice("full", "N4", money(3'000)), invoice("ok", "N5", money(3'000))};
  invoices[2].status = invoicing::v1::INVOICE_STATUS_VOID;
  allocation_sent(invoices[3], "p0-a1", money(3'000));
  EXPECT_THAT(auto_allocation(p, invoices), ElementsAre(Pays("ok", money(3'000))));
  EXPECT_THAT(auto_allocation(recorded(money(10'000)), {}), IsEmpty());
}

TEST(DrawFromCredit, TakesFromTheOldestPaymentsFirst) {
  PaymentState a = recorded(money(1'000));
  a.payment_id = "a";
  PaymentState b = recorded(money(5'000));
  b.payment_id = "b";
  PaymentState usd = recorded(money(9'000, "USD"));
  usd.payment_id = "usd";
  const std::vector<PaymentState> payments{a, usd, b};
  auto draws = draw_from_credit(payments, money(3'000), "amount");
  ASSERT_TRUE(draws.ok());
  ASSERT_EQ(draws->size(), 2U);
  EXPECT_EQ((*draws)[0].payment_id, "a");
  EXPECT_EQ((*draws)[0].amount, money(1'000));
  EXPECT_EQ((*draws)[1].payment_id, "b");
  EXPECT_EQ((*draws)[1].amount, money(2'000));
  EXPECT_THAT(draw_from_credit(payments, money(6'001), "amount"),
              IsError(absl::StatusCode::kFailedPrecondition,
                      "amount 60.01 EUR exceeds the customer's credit in EUR: 60.00 EUR"));
}

}  // namespace
}  // namespace arflow::payments
