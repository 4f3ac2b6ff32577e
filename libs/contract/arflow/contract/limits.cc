#include "arflow/contract/limits.h"

#include <fmt/format.h>

namespace arflow::contract {

TextLimit limit_of(TextKind kind) {
  switch (kind) {
    case ::arflow::common::v1::TEXT_KIND_ID:
      return {kMaxIdLength, true};
    case ::arflow::common::v1::TEXT_KIND_DERIVED_ID:
      return {kMaxDerivedIdLength, true};
    case ::arflow::common::v1::TEXT_KIND_TENANT:
      return {kMaxTenantLength, true};
    case ::arflow::common::v1::TEXT_KIND_RESOURCE_NAME:
      return {kMaxResourceNameLength, false};
    case ::arflow::common::v1::TEXT_KIND_REQUEST_ID:
      return {kMaxRequestIdLength, false};
    case ::arflow::common::v1::TEXT_KIND_SERIES:
      return {kMaxSeriesLength, true};
    case ::arflow::common::v1::TEXT_KIND_DOCUMENT_NUMBER:
      return {kMaxDocumentNumberLength, true};
    case ::arflow::common::v1::TEXT_KIND_CURRENCY:
      return {kCurrencyLength, true};
    case ::arflow::common::v1::TEXT_KIND_TEXT:
      return {kMaxTextLength, false};
    case ::arflow::common::v1::TEXT_KIND_REFERENCE:
      return {kMaxReferenceLength, false};
    case ::arflow::common::v1::TEXT_KIND_LEGAL_NAME:
      return {kMaxLegalNameLength, false};
    case ::arflow::common::v1::TEXT_KIND_EMAIL:
      return {kMaxEmailLength, false};
    case ::arflow::common::v1::TEXT_KIND_TAX_ID:
      return {kMaxTaxIdLength, false};
    case ::arflow::common::v1::TEXT_KIND_ADDRESS:
      return {kMaxAddressFieldLength, false};
    case ::arflow::common::v1::TEXT_KIND_CODE:
      return {kMaxCodeLength, false};
    case ::arflow::common::v1::TEXT_KIND_PAGE_TOKEN:
      return {kMaxPageTokenLength, true};
    case ::arflow::common::v1::TEXT_KIND_FILTER:
      return {kMaxFilterLength, false};
    case ::arflow::common::v1::TEXT_KIND_EVENT_REF:
      return {kMaxEventRefLength, false};
    case ::arflow::common::v1::TEXT_KIND_STREAM:
      return {kMaxStreamLength, false};
    case ::arflow::common::v1::TEXT_KIND_ACTOR:
      return {kMaxActorLength, false};
    default:
      return {};
  }
}

absl::Status check_length(std::string_view text, size_t max_bytes, std::string_view field) {
  if (text.size() > max_bytes) {
    return invalid_field(field, fmt::format("must be at most {} bytes", max_bytes));
  }
  return absl::OkStatus();
}

absl::Status check_text(std::string_view text, std::string_view field, bool required) {
  if (required && text.find_first_not_of(' ') == std::string_view::npos) {
    return invalid_field(field, "must not be empty");
  }
  return check_length(text, kMaxTextLength, field);
}

}  // namespace arflow::contract
