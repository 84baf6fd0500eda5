#include "detect/auth_failure.h"

#include <string>
#include <utility>

namespace sipguard::detect {
namespace {

uint32_t SaturatingInc(uint32_t n) { return n == UINT32_MAX ? n : n + 1; }

}  // namespace

Result<AuthFailureDetector> AuthFailureDetector::Create(AuthFailureConfig config) {
  if (config.window <= Duration::zero()) return Error("auth-failure: window must be positive");
  if (config.forbidden_limit == 0) return Error("auth-failure: forbidden_limit must be at least 1");
  if (config.challenge_limit == 0) return Error("auth-failure: challenge_limit must be at least 1");
  if (config.capacity == 0 || config.capacity > SourceTable<State>::kMaxCapacity) {
    return Error("auth-failure: capacity must be 1.." +
                 std::to_string(SourceTable<State>::kMaxCapacity));
  }
  if (config.v6_prefix_len < 1 || config.v6_prefix_len > 128) {
    return Error("auth-failure: v6_prefix_len must be 1..128");
  }
  return AuthFailureDetector(std::move(config));
}

AuthFailureDetector::AuthFailureDetector(AuthFailureConfig config)
    : config_(std::move(config)), table_(config_.capacity) {}

ResponseVerdict AuthFailureDetector::Observe(const ResponseSample& sample, TimePoint now) {
  ResponseVerdict v;
  const int st = sample.status;
  const bool challenge = st == 401 || st == 407;
  if (!challenge && st != 403) return v;
  if (sample.method != "REGISTER" && sample.method != "INVITE") return v;
  if (!config_.trusted.empty() && config_.trusted.Contains(sample.client)) return v;

  const Duration window = config_.window;
  auto activity = [now, window](const State& s) -> uint64_t {
    if (WindowsSince(s.start, now, window) > 0) return 0;
    return uint64_t{s.challenges} + s.forbidden;
  };
  bool inserted = false;
  State* s =
      table_.FindOrInsert(SourceKey(sample.client, config_.v6_prefix_len), activity, &inserted);
  if (inserted) {
    s->start = now;
  } else if (const int64_t k = WindowsSince(s->start, now, window); k > 0) {
    const TimePoint start = s->start + k * window;
    *s = State{};
    s->start = start;
  }
  if (challenge) {
    s->challenges = SaturatingInc(s->challenges);
    return v;
  }
  s->forbidden = SaturatingInc(s->forbidden);
  if (s->reported) return v;
  if (s->forbidden >= config_.forbidden_limit || s->challenges >= config_.challenge_limit) {
    s->reported = true;
    v.report = true;
    const uint64_t total = uint64_t{s->challenges} + s->forbidden;
    v.count = total > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(total);
  }
  return v;
}

}  // namespace sipguard::detect
