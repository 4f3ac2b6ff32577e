#pragma once
// A program run as a child of this process, as the benchmarks and the tests run arflow's
// services: its stdout on a pipe this object reads line by line, its stderr inherited or
// written to a file.
//
// The child dies with this process: it is started with a parent-death signal (SIGKILL), so a
// benchmark or test that crashes, times out or is killed leaves no service behind to eat the
// machine's two cores. It is also killed when this object is destroyed while it still runs.
//
// Thread-safety: one owner. Children may be started from any thread, including short-lived
// ones: the fork happens on a thread that lives as long as the process, because Linux sends
// the parent-death signal when the *thread* that forked exits.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace arflow::process {

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  // Runs argv[0] (a path, not looked up in PATH) with this process's environment. An empty
  // `stderr_path` shares this process's stderr; otherwise the file is created or truncated.
  // An error if the program could not be run (not found, not executable, the file not
  // writable) — then there is no child. At most one start per object.
  absl::Status start(std::vector<std::string> argv, const std::string& stderr_path = {});

  // The child's pid; -1 before start() succeeded and once it has been waited for.
  pid_t pid() const { return pid_; }

  // One line of the child's stdout without its newline; the unterminated rest at end of file;
  // nullopt at end of file, or when `timeout` passed first.
  std::optional<std::string> read_line();
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

  // Sends `sig` to the child, if it has not been waited for.
  void signal(int sig) const;

  // Waits for the child to end; its wait status (the same status on every later call), or
  // kNotWaited if there was no child to wait for (never started, or reaped by someone else).
  int wait();
  static constexpr int kNotWaited = -1;

  // SIGTERM, then wait(): the child's graceful stop.
  int stop();

 private:
  enum class Filled { kData, kEnd, kTimedOut };
  // Appends what the pipe has to buffer_, waiting at most `timeout_ms` (-1: no limit).
  Filled fill(int timeout_ms);

  pid_t pid_ = -1;
  int stdout_ = -1;
  std::string buffer_;
  std::optional<int> status_;
};

}  // namespace arflow::process
