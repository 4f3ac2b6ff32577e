#pragma once
// The building blocks of `arflow`'s text output (output.h, output_payments.h): aligned
// tables, labelled fields, enum values by name, lists and timestamps.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/repeated_ptr_field.h>
#include <google/protobuf/timestamp.pb.h>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace arflow::cli {

// Columns separated by two spaces; columns flagged in `right` are right-aligned. Trailing
// spaces are cut.
void print_table(std::ostream& out, const std::vector<std::string>& headers,
                 const std::vector<bool>& right, const std::vector<std::vector<std::string>>& rows);

// "  label         value" lines.
void field(std::ostream& out, std::string_view label, std::string_view value);

// An enum value's name without `prefix`: "INVOICE_STATUS_PAID" -> "PAID"; the number when
// the value is unknown.
std::string enum_text(const google::protobuf::EnumDescriptor* descriptor, int value,
                      std::string_view prefix);
// The same in lower case with '-': "RECIPIENT_STATUS_SERVICE_DONE" -> "service-done".
std::string enum_flag_text(const google::protobuf::EnumDescriptor* descriptor, int value,
                           std::string_view prefix);

std::string join(const google::protobuf::RepeatedPtrField<std::string>& items,
                 std::string_view separator);

// RFC 3339: "2026-11-23T09:41:07.512Z".
std::string timestamp_text(const google::protobuf::Timestamp& t);

}  // namespace arflow::cli
