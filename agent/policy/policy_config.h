// PolicyConfig: the knobs of the agent's ban policy (policy.h), with
// defaults, and the agent.conf sections that set them:
//
//   [score]
//   weight.scanner = 10       weight.<event-type>, event types as in event.h
//   half-life = 10m
//   threshold = 30
//   [ban]
//   ban-time = 1h
//   ban-factor = 2
//   max-ban-time = 7d
//   v6-prefix = 128
//   whitelist = 192.0.2.0/24  repeatable; addresses or networks
//
// Numbers are decimal ("2", "1.5"); durations as in duration.h ("90s",
// "1h30m"). Other sections of agent.conf are left to their owners.
//
// Failure: Errors name file:line (ConfigError). No I/O here.
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <chrono>

#include "common/cidr.h"
#include "common/config_file.h"
#include "common/event.h"
#include "common/result.h"

namespace sipguard::policy {

// Limits that ApplyPolicyConfig and ValidatePolicyConfig enforce.
inline constexpr double kMaxWeight = 1e6;
inline constexpr double kMaxThreshold = 1e9;
inline constexpr double kMaxBanFactor = 100;
// Shortest IPv6 aggregation: a /48 is a whole site; shorter would ban
// unrelated customers of a provider.
inline constexpr int kMinV6PrefixLen = 48;

struct PolicyConfig {
  // Score per event, indexed like kAllEventTypes (the same layout as
  // source::EventWeights::by_type, so the agent can copy it over).
  std::array<double, kAllEventTypes.size()> weights = {
      2,   // malformed: broken stacks and fuzzers alike; many are needed.
      3,   // too-many-hops: a misrouted peer as often as an attack.
      5,   // loop: usually misconfiguration, costly when repeated.
      10,  // scanner: a sipvicious/friendly-scanner probe is intent.
      10,  // flood: already over the proxy's per-source rate.
      10,  // auth-failure: a 401/403 storm is password guessing.
      10,  // enumeration: probing for extensions is reconnaissance.
  };
  // A source's score halves in this time without new events (must equal the
  // store's Options::half_life_ms).
  std::chrono::seconds half_life{600};
  // Reaching it bans (see kThresholdSlack): one scanner probe does not,
  // three do.
  double threshold = 30;
  // First ban; ban n+1 lasts ban_factor x ban n, at most max_ban_time.
  std::chrono::seconds ban_time{3600};
  double ban_factor = 2;
  std::chrono::seconds max_ban_time{7 * 24 * 3600};
  // IPv6 sources are banned as their /v6_prefix_len network. 128 (default):
  // per address, never collateral, but an attacker holding a /64 (any
  // customer line: 2^64 addresses) rotates addresses and is banned one
  // address at a time. 64: one ban covers a customer line, also its other
  // devices (a shared office /64, a carrier-grade NAT64 range). Between
  // kMinV6PrefixLen and 128.
  int v6_prefix_len = 128;
  // Never banned (trusted trunks, the SIP server's peers).
  CidrSet whitelist;

  double Weight(EventType t) const { return weights[static_cast<size_t>(t)]; }
};

// Applies the [score] and [ban] entries of `file` to *config, in order
// (later entries override earlier ones; whitelist entries accumulate), then
// ValidatePolicyConfig. Unknown keys in those sections are errors; other
// sections are ignored. On error *config may be partly updated.
// Errors, e.g. "agent.conf:4: [score] threshold: expected a number, got \"x\"".
Status ApplyPolicyConfig(const ConfigFile& file, PolicyConfig* config);

// Checks the cross-field rules: weights in [0, kMaxWeight], threshold in
// (0, kMaxThreshold], half_life >= 1 s, ban_time in [1 s, max_ban_time],
// max_ban_time <= ban::kMaxBanDuration, ban_factor in [1, kMaxBanFactor],
// v6_prefix_len in [kMinV6PrefixLen, 128].
Status ValidatePolicyConfig(const PolicyConfig& config);

}  // namespace sipguard::policy
