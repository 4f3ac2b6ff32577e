#include "arflow/server/tenants.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "arflow/contract/limits.h"
#include "arflow/core/log.h"

namespace arflow::server {
namespace {

// A tenant's id, or an API key's name (the actor of what the key does): contract/limits.h.
constexpr std::size_t kMaxNameLength = contract::kMaxTenantLength;
static_assert(contract::kMaxActorLength >= kMaxNameLength);
constexpr std::string_view kHexDigits = "0123456789abcdef";

// SHA-256 of `data`. EVP_Digest fails only when OpenSSL cannot allocate: INTERNAL.
Result<std::array<unsigned char, 32>> sha256(std::string_view data) {
  std::array<unsigned char, 32> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    return absl::InternalError("SHA-256 of the API key failed in OpenSSL");
  }
  return digest;
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex.push_back(kHexDigits[bytes[i] >> 4U]);
    hex.push_back(kHexDigits[bytes[i] & 0x0FU]);
  }
  return hex;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// 64 hex digits (either case) -> 32 bytes; false if `hex` is anything else.
bool parse_digest(std::string_view hex, std::array<unsigned char, 32>& digest) {
  if (hex.size() != digest.size() * 2) {
    return false;
  }
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const int high = hex_value(hex[2 * i]);
    const int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      return false;
    }
    digest[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return true;
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return false;
  }
  for (const char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<TenantDirectory> TenantDirectory::parse(std::string_view text, std::string_view source) {
  TenantDirectory directory;
  std::map<std::array<unsigned char, 32>, std::size_t> line_of_digest;
  std::map<std::pair<std::string, std::string>, std::size_t> line_of_name;
  std::size_t line_number = 0;
  // Debian's abseil has its own string_view (not std::string_view): convert at the edges.
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_number;
    if (const auto hash = line.find('#'); hash != absl::string_view::npos) {
      line = line.substr(0, hash);
    }
    std::vector<std::string_view> fields;
    for (const absl::string_view field :
         absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty())) {
      fields.emplace_back(field.data(), field.size());
    }
    if (fields.empty()) {
      continue;
    }
    const std::string where = fmt::format("{}:{}", source, line_number);
    if (fields.size() != 3) {
      return invalid_field(
          where,
          fmt::format("must have 3 fields (tenant_id key_name key_hash), has {}", fields.size()));
    }
    if (!is_valid_name(fields[0])) {
      return invalid_field(where + " tenant_id", "must be 1..64 characters of [A-Za-z0-9_.-]");
    }
    if (!is_valid_name(fields[1])) {
      return invalid_field(where + " key_name", "must be 1..64 characters of [A-Za-z0-9_.-]");
    }
    Entry entry;
    if (!parse_digest(fields[2], entry.digest)) {
      return invalid_field(where + " key_hash", "must be 64 hex digits (the SHA-256 of the key)");
    }
    entry.principal = Principal{std::string(fields[0]), std::string(fields[1])};
    if (const auto [it, inserted] = line_of_digest.emplace(entry.digest, line_number); !inserted) {
      return invalid_field(where + " key_hash",
                           fmt::format("must be unique, already on line {}", it->second));
    }
    if (const auto [it, inserted] = line_of_name.emplace(
            std::pair(entry.principal.tenant_id, entry.principal.key_name), line_number);
        !inserted) {
      return invalid_field(
          where + " key_name",
          fmt::format("must be unique within the tenant, already on line {}", it->second));
    }
    directory.entries_.push_back(std::move(entry));
  }
  if (directory.entries_.empty()) {
    return invalid_field(source, "must list at least one API key");
  }
  return directory;
}

Result<TenantDirectory> TenantDirectory::load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::NotFoundError(fmt::format("tenants file {} cannot be opened", path));
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) {
    return absl::DataLossError(fmt::format("tenants file {} cannot be read", path));
  }
  return parse(text.str(), path);
}

TenantDirectory TenantDirectory::open_dev_mode() {
  TenantDirectory directory;
  directory.open_ = true;
  return directory;
}

Result<TenantDirectory> TenantDirectory::from_flag(const std::string& path) {
  if (path.empty()) {
    ARFLOW_LOG_WARN("auth_open_dev_mode",
                    "tenant={} reason=\"no --tenants file: every caller is accepted without an "
                    "API key; never run like this outside development\"",
                    kDevTenant);
    return open_dev_mode();
  }
  auto directory = load(path);
  if (directory.ok()) {
    ARFLOW_LOG_INFO("tenants_loaded", "path={} keys={}", path, directory->key_count());
  }
  return directory;
}

Result<Principal> TenantDirectory::authenticate(std::string_view key) const {
  if (open_) {
    return Principal{std::string(kDevTenant), std::string(kDevKeyName)};
  }
  if (key.empty()) {
    return absl::UnauthenticatedError("API key is empty");
  }
  const auto digest = sha256(key);
  if (!digest.ok()) {
    return digest.status();
  }
  // Every entry is compared, whatever matched before, so the time taken does not depend on
  // which entry (if any) matches.
  const Entry* match = nullptr;
  for (const Entry& entry : entries_) {
    const bool equal = CRYPTO_memcmp(entry.digest.data(), digest->data(), digest->size()) == 0;
    match = equal ? &entry : match;
  }
  if (match == nullptr) {
    return absl::UnauthenticatedError("unknown API key");
  }
  return match->principal;
}

Result<std::string> hash_api_key(std::string_view key) {
  const auto digest = sha256(key);
  if (!digest.ok()) {
    return digest.status();
  }
  return to_hex(digest->data(), digest->size());
}

Result<std::string> generate_api_key() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return absl::InternalError("the random generator failed to produce an API key");
  }
  return "arf_" + to_hex(bytes.data(), bytes.size());
}

}  // namespace arflow::server
