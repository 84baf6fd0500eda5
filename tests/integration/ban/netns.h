// Test helpers: child processes with bounded run time, and named network
// namespaces (ip netns) that are always removed again.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace sipguard::testing {

// Runs argv (PATH lookup) to completion, at most `timeout_ms` (then SIGKILL);
// stdout+stderr into *out when not null. Returns the exit status, or -1 when it
// could not run / was killed.
int RunCommand(const std::vector<std::string>& argv, std::string* out = nullptr,
               int timeout_ms = 10000);
// Starts argv in the background, stdout+stderr appended to `log_path`. Returns
// the PID or -1.
pid_t StartProcess(const std::vector<std::string>& argv, const std::string& log_path);
// Waits up to timeout_ms for `pid` (a child of ours) to exit; SIGKILLs it
// afterwards. Only ever signals that PID.
void StopProcess(pid_t pid, int timeout_ms);

bool HaveCommand(const std::string& name);

// A named network namespace "sgban-<tag>-<pid>" with lo up. Removed (ip netns
// delete) by the destructor. Stale namespaces of dead test processes are
// removed by RemoveStaleNamespaces().
class NetNs {
 public:
  explicit NetNs(const std::string& tag);
  ~NetNs();
  NetNs(const NetNs&) = delete;
  NetNs& operator=(const NetNs&) = delete;

  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }
  // Moves the calling thread into this namespace (setns).
  bool Enter() const;
  // Runs `ip netns exec NAME argv...`.
  int Exec(const std::vector<std::string>& argv, std::string* out = nullptr,
           int timeout_ms = 10000) const;

 private:
  std::string name_;
  bool ok_ = false;
};

// Back to the namespace the process started in.
bool EnterHostNs();
void RemoveStaleNamespaces();

}  // namespace sipguard::testing
