#include "invoicing/domain/series.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include "invoicing/domain/proto_convert.h"

namespace arflow::invoicing {

namespace {

bool is_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

absl::Status validate_series(std::string_view series, std::string_view field) {
  if (series.empty() || series.size() > kMaxSeriesLength) {
    return invalid_field(field, fmt::format("must be 1 to {} characters", kMaxSeriesLength));
  }
  for (char c : series) {
    if (!is_alnum(c) && c != '-') {
      return invalid_field(field, "must contain only letters, digits and '-'");
    }
  }
  if (!is_alnum(series.front()) || !is_alnum(series.back())) {
    return invalid_field(field, "must start and end with a letter or a digit");
  }
  return absl::OkStatus();
}

std::string document_number(std::string_view series, uint64_t sequence) {
  return fmt::format(FMT_COMPILE("{}-{:06}"), series, sequence);
}

Result<SeriesEvent> assign_number(const SeriesState& state, std::string_view series,
                                  Date issue_date, v1::DocumentKind kind,
                                  std::string_view document_id, std::string_view invoice_id) {
  ARFLOW_RETURN_IF_ERROR(state.integrity);
  ARFLOW_RETURN_IF_ERROR(validate_series(series, "series"));
  if (!state.series.empty() && state.series != series) {
    // The service loaded the wrong stream: a wiring error, not the caller's.
    return absl::InternalError(
        fmt::format("series '{}' decided against the state of series '{}'", series, state.series));
  }
  // The sequence must be chronological as well as continuous: a later number never goes to
  // an earlier date. (The same day is fine: numbers order the documents of one day.)
  if (state.last_issue_date.has_value() && issue_date < *state.last_issue_date) {
    return precondition_failed(fmt::format(
        "issue_date: {} is before {}, the date of the last document of series '{}' ({}); "
        "numbers follow dates",
        contract::iso_date(issue_date), contract::iso_date(*state.last_issue_date), series,
        document_number(series, state.last_sequence)));
  }
  const uint64_t sequence = state.last_sequence + 1;
  SeriesEvent event;
  event.set_series(std::string(series));
  event.set_sequence(sequence);
  event.set_number(document_number(series, sequence));
  event.set_kind(kind);
  event.set_document_id(std::string(document_id));
  event.set_invoice_id(std::string(invoice_id));
  *event.mutable_issue_date() = to_proto(issue_date);
  return event;
}

SeriesState state_after(const SeriesEvent& last) {
  SeriesState state;
  state.series = last.series();
  state.last_sequence = last.sequence();
  if (last.has_issue_date()) {
    auto last_date = from_proto(last.issue_date(), "issue_date");
    if (!last_date.ok()) {
      // Taken for no date, it would let the next number go to an earlier date.
      state.integrity = absl::DataLossError(fmt::format(
          "series '{}': number {} has no valid issue date", last.series(), last.sequence()));
      return state;
    }
    state.last_issue_date = *last_date;
  }
  return state;
}

SeriesState evolve(SeriesState state, const SeriesEvent& event) {
  if (!state.integrity.ok()) {
    return state;
  }
  // A number out of order means the stream is not what the deciders wrote: refuse to number
  // anything more in this series rather than risk a duplicate.
  if (event.sequence() != state.last_sequence + 1 ||
      (!state.series.empty() && state.series != event.series())) {
    state.integrity =
        absl::DataLossError(fmt::format("series '{}': number {} follows {}", event.series(),
                                        event.sequence(), state.last_sequence));
    return state;
  }
  // The last number is all a series keeps: its date replaces the one before (none, if it
  // was given before numbers recorded their date).
  return state_after(event);
}

}  // namespace arflow::invoicing
