// The filter syntax every service shares: a service's own fields and operators, the terms it
// is given, and the refusals that do not depend on the service.
#include "arflow/contract/filter_syntax.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace arflow::contract {
namespace {

constexpr std::array kEqualOrLess{FilterOperator::kEqual, FilterOperator::kLess,
                                  FilterOperator::kLessOrEqual};

// A service of its own: not invoicing's fields.
constexpr std::array<FilterFieldSyntax, 3> kFields = {{
    {"amount", kEveryOperator},
    {"state", kEqualityOperators},
    {"rank", kEqualOrLess},
}};

Result<std::vector<FilterTerm>> terms_of(std::string_view text) {
  std::vector<FilterTerm> terms;
  ARFLOW_RETURN_IF_ERROR(parse_filter_terms(text, kFields, [&terms](const FilterTerm& term) {
    terms.push_back(term);
    return absl::OkStatus();
  }));
  return terms;
}

std::string refusal(std::string_view text) {
  auto terms = terms_of(text);
  if (terms.ok()) {
    return "accepted";
  }
  EXPECT_EQ(terms.status().code(), absl::StatusCode::kInvalidArgument) << terms.status();
  return std::string(terms.status().message());
}

TEST(FilterSyntaxTest, ReadsTheCallersFieldsIntoTerms) {
  auto terms = terms_of("amount >= 10 AND state=open AND rank <= 3");
  ASSERT_TRUE(terms.ok()) << terms.status();
  ASSERT_EQ(terms->size(), 3u);
  EXPECT_EQ((*terms)[0].field, 0u);
  EXPECT_EQ((*terms)[0].op, FilterOperator::kGreaterOrEqual);
  EXPECT_EQ((*terms)[0].value, "10");
  EXPECT_EQ((*terms)[0].value_position, 11u);
  EXPECT_EQ((*terms)[1].field, 1u);
  EXPECT_EQ((*terms)[1].op, FilterOperator::kEqual);
  EXPECT_EQ((*terms)[1].value, "open");
  EXPECT_EQ((*terms)[2].field, 2u);
  EXPECT_EQ((*terms)[2].op, FilterOperator::kLessOrEqual);
  EXPECT_TRUE(terms_of("  ").value().empty());
}

TEST(FilterSyntaxTest, UnknownFieldsAreRefusedWithTheCallersFieldList) {
  EXPECT_EQ(refusal("amount = 1 AND status = open"),
            "filter has an unknown field \"status\" at position 16; fields are amount, state, "
            "rank");
}

TEST(FilterSyntaxTest, QuotedValuesAreUnescaped) {
  auto terms = terms_of(R"(state = "a \"b\" \\ AND c")");
  ASSERT_TRUE(terms.ok()) << terms.status();
  ASSERT_EQ(terms->size(), 1u);
  EXPECT_EQ((*terms)[0].value, R"(a "b" \ AND c)");
  EXPECT_EQ((*terms)[0].value_position, 9u);
  EXPECT_EQ(refusal(R"(state = "a\tb")"),
            R"(filter has an unknown escape "\\t" at position 11; only \" and \\ are allowed)");
}

TEST(FilterSyntaxTest, RefusesOr) {
  EXPECT_EQ(refusal("state = open OR state = closed"),
            "filter does not support OR (at position 14); only comparisons joined by AND are "
            "supported");
}

TEST(FilterSyntaxTest, RefusesOperatorsTheFieldDoesNotTake) {
  EXPECT_EQ(refusal("state < open"),
            "filter allows only = and != on state; got \"<\" at position 7");
  // Before the value is read: the operator is the first mistake.
  EXPECT_EQ(refusal("state >"), "filter allows only = and != on state; got \">\" at position 7");
  EXPECT_EQ(refusal("rank != 3"),
            "filter allows only =, < and <= on rank; got \"!=\" at position 6");
  EXPECT_EQ(refusal("amount => 1"),
            "filter has an unknown operator \"=>\" at position 8; operators are = != < <= > >=");
}

TEST(FilterSyntaxTest, TheVisitorsErrorStopsTheParse) {
  int visited = 0;
  const absl::Status status = parse_filter_terms(
      "amount = x AND state = open OR", kFields, [&visited](const FilterTerm& term) {
        ++visited;
        return refuse_filter(fmt::format("has a bad amount {} at position {}",
                                         quoted_token(term.value), term.value_position));
      });
  EXPECT_EQ(status, absl::InvalidArgumentError("filter has a bad amount \"x\" at position 10"));
  EXPECT_EQ(visited, 1);
}

TEST(FilterSyntaxTest, TypesValuesAndCompares) {
  EXPECT_EQ(parse_filter_date("2028-02-29"),
            Date(std::chrono::year(2028), std::chrono::month(2), std::chrono::day(29)));
  EXPECT_EQ(parse_filter_date("2026-02-30"), std::nullopt);
  const auto parse = [](const std::string& name, int* value) {
    *value = name == "COLOUR_RED" ? 1 : 0;
    return *value != 0;
  };
  EXPECT_EQ(parse_filter_enum<int>("RED", "COLOUR_", parse), 1);
  EXPECT_EQ(parse_filter_enum<int>("COLOUR_RED", "COLOUR_", parse), 1);
  EXPECT_EQ(parse_filter_enum<int>("red", "COLOUR_", parse), std::nullopt);
  EXPECT_TRUE(compare(FilterOperator::kLessOrEqual, 3, 3));
  EXPECT_FALSE(compare(FilterOperator::kNotEqual, 3, 3));
  EXPECT_EQ(quoted_token(std::string(50, 'x')), "\"" + std::string(40, 'x') + "...\"");
}

}  // namespace
}  // namespace arflow::contract
