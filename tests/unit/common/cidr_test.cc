#include "common/cidr.h"

#include <gtest/gtest.h>

#include <string>

namespace sipguard {
namespace {

IpAddress Ip(std::string_view text) {
  auto r = IpAddress::Parse(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : IpAddress();
}

Cidr Net(std::string_view text) {
  auto r = Cidr::Parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : Cidr();
}

TEST(CidrTest, ParseNormalises) {
  struct Case {
    const char* in;
    const char* out;
    int len;
  };
  const Case cases[] = {
      {"192.0.2.0/24", "192.0.2.0/24", 24},
      {"192.0.2.77/24", "192.0.2.0/24", 24},  // host bits cleared, like ipset
      {"192.0.2.1", "192.0.2.1/32", 32},      // bare address: one host
      {"0.0.0.0/0", "0.0.0.0/0", 0},
      {"10.1.2.3/0", "0.0.0.0/0", 0},
      {"192.0.2.255/31", "192.0.2.254/31", 31},
      {"2001:db8::/32", "2001:db8::/32", 32},
      {"2001:DB8:1:2::77/64", "2001:db8:1:2::/64", 64},
      {"2001:db8::1", "2001:db8::1/128", 128},
      {"::/0", "::/0", 0},
      {"::1/128", "::1/128", 128},
      {"::ffff:192.0.2.0/120", "192.0.2.0/24", 24},  // v4-mapped network is v4
      {"::ffff:192.0.2.9", "192.0.2.9/32", 32},
      {"::ffff:0:0/96", "0.0.0.0/0", 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    const Cidr net = Net(c.in);
    EXPECT_EQ(net.ToString(), c.out);
    EXPECT_EQ(net.prefix_len(), c.len);
    EXPECT_EQ(Net(net.ToString()), net);  // round trip
  }
}

TEST(CidrTest, RejectsJunkAndNamesTheInput) {
  const char* const rejected[] = {
      "",
      "/24",
      "1.2.3.4/33",
      "::1/129",
      "1.2.3.4/",
      "1.2.3.4/-1",
      "1.2.3.4/+8",
      "1.2.3.4/08",
      "1.2.3.4/1000",
      "1.2.3.4/24/8",
      "1.2.3.4/ 24",
      "1.2.3.4 /24",
      "[::1]/128",
      "1.2.3/24",
      "256.1.1.1/8",
      "1.2.3.4/x",
      "::ffff:1.2.3.4/95",
      "::ffff:1.2.3.4/129",
      "fe80::1%eth0/64",
  };
  for (const char* in : rejected) {
    SCOPED_TRACE(in);
    auto net = Cidr::Parse(in);
    ASSERT_FALSE(net.ok()) << net->ToString();
    EXPECT_NE(net.error().message().find(std::string("\"") + in + "\""), std::string::npos)
        << net.error().message();
  }
}

TEST(CidrTest, Make) {
  auto net = Cidr::Make(Ip("192.0.2.77"), 24);
  ASSERT_TRUE(net.ok());
  EXPECT_EQ(*net, Net("192.0.2.0/24"));
  EXPECT_FALSE(Cidr::Make(Ip("192.0.2.77"), 33).ok());
  EXPECT_FALSE(Cidr::Make(Ip("192.0.2.77"), -1).ok());
  EXPECT_TRUE(Cidr::Make(Ip("::1"), 128).ok());
  EXPECT_FALSE(Cidr::Make(Ip("::1"), 129).ok());
}

TEST(CidrTest, ContainsEdges) {
  struct Case {
    const char* net;
    const char* ip;
    bool in;
  };
  const Case cases[] = {
      {"192.0.2.0/24", "192.0.2.0", true},
      {"192.0.2.0/24", "192.0.2.255", true},
      {"192.0.2.0/24", "192.0.1.255", false},
      {"192.0.2.0/24", "192.0.3.0", false},
      {"192.0.2.0/24", "::ffff:192.0.2.9", true},  // mapped matched as v4
      {"192.0.2.0/24", "::192.0.2.9", false},      // v4-compatible is v6
      {"192.0.2.128/25", "192.0.2.127", false},
      {"192.0.2.128/25", "192.0.2.128", true},
      {"192.0.2.1/32", "192.0.2.1", true},
      {"192.0.2.1/32", "192.0.2.2", false},
      {"0.0.0.0/0", "255.255.255.255", true},
      {"0.0.0.0/0", "::1", false},  // families never mix
      {"::/0", "1.2.3.4", false},
      {"::/0", "::ffff:1.2.3.4", false},  // that is 1.2.3.4, an IPv4 address
      {"::/0", "2001:db8::1", true},
      {"2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true},
      {"2001:db8::/32", "2001:db9::", false},
      {"2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false},
      {"2001:db8:8000::/33", "2001:db8:7fff::1", false},
      {"2001:db8:8000::/33", "2001:db8:8000::1", true},
      {"2001:db8::1/128", "2001:db8::1", true},
      {"2001:db8::1/128", "2001:db8::", false},
      {"::ffff:192.0.2.0/120", "192.0.2.50", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.net) + " ∋ " + c.ip);
    EXPECT_EQ(Net(c.net).Contains(Ip(c.ip)), c.in);
  }
}

TEST(CidrSetTest, AddRemoveContains) {
  CidrSet set;
  EXPECT_TRUE(set.empty());
  EXPECT_FALSE(set.Contains(Ip("192.0.2.1")));
  EXPECT_TRUE(set.Add(Net("192.0.2.0/24")));
  EXPECT_FALSE(set.Add(Net("192.0.2.9/24")));  // same network after normalising
  EXPECT_TRUE(set.Add(Net("2001:db8::/32")));
  EXPECT_EQ(set.size(), 2u);
  EXPECT_TRUE(set.Contains(Ip("192.0.2.1")));
  EXPECT_TRUE(set.Contains(Ip("::ffff:192.0.2.1")));
  EXPECT_TRUE(set.Contains(Ip("2001:db8::1")));
  EXPECT_FALSE(set.Contains(Ip("198.51.100.1")));
  EXPECT_FALSE(set.Contains(Ip("2001:db9::1")));
  EXPECT_TRUE(set.Remove(Net("192.0.2.0/24")));
  EXPECT_FALSE(set.Remove(Net("192.0.2.0/24")));
  EXPECT_FALSE(set.Contains(Ip("192.0.2.1")));
  ASSERT_EQ(set.entries().size(), 1u);
  EXPECT_EQ(set.entries()[0].ToString(), "2001:db8::/32");
}

}  // namespace
}  // namespace sipguard
