#include "invoicing/query/filter.h"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <utility>

#include "arflow/core/currency.h"
#include "invoicing/domain/proto_convert.h"

namespace arflow::invoicing {

namespace {

enum class ValueType { kText, kCurrency, kStatus, kRecipientStatus, kDate };

struct FieldSpec {
  std::string_view name;
  FilterField field;
  ValueType type;
};

constexpr std::array kFields = {
    FieldSpec{"customer_id", FilterField::kCustomerId, ValueType::kText},
    FieldSpec{"status", FilterField::kStatus, ValueType::kStatus},
    FieldSpec{"currency", FilterField::kCurrency, ValueType::kCurrency},
    FieldSpec{"number", FilterField::kNumber, ValueType::kText},
    FieldSpec{"series", FilterField::kSeries, ValueType::kText},
    FieldSpec{"issue_date", FilterField::kIssueDate, ValueType::kDate},
    FieldSpec{"due_date", FilterField::kDueDate, ValueType::kDate},
    FieldSpec{"recipient_status", FilterField::kRecipientStatus, ValueType::kRecipientStatus},
    FieldSpec{"overdue_as_of", FilterField::kOverdueAsOf, ValueType::kDate},
};

constexpr std::string_view kFieldList =
    "customer_id, status, currency, number, series, issue_date, due_date, recipient_status, "
    "overdue_as_of";

// Longest part of a client's token quoted in a message.
constexpr size_t kMaxQuoted = 40;

// A client's token as it may appear in an error message: quoted, escaped and cut short.
std::string quoted(std::string_view token) {
  std::string out = "\"";
  for (size_t i = 0; i < token.size() && i < kMaxQuoted; ++i) {
    const auto c = static_cast<unsigned char>(token[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (token.size() > kMaxQuoted) {
    out += "...";
  }
  out += '"';
  return out;
}

absl::Status refuse(std::string_view rule) { return invalid_field("filter", rule); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Characters that end a bare token.
bool is_delimiter(char c) {
  return is_space(c) || c == '(' || c == ')' || c == '"' || c == '=' || c == '!' || c == '<' ||
         c == '>';
}

bool is_operator_char(char c) { return c == '=' || c == '!' || c == '<' || c == '>'; }

std::optional<FilterOperator> operator_of(std::string_view text) {
  if (text == "=") {
    return FilterOperator::kEqual;
  }
  if (text == "!=") {
    return FilterOperator::kNotEqual;
  }
  if (text == "<") {
    return FilterOperator::kLess;
  }
  if (text == "<=") {
    return FilterOperator::kLessOrEqual;
  }
  if (text == ">") {
    return FilterOperator::kGreater;
  }
  if (text == ">=") {
    return FilterOperator::kGreaterOrEqual;
  }
  return std::nullopt;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// YYYY-MM-DD, a real calendar date.
std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  const auto number = [text](size_t start, size_t length) -> std::optional<unsigned> {
    unsigned value = 0;
    for (size_t i = start; i < start + length; ++i) {
      if (!is_digit(text[i])) {
        return std::nullopt;
      }
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return value;
  };
  const std::optional<unsigned> year = number(0, 4);
  const std::optional<unsigned> month = number(5, 2);
  const std::optional<unsigned> day = number(8, 2);
  if (!year || !month || !day) {
    return std::nullopt;
  }
  const Date date{std::chrono::year(static_cast<int>(*year)), std::chrono::month(*month),
                  std::chrono::day(*day)};
  if (!date.ok()) {
    return std::nullopt;
  }
  return date;
}

// An enum value by its short name ("ISSUED") or its full proto name ("INVOICE_STATUS_ISSUED").
template <class Enum, class ParseFn>
std::optional<Enum> parse_enum(std::string_view text, std::string_view prefix, ParseFn parse) {
  std::string full(text);
  if (!text.starts_with(prefix)) {
    full.insert(0, prefix);
  }
  Enum value{};
  if (!parse(full, &value)) {
    return std::nullopt;
  }
  return value;
}

// A value token: its text after unquoting, and where it started.
struct Value {
  std::string text;
  size_t position;  // 1-based
};

// Recursive descent over the grammar in filter.h; one pass, no backtracking.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<InvoiceFilter> parse() {
    InvoiceFilter filter;
    skip_space();
    if (at_end()) {
      return filter;
    }
    while (true) {
      auto comparison = parse_comparison();
      if (!comparison.ok()) {
        return comparison.status();
      }
      filter.comparisons.push_back(*std::move(comparison));
      skip_space();
      if (at_end()) {
        return filter;
      }
      ARFLOW_RETURN_IF_ERROR(parse_and());
    }
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  size_t position() const { return pos_ + 1; }
  char peek() const { return text_[pos_]; }

  void skip_space() {
    while (!at_end() && is_space(peek())) {
      ++pos_;
    }
  }

  // The bare token at the cursor (possibly empty), consumed. `stop_at_colon` for field
  // names, where ':' is AIP-160's has operator; values may contain ':' (customer ids do).
  std::string_view take_word(bool stop_at_colon) {
    const size_t start = pos_;
    while (!at_end() && !is_delimiter(peek()) && !(stop_at_colon && peek() == ':')) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  // What stands at the cursor, for a message: up to the next space.
  std::string_view token_here() const {
    size_t end = pos_;
    while (end < text_.size() && !is_space(text_[end])) {
      ++end;
    }
    return text_.substr(pos_, end - pos_);
  }

  absl::Status refuse_parenthesis() const {
    return refuse(fmt::format("does not support parentheses ({} at position {})",
                              quoted(text_.substr(pos_, 1)), position()));
  }

  // The connector after a comparison: AND, then at least one more comparison.
  absl::Status parse_and() {
    if (peek() == '(' || peek() == ')') {
      return refuse_parenthesis();
    }
    const size_t at = position();
    const std::string_view word = take_word(/*stop_at_colon=*/false);
    if (word == "AND") {
      skip_space();
      if (at_end()) {
        return refuse(fmt::format("ends after AND at position {}; expected a comparison", at));
      }
      return absl::OkStatus();
    }
    if (equals_ignoring_case(word, "or")) {
      return refuse(fmt::format(
          "does not support OR (at position {}); only comparisons joined by AND are supported",
          at));
    }
    if (equals_ignoring_case(word, "and")) {
      return refuse(
          fmt::format("needs AND in upper case at position {}; got {}", at, quoted(word)));
    }
    if (word == "NOT") {
      return refuse(fmt::format("does not support NOT (at position {})", at));
    }
    pos_ = at - 1;
    return refuse(fmt::format("expects AND between comparisons at position {}; got {}", at,
                              quoted(token_here())));
  }

  Result<FilterComparison> parse_comparison() {
    if (peek() == '(' || peek() == ')') {
      return refuse_parenthesis();
    }
    const size_t field_at = position();
    const std::string_view name = take_word(/*stop_at_colon=*/true);
    if (name.empty()) {
      return refuse(fmt::format("expects a field name at position {}; got {}", field_at,
                                quoted(token_here())));
    }
    if (name == "NOT") {
      return refuse(fmt::format("does not support NOT (at position {})", field_at));
    }
    if (name == "OR") {
      return refuse(fmt::format(
          "does not support OR (at position {}); only comparisons joined by AND are supported",
          field_at));
    }
    if (name.starts_with('-')) {
      return refuse(
          fmt::format("does not support negation ({} at position {}); use != to exclude a value",
                      quoted(name), field_at));
    }
    if (name == "AND") {
      return refuse(fmt::format("expects a comparison at position {}; got AND", field_at));
    }
    const FieldSpec* spec = nullptr;
    for (const FieldSpec& candidate : kFields) {
      if (candidate.name == name) {
        spec = &candidate;
        break;
      }
    }
    if (spec == nullptr) {
      return refuse(fmt::format("has an unknown field {} at position {}; fields are {}",
                                quoted(name), field_at, kFieldList));
    }

    skip_space();
    auto op = parse_operator(*spec);
    if (!op.ok()) {
      return op.status();
    }
    skip_space();
    auto value = parse_value(*spec);
    if (!value.ok()) {
      return value.status();
    }
    return typed(*spec, *op, *value);
  }

  Result<FilterOperator> parse_operator(const FieldSpec& spec) {
    const size_t at = position();
    if (at_end()) {
      return refuse(
          fmt::format("ends after {} at position {}; expected an operator", quoted(spec.name), at));
    }
    if (peek() == ':') {
      return refuse(
          fmt::format("does not support the has operator \":\" (at position {}); use = or !=", at));
    }
    if (!is_operator_char(peek())) {
      return refuse(fmt::format("expects an operator after {} at position {}; got {}",
                                quoted(spec.name), at, quoted(token_here())));
    }
    const size_t start = pos_;
    while (!at_end() && is_operator_char(peek())) {
      ++pos_;
    }
    const std::string_view text = text_.substr(start, pos_ - start);
    const std::optional<FilterOperator> op = operator_of(text);
    if (!op) {
      return refuse(
          fmt::format("has an unknown operator {} at position {}; operators are = != "
                      "< <= > >=",
                      quoted(text), at));
    }
    const bool ordered = *op != FilterOperator::kEqual && *op != FilterOperator::kNotEqual;
    if (spec.field == FilterField::kOverdueAsOf && *op != FilterOperator::kEqual) {
      return refuse(
          fmt::format("allows only = on overdue_as_of; got {} at position {}", quoted(text), at));
    }
    if (ordered && spec.type != ValueType::kDate) {
      return refuse(fmt::format("allows only = and != on {}; got {} at position {}", spec.name,
                                quoted(text), at));
    }
    return *op;
  }

  Result<Value> parse_value(const FieldSpec& spec) {
    const size_t at = position();
    if (at_end()) {
      return refuse(fmt::format("ends after the operator of {} at position {}; expected a value",
                                spec.name, at));
    }
    if (peek() == '(' || peek() == ')') {
      return refuse_parenthesis();
    }
    if (peek() == '"') {
      return parse_quoted();
    }
    const std::string_view word = take_word(/*stop_at_colon=*/false);
    if (word.empty()) {
      return refuse(fmt::format("expects a value for {} at position {}; got {}", spec.name, at,
                                quoted(token_here())));
    }
    return Value{.text = std::string(word), .position = at};
  }

  Result<Value> parse_quoted() {
    const size_t at = position();
    ++pos_;  // the opening quote
    std::string text;
    while (!at_end()) {
      const char c = peek();
      if (c == '"') {
        ++pos_;
        return Value{.text = std::move(text), .position = at};
      }
      if (c == '\\') {
        if (pos_ + 1 >= text_.size()) {
          break;
        }
        const char escaped = text_[pos_ + 1];
        if (escaped != '"' && escaped != '\\') {
          return refuse(
              fmt::format("has an unknown escape {} at position {}; only \\\" and \\\\ are allowed",
                          quoted(text_.substr(pos_, 2)), position()));
        }
        text += escaped;
        pos_ += 2;
        continue;
      }
      text += c;
      ++pos_;
    }
    return refuse(fmt::format("has an unterminated string starting at position {}", at));
  }

  static Result<FilterComparison> typed(const FieldSpec& spec, FilterOperator op, Value value) {
    FilterComparison comparison{.field = spec.field, .op = op, .value = std::string()};
    switch (spec.type) {
      case ValueType::kText:
        comparison.value = std::move(value.text);
        return comparison;
      case ValueType::kCurrency:
        if (!find_currency(value.text).ok()) {
          return refuse(
              fmt::format("has an unknown currency {} at position {}; expected an "
                          "ISO 4217 code such as EUR",
                          quoted(value.text), value.position));
        }
        comparison.value = std::move(value.text);
        return comparison;
      case ValueType::kStatus: {
        auto status =
            parse_enum<v1::InvoiceStatus>(value.text, "INVOICE_STATUS_", v1::InvoiceStatus_Parse);
        if (!status) {
          return refuse(
              fmt::format("has an unknown status {} at position {}; expected e.g. "
                          "ISSUED or INVOICE_STATUS_ISSUED",
                          quoted(value.text), value.position));
        }
        comparison.value = *status;
        return comparison;
      }
      case ValueType::kRecipientStatus: {
        auto status = parse_enum<v1::RecipientStatus>(value.text, "RECIPIENT_STATUS_",
                                                      v1::RecipientStatus_Parse);
        if (!status) {
          return refuse(
              fmt::format("has an unknown recipient status {} at position {}; expected "
                          "e.g. DISPUTED or RECIPIENT_STATUS_DISPUTED",
                          quoted(value.text), value.position));
        }
        comparison.value = *status;
        return comparison;
      }
      case ValueType::kDate: {
        const std::optional<Date> date = parse_date(value.text);
        if (!date) {
          return refuse(fmt::format("has an invalid date {} at position {}; expected YYYY-MM-DD",
                                    quoted(value.text), value.position));
        }
        comparison.value = *date;
        return comparison;
      }
    }
    return refuse(fmt::format("has an unsupported field {}", quoted(spec.name)));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

template <class T>
bool compare(FilterOperator op, const T& actual, const T& wanted) {
  switch (op) {
    case FilterOperator::kEqual:
      return actual == wanted;
    case FilterOperator::kNotEqual:
      return actual != wanted;
    case FilterOperator::kLess:
      return actual < wanted;
    case FilterOperator::kLessOrEqual:
      return actual <= wanted;
    case FilterOperator::kGreater:
      return actual > wanted;
    case FilterOperator::kGreaterOrEqual:
      return actual >= wanted;
  }
  return false;
}

// The date when it is set and valid; an invalid stored date counts as absent. (A template
// so that it takes whichever message the contract's dates are.)
template <class ProtoDate>
std::optional<Date> date_of(bool has, const ProtoDate& date) {
  if (!has) {
    return std::nullopt;
  }
  auto converted = from_proto(date, "date");
  if (!converted.ok()) {
    return std::nullopt;
  }
  return *converted;
}

// Absent differs from every date: only != matches it.
bool compare_date(FilterOperator op, std::optional<Date> actual, Date wanted) {
  if (!actual) {
    return op == FilterOperator::kNotEqual;
  }
  return compare(op, *actual, wanted);
}

bool holds(const FilterComparison& c, const v1::Invoice& invoice) {
  const auto* text = std::get_if<std::string>(&c.value);
  const auto* date = std::get_if<Date>(&c.value);
  switch (c.field) {
    case FilterField::kCustomerId:
      return text != nullptr &&
             compare<std::string_view>(c.op, invoice.customer_id(), std::string_view(*text));
    case FilterField::kCurrency:
      return text != nullptr &&
             compare<std::string_view>(c.op, invoice_currency(invoice), std::string_view(*text));
    case FilterField::kNumber:
      return text != nullptr &&
             compare<std::string_view>(c.op, invoice.number(), std::string_view(*text));
    case FilterField::kSeries:
      return text != nullptr &&
             compare<std::string_view>(c.op, invoice.series(), std::string_view(*text));
    case FilterField::kStatus: {
      const auto* status = std::get_if<v1::InvoiceStatus>(&c.value);
      return status != nullptr && compare(c.op, invoice.status(), *status);
    }
    case FilterField::kRecipientStatus: {
      const auto* status = std::get_if<v1::RecipientStatus>(&c.value);
      return status != nullptr && compare(c.op, invoice.recipient_status(), *status);
    }
    case FilterField::kIssueDate:
      return date != nullptr &&
             compare_date(c.op, date_of(invoice.has_issue_date(), invoice.issue_date()), *date);
    case FilterField::kDueDate:
      return date != nullptr &&
             compare_date(c.op, date_of(invoice.has_due_date(), invoice.due_date()), *date);
    case FilterField::kOverdueAsOf: {
      if (date == nullptr || c.op != FilterOperator::kEqual || !is_open(invoice.status())) {
        return false;
      }
      const std::optional<Date> due = date_of(invoice.has_due_date(), invoice.due_date());
      return due.has_value() && *due < *date;
    }
  }
  return false;
}

}  // namespace

Result<InvoiceFilter> parse_invoice_filter(std::string_view text) {
  if (text.size() > kMaxFilterLength) {
    return refuse(
        fmt::format("must be at most {} bytes long; got {}", kMaxFilterLength, text.size()));
  }
  return Parser(text).parse();
}

bool matches(const InvoiceFilter& filter, const v1::Invoice& invoice) {
  for (const FilterComparison& comparison : filter.comparisons) {
    if (!holds(comparison, invoice)) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> customer_id_equals(const InvoiceFilter& filter) {
  for (const FilterComparison& comparison : filter.comparisons) {
    if (comparison.field == FilterField::kCustomerId && comparison.op == FilterOperator::kEqual) {
      if (const auto* id = std::get_if<std::string>(&comparison.value)) {
        return *id;
      }
    }
  }
  return std::nullopt;
}

bool is_open(v1::InvoiceStatus status) {
  return status == v1::INVOICE_STATUS_ISSUED || status == v1::INVOICE_STATUS_PARTIALLY_PAID;
}

std::string_view invoice_currency(const v1::Invoice& invoice) {
  if (!invoice.content().currency().empty()) {
    return invoice.content().currency();
  }
  return invoice.total().currency();
}

}  // namespace arflow::invoicing
