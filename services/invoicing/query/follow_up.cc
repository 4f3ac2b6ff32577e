#include "invoicing/query/follow_up.h"

#include <fmt/format.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <system_error>
#include <utility>

#include "invoicing/domain/proto_convert.h"
#include "invoicing/query/filter.h"

namespace arflow::invoicing {

namespace {

using contract::iso_date;

constexpr std::string_view kCsvContentType = "text/csv; charset=utf-8";
constexpr std::string_view kXlsxContentType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr const char* kSheetName = "Follow-up";

// Column indexes, in kFollowUpColumns' order.
enum Column : lxw_col_t {
  kNumberColumn,
  kIssueDateColumn,
  kCustomerIdColumn,
  kCustomerColumn,
  kCurrencyColumn,
  kTotalColumn,
  kAmountDueColumn,
  kBalanceColumn,
  kDueDateColumn,
  kLastPaymentDateColumn,
  kPaymentStateColumn,
  kDaysLateColumn,
  kRecipientStatusColumn,
};

// XLSX column widths (in characters), in kFollowUpColumns' order.
constexpr std::array<double, kFollowUpColumns.size()> kColumnWidths = {
    16, 12, 16, 36, 9, 15, 15, 15, 12, 17, 15, 10, 20,
};

// The most decimals a currency has (ISO 4217: CLF, UYW); amounts in XLSX get a format each.
constexpr int kMaxExponent = 4;

// Unread CSV bytes are moved to the front of the buffer once this many were taken.
constexpr size_t kCompactAfter = size_t{64} * 1024;

// Builds the row and remembers the first value that is present but invalid (`field` names
// it in the error).
class RowBuilder {
 public:
  explicit RowBuilder(const v1::Invoice& invoice) : invoice_(invoice) {}

  std::optional<Money> amount(bool has, const common::Money& money, std::string_view field) {
    if (!has) {
      return std::nullopt;
    }
    auto converted = from_proto(money, field);
    if (!converted.ok()) {
      note(converted.status());
      return std::nullopt;
    }
    return *converted;
  }

  template <class ProtoDate>
  std::optional<Date> date(bool has, const ProtoDate& date, std::string_view field) {
    if (!has) {
      return std::nullopt;
    }
    auto converted = from_proto(date, field);
    if (!converted.ok()) {
      note(converted.status());
      return std::nullopt;
    }
    return *converted;
  }

  FollowUpRow build(Date as_of) {
    const v1::Invoice& in = invoice_;
    if (in.number().empty()) {
      note(invalid_field("invoice.number", "must be set: only issued invoices are exported"));
    }
    return FollowUpRow{
        .number = in.number(),
        .issue_date = date(in.has_issue_date(), in.issue_date(), "invoice.issue_date"),
        .customer_id = in.customer_id(),
        .customer_name = in.customer().legal_name(),
        .currency = std::string(invoice_currency(in)),
        .total = amount(in.has_total(), in.total(), "invoice.total"),
        .amount_due = amount(in.has_amount_due(), in.amount_due(), "invoice.amount_due"),
        .balance = amount(in.has_balance(), in.balance(), "invoice.balance"),
        .due_date = date(in.has_due_date(), in.due_date(), "invoice.due_date"),
        .last_payment_date =
            date(in.has_last_payment_date(), in.last_payment_date(), "invoice.last_payment_date"),
        .payment_state = payment_state_label(in.status()),
        .days_late = days_late(in, as_of),
        .recipient_status = recipient_status_label(in.recipient_status()),
    };
  }

  const absl::Status& problem() const { return problem_; }

 private:
  void note(absl::Status status) {
    if (problem_.ok()) {
      problem_ = std::move(status);
    }
  }

