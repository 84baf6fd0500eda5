// FloodDetector: limits, decay, one event per window, trusted networks,
// IPv6 grouping and bounded memory under address spraying.
#include "detect/flood.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace sipguard::detect {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

IpAddress Ip(std::string_view text) {
  auto r = IpAddress::Parse(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : IpAddress();
}

IpAddress V4(uint32_t n) {
  const std::array<uint8_t, 4> b = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                                    static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
  return IpAddress::FromV4Bytes(b);
}

IpAddress V6Net(uint64_t net, uint64_t host) {
  std::array<uint8_t, 16> b{};
  b[0] = 0x20;
  b[1] = 0x01;
  b[2] = 0x0d;
  b[3] = 0xb8;
  for (size_t i = 0; i < 4; ++i) b[4 + i] = static_cast<uint8_t>(net >> (24 - 8 * i));
  for (size_t i = 0; i < 8; ++i) b[8 + i] = static_cast<uint8_t>(host >> (56 - 8 * i));
  return IpAddress::FromV6Bytes(b);
}

FloodDetector Make(uint32_t limit, Duration window, size_t capacity = 1024) {
  FloodConfig c;
  c.limit = limit;
  c.window = window;
  c.capacity = capacity;
  auto d = FloodDetector::Create(c);
  EXPECT_TRUE(d.ok());
  return std::move(d).value();
}

const TimePoint t0 = TimePoint{} + seconds(1000);

TEST(Flood, BelowAtAndOverTheLimit) {
  FloodDetector d = Make(5, seconds(1));
  const IpAddress ip = Ip("203.0.113.7");
  for (int i = 1; i <= 5; ++i) {
    const FloodVerdict v = d.Check(ip, t0 + milliseconds(i));
    EXPECT_EQ(v.action, FloodAction::kAllow) << i;
    EXPECT_FALSE(v.report);
  }
  FloodVerdict v = d.Check(ip, t0 + milliseconds(6));
  EXPECT_EQ(v.action, FloodAction::kDrop);
  EXPECT_TRUE(v.report);
  EXPECT_EQ(v.count, 6u);
  v = d.Check(ip, t0 + milliseconds(7));
  EXPECT_EQ(v.action, FloodAction::kDrop);
  EXPECT_FALSE(v.report);
  // Another source is not affected.
  EXPECT_EQ(d.Check(Ip("203.0.113.8"), t0 + milliseconds(8)).action, FloodAction::kAllow);
}

TEST(Flood, PreviousWindowDecaysLinearly) {
  FloodDetector d = Make(5, seconds(1));
  const IpAddress ip = Ip("198.51.100.1");
  for (int i = 0; i < 10; ++i) (void)d.Check(ip, t0);  // 10 in window [t0, t0+1s)
  // Halfway through the next window the 10 weigh 5: one more is 6 > 5.
  EXPECT_EQ(d.Check(ip, t0 + milliseconds(1500)).action, FloodAction::kDrop);
  // At 90%, the 10 weigh 1: 1 + 1 (the drop above) + 1 = 3 <= 5.
  EXPECT_EQ(d.Check(ip, t0 + milliseconds(1900)).action, FloodAction::kAllow);
}

TEST(Flood, ForgetsASourceTwoWindowsLater) {
  FloodDetector d = Make(5, seconds(1));
  const IpAddress ip = Ip("198.51.100.2");
  for (int i = 0; i < 50; ++i) (void)d.Check(ip, t0);
  EXPECT_EQ(d.Check(ip, t0 + milliseconds(999)).action, FloodAction::kDrop);
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(d.Check(ip, t0 + seconds(2) + milliseconds(i)).action, FloodAction::kAllow) << i;
  }
}

TEST(Flood, SteadySourceBelowTheLimitIsNeverDropped) {
  FloodDetector d = Make(10, seconds(1));
  const IpAddress ip = Ip("198.51.100.3");
  for (int i = 0; i < 9 * 60; ++i) {  // 9 packets per second for a minute
    ASSERT_EQ(d.Check(ip, t0 + milliseconds(111 * i)).action, FloodAction::kAllow) << i;
  }
}

TEST(Flood, ExactlyOneEventPerWindowWhileFlooding) {
  FloodDetector d = Make(10, seconds(1));
  const IpAddress ip = Ip("198.51.100.4");
  int events = 0, drops = 0;
  for (int ms = 0; ms < 10000; ms += 5) {  // 200 packets/s for 10 windows
    const FloodVerdict v = d.Check(ip, t0 + milliseconds(ms));
    if (v.action == FloodAction::kDrop) ++drops;
    if (v.report) {
      ++events;
      EXPECT_GT(v.count, 10u);
      EXPECT_LE(v.count, 400u);
    }
  }
  EXPECT_EQ(events, 10);
  EXPECT_GE(drops, 2000 - 11);
}

