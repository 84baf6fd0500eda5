// Policy: the agent's ban policy, between "offender scores were updated"
// (store::Store::ApplyBatch) and "call the ban backend" (ban::BanBackend).
// In the spirit of fail2ban's bantime.increment and sshguard's blocktime:
//   - each event type has a weight; a source's score decays with a half-life;
//   - a source whose current score reaches the threshold is banned;
//   - each repeat ban lasts ban_factor times the previous one, up to
//     max_ban_time: ban_time x factor^previous_bans, capped;
//   - whitelisted networks, the host's own addresses and loopback are NEVER
//     banned, whatever the score.
//
// Pure logic: no I/O, no clock (the caller passes `now`), no logging, no
// exceptions. The host's own addresses are data (see host_addresses.h for the
// one call that reads them from the kernel).
//
// How the agent uses it, per ApplyBatch():
//   for each returned offender o:
//     d = policy.Decide(o, <bans of d's target so far>, <o covered by an active ban?>, now)
//     kBan:  store.AddBan(d.target, d.reason, now, d.expires_ms); backend.Ban(d.target, d.duration)
//     kSkip: nothing to do (d.reason says why, for a debug line)
// On a whitelist add: store.WhitelistAdd(); for each Cidr of
// policy.OnWhitelistAdd(cidr, store.ActiveBans(now)): store.LiftBan + backend.Unban.
// Periodically, when !backend.expires_by_itself(): backend.Unban each Cidr of
// policy.Expired(<bans the agent applied>, now).
//
// Thread-safety: thread-compatible. Const methods may run concurrently;
// OnWhitelistAdd/RemoveWhitelist need exclusive access.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/cidr.h"
#include "common/ip_address.h"
#include "policy/policy_config.h"
#include "store/records.h"

namespace sipguard::policy {

// A score counts as having reached the threshold when it is within this
// fraction below it. Scores decay continuously, so three scanner probes
// (weight 10) a few seconds apart sum to 29.9, not 30; without the slack,
// "three probes ban" would hold only for probes in the same millisecond.
// With the default half-life (10 min), 2% covers three probes spread over
// about 35 s. Integer weight sums just below the threshold (29 < 29.4) still
// do not ban.
inline constexpr double kThresholdSlack = 0.02;

struct Decision {
  enum class Kind {
    kNone,  // Below the threshold: nothing to do.
    kBan,   // Ban `target` for `duration`.
    kSkip,  // At or above the threshold, but not banned: see `skip`.
  };
  enum class Skip {
    kNone,           // kind != kSkip.
    kLoopback,       // 127.0.0.0/8 or ::1 (an IPv4-mapped ::ffff:127.x is 127.x).
    kOwnAddress,     // One of the host's own addresses.
    kWhitelisted,    // In a whitelisted network.
    kNotUnicast,     // Unspecified, multicast or broadcast: not a real source.
    kAlreadyBanned,  // An active ban already covers the source.
  };

  Kind kind = Kind::kNone;
  Skip skip = Skip::kNone;
  // kBan: what to ban. kSkip: what would have been banned. A /32 or /128 for
  // a single address, the /v6_prefix_len network for an aggregated IPv6
  // source (narrowed to the address when that network holds a whitelisted,
  // own or loopback address, see Decide).
  Cidr target;
  std::chrono::seconds duration{0};  // kBan only.
  store::TimeMs expires_ms = 0;      // kBan only: now_ms + duration.
  double score = 0;                  // The offender's score decayed to now_ms.
  // kBan: "score 31.2 >= 30 (scanner 3, malformed 1): ban 2 for 2h".
  // kSkip: "score 31.2 >= 30, not banned: whitelisted (192.0.2.0/24)".
  // kNone: empty. Safe to log (addresses and fixed words only).
  std::string reason;
};

// "loopback", "own-address", "whitelisted", "not-unicast", "already-banned",
// "" for kNone.
std::string_view ToString(Decision::Skip skip);

// min(max_ban_time, ban_time x factor^previous_bans), computed without
// overflow for any previous_bans (negative counts as 0), whole seconds.
std::chrono::seconds BanDuration(const PolicyConfig& config, int64_t previous_bans);

class Policy {
 public:
  // `config` should have passed ValidatePolicyConfig() (ApplyPolicyConfig
  // calls it); `own_addresses` are the host's addresses (HostAddresses()),
  // never banned. Loopback needs no listing.
  Policy(PolicyConfig config, std::vector<IpAddress> own_addresses);

  const PolicyConfig& config() const { return config_; }
  const std::vector<IpAddress>& own_addresses() const { return own_; }

  // The network a source is banned as: the address itself (/32, /128), or
  // its /v6_prefix_len network for IPv6.
  Cidr BanTarget(const IpAddress& ip) const;
  // The address to score a source under, if the agent wants an IPv6 network
  // to accumulate ONE score (store events under it): the network address of
  // BanTarget(ip). IPv4 and v6_prefix_len 128: `ip` itself.
  IpAddress ScoringAddress(const IpAddress& ip) const;

  // Decides about `offender` as ApplyBatch() returned it (score as of
  // score_ms; decayed here to now_ms with config().half_life, which must be
  // the store's half-life). The reason names the top three event types of
  // offender.counts (by count; GetOffender() fills them, ApplyBatch() does
  // not: then the reason gives the score only).
  // `previous_bans`: bans of the target made before (offender.ban_count for a
  // host target). `active_ban`: the source is covered by a ban active now.
  // Order of checks: below threshold -> kNone; loopback, own address,
  // whitelisted, not unicast -> kSkip; then the target: an IPv6 network that
  // contains an own or loopback address or overlaps a whitelisted network is
  // narrowed to the single address; active_ban -> kSkip kAlreadyBanned;
  // otherwise kBan.
  Decision Decide(const store::Offender& offender, int64_t previous_bans, bool active_ban,
                  store::TimeMs now_ms) const;

  // Adds `cidr` to the whitelist and returns the targets of `active_bans` to
  // lift at once: every ban whose network overlaps `cidr` (a host inside a
  // whitelisted network, or a banned network that holds a whitelisted
  // address). Each target once, in the order of `active_bans`; lifted or
  // expired entries (at no time: the caller passes active ones) are included
  // as given.
  std::vector<Cidr> OnWhitelistAdd(const Cidr& cidr, const std::vector<store::Ban>& active_bans);
  // Removes exactly `cidr` from the whitelist; false if it was not listed.
  bool RemoveWhitelist(const Cidr& cidr);

  // For backends that do not expire bans by themselves: the targets of
  // `applied` (bans the agent put into the backend) whose time is over at
  // now_ms (expires_ms <= now_ms, or lifted), unless another entry of
  // `applied` for the same target is still active. Each target once, in
  // order. Bans without an expiry never expire.
  static std::vector<Cidr> Expired(const std::vector<store::Ban>& applied, store::TimeMs now_ms);

 private:
  bool NeverBan(const IpAddress& ip, Decision::Skip* why, std::string* detail) const;
  bool TargetTouchesNeverBan(const Cidr& target) const;

  PolicyConfig config_;
  std::vector<IpAddress> own_;
};

// True if the networks share an address (same family and one contains the
// other).
bool Overlaps(const Cidr& a, const Cidr& b);

}  // namespace sipguard::policy
