// Pipeline, responses and runtime changes: routing back to the client,
// the response detectors (naming the client, never a header's address),
// health probe answers, and reloads.
#include <gtest/gtest.h>

#include "server/health.h"
#include "server/pipeline.h"
#include "server_test_util.h"

namespace sipguard::server {
namespace {

using testing::Fixture;
using testing::Harness;
using testing::kBackend;
using testing::kClient;
using testing::ResponseTo;

// Forwards `request` from kClient and returns what reached the backend.
std::string Forward(Harness& h, const std::string& request,
                    const forward::Endpoint& from = kClient) {
  Decision d = h.Run(request, from);
  EXPECT_EQ(d.disposition, Disposition::kForwardRequest) << request;
  return h.kept;
}

TEST(PipelineResponse, BackendsAnswerGoesBackToTheClient) {
  Harness h;
  std::string at_backend = Forward(h, Fixture("valid/invite-with-sdp.sip"));
  Decision d = h.Run(ResponseTo(at_backend, 200, "OK"), kBackend);
  ASSERT_EQ(d.disposition, Disposition::kForwardResponse);
  EXPECT_EQ(d.destination.ip, kClient.ip);
  EXPECT_EQ(d.destination.port, kClient.port);  // rport
  EXPECT_TRUE(h.kept.starts_with("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;")) << h.kept;
  EXPECT_EQ(h.counters.forwarded_responses.Get(), 1u);
}

TEST(PipelineResponse, BackendsAreNeverFloodLimited) {
  ProxyConfig c = testing::TestConfig();
  c.flood.limit = 5;
  Harness h(c);
  std::string at_backend = Forward(h, Fixture("valid/invite-with-sdp.sip"));
  std::string ok = ResponseTo(at_backend, 200, "OK");
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(h.Run(ok, kBackend).disposition, Disposition::kForwardResponse);
  }
  EXPECT_TRUE(h.sink->events.empty());
}

TEST(PipelineResponse, ResponseFromANonBackendIsDropped) {
  Harness h;
  std::string at_backend = Forward(h, Fixture("valid/invite-with-sdp.sip"));
  Decision d = h.Run(ResponseTo(at_backend, 200, "OK"), testing::Ep("203.0.113.66", 5060));
  EXPECT_EQ(d.drop, DropReason::kNotFromBackend);
}

TEST(PipelineResponse, ResponseWithoutOurViaIsUnroutable) {
  Harness h;
  Decision d = h.Run(Fixture("valid/180-ringing.sip"), kBackend);
  EXPECT_EQ(d.drop, DropReason::kUnroutable);
  EXPECT_TRUE(h.sink->events.empty());
}

TEST(PipelineResponse, RepeatedForbiddenIsOneAuthFailureEventNamingTheClient) {
  Harness h;
  std::string reg = Fixture("valid/register.sip");  // From/Via name 192.0.2.33
  std::string at_backend = Forward(h, reg);
  std::string forbidden = ResponseTo(at_backend, 403, "Forbidden");
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(h.Run(forbidden, kBackend).disposition, Disposition::kForwardResponse);
  }
  ASSERT_EQ(h.sink->events.size(), 1u);
  const auto& e = h.sink->events[0];
  EXPECT_EQ(e.type, EventType::kAuthFailure);
  EXPECT_EQ(e.src_ip, "203.0.113.7");
  EXPECT_EQ(e.method, "REGISTER");
  EXPECT_EQ(e.reply, 403);
}

TEST(PipelineResponse, ManyUsersNotFoundIsOneEnumerationEvent) {
  Harness h;
  std::string invite = Fixture("valid/invite-with-sdp.sip");
  for (int user = 100; user < 115; ++user) {
    std::string req = invite;
    for (size_t at = req.find("bob@"); at != std::string::npos; at = req.find("bob@", at)) {
      req.replace(at, 3, std::to_string(user));
    }
    std::string at_backend = Forward(h, req);
    (void)h.Run(ResponseTo(at_backend, 404, "Not Found"), kBackend);
  }
  ASSERT_EQ(h.sink->events.size(), 1u);
  EXPECT_EQ(h.sink->events[0].type, EventType::kEnumeration);
  EXPECT_EQ(h.sink->events[0].src_ip, "203.0.113.7");
}

TEST(PipelineResponse, TrustedClientsFailuresAreNeverReported) {
  Harness h;
  std::string at_backend = Forward(h, Fixture("valid/register.sip"), testing::kTrusted);
  std::string forbidden = ResponseTo(at_backend, 403, "Forbidden");
  for (int i = 0; i < 20; ++i) (void)h.Run(forbidden, kBackend);
  EXPECT_TRUE(h.sink->events.empty());
}

TEST(PipelineResponse, AnswerToOurProbeIsConsumedAndMarksTheBackendHealthy) {
  Harness h;
  HealthTable& table = *h.pipeline->runtime().health;
  for (uint32_t i = 0; i < kHealthMissesToFail; ++i) (void)table.EndRound();
  ASSERT_FALSE(table.healthy(0));
  std::string probe = BuildProbe(kBackend, testing::kProxy, h.pipeline->runtime().health_token, 7);
  Decision d = h.Run(ResponseTo(probe, 200, "OK"), kBackend);
  EXPECT_EQ(d.disposition, Disposition::kConsumed);
  EXPECT_TRUE(d.bytes.empty());
  EXPECT_TRUE(table.healthy(0));
  EXPECT_EQ(h.counters.health_replies.Get(), 1u);
}

TEST(PipelineResponse, ForgedProbeAnswerWithoutTheTokenIsNotConsumed) {
  Harness h;
  std::string probe = BuildProbe(kBackend, testing::kProxy, "z9hG4bKsghcffffffffffffffff", 7);
  Decision d = h.Run(ResponseTo(probe, 200, "OK"), kBackend);
  EXPECT_NE(d.disposition, Disposition::kConsumed);
}

TEST(PipelineReload, NewBackendListTakesEffectAndFloodStateIsKept) {
  ProxyConfig c = testing::TestConfig();
  c.flood.limit = 5;
  Harness h(c);
  for (int i = 0; i < 5; ++i) (void)h.Run("junk", testing::Ep("203.0.113.200", 1));
  ProxyConfig next = c;
  next.backends = {testing::kBackend2};
  ASSERT_TRUE(h.pipeline->SetRuntime(testing::MakeRuntime(next, h.sink)).ok());
  Decision d = h.Run(Fixture("valid/invite-with-sdp.sip"), kClient);
  ASSERT_EQ(d.disposition, Disposition::kForwardRequest);
  EXPECT_EQ(d.destination, testing::kBackend2);
  // Same flood config: the source's count survived the reload.
  EXPECT_EQ(h.Run("junk", testing::Ep("203.0.113.200", 1)).drop, DropReason::kFlood);
}

TEST(PipelineReload, NewTrustedListAppliesAtOnce) {
  Harness h;
  ProxyConfig next = testing::TestConfig();
  next.trusted.Add(Cidr::Parse("203.0.113.0/24").value());
  ASSERT_TRUE(FinishProxyConfig(&next).ok());
  ASSERT_TRUE(h.pipeline->SetRuntime(testing::MakeRuntime(next, h.sink)).ok());
  for (int i = 0; i < 20; ++i) (void)h.Run("junk", kClient);
  EXPECT_TRUE(h.sink->events.empty());
}

}  // namespace
}  // namespace sipguard::server
