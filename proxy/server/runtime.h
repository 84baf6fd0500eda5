// Runtime: one immutable snapshot of everything the workers act on (config,
// Forwarder, scanner patterns, backend health table), and RuntimeHolder, the
// place a reload publishes a new one.
//
// A reload (SIGHUP) builds a complete new Runtime off the packet path and
// publishes it; each worker picks it up between two batches (it compares a
// generation number, an atomic load per batch) and keeps the old one alive
// until then through its shared_ptr. A bad new config never gets published.
//
// Thread-safety: a Runtime is immutable after BuildRuntime (its HealthTable is
// internally synchronized). RuntimeHolder's methods may be called from any
// thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "detect/scanner.h"
#include "forward/forwarder.h"
#include "proxy_config.h"
#include "report/event_sink.h"
#include "server/health_table.h"

namespace sipguard::server {

// Missed probes in a row that make a backend unhealthy.
inline constexpr uint32_t kHealthMissesToFail = 3;

struct Runtime {
  Runtime(ProxyConfig c, forward::Forwarder f, detect::ScannerDetector s,
          std::shared_ptr<HealthTable> h, std::string token, unsigned n,
          std::shared_ptr<EventSink> k)
      : config(std::move(c)),
        forwarder(std::move(f)),
        scanner(std::move(s)),
        health(std::move(h)),
        health_token(std::move(token)),
        workers(n),
        sink(std::move(k)) {}

  ProxyConfig config;  // finished (FinishProxyConfig)
  forward::Forwarder forwarder;
  detect::ScannerDetector scanner;
  std::shared_ptr<HealthTable> health;  // one slot per config.backends
  // Branch of our health probes: forward::kBranchPrefix + "hc" + 16 hex digits,
  // random per process, so an answer to a probe is recognized and a forged
  // one (without the token) is not.
  std::string health_token;
  unsigned workers;  // the event rate is split among them
  // Where events go (--log-target); shared, thread-safe (event_sink.h). Lives
  // as long as any worker still holds this Runtime.
  std::shared_ptr<EventSink> sink;
  // Backends of the configurations before a reload, whose answers to
  // requests sent before it are still routed back until `recent_until`
  // (64*T1, the longest a transaction lives).
  std::vector<IpAddress> recent_backends;
  std::chrono::steady_clock::time_point recent_until{};

  bool IsRecentBackend(const IpAddress& ip, std::chrono::steady_clock::time_point now) const {
    if (now >= recent_until) return false;
    for (const IpAddress& b : recent_backends) {
      if (b == ip) return true;
    }
    return false;
  }
};

inline constexpr std::chrono::seconds kRecentBackendGrace{32};

struct RuntimeInputs {
  ProxyConfig config;                         // finished
  std::vector<forward::Endpoint> advertised;  // listen endpoints as peers reach them
  forward::SipKey secret{};
  std::string health_token;
  unsigned workers = 1;
  std::shared_ptr<EventSink> sink;  // not null
};

// Builds a Runtime; the Error names what is wrong (bad scanner pattern, ...).
// The health state of backends that `previous` also has is carried over.
Result<std::shared_ptr<const Runtime>> BuildRuntime(RuntimeInputs inputs, const Runtime* previous);

// A fresh random probe branch (see Runtime::health_token) and proxy secret.
std::string NewHealthToken();
forward::SipKey NewSecret();

class RuntimeHolder {
 public:
  explicit RuntimeHolder(std::shared_ptr<const Runtime> initial) : current_(std::move(initial)) {}

  std::shared_ptr<const Runtime> Get() const {
    std::lock_guard lock(mu_);
    return current_;
  }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  void Publish(std::shared_ptr<const Runtime> next) {
    {
      std::lock_guard lock(mu_);
      current_ = std::move(next);
    }
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Runtime> current_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace sipguard::server
