#include "arflow/process/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <utility>

namespace arflow::process {
namespace {

// Runs jobs on one thread that is never joined: children forked there keep their parent
// thread until this process exits, so their parent-death signal means "this process died".
// The thread blocks every signal, so it never takes one meant for the program (a service
// that waits for SIGTERM with sigwait) and no handler runs in a child before its exec.
// Intentionally leaked: a static destructor must not tear down the queue under the thread.
class ForkThread {
 public:
  static ForkThread& instance() {
    static auto* const thread = new ForkThread();
    return *thread;
  }

  // Runs `job` there and returns once it has run.
  void run(std::function<void()> job) {
    std::packaged_task<void()> task(std::move(job));
    auto done = task.get_future();
    {
      std::lock_guard lock(mu_);
      jobs_.push_back(std::move(task));
    }
    wake_.notify_one();
    done.wait();
  }

 private:
  ForkThread() {
    sigset_t all;
    sigset_t before;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &before);  // the new thread inherits the mask
    std::thread([this] {
      while (true) {
        std::packaged_task<void()> job;
        {
          std::unique_lock lock(mu_);
          wake_.wait(lock, [this] { return !jobs_.empty(); });
          job = std::move(jobs_.front());
          jobs_.pop_front();
        }
        job();
      }
    }).detach();
    ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::packaged_task<void()>> jobs_;
};

void close_fd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

// `fd` as `target` in the program (dup2 keeps close-on-exec when they are the same number,
// which they are when this process started with `target` closed).
bool move_fd(int fd, int target) {
  if (fd == target) {
    return ::fcntl(fd, F_SETFD, 0) == 0;
  }
  return ::dup2(fd, target) >= 0;
}

// In the forked child: only async-signal-safe calls until exec. Writes errno to `report` and
// exits if the program cannot be run.
[[noreturn]] void exec_child(char* const* argv, const char* stderr_path, int stdout_fd, int report,
                             pid_t parent) {
  const auto fail = [report] {
    const int e = errno;
    (void)!::write(report, &e, sizeof e);
    ::_exit(127);
  };
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    fail();
  }
  // The parent may have died between fork and prctl: then nobody would send the signal.
  if (::getppid() != parent) {
    ::_exit(127);
  }
  if (!move_fd(stdout_fd, STDOUT_FILENO)) {
    fail();
  }
  if (stderr_path != nullptr) {
    const int err = ::open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (err < 0 || !move_fd(err, STDERR_FILENO)) {
      fail();
    }
  }
  // The program starts as from a shell: default handlers, nothing blocked (all signals are
  // blocked until here, as on the fork thread, so no handler of this process ran).
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction now {};
    if (::sigaction(sig, nullptr, &now) == 0 && now.sa_handler != SIG_IGN &&
        now.sa_handler != SIG_DFL) {
      ::sigaction(sig, &dfl, nullptr);
    }
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execv(argv[0], argv);
  fail();
  ::_exit(127);  // not reached: fail() exits
}

}  // namespace

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    signal(SIGKILL);
    (void)wait();
  }
  close_fd(stdout_);
}

absl::Status ChildProcess::start(std::vector<std::string> argv, const std::string& stderr_path) {
  if (pid_ > 0 || status_.has_value() || argv.empty()) {
    return absl::FailedPreconditionError("a child process is started once, with a program");
  }
  // Everything the child needs is built here: it must not allocate between fork and exec.
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (auto& a : argv) {
    args.push_back(a.data());
  }
  args.push_back(nullptr);
  int out[2];
  int report[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    return absl::ErrnoToStatus(errno, "pipe for the child's stdout");
  }
  if (::pipe2(report, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(out[0]);
    ::close(out[1]);
    return absl::ErrnoToStatus(e, "pipe for the child's exec error");
  }
  const char* err_path = stderr_path.empty() ? nullptr : stderr_path.c_str();
  const pid_t parent = ::getpid();
  pid_t pid = -1;
  int fork_errno = 0;
  ForkThread::instance().run([&] {
    pid = ::fork();
    if (pid == 0) {
      exec_child(args.data(), err_path, out[1], report[1], parent);
    }
    fork_errno = errno;
  });
  ::close(out[1]);
  ::close(report[1]);
  if (pid < 0) {
    ::close(out[0]);
    ::close(report[0]);
    return absl::ErrnoToStatus(fork_errno, "fork");
  }
  // The report pipe closes on a successful exec (O_CLOEXEC); otherwise it carries errno.
  int exec_errno = 0;
  ssize_t n = 0;
  do {
    n = ::read(report[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n != 0) {
    ::close(out[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return absl::ErrnoToStatus(
        n == sizeof exec_errno ? exec_errno : EIO,
        "cannot run " + argv[0] +
            (err_path != nullptr ? " with its stderr to " + stderr_path : std::string()));
  }
  pid_ = pid;
  stdout_ = out[0];
  return absl::OkStatus();
}

ChildProcess::Filled ChildProcess::fill(int timeout_ms) {
  if (stdout_ < 0) {
    return Filled::kEnd;
  }
  while (true) {
    pollfd p{.fd = stdout_, .events = POLLIN, .revents = 0};
    const int ready = ::poll(&p, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready == 0) {
      return Filled::kTimedOut;
    }
    if (ready < 0) {
      return Filled::kEnd;
    }
    char chunk[4096];
    const ssize_t n = ::read(stdout_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return Filled::kEnd;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return Filled::kData;
  }
}

std::optional<std::string> ChildProcess::read_line() {
  return read_line(std::chrono::milliseconds(-1));
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const bool forever = timeout.count() < 0;
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (const size_t nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    int wait_ms = -1;
    if (!forever) {
      // At least one look at the pipe, however little time is left.
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      wait_ms = static_cast<int>(std::max<int64_t>(left.count(), 0));
    }
    switch (fill(wait_ms)) {
      case Filled::kData:
        break;
      case Filled::kTimedOut:
        return std::nullopt;
      case Filled::kEnd:
        if (buffer_.empty()) {
          return std::nullopt;
        }
        return std::exchange(buffer_, std::string());
    }
  }
}

void ChildProcess::signal(int sig) const {
  if (pid_ > 0) {
    ::kill(pid_, sig);
  }
}

int ChildProcess::wait() {
  if (!status_.has_value() && pid_ > 0) {
    int status = 0;
    pid_t waited = -1;
    do {
      waited = ::waitpid(pid_, &status, 0);
    } while (waited < 0 && errno == EINTR);
    status_ = waited == pid_ ? status : kNotWaited;
    pid_ = -1;
  }
  return status_.value_or(kNotWaited);
}

int ChildProcess::stop() {
  signal(SIGTERM);
  return wait();
}

}  // namespace arflow::process
