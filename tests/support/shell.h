#pragma once
// Shell commands for tests (kcat, the arflow CLI): their stdout and exit code.

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace arflow::testing {

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