  const v1::Invoice& invoice_;
  absl::Status problem_;
};

template <class ProtoDate>
std::optional<Date> valid_date(bool has, const ProtoDate& date) {
  if (!has) {
    return std::nullopt;
  }
  auto converted = from_proto(date, "date");
  if (!converted.ok()) {
    return std::nullopt;
  }
  return *converted;
}

int64_t days_between(Date from, Date to) {
  return (std::chrono::sys_days(to) - std::chrono::sys_days(from)).count();
}

// "1234.50": format() without its currency code.
std::string plain_amount(const Money& money) {
  std::string text = format(money);
  if (const size_t space = text.rfind(' '); space != std::string::npos) {
    text.resize(space);
  }
  return text;
}

// OWASP's CSV injection rule: these make a spreadsheet read a cell as a formula.
bool starts_like_formula(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  const char first = text.front();
  return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' ||
         first == '\r';
}

// One RFC 4180 field; `text_cell` for what a person typed (names, ids), which is guarded
// against formula injection. Numbers and dates we formatted ourselves are not.
void append_csv_field(std::string& out, std::string_view value, bool text_cell) {
  const bool guard = text_cell && starts_like_formula(value);
  const bool quote = value.find_first_of(",\"\r\n") != std::string_view::npos;
  if (quote) {
    out += '"';
  }
  if (guard) {
    out += '\'';
  }
  for (const char c : value) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  if (quote) {
    out += '"';
  }
}

void append_csv_header(std::string& out) {
  for (size_t c = 0; c < kFollowUpColumns.size(); ++c) {
    if (c > 0) {
      out += ',';
    }
    append_csv_field(out, kFollowUpColumns[c], /*text_cell=*/false);
  }
  out += "\r\n";
}

absl::Status xlsx_status(lxw_error error, std::string_view what) {
  if (error == LXW_NO_ERROR) {
    return absl::OkStatus();
  }
  return absl::InternalError(
      fmt::format("follow-up xlsx: {} failed: {}", what, lxw_strerror(error)));
}

std::string errno_message(int error) {
  return std::error_code(error, std::generic_category()).message();
}

}  // namespace

// ----- Rows ---------------------------------------------------------------------------------

std::string_view payment_state_label(v1::InvoiceStatus status) {
  switch (status) {
    case v1::INVOICE_STATUS_ISSUED:
      return "Unpaid";
    case v1::INVOICE_STATUS_PARTIALLY_PAID:
      return "Partially paid";
    case v1::INVOICE_STATUS_PAID:
      return "Paid";
    case v1::INVOICE_STATUS_VOID:
      return "Void";
    case v1::INVOICE_STATUS_UNCOLLECTIBLE:
      return "Uncollectible";
    default:
      return "";
  }
}

std::string_view recipient_status_label(v1::RecipientStatus status) {
  switch (status) {
    case v1::RECIPIENT_STATUS_RECEIVED:
      return "Received";
    case v1::RECIPIENT_STATUS_MADE_AVAILABLE:
      return "Made available";
    case v1::RECIPIENT_STATUS_APPROVED:
      return "Approved";
    case v1::RECIPIENT_STATUS_PARTIALLY_APPROVED:
      return "Partially approved";
    case v1::RECIPIENT_STATUS_DISPUTED:
      return "Disputed";
    case v1::RECIPIENT_STATUS_SUSPENDED:
      return "Suspended";
    case v1::RECIPIENT_STATUS_TO_BE_RECYCLED:
      return "To be recycled";
    case v1::RECIPIENT_STATUS_SERVICE_DONE:
      return "Service done";
    case v1::RECIPIENT_STATUS_MANDATED:
      return "Mandated";
    case v1::RECIPIENT_STATUS_PAYMENT_TRANSMITTED:
      return "Payment transmitted";
    case v1::RECIPIENT_STATUS_REFUSED:
      return "Refused";
    case v1::RECIPIENT_STATUS_COLLECTED:
      return "Collected";
    default:
      return "";
  }
}

int64_t days_late(const v1::Invoice& invoice, Date as_of) {
  const std::optional<Date> due = valid_date(invoice.has_due_date(), invoice.due_date());
  if (!due) {
    return 0;
  }
  if (is_open(invoice.status())) {
    return std::max<int64_t>(0, days_between(*due, as_of));
  }
  if (invoice.status() == v1::INVOICE_STATUS_PAID) {
    const std::optional<Date> paid =
        valid_date(invoice.has_last_payment_date(), invoice.last_payment_date());
    if (paid) {
      return std::max<int64_t>(0, days_between(*due, *paid));
    }
  }
  return 0;
}

FollowUpRow follow_up_row(const v1::Invoice& invoice, Date as_of) {
  return RowBuilder(invoice).build(as_of);
}

// ----- XLSX ---------------------------------------------------------------------------------

// The workbook being written. Owns it until close(); destroying an unclosed one discards it
// without assembling the file.
class FollowUpExport::Xlsx {
 public:
  static Result<std::unique_ptr<Xlsx>> open(const std::filesystem::path& file,
                                            const std::filesystem::path& temp_dir) {
    auto xlsx = std::unique_ptr<Xlsx>(new Xlsx(temp_dir.string()));
    lxw_workbook_options options = {
        .constant_memory = LXW_TRUE, .tmpdir = xlsx->temp_dir_.data(), .use_zip64 = LXW_FALSE};
    xlsx->workbook_ = workbook_new_opt(file.c_str(), &options);
    if (xlsx->workbook_ == nullptr) {
      return absl::InternalError(
          fmt::format("follow-up xlsx: cannot start a workbook in {}", file.string()));
    }
    ARFLOW_RETURN_IF_ERROR(xlsx->set_up());
    return xlsx;
  }

