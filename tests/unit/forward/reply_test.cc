// Forwarder::Reply: stateless replies per RFC 3261 §8.2.6.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "forward_test_util.h"

namespace sipguard::forward {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers

const std::string kRequest =
    "OPTIONS sip:100@198.51.100.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.7:5062;rport;branch=z9hG4bK-1\r\n"
    "v: SIP/2.0/UDP 192.0.2.60;branch=z9hG4bK-2, SIP/2.0/UDP 192.0.2.61;branch=z9hG4bK-3\r\n"
    "Max-Forwards: 70\r\n"
    "To: <sip:100@198.51.100.1>\r\n"
    "f: \"sipvicious\"<sip:100@198.51.100.1>;tag=6434396633623535\r\n"
    "Call-ID: 1234567890\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Proxy-Require: foo, timer, bar\r\n"
    "Content-Length: 0\r\n\r\n";

Outcome ReplyTo(const std::string& bytes, uint16_t status, std::string* text,
                const Endpoint& source = kClient, ForwardOptions o = {}) {
  auto p = ParseMsg(bytes);
  std::vector<char> out(65536);
  Result<Outcome> r = TestForwarder(std::move(o)).Reply(*p->msg, source, status, out);
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return {};
  *text = std::string(r->bytes);
  Outcome copy = *r;
  copy.bytes = {};
  return copy;
}

TEST(Reply, EveryStatusCarriesTheRightHeaders) {
  ForwardOptions o;
  o.supported_extensions = {"timer"};
  for (int code : {400, 416, 420, 482, 483, 501, 503, 505}) {
    auto status = static_cast<uint16_t>(code);
    SCOPED_TRACE(status);
    std::string text;
    Outcome r = ReplyTo(kRequest, status, &text, kClient, o);
    ASSERT_EQ(r.action, sip::Action::kReply);
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.destination, kClient);  // rport: the source port
    auto out = ParseMsg(text);
    ASSERT_TRUE(out->verdict.ok()) << sip::Describe(out->verdict.check).name << "\n" << text;
    const sip::Message& m = *out->msg;
    EXPECT_FALSE(m.is_request());
    EXPECT_EQ(m.status_code_text(), std::to_string(status));
    EXPECT_EQ(ViaElements(m), (std::vector<std::string>{
                                  "SIP/2.0/UDP 10.0.0.7:5062;branch=z9hG4bK-1;received=203.0.113.7;"
                                  "rport=40000",
                                  "SIP/2.0/UDP 192.0.2.60;branch=z9hG4bK-2",
                                  "SIP/2.0/UDP 192.0.2.61;branch=z9hG4bK-3"}));
    EXPECT_EQ(
        Values(m, sip::HeaderId::kFrom),
        std::vector<std::string>{"\"sipvicious\"<sip:100@198.51.100.1>;tag=6434396633623535"});
    std::vector<std::string> to = Values(m, sip::HeaderId::kTo);
    ASSERT_EQ(to.size(), 1U);
    EXPECT_EQ(to[0].rfind("<sip:100@198.51.100.1>;tag=sg", 0), 0U) << to[0];
    EXPECT_EQ(Values(m, sip::HeaderId::kCallId), std::vector<std::string>{"1234567890"});
    EXPECT_EQ(Values(m, sip::HeaderId::kCSeq), std::vector<std::string>{"1 OPTIONS"});
    EXPECT_EQ(Values(m, sip::HeaderId::kServer), std::vector<std::string>{"sipguard"});
    EXPECT_EQ(Values(m, sip::HeaderId::kContentLength), std::vector<std::string>{"0"});
    EXPECT_EQ(Values(m, sip::HeaderId::kUnsupported),
              status == 420 ? std::vector<std::string>{"foo, bar"} : std::vector<std::string>{});
    EXPECT_TRUE(Values(m, sip::HeaderId::kProxyRequire).empty());
    EXPECT_TRUE(Values(m, sip::HeaderId::kMaxForwards).empty());
  }
}

TEST(Reply, ToTagIsDeterministicAndKeptWhenPresent) {
  std::string a, b, c;
  ReplyTo(kRequest, 400, &a);
  ReplyTo(kRequest, 400, &b);
  EXPECT_EQ(a, b);
  std::string tagged =
      Replace(kRequest, "To: <sip:100@198.51.100.1>", "To: <sip:100@198.51.100.1>;tag=abc");
  ReplyTo(tagged, 400, &c);
  EXPECT_EQ(Values(*ParseMsg(c)->msg, sip::HeaderId::kTo),
            std::vector<std::string>{"<sip:100@198.51.100.1>;tag=abc"});
  std::string other;
  ReplyTo(Replace(kRequest, "z9hG4bK-1", "z9hG4bK-9"), 400, &other);
  EXPECT_NE(Values(*ParseMsg(other)->msg, sip::HeaderId::kTo),
            Values(*ParseMsg(a)->msg, sip::HeaderId::kTo));
}

TEST(Reply, DestinationPerSection18_2_2) {
  struct {
    const char* name;
    const char* via;
    Endpoint source;
    Endpoint want;
  } cases[] = {
      {"rport", "SIP/2.0/UDP 10.0.0.7:5062;rport;branch=z9hG4bK-1", kClient, kClient},
      {"sent-by port", "SIP/2.0/UDP 10.0.0.7:5062;branch=z9hG4bK-1", kClient,
       Ep("203.0.113.7", 5062)},
      {"default port", "SIP/2.0/UDP 10.0.0.7;branch=z9hG4bK-1", kClient, Ep("203.0.113.7", 5060)},
      {"stream: same connection", "SIP/2.0/TCP 10.0.0.7:5062;branch=z9hG4bK-1",
       Ep("203.0.113.7", 40000, Transport::kTcp), Ep("203.0.113.7", 40000, Transport::kTcp)},
  };
  for (const auto& c : cases) {
    std::string text;
    Outcome r =
        ReplyTo(Replace(kRequest, "SIP/2.0/UDP 10.0.0.7:5062;rport;branch=z9hG4bK-1", c.via), 400,
                &text, c.source);
    EXPECT_EQ(r.destination, c.want) << c.name;
  }
}

TEST(Reply, AckIsNeverAnswered) {
  std::string ack = Replace(Replace(kRequest, "OPTIONS sip", "ACK sip"), "1 OPTIONS", "1 ACK");
  std::string text;
  Outcome r = ReplyTo(ack, 400, &text);
  EXPECT_EQ(r.action, sip::Action::kDrop);
  EXPECT_TRUE(text.empty());
}

TEST(Reply, BadStatusOrTinyBufferIsAnError) {
  auto p = ParseMsg(kRequest);
  Forwarder f = TestForwarder();
  std::vector<char> out(65536);
  EXPECT_FALSE(f.Reply(*p->msg, kClient, 99, out).ok());
  EXPECT_FALSE(f.Reply(*p->msg, kClient, 700, out).ok());
  EXPECT_FALSE(f.Reply(*p->msg, kClient, 400, std::span<char>(out.data(), 40)).ok());
}

}  // namespace
}  // namespace sipguard::forward
