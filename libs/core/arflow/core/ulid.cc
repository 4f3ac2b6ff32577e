#include "arflow/core/ulid.h"

namespace arflow {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

std::string encode(uint64_t ms, const std::array<uint8_t, 10>& random) {
  // 128 bits: 48 of time, 80 of randomness, written as 26 five-bit digits (the first has 3).
  std::array<uint8_t, 16> bytes{};
  for (int i = 0; i < 6; ++i) {
    bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  }
  for (size_t i = 0; i < 10; ++i) {
    bytes[6 + i] = random[i];
  }
  std::string out(26, '0');
  // Bit position of digit d (0..25) counted from the most significant bit of a 130-bit
  // number whose top two bits are zero.
  for (int d = 0; d < 26; ++d) {
    int value = 0;
    for (int b = 0; b < 5; ++b) {
      const int bit = d * 5 + b - 2;  // index into the 128-bit string
      int v = 0;
      if (bit >= 0) {
        v = (bytes[static_cast<size_t>(bit / 8)] >> (7 - bit % 8)) & 1;
      }
      value = (value << 1) | v;
    }
    out[static_cast<size_t>(d)] = kAlphabet[static_cast<size_t>(value)];
  }
  return out;
}

}  // namespace

UlidGenerator::UlidGenerator(const Clock& clock) : clock_(clock), rng_(std::random_device{}()) {}

std::string UlidGenerator::next() {
  const auto now_ms = static_cast<uint64_t>(to_unix_millis(clock_.now()));
  std::lock_guard lock(mu_);
  if (now_ms > last_ms_) {
    last_ms_ = now_ms;
    for (size_t i = 0; i < last_random_.size(); i += 8) {
      const uint64_t r = rng_();
      for (size_t j = 0; j < 8 && i + j < last_random_.size(); ++j) {
        last_random_[i + j] = static_cast<uint8_t>(r >> (8 * j));
      }
    }
  } else {
    // Same (or an earlier, if the clock stepped back) millisecond: keep last_ms_ and count up.
    for (size_t i = last_random_.size(); i-- > 0;) {
      if (++last_random_[i] != 0) {
        break;
      }
    }
  }
  return encode(last_ms_, last_random_);
}

bool is_ulid(std::string_view s) {
  if (s.size() != 26 || s[0] > '7') {
    return false;
  }
  for (char c : s) {
    if (kAlphabet.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace arflow
