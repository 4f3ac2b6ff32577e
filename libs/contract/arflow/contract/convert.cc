#include "arflow/contract/convert.h"

#include <fmt/format.h>

namespace arflow::contract {

namespace {

// "<field>.<message>": core's messages start with the sub-field they are about ("currency
// 'XYZ' is not an ISO 4217 code"), so this reads "lines[0].unit_price.currency 'XYZ' ...".
absl::Status within(std::string_view field, const absl::Status& status) {
  return absl::Status(status.code(), fmt::format("{}.{}", field, status.message()));
}

}  // namespace

std::string iso_date(Date date) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

common::Money to_proto(const Money& money) {
  common::Money out;
  out.set_minor_units(money.minor_units());
  out.set_currency(std::string(money.currency()));
  return out;
}

Result<Money> from_proto(const common::Money& money, std::string_view field) {
  auto out = Money::of(money.minor_units(), money.currency());
  if (!out.ok()) {
    return within(field, out.status());
  }
  return out;
}

common::Decimal to_proto(const Decimal& decimal) {
  common::Decimal out;
  out.set_units(decimal.units());
  out.set_scale(decimal.scale());
  return out;
}

Result<Decimal> from_proto(const common::Decimal& decimal, std::string_view field) {
  auto out = Decimal::of(decimal.units(), decimal.scale());
  if (!out.ok()) {
    return within(field, out.status());
  }
  return out;
}

common::Date to_proto(Date date) {
  common::Date out;
  out.set_year(static_cast<int>(date.year()));
  out.set_month(static_cast<unsigned>(date.month()));
  out.set_day(static_cast<unsigned>(date.day()));
  return out;
}

Result<Date> from_proto(const common::Date& date, std::string_view field) {
  if (date.month() < 1 || date.month() > 12 || date.day() < 1 || date.day() > 31) {
    return invalid_field(field, "must be a valid date");
  }
  const Date out{std::chrono::year(date.year()), std::chrono::month(date.month()),
                 std::chrono::day(date.day())};
  if (!out.ok()) {
    return invalid_field(field, "must be a valid date");
  }
  return out;
}

google::protobuf::Timestamp to_proto(Timestamp time) {
  const auto micros = time.time_since_epoch().count();
  // Floor division, so that instants before 1970 get nanos in 0..999999999 as required.
  int64_t seconds = micros / 1'000'000;
  int64_t rest = micros % 1'000'000;
  if (rest < 0) {
    rest += 1'000'000;
    seconds -= 1;
  }
  google::protobuf::Timestamp out;
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(rest * 1'000));
  return out;
}

Result<Timestamp> from_proto(const google::protobuf::Timestamp& time, std::string_view field) {
  // google.protobuf.Timestamp's own range, 0001-01-01 to 9999-12-31: well inside int64
  // microseconds, so the conversion below cannot overflow.
  constexpr int64_t kMinSeconds = -62'135'596'800;
  constexpr int64_t kMaxSeconds = 253'402'300'799;
  if (time.seconds() < kMinSeconds || time.seconds() > kMaxSeconds || time.nanos() < 0 ||
      time.nanos() > 999'999'999) {
    return invalid_field(field, "must be a timestamp between years 1 and 9999");
  }
  return Timestamp(std::chrono::microseconds(time.seconds() * 1'000'000 + time.nanos() / 1'000));
}

}  // namespace arflow::contract
