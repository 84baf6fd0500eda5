#include "detect/enumeration.h"

#include <algorithm>
#include <string>
#include <utility>

namespace sipguard::detect {

bool IsNotFoundStatus(int status) { return status == 404 || status == 484 || status == 604; }

Result<EnumerationDetector> EnumerationDetector::Create(EnumerationConfig config) {
  if (config.window <= Duration::zero()) return Error("enumeration: window must be positive");
  if (config.distinct_limit < 2 || config.distinct_limit > kMaxDistinctLimit) {
    return Error("enumeration: distinct_limit must be 2.." + std::to_string(kMaxDistinctLimit));
  }
  if (config.capacity == 0 || config.capacity > SourceTable<State>::kMaxCapacity) {
    return Error("enumeration: capacity must be 1.." +
                 std::to_string(SourceTable<State>::kMaxCapacity));
  }
  if (config.v6_prefix_len < 1 || config.v6_prefix_len > 128) {
    return Error("enumeration: v6_prefix_len must be 1..128");
  }
  return EnumerationDetector(std::move(config));
}

EnumerationDetector::EnumerationDetector(EnumerationConfig config)
    : config_(std::move(config)), hasher_(config_.hash_seed), table_(config_.capacity) {}

ResponseVerdict EnumerationDetector::Observe(const ResponseSample& sample, TimePoint now) {
  ResponseVerdict v;
  if (!IsNotFoundStatus(sample.status)) return v;
  if (!config_.trusted.empty() && config_.trusted.Contains(sample.client)) return v;

  const Duration window = config_.window;
  auto activity = [now, window](const State& s) -> uint64_t {
    return WindowsSince(s.start, now, window) > 0 ? 0 : s.distinct;
  };
  bool inserted = false;
  State* s =
      table_.FindOrInsert(SourceKey(sample.client, config_.v6_prefix_len), activity, &inserted);
  if (inserted) {
    s->start = now;
  } else if (const int64_t k = WindowsSince(s->start, now, window); k > 0) {
    const TimePoint start = s->start + k * window;
    s->distinct = 0;
    s->reported = false;
    s->start = start;
  }
  // Once reported, the window's outcome is settled: nothing more to count.
  if (s->reported) return v;

  const uint32_t h = hasher_(sample.to_user);
  const auto seen = s->users.begin() + s->distinct;
  if (std::find(s->users.begin(), seen, h) != seen) return v;
  s->users[s->distinct] = h;
  ++s->distinct;
  if (s->distinct >= config_.distinct_limit) {
    s->reported = true;
    v.report = true;
    v.count = s->distinct;
  }
  return v;
}

}  // namespace sipguard::detect
