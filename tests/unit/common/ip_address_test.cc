#include "common/ip_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstring>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

namespace sipguard {
namespace {

IpAddress Ip(std::string_view text) {
  auto r = IpAddress::Parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : IpAddress();
}

struct RoundTrip {
  const char* in;
  const char* canonical;
  bool v4;
};

// Parse → ToString gives the canonical form (RFC 5952 for IPv6).
const RoundTrip kRoundTrips[] = {
    {"0.0.0.0", "0.0.0.0", true},
    {"198.51.100.7", "198.51.100.7", true},
    {"255.255.255.255", "255.255.255.255", true},
    {"::", "::", false},
    {"::1", "::1", false},
    {"2001:DB8::1", "2001:db8::1", false},
    {"2001:db8:0::1", "2001:db8::1", false},
    {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1", false},
    {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", false},     // first of equal runs
    {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1", false},           // longest run wins
    {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1", false},  // single 0 not compressed
    {"fe80::", "fe80::", false},
    {"ff02::1", "ff02::1", false},
    {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", false},
    {"::ffff:198.51.100.7", "198.51.100.7", true},  // v4-mapped IS v4
    {"::FFFF:c633:6407", "198.51.100.7", true},
    {"0:0:0:0:0:ffff:198.51.100.7", "198.51.100.7", true},
    {"::198.51.100.7", "::c633:6407", false},  // v4-compatible: plain v6
    {"64:ff9b::198.51.100.7", "64:ff9b::c633:6407", false},
    {"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
     false},
};

TEST(IpAddressTest, ParseAndFormatRoundTrip) {
  for (const auto& t : kRoundTrips) {
    SCOPED_TRACE(t.in);
    auto ip = IpAddress::Parse(t.in);
    ASSERT_TRUE(ip.ok()) << ip.error().message();
    EXPECT_EQ(ip->ToString(), t.canonical);
    EXPECT_EQ(ip->is_v4(), t.v4);
    EXPECT_EQ(ip->is_v6(), !t.v4);
    // The canonical form parses back to the same address.
    EXPECT_EQ(Ip(t.canonical), *ip);
    std::string appended = "x";
    ip->AppendTo(&appended);
    EXPECT_EQ(appended, std::string("x") + t.canonical);
  }
}

TEST(IpAddressTest, SpellingsOfOneAddressAreEqual) {
  EXPECT_EQ(Ip("2001:DB8::1"), Ip("2001:db8:0::1"));
  EXPECT_EQ(Ip("::ffff:198.51.100.7"), Ip("198.51.100.7"));
  EXPECT_EQ(std::hash<IpAddress>()(Ip("::ffff:198.51.100.7")),
            std::hash<IpAddress>()(Ip("198.51.100.7")));
  EXPECT_NE(Ip("::198.51.100.7"), Ip("198.51.100.7"));
}

const char* const kRejected[] = {
    "",         "1.2.3",     "1.2.3.4.5", "256.1.1.1",    "1.2.3.-1",
    "01.2.3.4",  // leading zero: octal in some parsers, so refused
    "1.2.3.4 ", " 1.2.3.4",  "1.2.3.4\n", "1.2.3.4/32",   "1.2.3.4:5060",     "0x7f.0.0.1",
    "127.1",    "localhost", "[::1]",     "::1/128",      "fe80::1%eth0",     "1:2:3:4:5:6:7:8:9",
    "1::2::3",  ":::",       "12345::",   "::ffff:1.2.3", "::ffff:256.1.1.1", "g::1",
};

TEST(IpAddressTest, RejectsNonAddresses) {
  for (const char* in : kRejected) {
    SCOPED_TRACE(in);
    auto ip = IpAddress::Parse(in);
    EXPECT_FALSE(ip.ok()) << ip->ToString();
  }
}

TEST(IpAddressTest, RejectsEmbeddedNul) {
  // inet_pton() would stop at the NUL and accept "1.2.3.4".
  EXPECT_FALSE(IpAddress::Parse(std::string_view("1.2.3.4\0x", 9)).ok());
  EXPECT_FALSE(IpAddress::Parse(std::string_view("::1\0", 4)).ok());
}

TEST(IpAddressTest, RejectsLongInputAndNamesItBounded) {
  const std::string zeros(10000, '0');
  const std::string long_v6 = "0000:" + zeros + "::1";
  for (const std::string& in : {zeros, long_v6, std::string(46, ':'), std::string(1 << 20, '1')}) {
    auto ip = IpAddress::Parse(in);
    ASSERT_FALSE(ip.ok());
    EXPECT_NE(ip.error().message().find("too long"), std::string::npos);
    EXPECT_LT(ip.error().message().size(), 200u);  // attacker text is cut
  }
  // The longest accepted form is exactly kMaxTextLength.
  const std::string longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
  EXPECT_EQ(longest.size(), IpAddress::kMaxTextLength);
  EXPECT_TRUE(IpAddress::Parse(longest).ok());
}

TEST(IpAddressTest, ErrorNamesTheInputSanitized) {
  auto ip = IpAddress::Parse("1.2.3.4|\r\n");
  ASSERT_FALSE(ip.ok());
  EXPECT_NE(ip.error().message().find("\"1.2.3.4\\x7c\\x0d\\x0a\""), std::string::npos)
      << ip.error().message();
}

TEST(IpAddressTest, Classification) {
  struct Case {
    const char* in;
    bool loopback, unspecified, multicast, broadcast;
  };
  const Case cases[] = {
      {"127.0.0.1", true, false, false, false},
      {"127.255.0.9", true, false, false, false},
      {"::1", true, false, false, false},
      {"::ffff:127.0.0.1", true, false, false, false},
      {"0.0.0.0", false, true, false, false},
      {"::", false, true, false, false},
      {"224.0.0.1", false, false, true, false},
      {"239.255.255.255", false, false, true, false},
      {"ff02::1", false, false, true, false},
      {"255.255.255.255", false, false, false, true},
      {"223.255.255.255", false, false, false, false},
      {"240.0.0.1", false, false, false, false},
      {"::2", false, false, false, false},
      {"::1:0", false, false, false, false},
      {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, false, true, false},
      {"198.51.100.7", false, false, false, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    const IpAddress ip = Ip(c.in);
    EXPECT_EQ(ip.is_loopback(), c.loopback);
    EXPECT_EQ(ip.is_unspecified(), c.unspecified);
    EXPECT_EQ(ip.is_multicast(), c.multicast);
    EXPECT_EQ(ip.is_broadcast(), c.broadcast);
  }
  EXPECT_TRUE(IpAddress().is_unspecified());
  EXPECT_TRUE(IpAddress().is_v4());
}

TEST(IpAddressTest, PrefixZeroesHostBits) {
  struct Case {
    const char* in;
    int bits;
    const char* out;
  };
  const Case cases[] = {
      {"198.51.100.7", 24, "198.51.100.0"},
      {"198.51.100.7", 32, "198.51.100.7"},
      {"198.51.100.7", 0, "0.0.0.0"},
      {"198.51.100.255", 25, "198.51.100.128"},
      {"198.51.100.7", 99, "198.51.100.7"},  // clamped to 32
      {"198.51.100.7", -5, "0.0.0.0"},       // clamped to 0
      {"2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::"},
      {"2001:db8:1:2:3:4:5:6", 48, "2001:db8:1::"},
      {"2001:db8:1:2:3:4:5:6", 128, "2001:db8:1:2:3:4:5:6"},
      {"2001:db8:1:2:3:4:5:6", 127, "2001:db8:1:2:3:4:5:6"},
      {"2001:db8:1:2:3:4:5:7", 127, "2001:db8:1:2:3:4:5:6"},
      {"2001:db8:ffff::", 33, "2001:db8:8000::"},
      {"::ffff:198.51.100.7", 16, "198.51.0.0"},  // a v4 address: v4 bits
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.in) + "/" + std::to_string(c.bits));
    EXPECT_EQ(Ip(c.in).Prefix(c.bits).ToString(), c.out);
  }
  // Per-/64 grouping of IPv6 sources.
  EXPECT_EQ(Ip("2001:db8::1").Prefix(64), Ip("2001:db8::ffff:1").Prefix(64));
  EXPECT_NE(Ip("2001:db8::1").Prefix(64), Ip("2001:db8:0:1::1").Prefix(64));
}

TEST(IpAddressTest, OrderAndHash) {
  const std::vector<IpAddress> sorted = {
      Ip("0.0.0.0"), Ip("9.255.255.255"), Ip("10.0.0.0"),   Ip("255.255.255.255"),
      Ip("::"),      Ip("::1"),           Ip("2001:db8::"), Ip("ffff::")};
  for (size_t i = 0; i + 1 < sorted.size(); ++i) {
    EXPECT_LT(sorted[i], sorted[i + 1]) << sorted[i].ToString();
    EXPECT_NE(sorted[i], sorted[i + 1]);
  }
  std::set<IpAddress> ordered(sorted.rbegin(), sorted.rend());
  EXPECT_TRUE(std::equal(ordered.begin(), ordered.end(), sorted.begin()));

  std::unordered_set<IpAddress> set(sorted.begin(), sorted.end());
  EXPECT_EQ(set.size(), sorted.size());
  EXPECT_EQ(set.count(Ip("::ffff:10.0.0.0")), 1u);
  EXPECT_EQ(set.count(Ip("10.0.0.1")), 0u);
  // 1.2.3.4 and 102:304:: share their first bytes but are different keys.
  EXPECT_NE(Ip("1.2.3.4"), Ip("102:304::"));
}

TEST(IpAddressTest, FromSockaddr) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(5060);
  ASSERT_EQ(inet_pton(AF_INET, "198.51.100.7", &sin.sin_addr), 1);
  uint16_t port = 0;
  auto v4 = IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&sin), sizeof(sin), &port);
  ASSERT_TRUE(v4.ok()) << v4.error().message();
  EXPECT_EQ(v4->ToString(), "198.51.100.7");
  EXPECT_EQ(port, 5060);

  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(5061);
  ASSERT_EQ(inet_pton(AF_INET6, "::ffff:198.51.100.7", &sin6.sin6_addr), 1);
  auto mapped =
      IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&sin6), sizeof(sin6), &port);
  ASSERT_TRUE(mapped.ok());
  EXPECT_TRUE(mapped->is_v4());  // dual-stack socket peer normalised
  EXPECT_EQ(*mapped, *v4);
  EXPECT_EQ(port, 5061);

