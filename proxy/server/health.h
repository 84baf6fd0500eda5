// HealthChecker: one thread that sends an OPTIONS probe to every backend
// every `health.interval` and closes a round of the runtime's HealthTable
// before each new round (see health_table.h for the up/down rule).
//
// A probe's top Via names the proxy's own UDP listen endpoint of the
// backend's family (what a backend answers to, RFC 3261 §18.2.2) with the
// runtime's secret health branch; it is sent from the checker's own socket,
// so backends that answer to the source address (rport, symmetric
// signalling) reach the checker, and the others reach a worker, whose
// Pipeline consumes the answer. Either way MarkAnswered() is called; an
// answer is never forwarded.
//
// Thread-safety: Start/Stop from one controlling thread.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"
#include "server/fd.h"
#include "server/runtime.h"

namespace sipguard::server {

class HealthChecker {
 public:
  static Result<std::unique_ptr<HealthChecker>> Create(RuntimeHolder* holder);
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  void Start();
  void Stop();

 private:
  explicit HealthChecker(RuntimeHolder* holder) : holder_(holder) {}
  void Run();
  void Probe(const Runtime& rt, uint64_t seq);
  void ReadAnswers(const Runtime& rt, int timeout_ms);

  RuntimeHolder* holder_;
  UniqueFd v4_, v6_, wake_;
  // Whether each probe socket (v4, v6) is bound to an ephemeral port yet, so
  // its port can be written into the probe's Via before the first send.
  std::array<bool, 2> bound_{};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The OPTIONS probe for `backend`; `via` is where its answer can reach the
// probe socket (local address toward the backend, the socket's port), with
// rport. `token` is the branch and `seq` the CSeq number; exposed for tests.
std::string BuildProbe(const forward::Endpoint& backend, const forward::Endpoint& via,
                       std::string_view token, uint64_t seq);

}  // namespace sipguard::server
