// FloodDetector: per-source packet rate limiting, in the spirit of the pike
// modules of Kamailio and OpenSIPS.
//
// Feed it every packet (request or response, before parsing: a flood of junk
// is still a flood) with the source address from the socket. It answers
// allow, or drop while the source is over its limit, and tells the caller
// when to report a `flood` event: at most ONCE per source per window.
//
// Counting: each source has fixed windows of `window` (see window.h) and
// counts packets in the current and the previous window. Its rate is the
// sliding-window estimate
//     estimate = current + previous * (time left of the current window / window)
// i.e. the previous window's count decays linearly as the current one
// advances, which smooths the edge between windows (a burst straddling two
// windows is still seen whole) and forgets a source two windows after its
// last packet. Every packet counts, dropped ones too: a source that keeps
// sending at more than the limit stays blocked; it must slow down below the
// limit to get through again. This is what pike does.
//
// Verdict: kDrop while estimate > limit (the limit-th packet in a window
// still passes: "at the limit" is allowed). `report` is true on the first
// dropped packet of each window, with `count` = the estimate rounded up:
// packets in the last `window`, including this one.
//
// Trusted sources (CidrSet, e.g. the operator's trunks) are always allowed and
// never take a table slot. IPv6 sources are counted per /`v6_prefix_len`
// (default /64: one customer line, which can rotate through 2^64 addresses).
//
// Memory: a SourceTable of `capacity` entries (48 bytes each, allocated once;
// 64k sources = 3 MiB) with eviction of the least active source of a bucket
// (see source_table.h for exactly what that guarantees). A source that is
// over the limit is never evicted by sources that sent fewer packets in the
// window, so spraying spoofed addresses does not unblock a flooder.
//
// Thread-safety: none. Keep one FloodDetector per worker thread; with
// SO_REUSEPORT the kernel spreads one source's flows over workers by 4-tuple,
// so steer by source address (e.g. a reuseport BPF program) or divide the
// limit by the worker count. Failure: Create() rejects a bad config with an
// Error naming the field; Check() cannot fail and never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/cidr.h"
#include "common/ip_address.h"
#include "common/result.h"
#include "detect/source_table.h"
#include "detect/window.h"

namespace sipguard::detect {

struct FloodConfig {
  // Packets allowed per source per window. The default, 100 packets in 2 s,
  // is far above what one phone, or a NAT with dozens of phones, sends
  // (a REGISTER refresh, a few OPTIONS keep-alives, a call setup is ~10
  // packets) and far below a scanner (sipvicious sends hundreds per second).
  uint32_t limit = 100;
  Duration window = std::chrono::seconds(2);
  // Sources tracked at once (1 .. SourceTable::kMaxCapacity).
  size_t capacity = 65536;
  // IPv6 sources are grouped by this prefix length (1..128).
  int v6_prefix_len = 64;
  // Never limited.
  CidrSet trusted;
};

enum class FloodAction : uint8_t { kAllow, kDrop };

struct FloodVerdict {
  FloodAction action = FloodAction::kAllow;
  // Report one `flood` event now (Event::count = count).
  bool report = false;
  uint32_t count = 0;
};

class FloodDetector {
 public:
  // Fails on limit 0, a window <= 0, capacity 0 or above the maximum, or a
  // prefix length outside 1..128.
  static Result<FloodDetector> Create(FloodConfig config);

  // Counts one packet from `src` at `now` and judges it. O(1), no allocation.
  FloodVerdict Check(const IpAddress& src, TimePoint now);

  size_t tracked() const { return table_.size(); }
  size_t capacity() const { return table_.capacity(); }
  uint64_t evictions() const { return table_.evictions(); }
  const FloodConfig& config() const { return config_; }

 private:
  struct State {
    TimePoint start;  // of the current window
    uint32_t current = 0;
    uint32_t previous = 0;
    bool reported = false;  // in the current window
  };

  explicit FloodDetector(FloodConfig config);
  // Packets in the last window as of `now`, after rolling `s` to `now`.
  double Estimate(const State& s, TimePoint now) const;
  void Roll(State* s, TimePoint now) const;

  FloodConfig config_;
  SourceTable<State> table_;
};

}  // namespace sipguard::detect
