#pragma once
// Numbering series: the state is the last sequence given out and the issue date of the
// document that took it. Issuing a document decides against its series' state and takes
// last + 1 (a DocumentNumberAssigned, which the service keeps as the series' row; the
// document's own event carries the number). Since one writer (the command loop) runs the
// deciders one after the other and commits the document and the series' row in one batch,
// numbers are gapless and never reused, with no lock here. Numbers also follow dates (French
// and Italian law want the sequence chronological as well as continuous): a document dated
// before the series' last one takes no number.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "arflow/core/error.h"
#include "arflow/invoicing/v1/events.pb.h"
#include "invoicing/domain/model.h"

namespace arflow::invoicing {

struct SeriesState {
  std::string series;  // empty until the first number is assigned
  uint64_t last_sequence = 0;
  // The issue date of the last number's document. None when that number was given before
  // numbers recorded their date: then there is nothing to compare with, and the next
  // document records one.
  std::optional<Date> last_issue_date;
  absl::Status integrity;
};

using SeriesEvent = arflow::invoicing::v1::DocumentNumberAssigned;

inline constexpr size_t kMaxSeriesLength = 20;

// 1..kMaxSeriesLength characters of A-Z, a-z, 0-9 and '-', starting and ending with a letter
// or digit: "2026", "CN-2026".
absl::Status validate_series(std::string_view series, std::string_view field);

// "<series>-<sequence>", the sequence zero-padded to 6 digits (more digits once past 999999):
// 2026-000123.
std::string document_number(std::string_view series, uint64_t sequence);

// The next number of `series` for a document issued on `issue_date`. FAILED_PRECONDITION
// naming issue_date if that is before the issue date of the series' last document (the same
// date is fine): nothing is assigned then.
Result<SeriesEvent> assign_number(const SeriesState& state, std::string_view series,
                                  Date issue_date, arflow::invoicing::v1::DocumentKind kind,
                                  std::string_view document_id, std::string_view invoice_id);

// The state of a series whose last number is `last`, which is all its row keeps. A date that
// is not one marks the state DATA_LOSS.
SeriesState state_after(const SeriesEvent& last);

SeriesState evolve(SeriesState state, const SeriesEvent& event);

}  // namespace arflow::invoicing
