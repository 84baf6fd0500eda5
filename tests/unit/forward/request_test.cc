// Forwarder::Request: the rules of RFC 3261 §16 for a stateless proxy.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "forward/branch.h"
#include "forward_test_util.h"

namespace sipguard::forward {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers

// --- Max-Forwards ---------------------------------------------------------
struct MaxForwardsCase {
  const char* name;
  const char* header;  // replaces "Max-Forwards: 70\r\n"; "" = absent
  int want;            // forwarded value, or -483 for a 483 reply
};

TEST(RequestMaxForwards, CappedAddedAndDecremented) {
  const MaxForwardsCase cases[] = {
      {"absent", "", 9},
      {"greater", "Max-Forwards: 70\r\n", 9},
      {"equal", "Max-Forwards: 10\r\n", 9},
      {"below", "Max-Forwards: 5\r\n", 4},
      {"leading zeros", "Max-Forwards: 0007\r\n", 6},
      {"two", "Max-Forwards: 2\r\n", 1},
      {"one reaches zero", "Max-Forwards: 1\r\n", -483},
  };
  Forwarder f = TestForwarder();
  for (const MaxForwardsCase& c : cases) {
    SCOPED_TRACE(c.name);
    Forwarded fw = ForwardRequest(f, Replace(kInvite, "Max-Forwards: 70\r\n", c.header));
    auto out = ParseMsg(fw.bytes);
    if (c.want < 0) {
      EXPECT_EQ(fw.outcome.action, sip::Action::kReply);
      EXPECT_EQ(fw.outcome.status, 483);
      EXPECT_EQ(fw.outcome.reason, Reason::kTooManyHops);
      EXPECT_EQ(out->msg->status_code_text(), "483");
      continue;
    }
    ASSERT_EQ(fw.outcome.action, sip::Action::kForward);
    EXPECT_EQ(Values(*out->msg, sip::HeaderId::kMaxForwards),
              std::vector<std::string>{std::to_string(c.want)});
  }
}

TEST(RequestMaxForwards, LimitIsConfigurable) {
  ForwardOptions o;
  o.max_forwards = 70;
  Forwarded fw = ForwardRequest(TestForwarder(o), kInvite);
  EXPECT_EQ(Values(*ParseMsg(fw.bytes)->msg, sip::HeaderId::kMaxForwards),
            std::vector<std::string>{"69"});
}

// --- Route ---------------------------------------------------------------
struct RouteCase {
  const char* name;
  const char* route;  // inserted before Contact
  std::vector<std::string> want;
};

TEST(RequestRoute, OurTopRouteIsRemoved) {
  const RouteCase cases[] = {
      {"ours alone", "Route: <sip:198.51.100.1;lr>\r\n", {}},
      {"ours with port, then another",
       "Route: <sip:198.51.100.1:5060;lr>, <sip:192.0.2.50;lr>\r\n",
       {"<sip:192.0.2.50;lr>"}},
      {"ours, another on the next line",
       "Route: <sip:198.51.100.1;transport=udp;lr>\r\nRoute: <sip:192.0.2.50;lr>\r\n",
       {"<sip:192.0.2.50;lr>"}},
      {"ours by alias", "Route: <sip:sip.example.com;lr>\r\n", {}},
      {"ours over IPv6", "Route: <sip:[2001:db8::1]:5060;lr>\r\n", {}},
      {"other port is not us",
       "Route: <sip:198.51.100.1:5070;lr>\r\n",
       {"<sip:198.51.100.1:5070;lr>"}},
      {"foreign top kept",
       "Route: <sip:192.0.2.50;lr>, <sip:198.51.100.1;lr>\r\n",
       {"<sip:192.0.2.50;lr>, <sip:198.51.100.1;lr>"}},
  };
  Forwarder f = TestForwarder();
  for (const RouteCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::string in = Replace(kInvite, "Contact:", std::string(c.route) + "Contact:");
    Forwarded fw = ForwardRequest(f, in);
    ASSERT_EQ(fw.outcome.action, sip::Action::kForward);
    auto out = ParseMsg(fw.bytes);
    EXPECT_TRUE(out->verdict.ok());
    EXPECT_EQ(Values(*out->msg, sip::HeaderId::kRoute), c.want);
  }
}

// --- The client's Via: received and rport ---------------------------------
struct ViaCase {
  const char* name;
  const char* via;  // the client's Via value
  Endpoint source;
  const char* want;  // the client's Via element in the forwarded request
};

TEST(RequestVia, ReceivedAndRport) {
  const ViaCase cases[] = {
      {"sent-by is the source", "SIP/2.0/UDP 203.0.113.7:40000;branch=z9hG4bKa", kClient,
       "SIP/2.0/UDP 203.0.113.7:40000;branch=z9hG4bKa"},
      {"other address", "SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKa", kClient,
       "SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKa;received=203.0.113.7"},
      {"host name", "SIP/2.0/UDP pc33.example.com;branch=z9hG4bKa", kClient,
       "SIP/2.0/UDP pc33.example.com;branch=z9hG4bKa;received=203.0.113.7"},
      {"empty rport (NAT)", "SIP/2.0/UDP 10.0.0.7:5060;rport;branch=z9hG4bKa", kClient,
       "SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bKa;received=203.0.113.7;rport=40000"},
      {"rport, same address", "SIP/2.0/UDP 203.0.113.7:40000;branch=z9hG4bKa;rport", kClient,
       "SIP/2.0/UDP 203.0.113.7:40000;branch=z9hG4bKa;received=203.0.113.7;rport=40000"},
      {"stale received replaced", "SIP/2.0/UDP 192.0.2.7;received=192.0.2.99;branch=z9hG4bKa",
       kClient, "SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKa;received=203.0.113.7"},
      {"IPv6 source", "SIP/2.0/UDP [2001:db8::7]:5060;branch=z9hG4bKa;rport",
       Ep("2001:db8::9", 5062),
       "SIP/2.0/UDP [2001:db8::7]:5060;branch=z9hG4bKa;received=2001:db8::9;rport=5062"},
      {"IPv6 same address", "SIP/2.0/UDP [2001:DB8:0::9]:5062;branch=z9hG4bKa",
       Ep("2001:db8::9", 5062), "SIP/2.0/UDP [2001:DB8:0::9]:5062;branch=z9hG4bKa"},
  };
  Forwarder f = TestForwarder();
  for (const ViaCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::string in =
        Replace(kInvite, "SIP/2.0/UDP 203.0.113.7:40000;branch=z9hG4bK776asdhds", c.via);
    Forwarded fw = ForwardRequest(f, in, c.source);
    ASSERT_EQ(fw.outcome.action, sip::Action::kForward);
    auto out = ParseMsg(fw.bytes);
    EXPECT_TRUE(out->verdict.ok()) << fw.bytes;
    std::vector<std::string> vias = ViaElements(*out->msg);
    ASSERT_EQ(vias.size(), 2U);
    EXPECT_EQ(vias[1], c.want);
  }
}

TEST(RequestVia, OursOnTopForTheBackendsTransport) {
  Forwarder f = TestForwarder();
  std::vector<Backend> tcp = {{Ep("192.0.2.101", 5080, Transport::kTcp), true}};
  std::vector<Backend> v6 = {{Ep("2001:db8::101", 5080), true}};
  struct {
    const std::vector<Backend>* backends;
    const char* sent_by;
  } cases[] = {{&tcp, "SIP/2.0/TCP 198.51.100.1:5060"}, {&v6, "SIP/2.0/UDP [2001:db8::1]:5060"}};
  for (const auto& c : cases) {
    Forwarded fw = ForwardRequest(f, kInvite, kClient, *c.backends);
    EXPECT_EQ(fw.outcome.destination, c.backends->front().endpoint);
    auto out = ParseMsg(fw.bytes);
    std::vector<std::string> vias = ViaElements(*out->msg);
    ASSERT_EQ(vias.size(), 2U);
    EXPECT_EQ(vias[0].rfind(std::string(c.sent_by) + ";branch=" + std::string(kBranchPrefix), 0),
              0U)
        << vias[0];
    EXPECT_EQ(vias[0].size(), std::string(c.sent_by).size() + 8 + kBranchLength);
  }
}

// --- Branch ---------------------------------------------------------------
std::string OurBranch(const Forwarder& f, const std::string& request) {
  Forwarded fw = ForwardRequest(f, request);
  auto out = ParseMsg(fw.bytes);
  std::vector<std::string> vias = ViaElements(*out->msg);
  if (vias.empty()) return "";
  return std::string(ParseViaText(vias[0]).branch);
}

std::string Cancel(std::string invite) {
  invite = Replace(invite, "INVITE sip", "CANCEL sip");
  invite = Replace(invite, "314159 INVITE", "314159 CANCEL");
  invite = Replace(invite, "Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n",
                   "Content-Length: 0\r\n\r\n");
  return invite;
}

std::string AckForNon2xx(std::string invite) {
  invite = Replace(invite, "INVITE sip", "ACK sip");
  invite = Replace(invite, "314159 INVITE", "314159 ACK");
  invite = Replace(invite, "To: Bob <sip:bob@example.com>", "To: Bob <sip:bob@example.com>;tag=x1");
  invite = Replace(invite, "Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n",
                   "Content-Length: 0\r\n\r\n");
  return invite;
}

TEST(RequestBranch, InviteCancelAndAckForNon2xxShareIt) {
  Forwarder f = TestForwarder();
  for (bool rfc2543 : {false, true}) {
    SCOPED_TRACE(rfc2543 ? "RFC 2543, no branch" : "RFC 3261 branch");
    std::string invite = rfc2543 ? Replace(kInvite, ";branch=z9hG4bK776asdhds", "") : kInvite;
    std::string b = OurBranch(f, invite);
    EXPECT_EQ(b.size(), kBranchLength);
    EXPECT_EQ(b.rfind(kBranchPrefix, 0), 0U);
    EXPECT_EQ(OurBranch(f, invite), b) << "retransmission";
    EXPECT_EQ(OurBranch(f, Cancel(invite)), b) << "CANCEL";
    EXPECT_EQ(OurBranch(f, AckForNon2xx(invite)), b) << "ACK for a non-2xx";
  }
}

TEST(RequestBranch, NewTransactionsDiffer) {
  Forwarder f = TestForwarder();
  std::string b = OurBranch(f, kInvite);
  std::string no_branch = Replace(kInvite, ";branch=z9hG4bK776asdhds", "");
  struct {
    const char* name;
    std::string request;
    std::string base;
  } cases[] = {
      {"new branch (ACK for 2xx, re-INVITE)", Replace(kInvite, "776asdhds", "9f8e7d"), kInvite},
      {"new CSeq", Replace(kInvite, "314159 INVITE", "314160 INVITE"), kInvite},
      {"new Call-ID", Replace(kInvite, "a84b4c76e66710", "b84b4c76e66710"), kInvite},
      {"other sent-by", Replace(kInvite, "203.0.113.7:40000;branch", "203.0.113.7:40001;branch"),
       kInvite},
      {"2543: new From tag", Replace(no_branch, "tag=1928301774", "tag=1928301775"), no_branch},
      {"2543: new R-URI", Replace(no_branch, "INVITE sip:bob@", "INVITE sip:carol@"), no_branch},
  };
  for (const auto& c : cases) {
    EXPECT_NE(OurBranch(f, c.request), OurBranch(f, c.base)) << c.name;
  }
  ProxyIdentity other = TestIdentity();
  other.secret = {5, 6};
  EXPECT_NE(OurBranch(Forwarder::Create(other, {}).value(), kInvite), b) << "secret";
}

// --- Loops ------------------------------------------------------------------
TEST(RequestLoop, OurViaInTheRequestIs482) {
  Forwarder f = TestForwarder();
  Forwarded first = ForwardRequest(f, kInvite);
  ASSERT_EQ(first.outcome.action, sip::Action::kForward);
  // The backend sends it back to us (same Request-URI): a loop.
  Forwarded again = ForwardRequest(f, first.bytes, Ep("192.0.2.101", 5080));
  EXPECT_EQ(again.outcome.action, sip::Action::kReply);
  EXPECT_EQ(again.outcome.status, 482);
  EXPECT_EQ(again.outcome.reason, Reason::kLoop);
  EXPECT_TRUE(Describe(Reason::kLoop).offence);
  // §18.2.2: to the source address and the top (our own) Via's sent-by port.
  EXPECT_EQ(again.outcome.destination, Ep("192.0.2.101", 5060));
  // Our Via deeper in the list (another proxy in between) is a loop too.
  std::string deeper =
      Replace(first.bytes, "Via: ", "Via: SIP/2.0/UDP 192.0.2.60;branch=z9hG4bKx\r\nVia: ");
  EXPECT_EQ(ForwardRequest(f, deeper, Ep("192.0.2.60", 5060)).outcome.reason, Reason::kLoop);
}

TEST(RequestLoop, NotOursUnlessHostPortAndPrefixMatch) {
  Forwarder f = TestForwarder();
  const char* vias[] = {
      "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKother\r\n",   // our host, not our branch
      "Via: SIP/2.0/UDP 198.51.100.2:5060;branch=z9hG4bKsg0123\r\n",  // our prefix, other host
      "Via: SIP/2.0/UDP 198.51.100.1:5070;branch=z9hG4bKsg0123\r\n",  // other port
  };
  for (const char* via : vias) {
    std::string in = Replace(kInvite, "Max-Forwards:", std::string(via) + "Max-Forwards:");
    EXPECT_EQ(ForwardRequest(f, in).outcome.action, sip::Action::kForward) << via;
  }
}

TEST(RequestLoop, FromOurOwnAddressIsDropped) {
  Forwarder f = TestForwarder();
  Forwarded fw = ForwardRequest(f, kInvite, Ep("198.51.100.1", 5060));
  EXPECT_EQ(fw.outcome.action, sip::Action::kDrop);
  EXPECT_EQ(fw.outcome.reason, Reason::kFromSelf);
  EXPECT_TRUE(Describe(Reason::kFromSelf).offence);
  EXPECT_TRUE(fw.bytes.empty());
  // Same host, another port (a backend on the proxy's machine) is fine.
  EXPECT_EQ(ForwardRequest(f, kInvite, Ep("198.51.100.1", 5080)).outcome.action,
            sip::Action::kForward);
}

// --- Record-Route -----------------------------------------------------------
TEST(RequestRecordRoute, DialogCreatingRequestsOnly) {
  struct {
    const char* method;
    bool record_route;
    std::vector<std::string> want;
  } cases[] = {
      {"INVITE", true, {"<sip:198.51.100.1:5060;transport=udp;lr>"}},
      {"SUBSCRIBE", true, {"<sip:198.51.100.1:5060;transport=udp;lr>"}},
      {"REFER", true, {"<sip:198.51.100.1:5060;transport=udp;lr>"}},
      {"OPTIONS", true, {}},
      {"MESSAGE", true, {}},
      {"INVITE", false, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.method) + (c.record_route ? "" : " (disabled)"));
    ForwardOptions o;
    o.record_route = c.record_route;
    std::string in = Replace(kInvite, "INVITE sip", std::string(c.method) + " sip");
    in = Replace(in, "314159 INVITE", std::string("314159 ") + c.method);
    Forwarded fw = ForwardRequest(TestForwarder(o), in);
    auto out = ParseMsg(fw.bytes);
    EXPECT_TRUE(out->verdict.ok());
    EXPECT_EQ(Values(*out->msg, sip::HeaderId::kRecordRoute), c.want);
  }
}

