#include "arflow/core/currency.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"

namespace arflow {
namespace {

// ISO 4217 List One as published by SIX (the maintenance agency) on 2026-01-01: every code
// with a numeric minor unit. Left out on purpose: codes whose minor unit is "N.A." (XAU, XAG,
// XPD, XPT, XDR, XSU, XUA, XBA..XBD, XTS, XXX), since an invoice amount in them has no
// smallest unit, and withdrawn codes (e.g. HRK, CUC, SLL, ZWL, ANG, BGN), so that a new
// invoice is never issued in a currency that is no longer legal tender.
// Sorted by code (a static_assert below keeps it so), for all_currencies().
constexpr std::array kCurrencies = std::to_array<Currency>({
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2}, {"AWG", 2},
    {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2},
    {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2}, {"BZD", 2},
    {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2},
    {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2},
    {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2},
    {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2},
    {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3},
    {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2},
    {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2},
    {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2},
    {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2},
    {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2},
    {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2},
    {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2},
    {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2},
    {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2},
    {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0},
    {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2},
    {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAD", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0},
    {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
});

constexpr bool is_iso_code_shape(std::string_view code) {
  return code.size() == 3 && std::ranges::all_of(code, [](char c) { return c >= 'A' && c <= 'Z'; });
}

constexpr bool table_is_well_formed() {
  for (size_t i = 0; i < kCurrencies.size(); ++i) {
    if (!is_iso_code_shape(kCurrencies[i].code) || kCurrencies[i].exponent < 0 ||
        kCurrencies[i].exponent > 4) {
      return false;
    }
    if (i > 0 && !(kCurrencies[i - 1].code < kCurrencies[i].code)) {
      return false;
    }
  }
  return true;
}
static_assert(table_is_well_formed(),
              "currency table must be sorted, unique, upper-case codes, exponents 0..4");

// Codes "AAA".."ZZZ" as 0..26^3-1.
constexpr size_t code_index(std::string_view code) {
  return static_cast<size_t>(code[0] - 'A') * 26 * 26 + static_cast<size_t>(code[1] - 'A') * 26 +
         static_cast<size_t>(code[2] - 'A');
}

// By code_index: 1 + the code's place in kCurrencies, or 0. Every Money read from a message
// looks its currency up, so the lookup is one load (17.5 KiB), not a binary search.
constexpr auto kPlaceByCode = [] {
  static_assert(kCurrencies.size() < 255);
  std::array<uint8_t, size_t{26} * 26 * 26> places{};
  for (size_t i = 0; i < kCurrencies.size(); ++i) {
    places[code_index(kCurrencies[i].code)] = static_cast<uint8_t>(i + 1);
  }
  return places;
}();

// The caller's text as it may appear in an error message: escaped and cut short, since it
// can be anything a client sent.
std::string quoted(std::string_view text) {
  constexpr size_t kMaxEcho = 16;
  const std::string_view head = text.substr(0, kMaxEcho);
  // Debian's abseil keeps its own string_view type, hence the explicit conversion.
  return fmt::format("'{}{}'", absl::CHexEscape(absl::string_view(head.data(), head.size())),
                     text.size() > kMaxEcho ? "..." : "");
}

}  // namespace

Result<const Currency*> find_currency_entry(std::string_view code) {
  if (!is_iso_code_shape(code)) {
    return invalid_field("currency", quoted(code) + " must be exactly 3 upper-case letters");
  }
  const uint8_t place = kPlaceByCode[code_index(code)];
  if (place == 0) {
    return invalid_field("currency", quoted(code) + " is not an ISO 4217 code");
  }
  return &kCurrencies[place - 1];
}

Result<Currency> find_currency(std::string_view code) {
  auto entry = find_currency_entry(code);
  if (!entry.ok()) {
    return entry.status();
  }
  return **entry;
}

std::span<const Currency> all_currencies() { return kCurrencies; }

}  // namespace arflow
