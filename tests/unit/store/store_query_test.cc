// Events: recent-event queries, stats, bounding of stored strings, Prune().
#include "store_test_util.h"

namespace sipguard::store {
namespace {

using testing::Ev;
using testing::Ip;
using testing::Net;
using testing::OpenOrDie;
using testing::TempDir;

class StoreEvents : public ::testing::Test {
 protected:
  void SetUp() override {
    Batch b;
    for (int i = 0; i < 10; ++i) {
      b.events.push_back(Ev(i % 2 == 0 ? "192.0.2.1" : "2001:db8::2", 1000 * i, 1,
                            i < 3 ? EventType::kFlood : EventType::kScanner));
    }
    ASSERT_TRUE(s_.ApplyBatch(b).ok());
  }
  TempDir dir_;
  Store s_ = OpenOrDie(dir_.File("s.db"));
};

TEST_F(StoreEvents, RecentEventsNewestFirstWithFilters) {
  auto all = s_.RecentEvents({});
  ASSERT_TRUE(all.ok()) << all.error().message();
  ASSERT_EQ(all->size(), 10u);
  EXPECT_EQ((*all)[0].time_ms, 9000);
  EXPECT_EQ((*all)[9].time_ms, 0);
  const EventRecord& e = (*all)[0];
  EXPECT_EQ(e.ip, Ip("2001:db8::2"));
  EXPECT_EQ(e.type, EventType::kScanner);
  EXPECT_EQ(e.src_port, 5060);
  EXPECT_EQ(e.transport, "udp");
  EXPECT_EQ(e.method, "OPTIONS");
  EXPECT_EQ(e.call_id, "ci-9000");
  EXPECT_EQ(e.from_uri, "sip:100@example.com");
  EXPECT_EQ(e.user_agent, "friendly-scanner");
  EXPECT_EQ(e.source, "journal");

  EventFilter f;
  f.ip = Ip("::ffff:192.0.2.1");
  f.limit = 3;
  auto by_ip = s_.RecentEvents(f);
  ASSERT_TRUE(by_ip.ok());
  ASSERT_EQ(by_ip->size(), 3u);
  EXPECT_EQ((*by_ip)[0].time_ms, 8000);
  EXPECT_EQ((*by_ip)[2].time_ms, 4000);

  EventFilter g;
  g.type = EventType::kFlood;
  g.since_ms = 1000;
  auto by_type = s_.RecentEvents(g);
  ASSERT_TRUE(by_type.ok());
  ASSERT_EQ(by_type->size(), 2u);
  EXPECT_EQ((*by_type)[0].time_ms, 2000);

  g.ip = Ip("192.0.2.1");
  auto both = s_.RecentEvents(g);
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->size(), 1u);
  EXPECT_EQ((*both)[0].time_ms, 2000);
}

TEST_F(StoreEvents, StatsCountByType) {
  auto st = s_.Stats(0);
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(st->total, 10);
  ASSERT_EQ(st->by_type.size(), kAllEventTypes.size());
  for (const auto& [type, n] : st->by_type) {
    EXPECT_EQ(n, type == EventType::kFlood ? 3 : type == EventType::kScanner ? 7 : 0);
  }
  auto late = s_.Stats(5000);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->total, 5);
}

TEST_F(StoreEvents, PruneByAgeAndCount) {
  PruneOptions p;
  p.events_before_ms = 3000;
  auto r = s_.Prune(p);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->events, 3);
  p = {};
  p.max_events = 4;
  r = s_.Prune(p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->events, 3);
  auto left = s_.RecentEvents({});
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 4u);
  EXPECT_EQ(left->back().time_ms, 6000);
  // Offenders keep their counters when events go.
  auto o = s_.GetOffender(Ip("192.0.2.1"));
  ASSERT_TRUE(o.ok() && o->has_value());
  EXPECT_EQ((*o)->total_events, 5);
}

TEST_F(StoreEvents, PruneOffendersAndBans) {
  Batch b;
  b.events = {Ev("198.51.100.1", 100'000)};
  ASSERT_TRUE(s_.ApplyBatch(b).ok());
  ASSERT_TRUE(s_.AddBan(Net("192.0.2.1"), "active", 50'000, std::nullopt).ok());
  ASSERT_TRUE(s_.AddBan(Net("192.0.2.9"), "expired", 1000, 2000).ok());
  ASSERT_TRUE(s_.AddBan(Net("192.0.2.8"), "lifted", 1000, std::nullopt).ok());
  ASSERT_TRUE(s_.LiftBan(Net("192.0.2.8"), 3000, "x").ok());

  PruneOptions p;
  p.now_ms = 100'000;
  p.offenders_idle_before_ms = 50'000;
  p.bans_ended_before_ms = 50'000;
  auto r = s_.Prune(p);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->offenders, 1);  // 2001:db8::2; 192.0.2.1 is banned, 198.51.100.1 recent.
  EXPECT_EQ(r->bans, 2);
  auto gone = s_.GetOffender(Ip("2001:db8::2"));
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  auto kept = s_.GetOffender(Ip("192.0.2.1"));
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->has_value());
  EXPECT_TRUE(s_.CheckIntegrity().ok());
}

TEST(StoreBounds, AttackerStringsAreCappedAndSanitized) {
  TempDir dir;
  Store s = OpenOrDie(dir.File("s.db"));
  Batch b;
  Batch::Item item = Ev("192.0.2.1", 1);
  item.event.call_id = std::string(10'000, 'c') + "|x";
  item.event.from_uri = "sip:a\r\nb@c" + std::string(10'000, 'u');
  item.event.user_agent = std::string(10'000, 'a');
  item.event.method = std::string(10'000, 'M');
  item.event.transport = "udp\nforged";
  b.events = {item};
  ASSERT_TRUE(s.ApplyBatch(b).ok());
  auto ev = s.RecentEvents({});
  ASSERT_TRUE(ev.ok() && ev->size() == 1);
  const EventRecord& e = (*ev)[0];
  EXPECT_LE(e.call_id.size(), kMaxCallIdLen);
  EXPECT_LE(e.from_uri.size(), kMaxUriLen);
  EXPECT_LE(e.user_agent.size(), kMaxUserAgentLen);
  EXPECT_LE(e.method.size(), kMaxMethodLen);
  EXPECT_LE(e.transport.size(), kMaxTransportLen);
  EXPECT_EQ(e.from_uri.find('\n'), std::string::npos);
  EXPECT_EQ(e.transport.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace sipguard::store
