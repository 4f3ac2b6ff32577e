#pragma once
// What the arflow benchmarks share: latency percentiles and where the services' binaries are.
// Figures, not tests: nothing here asserts a time.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace arflow::bench {

using Clock = std::chrono::steady_clock;

struct Percentiles {
  size_t count = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
};

inline Percentiles percentiles(std::vector<std::vector<int64_t>>& per_thread) {
  std::vector<int64_t> all;
  for (auto& v : per_thread) {
    all.insert(all.end(), v.begin(), v.end());
  }
  Percentiles p;
  p.count = all.size();
  if (all.empty()) {
    return p;
  }
  std::sort(all.begin(), all.end());
  const auto at = [&](double q) {
    const auto i = static_cast<size_t>(std::llround(q * static_cast<double>(all.size() - 1)));
    return static_cast<double>(all[std::min(i, all.size() - 1)]) / 1e6;
  };
  p.p50_ms = at(0.50);
  p.p99_ms = at(0.99);
  p.p999_ms = at(0.999);
  p.max_ms = static_cast<double>(all.back()) / 1e6;
  return p;
}

// The directory of this executable (the services are built next to it).
inline std::string self_dir() {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/self/exe", ec).parent_path().string();
}

}  // namespace arflow::bench
