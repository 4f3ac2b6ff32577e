// The follow-up table: the days-late rule, the row, and the CSV and XLSX files streamed in
// chunks.
#include "invoicing/query/follow_up.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace arflow::invoicing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

Date day(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

void put(auto* out, Date date) {
  out->set_year(static_cast<int>(date.year()));
  out->set_month(static_cast<unsigned>(date.month()));
  out->set_day(static_cast<unsigned>(date.day()));
}

void put_money(::arflow::common::v1::Money* out, int64_t minor_units, const std::string& currency) {
  out->set_minor_units(minor_units);
  out->set_currency(currency);
}

const Date kAsOf = day(2026, 11, 23);

// Issued 2026-10-01, due 2026-10-31: 1234.50 EUR, 1000.00 due after a deposit, 400.00 paid.
v1::Invoice invoice() {
  v1::Invoice in;
  in.set_invoice_id("inv-1");
  in.set_customer_id("c-42");
  in.set_status(v1::INVOICE_STATUS_PARTIALLY_PAID);
  in.mutable_content()->set_currency("EUR");
  in.set_series("2026");
  in.set_number("2026-000001");
  put(in.mutable_issue_date(), day(2026, 10, 1));
  put(in.mutable_due_date(), day(2026, 10, 31));
  put(in.mutable_last_payment_date(), day(2026, 11, 2));
  in.mutable_customer()->set_legal_name("Société Générale");
  put_money(in.mutable_total(), 123450, "EUR");
  put_money(in.mutable_amount_due(), 100000, "EUR");
  put_money(in.mutable_balance(), 60000, "EUR");
  in.set_recipient_status(v1::RECIPIENT_STATUS_SERVICE_DONE);
  return in;
}

v1::Invoice in_currency(const std::string& currency, int64_t total, int64_t due, int64_t balance) {
  v1::Invoice in = invoice();
  in.mutable_content()->set_currency(currency);
  put_money(in.mutable_total(), total, currency);
  put_money(in.mutable_amount_due(), due, currency);
  put_money(in.mutable_balance(), balance, currency);
  return in;
}

// ----- Days late and the row ----------------------------------------------------------------

TEST(FollowUpRowTest, OpenInvoicesAreLateFromTheDayAfterTheDueDate) {
  v1::Invoice in = invoice();  // due 2026-10-31
  for (v1::InvoiceStatus open : {v1::INVOICE_STATUS_ISSUED, v1::INVOICE_STATUS_PARTIALLY_PAID}) {
    in.set_status(open);
    EXPECT_EQ(days_late(in, day(2026, 11, 23)), 23);
    EXPECT_EQ(days_late(in, day(2026, 11, 1)), 1);
    EXPECT_EQ(days_late(in, day(2026, 10, 31)), 0);  // due today
    EXPECT_EQ(days_late(in, day(2026, 10, 2)), 0);   // not yet due: never negative
    EXPECT_EQ(days_late(in, day(2027, 1, 1)), 62);   // across a year end
  }
}

TEST(FollowUpRowTest, PaidInvoicesKeepTheLatenessTheyWerePaidWith) {
  v1::Invoice in = invoice();  // due 2026-10-31
  in.set_status(v1::INVOICE_STATUS_PAID);
  put(in.mutable_last_payment_date(), day(2026, 11, 10));
  EXPECT_EQ(days_late(in, kAsOf), 10);
  EXPECT_EQ(days_late(in, day(2027, 6, 1)), 10);  // as of any later day
  put(in.mutable_last_payment_date(), day(2026, 10, 20));
  EXPECT_EQ(days_late(in, kAsOf), 0);  // paid early
  put(in.mutable_last_payment_date(), day(2026, 10, 31));
  EXPECT_EQ(days_late(in, kAsOf), 0);  // paid on the due date
  in.clear_last_payment_date();        // settled by credit notes: no payment date
  EXPECT_EQ(days_late(in, kAsOf), 0);
}

TEST(FollowUpRowTest, ClosedInvoicesAreNeverLate) {
  v1::Invoice in = invoice();
  for (v1::InvoiceStatus closed : {v1::INVOICE_STATUS_VOID, v1::INVOICE_STATUS_UNCOLLECTIBLE}) {
    in.set_status(closed);
    EXPECT_EQ(days_late(in, kAsOf), 0) << closed;
  }
  in.set_status(v1::INVOICE_STATUS_ISSUED);
  in.clear_due_date();
  EXPECT_EQ(days_late(in, kAsOf), 0);
}

TEST(FollowUpRowTest, RowCarriesEveryColumn) {
  const FollowUpRow row = follow_up_row(invoice(), kAsOf);
  EXPECT_EQ(row.number, "2026-000001");
  EXPECT_EQ(row.issue_date, day(2026, 10, 1));
  EXPECT_EQ(row.customer_id, "c-42");
  EXPECT_EQ(row.customer_name, "Société Générale");
  EXPECT_EQ(row.currency, "EUR");
  EXPECT_EQ(row.total, Money::of(123450, "EUR").value());
  EXPECT_EQ(row.amount_due, Money::of(100000, "EUR").value());
  EXPECT_EQ(row.balance, Money::of(60000, "EUR").value());
  EXPECT_EQ(row.due_date, day(2026, 10, 31));
  EXPECT_EQ(row.last_payment_date, day(2026, 11, 2));
  EXPECT_EQ(row.payment_state, "Partially paid");
  EXPECT_EQ(row.days_late, 23);
  EXPECT_EQ(row.recipient_status, "Service done");

  v1::Invoice bare = invoice();
  bare.clear_last_payment_date();
  bare.clear_balance();
  bare.set_recipient_status(v1::RECIPIENT_STATUS_UNSPECIFIED);
  const FollowUpRow sparse = follow_up_row(bare, kAsOf);
  EXPECT_EQ(sparse.last_payment_date, std::nullopt);
  EXPECT_EQ(sparse.balance, std::nullopt);
  EXPECT_EQ(sparse.recipient_status, "");
}

TEST(FollowUpRowTest, LabelsAreWordsForPeople) {
  EXPECT_EQ(payment_state_label(v1::INVOICE_STATUS_ISSUED), "Unpaid");
  EXPECT_EQ(payment_state_label(v1::INVOICE_STATUS_PARTIALLY_PAID), "Partially paid");
  EXPECT_EQ(payment_state_label(v1::INVOICE_STATUS_PAID), "Paid");
  EXPECT_EQ(payment_state_label(v1::INVOICE_STATUS_VOID), "Void");
  EXPECT_EQ(payment_state_label(v1::INVOICE_STATUS_UNCOLLECTIBLE), "Uncollectible");
  EXPECT_EQ(payment_state_label(v1::INVOICE_STATUS_DRAFT), "");
  EXPECT_EQ(recipient_status_label(v1::RECIPIENT_STATUS_DISPUTED), "Disputed");
  EXPECT_EQ(recipient_status_label(v1::RECIPIENT_STATUS_SERVICE_DONE), "Service done");
  EXPECT_EQ(recipient_status_label(v1::RECIPIENT_STATUS_TO_BE_RECYCLED), "To be recycled");
  EXPECT_EQ(recipient_status_label(v1::RECIPIENT_STATUS_PAYMENT_TRANSMITTED),
            "Payment transmitted");
  EXPECT_EQ(recipient_status_label(v1::RECIPIENT_STATUS_UNSPECIFIED), "");
  // Every reported status has words.
  for (int s = v1::RecipientStatus_MIN + 1; s <= v1::RecipientStatus_MAX; ++s) {
    EXPECT_NE(recipient_status_label(static_cast<v1::RecipientStatus>(s)), "") << s;
  }
}

// ----- Helpers for the files ----------------------------------------------------------------

std::unique_ptr<FollowUpExport> make_export(v1::ExportFormat format,
                                            const std::filesystem::path& temp_dir) {
  auto created = FollowUpExport::create(format, kAsOf, temp_dir);
  EXPECT_TRUE(created.ok()) << created.status();
  return created.ok() ? *std::move(created) : nullptr;
}

// Everything take() hands out after finish(), in chunks of at most `chunk` bytes.
std::string drain(FollowUpExport& out, size_t chunk = 1000) {
  std::string all;
  while (true) {
    std::string part = out.take(chunk);
    EXPECT_LE(part.size(), chunk);
    if (part.empty()) {
      return all;
    }
    all += part;
  }
}

std::string csv_of(const std::vector<v1::Invoice>& invoices) {
  testing::TempDir dir;
  auto out = make_export(v1::EXPORT_FORMAT_CSV, dir.path());
  for (const v1::Invoice& in : invoices) {
    EXPECT_TRUE(out->add(in).ok());
  }
  EXPECT_TRUE(out->finish().ok());
  return drain(*out);
}

// The CSV lines after the BOM, without their CRLF.
std::vector<std::string> csv_lines(const std::string& csv) {
  std::vector<std::string> lines;
  size_t start = 3;
  while (start < csv.size()) {
    const size_t end = csv.find("\r\n", start);
    if (end == std::string::npos) {
      lines.push_back(csv.substr(start));
      break;
    }
    lines.push_back(csv.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

// Runs a shell command and returns its standard output ("" and a test failure on error).
std::string run(const std::string& command) {
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return "";
  }
  std::string out;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    out.append(buffer, n);
  }
  const int rc = ::pclose(pipe);
  EXPECT_EQ(rc, 0) << command;
  return out;
}

// Writes the workbook's bytes to `dir` and returns the member of the zip (via unzip(1)).
std::string unzip(const testing::TempDir& dir, const std::string& xlsx, const std::string& member) {
  const std::string path = dir.sub("book.xlsx");
  std::ofstream(path, std::ios::binary) << xlsx;
  return run(fmt::format("unzip -p '{}' '{}'", path, member));
}

// The XML of one cell of sheet1.xml, e.g. cell(sheet, "B2").
std::string cell(const std::string& sheet, const std::string& ref) {
  std::smatch match;
  const std::regex pattern("<c r=\"" + ref + "\"[^>]*>.*?</c>");
  return std::regex_search(sheet, match, pattern) ? match.str() : "";
}

// The number format a cell is shown with: its style (s="N") is the N-th <xf> of cellXfs,
// whose numFmtId names a custom <numFmt> of styles.xml. "" when the cell has none.
std::string number_format(const std::string& styles, const std::string& cell_xml) {
  std::smatch style;
  if (!std::regex_search(cell_xml, style, std::regex(" s=\"([0-9]+)\""))) {
    return "";
  }
  const size_t cell_xfs = styles.find("<cellXfs");
  if (cell_xfs == std::string::npos) {
    return "";
  }
  const std::regex xf("<xf numFmtId=\"([0-9]+)\"");
  auto it = std::sregex_iterator(styles.begin() + static_cast<std::ptrdiff_t>(cell_xfs),
                                 styles.end(), xf);
  for (int n = std::stoi(style[1].str()); n > 0 && it != std::sregex_iterator(); --n) {
    ++it;
  }
  if (it == std::sregex_iterator()) {
    return "";
  }
  std::smatch format;
  const std::regex num_fmt("<numFmt numFmtId=\"" + (*it)[1].str() + "\" formatCode=\"([^\"]*)\"");
  return std::regex_search(styles, format, num_fmt) ? format[1].str() : "";
}

// ----- CSV ----------------------------------------------------------------------------------

TEST(FollowUpCsvTest, NamesTheFileAndItsType) {
  testing::TempDir dir;
  auto csv = make_export(v1::EXPORT_FORMAT_UNSPECIFIED, dir.path());
  EXPECT_EQ(csv->content_type(), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->file_name(), "follow-up-2026-11-23.csv");
  auto xlsx = make_export(v1::EXPORT_FORMAT_XLSX, dir.path());
  EXPECT_EQ(xlsx->content_type(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(xlsx->file_name(), "follow-up-2026-11-23.xlsx");
}

TEST(FollowUpCsvTest, StartsWithABomAndAHeaderAndEndsLinesWithCrLf) {
  const std::string csv = csv_of({invoice()});
  EXPECT_THAT(csv, StartsWith("\xEF\xBB\xBF"
                              "Invoice number,Issue date,Customer id,Customer,Currency,Total,"
                              "Amount due,Balance,Due date,Last payment date,Payment state,"
                              "Days late,Recipient status\r\n"));
  EXPECT_EQ(csv.substr(csv.size() - 2), "\r\n");
  // No bare LF anywhere: every '\n' follows a '\r'.
  for (size_t i = 0; i < csv.size(); ++i) {
    if (csv[i] == '\n') {
      EXPECT_EQ(csv[i - 1], '\r') << i;
    }
  }
  const auto lines = csv_lines(csv);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1],
            "2026-000001,2026-10-01,c-42,Société Générale,EUR,1234.50,1000.00,600.00,2026-10-31,"
            "2026-11-02,Partially paid,23,Service done");
}

TEST(FollowUpCsvTest, AmountsHaveTheirCurrencysDecimals) {
  const auto lines = csv_lines(csv_of({
      in_currency("EUR", 123450, 5, 0),
      in_currency("JPY", 123450, 5, 0),
      in_currency("KWD", 123450, 5, -1),
  }));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[1], HasSubstr(",EUR,1234.50,0.05,0.00,"));
  EXPECT_THAT(lines[2], HasSubstr(",JPY,123450,5,0,"));
  EXPECT_THAT(lines[3], HasSubstr(",KWD,123.450,0.005,-0.001,"));  // not guarded: an amount
}

TEST(FollowUpCsvTest, QuotesFieldsThatNeedIt) {
  v1::Invoice in = invoice();
  in.mutable_customer()->set_legal_name("Dupont, Fils & \"Cie\"");
  in.set_customer_id("line\nbreak");
  const auto csv = csv_of({in});
  EXPECT_THAT(csv, HasSubstr(",\"line\nbreak\",\"Dupont, Fils & \"\"Cie\"\"\",EUR,"));
  in.mutable_customer()->set_legal_name("carriage\rreturn");
  EXPECT_THAT(csv_of({in}), HasSubstr(",\"carriage\rreturn\","));
}

TEST(FollowUpCsvTest, GuardsTextCellsAgainstFormulaInjection) {
  v1::Invoice in = invoice();
  in.mutable_customer()->set_legal_name("=HYPERLINK(\"http://x\",\"y\")");
  in.set_customer_id("-c1");
  const auto lines = csv_lines(csv_of({in}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[1], HasSubstr(",'-c1,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",EUR,"));
  for (std::string_view start : {"+", "@", "\t"}) {
    in.mutable_customer()->set_legal_name(fmt::format("{}SUM(A1)", start));
    EXPECT_THAT(csv_lines(csv_of({in}))[1], HasSubstr(fmt::format(",'{}SUM(A1),", start)));
  }
  in.mutable_customer()->set_legal_name("\rSUM(A1)");
  EXPECT_THAT(csv_of({in}), HasSubstr(",\"'\rSUM(A1)\","));
  in.mutable_customer()->set_legal_name("Acme = Co");  // only the first character counts
  EXPECT_THAT(csv_of({in}), HasSubstr(",Acme = Co,"));
}

TEST(FollowUpCsvTest, AbsentValuesAreEmptyFields) {
  v1::Invoice in = invoice();
  in.set_status(v1::INVOICE_STATUS_ISSUED);
  in.clear_last_payment_date();
  in.clear_balance();
  in.set_recipient_status(v1::RECIPIENT_STATUS_UNSPECIFIED);
  const auto lines = csv_lines(csv_of({in}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1],
            "2026-000001,2026-10-01,c-42,Société Générale,EUR,1234.50,1000.00,,2026-10-31,,"
            "Unpaid,23,");
}

TEST(FollowUpCsvTest, StreamsRowsAsTheyAreAdded) {
  testing::TempDir dir;
  auto out = make_export(v1::EXPORT_FORMAT_CSV, dir.path());
  const std::string header = out->take(5);
  EXPECT_EQ(header, "\xEF\xBB\xBFIn");
  EXPECT_THAT(out->take(1 << 20), StartsWith("voice number,"));
  EXPECT_EQ(out->take(1 << 20), "");
  ASSERT_TRUE(out->add(invoice()).ok());
  EXPECT_THAT(out->take(1 << 20), StartsWith("2026-000001,"));  // before finish()
  EXPECT_EQ(out->rows(), 1u);
}

TEST(FollowUpCsvTest, RefusesInvoicesThatCannotBeExportedAndGoesOn) {
  testing::TempDir dir;
  auto out = make_export(v1::EXPORT_FORMAT_CSV, dir.path());
  v1::Invoice no_number = invoice();
  no_number.clear_number();
  absl::Status status = out->add(no_number);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "invoice.number must be set: only issued invoices are exported");

  v1::Invoice bad_currency = invoice();
  bad_currency.mutable_balance()->set_currency("XXX1");
  status = out->add(bad_currency);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("invoice.balance"));

  v1::Invoice bad_date = invoice();
  bad_date.mutable_due_date()->set_day(30);
  bad_date.mutable_due_date()->set_month(2);  // 2026-02-30
  status = out->add(bad_date);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("invoice.due_date"));

  EXPECT_TRUE(out->add(invoice()).ok());
  EXPECT_EQ(out->rows(), 1u);
  ASSERT_TRUE(out->finish().ok());
  EXPECT_EQ(csv_lines(drain(*out)).size(), 2u);  // header + the one good row
}

TEST(FollowUpCsvTest, NothingCanBeAddedOnceFinished) {
  testing::TempDir dir;
  auto out = make_export(v1::EXPORT_FORMAT_CSV, dir.path());
  ASSERT_TRUE(out->finish().ok());
  EXPECT_EQ(out->add(invoice()).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out->finish().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(out->status().ok());
}

TEST(FollowUpCsvTest, RefusesAnUnknownFormat) {
  testing::TempDir dir;
  auto created = FollowUpExport::create(static_cast<v1::ExportFormat>(9), kAsOf, dir.path());
  EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(created.status().message(), "format must be CSV or XLSX");
}

TEST(FollowUpCsvTest, HundredThousandRowsStreamInBoundedChunks) {
  testing::TempDir dir;
  auto out = make_export(v1::EXPORT_FORMAT_CSV, dir.path());
  constexpr size_t kChunk = 4096;
  constexpr int kRows = 100'000;
  size_t total = 0;
  size_t chunks = 0;
  size_t line_ends = 0;
  const auto send = [&](const std::string& chunk) {
    ASSERT_LE(chunk.size(), kChunk);
    total += chunk.size();
    chunks += chunk.empty() ? 0u : 1u;
    for (size_t at = chunk.find('\n'); at != std::string::npos; at = chunk.find('\n', at + 1)) {
      ++line_ends;
    }
  };
  v1::Invoice in = invoice();
  for (int i = 0; i < kRows; ++i) {
    in.set_number(fmt::format("2026-{:06}", i + 1));
    ASSERT_TRUE(out->add(in).ok());
    send(out->take(kChunk));  // a caller sends as it goes: nothing piles up
  }
  ASSERT_TRUE(out->finish().ok());
  for (std::string chunk = out->take(kChunk); !chunk.empty(); chunk = out->take(kChunk)) {
    send(chunk);
  }
  EXPECT_EQ(line_ends, static_cast<size_t>(kRows) + 1);
  EXPECT_GT(chunks, total / kChunk);
  EXPECT_GT(total, static_cast<size_t>(kRows) * 100);
}

// ----- XLSX ---------------------------------------------------------------------------------

TEST(FollowUpXlsxTest, IsAWorkbookWithTypedCells) {
  testing::TempDir dir;
  auto out = make_export(v1::EXPORT_FORMAT_XLSX, dir.path());
  v1::Invoice formula = invoice();
  formula.set_number("2026-000002");
  formula.mutable_customer()->set_legal_name("=1+1 & <Co>");
  formula.set_status(v1::INVOICE_STATUS_PAID);
  ASSERT_TRUE(out->add(invoice()).ok());
  ASSERT_TRUE(out->add(formula).ok());
  ASSERT_TRUE(out->add(in_currency("JPY", 123450, 5, 0)).ok());
  ASSERT_TRUE(out->add(in_currency("KWD", 123450, 5, -1)).ok());
  EXPECT_EQ(out->take(1000), "");  // nothing before finish()
  ASSERT_TRUE(out->finish().ok());
  const std::string xlsx = drain(*out, 777);
  EXPECT_TRUE(out->status().ok());
  ASSERT_THAT(xlsx, StartsWith("PK\x03\x04"));

  const std::string sheet = unzip(dir, xlsx, "xl/worksheets/sheet1.xml");
  // constant_memory writes strings inline: no shared strings table.
  EXPECT_THAT(run(fmt::format("unzip -l '{}'", dir.sub("book.xlsx"))),
              Not(HasSubstr("sharedStrings.xml")));
  EXPECT_THAT(cell(sheet, "A1"), HasSubstr("<t>Invoice number</t>"));
  EXPECT_THAT(cell(sheet, "M1"), HasSubstr("<t>Recipient status</t>"));
  EXPECT_THAT(cell(sheet, "A2"), HasSubstr("t=\"inlineStr\"><is><t>2026-000001</t>"));
  EXPECT_THAT(cell(sheet, "B2"), HasSubstr("<v>46296</v>"));  // 2026-10-01 as an Excel date
  EXPECT_THAT(cell(sheet, "D2"), HasSubstr("<t>Société Générale</t>"));
  EXPECT_THAT(cell(sheet, "F2"), HasSubstr("<v>1234.5</v>"));
  EXPECT_THAT(cell(sheet, "G2"), HasSubstr("<v>1000</v>"));
  EXPECT_THAT(cell(sheet, "H2"), HasSubstr("<v>600</v>"));
  EXPECT_THAT(cell(sheet, "I2"), HasSubstr("<v>46326</v>"));  // 2026-10-31
  EXPECT_THAT(cell(sheet, "K2"), HasSubstr("<t>Partially paid</t>"));
  EXPECT_THAT(cell(sheet, "L2"), HasSubstr("<v>23</v>"));
  EXPECT_THAT(cell(sheet, "M2"), HasSubstr("<t>Service done</t>"));
  // Typed text needs no guard: the name is kept as it is (XML-escaped).
  EXPECT_THAT(cell(sheet, "D3"), HasSubstr("<t>=1+1 &amp; &lt;Co&gt;</t>"));
  EXPECT_THAT(cell(sheet, "K3"), HasSubstr("<t>Paid</t>"));
  EXPECT_THAT(cell(sheet, "L3"), HasSubstr("<v>2</v>"));  // paid 2026-11-02, due 10-31
  EXPECT_THAT(cell(sheet, "F4"), HasSubstr("<v>123450</v>"));
  EXPECT_THAT(cell(sheet, "F5"), HasSubstr("<v>123.45</v>"));
  EXPECT_THAT(cell(sheet, "H5"), HasSubstr("<v>-0.001</v>"));
  EXPECT_EQ(cell(sheet, "A6"), "");
  // Frozen header, autofilter over the rows written, column widths.
  EXPECT_THAT(sheet, HasSubstr("ySplit=\"1\""));
  EXPECT_THAT(sheet, HasSubstr("state=\"frozen\""));
  EXPECT_THAT(sheet, HasSubstr("<autoFilter ref=\"A1:M5\"/>"));
  EXPECT_THAT(sheet, HasSubstr("<cols>"));

  // Dates and amounts are shown with their formats; the header is bold.
  const std::string styles = unzip(dir, xlsx, "xl/styles.xml");
  EXPECT_EQ(number_format(styles, cell(sheet, "B2")), "yyyy-mm-dd");
  EXPECT_EQ(number_format(styles, cell(sheet, "J2")), "yyyy-mm-dd");
  EXPECT_EQ(number_format(styles, cell(sheet, "F2")), "#,##0.00");
  EXPECT_EQ(number_format(styles, cell(sheet, "H3")), "#,##0.00");
  EXPECT_EQ(number_format(styles, cell(sheet, "F4")), "#,##0");      // JPY
  EXPECT_EQ(number_format(styles, cell(sheet, "F5")), "#,##0.000");  // KWD
  EXPECT_EQ(number_format(styles, cell(sheet, "L2")), "");           // days late: a plain integer
  EXPECT_THAT(styles, HasSubstr("<font><b/>"));
  EXPECT_THAT(cell(sheet, "A1"), HasSubstr(" s=\"1\""));
  EXPECT_THAT(styles, HasSubstr("<xf numFmtId=\"0\" fontId=\"1\""));  // style 1: bold font
  EXPECT_THAT(unzip(dir, xlsx, "xl/workbook.xml"), HasSubstr("name=\"Follow-up\""));
}

TEST(FollowUpXlsxTest, TemporaryFilesAreRemoved) {
  testing::TempDir dir;
  const auto entries = [&dir] {
    size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      ++n;
    }
    return n;
  };
  {
    auto out = make_export(v1::EXPORT_FORMAT_XLSX, dir.path());
    ASSERT_TRUE(out->add(invoice()).ok());
    EXPECT_EQ(entries(), 1u);  // the workbook's file, under a unique name
    ASSERT_TRUE(out->finish().ok());
    EXPECT_FALSE(drain(*out).empty());
  }
  EXPECT_EQ(entries(), 0u);
  // An export dropped before finish() (the client went away) leaves no file and no open
  // descriptor behind (libxlsxwriter's own row file included).
  const auto open_descriptors = [] {
    size_t n = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/self/fd")) {
      ++n;
    }
    return n;
  };
  const size_t descriptors = open_descriptors();
  {
    auto abandoned = make_export(v1::EXPORT_FORMAT_XLSX, dir.path());
    ASSERT_TRUE(abandoned->add(invoice()).ok());
    ASSERT_TRUE(abandoned->add(invoice()).ok());
    auto other = make_export(v1::EXPORT_FORMAT_XLSX, dir.path());
    EXPECT_EQ(entries(), 2u);
    EXPECT_GT(open_descriptors(), descriptors);
  }
  EXPECT_EQ(entries(), 0u);
  EXPECT_EQ(open_descriptors(), descriptors);
}

