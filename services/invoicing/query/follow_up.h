#pragma once
// The follow-up table: the spreadsheet people keep to chase payments, one row per issued
// invoice, exported by ExportFollowUpTable as CSV or as an .xlsx workbook, streamed in
// chunks so that memory stays flat however many invoices a tenant has.
//
// Columns, in order (kFollowUpColumns):
//   Invoice number, Issue date, Customer id, Customer, Currency, Total, Amount due, Balance,
//   Due date, Last payment date, Payment state, Days late, Recipient status
//
// CSV (RFC 4180): UTF-8 with a byte-order mark (Excel reads a BOM-less file in the local
// code page and garbles accented names; other readers skip it), a header row, CRLF line
// ends, a field quoted only when it holds , " CR or LF, quotes doubled. Amounts are plain
// decimals with every decimal of their currency ("1234.50" EUR, "1234" JPY, "1.234" KWD), no
// sign or grouping (the Currency column says which); dates are YYYY-MM-DD; an absent value
// is an empty field. A text cell starting with = + - @ TAB or CR gets a leading apostrophe
// (OWASP's CSV injection rule) so that a spreadsheet does not run it as a formula; amounts,
// dates and days late are never altered.
//
// XLSX: one worksheet "Follow-up" with a bold, frozen header row and an autofilter over the
// columns; dates are Excel dates shown as yyyy-mm-dd, amounts numbers shown with their
// currency's decimals ("#,##0.00", JPY "#,##0"), days late an integer. Text cells are typed
// as text, so no injection guard is needed there. Written with libxlsxwriter's
// constant_memory mode (each row goes to a temporary file as the next one starts, strings
// inline), at most 1,048,575 invoices (Excel's row limit less the header).

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "arflow/core/error.h"
#include "arflow/core/money.h"
#include "arflow/invoicing/v1/invoicing_service.pb.h"
#include "invoicing/domain/model.h"

namespace arflow::invoicing {

inline constexpr std::array<std::string_view, 13> kFollowUpColumns = {
    "Invoice number", "Issue date", "Customer id",      "Customer", "Currency",
    "Total",          "Amount due", "Balance",          "Due date", "Last payment date",
    "Payment state",  "Days late",  "Recipient status",
};

// One row of the table, before it is written in a format. Absent optionals are empty cells.
struct FollowUpRow {
  std::string number;
  std::optional<Date> issue_date;
  std::string customer_id;
  std::string customer_name;  // the buyer's legal name as printed on the invoice
  std::string currency;
  std::optional<Money> total;
  std::optional<Money> amount_due;
  std::optional<Money> balance;
  std::optional<Date> due_date;
  std::optional<Date> last_payment_date;
  std::string_view payment_state;     // payment_state_label(status)
  int64_t days_late = 0;              // days_late(invoice, as_of)
  std::string_view recipient_status;  // recipient_status_label(status)
};

// "Unpaid" (ISSUED), "Partially paid", "Paid", "Void", "Uncollectible"; "" for a status that
// is never exported (draft, deleted, unspecified).
std::string_view payment_state_label(v1::InvoiceStatus status);

// What the recipient's platform reported, in words: "Received", "Disputed", "Service done",
// ...; "" while nothing was reported (UNSPECIFIED).
std::string_view recipient_status_label(v1::RecipientStatus status);

// Days late as of `as_of`:
//   open (ISSUED, PARTIALLY_PAID): max(0, as_of - due date);
//   PAID with a last payment date: max(0, last payment date - due date), so a settled
//     invoice keeps the lateness it was paid with;
//   otherwise (void, written off, no due date): 0.
int64_t days_late(const v1::Invoice& invoice, Date as_of);

// The row of an issued invoice. An amount or a date that is absent, or not valid (an unknown
// currency, 2026-02-30), is left empty; FollowUpExport::add refuses such an invoice instead,
// so an export never drops a value silently.
FollowUpRow follow_up_row(const v1::Invoice& invoice, Date as_of);

// Writes the table as the invoices come, and hands the file out in chunks:
//
//   auto out = FollowUpExport::create(format, as_of, temp_dir);    // then, if ok():
//   for each invoice: (*out)->add(invoice), send (*out)->take(kChunk)  // CSV streams at once
//   (*out)->finish(), then send take(kChunk) until it returns "", then check status()
//
// Not thread-safe. An invoice that add() refuses leaves the export usable; after a failure
// to write, every later add() and finish() returns that failure.
class FollowUpExport {
 public:
  // `format`: EXPORT_FORMAT_UNSPECIFIED means CSV. `as_of` is the day days late count to.
  // XLSX is assembled in a temporary file with a unique name under `temp_dir` (which should
  // be private to the service; libxlsxwriter puts its own temporary files there too).
  // INVALID_ARGUMENT for an unknown format or an invalid as_of; INTERNAL when the temporary
  // file or the workbook cannot be set up.
  static Result<std::unique_ptr<FollowUpExport>> create(v1::ExportFormat format, Date as_of,
                                                        const std::filesystem::path& temp_dir);

  ~FollowUpExport();  // removes any temporary file
  FollowUpExport(const FollowUpExport&) = delete;
  FollowUpExport& operator=(const FollowUpExport&) = delete;

  // "text/csv; charset=utf-8" or
  // "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".
  std::string_view content_type() const;
  // "follow-up-2026-11-23.csv" or ".xlsx": the as-of date.
  std::string file_name() const;

  // Appends the invoice's row. INVALID_ARGUMENT naming the field for an invoice without a
  // number (never issued) or with an invalid amount or date; FAILED_PRECONDITION after
  // finish(); OUT_OF_RANGE past the XLSX row limit; INTERNAL when libxlsxwriter fails.
  absl::Status add(const v1::Invoice& invoice);

  // The next bytes ready to send, at most `max_bytes` (and at most 4 MiB a call from the
  // XLSX file): CSV rows written so far (BOM and header included), so a caller that takes
  // after each add() holds about one row; XLSX nothing until finish(). After finish(), the
  // rest of the file, until it returns "".
  std::string take(size_t max_bytes);

  // Completes the file (XLSX: writes and closes the workbook, then opens it for take()).
  // FAILED_PRECONDITION when called twice.
  absl::Status finish();

  // OK, or the error that ended the export early, including one met by take() reading the
  // finished XLSX file (take() then returns ""): a caller checks it once take() returns "".
  absl::Status status() const { return error_; }

  // Rows added so far.
  size_t rows() const { return rows_; }

 private:
  class Xlsx;

  FollowUpExport(v1::ExportFormat format, Date as_of);

  absl::Status fail(absl::Status status);
  void append_csv_row(const FollowUpRow& row);
  std::string take_buffered(size_t max_bytes);
  std::string take_from_file(size_t max_bytes);

  v1::ExportFormat format_;
  Date as_of_;
  size_t rows_ = 0;
  bool finished_ = false;
  absl::Status error_;

  // CSV: bytes written and not yet taken start at buffer_[taken_].
  std::string buffer_;
  size_t taken_ = 0;

  // XLSX: the workbook while rows are added, then the finished file being read.
  std::unique_ptr<Xlsx> xlsx_;
  std::filesystem::path file_path_;
  struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  std::unique_ptr<std::FILE, FileCloser> file_;
};

}  // namespace arflow::invoicing
