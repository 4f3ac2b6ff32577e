#pragma once
// Between core's value types and the contract's common messages (arflow/common/v1, and
// google.protobuf.Timestamp), for every service. to_proto never fails; from_proto checks what
// a message cannot (a currency code, a date) and names `field` in its error, so an API layer
// can pass the error through as the caller's.

#include <chrono>
#include <string>
#include <string_view>

#include "arflow/common/v1/money.pb.h"
#include "arflow/core/clock.h"
#include "arflow/core/decimal.h"
#include "arflow/core/error.h"
#include "arflow/core/money.h"
#include "google/protobuf/timestamp.pb.h"

namespace arflow::contract {

namespace common = ::arflow::common::v1;

// A calendar date without a time zone (an issue date, a value date).
using Date = std::chrono::year_month_day;

common::Money to_proto(const Money& money);
Result<Money> from_proto(const common::Money& money, std::string_view field);

common::Decimal to_proto(const Decimal& decimal);
Result<Decimal> from_proto(const common::Decimal& decimal, std::string_view field);

// "2026-12-07": ISO 8601, as messages, files and people read a date.
std::string iso_date(Date date);

common::Date to_proto(Date date);
Result<Date> from_proto(const common::Date& date, std::string_view field);

google::protobuf::Timestamp to_proto(Timestamp time);
Result<Timestamp> from_proto(const google::protobuf::Timestamp& time, std::string_view field);

}  // namespace arflow::contract
