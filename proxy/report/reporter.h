// Reporter: the rate-bounded front of an EventSink.
//
// Under attack the proxy can find thousands of offences per second. Writing
// each would make event emission the bottleneck and flood the journal (which
// then rate-limits the whole unit and drops silently). A token bucket admits
// at most `rate_per_second` events with bursts of `burst`; the rest are
// counted per event type, and main reports the counts (one summary line per
// interval, and in the STATUS= of the unit).
//
// Detectors already fold floods into one event per source per window; this
// bound is the last line of defence, not the first.
//
// Not thread-safe: one Reporter per worker thread (split the rate among the
// workers); the sink may be shared.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

#include "common/event.h"
#include "common/result.h"
#include "report/event_sink.h"

namespace sipguard {

struct ReporterCounters {
  uint64_t written = 0;     // events the sink accepted
  uint64_t suppressed = 0;  // events over the rate, not written
  uint64_t failed = 0;      // events the sink refused (journal gone, disk full)
  std::array<uint64_t, kAllEventTypes.size()> suppressed_by_type{};
};

class Reporter {
 public:
  using Clock = std::chrono::steady_clock;

  // `sink` is not owned and must outlive the Reporter. rate_per_second > 0,
  // burst >= 1.
  Reporter(EventSink* sink, double rate_per_second, double burst);

  // Writes `event` if the bucket allows it. Returns true when it was written.
  bool Report(const Event& event, Clock::time_point now);

  const ReporterCounters& counters() const { return counters_; }

  // The latest sink error since the previous call, for main to log once.
  std::optional<Error> TakeLastError();

 private:
  EventSink* sink_;
  double rate_;
  double burst_;
  double tokens_;
  std::optional<Clock::time_point> last_;
  ReporterCounters counters_;
  std::optional<Error> last_error_;
};

}  // namespace sipguard
