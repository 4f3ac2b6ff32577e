// Numbering series: last + 1, formatted <series>-<6 digits>, never to a date before the last.
#include "invoicing/domain/series.h"

#include "fixtures.h"

namespace arflow::invoicing {
namespace {

using ::absl::StatusCode;
using testing::date;

SeriesEvent next(const SeriesState& state, std::string_view series = "2026",
                 Date issue_date = date(2026, 1, 31)) {
  return assign_number(state, series, issue_date, v1::DOCUMENT_KIND_INVOICE, "doc", "doc").value();
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
  const SeriesEvent event = assign_number({}, "CN-2026", date(2026, 2, 15),
                                          v1::DOCUMENT_KIND_CREDIT_NOTE, "cn-7", "inv-3")
                                .value();
  EXPECT_EQ(event.series(), "CN-2026");
  EXPECT_EQ(event.kind(), v1::DOCUMENT_KIND_CREDIT_NOTE);
  EXPECT_EQ(event.document_id(), "cn-7");
  EXPECT_EQ(event.invoice_id(), "inv-3");
  EXPECT_EQ(from_proto(event.issue_date(), "issue_date").value(), date(2026, 2, 15));
}

TEST(SeriesTest, NumbersFollowDates) {
  SeriesState state = evolve({}, next({}, "2026", date(2026, 12, 7)));
  EXPECT_EQ(state.last_issue_date, date(2026, 12, 7));

  EXPECT_ERROR(assign_number(state, "2026", date(2026, 9, 1), v1::DOCUMENT_KIND_INVOICE, "d", "d"),
               StatusCode::kFailedPrecondition,
               "issue_date: 2026-09-01 is before 2026-12-07, the date of the last document of "
               "series '2026' (2026-000001); numbers follow dates");
  EXPECT_ERROR(
      assign_number(state, "2026", date(2026, 12, 6), v1::DOCUMENT_KIND_CREDIT_NOTE, "d", "d"),
      StatusCode::kFailedPrecondition,
      "issue_date: 2026-12-06 is before 2026-12-07, the date of the last document of "
      "series '2026' (2026-000001); numbers follow dates");

  // The same day, then a later one.
  state = evolve(state, next(state, "2026", date(2026, 12, 7)));
  EXPECT_EQ(state.last_sequence, 2u);
  EXPECT_EQ(state.last_issue_date, date(2026, 12, 7));
  const SeriesEvent later = next(state, "2026", date(2027, 1, 4));
  EXPECT_EQ(later.number(), "2026-000003");
  state = evolve(state, later);
  EXPECT_EQ(state.last_issue_date, date(2027, 1, 4));
  EXPECT_TRUE(state.integrity.ok()) << state.integrity;
}

// A series whose last number was given before numbers recorded their date has nothing to
// compare with: any date is taken, and recorded for the next one.
TEST(SeriesTest, ASeriesWithoutALastDateTakesAnyDateAndRecordsIt) {
  SeriesEvent undated = next({});
  undated.clear_issue_date();
  SeriesState state = evolve({}, undated);
  ASSERT_TRUE(state.integrity.ok()) << state.integrity;
  EXPECT_FALSE(state.last_issue_date.has_value());
  EXPECT_FALSE(state_after(undated).last_issue_date.has_value());

  const SeriesEvent event = next(state, "2026", date(2020, 1, 1));
  EXPECT_EQ(event.number(), "2026-000002");
  state = evolve(state, event);
  EXPECT_EQ(state.last_issue_date, date(2020, 1, 1));
  EXPECT_EQ(assign_number(state, "2026", date(2019, 12, 31), v1::DOCUMENT_KIND_INVOICE, "d", "d")
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
}

// What the series' row keeps is what the next document decides against.
TEST(SeriesTest, TheStateAfterALastNumberIsWhatItsRowSays) {
  const SeriesEvent last = next(evolve({}, next({})), "2026", date(2026, 3, 2));
  const SeriesState state = state_after(last);
  ASSERT_TRUE(state.integrity.ok()) << state.integrity;
  EXPECT_EQ(state.series, "2026");
  EXPECT_EQ(state.last_sequence, 2u);
  EXPECT_EQ(state.last_issue_date, date(2026, 3, 2));

  SeriesEvent unreadable = last;
  unreadable.mutable_issue_date()->set_month(13);
  EXPECT_ERROR(state_after(unreadable).integrity, StatusCode::kDataLoss,
               "series '2026': number 2 has no valid issue date");
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
  EXPECT_ERROR(assign_number(state, "2026", date(2026, 1, 31), v1::DOCUMENT_KIND_INVOICE, "d", "d"),
               StatusCode::kDataLoss, "series '2026': number 2 follows 0");
}

TEST(SeriesTest, DecidingAgainstAnotherSeriesStateIsAWiringError) {
  const SeriesState state = evolve({}, next({}, "2025"));
  EXPECT_EQ(assign_number(state, "2026", date(2026, 1, 31), v1::DOCUMENT_KIND_INVOICE, "d", "d")
                .status()
                .code(),
            StatusCode::kInternal);
}

}  // namespace
}  // namespace arflow::invoicing