TEST(FollowUpXlsxTest, FailsCleanlyWithoutATemporaryDirectory) {
  auto created =
      FollowUpExport::create(v1::EXPORT_FORMAT_XLSX, kAsOf, "/nonexistent/arflow-follow-up");
  EXPECT_EQ(created.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(created.status().message()),
              HasSubstr("cannot create a temporary file in /nonexistent/arflow-follow-up"));
}

TEST(FollowUpXlsxTest, HundredThousandRowsStreamInBoundedChunks) {
  testing::TempDir dir;
  auto out = make_export(v1::EXPORT_FORMAT_XLSX, dir.path());
  v1::Invoice in = invoice();
  for (int i = 0; i < 100'000; ++i) {
    in.set_number(fmt::format("2026-{:06}", i + 1));
    ASSERT_TRUE(out->add(in).ok());
  }
  ASSERT_TRUE(out->finish().ok());
  constexpr size_t kChunk = size_t{64} * 1024;
  std::string xlsx;
  size_t chunks = 0;
  for (std::string chunk = out->take(kChunk); !chunk.empty(); chunk = out->take(kChunk)) {
    ASSERT_LE(chunk.size(), kChunk);
    xlsx += chunk;
    ++chunks;
  }
  EXPECT_TRUE(out->status().ok());
  EXPECT_GT(chunks, 1u);
  ASSERT_THAT(xlsx, StartsWith("PK"));
  const std::string path = dir.sub("big.xlsx");
  std::ofstream(path, std::ios::binary) << xlsx;
  EXPECT_THAT(run(fmt::format("unzip -tq '{}'", path)), HasSubstr("No errors"));
  EXPECT_THAT(run(fmt::format("unzip -p '{}' xl/worksheets/sheet1.xml | tail -c 4000", path)),
              HasSubstr("<autoFilter ref=\"A1:M100001\"/>"));
}

}  // namespace
}  // namespace arflow::invoicing