TEST(RequestRecordRoute, PrependedToAnExistingList) {
  std::string in = Replace(kInvite, "Contact:", "Record-Route: <sip:192.0.2.50;lr>\r\nContact:");
  Forwarded fw = ForwardRequest(TestForwarder(), in, Ep("203.0.113.7", 40000, Transport::kTcp));
  auto out = ParseMsg(fw.bytes);
  EXPECT_EQ(Values(*out->msg, sip::HeaderId::kRecordRoute),
            (std::vector<std::string>{"<sip:198.51.100.1:5060;transport=tcp;lr>",
                                      "<sip:192.0.2.50;lr>"}));
}

// --- Backends -----------------------------------------------------------------
TEST(RequestBackend, ACallsRequestsReachOneBackend) {
  Forwarder f = TestForwarder();
  Endpoint invite = ForwardRequest(f, kInvite).outcome.destination;
  EXPECT_EQ(ForwardRequest(f, Cancel(kInvite)).outcome.destination, invite);
  EXPECT_EQ(ForwardRequest(f, AckForNon2xx(kInvite)).outcome.destination, invite);
}

TEST(RequestBackend, NoneHealthy) {
  std::vector<Backend> down = TestBackends();
  for (Backend& b : down) b.healthy = false;
  Forwarded fw = ForwardRequest(TestForwarder(), kInvite, kClient, down);
  EXPECT_EQ(fw.outcome.action, sip::Action::kReply);
  EXPECT_EQ(fw.outcome.status, 503);
  EXPECT_EQ(fw.outcome.reason, Reason::kNoBackend);
  EXPECT_EQ(Values(*ParseMsg(fw.bytes)->msg, sip::HeaderId::kOther),
            (std::vector<std::string>{"30"}));  // Retry-After
  ForwardOptions o;
  o.no_backend = NoBackendPolicy::kDrop;
  fw = ForwardRequest(TestForwarder(o), kInvite, kClient, down);
  EXPECT_EQ(fw.outcome.action, sip::Action::kDrop);
  EXPECT_EQ(fw.outcome.reason, Reason::kNoBackend);
  // An ACK is never answered, not even 503.
  fw = ForwardRequest(TestForwarder(), AckForNon2xx(kInvite), kClient, down);
  EXPECT_EQ(fw.outcome.action, sip::Action::kDrop);
}

