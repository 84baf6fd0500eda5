// Bans (expiry, lifting, networks) and the whitelist.
#include "store_test_util.h"

namespace sipguard::store {
namespace {

using testing::Ev;
using testing::Ip;
using testing::Net;
using testing::OpenOrDie;
using testing::TempDir;

TEST(StoreBans, ExpireOnTime) {
  TempDir dir;
  Store s = OpenOrDie(dir.File("s.db"));
  auto id1 = s.AddBan(Net("192.0.2.1"), "score 12 >= 10", 1000, 61'000);
  auto id2 = s.AddBan(Net("2001:db8::/32"), "manual", 2000, std::nullopt);
  ASSERT_TRUE(id1.ok() && id2.ok());
  EXPECT_NE(*id1, *id2);

  auto at = [&](int64_t now) {
    auto bans = s.ActiveBans(now);
    EXPECT_TRUE(bans.ok());
    std::vector<std::string> out;
    for (const Ban& b : *bans) out.push_back(b.target.ToString());
    return out;
  };
  EXPECT_EQ(at(60'999), (std::vector<std::string>{"192.0.2.1/32", "2001:db8::/32"}));
  EXPECT_EQ(at(61'000), (std::vector<std::string>{"2001:db8::/32"}));  // expires is exclusive
  EXPECT_EQ(at(1'000'000'000), (std::vector<std::string>{"2001:db8::/32"}));

  auto bans = s.ActiveBans(5000);
  ASSERT_TRUE(bans.ok());
  EXPECT_EQ((*bans)[0].reason, "score 12 >= 10");
  EXPECT_EQ((*bans)[0].created_ms, 1000);
  EXPECT_EQ((*bans)[0].expires_ms, 61'000);
  EXPECT_FALSE((*bans)[1].expires_ms.has_value());
}

TEST(StoreBans, LiftAndHistory) {
  TempDir dir;
  Store s = OpenOrDie(dir.File("s.db"));
  Batch b;
  b.events = {Ev("192.0.2.7", 500)};
  ASSERT_TRUE(s.ApplyBatch(b).ok());
  ASSERT_TRUE(s.AddBan(Net("192.0.2.7"), "first", 1000, 2000).ok());
  ASSERT_TRUE(s.AddBan(Net("192.0.2.7/32"), "second", 3000, 10'000).ok());
  ASSERT_TRUE(s.AddBan(Net("192.0.2.0/24"), "net", 3000, std::nullopt).ok());

  auto o = s.GetOffender(Ip("192.0.2.7"));
  ASSERT_TRUE(o.ok() && o->has_value());
  EXPECT_EQ((*o)->ban_count, 2);

  auto lifted = s.LiftBan(Net("::ffff:192.0.2.7"), 4000, "operator");
  ASSERT_TRUE(lifted.ok());
  EXPECT_EQ(*lifted, 1);  // Only the active one; the expired one stays expired.
  auto again = s.LiftBan(Net("192.0.2.7"), 4001, "operator");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);

  auto all = s.BansFor(Ip("192.0.2.7"));
  ASSERT_TRUE(all.ok()) << all.error().message();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].reason, "first");
  EXPECT_FALSE((*all)[0].lifted_ms.has_value());
  EXPECT_FALSE((*all)[0].ActiveAt(4000));
  EXPECT_EQ((*all)[1].lifted_ms, 4000);
  EXPECT_EQ((*all)[1].lift_reason, "operator");
  EXPECT_EQ((*all)[2].target, Net("192.0.2.0/24"));
  EXPECT_TRUE((*all)[2].ActiveAt(4000));

  auto other = s.BansFor(Ip("192.0.3.1"));
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
  auto v6 = s.BansFor(Ip("2001:db8::7"));
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->empty());
}

TEST(StoreBans, TopOffendersBannedOnly) {
  TempDir dir;
  Store s = OpenOrDie(dir.File("s.db"));
  Batch b;
  b.events = {Ev("192.0.2.1", 1000, 1),    Ev("192.0.2.2", 1000, 2),   Ev("198.51.100.3", 1000, 3),
              Ev("198.51.100.4", 1000, 4), Ev("2001:db8::5", 1000, 5), Ev("2001:db9::6", 1000, 6)};
  ASSERT_TRUE(s.ApplyBatch(b).ok());
  ASSERT_TRUE(s.AddBan(Net("192.0.2.1"), "host", 1000, std::nullopt).ok());
  ASSERT_TRUE(s.AddBan(Net("198.51.100.3"), "expired", 1000, 1500).ok());
  ASSERT_TRUE(s.AddBan(Net("198.51.100.0/24"), "net", 1000, std::nullopt).ok());
  ASSERT_TRUE(s.AddBan(Net("2001:db8::/32"), "net6", 1000, std::nullopt).ok());
  ASSERT_TRUE(s.AddBan(Net("2001:db9::6"), "lifted", 1000, std::nullopt).ok());
  ASSERT_TRUE(s.LiftBan(Net("2001:db9::6"), 1200, "ok").ok());

  OffenderFilter f;
  f.banned_only = true;
  f.now_ms = 2000;
  auto top = s.TopOffenders(10, f);
  ASSERT_TRUE(top.ok()) << top.error().message();
  std::vector<std::string> ips;
  for (const auto& o : *top) ips.push_back(o.ip.ToString());
  EXPECT_EQ(ips,
            (std::vector<std::string>{"2001:db8::5", "198.51.100.4", "198.51.100.3", "192.0.2.1"}));
  auto two = s.TopOffenders(2, f);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);
}

TEST(StoreWhitelist, RoundTripNormalised) {
  TempDir dir;
  Store s = OpenOrDie(dir.File("s.db"));
  auto a = s.WhitelistAdd(Net("2001:DB8::/32"), "trunk provider", 100);
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_TRUE(*a);
  auto dup = s.WhitelistAdd(Net("2001:db8:0::/32"), "again", 200);
  ASSERT_TRUE(dup.ok());
  EXPECT_FALSE(*dup);
  ASSERT_TRUE(s.WhitelistAdd(Net("192.0.2.77/24"), "office", 300).ok());
  ASSERT_TRUE(s.WhitelistAdd(Net("::ffff:198.51.100.9"), "mapped host", 400).ok());

  auto list = s.WhitelistList();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].cidr.ToString(), "2001:db8::/32");
  EXPECT_EQ((*list)[0].comment, "trunk provider");
  EXPECT_EQ((*list)[0].created_ms, 100);
  EXPECT_EQ((*list)[1].cidr.ToString(), "192.0.2.0/24");
  EXPECT_EQ((*list)[2].cidr.ToString(), "198.51.100.9/32");

  auto rm = s.WhitelistRemove(Net("2001:0db8::/32"));
  ASSERT_TRUE(rm.ok());
  EXPECT_TRUE(*rm);
  auto rm2 = s.WhitelistRemove(Net("2001:db8::/32"));
  ASSERT_TRUE(rm2.ok());
  EXPECT_FALSE(*rm2);
  list = s.WhitelistList();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
}

TEST(StoreWhitelist, CommentIsSanitizedAndBounded) {
  TempDir dir;
  Store s = OpenOrDie(dir.File("s.db"));
  ASSERT_TRUE(s.WhitelistAdd(Net("192.0.2.0/24"), "a|b\nc" + std::string(1000, 'z'), 1).ok());
  auto list = s.WhitelistList();
  ASSERT_TRUE(list.ok() && list->size() == 1);
  const std::string& c = (*list)[0].comment;
  EXPECT_LE(c.size(), kMaxReasonLen);
  EXPECT_EQ(c.find('\n'), std::string::npos);
  EXPECT_EQ(c.find('|'), std::string::npos);
}

}  // namespace
}  // namespace sipguard::store
