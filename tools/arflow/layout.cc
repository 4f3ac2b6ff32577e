#include "layout.h"

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>

namespace arflow::cli {
namespace {

// Display width of UTF-8 text: its code points (good enough for names and amounts).
size_t width(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

}  // namespace

void print_table(std::ostream& out, const std::vector<std::string>& headers,
                 const std::vector<bool>& right,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(headers.size());
  for (size_t c = 0; c < headers.size(); ++c) {
    widths[c] = width(headers[c]);
    for (const auto& row : rows) {
      widths[c] = std::max(widths[c], width(row[c]));
    }
  }
  const auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string pad(widths[c] - width(row[c]), ' ');
      if (c > 0) {
        line += "  ";
      }
      line += right[c] ? pad + row[c] : row[c] + pad;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  };
  print_row(headers);
  for (const auto& row : rows) {
    print_row(row);
  }
}

void field(std::ostream& out, std::string_view label, std::string_view value) {
  out << fmt::format("  {:<14}{}\n", label, value);
}

std::string enum_text(const google::protobuf::EnumDescriptor* descriptor, int value,
                      std::string_view prefix) {
  const auto* v = descriptor->FindValueByNumber(value);
  if (v == nullptr) {
    return fmt::format("{}", value);
  }
  std::string_view name = v->name();
  if (name.substr(0, prefix.size()) == prefix) {
    name.remove_prefix(prefix.size());
  }
  return std::string(name);
}

std::string enum_flag_text(const google::protobuf::EnumDescriptor* descriptor, int value,
                           std::string_view prefix) {
  std::string text = enum_text(descriptor, value, prefix);
  for (char& c : text) {
    c = c == '_' ? '-' : static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return text;
}

std::string join(const google::protobuf::RepeatedPtrField<std::string>& items,
                 std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) {
      out += separator;
    }
    out += item;
  }
  return out;
}

std::string timestamp_text(const google::protobuf::Timestamp& t) {
  return google::protobuf::util::TimeUtil::ToString(t);
}

}  // namespace arflow::cli
