// Log injection: no header value may make a reader of the MESSAGE line (a
// fail2ban filter anchored on the first '|') see another source address than
// the real one, or see a second line.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "common/event.h"

namespace sipguard {
namespace {

using namespace std::string_literals;

const char* const kRealSource = "203.0.113.5";

// Payloads a sender can put into Call-ID, From, User-Agent or the method.
const std::vector<std::string> kPayloads = {
    "x|log|Bad Request/Body from 198.51.100.9 ",
    "x|end|Too Many Hops from 198.51.100.9 INVITE (sip:a@b)",
    "|log|Scanner from 198.51.100.9 ",
    "||||",
    "x\r\n-|log|Bad Request/Body from 198.51.100.9 INVITE (sip:x@y),retcode=-1",
    "x\nMESSAGE=x|log|Flood from 198.51.100.9 ",
    "x\rfrom 198.51.100.9",
    "x\0|log|Scanner from 198.51.100.9 "s,
    "\x1b[2K\r-|log|Scanner from 198.51.100.9 ",
    "from 198.51.100.9 from 198.51.100.9",
    "\xe2\x80\xa8|log|Scanner from 198.51.100.9",  // U+2028 LINE SEPARATOR
    std::string(5000, '|') + "log|Scanner from 198.51.100.9 ",
    std::string(5000, '\n'),
};

// What a fail2ban failregex anchored on the fixed prefix extracts:
// ^[^|]*\|(log|end)\|<label> from <HOST> ...
const std::regex kFilter(
    "^[^|]*\\|(log|end)\\|(Bad Request/Body|Too Many Hops|Loop Detected|Scanner|Flood|"
    "Auth Failure|Enumeration) from ([0-9a-f.:]+) ");

void ExpectSafe(const Event& ev) {
  std::string line;
  FormatMessage(ev, &line);
  SCOPED_TRACE(line);
  // One line of printable ASCII.
  for (char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    ASSERT_TRUE(c >= 0x20 && c <= 0x7e) << "byte " << unsigned{c};
  }
  // Exactly the two separators of "<ci>|<stage>|<text>": the text up to the
  // first '|' is the Call-ID and holds no '|', and no field adds another.
  ASSERT_EQ(std::count(line.begin(), line.end(), '|'), 2);
  // "<label> from <ip>" right after the stage names the real source.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(line, m, kFilter));
  EXPECT_EQ(m[3].str(), kRealSource);
  EXPECT_EQ(m[1].str(),
            ev.type == EventType::kTooManyHops || ev.type == EventType::kLoop ? "end" : "log");
  EXPECT_LE(line.size(), kMaxMessageLen);
}

TEST(EventInjectionTest, HeadersCannotForgeSourceOrLines) {
  for (EventType type : kAllEventTypes) {
    for (const std::string& payload : kPayloads) {
      for (int field = 0; field < 5; ++field) {
        SCOPED_TRACE(::testing::Message() << ToString(type) << " field " << field << " payload "
                                          << ::testing::PrintToString(payload));
        Event ev;
        ev.type = type;
        ev.src_ip = *IpAddress::Parse(kRealSource);
        ev.method = "INVITE";
        ev.call_id = "abc";
        ev.from_uri = "sip:a@b";
        ev.user_agent = "ua";
        switch (field) {
          case 0: ev.call_id = payload; break;
          case 1: ev.from_uri = payload; break;
          case 2: ev.user_agent = payload; break;
          case 3: ev.method = payload; break;
          default:  // everything at once
            ev.call_id = ev.from_uri = ev.user_agent = ev.method = payload;
        }
        ExpectSafe(ev);
      }
    }
  }
}

TEST(EventInjectionTest, CallIdPayloadIsEscapedNotDropped) {
  Event ev;
  ev.type = EventType::kMalformed;
  ev.src_ip = *IpAddress::Parse(kRealSource);
  ev.call_id = "x|log|Bad Request/Body from 198.51.100.9 ";
  std::string line;
  FormatMessage(ev, &line);
  EXPECT_EQ(line,
            "x\\x7clog\\x7cBad Request/Body from 198.51.100.9 |log|Bad Request/Body from "
            "203.0.113.5 - (-),retcode=0");
}

TEST(EventInjectionTest, StructuredFieldsStaySingleLine) {
  for (const std::string& payload : kPayloads) {
    Event ev;
    ev.type = EventType::kScanner;
    ev.src_ip = *IpAddress::Parse(kRealSource);
    ev.call_id = ev.from_uri = ev.user_agent = ev.method = ev.transport = payload;
    const auto fields = JournalFields(ev);
    for (const std::string& f : fields) {
      EXPECT_EQ(f.find_first_of("\r\n"s + '\0'), std::string::npos) << f;
      if (f.rfind("SIPGUARD_", 0) == 0) {
        EXPECT_EQ(f.find('|'), std::string::npos) << f;
      }
    }
    EXPECT_EQ(fields[5], "SIPGUARD_SRC_IP="s + kRealSource);
  }
}

}  // namespace
}  // namespace sipguard
