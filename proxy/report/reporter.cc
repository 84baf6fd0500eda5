#include "report/reporter.h"

#include <algorithm>

namespace sipguard {

Reporter::Reporter(EventSink* sink, double rate_per_second, double burst)
    : sink_(sink), rate_(rate_per_second), burst_(std::max(burst, 1.0)), tokens_(burst_) {}

bool Reporter::Report(const Event& event, Clock::time_point now) {
  if (last_) {
    double elapsed = std::chrono::duration<double>(now - *last_).count();
    if (elapsed > 0) tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  }
  last_ = now;
  if (tokens_ < 1.0) {
    ++counters_.suppressed;
    ++counters_.suppressed_by_type[static_cast<size_t>(event.type)];
    return false;
  }
  tokens_ -= 1.0;
  Status s = sink_->Write(event);
  if (!s.ok()) {
    ++counters_.failed;
    last_error_ = s.error();
    return false;
  }
  ++counters_.written;
  return true;
}

std::optional<Error> Reporter::TakeLastError() {
  std::optional<Error> e = std::move(last_error_);
  last_error_.reset();
  return e;
}

}  // namespace sipguard
