#pragma once
// The limits of every text that crosses a service boundary, set once. A string field of a
// request or an event names its kind in the proto (`(arflow.common.v1.text)`,
// proto/arflow/common/v1/limits.proto); the service that accepts it from a client and every
// service that later receives it in an event check it with the limit of that kind, so no
// event one service published is refused by another for its size. Lengths are bytes.
//
// An id a service derives from a client's id (an allocation "<payment_id>-a<n>", a refund)
// is of the derived kind, whose limit holds any client id with its suffix: the receiving
// side accepts it by construction (static_assert below).

#include <cstddef>
#include <string_view>

#include "arflow/common/v1/limits.pb.h"
#include "arflow/core/error.h"

namespace arflow::contract {

using TextKind = ::arflow::common::v1::TextKind;

inline constexpr size_t kMaxIdLength = 128;
// A derived id's suffix: a separator of two characters and a sequence of up to 20 digits.
inline constexpr size_t kMaxDerivedIdSuffix = 22;
inline constexpr size_t kMaxDerivedIdLength = 160;
static_assert(kMaxIdLength + kMaxDerivedIdSuffix <= kMaxDerivedIdLength);
inline constexpr size_t kMaxTenantLength = 64;
inline constexpr size_t kMaxResourceNameLength = 256;
inline constexpr size_t kMaxRequestIdLength = 128;
inline constexpr size_t kMaxSeriesLength = 20;
// "<series>-<sequence>", the sequence up to 20 digits.
inline constexpr size_t kMaxDocumentNumberLength = kMaxSeriesLength + 1 + 20;
inline constexpr size_t kCurrencyLength = 3;
inline constexpr size_t kMaxTextLength = 1024;
inline constexpr size_t kMaxReferenceLength = 256;
inline constexpr size_t kMaxLegalNameLength = 200;
inline constexpr size_t kMaxEmailLength = 254;  // RFC 5321's path limit
inline constexpr size_t kMaxTaxIdLength = 32;
inline constexpr size_t kMaxAddressFieldLength = 100;
inline constexpr size_t kMaxCodeLength = 16;
inline constexpr size_t kMaxPageTokenLength = kMaxIdLength;
inline constexpr size_t kMaxFilterLength = 2048;
inline constexpr size_t kMaxEventRefLength = 128;
inline constexpr size_t kMaxStreamLength = 256;
inline constexpr size_t kMaxActorLength = 64;

struct TextLimit {
  size_t max_bytes = 0;
  // Only A-Z a-z 0-9 '-' '_' '.' ':' (ids become stream names and row keys).
  bool id_alphabet = false;
};

// The limit of `kind`; an unknown or unspecified kind has max_bytes 0.
TextLimit limit_of(TextKind kind);

// True when `c` is in the alphabet of ids.
constexpr bool is_id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == ':';
}

// INVALID_ARGUMENT naming `field` when `text` is longer than `max_bytes`.
absl::Status check_length(std::string_view text, size_t max_bytes, std::string_view field);

// A free text of a person (reason, detail, description): at most kMaxTextLength bytes and,
// when `required`, not blank. INVALID_ARGUMENT naming `field` otherwise.
absl::Status check_text(std::string_view text, std::string_view field, bool required = false);

}  // namespace arflow::contract