  ASSERT_EQ(inet_pton(AF_INET6, "2001:db8::5", &sin6.sin6_addr), 1);
  auto v6 = IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&sin6), sizeof(sin6));
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->ToString(), "2001:db8::5");

  // Failures: null, short, unknown family.
  EXPECT_FALSE(IpAddress::FromSockaddr(nullptr, sizeof(sin)).ok());
  EXPECT_FALSE(
      IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&sin), sizeof(sin) - 1).ok());
  EXPECT_FALSE(
      IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&sin6), sizeof(sin6) - 1).ok());
  EXPECT_FALSE(IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&sin), 1).ok());
  sockaddr_storage unix_addr{};
  unix_addr.ss_family = AF_UNIX;
  auto bad =
      IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&unix_addr), sizeof(unix_addr));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("family"), std::string::npos);
}

TEST(IpAddressTest, ToSockaddrRoundTrips) {
  for (const char* text : {"198.51.100.7", "2001:db8::5", "::"}) {
    SCOPED_TRACE(text);
    sockaddr_storage ss;
    const socklen_t len = Ip(text).ToSockaddr(7, &ss);
    uint16_t port = 0;
    auto back = IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&ss), len, &port);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, Ip(text));
    EXPECT_EQ(port, 7);
  }
}

TEST(IpAddressTest, BytesAndFromBytes) {
  const uint8_t v4[4] = {198, 51, 100, 7};
  const IpAddress a = IpAddress::FromV4Bytes(v4);
  EXPECT_EQ(a, Ip("198.51.100.7"));
  ASSERT_EQ(a.bytes().size(), 4u);
  EXPECT_EQ(a.bytes()[3], 7);
  EXPECT_EQ(a.max_prefix_len(), 32);
  const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 7};
  EXPECT_EQ(IpAddress::FromV6Bytes(mapped), a);
  const IpAddress six = Ip("2001:db8::5");
  EXPECT_EQ(six.bytes().size(), 16u);
  EXPECT_EQ(six.max_prefix_len(), 128);
}

}  // namespace
}  // namespace sipguard