  ~Xlsx() {
    if (workbook_ == nullptr) {
      return;
    }
    // lxw_workbook_free does not close the worksheet's row file (constant_memory mode);
    // workbook_close would, but only after assembling the whole file for nothing.
    if (sheet_ != nullptr && sheet_->optimize_tmpfile != nullptr) {
      std::fclose(sheet_->optimize_tmpfile);
      sheet_->optimize_tmpfile = nullptr;
    }
    lxw_workbook_free(workbook_);
  }

  Xlsx(const Xlsx&) = delete;
  Xlsx& operator=(const Xlsx&) = delete;

  absl::Status add_row(lxw_row_t row, const FollowUpRow& r) {
    ARFLOW_RETURN_IF_ERROR(text(row, kNumberColumn, r.number));
    ARFLOW_RETURN_IF_ERROR(date(row, kIssueDateColumn, r.issue_date));
    ARFLOW_RETURN_IF_ERROR(text(row, kCustomerIdColumn, r.customer_id));
    ARFLOW_RETURN_IF_ERROR(text(row, kCustomerColumn, r.customer_name));
    ARFLOW_RETURN_IF_ERROR(text(row, kCurrencyColumn, r.currency));
    ARFLOW_RETURN_IF_ERROR(amount(row, kTotalColumn, r.total));
    ARFLOW_RETURN_IF_ERROR(amount(row, kAmountDueColumn, r.amount_due));
    ARFLOW_RETURN_IF_ERROR(amount(row, kBalanceColumn, r.balance));
    ARFLOW_RETURN_IF_ERROR(date(row, kDueDateColumn, r.due_date));
    ARFLOW_RETURN_IF_ERROR(date(row, kLastPaymentDateColumn, r.last_payment_date));
    ARFLOW_RETURN_IF_ERROR(text(row, kPaymentStateColumn, r.payment_state));
    ARFLOW_RETURN_IF_ERROR(
        xlsx_status(worksheet_write_number(sheet_, row, kDaysLateColumn,
                                           static_cast<double>(r.days_late), nullptr),
                    "writing a number"));
    return text(row, kRecipientStatusColumn, r.recipient_status);
  }

