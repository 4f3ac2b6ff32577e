#pragma once
// CPU used per thread of a process, from /proc: what the benchmarks print so that a phase's
// cost reads as "cores per thread" (executor, committer, relay, gRPC, Kafka, ...), which is
// steadier on a shared VM than a rate.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace arflow::bench {

inline std::string read_proc_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ThreadCpu {
  std::string name;
  uint64_t ticks = 0;  // user + system, in clock ticks
};

// utime + stime of a /proc/.../stat line (a thread's, or the process's, which also counts
// threads that have exited); the name between the parentheses.
inline std::optional<ThreadCpu> parse_stat(const std::string& stat) {
  const auto open = stat.find('(');
  const auto close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open ||
      close + 2 > stat.size()) {
    return std::nullopt;
  }
  std::istringstream rest(stat.substr(close + 2));
  std::vector<std::string> fields;
  std::string f;
  while (fields.size() < 13 && rest >> f) {
    fields.push_back(f);
  }
  if (fields.size() < 13) {
    return std::nullopt;
  }
  // Fields from the state (3rd) on: utime is the 14th, stime the 15th.
  return ThreadCpu{stat.substr(open + 1, close - open - 1),
                   std::strtoull(fields[11].c_str(), nullptr, 10) +
                       std::strtoull(fields[12].c_str(), nullptr, 10)};
}

struct CpuSample {
  uint64_t process_ticks = 0;
  std::map<int, ThreadCpu> threads;  // by thread id, the live ones
};

inline CpuSample sample_cpu(const std::string& proc_dir) {
  CpuSample out;
  if (auto p = parse_stat(read_proc_file(proc_dir + "/stat")); p.has_value()) {
    out.process_ticks = p->ticks;
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(proc_dir + "/task", ec)) {
    if (auto t = parse_stat(read_proc_file(entry.path().string() + "/stat")); t.has_value()) {
      out.threads[std::atoi(entry.path().filename().c_str())] = *std::move(t);
    }
  }
  return out;
}

// Cores used per thread name between two samples, busiest first, e.g.
// "arflow-invoicin x6 1.09 (0.80 0.23 0.06), nexting_thread x2 0.11 (0.06 0.05)"; threads
// that ran and exited in between are one group. `total` is the process's.
inline std::string cpu_breakdown(const CpuSample& before, const CpuSample& after, double seconds,
                                 double* total) {
  const double ticks_per_s = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const auto cores_of = [&](uint64_t ticks) {
    return static_cast<double>(ticks) / ticks_per_s / seconds;
  };
  std::map<std::string, std::vector<double>> by_name;
  *total = cores_of(after.process_ticks - before.process_ticks);
  double live = 0;
  for (const auto& [tid, t] : after.threads) {
    const auto b = before.threads.find(tid);
    const double cores = cores_of(t.ticks - (b == before.threads.end() ? 0 : b->second.ticks));
    by_name[t.name].push_back(cores);
    live += cores;
  }
  std::vector<std::pair<double, std::string>> groups;
  if (*total - live >= 0.01) {
    groups.emplace_back(*total - live, fmt::format("exited threads {:.2f}", *total - live));
  }
  for (auto& [name, cores] : by_name) {
    std::sort(cores.rbegin(), cores.rend());
    double sum = 0;
    for (double c : cores) {
      sum += c;
    }
    if (sum < 0.01) {
      continue;
    }
    std::string text = fmt::format("{} x{} {:.2f}", name, cores.size(), sum);
    if (cores.size() > 1 && cores[1] >= 0.01) {
      text += " (";
      for (size_t i = 0; i < cores.size() && i < 4 && cores[i] >= 0.01; ++i) {
        text += fmt::format("{}{:.2f}", i == 0 ? "" : " ", cores[i]);
      }
      text += ")";
    }
    groups.emplace_back(sum, std::move(text));
  }
  std::sort(groups.rbegin(), groups.rend());
  std::string out;
  for (const auto& g : groups) {
    out += (out.empty() ? "" : ", ") + g.second;
  }
  return out;
}

}  // namespace arflow::bench
