#pragma once
// Tenants and their API keys (DESIGN.md, "Operations": auth).
//
// A caller presents an API key; the key belongs to exactly one tenant and has a name (the
// "actor" recorded on the events it causes). Keys are never kept in clear: the tenants file
// and this directory hold only the SHA-256 digest of each key.
//
// Tenants file (`--tenants`), one key per line, '#' starts a comment:
//
//   # tenant_id  key_name   sha256_hex_of_key
//   acme         billing-1  9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//
// tenant_id and key_name: 1..64 characters of [A-Za-z0-9_.-]; the digest: 64 hex digits.
// A key digest appears once in the file; a (tenant_id, key_name) pair appears once.
// Without a tenants file a service runs in open dev mode: every call is tenant "dev".
// docs/operations.md, "Authentication and tenants", is the operator's version of this.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "arflow/core/error.h"

namespace arflow::server {

// Who is calling: the tenant every read and write is scoped to, and the key's name.
struct Principal {
  std::string tenant_id;
  std::string key_name;

  friend bool operator==(const Principal&, const Principal&) = default;
};

// The tenant and key name every call gets in open dev mode.
inline constexpr std::string_view kDevTenant = "dev";
inline constexpr std::string_view kDevKeyName = "open-dev-mode";

// The API keys a service accepts, by tenant.
//
// Thread-safety: immutable once built; authenticate() may be called from any number of
// threads at once.
class TenantDirectory {
 public:
  // Parses the text of a tenants file. `source` (a path) prefixes error messages, which name
  // the line and the rule: INVALID_ARGUMENT "tenants.txt:3 key_hash must be 64 hex digits".
  // A file without any key is INVALID_ARGUMENT too (nobody could call the service).
  static Result<TenantDirectory> parse(std::string_view text, std::string_view source);

  // Reads and parses the tenants file at `path`; an unreadable file is NOT_FOUND.
  static Result<TenantDirectory> load(const std::string& path);

  // Open dev mode: authenticate() accepts any caller, with or without a key, as tenant
  // kDevTenant. For local development and demos only.
  static TenantDirectory open_dev_mode();

  // What `--tenants` means: an empty path is open dev mode (logged as a warning, since
  // such a service trusts every caller); otherwise load(path).
  static Result<TenantDirectory> from_flag(const std::string& path);

  // True in open dev mode.
  bool is_open() const { return open_; }

  // Number of API keys (0 in open dev mode).
  std::size_t key_count() const { return entries_.size(); }

  // The principal owning `key`, or UNAUTHENTICATED "unknown API key". The key's SHA-256
  // digest is compared with every stored digest in constant time (no early exit).
  Result<Principal> authenticate(std::string_view key) const;

 private:
  using Digest = std::array<unsigned char, 32>;
  struct Entry {
    Digest digest{};
    Principal principal;
  };

  TenantDirectory() = default;

  std::vector<Entry> entries_;
  bool open_ = false;
};

// SHA-256 of `key` as 64 lowercase hex digits: what the tenants file stores for a key.
// INTERNAL only if OpenSSL fails (out of memory).
Result<std::string> hash_api_key(std::string_view key);

// A new random API key ("arf_" + 64 hex digits, 256 bits from the OS CSPRNG), for a tool
// that provisions keys. INTERNAL if the random generator fails.
Result<std::string> generate_api_key();

}  // namespace arflow::server
