#include "arflow/contract/filter_syntax.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <utility>

namespace arflow::contract {

namespace {

// Longest part of a client's token quoted in a message.
constexpr size_t kMaxQuoted = 40;

constexpr std::array<std::pair<std::string_view, FilterOperator>, 6> kOperators = {{
    {"=", FilterOperator::kEqual},
    {"!=", FilterOperator::kNotEqual},
    {"<", FilterOperator::kLess},
    {"<=", FilterOperator::kLessOrEqual},
    {">", FilterOperator::kGreater},
    {">=", FilterOperator::kGreaterOrEqual},
}};

std::optional<FilterOperator> operator_of(std::string_view text) {
  for (const auto& [spelling, op] : kOperators) {
    if (spelling == text) {
      return op;
    }
  }
  return std::nullopt;
}

std::string_view spelling_of(FilterOperator op) {
  for (const auto& [spelling, candidate] : kOperators) {
    if (candidate == op) {
      return spelling;
    }
  }
  return "?";
}

// "=", "= and !=", "=, < and <=": the operators a field takes, for a message.
std::string listed(std::span<const FilterOperator> operators) {
  std::string out;
  for (size_t i = 0; i < operators.size(); ++i) {
    if (i > 0) {
      out += i + 1 == operators.size() ? " and " : ", ";
    }
    out += spelling_of(operators[i]);
  }
  return out;
}

// "customer_id, status": the fields of a table, for a message.
std::string listed(std::span<const FilterFieldSyntax> fields) {
  std::string out;
  for (const FilterFieldSyntax& field : fields) {
    if (!out.empty()) {
      out += ", ";
    }
    out += field.name;
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Characters that end a bare token.
bool is_delimiter(char c) {
  return is_space(c) || c == '(' || c == ')' || c == '"' || c == '=' || c == '!' || c == '<' ||
         c == '>';
}

bool is_operator_char(char c) { return c == '=' || c == '!' || c == '<' || c == '>'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

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

// Recursive descent over the grammar in filter_syntax.h; one pass, no backtracking.
class Parser {
 public:
  Parser(std::string_view text, std::span<const FilterFieldSyntax> fields)
      : text_(text), fields_(fields) {}

  absl::Status parse(const std::function<absl::Status(const FilterTerm&)>& visit) {
    skip_space();
    if (at_end()) {
      return absl::OkStatus();
    }
    while (true) {
      ARFLOW_ASSIGN_OR_RETURN(const FilterTerm term, parse_comparison());
      ARFLOW_RETURN_IF_ERROR(visit(term));
      skip_space();
      if (at_end()) {
        return absl::OkStatus();
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
  // names, where ':' is AIP-160's has operator; values may contain ':' (ids do).
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
    return refuse_filter(fmt::format("does not support parentheses ({} at position {})",
                                     quoted_token(text_.substr(pos_, 1)), position()));
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
        return refuse_filter(
            fmt::format("ends after AND at position {}; expected a comparison", at));
      }
      return absl::OkStatus();
    }
    if (equals_ignoring_case(word, "or")) {
      return refuse_filter(fmt::format(
          "does not support OR (at position {}); only comparisons joined by AND are supported",
          at));
    }
    if (equals_ignoring_case(word, "and")) {
      return refuse_filter(
          fmt::format("needs AND in upper case at position {}; got {}", at, quoted_token(word)));
    }
    if (word == "NOT") {
      return refuse_filter(fmt::format("does not support NOT (at position {})", at));
    }
    pos_ = at - 1;
    return refuse_filter(fmt::format("expects AND between comparisons at position {}; got {}", at,
                                     quoted_token(token_here())));
  }

  Result<FilterTerm> parse_comparison() {
    if (peek() == '(' || peek() == ')') {
      return refuse_parenthesis();
    }
    const size_t field_at = position();
    const std::string_view name = take_word(/*stop_at_colon=*/true);
    if (name.empty()) {
      return refuse_filter(fmt::format("expects a field name at position {}; got {}", field_at,
                                       quoted_token(token_here())));
    }
    if (name == "NOT") {
      return refuse_filter(fmt::format("does not support NOT (at position {})", field_at));
    }
    if (name == "OR") {
      return refuse_filter(fmt::format(
          "does not support OR (at position {}); only comparisons joined by AND are supported",
          field_at));
    }
    if (name.starts_with('-')) {
      return refuse_filter(
          fmt::format("does not support negation ({} at position {}); use != to exclude a value",
                      quoted_token(name), field_at));
    }
    if (name == "AND") {
      return refuse_filter(fmt::format("expects a comparison at position {}; got AND", field_at));
    }
    const auto field = std::find_if(fields_.begin(), fields_.end(),
                                    [name](const FilterFieldSyntax& f) { return f.name == name; });
    if (field == fields_.end()) {
      return refuse_filter(fmt::format("has an unknown field {} at position {}; fields are {}",
                                       quoted_token(name), field_at, listed(fields_)));
    }

    skip_space();
    ARFLOW_ASSIGN_OR_RETURN(const FilterOperator op, parse_operator(*field));
    skip_space();
    const size_t value_at = position();
    ARFLOW_ASSIGN_OR_RETURN(std::string value, parse_value(*field));
    return FilterTerm{.field = static_cast<size_t>(field - fields_.begin()),
                      .op = op,
                      .value = std::move(value),
                      .value_position = value_at};
  }

  Result<FilterOperator> parse_operator(const FilterFieldSyntax& field) {
    const size_t at = position();
    if (at_end()) {
      return refuse_filter(fmt::format("ends after {} at position {}; expected an operator",
                                       quoted_token(field.name), at));
    }
    if (peek() == ':') {
      return refuse_filter(
          fmt::format("does not support the has operator \":\" (at position {}); use = or !=", at));
    }
    if (!is_operator_char(peek())) {
      return refuse_filter(fmt::format("expects an operator after {} at position {}; got {}",
                                       quoted_token(field.name), at, quoted_token(token_here())));
    }
    const size_t start = pos_;
    while (!at_end() && is_operator_char(peek())) {
      ++pos_;
    }
    const std::string_view text = text_.substr(start, pos_ - start);
    const std::optional<FilterOperator> op = operator_of(text);
    if (!op) {
      return refuse_filter(
          fmt::format("has an unknown operator {} at position {}; operators are = != "
                      "< <= > >=",
                      quoted_token(text), at));
    }
    if (std::find(field.operators.begin(), field.operators.end(), *op) == field.operators.end()) {
      return refuse_filter(fmt::format("allows only {} on {}; got {} at position {}",
                                       listed(field.operators), field.name, quoted_token(text),
                                       at));
    }
    return *op;
  }

  // The value's text, unquoted.
  Result<std::string> parse_value(const FilterFieldSyntax& field) {
    const size_t at = position();
    if (at_end()) {
      return refuse_filter(fmt::format(
          "ends after the operator of {} at position {}; expected a value", field.name, at));
    }
    if (peek() == '(' || peek() == ')') {
      return refuse_parenthesis();
    }
    if (peek() == '"') {
      return parse_quoted();
    }
    const std::string_view word = take_word(/*stop_at_colon=*/false);
    if (word.empty()) {
      return refuse_filter(fmt::format("expects a value for {} at position {}; got {}", field.name,
                                       at, quoted_token(token_here())));
    }
    return std::string(word);
  }

  Result<std::string> parse_quoted() {
    const size_t at = position();
    ++pos_;  // the opening quote
    std::string text;
    while (!at_end()) {
      const char c = peek();
      if (c == '"') {
        ++pos_;
        return text;
      }
      if (c == '\\') {
        if (pos_ + 1 >= text_.size()) {
          break;
        }
        const char escaped = text_[pos_ + 1];
        if (escaped != '"' && escaped != '\\') {
          return refuse_filter(
              fmt::format("has an unknown escape {} at position {}; only \\\" and \\\\ are allowed",
                          quoted_token(text_.substr(pos_, 2)), position()));
        }
        text += escaped;
        pos_ += 2;
        continue;
      }
      text += c;
      ++pos_;
    }
    return refuse_filter(fmt::format("has an unterminated string starting at position {}", at));
  }

  std::string_view text_;
  std::span<const FilterFieldSyntax> fields_;
  size_t pos_ = 0;
};

}  // namespace

absl::Status parse_filter_terms(std::string_view text, std::span<const FilterFieldSyntax> fields,
                                const std::function<absl::Status(const FilterTerm&)>& visit) {
  if (text.size() > kMaxFilterLength) {
    return refuse_filter(
        fmt::format("must be at most {} bytes long; got {}", kMaxFilterLength, text.size()));
  }
  return Parser(text, fields).parse(visit);
}

absl::Status refuse_filter(std::string_view rule) { return invalid_field("filter", rule); }

std::string quoted_token(std::string_view token) {
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

Result<Date> filter_date_of(const FilterTerm& term) {
  const std::optional<Date> date = parse_filter_date(term.value);
  if (!date) {
    return refuse_filter(fmt::format("has an invalid date {} at position {}; expected YYYY-MM-DD",
                                     quoted_token(term.value), term.value_position));
  }
  return *date;
}

std::optional<Date> parse_filter_date(std::string_view text) {
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

}  // namespace arflow::contract
