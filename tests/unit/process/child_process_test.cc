// The child processes benchmarks and tests start: their output, their errors, and that none
// outlives the process that started it.
#include "arflow/process/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "support/temp_dir.h"

namespace arflow::process {
namespace {

using std::chrono::milliseconds;

// Long enough for a loaded machine; a regression fails instead of hanging until ctest's limit.
constexpr milliseconds kPatience{30'000};

// Running, as opposed to gone or a zombie nobody reaped (a container's pid 1 may not reap).
bool running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field;
  std::string name;
  std::string state;
  return static_cast<bool>(stat >> pid_field >> name >> state) && state != "Z" && state != "X";
}

bool gone_within(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (running(pid)) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

TEST(ChildProcess, ReadsTheChildsLinesThenItsUnterminatedRestThenEndOfFile) {
  ChildProcess child;
  ASSERT_TRUE(child.start({"/bin/sh", "-c", "printf 'first\\nsecond\\nrest'; exit 3"}).ok());
  EXPECT_EQ(child.read_line(kPatience).value_or("?"), "first");
  EXPECT_EQ(child.read_line(kPatience).value_or("?"), "second");
  EXPECT_EQ(child.read_line(kPatience).value_or("?"), "rest");
  EXPECT_FALSE(child.read_line(kPatience).has_value());
  const int status = child.wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_EQ(child.wait(), status) << "a second wait gives the same status";
}

TEST(ChildProcess, AProgramThatCannotRunIsAnErrorNamingItAndLeavesNoChild) {
  ChildProcess child;
  const auto started = child.start({"/nonexistent/arflow-invoicing"});
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.code(), absl::StatusCode::kNotFound) << started;
  EXPECT_NE(started.message().find("/nonexistent/arflow-invoicing"), std::string::npos) << started;
  EXPECT_EQ(child.pid(), -1);

  testing::TempDir dir;
  ChildProcess no_log;
  const auto unwritable = no_log.start({"/bin/true"}, dir.sub("missing/dir/child.log"));
  ASSERT_FALSE(unwritable.ok());
  EXPECT_NE(unwritable.message().find("child.log"), std::string::npos) << unwritable;
}

// Programs start as from a shell, whatever this process blocks (the thread that forks blocks
// everything, so that no handler of this process runs in a child before its exec).
TEST(ChildProcess, TheProgramStartsWithNoSignalBlocked) {
  ChildProcess child;
  ASSERT_TRUE(child.start({"/bin/grep", "^SigBlk:", "/proc/self/status"}).ok());
  EXPECT_EQ(child.read_line(kPatience).value_or("?"), "SigBlk:\t0000000000000000");
  child.wait();
}

TEST(ChildProcess, StderrGoesToTheFileItWasGiven) {
  testing::TempDir dir;
  const std::string log = dir.sub("child.log");
  ChildProcess child;
  ASSERT_TRUE(child.start({"/bin/sh", "-c", "echo to-the-log >&2; echo ready"}, log).ok());
  EXPECT_EQ(child.read_line(kPatience).value_or("?"), "ready");
  child.wait();
  std::ifstream in(log);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "to-the-log");
}

TEST(ChildProcess, ALineThatDoesNotComeInTimeIsNoLineAndTheChildGoesWithItsOwner) {
  pid_t pid = -1;
  {
    ChildProcess child;
    ASSERT_TRUE(child.start({"/bin/sleep", "60"}).ok());
    pid = child.pid();
    EXPECT_FALSE(child.read_line(milliseconds(100)).has_value());
    EXPECT_TRUE(running(pid));
  }
  EXPECT_FALSE(running(pid)) << "killed and reaped when its owner went";
}

// Linux sends the parent-death signal when the *thread* that forked ends: a service a test
// starts from a short-lived thread (a restart after a kill) must keep running.
TEST(ChildProcess, AChildStartedFromAThreadThatEndedKeepsRunning) {
  ChildProcess child;
  std::thread([&] { ASSERT_TRUE(child.start({"/bin/sleep", "60"}).ok()); }).join();
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_TRUE(running(child.pid()));
  child.signal(SIGKILL);
  EXPECT_TRUE(WIFSIGNALED(child.wait()));
}

// A benchmark or test killed (SIGKILL: no destructor runs) leaves no service behind.
TEST(ChildProcess, AChildDiesWhenTheProcessThatStartedItIsKilled) {
  ChildProcess parent;
  ASSERT_TRUE(parent.start({ARFLOW_TEST_CHILD, "spawn", "/bin/sleep", "60"}).ok());
  const auto printed = parent.read_line(kPatience);
  ASSERT_TRUE(printed.has_value());
  const pid_t grandchild = std::stoi(*printed);
  std::this_thread::sleep_for(milliseconds(200));
  ASSERT_TRUE(running(grandchild)) << "it outlives the thread that started it";
  parent.signal(SIGKILL);
  parent.wait();
  EXPECT_TRUE(gone_within(grandchild, std::chrono::seconds(10)));
}

}  // namespace
}  // namespace arflow::process
