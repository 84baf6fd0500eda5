// Forwarder::Response: our Via off the top, on to the next one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "forward_test_util.h"

namespace sipguard::forward {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers

const std::string kOurVia = "SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKsg0123456789abcdef";

std::string Response(const std::string& vias) {
  return "SIP/2.0 180 Ringing\r\n" + vias +
         "To: Bob <sip:bob@example.com>;tag=a6c85cf\r\n"
         "From: Alice <sip:alice@example.net>;tag=1928301774\r\n"
         "Call-ID: a84b4c76e66710@203.0.113.7\r\n"
         "CSeq: 314159 INVITE\r\n"
         "Content-Length: 0\r\n\r\n";
}

struct Routed {
  Outcome outcome;
  std::string bytes;
};

Routed Route(const std::string& bytes) {
  auto p = ParseMsg(bytes);
  EXPECT_TRUE(p->verdict.ok()) << sip::Describe(p->verdict.check).name;
  std::vector<char> out(65536);
  Result<Outcome> r = TestForwarder().Response(*p->msg, Ep("192.0.2.101", 5080), out);
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return {};
  return {*r, std::string(r->bytes)};
}

struct RouteCase {
  const char* name;
  std::string next_via;  // the Via below ours
  Endpoint want;         // port 0: dropped
  Reason reason;
};

TEST(Response, RoutedByReceivedRportAndSentBy) {
  const Endpoint none = Ep("192.0.2.1", 0);
  const RouteCase cases[] = {
      {"received + rport",
       "SIP/2.0/UDP 10.0.0.7:5060;received=203.0.113.7;rport=40000;branch=z9hG4bKa",
       Ep("203.0.113.7", 40000), Reason::kNone},
      {"received, sent-by port",
       "SIP/2.0/UDP pc33.example.com:5070;received=203.0.113.7;branch=z9hG4bKa",
       Ep("203.0.113.7", 5070), Reason::kNone},
      {"received, default port",
       "SIP/2.0/UDP pc33.example.com;received=203.0.113.7;branch=z9hG4bKa", Ep("203.0.113.7", 5060),
       Reason::kNone},
      {"sent-by address", "SIP/2.0/UDP 203.0.113.8:5062;branch=z9hG4bKa", Ep("203.0.113.8", 5062),
       Reason::kNone},
      {"sent-by IPv6", "SIP/2.0/UDP [2001:db8::7];branch=z9hG4bKa", Ep("2001:db8::7", 5060),
       Reason::kNone},
      {"bracketed IPv6 received",
       "SIP/2.0/UDP h.example.com;received=[2001:db8::8];rport=7;branch=z9hG4bKa",
       Ep("2001:db8::8", 7), Reason::kNone},
      {"TCP", "SIP/2.0/TCP 203.0.113.8:5062;branch=z9hG4bKa",
       Ep("203.0.113.8", 5062, Transport::kTcp), Reason::kNone},
      {"host name without received", "SIP/2.0/UDP pc33.example.com;branch=z9hG4bKa", none,
       Reason::kUnresolvableVia},
      {"TLS", "SIP/2.0/TLS 203.0.113.8:5061;branch=z9hG4bKa", none, Reason::kUnsupportedTransport},
      {"multicast", "SIP/2.0/UDP 224.0.1.75;branch=z9hG4bKa", none, Reason::kBadDestination},
  };
  for (const RouteCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::string in = Response("Via: " + kOurVia + "\r\nVia: " + c.next_via + "\r\n");
    Routed r = Route(in);
    EXPECT_EQ(r.outcome.reason, c.reason) << Describe(r.outcome.reason).name;
    if (c.want.port == 0) {
      EXPECT_EQ(r.outcome.action, sip::Action::kDrop);
      EXPECT_FALSE(r.outcome.detail.empty());
      continue;
    }
    ASSERT_EQ(r.outcome.action, sip::Action::kForward);
    EXPECT_EQ(r.outcome.destination, c.want);
    auto out = ParseMsg(r.bytes);
    EXPECT_TRUE(out->verdict.ok());
    EXPECT_EQ(ViaElements(*out->msg), std::vector<std::string>{c.next_via});
    EXPECT_EQ(r.bytes, Replace(in, "Via: " + kOurVia + "\r\n", ""));
  }
}

TEST(Response, OurEntrySharingALineIsCut) {
  Routed r = Route(Response("Via: " + kOurVia + " , SIP/2.0/UDP 203.0.113.8;branch=z9hG4bKa\r\n"));
  ASSERT_EQ(r.outcome.action, sip::Action::kForward);
  EXPECT_EQ(r.outcome.destination, Ep("203.0.113.8", 5060));
  EXPECT_EQ(ViaElements(*ParseMsg(r.bytes)->msg),
            std::vector<std::string>{"SIP/2.0/UDP 203.0.113.8;branch=z9hG4bKa"});
}

TEST(Response, ForeignOrLonelyTopViaIsDropped) {
  struct {
    const char* name;
    std::string vias;
    Reason reason;
  } cases[] = {
      {"foreign host",
       "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKsg0123\r\nVia: SIP/2.0/UDP "
       "203.0.113.8;branch=z9hG4bKa\r\n",
       Reason::kForeignVia},
      {"our host, foreign branch",
       "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKzz\r\nVia: SIP/2.0/UDP "
       "203.0.113.8;branch=z9hG4bKa\r\n",
       Reason::kForeignVia},
      {"ours, nothing below", "Via: " + kOurVia + "\r\n", Reason::kNoNextVia},
  };
  for (const auto& c : cases) {
    Routed r = Route(Response(c.vias));
    EXPECT_EQ(r.outcome.action, sip::Action::kDrop) << c.name;
    EXPECT_EQ(r.outcome.reason, c.reason) << c.name;
  }
}

// Request out, response back: the client gets it at its NAT address.
TEST(Response, RoundTripThroughTheProxy) {
  Forwarder f = TestForwarder();
  std::string in = Replace(kInvite, "SIP/2.0/UDP 203.0.113.7:40000;branch=z9hG4bK776asdhds",
                           "SIP/2.0/UDP 10.0.0.7:5060;rport;branch=z9hG4bK776asdhds");
  Forwarded fw = ForwardRequest(f, in);
  auto sent = ParseMsg(fw.bytes);
  std::string vias;
  for (const std::string& v : Values(*sent->msg, sip::HeaderId::kVia)) vias += "Via: " + v + "\r\n";
  Routed r = Route(Response(vias));
  ASSERT_EQ(r.outcome.action, sip::Action::kForward);
  EXPECT_EQ(r.outcome.destination, kClient);
  EXPECT_EQ(ViaElements(*ParseMsg(r.bytes)->msg).size(), 1U);
}

}  // namespace
}  // namespace sipguard::forward
