// HealthTable: the health of each backend, shared between the health checker
// (one thread, which probes and decides) and the workers (which read the
// flags for every request and report answers to the proxy's own probes).
//
// A backend starts healthy. Each probe round the checker calls EndRound():
// a backend that answered since the previous round is healthy with no
// misses; one that did not gets a miss, and `misses_to_fail` misses in a row
// make it unhealthy. An answer (MarkAnswered) makes it healthy at once.
//
// Thread-safety: every method may be called from any thread; each backend's
// state is a few atomics (no lock on the packet path). The endpoint list is
// fixed at construction (a reload builds a new table).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "forward/backends.h"
#include "forward/endpoint.h"

namespace sipguard::server {

class HealthTable {
 public:
  HealthTable(std::vector<forward::Endpoint> backends, uint32_t misses_to_fail);

  size_t size() const { return endpoints_.size(); }
  const std::vector<forward::Endpoint>& endpoints() const { return endpoints_; }
  bool healthy(size_t i) const { return slots_[i].healthy.load(std::memory_order_acquire); }

  // The index of the backend at `ip` (any port: backends may answer from
  // another port than they listen on), or nullopt.
  std::optional<size_t> FindByAddress(const IpAddress& ip) const;
  // The backend at exactly `e` (address and port), else as FindByAddress:
  // several backends may share an address.
  std::optional<size_t> Find(const forward::Endpoint& e) const;

  // An answer to our probe came from backend `i`.
  void MarkAnswered(size_t i);
  // Closes a probe round (see above). Returns true when any flag changed.
  bool EndRound();
  // Copies the state of `other` for the endpoints both tables have (reload).
  void CopyStateFrom(const HealthTable& other);

  // The backends with their current flags, for one Forwarder call.
  void Snapshot(std::vector<forward::Backend>* out) const;

 private:
  struct Slot {
    std::atomic<bool> healthy{true};
    std::atomic<bool> answered{false};
    std::atomic<uint32_t> misses{0};
  };
  std::vector<forward::Endpoint> endpoints_;
  std::unique_ptr<Slot[]> slots_;
  uint32_t misses_to_fail_;
};

}  // namespace sipguard::server
