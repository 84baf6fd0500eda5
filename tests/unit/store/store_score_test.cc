// Scores: decay math, ApplyBatch counters and cursors, ordering by current score.
#include <cmath>

#include "store/score.h"
#include "store_test_util.h"

namespace sipguard::store {
namespace {

using testing::Ev;
using testing::Ip;
using testing::kHalfLifeMs;
using testing::OpenOrDie;
using testing::TempDir;

TEST(Score, DecaysByHalfPerHalfLife) {
  EXPECT_DOUBLE_EQ(DecayScore(8, 0, kHalfLifeMs, kHalfLifeMs), 4);
  EXPECT_DOUBLE_EQ(DecayScore(8, 0, 3 * kHalfLifeMs, kHalfLifeMs), 1);
  EXPECT_DOUBLE_EQ(DecayScore(0, 0, 10, kHalfLifeMs), 0);
}

TEST(Score, KeyOrdersByCurrentScore) {
  // 8 at t=0 and 4 at t=half-life are equal from then on.
  EXPECT_DOUBLE_EQ(ScoreKey(8, 0, kHalfLifeMs), ScoreKey(4, kHalfLifeMs, kHalfLifeMs));
  EXPECT_LT(ScoreKey(8, 0, kHalfLifeMs), ScoreKey(5, kHalfLifeMs, kHalfLifeMs));
  EXPECT_LT(ScoreKey(0, 0, kHalfLifeMs), ScoreKey(1e-300, 0, kHalfLifeMs));
  const int64_t now = 1'700'000'000'000;  // Realistic epoch milliseconds.
  const double key = ScoreKey(10, now - 30'000, kHalfLifeMs);
  EXPECT_NEAR(ScoreFromKey(key, now, kHalfLifeMs), DecayScore(10, now - 30'000, now, kHalfLifeMs),
              1e-9);
}

TEST(Score, AddIsOrderIndependent) {
  DecayingScore a{0, 0}, b{0, 0};
  a.Add(1, 1000, kHalfLifeMs);
  a.Add(2, 61'000, kHalfLifeMs);
  b.Add(2, 61'000, kHalfLifeMs);
  b.Add(1, 1000, kHalfLifeMs);
  EXPECT_EQ(a.t_ms, 61'000);
  EXPECT_EQ(b.t_ms, 61'000);
  EXPECT_DOUBLE_EQ(a.score, 2.5);
  EXPECT_DOUBLE_EQ(b.score, 2.5);
}

TEST(StoreScore, ApplyBatchUpdatesOffenders) {
  TempDir dir;
  Store s = OpenOrDie(dir.File("s.db"));
  Batch b1;
  b1.events = {Ev("192.0.2.1", 1000, 4), Ev("::ffff:192.0.2.1", 1000, 4, EventType::kFlood),
               Ev("2001:db8::1", 5000, 1)};
  auto r1 = s.ApplyBatch(b1);
  ASSERT_TRUE(r1.ok()) << r1.error().message();
  ASSERT_EQ(r1->size(), 2u);  // The mapped address is the IPv4 one.
  EXPECT_EQ((*r1)[0].ip, Ip("192.0.2.1"));
  EXPECT_DOUBLE_EQ((*r1)[0].score, 8);
  EXPECT_EQ((*r1)[0].total_events, 2);

  Batch b2;
  b2.events = {Ev("192.0.2.1", 1000 + kHalfLifeMs, 1)};
  auto r2 = s.ApplyBatch(b2);
  ASSERT_TRUE(r2.ok());
  EXPECT_DOUBLE_EQ((*r2)[0].score, 5);  // 8 halved, plus 1.
  EXPECT_EQ((*r2)[0].score_ms, 1000 + kHalfLifeMs);

  auto o = s.GetOffender(Ip("192.0.2.1"));
  ASSERT_TRUE(o.ok() && o->has_value());
  const Offender& off = **o;
  EXPECT_EQ(off.total_events, 3);
  EXPECT_EQ(off.first_seen_ms, 1000);
  EXPECT_EQ(off.last_seen_ms, 1000 + kHalfLifeMs);
  ASSERT_EQ(off.counts.size(), 2u);
  EXPECT_EQ(off.counts[0], std::make_pair(EventType::kScanner, int64_t{2}));
  EXPECT_EQ(off.counts[1], std::make_pair(EventType::kFlood, int64_t{1}));
  EXPECT_DOUBLE_EQ(s.CurrentScore(off, 1000 + 2 * kHalfLifeMs), 2.5);

  auto missing = s.GetOffender(Ip("203.0.113.9"));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST(StoreScore, TopOffendersRankByCurrentScore) {
  TempDir dir;
  Store s = OpenOrDie(dir.File("s.db"));
  const int64_t t0 = 1'700'000'000'000;
  // Raw scores alone would rank a > b > c > d; decayed to now, the order is
  // c (6), b (5), d (4.5), a (4): a's big score is three half-lives old.
  Batch b;
  b.events = {Ev("192.0.2.10", t0, 32), Ev("192.0.2.20", t0 + kHalfLifeMs, 20),
              Ev("192.0.2.30", t0 + 2 * kHalfLifeMs, 12),
              Ev("2001:db8::40", t0 + 3 * kHalfLifeMs, 4.5)};
  ASSERT_TRUE(s.ApplyBatch(b).ok());
  const int64_t now = t0 + 3 * kHalfLifeMs;
  auto top = s.TopOffenders(10, {});
  ASSERT_TRUE(top.ok()) << top.error().message();
  ASSERT_EQ(top->size(), 4u);
  EXPECT_EQ((*top)[0].ip, Ip("192.0.2.30"));
  EXPECT_EQ((*top)[1].ip, Ip("192.0.2.20"));
  EXPECT_EQ((*top)[2].ip, Ip("2001:db8::40"));
  EXPECT_EQ((*top)[3].ip, Ip("192.0.2.10"));
  EXPECT_DOUBLE_EQ(s.CurrentScore((*top)[0], now), 6);
  EXPECT_DOUBLE_EQ(s.CurrentScore((*top)[3], now), 4);
  for (size_t i = 1; i < top->size(); ++i) {
    EXPECT_GE(s.CurrentScore((*top)[i - 1], now), s.CurrentScore((*top)[i], now));
  }
  auto two = s.TopOffenders(2, {});
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);
  // since: only offenders seen at or after it.
  OffenderFilter f;
  f.since_ms = t0 + 2 * kHalfLifeMs;
  auto recent = s.TopOffenders(10, f);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].ip, Ip("192.0.2.30"));
}

TEST(StoreScore, CursorsRoundTrip) {
  TempDir dir;
  Store s = OpenOrDie(dir.File("s.db"));
  auto none = s.GetCursor("journal");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  Batch b;
  b.cursors = {{"journal", JournalCursor{"s=1;i=2"}},
               {"/var/log/opensips.log", FileOffset{~uint64_t{0}, 12345}}};
  ASSERT_TRUE(s.ApplyBatch(b).ok());
  b.cursors = {{"journal", JournalCursor{"s=1;i=3"}}};
  ASSERT_TRUE(s.ApplyBatch(b).ok());
  auto j = s.GetCursor("journal");
  ASSERT_TRUE(j.ok() && j->has_value());
  EXPECT_EQ(**j, Cursor(JournalCursor{"s=1;i=3"}));
  auto f = s.GetCursor("/var/log/opensips.log");
  ASSERT_TRUE(f.ok() && f->has_value());
  EXPECT_EQ(**f, Cursor(FileOffset{~uint64_t{0}, 12345}));
}

TEST(StoreScore, InvalidCursorRejectsWholeBatch) {
  TempDir dir;
  Store s = OpenOrDie(dir.File("s.db"));
  Batch b;
  b.events = {Ev("192.0.2.1", 1)};
  b.cursors = {{"", JournalCursor{"x"}}};
  EXPECT_FALSE(s.ApplyBatch(b).ok());
  b.cursors = {{"journal", JournalCursor{std::string(kMaxJournalCursorLen + 1, 'c')}}};
  auto r = s.ApplyBatch(b);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("journal cursor"), std::string::npos);
  auto stats = s.Stats(0);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->total, 0);
}

}  // namespace
}  // namespace sipguard::store
