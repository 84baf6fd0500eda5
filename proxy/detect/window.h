// Time for the detectors: the caller's clock, passed in, never read here.
//
// Every detector takes `now` (a steady_clock time point) with each call, so
// tests drive time by hand and nothing sleeps. Detectors keep fixed windows
// per source: a window starts at the source's first counted event and lasts
// `window`; the next one starts where it ended (so windows stay aligned to
// the first one, whatever the gaps). Time that goes backwards (a caller
// mixing clocks) is treated as "still in the current window", never as a
// reset.
#pragma once

#include <chrono>
#include <cstdint>

namespace sipguard::detect {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

// Whole windows of length `window` (> 0) from `start` to `now`; 0 when `now`
// is before `start`.
inline int64_t WindowsSince(TimePoint start, TimePoint now, Duration window) {
  if (now <= start) return 0;
  return (now - start) / window;
}

}  // namespace sipguard::detect
