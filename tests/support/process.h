#pragma once
// A child process for tests: spawned with posix_spawn (never a bare fork of a process that
// already runs RocksDB or librdkafka threads), its stdout on a pipe, killed on destruction.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

extern char** environ;

namespace arflow::testing {

class Process {
 public:
  explicit Process(std::vector<std::string> argv) {
    int out[2];
    if (::pipe(out) != 0) {
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<char*> args;
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
  }
  ~Process() {
    if (pid_ > 0 && !exit_status_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    if (stdout_ >= 0) {
      ::close(stdout_);
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int stdout_fd() const { return stdout_; }

  // One line of the child's stdout, without the newline; nullopt at end of file.
  std::optional<std::string> read_line() {
    std::string line;
    char c;
    while (::read(stdout_, &c, 1) == 1) {
      if (c == '\n') {
        return line;
      }
      line.push_back(c);
    }
    return line.empty() ? std::nullopt : std::optional<std::string>(line);
  }

  void signal(int sig) const { ::kill(pid_, sig); }

  // Waits for the child; returns its wait status.
  int wait() {
    if (!exit_status_) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
      exit_status_ = status;
    }
    return *exit_status_;
  }

 private:
  pid_t pid_ = -1;
  int stdout_ = -1;
  std::optional<int> exit_status_;
};

// Runs a shell command and returns its stdout (for kcat).
inline std::string run_capture(const std::string& command, int* exit_code = nullptr) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) {
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = ::fread(buf, 1, sizeof buf, p)) > 0) {
    out.append(buf, n);
  }
  const int status = ::pclose(p);
  if (exit_code != nullptr) {
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return out;
}

}  // namespace arflow::testing
