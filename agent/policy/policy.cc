#include "policy/policy.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <system_error>
#include <utility>

#include "common/duration.h"
#include "store/score.h"

namespace sipguard::policy {
namespace {

constexpr int64_t kMsPerSecond = 1000;

// One decimal, "31.2"; large values without exponent noise.
std::string Number(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 1);
  if (r.ec != std::errc()) return "?";
  std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
  if (s.size() > 2 && s.substr(s.size() - 2) == ".0") s.remove_suffix(2);
  return std::string(s);
}

// "scanner 3, malformed 1": the top three types by count (ties in
// kAllEventTypes order), empty when there are none.
std::string TopTypes(const store::Offender& o) {
  std::vector<std::pair<EventType, int64_t>> counts;
  for (const auto& c : o.counts) {
    if (c.second > 0) counts.push_back(c);
  }
  std::stable_sort(counts.begin(), counts.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  for (size_t i = 0; i < counts.size() && i < 3; ++i) {
    if (i > 0) out += ", ";
    out += ToString(counts[i].first);
    out += ' ';
    out += std::to_string(counts[i].second);
  }
  return out;
}

Cidr HostCidr(const IpAddress& ip) {
  auto c = Cidr::Make(ip, ip.max_prefix_len());
  return c.ok() ? *c : Cidr();
}

}  // namespace

std::string_view ToString(Decision::Skip skip) {
  switch (skip) {
    case Decision::Skip::kNone: return "";
    case Decision::Skip::kLoopback: return "loopback";
    case Decision::Skip::kOwnAddress: return "own-address";
    case Decision::Skip::kWhitelisted: return "whitelisted";
    case Decision::Skip::kNotUnicast: return "not-unicast";
    case Decision::Skip::kAlreadyBanned: return "already-banned";
  }
  return "";
}

std::chrono::seconds BanDuration(const PolicyConfig& config, int64_t previous_bans) {
  const int64_t max = std::max<int64_t>(config.max_ban_time.count(), 0);
  const int64_t base = std::clamp<int64_t>(config.ban_time.count(), 0, max);
  // Multiply in double and stop once at the cap: at most log_factor(max/base)
  // steps whatever previous_bans is, and a double never overflows here
  // (d < max <= 2^53 before each step, factor <= kMaxBanFactor).
  double d = static_cast<double>(base);
  const double maxd = static_cast<double>(max);
  if (config.ban_factor > 1 && base > 0) {
    for (int64_t i = 0; i < previous_bans && d < maxd; ++i) d *= config.ban_factor;
  }
  if (!(d < maxd)) return std::chrono::seconds(max);  // Also catches NaN.
  return std::chrono::seconds(static_cast<int64_t>(d));
}

bool Overlaps(const Cidr& a, const Cidr& b) {
  if (a.address().family() != b.address().family()) return false;
  return a.prefix_len() <= b.prefix_len() ? a.Contains(b.address()) : b.Contains(a.address());
}

Policy::Policy(PolicyConfig config, std::vector<IpAddress> own_addresses)
    : config_(std::move(config)), own_(std::move(own_addresses)) {}

Cidr Policy::BanTarget(const IpAddress& ip) const {
  if (ip.is_v6()) {
    auto c = Cidr::Make(ip, std::clamp(config_.v6_prefix_len, 0, 128));
    if (c.ok()) return *c;
  }
  return HostCidr(ip);
}

IpAddress Policy::ScoringAddress(const IpAddress& ip) const { return BanTarget(ip).address(); }

bool Policy::NeverBan(const IpAddress& ip, Decision::Skip* why, std::string* detail) const {
  if (ip.is_loopback()) {
    *why = Decision::Skip::kLoopback;
    return true;
  }
  if (std::find(own_.begin(), own_.end(), ip) != own_.end()) {
    *why = Decision::Skip::kOwnAddress;
    return true;
  }
  for (const Cidr& w : config_.whitelist.entries()) {
    if (w.Contains(ip)) {
      *why = Decision::Skip::kWhitelisted;
      *detail = w.ToString();
      return true;
    }
  }
  if (ip.is_unspecified() || ip.is_multicast() || ip.is_broadcast()) {
    *why = Decision::Skip::kNotUnicast;
    return true;
  }
  return false;
}

bool Policy::TargetTouchesNeverBan(const Cidr& target) const {
  if (target.prefix_len() == target.address().max_prefix_len()) return false;
  for (const IpAddress& own : own_) {
    if (target.Contains(own)) return true;
  }
  static const Cidr kLoopbacks[] = {*Cidr::Parse("127.0.0.0/8"), *Cidr::Parse("::1/128")};
  for (const Cidr& l : kLoopbacks) {
    if (Overlaps(target, l)) return true;
  }
  for (const Cidr& w : config_.whitelist.entries()) {
    if (Overlaps(target, w)) return true;
  }
  return false;
}

Decision Policy::Decide(const store::Offender& offender, int64_t previous_bans, bool active_ban,
                        store::TimeMs now_ms) const {
  Decision d;
  const int64_t half_life_ms = std::max<int64_t>(config_.half_life.count(), 1) * kMsPerSecond;
  d.score = store::DecayScore(offender.score, offender.score_ms, now_ms, half_life_ms);
  if (!(d.score >= config_.threshold * (1 - kThresholdSlack))) return d;

  const IpAddress& ip = offender.ip;
  d.target = BanTarget(ip);
  std::string head = "score " + Number(d.score) + " >= " + Number(config_.threshold);
  std::string detail;
  if (NeverBan(ip, &d.skip, &detail)) {
    d.kind = Decision::Kind::kSkip;
    d.target = HostCidr(ip);
    d.reason = head + ", not banned: " + std::string(ToString(d.skip)) + " " +
               (detail.empty() ? ip.ToString() : detail);
    return d;
  }
  std::string narrowed;
  if (TargetTouchesNeverBan(d.target)) {
    narrowed = " (not " + d.target.ToString() + ": it holds a never-banned address)";
    d.target = HostCidr(ip);
  }
  if (active_ban) {
    d.kind = Decision::Kind::kSkip;
    d.skip = Decision::Skip::kAlreadyBanned;
    d.reason = head + ", not banned: already-banned " + d.target.ToString();
    return d;
  }
  d.kind = Decision::Kind::kBan;
  d.duration = BanDuration(config_, previous_bans);
  d.expires_ms = now_ms + d.duration.count() * kMsPerSecond;
  std::string top = TopTypes(offender);
  d.reason = head;
  if (!top.empty()) d.reason += " (" + top + ")";
  d.reason += ": ban " + std::to_string(std::clamp<int64_t>(previous_bans, 0, INT64_MAX - 1) + 1) +
              " for " + FormatDuration(d.duration) + narrowed;
  return d;
}

std::vector<Cidr> Policy::OnWhitelistAdd(const Cidr& cidr,
                                         const std::vector<store::Ban>& active_bans) {
  config_.whitelist.Add(cidr);
  std::vector<Cidr> lift;
  for (const store::Ban& b : active_bans) {
    if (!Overlaps(b.target, cidr)) continue;
    if (std::find(lift.begin(), lift.end(), b.target) == lift.end()) lift.push_back(b.target);
  }
  return lift;
}

bool Policy::RemoveWhitelist(const Cidr& cidr) { return config_.whitelist.Remove(cidr); }

std::vector<Cidr> Policy::Expired(const std::vector<store::Ban>& applied, store::TimeMs now_ms) {
  std::vector<Cidr> out;
  for (const store::Ban& b : applied) {
    if (b.ActiveAt(now_ms)) continue;
    if (std::find(out.begin(), out.end(), b.target) != out.end()) continue;
    bool still = std::any_of(applied.begin(), applied.end(), [&](const store::Ban& o) {
      return o.target == b.target && o.ActiveAt(now_ms);
    });
    if (!still) out.push_back(b.target);
  }
  return out;
}

}  // namespace sipguard::policy
