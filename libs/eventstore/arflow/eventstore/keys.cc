#include "arflow/eventstore/keys.h"

#include <array>

namespace arflow::eventstore {

std::string_view column_name(Column c) {
  static constexpr std::array<std::string_view, kColumnCount> kNames = {"events", "outbox",
                                                                        "idempotency", "state"};
  return kNames[static_cast<size_t>(c)];
}

void append_be64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint64_t read_be64(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) {
    v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  }
  return v;
}

std::string be64(uint64_t v) {
  std::string out;
  out.reserve(8);
  append_be64(out, v);
  return out;
}

absl::Status validate_stream(std::string_view stream) {
  if (stream.empty()) {
    return invalid_field("stream", "must not be empty");
  }
  if (stream.size() > 512) {
    return invalid_field("stream", "must be at most 512 bytes");
  }
  if (stream.find('\0') != std::string_view::npos) {
    return invalid_field("stream", "must not contain NUL");
  }
  return absl::OkStatus();
}

std::string event_key(std::string_view stream, uint64_t version) {
  std::string key;
  key.reserve(stream.size() + 9);
  key.append(stream);
  key.push_back('\0');
  append_be64(key, version);
  return key;
}

std::string idempotency_key(std::string_view tenant, std::string_view request_id) {
  std::string key;
  key.reserve(tenant.size() + request_id.size() + 1);
  key.append(tenant);
  key.push_back('\0');
  key.append(request_id);
  return key;
}

uint64_t fingerprint(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;  // FNV-1a 64 prime
  }
  return h;
}

}  // namespace arflow::eventstore
