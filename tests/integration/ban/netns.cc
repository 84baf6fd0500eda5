#include "netns.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>

extern char** environ;

namespace sipguard::testing {

namespace {

std::vector<char*> Argv(const std::vector<std::string>& argv) {
  std::vector<char*> v;
  v.reserve(argv.size() + 1);
  for (const std::string& a : argv) v.push_back(const_cast<char*>(a.c_str()));  // NOLINT
  v.push_back(nullptr);
  return v;
}

int HostNsFd() {
  static int fd = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  return fd;
}

}  // namespace

int RunCommand(const std::vector<std::string>& argv, std::string* out, int timeout_ms) {
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
  pid_t pid = -1;
  std::vector<char*> args = Argv(argv);
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(pipefd[1]);
  if (rc != 0) {
    ::close(pipefd[0]);
    return -1;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string buf;
  bool killed = false;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    pollfd p{pipefd[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char chunk[4096];
    ssize_t n = ::read(pipefd[0], chunk, sizeof(chunk));
    if (n <= 0) break;  // EOF: the child closed its output
    if (buf.size() < (1u << 22)) buf.append(chunk, static_cast<size_t>(n));
  }
  ::close(pipefd[0]);
  // The child closed its output; it exits promptly. Bounded anyway.
  int status = 0;
  for (int i = 0; i < 500; ++i) {
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (i == 499) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      killed = true;
    }
    ::usleep(10000);
  }
  if (out != nullptr) *out = std::move(buf);
  if (killed || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

pid_t StartProcess(const std::vector<std::string>& argv, const std::string& log_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  std::vector<char*> args = Argv(argv);
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

void StopProcess(pid_t pid, int timeout_ms) {
  if (pid <= 0) return;
  int status = 0;
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return;
    ::usleep(20000);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
}

bool HaveCommand(const std::string& name) {
  return RunCommand({"sh", "-c", "command -v \"$0\"", name}, nullptr, 5000) == 0;
}

NetNs::NetNs(const std::string& tag) : name_("sgban-" + tag + "-" + std::to_string(::getpid())) {
  HostNsFd();  // remember the host namespace before anyone moves
  RunCommand({"ip", "netns", "delete", name_});
  ok_ = RunCommand({"ip", "netns", "add", name_}) == 0 &&
        RunCommand({"ip", "-n", name_, "link", "set", "lo", "up"}) == 0;
}

NetNs::~NetNs() {
  EnterHostNs();
  RunCommand({"ip", "netns", "delete", name_});
}

bool NetNs::Enter() const {
  int fd = ::open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::setns(fd, CLONE_NEWNET) == 0;
  ::close(fd);
  return ok;
}

int NetNs::Exec(const std::vector<std::string>& argv, std::string* out, int timeout_ms) const {
  std::vector<std::string> full = {"ip", "netns", "exec", name_};
  full.insert(full.end(), argv.begin(), argv.end());
  return RunCommand(full, out, timeout_ms);
}

bool EnterHostNs() { return HostNsFd() >= 0 && ::setns(HostNsFd(), CLONE_NEWNET) == 0; }

void RemoveStaleNamespaces() {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/run/netns", ec)) {
    std::string n = e.path().filename().string();
    if (!n.starts_with("sgban-")) continue;
    size_t dash = n.rfind('-');
    long pid = std::strtol(n.c_str() + dash + 1, nullptr, 10);
    if (pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      RunCommand({"ip", "netns", "delete", n});
    }
  }
}

}  // namespace sipguard::testing
