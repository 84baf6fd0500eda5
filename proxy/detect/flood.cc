#include "detect/flood.h"

#include <cmath>
#include <string>
#include <utility>

namespace sipguard::detect {

Result<FloodDetector> FloodDetector::Create(FloodConfig config) {
  if (config.limit == 0) return Error("flood: limit must be at least 1");
  if (config.window <= Duration::zero()) return Error("flood: window must be positive");
  if (config.capacity == 0 || config.capacity > SourceTable<State>::kMaxCapacity) {
    return Error("flood: capacity must be 1.." + std::to_string(SourceTable<State>::kMaxCapacity));
  }
  if (config.v6_prefix_len < 1 || config.v6_prefix_len > 128) {
    return Error("flood: v6_prefix_len must be 1..128");
  }
  return FloodDetector(std::move(config));
}

FloodDetector::FloodDetector(FloodConfig config)
    : config_(std::move(config)), table_(config_.capacity) {}

void FloodDetector::Roll(State* s, TimePoint now) const {
  const int64_t k = WindowsSince(s->start, now, config_.window);
  if (k == 0) return;
  s->previous = k == 1 ? s->current : 0;
  s->current = 0;
  s->reported = false;
  s->start += k * config_.window;
}

double FloodDetector::Estimate(const State& s, TimePoint now) const {
  const Duration w = config_.window;
  Duration into = now > s.start ? now - s.start : Duration::zero();
  if (into > w) into = w;
  const double left = static_cast<double>((w - into).count()) / static_cast<double>(w.count());
  return static_cast<double>(s.current) + static_cast<double>(s.previous) * left;
}

FloodVerdict FloodDetector::Check(const IpAddress& src, TimePoint now) {
  FloodVerdict v;
  if (!config_.trusted.empty() && config_.trusted.Contains(src)) return v;

  // Eviction rates a slot by its estimate as of now (0 once stale), without
  // changing it.
  auto activity = [this, now](const State& s) -> uint64_t {
    State copy = s;
    Roll(&copy, now);
    return static_cast<uint64_t>(std::ceil(Estimate(copy, now)));
  };
  bool inserted = false;
  State* s = table_.FindOrInsert(SourceKey(src, config_.v6_prefix_len), activity, &inserted);
  if (inserted) {
    s->start = now;
  } else {
    Roll(s, now);
  }
  if (s->current < UINT32_MAX) ++s->current;

  const double estimate = Estimate(*s, now);
  if (estimate <= static_cast<double>(config_.limit)) return v;
  v.action = FloodAction::kDrop;
  if (!s->reported) {
    s->reported = true;
    v.report = true;
    const double rounded = std::ceil(estimate);
    v.count =
        rounded >= static_cast<double>(UINT32_MAX) ? UINT32_MAX : static_cast<uint32_t>(rounded);
  }
  return v;
}

}  // namespace sipguard::detect
