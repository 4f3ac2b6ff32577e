#pragma once
// What the arflow benchmarks share: the services under test as child processes, and latency
// percentiles. Figures, not tests: nothing here asserts a time.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

extern char** environ;

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

// A service (or the broker) spawned with posix_spawn: stdout on a pipe (the ready line), stderr to
// a log file (its structured logs, which also say where metrics listen).
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      (void)wait();
    }
    if (stdout_ >= 0) {
      ::close(stdout_);
    }
  }

  bool start(std::vector<std::string> argv, const std::string& log_path) {
    int out[2];
    if (::pipe(out) != 0) {
      return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, out[1]);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (auto& a : argv) {
      args.push_back(a.data());
    }
    args.push_back(nullptr);
    if (::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    stdout_ = out[0];
    return pid_ > 0;
  }

  pid_t pid() const { return pid_; }

  // One line of the child's stdout; nullopt at end of file or after `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
    std::string line;
    const auto deadline = Clock::now() + timeout;
    while (true) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd p{.fd = stdout_, .events = POLLIN, .revents = 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        return std::nullopt;
      }
      char c = 0;
      if (::read(stdout_, &c, 1) != 1) {
        return std::nullopt;
      }
      if (c == '\n') {
        return line;
      }
      line.push_back(c);
    }
  }

  // SIGTERM, then waits; returns the wait status.
  int stop() {
    ::kill(pid_, SIGTERM);
    return wait();
  }

 private:
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  pid_t pid_ = -1;
  int stdout_ = -1;
};

// The directory of this executable (the services are built next to it).
inline std::string self_dir() {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/self/exe", ec).parent_path().string();
}

}  // namespace arflow::bench
