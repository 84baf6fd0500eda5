// Pipeline, requests: every action and event path for what clients send.
#include "server/pipeline.h"

#include <gtest/gtest.h>

#include "server_test_util.h"
#include "sip/verdict.h"

namespace sipguard::server {
namespace {

using testing::Fixture;
using testing::Harness;
using testing::kBackend;
using testing::kClient;
using testing::kTrusted;

TEST(PipelineRequest, ValidInviteIsForwardedWithOurViaOnTopAndMaxForwardsCapped) {
  Harness h;
  Decision d = h.Run(Fixture("valid/invite-with-sdp.sip"), kClient);
  ASSERT_EQ(d.disposition, Disposition::kForwardRequest);
  EXPECT_EQ(d.destination, kBackend);
  EXPECT_NE(h.kept.find("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP "
                        "192.0.2.1:5060;branch=z9hG4bKsg"),
            std::string::npos)
      << h.kept;
  EXPECT_NE(h.kept.find("\r\nMax-Forwards: 9\r\n"), std::string::npos);
  EXPECT_TRUE(h.sink->events.empty());
  EXPECT_EQ(h.counters.received.Get(), 1u);
  EXPECT_EQ(h.counters.forwarded_requests.Get(), 1u);
}

TEST(PipelineRequest, InvalidRequestGetsTheVerdictsReplyAndOneMalformedEvent) {
  Harness h;
  Decision d = h.Run(Fixture("cseq-method-mismatch/invite-with-register-cseq.sip"), kClient);
  ASSERT_EQ(d.disposition, Disposition::kReply);
  EXPECT_EQ(d.status, 400);
  EXPECT_TRUE(h.kept.starts_with("SIP/2.0 400 ")) << h.kept;
  EXPECT_EQ(d.destination.ip, kClient.ip);
  ASSERT_EQ(h.sink->events.size(), 1u);
  const auto& e = h.sink->events[0];
  EXPECT_EQ(e.type, EventType::kMalformed);
  EXPECT_EQ(e.src_ip, "203.0.113.7");
  EXPECT_EQ(e.src_port, 40000);
  EXPECT_EQ(e.reply, 400);
  int retcode = sip::Describe(sip::Check::kCSeqMethodMismatch).retcode;
  EXPECT_EQ(e.retcode, retcode == -255 ? 0 : retcode);
  EXPECT_EQ(h.counters.replied_by_status[400].Get(), 1u);
}

TEST(PipelineRequest, UnsplittableHeaderIsDroppedWithAMalformedEventAndItsRetcode) {
  Harness h;
  Decision d = h.Run(Fixture("bad-header-line/missing-colon.sip"), kClient);
  EXPECT_EQ(d.disposition, Disposition::kDrop);
  EXPECT_EQ(d.drop, DropReason::kMalformed);
  ASSERT_EQ(h.sink->events.size(), 1u);
  EXPECT_EQ(h.sink->events[0].type, EventType::kMalformed);
  EXPECT_EQ(h.sink->events[0].reply, 0);
  EXPECT_EQ(h.sink->events[0].retcode, sip::Describe(sip::Check::kBadHeaderLine).retcode);
}

TEST(PipelineRequest, NoneRetcodeIsReportedAsZero) {
  Harness h;
  // Unterminated header section: retcode -255 ("none") in the verdict table.
  ASSERT_EQ(sip::Describe(sip::Check::kUnterminatedHeaders).retcode, -255);
  (void)h.Run(
      "OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.7;branch=z9hG4bKx\r\n",
      kClient);
  ASSERT_EQ(h.sink->events.size(), 1u);
  EXPECT_EQ(h.sink->events[0].retcode, 0);
}

TEST(PipelineRequest, MaxForwardsZeroGets483AndATooManyHopsEvent) {
  Harness h;
  Decision d = h.Run(Fixture("too-many-hops/invite-max-forwards-zero.sip"), kClient);
  ASSERT_EQ(d.disposition, Disposition::kReply);
  EXPECT_EQ(d.status, 483);
  ASSERT_EQ(h.sink->events.size(), 1u);
  EXPECT_EQ(h.sink->events[0].type, EventType::kTooManyHops);
  EXPECT_EQ(h.sink->events[0].reply, 483);
}

TEST(PipelineRequest, MaxForwardsOneGets483FromTheForwarder) {
  Harness h;
  Decision d = h.Run(Fixture("valid/max-forwards-one.sip"), kClient);
  ASSERT_EQ(d.disposition, Disposition::kReply);
  EXPECT_EQ(d.status, 483);
  ASSERT_EQ(h.sink->events.size(), 1u);
  EXPECT_EQ(h.sink->events[0].type, EventType::kTooManyHops);
}

TEST(PipelineRequest, ScannerIsDroppedSilentlyWithAScannerEvent) {
  Harness h;
  Decision d = h.Run(Fixture("valid/sipvicious-svmap-options.sip"), kClient);
  EXPECT_EQ(d.disposition, Disposition::kDrop);
  EXPECT_EQ(d.drop, DropReason::kScanner);
  EXPECT_TRUE(d.bytes.empty());
  ASSERT_EQ(h.sink->events.size(), 1u);
  EXPECT_EQ(h.sink->events[0].type, EventType::kScanner);
  EXPECT_EQ(h.sink->events[0].src_ip, "203.0.113.7");  // never the From's 192.0.2.1
  EXPECT_EQ(h.sink->events[0].reply, 0);
}

TEST(PipelineRequest, InvalidScannerRequestGetsNoInformativeReply) {
  Harness h;
  std::string probe = Fixture("valid/sipvicious-svmap-options.sip");
  probe.replace(probe.find("CSeq: 1 OPTIONS"), 15, "CSeq: 1 INVITE");  // cseq-method-mismatch
  Decision d = h.Run(probe, kClient);
  EXPECT_EQ(d.disposition, Disposition::kDrop);
  ASSERT_EQ(h.sink->events.size(), 1u);
  EXPECT_EQ(h.sink->events[0].type, EventType::kScanner);
}

TEST(PipelineRequest, RequestThatCameBackThroughUsGets482AndALoopEvent) {
  Harness h;
  ASSERT_EQ(h.Run(Fixture("valid/invite-with-sdp.sip"), kClient).disposition,
            Disposition::kForwardRequest);
  std::string looped = h.kept;
  Decision d = h.Run(looped, testing::Ep("203.0.113.99", 5060));
  ASSERT_EQ(d.disposition, Disposition::kReply);
  EXPECT_EQ(d.status, 482);
  ASSERT_EQ(h.sink->events.size(), 1u);
  EXPECT_EQ(h.sink->events[0].type, EventType::kLoop);
  EXPECT_EQ(h.sink->events[0].src_ip, "203.0.113.99");
}

TEST(PipelineRequest, KeepAlivesAreDroppedWithoutAnEvent) {
  Harness h;
  Decision d = h.Run("\r\n\r\n", kClient);
  EXPECT_EQ(d.drop, DropReason::kKeepalive);
  EXPECT_TRUE(h.sink->events.empty());
}

TEST(PipelineRequest, FloodOfJunkIsDroppedBeforeParsingWithOneEventPerWindow) {
  ProxyConfig c = testing::TestConfig();
  c.flood.limit = 5;  // per 2 s
  Harness h(c);
  for (int i = 0; i < 50; ++i) (void)h.Run("junk junk junk", kClient);
  size_t floods = 0, malformed = 0;
  for (const auto& e : h.sink->events) {
    floods += e.type == EventType::kFlood ? 1 : 0;
    malformed += e.type == EventType::kMalformed ? 1 : 0;
  }
  EXPECT_EQ(floods, 1u);
  EXPECT_EQ(malformed, 5u);  // only what got past the limit was parsed
  EXPECT_EQ(h.counters.dropped[static_cast<size_t>(DropReason::kFlood)].Get(), 45u);
  h.now += std::chrono::seconds(2);
  for (int i = 0; i < 50; ++i) (void)h.Run("junk", kClient);
  floods = 0;
  for (const auto& e : h.sink->events) floods += e.type == EventType::kFlood ? 1 : 0;
  EXPECT_EQ(floods, 2u);  // the next window reports once more
}

TEST(PipelineRequest, TrustedSourceIsNeverFloodLimitedNorReported) {
  ProxyConfig c = testing::TestConfig();
  c.flood.limit = 5;
  Harness h(c);
  std::string invite = Fixture("valid/invite-with-sdp.sip");
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(h.Run(invite, kTrusted).disposition, Disposition::kForwardRequest);
  }
  (void)h.Run("junk", kTrusted);
  (void)h.Run(Fixture("valid/sipvicious-svmap-options.sip"), kTrusted);
  EXPECT_TRUE(h.sink->events.empty());
}

TEST(PipelineRequest, NoHealthyBackendGets503WithoutAnEvent) {
  Harness h;
  HealthTable& table = *h.pipeline->runtime().health;
  for (uint32_t i = 0; i < kHealthMissesToFail; ++i) (void)table.EndRound();
  ASSERT_FALSE(table.healthy(0));
  Decision d = h.Run(Fixture("valid/invite-with-sdp.sip"), kClient);
  ASSERT_EQ(d.disposition, Disposition::kReply);
  EXPECT_EQ(d.status, 503);
  EXPECT_TRUE(h.sink->events.empty());
}

TEST(PipelineRequest, RequestFromOurOwnEndpointIsDroppedAsALoop) {
  Harness h;
  Decision d = h.Run(Fixture("valid/invite-with-sdp.sip"), testing::kProxy);
  EXPECT_EQ(d.drop, DropReason::kFromSelf);
}

TEST(PipelineRequest, EventsAreBoundByTheReporterRate) {
  ProxyConfig c = testing::TestConfig();
  c.event_rate = 1;
  c.event_burst = 2;
  c.flood.limit = 1000;
  Harness h(c);
  for (int i = 0; i < 10; ++i) (void)h.Run("junk", kClient);
  EXPECT_EQ(h.sink->events.size(), 2u);
  h.pipeline->SyncCounters();
  EXPECT_EQ(h.counters.events_written.Get(), 2u);
  EXPECT_EQ(h.counters.events_suppressed.Get(), 8u);
}

}  // namespace
}  // namespace sipguard::server
