#include "policy/policy.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "policy/host_addresses.h"
#include "store/score.h"

namespace sipguard::policy {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using Kind = Decision::Kind;
using Skip = Decision::Skip;

constexpr store::TimeMs kNow = 1'700'000'000'000;

IpAddress Ip(const char* s) { return *IpAddress::Parse(s); }
Cidr Net(const char* s) { return *Cidr::Parse(s); }

store::Offender Offender(const char* ip, double score, store::TimeMs at = kNow) {
  store::Offender o;
  o.ip = Ip(ip);
  o.score = score;
  o.score_ms = at;
  return o;
}

store::Ban Ban(const char* target, std::optional<store::TimeMs> expires,
               std::optional<store::TimeMs> lifted = std::nullopt) {
  store::Ban b;
  b.target = Net(target);
  b.expires_ms = expires;
  b.lifted_ms = lifted;
  return b;
}

Policy Make(PolicyConfig c = {}) { return Policy(std::move(c), {Ip("198.51.100.10")}); }

TEST(PolicyThreshold, BelowAtAbove) {
  struct Case {
    double score;
    store::TimeMs score_ms;
    Kind want;
  } cases[] = {
      {10, kNow, Kind::kNone},            // one scanner probe
      {20, kNow, Kind::kNone},            // two
      {29, kNow, Kind::kNone},            // integer sum just below
      {29.3, kNow, Kind::kNone},          // below the slack
      {30, kNow, Kind::kBan},             // at
      {31, kNow, Kind::kBan},             // above
      {60, kNow - 600'000, Kind::kBan},   // 60 one half-life ago = 30 now
      {59, kNow - 600'000, Kind::kBan},   // 29.5 now: within kThresholdSlack of 30
      {58, kNow - 600'000, Kind::kNone},  // 29 now
      {30, kNow - 60'000, Kind::kNone},   // 28.1 now: decayed below
  };
  Policy p = Make();
  for (const Case& c : cases) {
    Decision d = p.Decide(Offender("203.0.113.5", c.score, c.score_ms), 0, false, kNow);
    EXPECT_EQ(d.kind, c.want) << c.score << " at " << c.score_ms;
    if (d.kind == Kind::kNone) {
      EXPECT_TRUE(d.reason.empty());
    }
  }
}

TEST(PolicyThreshold, ThreeScannerProbesSecondsApartBan) {
  PolicyConfig c;
  store::DecayingScore s;
  const int64_t hl = c.half_life.count() * 1000;
  double w = c.Weight(EventType::kScanner);
  s.Add(w, kNow - 20'000, hl);
  EXPECT_EQ(Make().Decide(Offender("203.0.113.5", s.score, s.t_ms), 0, false, kNow).kind,
            Kind::kNone);
  s.Add(w, kNow - 10'000, hl);
  s.Add(w, kNow, hl);
  ASSERT_LT(s.score, 30);
  EXPECT_EQ(Make().Decide(Offender("203.0.113.5", s.score, s.t_ms), 0, false, kNow).kind,
            Kind::kBan);
}

TEST(PolicyBan, ReasonNamesScoreAndTopTypes) {
  store::Offender o = Offender("203.0.113.5", 42);
  o.counts = {{EventType::kMalformed, 1},
              {EventType::kScanner, 3},
              {EventType::kFlood, 1},
              {EventType::kEnumeration, 2}};
  Decision d = Make().Decide(o, 1, false, kNow);
  ASSERT_EQ(d.kind, Kind::kBan);
  EXPECT_EQ(d.target, Net("203.0.113.5/32"));
  EXPECT_EQ(d.duration, hours(2));
  EXPECT_EQ(d.expires_ms, kNow + 2 * 3600 * 1000);
  EXPECT_EQ(d.reason, "score 42 >= 30 (scanner 3, enumeration 2, malformed 1): ban 2 for 2h");

  Decision bare = Make().Decide(Offender("203.0.113.5", 30.25), 0, false, kNow);
  EXPECT_EQ(bare.reason, "score 30.2 >= 30: ban 1 for 1h");
}

TEST(PolicyBan, Escalation) {
  PolicyConfig c;  // 1h, x2, max 7d
  struct Case {
    int64_t previous;
    int64_t want_s;
  } cases[] = {
      {-3, 3600},  {0, 3600},   {1, 7200},   {2, 14400},     {3, 28800},
      {7, 460800}, {8, 604800}, {9, 604800}, {1000, 604800}, {INT64_MAX, 604800},
  };
  for (const Case& k : cases) {
    EXPECT_EQ(BanDuration(c, k.previous), seconds(k.want_s)) << k.previous;
  }
  Policy p = Make(c);
  for (const Case& k : cases) {
    Decision d = p.Decide(Offender("203.0.113.5", 50), k.previous, false, kNow);
    EXPECT_EQ(d.duration, seconds(k.want_s)) << k.previous;
  }
}

TEST(PolicyBan, DurationNeverOverflows) {
  struct Case {
    int64_t ban_s, max_s;
    double factor;
    int64_t previous, want_s;
  } cases[] = {
      {3600, 3650LL * 86400, 100, 1000, 3650LL * 86400},  // 100^1000 is no double
      {1, 3650LL * 86400, 2, 1000, 3650LL * 86400},
      {3600, 86400, 1, 1000, 3600},  // factor 1: never grows
      {3600, 86400, 1.5, 2, 8100},
      {86400, 86400, 2, 1000, 86400},
  };
  for (const Case& k : cases) {
    PolicyConfig c;
    c.ban_time = seconds(k.ban_s);
    c.max_ban_time = seconds(k.max_s);
    c.ban_factor = k.factor;
    EXPECT_EQ(BanDuration(c, k.previous), seconds(k.want_s)) << k.factor << "^" << k.previous;
  }
}

TEST(PolicySkip, NeverBanned) {
  PolicyConfig c;
  c.whitelist.Add(Net("192.0.2.0/24"));
  c.whitelist.Add(Net("2001:db8:aa::/48"));
  Policy p(c, {Ip("198.51.100.10"), Ip("2001:db8:1::10")});
  struct Case {
    const char* ip;
    Skip want;
    const char* reason;
  } cases[] = {
      {"127.0.0.1", Skip::kLoopback, "score 100 >= 30, not banned: loopback 127.0.0.1"},
      {"127.8.9.10", Skip::kLoopback, nullptr},
      {"::ffff:127.0.0.1", Skip::kLoopback, "score 100 >= 30, not banned: loopback 127.0.0.1"},
      {"::1", Skip::kLoopback, nullptr},
      {"198.51.100.10", Skip::kOwnAddress, nullptr},
      {"::ffff:198.51.100.10", Skip::kOwnAddress, nullptr},
      {"2001:db8:1::10", Skip::kOwnAddress, nullptr},
      {"192.0.2.77", Skip::kWhitelisted, "score 100 >= 30, not banned: whitelisted 192.0.2.0/24"},
      {"::ffff:192.0.2.1", Skip::kWhitelisted, nullptr},
      {"2001:db8:aa:1::5", Skip::kWhitelisted, nullptr},
      {"0.0.0.0", Skip::kNotUnicast, nullptr},
      {"224.0.0.1", Skip::kNotUnicast, nullptr},
      {"ff02::1", Skip::kNotUnicast, nullptr},
      {"255.255.255.255", Skip::kNotUnicast, nullptr},
  };
  for (const Case& k : cases) {
    // Even with a huge score, and below it no skip is reported at all.
    Decision d = p.Decide(Offender(k.ip, 100), 0, false, kNow);
    EXPECT_EQ(d.kind, Kind::kSkip) << k.ip;
    EXPECT_EQ(d.skip, k.want) << k.ip;
    if (k.reason != nullptr) {
      EXPECT_EQ(d.reason, k.reason) << k.ip;
    }
    EXPECT_EQ(p.Decide(Offender(k.ip, 1), 0, false, kNow).kind, Kind::kNone) << k.ip;
  }
  EXPECT_EQ(ToString(Skip::kOwnAddress), "own-address");
}

TEST(PolicySkip, AlreadyBanned) {
  Decision d = Make().Decide(Offender("203.0.113.5", 40), 0, true, kNow);
  EXPECT_EQ(d.kind, Kind::kSkip);
  EXPECT_EQ(d.skip, Skip::kAlreadyBanned);
  EXPECT_EQ(d.reason, "score 40 >= 30, not banned: already-banned 203.0.113.5/32");
}

TEST(PolicyV6, Aggregation) {
  PolicyConfig c;
  c.v6_prefix_len = 64;
  c.whitelist.Add(Net("2001:db8:5:5::7"));
  Policy p(c, {Ip("2001:db8:9:9::1")});
  struct Case {
    const char* ip;
    const char* target;
  } cases[] = {
      {"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
      {"203.0.113.5", "203.0.113.5/32"},           // IPv4 unaffected
      {"2001:db8:5:5::8", "2001:db8:5:5::8/128"},  // /64 holds a whitelisted host
      {"2001:db8:9:9::2", "2001:db8:9:9::2/128"},  // /64 holds our own address
      {"::2", "::2/128"},                          // ::/64 holds ::1
  };
  for (const Case& k : cases) {
    Decision d = p.Decide(Offender(k.ip, 40), 0, false, kNow);
    ASSERT_EQ(d.kind, Kind::kBan) << k.ip;
    EXPECT_EQ(d.target, Net(k.target)) << k.ip;
  }
  EXPECT_EQ(p.ScoringAddress(Ip("2001:db8:1:2:3:4:5:6")), Ip("2001:db8:1:2::"));
  EXPECT_EQ(p.ScoringAddress(Ip("203.0.113.5")), Ip("203.0.113.5"));
  EXPECT_EQ(Make().BanTarget(Ip("2001:db8:1:2:3:4:5:6")), Net("2001:db8:1:2:3:4:5:6/128"));
  EXPECT_NE(p.Decide(Offender("2001:db8:5:5::8", 40), 0, false, kNow)
                .reason.find("(not 2001:db8:5:5::/64: it holds a never-banned address)"),
            std::string::npos);
}

TEST(PolicyWhitelist, AddLiftsCoveredBans) {
  std::vector<store::Ban> active = {
      Ban("203.0.113.5/32", kNow + 1000),  Ban("203.0.113.9/32", kNow + 1000),
      Ban("198.51.100.0/24", kNow + 1000), Ban("2001:db8:1:2::/64", kNow + 1000),
      Ban("203.0.113.5/32", kNow + 5000),  // same target twice: lifted once
      Ban("192.0.2.1/32", std::nullopt),
  };
  struct Case {
    const char* add;
    std::vector<const char*> lift;
    const char* probe;  // now whitelisted
  } cases[] = {
      {"203.0.113.5", {"203.0.113.5/32"}, "203.0.113.5"},                       // a single address
      {"203.0.113.0/24", {"203.0.113.5/32", "203.0.113.9/32"}, "203.0.113.9"},  // a network
      {"198.51.100.77", {"198.51.100.0/24"}, "198.51.100.77"},  // inside a banned network
      {"2001:db8:1:2::99", {"2001:db8:1:2::/64"}, "2001:db8:1:2::99"},
      {"10.0.0.0/8", {}, "10.1.2.3"},
      {"::/0", {"2001:db8:1:2::/64"}, "2001:db8:7::1"},  // families never mix
  };
  for (const Case& k : cases) {
    Policy p = Make();
    std::vector<Cidr> want;
    for (const char* s : k.lift) want.push_back(Net(s));
    EXPECT_EQ(p.OnWhitelistAdd(Net(k.add), active), want) << k.add;
    EXPECT_EQ(p.Decide(Offender(k.probe, 90), 0, false, kNow).skip, Skip::kWhitelisted) << k.add;
    EXPECT_TRUE(p.RemoveWhitelist(Net(k.add)));
    EXPECT_EQ(p.Decide(Offender(k.probe, 90), 0, false, kNow).kind, Kind::kBan) << k.add;
  }
}

TEST(PolicyExpiry, ForNonExpiringBackends) {
  std::vector<store::Ban> applied = {
      Ban("203.0.113.1/32", kNow - 1),      // expired
      Ban("203.0.113.2/32", kNow),          // expires_ms is exclusive: expired
      Ban("203.0.113.3/32", kNow + 1),      // active
      Ban("203.0.113.4/32", std::nullopt),  // never expires
      Ban("203.0.113.5/32", kNow - 10),     // expired, but re-banned below
      Ban("203.0.113.5/32", kNow + 3600000), Ban("203.0.113.6/32", kNow + 10, kNow - 5),  // lifted
      Ban("203.0.113.1/32", kNow - 100),  // duplicate target: once
  };
  std::vector<Cidr> want = {Net("203.0.113.1/32"), Net("203.0.113.2/32"), Net("203.0.113.6/32")};
  EXPECT_EQ(Policy::Expired(applied, kNow), want);
  EXPECT_TRUE(Policy::Expired({}, kNow).empty());
}

TEST(PolicyHost, HostAddressesIncludeLoopback) {
  auto own = HostAddresses();
  ASSERT_TRUE(own.ok()) << own.error().message();
  bool loopback = false;
  for (const IpAddress& ip : *own) loopback = loopback || ip.is_loopback();
  EXPECT_TRUE(loopback);  // lo exists even in an empty network namespace.
}

TEST(PolicyOverlaps, Table) {
  EXPECT_TRUE(Overlaps(Net("10.0.0.0/8"), Net("10.1.0.0/16")));
  EXPECT_TRUE(Overlaps(Net("10.1.0.0/16"), Net("10.0.0.0/8")));
  EXPECT_FALSE(Overlaps(Net("10.0.0.0/16"), Net("10.1.0.0/16")));
  EXPECT_FALSE(Overlaps(Net("0.0.0.0/0"), Net("::/0")));
}

}  // namespace
}  // namespace sipguard::policy
