#include <gtest/gtest.h>

#include <string>

#include "ban/ban_backend.h"
#include "ban/nftables_backend.h"

namespace sipguard::ban {
namespace {

TEST(BanBackendSpec, Parses) {
  Result<BanBackendSpec> s = ParseBanBackendSpec("nftables");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, BanBackendSpec::Kind::kNftables);
  s = ParseBanBackendSpec("dry-run");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, BanBackendSpec::Kind::kDryRun);
  s = ParseBanBackendSpec("fail2ban:sipguard-agent");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, BanBackendSpec::Kind::kFail2ban);
  EXPECT_EQ(s->jail, "sipguard-agent");
}

TEST(BanBackendSpec, ClearErrors) {
  struct Case {
    const char* text;
    const char* says;
  } cases[] = {
      {"fail2ban:", "needs a jail name"},
      {"fail2ban", "needs a jail"},
      {"iptables", "unknown --ban-backend \"iptables\""},
      {"", "unknown --ban-backend"},
      {"NFTABLES", "unknown --ban-backend"},
      {"nftables ", "unknown --ban-backend"},
      {"fail2ban:a b", "invalid fail2ban jail name"},
      {"fail2ban:<F2B_END_COMMAND>", "invalid fail2ban jail name"},
      {"fail2ban:jail\n", "invalid fail2ban jail name \"jail\\x0a\""},
  };
  for (const Case& c : cases) {
    Result<BanBackendSpec> s = ParseBanBackendSpec(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_NE(s.error().message().find(c.says), std::string::npos)
        << c.text << " -> " << s.error().message();
  }
  EXPECT_FALSE(ParseBanBackendSpec("fail2ban:" + std::string(65, 'j')).ok());
  EXPECT_TRUE(ParseBanBackendSpec("fail2ban:" + std::string(64, 'j')).ok());
}

TEST(MakeBanBackend, BuildsEachKindWithoutIo) {
  auto n = MakeBanBackend("nftables");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->name(), "nftables");
  EXPECT_TRUE((*n)->expires_by_itself());
  auto f = MakeBanBackend("fail2ban:sipguard-agent");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->name(), "fail2ban:sipguard-agent");
  auto d = MakeBanBackend("dry-run");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->name(), "dry-run");
  auto bad = MakeBanBackend("pf");
  ASSERT_FALSE(bad.ok());
  BanBackendOptions opts;
  opts.fail2ban_socket = "";
  EXPECT_FALSE(MakeBanBackend("fail2ban:j", opts).ok());
}

TEST(NftablesBackend, NotStartedIsAnError) {
  NftablesBackend b;
  Status s = b.Ban(*Cidr::Parse("198.51.100.7"), std::chrono::seconds(60));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("not started"), std::string::npos);
  EXPECT_FALSE(b.Unban(*Cidr::Parse("198.51.100.7")).ok());
  EXPECT_FALSE(b.Flush().ok());
  EXPECT_TRUE(b.Stop().ok());
}

TEST(NftablesBackend, SetsAndStartCommands) {
  EXPECT_EQ(NftablesBackend::SetFor(*Cidr::Parse("::ffff:198.51.100.7")), "ban4");
  EXPECT_EQ(NftablesBackend::SetFor(*Cidr::Parse("2001:db8::7")), "ban6");
  EXPECT_EQ(NftablesBackend::SetFor(*Cidr::Parse("198.51.100.0/24")), "bannet4");
  EXPECT_EQ(NftablesBackend::SetFor(*Cidr::Parse("2001:db8::/64")), "bannet6");
  std::string c = NftablesBackend::StartCommands();
  EXPECT_NE(c.find("hook prerouting priority -300"), std::string::npos) << c;
  // Only our own table is ever named.
  size_t pos = 0;
  int tables = 0;
  while ((pos = c.find("inet ", pos)) != std::string::npos) {
    EXPECT_EQ(c.compare(pos, 13, "inet sipguard"), 0) << c.substr(pos, 30);
    ++tables;
    pos += 5;
  }
  EXPECT_GT(tables, 5);
  EXPECT_EQ(c.find("ruleset"), std::string::npos);
}

}  // namespace
}  // namespace sipguard::ban
