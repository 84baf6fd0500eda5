#include "ban/dry_run_backend.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sipguard::ban {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> Texts(const std::vector<DryRunRecord>& records) {
  std::vector<std::string> out;
  for (const DryRunRecord& r : records) out.push_back(r.ToString());
  return out;
}

TEST(DryRunBackend, RecordsWhatItWouldDo) {
  std::vector<std::string> seen;
  DryRunBackend b([&](const DryRunRecord& r) { seen.push_back(r.ToString()); });
  EXPECT_EQ(b.name(), "dry-run");
  EXPECT_FALSE(b.Ban(*Cidr::Parse("198.51.100.7"), 60s).ok());  // not started
  ASSERT_TRUE(b.Start().ok());
  ASSERT_TRUE(b.Ban(*Cidr::Parse("::ffff:198.51.100.7"), 3600s).ok());
  ASSERT_TRUE(b.Ban(*Cidr::Parse("2001:db8::/64"), 60s).ok());
  ASSERT_TRUE(b.Ban(*Cidr::Parse("198.51.100.7/32"), 7200s).ok());  // again: still one ban
  EXPECT_EQ(b.banned().size(), 2u);
  ASSERT_TRUE(b.Unban(*Cidr::Parse("203.0.113.1")).ok());  // never banned: fine
  ASSERT_TRUE(b.Flush().ok());
  ASSERT_TRUE(b.Stop().ok());
  std::vector<std::string> want = {"start",
                                   "ban 198.51.100.7/32 for 3600s",
                                   "ban 2001:db8::/64 for 60s",
                                   "ban 198.51.100.7/32 for 7200s",
                                   "unban 203.0.113.1/32",
                                   "unban 198.51.100.7/32",
                                   "unban 2001:db8::/64",
                                   "flush",
                                   "stop"};
  EXPECT_EQ(Texts(b.TakeRecords()), want);
  EXPECT_EQ(seen, want);
  EXPECT_TRUE(b.TakeRecords().empty());
  EXPECT_TRUE(b.banned().empty());
}

TEST(DryRunBackend, RefusesWhatRealBackendsRefuse) {
  DryRunBackend b;
  ASSERT_TRUE(b.Start().ok());
  for (const char* bad : {"127.0.0.1", "::1", "0.0.0.0/0", "::/0", "224.0.0.1", "ff02::1",
                          "255.255.255.255", "10.0.0.0/7", "2001::/15", "0.0.0.0"}) {
    Status s = b.Ban(*Cidr::Parse(bad), 60s);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.error().message().find("refusing to ban"), std::string::npos)
        << s.error().message();
  }
  EXPECT_TRUE(b.Ban(*Cidr::Parse("10.0.0.0/8"), 60s).ok());
  EXPECT_TRUE(b.Ban(*Cidr::Parse("2001:db8::/16"), 60s).ok());
  EXPECT_FALSE(b.Ban(*Cidr::Parse("198.51.100.7"), 0s).ok());
  EXPECT_FALSE(b.Ban(*Cidr::Parse("198.51.100.7"), -5s).ok());
  EXPECT_FALSE(b.Ban(*Cidr::Parse("198.51.100.7"), kMaxBanDuration + 1s).ok());
  EXPECT_TRUE(b.Ban(*Cidr::Parse("198.51.100.7"), kMaxBanDuration).ok());
}

TEST(DryRunBackend, RecordsAreBounded) {
  DryRunBackend b;
  ASSERT_TRUE(b.Start().ok());
  for (size_t i = 0; i < DryRunBackend::kMaxRecords + 10; ++i) {
    ASSERT_TRUE(b.Unban(*Cidr::Parse("198.51.100.7")).ok());
  }
  EXPECT_EQ(b.TakeRecords().size(), DryRunBackend::kMaxRecords);
  EXPECT_EQ(b.dropped_records(), 11u);
}

}  // namespace
}  // namespace sipguard::ban
