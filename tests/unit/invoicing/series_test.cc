// Numbering series: last + 1, formatted <series>-<6 digits>.
#include "invoicing/domain/series.h"

#include "fixtures.h"

namespace arflow::invoicing {
namespace {

using ::absl::StatusCode;

SeriesEvent next(const SeriesState& state, std::string_view series = "2026") {
  return assign_number(state, series, v1::DOCUMENT_KIND_INVOICE, "doc", "doc").value();
}

TEST(SeriesTest, NumbersAreOneToNWithoutGap) {
  SeriesState state;
  for (uint64_t n = 1; n <= 1000; ++n) {
    const SeriesEvent event = next(state);
    ASSERT_EQ(event.sequence(), n);
    ASSERT_EQ(event.number(), fmt::format("2026-{:06}", n));
    state = evolve(state, event);
  }
  EXPECT_EQ(state.last_sequence, 1000u);
  EXPECT_EQ(state.series, "2026");
  EXPECT_EQ(next(state).number(), "2026-001001");
}

TEST(SeriesTest, NumberFormat) {
  EXPECT_EQ(document_number("2026", 123), "2026-000123");
  EXPECT_EQ(document_number("CN-2026", 1), "CN-2026-000001");
  EXPECT_EQ(document_number("2026", 999'999), "2026-999999");
  EXPECT_EQ(document_number("2026", 1'000'000), "2026-1000000");  // widens, never wraps
}

TEST(SeriesTest, AssignedNumberNamesTheDocument) {
  const SeriesEvent event =
      assign_number({}, "CN-2026", v1::DOCUMENT_KIND_CREDIT_NOTE, "cn-7", "inv-3").value();
  EXPECT_EQ(event.series(), "CN-2026");
  EXPECT_EQ(event.kind(), v1::DOCUMENT_KIND_CREDIT_NOTE);
  EXPECT_EQ(event.document_id(), "cn-7");
  EXPECT_EQ(event.invoice_id(), "inv-3");
}

TEST(SeriesTest, SeriesNamesAreValidated) {
  EXPECT_TRUE(validate_series("2026", "series").ok());
  EXPECT_TRUE(validate_series("CN-2026", "series").ok());
  EXPECT_ERROR(validate_series("", "series"), StatusCode::kInvalidArgument,
               "series must be 1 to 20 characters");
  EXPECT_ERROR(validate_series(std::string(21, '1'), "series"), StatusCode::kInvalidArgument,
               "series must be 1 to 20 characters");
  EXPECT_ERROR(validate_series("2026/01", "series"), StatusCode::kInvalidArgument,
               "series must contain only letters, digits and '-'");
  EXPECT_ERROR(validate_series("-2026", "series"), StatusCode::kInvalidArgument,
               "series must start and end with a letter or a digit");
}

TEST(SeriesTest, AnOutOfOrderNumberStopsTheSeries) {
  SeriesEvent skipped = next({});
  skipped.set_sequence(2);
  const SeriesState state = evolve({}, skipped);
  EXPECT_EQ(state.integrity.code(), StatusCode::kDataLoss);
  EXPECT_ERROR(assign_number(state, "2026", v1::DOCUMENT_KIND_INVOICE, "d", "d"),
               StatusCode::kDataLoss, "series '2026': number 2 follows 0");
}

TEST(SeriesTest, DecidingAgainstAnotherSeriesStateIsAWiringError) {
  const SeriesState state = evolve({}, next({}, "2025"));
  EXPECT_EQ(assign_number(state, "2026", v1::DOCUMENT_KIND_INVOICE, "d", "d").status().code(),
            StatusCode::kInternal);
}

}  // namespace
}  // namespace arflow::invoicing
