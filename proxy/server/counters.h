// Counters: what the proxy has done, readable while it runs (STATUS= and the
// `stats` control socket).
//
// Each worker owns one WorkerCounters and is its only writer; any thread may
// read it at any time (relaxed atomics: a reader sees each counter's recent
// value, not a consistent cut across counters, which is fine for monitoring).
// Totals() sums the workers. No allocation on the packet path.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "report/reporter.h"

namespace sipguard::server {

// Why a packet was not sent anywhere. Stable names (see DropReasonName).
enum class DropReason : uint8_t {
  kFlood,            // source over its packet rate
  kMalformed,        // invalid message that gets no reply (response, ACK, no Via)
  kScanner,          // known scanner: silent drop
  kKeepalive,        // CRLF keep-alives and empty datagrams
  kFromSelf,         // request from our own endpoint
  kNoBackend,        // no healthy backend and policy "drop"
  kNotFromBackend,   // a response whose source is not a backend
  kUnroutable,       // a response the Forwarder cannot route (foreign Via, ...)
  kInternal,         // output buffer too small and the like
  kSendFailed,       // the kernel refused to send
  kTcpNoConnection,  // a response for a TCP client whose connection is gone
  kCount
};
std::string_view DropReasonName(DropReason reason);

// A counter with one writer: a load and a store, no locked instruction.
class Counter {
 public:
  void Add(uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void Set(uint64_t n) { v_.store(n, std::memory_order_relaxed); }
  uint64_t Get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

inline constexpr size_t kMaxStatus = 700;

struct WorkerCounters {
  Counter received;
  Counter forwarded_requests;
  Counter forwarded_responses;
  Counter health_replies;  // answers to our own OPTIONS, consumed
  std::array<Counter, kMaxStatus> replied_by_status;
  std::array<Counter, static_cast<size_t>(DropReason::kCount)> dropped;
  // Copied from the worker's Reporter (Set, not Add).
  Counter events_written;
  Counter events_suppressed;
  Counter events_failed;
  Counter tcp_connections;  // open now
  Counter tcp_rejected;     // refused: per-source cap or table full
};

struct BackendStatus {
  std::string endpoint;  // "udp:192.0.2.10:5060"
  bool healthy = true;
};

// A plain sum of every worker's counters.
struct Totals {
  uint64_t received = 0, forwarded_requests = 0, forwarded_responses = 0, health_replies = 0;
  uint64_t replied = 0, dropped = 0;
  std::vector<std::pair<int, uint64_t>> replied_by_status;  // non-zero only, ascending
  std::array<uint64_t, static_cast<size_t>(DropReason::kCount)> dropped_by_reason{};
  uint64_t events_written = 0, events_suppressed = 0, events_failed = 0;
  uint64_t tcp_connections = 0, tcp_rejected = 0;
  std::vector<BackendStatus> backends;
};

Totals Sum(std::span<const WorkerCounters* const> workers);

// {"received":..,"forwarded":{"requests":..,"responses":..},"replied":{"400":..},
//  "dropped":{"flood":..},"events":{...},"backends":[{"endpoint":..,"healthy":..}]}
std::string ToJson(const Totals& totals);
// One line for STATUS=: "rx 10 fwd 4/4 replied 2 dropped 0 events 2 backends 1/1 up".
std::string ToStatusLine(const Totals& totals);

}  // namespace sipguard::server