// --- Framing and limits ----------------------------------------------------------
TEST(RequestFraming, BodyKeptAndContentLengthAddedWhenAbsent) {
  std::string in = Replace(kInvite, "Content-Length: 4\r\n", "");
  Forwarded fw = ForwardRequest(TestForwarder(), in);
  auto out = ParseMsg(fw.bytes, sip::Transport::kStream);
  EXPECT_TRUE(out->verdict.ok());
  EXPECT_EQ(out->msg->body(), "v=0\n");
  EXPECT_EQ(Values(*out->msg, sip::HeaderId::kContentLength), std::vector<std::string>{"4"});
}

TEST(RequestFraming, SmallBufferIsAnErrorNeverAnOverrun) {
  Forwarder f = TestForwarder();
  auto p = ParseMsg(kInvite);
  std::vector<Backend> backends = TestBackends();
  for (size_t size : {size_t{0}, size_t{1}, size_t{64}, size_t{300}}) {
    std::vector<char> out(size + 8, '#');
    Result<Outcome> r = f.Request(*p->msg, kClient, backends, std::span<char>(out.data(), size));
    EXPECT_FALSE(r.ok()) << size;
    for (size_t i = size; i < out.size(); ++i) EXPECT_EQ(out[i], '#');
  }
}

TEST(RequestFraming, FullViaListIs483) {
  std::string vias;
  for (int i = 0; i < 99; ++i)
    vias += "Via: SIP/2.0/UDP 192.0.2.60;branch=z9hG4bK" + std::to_string(i) + "\r\n";
  std::string in = Replace(kInvite, "Max-Forwards:", vias + "Max-Forwards:");
  Forwarded fw = ForwardRequest(TestForwarder(), in);
  EXPECT_EQ(fw.outcome.status, 483);
  EXPECT_EQ(fw.outcome.reason, Reason::kTooManyHops);
}

TEST(ForwarderCreate, RejectsUnusableIdentities) {
  ProxyIdentity none = TestIdentity();
  none.listen.clear();
  EXPECT_FALSE(Forwarder::Create(none, {}).ok());
  ProxyIdentity any = TestIdentity();
  any.listen[0].ip = Ip("0.0.0.0");
  EXPECT_FALSE(Forwarder::Create(any, {}).ok());
  ProxyIdentity zero = TestIdentity();
  zero.secret = {0, 0};
  EXPECT_FALSE(Forwarder::Create(zero, {}).ok());
  ForwardOptions o;
  o.max_forwards = 0;
  EXPECT_FALSE(Forwarder::Create(TestIdentity(), o).ok());
}

}  // namespace
}  // namespace sipguard::forward
