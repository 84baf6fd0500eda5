// URI, host, Via and address parsing, table-driven.
#include "sip/uri.h"

#include <gtest/gtest.h>

#include <string>

#include "sip/name_addr.h"
#include "sip/via.h"

namespace sipguard::sip {
namespace {

struct UriCase {
  std::string text;
  UriError want;
};

class UriTest : public ::testing::TestWithParam<UriCase> {};

TEST_P(UriTest, Parses) {
  Uri uri;
  EXPECT_EQ(ParseUri(GetParam().text, &uri), GetParam().want) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, UriTest,
    ::testing::Values(UriCase{"sip:alice@example.com", UriError::kNone},
                      UriCase{"sips:alice:secret@example.com:5061;transport=tcp", UriError::kNone},
                      UriCase{"sip:example.com", UriError::kNone},
                      UriCase{"sip:[2001:db8::10]:5070", UriError::kNone},
                      UriCase{"sip:[2001:db8::10:5070]", UriError::kNone},
                      UriCase{"sip:[2001:db8:::192.0.2.1]", UriError::kNone},
                      UriCase{"sip:user;par=u%40example.net@example.com", UriError::kNone},
                      UriCase{"sip:%75se%72@example.com", UriError::kNone},
                      UriCase{"sip:a@example.com?Subject=hi&Priority=urgent", UriError::kNone},
                      UriCase{"tel:+1-201-555-0123;phone-context=example.com", UriError::kNone},
                      UriCase{"urn:service:sos", UriError::kNone},
                      UriCase{"sip:2001:db8::10", UriError::kBadHost},
                      UriCase{"sip:a@b@example.com", UriError::kBadUser},
                      UriCase{"sip:a%4@example.com", UriError::kBadUser},
                      UriCase{"sip:@example.com", UriError::kBadUser},
                      UriCase{"sip:a@exa_mple.com", UriError::kBadHost},
                      UriCase{"sip:a@192.0.2.300", UriError::kBadHost},
                      UriCase{"sip:a@-example.com", UriError::kBadHost},
                      UriCase{"sip:a@[2001:db8::1", UriError::kBadHost},
                      UriCase{"sip:a@example.com:70000", UriError::kBadPort},
                      UriCase{"sip:a@example.com:", UriError::kBadPort},
                      UriCase{"sip:a@example.com;;lr", UriError::kBadParams},
                      UriCase{"sip:a@example.com;=x", UriError::kBadParams},
                      UriCase{"sip:a@example.com?", UriError::kBadHeaders},
                      UriCase{"sip:a@example.com ;lr", UriError::kBadHost},
                      UriCase{"urn:a b", UriError::kBadChars},
                      UriCase{"<sip:a@example.com>", UriError::kBadScheme},
                      UriCase{"1sip:a@example.com", UriError::kBadScheme},
                      UriCase{"sip", UriError::kBadScheme}));

TEST(HostTest, RecognisesKinds) {
  HostKind kind;
  ASSERT_TRUE(ParseHost("192.0.2.1", &kind));
  EXPECT_EQ(kind, HostKind::kIPv4);
  ASSERT_TRUE(ParseHost("[::ffff:192.0.2.1]", &kind));
  EXPECT_EQ(kind, HostKind::kIPv6);
  ASSERT_TRUE(ParseHost("proxy.example.com.", &kind));
  EXPECT_EQ(kind, HostKind::kName);
  EXPECT_FALSE(ParseHost("2001:db8::1", &kind));  // IPv6 needs brackets in a host
  EXPECT_FALSE(ParseHost("[1:2:3:4:5:6:7:8:9]", &kind));
  EXPECT_FALSE(ParseHost("[1::2::3]", &kind));
  EXPECT_FALSE(ParseHost("[2001:db8:::1]", &kind));  // ":::" only before a dotted tail
  EXPECT_FALSE(ParseHost("123", &kind));
  EXPECT_FALSE(ParseHost(std::string(300, 'a'), &kind));
}

TEST(ViaTest, ParsesParamsWithLws) {
  Via via;
  ASSERT_EQ(ParseVia("SIP / 2.0 / UDP  192.0.2.2:5062 ; branch = z9hG4bKabc ;rport;received="
                     "[2001:db8::9:255]",
                     &via),
            ViaError::kNone);
  EXPECT_EQ(via.transport, "UDP");
  EXPECT_EQ(via.host, "192.0.2.2");
  EXPECT_EQ(via.port, 5062);
  EXPECT_EQ(via.branch, "z9hG4bKabc");
  EXPECT_TRUE(via.has_rport);
  EXPECT_EQ(via.rport, 0);
  EXPECT_EQ(via.received, "2001:db8::9:255");
}

TEST(ViaTest, RejectsBadForms) {
  Via via;
  EXPECT_EQ(ParseVia("SIP/2.0/UDP", &via), ViaError::kBadSentBy);
  EXPECT_EQ(ParseVia("SIP/2.0 192.0.2.1", &via), ViaError::kBadProtocol);
  EXPECT_EQ(ParseVia("SIP/2.0/UDP 192.0.2.1;;", &via), ViaError::kBadParams);
  EXPECT_EQ(ParseVia("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK", &via), ViaError::kBadBranch);
  EXPECT_EQ(ParseVia("SIP/2.0/UDP 192.0.2.1;received=host.example.com", &via),
            ViaError::kBadReceived);
  EXPECT_EQ(ParseVia("SIP/2.0/UDP 192.0.2.1:0", &via), ViaError::kBadSentBy);
  EXPECT_EQ(ParseVia("SIP/2.0/UDP 192.0.2.1;rport=99999", &via), ViaError::kBadRport);
}

TEST(NameAddrTest, ParsesForms) {
  NameAddr a;
  UriError ue;
  ASSERT_EQ(
      ParseNameAddr("\"J \\\"R\\\"\" <sip:j@example.com>;tag=9", AddressForm::kFromTo, &a, &ue),
      NameAddrError::kNone);
  EXPECT_EQ(a.uri_text, "sip:j@example.com");
  EXPECT_EQ(a.tag, "9");
  ASSERT_EQ(ParseNameAddr("sip:j@example.com;tag=1", AddressForm::kFromTo, &a, &ue),
            NameAddrError::kNone);
  EXPECT_EQ(a.uri_text, "sip:j@example.com");
  EXPECT_EQ(a.tag, "1");
  ASSERT_EQ(ParseNameAddr("Bob<sip:b@example.com>", AddressForm::kFromTo, &a, &ue),
            NameAddrError::kNone);
  EXPECT_EQ(a.display_name, "Bob");
  ASSERT_EQ(ParseNameAddr("*", AddressForm::kContact, &a, &ue), NameAddrError::kNone);
  EXPECT_TRUE(a.star);
}

TEST(NameAddrTest, RejectsBadForms) {
  NameAddr a;
  UriError ue;
  EXPECT_EQ(ParseNameAddr("Bell, Alexander <sip:a@example.com>", AddressForm::kFromTo, &a, &ue),
            NameAddrError::kBadDisplayName);
  EXPECT_EQ(ParseNameAddr("\"unterminated <sip:a@example.com>", AddressForm::kFromTo, &a, &ue),
            NameAddrError::kBadDisplayName);
  EXPECT_EQ(ParseNameAddr("<sip:a@example.com", AddressForm::kFromTo, &a, &ue),
            NameAddrError::kBadAngle);
  EXPECT_EQ(ParseNameAddr("sip:a@example.com", AddressForm::kRoute, &a, &ue),
            NameAddrError::kNeedsAngle);
  EXPECT_EQ(ParseNameAddr("sip:a@example.com?Route=x", AddressForm::kContact, &a, &ue),
            NameAddrError::kBadAddrSpec);
  EXPECT_EQ(ParseNameAddr("<sip:a@example.com>;;", AddressForm::kFromTo, &a, &ue),
            NameAddrError::kBadParams);
  EXPECT_EQ(ParseNameAddr("*", AddressForm::kFromTo, &a, &ue), NameAddrError::kBadStar);
  EXPECT_EQ(ParseNameAddr("<sip:a b@example.com>", AddressForm::kFromTo, &a, &ue),
            NameAddrError::kBadUri);
}

}  // namespace
}  // namespace sipguard::sip
