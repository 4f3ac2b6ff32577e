#pragma once
// Numbering series: the state is the last sequence given out. Issuing a document decides
// against its series' state and takes last + 1 (a DocumentNumberAssigned, which the service
// keeps as the series' row; the document's own event carries the number). Since one writer
// (the command loop) runs the deciders one after the other and commits the document and the
// series' row in one batch, numbers are gapless and never reused, with no lock here.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "arflow/core/error.h"
#include "arflow/invoicing/v1/events.pb.h"

namespace arflow::invoicing {

struct SeriesState {
  std::string series;  // empty until the first number is assigned
  uint64_t last_sequence = 0;
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

// The next number of `series` for a document.
Result<SeriesEvent> assign_number(const SeriesState& state, std::string_view series,
                                  arflow::invoicing::v1::DocumentKind kind,
                                  std::string_view document_id, std::string_view invoice_id);

SeriesState evolve(SeriesState state, const SeriesEvent& event);

}  // namespace arflow::invoicing
