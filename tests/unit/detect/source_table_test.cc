// SourceTable: the fixed-size, least-active-evicting table under the detectors.
#include "detect/source_table.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace sipguard::detect {
namespace {

IpAddress V4(uint32_t n) {
  const std::array<uint8_t, 4> b = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                                    static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
  return IpAddress::FromV4Bytes(b);
}

uint64_t ValueActivity(const uint64_t& v) { return v; }

TEST(SourceTable, CapacityIsRoundedUpToWholeBuckets) {
  EXPECT_EQ(SourceTable<int>(1).capacity(), SourceTable<int>::kWays);
  EXPECT_EQ(SourceTable<int>(100).capacity(), 128u);
  EXPECT_EQ(SourceTable<int>(65536).capacity(), 65536u);
}

TEST(SourceTable, FindsWhatItInserted) {
  SourceTable<uint64_t> t(1024);
  bool inserted = false;
  *t.FindOrInsert(V4(1), ValueActivity, &inserted) = 42;
  EXPECT_TRUE(inserted);
  EXPECT_EQ(*t.FindOrInsert(V4(1), ValueActivity, &inserted), 42u);
  EXPECT_FALSE(inserted);
  ASSERT_NE(t.Find(V4(1)), nullptr);
  EXPECT_EQ(t.Find(V4(2)), nullptr);
  EXPECT_EQ(t.size(), 1u);
  t.Clear();
  EXPECT_EQ(t.Find(V4(1)), nullptr);
  EXPECT_EQ(t.size(), 0u);
}

TEST(SourceTable, NeverGrowsAndKeepsTheMostActive) {
  SourceTable<uint64_t> t(64);
  bool inserted = false;
  // 8 heavy sources, then a million one-shot ones.
  for (uint32_t h = 0; h < 8; ++h)
    *t.FindOrInsert(V4(0xc0000200u + h), ValueActivity, &inserted) = 1000;
  for (uint32_t i = 0; i < 1000000; ++i) {
    uint64_t* v = t.FindOrInsert(V4(0x0a000000u + i), ValueActivity, &inserted);
    *v = 1;
    ASSERT_LE(t.size(), t.capacity());
  }
  EXPECT_EQ(t.size(), t.capacity());
  for (uint32_t h = 0; h < 8; ++h) {
    const uint64_t* v = t.Find(V4(0xc0000200u + h));
    ASSERT_NE(v, nullptr) << h;
    EXPECT_EQ(*v, 1000u);
  }
  EXPECT_GE(t.evictions(), 1000000u - t.capacity());
}

TEST(SourceTable, StaleEntriesGoFirst) {
  SourceTable<uint64_t> t(8);  // one bucket
  bool inserted = false;
  for (uint32_t i = 0; i < 8; ++i) *t.FindOrInsert(V4(i), ValueActivity, &inserted) = 5;
  *t.Find(V4(3)) = 0;  // stale
  *t.FindOrInsert(V4(100), ValueActivity, &inserted) = 5;
  EXPECT_EQ(t.Find(V4(3)), nullptr);
  for (uint32_t i : {0u, 1u, 2u, 4u, 5u, 6u, 7u, 100u}) EXPECT_NE(t.Find(V4(i)), nullptr) << i;
}

TEST(SourceKey, GroupsIpv6ByPrefixOnly) {
  const IpAddress a = *IpAddress::Parse("2001:db8:1:2:aaaa::1");
  const IpAddress b = *IpAddress::Parse("2001:db8:1:2:bbbb::1");
  EXPECT_EQ(SourceKey(a, 64), SourceKey(b, 64));
  EXPECT_NE(SourceKey(a, 128), SourceKey(b, 128));
  const IpAddress v4 = *IpAddress::Parse("203.0.113.5");
  EXPECT_EQ(SourceKey(v4, 64), v4);
}

}  // namespace
}  // namespace sipguard::detect