  // Puts the autofilter over the header and `last_row`, and writes the file. The workbook
  // is gone afterwards, whatever the result.
  absl::Status close(lxw_row_t last_row) {
    const lxw_error filter = worksheet_autofilter(
        sheet_, 0, 0, last_row, static_cast<lxw_col_t>(kFollowUpColumns.size() - 1));
    if (filter != LXW_NO_ERROR) {
      return xlsx_status(filter, "setting the autofilter");
    }
    lxw_workbook* workbook = std::exchange(workbook_, nullptr);
    sheet_ = nullptr;
    return xlsx_status(workbook_close(workbook), "writing the workbook");
  }

 private:
  explicit Xlsx(std::string temp_dir) : temp_dir_(std::move(temp_dir)) {}

  absl::Status set_up() {
    sheet_ = workbook_add_worksheet(workbook_, kSheetName);
    header_format_ = workbook_add_format(workbook_);
    date_format_ = workbook_add_format(workbook_);
    if (sheet_ == nullptr || header_format_ == nullptr || date_format_ == nullptr) {
      return absl::InternalError("follow-up xlsx: cannot add the worksheet and its formats");
    }
    format_set_bold(header_format_);
    format_set_num_format(date_format_, "yyyy-mm-dd");
    for (size_t c = 0; c < kFollowUpColumns.size(); ++c) {
      const auto column = static_cast<lxw_col_t>(c);
      ARFLOW_RETURN_IF_ERROR(
          xlsx_status(worksheet_set_column(sheet_, column, column, kColumnWidths[c], nullptr),
                      "setting a column width"));
      const std::string title(kFollowUpColumns[c]);
      ARFLOW_RETURN_IF_ERROR(
          xlsx_status(worksheet_write_string(sheet_, 0, column, title.c_str(), header_format_),
                      "writing the header"));
    }
    worksheet_freeze_panes(sheet_, 1, 0);
    return absl::OkStatus();
  }

  absl::Status text(lxw_row_t row, lxw_col_t column, std::string_view value) {
    if (value.empty()) {
      return absl::OkStatus();
    }
    const std::string terminated(value);
    return xlsx_status(worksheet_write_string(sheet_, row, column, terminated.c_str(), nullptr),
                       "writing a string");
  }

  absl::Status date(lxw_row_t row, lxw_col_t column, std::optional<Date> value) {
    if (!value) {
      return absl::OkStatus();
    }
    const int year = static_cast<int>(value->year());
    if (year < 1900 || year > 9999) {  // outside Excel's calendar: keep it readable as text
      return text(row, column, iso_date(*value));
    }
    lxw_datetime datetime = {.year = year,
                             .month = static_cast<int>(static_cast<unsigned>(value->month())),
                             .day = static_cast<int>(static_cast<unsigned>(value->day())),
                             .hour = 0,
                             .min = 0,
                             .sec = 0};
    return xlsx_status(worksheet_write_datetime(sheet_, row, column, &datetime, date_format_),
                       "writing a date");
  }

  absl::Status amount(lxw_row_t row, lxw_col_t column, const std::optional<Money>& value) {
    if (!value) {
      return absl::OkStatus();
    }
    lxw_format* format = nullptr;
    ARFLOW_RETURN_IF_ERROR(amount_format(value->exponent(), &format));
    double scale = 1;
    for (int i = 0; i < value->exponent(); ++i) {
      scale *= 10;
    }
    const double number = static_cast<double>(value->minor_units()) / scale;
    return xlsx_status(worksheet_write_number(sheet_, row, column, number, format),
                       "writing an amount");
  }

  // "#,##0" for a currency without decimals, "#,##0.00" for two, ...; made once each.
  absl::Status amount_format(int exponent, lxw_format** format) {
    if (exponent < 0 || exponent > kMaxExponent) {
      *format = nullptr;  // General: every digit shows
      return absl::OkStatus();
    }
    auto& slot = amount_formats_[static_cast<size_t>(exponent)];
    if (slot == nullptr) {
      slot = workbook_add_format(workbook_);
      if (slot == nullptr) {
        return absl::InternalError("follow-up xlsx: cannot add an amount format");
      }
      std::string pattern = "#,##0";
      if (exponent > 0) {
        pattern += '.';
        pattern.append(static_cast<size_t>(exponent), '0');
      }
      format_set_num_format(slot, pattern.c_str());
    }
    *format = slot;
    return absl::OkStatus();
  }

