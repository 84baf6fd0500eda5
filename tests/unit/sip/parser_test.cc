// Parser: framing, header splitting, folding, compact forms, limits.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "sip/message.h"

namespace sipguard::sip {
namespace {

constexpr std::string_view kInvite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@example.com>\r\n"
    "f: Alice <sip:alice@example.net>;tag=1928301774\r\n"
    "i: a84b4c76e66710\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Subject: folded\r\n"
    "  across lines\r\n"
    "c: text/plain\r\n"
    "l: 4\r\n"
    "\r\n"
    "body";

class ParserTest : public ::testing::Test {
 protected:
  ParseError Run(std::string_view data, Transport t = Transport::kDatagram) {
    return Parse(data, t, msg.get());
  }
  std::unique_ptr<Message> msg = std::make_unique<Message>();
};

TEST_F(ParserTest, SplitsRequestLineHeadersAndBody) {
  ASSERT_EQ(Run(kInvite), ParseError::kNone);
  EXPECT_TRUE(msg->is_request());
  EXPECT_EQ(msg->method(), "INVITE");
  EXPECT_EQ(msg->request_uri(), "sip:bob@example.com");
  EXPECT_EQ(msg->version(), "SIP/2.0");
  EXPECT_EQ(msg->headers().size(), 9u);
  EXPECT_EQ(msg->body(), "body");
  EXPECT_EQ(msg->bytes(), kInvite);
}

TEST_F(ParserTest, ViewsPointIntoTheInput) {
  std::string copy(kInvite);
  ASSERT_EQ(Run(copy), ParseError::kNone);
  const char* begin = copy.data();
  const char* end = copy.data() + copy.size();
  for (const HeaderField& h : msg->headers()) {
    EXPECT_TRUE(h.name.data() >= begin && h.name.data() + h.name.size() <= end);
    EXPECT_TRUE(h.value.data() >= begin && h.value.data() + h.value.size() <= end);
  }
}

TEST_F(ParserTest, CompactFormsMapToTheirHeaders) {
  ASSERT_EQ(Run(kInvite), ParseError::kNone);
  ASSERT_NE(msg->Find(HeaderId::kVia), nullptr);
  EXPECT_EQ(msg->Find(HeaderId::kVia)->name, "v");
  EXPECT_EQ(msg->Find(HeaderId::kCallId)->value, "a84b4c76e66710");
  EXPECT_EQ(msg->Find(HeaderId::kContentLength)->value, "4");
  EXPECT_EQ(msg->Find(HeaderId::kFrom)->value, "Alice <sip:alice@example.net>;tag=1928301774");
  EXPECT_EQ(msg->Find(HeaderId::kRoute), nullptr);
  EXPECT_EQ(msg->Count(HeaderId::kTo), 1u);
}

TEST_F(ParserTest, FoldedValueKeepsItsContinuation) {
  ASSERT_EQ(Run(kInvite), ParseError::kNone);
  EXPECT_EQ(msg->Find(HeaderId::kSubject)->value, "folded\r\n  across lines");
}

TEST_F(ParserTest, HeaderNamesAreCaseInsensitive) {
  EXPECT_EQ(LookupHeader("cAlL-iD"), HeaderId::kCallId);
  EXPECT_EQ(LookupHeader("V"), HeaderId::kVia);
  EXPECT_EQ(LookupHeader("X-Custom"), HeaderId::kOther);
  EXPECT_EQ(LookupHeader("j"), HeaderId::kRejectContact);
}

TEST_F(ParserTest, ParsesStatusLine) {
  ASSERT_EQ(Run("SIP/2.0 180 Ringing Now\r\nVia: SIP/2.0/UDP h.example.com\r\n\r\n"),
            ParseError::kNone);
  EXPECT_FALSE(msg->is_request());
  EXPECT_EQ(msg->status_code_text(), "180");
  EXPECT_EQ(msg->reason_phrase(), "Ringing Now");
}

TEST_F(ParserTest, IgnoresLeadingKeepAliveCrlf) {
  std::string data = "\r\n\r\n" + std::string(kInvite);
  ASSERT_EQ(Run(data), ParseError::kNone);
  EXPECT_EQ(msg->method(), "INVITE");
  EXPECT_EQ(Run("\r\n\r\n"), ParseError::kEmpty);
}

struct FramingCase {
  std::string name;
  std::string data;
  Transport transport;
  ParseError want;
};

class FramingTest : public ParserTest, public ::testing::WithParamInterface<FramingCase> {};

TEST_P(FramingTest, Frames) {
  EXPECT_EQ(Run(GetParam().data, GetParam().transport), GetParam().want);
}

const std::string kHead = "OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h.example.com\r\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, FramingTest,
    ::testing::Values(
        FramingCase{"empty", "", Transport::kDatagram, ParseError::kEmpty},
        FramingCase{"no_space", "INVITE\r\n\r\n", Transport::kDatagram, ParseError::kBadStartLine},
        FramingCase{"bare_lf", kHead + "To: x\n\r\n", Transport::kDatagram,
                    ParseError::kBadLineEnding},
        FramingCase{"bare_cr", kHead + "To: x\ry\r\n\r\n", Transport::kDatagram,
                    ParseError::kBadLineEnding},
        FramingCase{"nul", kHead + std::string("To: x\0y\r\n\r\n", 12), Transport::kDatagram,
                    ParseError::kControlCharacter},
        FramingCase{"escaped_nul",
                    kHead + std::string("To: \"x\\\0y\" <sip:a@b.example>\r\n\r\n", 32),
                    Transport::kDatagram, ParseError::kNone},
        FramingCase{"no_colon", kHead + "Bogus header\r\n\r\n", Transport::kDatagram,
                    ParseError::kBadHeaderLine},
        FramingCase{"fold_first", "OPTIONS sip:a@example.com SIP/2.0\r\n folded\r\n\r\n",
                    Transport::kDatagram, ParseError::kBadHeaderLine},
        FramingCase{"unterminated", kHead, Transport::kDatagram, ParseError::kUnterminatedHeaders},
        FramingCase{"stream_needs_more", kHead, Transport::kStream, ParseError::kIncomplete},
        FramingCase{"stream_needs_cl", kHead + "\r\n", Transport::kStream,
                    ParseError::kMissingContentLength},
        FramingCase{"stream_short_body", kHead + "l: 10\r\n\r\nabc", Transport::kStream,
                    ParseError::kIncomplete},
        FramingCase{"udp_short_body", kHead + "l: 10\r\n\r\nabc", Transport::kDatagram,
                    ParseError::kTruncatedBody},
        FramingCase{"negative_cl", kHead + "l: -1\r\n\r\n", Transport::kDatagram,
                    ParseError::kBadContentLength},
        FramingCase{"huge_cl", kHead + "l: 99999999999999999999999\r\n\r\n", Transport::kDatagram,
                    ParseError::kBadContentLength},
        FramingCase{"two_cl", kHead + "l: 0\r\nContent-Length: 0\r\n\r\n", Transport::kDatagram,
                    ParseError::kConflictingContentLength}),
    [](const auto& param_info) { return param_info.param.name; });

TEST_F(ParserTest, DatagramTrailingBytesAreNotPartOfTheMessage) {
  std::string data = kHead + "l: 2\r\n\r\nabEXTRA";
  ASSERT_EQ(Run(data), ParseError::kNone);
  EXPECT_EQ(msg->body(), "ab");
  EXPECT_EQ(msg->trailing_bytes(), 5u);
  EXPECT_EQ(msg->bytes().size(), data.size() - 5);
}

TEST_F(ParserTest, StreamFramesOneMessageOfSeveral) {
  std::string one = kHead + "l: 3\r\n\r\nabc";
  std::string two = one + one;
  ASSERT_EQ(Run(two, Transport::kStream), ParseError::kNone);
  EXPECT_EQ(msg->bytes().size(), one.size());
}

TEST_F(ParserTest, HeaderCountIsBounded) {
  std::string data = kHead;
  for (size_t i = 0; i < Message::kMaxHeaders; ++i) data += "X: y\r\n";
  data += "\r\n";
  EXPECT_EQ(Run(data), ParseError::kTooManyHeaders);
}

TEST_F(ParserTest, MessageIsReusable) {
  ASSERT_EQ(Run(kInvite), ParseError::kNone);
  const std::string options = kHead + "\r\n";  // views point into it: keep it alive
  ASSERT_EQ(Run(options), ParseError::kNone);
  EXPECT_EQ(msg->method(), "OPTIONS");
  EXPECT_EQ(msg->Find(HeaderId::kCallId), nullptr);
  EXPECT_EQ(msg->headers().size(), 1u);
}

}  // namespace
}  // namespace sipguard::sip

namespace sipguard::sip {
namespace {

// Found by the fuzzer: an error in the middle of a header line left that
// field's value pointing into the previous message parsed into the same
// Message (the validator then read freed bytes).
TEST_F(ParserTest, ErrorMidHeaderLeavesNoViewIntoThePreviousMessage) {
  std::string first(kInvite);
  ASSERT_EQ(Run(first), ParseError::kNone);
  std::string second = kHead + "To: <sip:a@example.com>\r\nFrom: x\ny\r\n\r\n";
  ASSERT_EQ(Run(second), ParseError::kBadLineEnding);
  for (const HeaderField& h : msg->headers()) {
    EXPECT_TRUE(h.value.empty() ||
                (h.value.data() >= second.data() &&
                 h.value.data() + h.value.size() <= second.data() + second.size()))
        << h.name;
  }
  first.assign(first.size(), 'X');  // a stale view would now read X's
  EXPECT_EQ(msg->Find(HeaderId::kTo)->value, "<sip:a@example.com>");
}

}  // namespace
}  // namespace sipguard::sip