TEST(Flood, TrustedNetworksAreExemptAndUntracked) {
  FloodConfig c;
  c.limit = 3;
  ASSERT_TRUE(c.trusted.Add(*Cidr::Parse("192.0.2.0/24")));
  ASSERT_TRUE(c.trusted.Add(*Cidr::Parse("2001:db8:aaaa::/48")));
  auto d = FloodDetector::Create(c);
  ASSERT_TRUE(d.ok());
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(d->Check(Ip("192.0.2.50"), t0).action, FloodAction::kAllow);
    EXPECT_EQ(d->Check(Ip("2001:db8:aaaa:1::5"), t0).action, FloodAction::kAllow);
  }
  EXPECT_EQ(d->tracked(), 0u);
  for (int i = 0; i < 3; ++i) (void)d->Check(Ip("192.0.3.50"), t0);
  EXPECT_EQ(d->Check(Ip("192.0.3.50"), t0).action, FloodAction::kDrop);
}

TEST(Flood, Ipv6SourcesShareTheirSlash64) {
  FloodDetector d = Make(4, seconds(1));
  for (uint64_t host = 1; host <= 4; ++host) {
    EXPECT_EQ(d.Check(V6Net(1, host), t0).action, FloodAction::kAllow);
  }
  const FloodVerdict v = d.Check(V6Net(1, 99), t0);  // same /64, 5th packet
  EXPECT_EQ(v.action, FloodAction::kDrop);
  EXPECT_TRUE(v.report);
  EXPECT_EQ(d.Check(V6Net(2, 1), t0).action, FloodAction::kAllow);  // other /64
}

TEST(Flood, Ipv6PerAddressWhenConfigured) {
  FloodConfig c;
  c.limit = 1;
  c.v6_prefix_len = 128;
  auto d = FloodDetector::Create(c);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->Check(V6Net(1, 1), t0).action, FloodAction::kAllow);
  EXPECT_EQ(d->Check(V6Net(1, 2), t0).action, FloodAction::kAllow);
  EXPECT_EQ(d->Check(V6Net(1, 1), t0).action, FloodAction::kDrop);
}

// A million spoofed one-packet sources: memory stays at the configured
// capacity, and the flooder being limited is not evicted (it is more active
// than any sprayed address, see source_table.h), so it stays dropped and is
// not reported a second time in the window.
TEST(Flood, MillionSprayedSourcesKeepMemoryBoundedAndTheFlooderTracked) {
  FloodDetector d = Make(20, seconds(10), 65536);
  const size_t capacity = d.capacity();
  EXPECT_GE(capacity, 65536u);
  const IpAddress flooder = Ip("203.0.113.66");
  int events = 0;
  for (int i = 0; i < 50; ++i) events += d.Check(flooder, t0).report ? 1 : 0;
  EXPECT_EQ(events, 1);
  for (uint32_t i = 0; i < 1000000; ++i) {
    const TimePoint now = t0 + std::chrono::microseconds(i);
    ASSERT_EQ(d.Check(V4(0x0a000000u + i), now).action, FloodAction::kAllow);
    if (i % 1000 == 0) {
      const FloodVerdict v = d.Check(flooder, now);
      ASSERT_EQ(v.action, FloodAction::kDrop) << i;
      ASSERT_FALSE(v.report) << i;
    }
    ASSERT_LE(d.tracked(), capacity);
  }
  EXPECT_EQ(d.capacity(), capacity);
  EXPECT_EQ(d.tracked(), capacity);
  EXPECT_GT(d.evictions(), 900000u);
}

TEST(Flood, MillionSprayedIpv6NetworksKeepMemoryBounded) {
  FloodDetector d = Make(20, seconds(10), 4096);
  const IpAddress flooder = V6Net(7, 7);
  for (int i = 0; i < 30; ++i) (void)d.Check(flooder, t0);
  for (uint64_t i = 0; i < 1000000; ++i) {
    (void)d.Check(V6Net(1000 + i, i), t0 + std::chrono::microseconds(i));
  }
  EXPECT_LE(d.tracked(), d.capacity());
  EXPECT_EQ(d.Check(flooder, t0 + seconds(1)).action, FloodAction::kDrop);
}

TEST(Flood, RejectsBadConfig) {
  FloodConfig c;
  c.limit = 0;
  EXPECT_FALSE(FloodDetector::Create(c).ok());
  c = FloodConfig{};
  c.window = Duration::zero();
  EXPECT_FALSE(FloodDetector::Create(c).ok());
  c = FloodConfig{};
  c.capacity = 0;
  EXPECT_FALSE(FloodDetector::Create(c).ok());
  c = FloodConfig{};
  c.v6_prefix_len = 129;
  EXPECT_FALSE(FloodDetector::Create(c).ok());
  EXPECT_TRUE(FloodDetector::Create(FloodConfig{}).ok());
}

TEST(Flood, TimeGoingBackwardsStaysInTheWindow) {
  FloodDetector d = Make(2, seconds(1));
  const IpAddress ip = Ip("198.51.100.9");
  (void)d.Check(ip, t0 + seconds(5));
  (void)d.Check(ip, t0);
  EXPECT_EQ(d.Check(ip, t0 + seconds(5)).action, FloodAction::kDrop);
}

}  // namespace
}  // namespace sipguard::detect