  std::string temp_dir_;  // outlives the workbook, which keeps a pointer to it
  lxw_workbook* workbook_ = nullptr;
  lxw_worksheet* sheet_ = nullptr;  // owned by the workbook, like the formats
  lxw_format* header_format_ = nullptr;
  lxw_format* date_format_ = nullptr;
  std::array<lxw_format*, kMaxExponent + 1> amount_formats_{};
};

// ----- The export ---------------------------------------------------------------------------

Result<std::unique_ptr<FollowUpExport>> FollowUpExport::create(
    v1::ExportFormat format, Date as_of, const std::filesystem::path& temp_dir) {
  if (format == v1::EXPORT_FORMAT_UNSPECIFIED) {
    format = v1::EXPORT_FORMAT_CSV;
  }
  if (format != v1::EXPORT_FORMAT_CSV && format != v1::EXPORT_FORMAT_XLSX) {
    return invalid_field("format", "must be CSV or XLSX");
  }
  if (!as_of.ok()) {
    return invalid_field("as_of", "must be a valid date");
  }
  auto out = std::unique_ptr<FollowUpExport>(new FollowUpExport(format, as_of));
  if (format == v1::EXPORT_FORMAT_CSV) {
    out->buffer_ = kUtf8Bom;
    append_csv_header(out->buffer_);
    return out;
  }

  // A unique name, created exclusively; libxlsxwriter rewrites it when the workbook closes.
  std::string name = (temp_dir / "arflow-follow-up-XXXXXX.xlsx").string();
  const int fd = ::mkstemps(name.data(), static_cast<int>(std::string_view(".xlsx").size()));
  if (fd < 0) {
    return absl::InternalError(
        fmt::format("follow-up xlsx: cannot create a temporary file in {}: {}", temp_dir.string(),
                    errno_message(errno)));
  }
  ::close(fd);
  out->file_path_ = name;  // removed by the destructor from here on
  auto xlsx = Xlsx::open(out->file_path_, temp_dir);
  if (!xlsx.ok()) {
    return xlsx.status();
  }
  out->xlsx_ = *std::move(xlsx);
  return out;
}

FollowUpExport::FollowUpExport(v1::ExportFormat format, Date as_of)
    : format_(format), as_of_(as_of) {}

FollowUpExport::~FollowUpExport() {
  file_.reset();
  xlsx_.reset();
  if (!file_path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove(file_path_, ignored);
  }
}

std::string_view FollowUpExport::content_type() const {
  return format_ == v1::EXPORT_FORMAT_XLSX ? kXlsxContentType : kCsvContentType;
}

std::string FollowUpExport::file_name() const {
  return fmt::format("follow-up-{}.{}", iso_date(as_of_),
                     format_ == v1::EXPORT_FORMAT_XLSX ? "xlsx" : "csv");
}

absl::Status FollowUpExport::add(const v1::Invoice& invoice) {
  ARFLOW_RETURN_IF_ERROR(error_);
  if (finished_) {
    return precondition_failed("the follow-up export is finished: no more rows can be added");
  }
  RowBuilder builder(invoice);
  const FollowUpRow row = builder.build(as_of_);
  ARFLOW_RETURN_IF_ERROR(builder.problem());
  if (format_ == v1::EXPORT_FORMAT_CSV) {
    append_csv_row(row);
  } else {
    // Row 0 is the header; Excel has LXW_ROW_MAX rows in all.
    if (rows_ + 1 >= LXW_ROW_MAX) {
      return absl::OutOfRangeError(fmt::format(
          "the xlsx follow-up table holds at most {} invoices; export CSV or narrow the filter",
          LXW_ROW_MAX - 1));
    }
    ARFLOW_RETURN_IF_ERROR(fail(xlsx_->add_row(static_cast<lxw_row_t>(rows_ + 1), row)));
  }
  ++rows_;
  return absl::OkStatus();
}

std::string FollowUpExport::take(size_t max_bytes) {
  if (format_ == v1::EXPORT_FORMAT_CSV) {
    return take_buffered(max_bytes);
  }
  return take_from_file(max_bytes);
}

absl::Status FollowUpExport::finish() {
  ARFLOW_RETURN_IF_ERROR(error_);
  if (finished_) {
    return precondition_failed("the follow-up export is already finished");
  }
  finished_ = true;
  if (format_ == v1::EXPORT_FORMAT_CSV) {
    return absl::OkStatus();
  }
  ARFLOW_RETURN_IF_ERROR(fail(xlsx_->close(static_cast<lxw_row_t>(rows_))));
  xlsx_.reset();
  file_.reset(std::fopen(file_path_.c_str(), "rb"));
  if (file_ == nullptr) {
    return fail(absl::InternalError(fmt::format("follow-up xlsx: cannot read {}: {}",
                                                file_path_.string(), errno_message(errno))));
  }
  return absl::OkStatus();
}

absl::Status FollowUpExport::fail(absl::Status status) {
  if (!status.ok() && error_.ok()) {
    error_ = status;
  }
  return status;
}

void FollowUpExport::append_csv_row(const FollowUpRow& row) {
  std::string& out = buffer_;
  const auto text = [&out](std::string_view value) {
    append_csv_field(out, value, /*text_cell=*/true);
    out += ',';
  };
  const auto value = [&out](std::string_view formatted) {
    append_csv_field(out, formatted, /*text_cell=*/false);
    out += ',';
  };
  const auto date = [&value](const std::optional<Date>& d) { value(d ? iso_date(*d) : ""); };
  const auto amount = [&value](const std::optional<Money>& m) { value(m ? plain_amount(*m) : ""); };
  text(row.number);
  date(row.issue_date);
  text(row.customer_id);
  text(row.customer_name);
  text(row.currency);
  amount(row.total);
  amount(row.amount_due);
  amount(row.balance);
  date(row.due_date);
  date(row.last_payment_date);
  text(row.payment_state);
  value(std::to_string(row.days_late));
  append_csv_field(out, row.recipient_status, /*text_cell=*/true);
  out += "\r\n";
}

std::string FollowUpExport::take_buffered(size_t max_bytes) {
  const size_t n = std::min(max_bytes, buffer_.size() - taken_);
  std::string chunk = buffer_.substr(taken_, n);
  taken_ += n;
  if (taken_ == buffer_.size()) {
    buffer_.clear();
    taken_ = 0;
  } else if (taken_ >= kCompactAfter && taken_ * 2 >= buffer_.size()) {
    buffer_.erase(0, taken_);
    taken_ = 0;
  }
  return chunk;
}

std::string FollowUpExport::take_from_file(size_t max_bytes) {
  if (file_ == nullptr || max_bytes == 0) {
    return "";
  }
  // A chunk is what a message can carry: never allocate more than that per call.
  constexpr size_t kMaxChunk = size_t{4} * 1024 * 1024;
  std::string chunk(std::min(max_bytes, kMaxChunk), '\0');
  const size_t n = std::fread(chunk.data(), 1, chunk.size(), file_.get());
  if (n < chunk.size() && std::ferror(file_.get()) != 0) {
    // take() cannot return the error: status() reports it once take() returns "".
    static_cast<void>(fail(absl::InternalError(
        fmt::format("follow-up xlsx: reading {} failed", file_path_.string()))));
    file_.reset();
    return "";
  }
  chunk.resize(n);
  return chunk;
}

}  // namespace arflow::invoicing
