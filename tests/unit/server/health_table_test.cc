#include "server/health_table.h"

#include <gtest/gtest.h>

#include "server_test_util.h"

namespace sipguard::server {
namespace {

TEST(HealthTable, MissesMakeABackendUnhealthyAndAnAnswerBringsItBack) {
  HealthTable t({testing::kBackend, testing::kBackend2}, 3);
  EXPECT_TRUE(t.healthy(0));
  t.MarkAnswered(1);
  EXPECT_FALSE(t.EndRound());  // backend 0: one miss
  t.MarkAnswered(1);
  EXPECT_FALSE(t.EndRound());
  t.MarkAnswered(1);
  EXPECT_TRUE(t.EndRound());  // third miss: down
  EXPECT_FALSE(t.healthy(0));
  EXPECT_TRUE(t.healthy(1));
  std::vector<forward::Backend> snap;
  t.Snapshot(&snap);
  ASSERT_EQ(snap.size(), 2u);
  EXPECT_FALSE(snap[0].healthy);
  t.MarkAnswered(0);
  EXPECT_TRUE(t.healthy(0));
  EXPECT_EQ(t.FindByAddress(testing::kBackend2.ip), 1u);
  EXPECT_FALSE(t.FindByAddress(testing::kClient.ip));
}

TEST(HealthTable, ReloadKeepsTheStateOfBackendsThatStay) {
  HealthTable old({testing::kBackend}, 1);
  (void)old.EndRound();
  ASSERT_FALSE(old.healthy(0));
  HealthTable next({testing::kBackend2, testing::kBackend}, 1);
  next.CopyStateFrom(old);
  EXPECT_TRUE(next.healthy(0));
  EXPECT_FALSE(next.healthy(1));
}

}  // namespace
}  // namespace sipguard::server
