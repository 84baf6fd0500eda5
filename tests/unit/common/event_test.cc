#include "common/event.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace sipguard {
namespace {

IpAddress Ip(std::string_view text) {
  auto r = IpAddress::Parse(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : IpAddress();
}

Event Sample(EventType type) {
  Event ev;
  ev.type = type;
  ev.src_ip = Ip("203.0.113.5");
  ev.src_port = 5060;
  ev.transport = "udp";
  ev.method = "INVITE";
  ev.call_id = "a84b4c76e66710";
  ev.from_uri = "sip:100@example.com";
  ev.user_agent = "friendly-scanner";
  ev.reply = 400;
  ev.retcode = -4;
  ev.count = 1200;
  return ev;
}

TEST(EventTest, TypeNamesRoundTrip) {
  const std::vector<std::string_view> names = {
      "malformed", "too-many-hops", "loop", "scanner", "flood", "auth-failure", "enumeration"};
  ASSERT_EQ(names.size(), kAllEventTypes.size());
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(ToString(kAllEventTypes[i]), names[i]);
    auto back = ParseEventType(names[i]);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, kAllEventTypes[i]);
  }
  for (std::string_view bad : {"", "Malformed", "flood ", "unknown", "too_many_hops"}) {
    auto r = ParseEventType(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message().find("\"" + std::string(bad) + "\""), std::string::npos);
  }
}

TEST(EventTest, MessageIdsAreFixedDistinct128BitHex) {
  std::set<std::string_view> seen;
  for (EventType type : kAllEventTypes) {
    const std::string_view id = MessageId(type);
    EXPECT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string_view::npos) << id;
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
  // Pinned: changing one breaks catalogs and users' journalctl filters.
  EXPECT_EQ(MessageId(EventType::kMalformed), "dd6f9489a9fd44868f9db0bd1607bcb4");
  EXPECT_EQ(MessageId(EventType::kEnumeration), "e5e2336931874c25b52289daf4ca1b1e");
}

// Every MESSAGE_ID has exactly one "-- <id>" block in the shipped catalog,
// with a Subject, and the catalog documents no other ids.
TEST(EventTest, CatalogDocumentsEveryMessageId) {
  std::ifstream file(SIPGUARD_CATALOG);
  ASSERT_TRUE(file) << SIPGUARD_CATALOG;
  std::vector<std::string> ids;
  std::string line;
  size_t subjects = 0;
  while (std::getline(file, line)) {
    if (line.rfind("-- ", 0) == 0) ids.push_back(line.substr(3));
    if (line.rfind("Subject: ", 0) == 0) ++subjects;
  }
  ASSERT_EQ(ids.size(), kAllEventTypes.size());
  EXPECT_EQ(subjects, ids.size());
  for (EventType type : kAllEventTypes) {
    EXPECT_EQ(std::count(ids.begin(), ids.end(), MessageId(type)), 1) << ToString(type);
  }
}

TEST(EventTest, FormatMessagePerType) {
  struct Case {
    EventType type;
    const char* line;
  };
  const Case cases[] = {
      {EventType::kMalformed,
       "a84b4c76e66710|log|Bad Request/Body from 203.0.113.5 INVITE (sip:100@example.com),"
       "retcode=-4"},
      {EventType::kTooManyHops,
       "a84b4c76e66710|end|Too Many Hops from 203.0.113.5 INVITE (sip:100@example.com)"},
      {EventType::kLoop,
       "a84b4c76e66710|end|Loop Detected from 203.0.113.5 INVITE (sip:100@example.com)"},
      {EventType::kScanner,
       "a84b4c76e66710|log|Scanner from 203.0.113.5 INVITE (sip:100@example.com) "
       "ua=friendly-scanner"},
      {EventType::kFlood,
       "a84b4c76e66710|log|Flood from 203.0.113.5 INVITE (sip:100@example.com) count=1200"},
      {EventType::kAuthFailure,
       "a84b4c76e66710|log|Auth Failure from 203.0.113.5 INVITE (sip:100@example.com)"},
      {EventType::kEnumeration,
       "a84b4c76e66710|log|Enumeration from 203.0.113.5 INVITE (sip:100@example.com)"},
  };
  std::string out = "stale content is replaced";
  for (const auto& c : cases) {
    SCOPED_TRACE(ToString(c.type));
    FormatMessage(Sample(c.type), &out);
    EXPECT_EQ(out, c.line);
  }
}

TEST(EventTest, FormatMessageEmptyFieldsAndIpv6) {
  Event ev;
  ev.type = EventType::kScanner;
  ev.src_ip = Ip("2001:DB8:0::7");
  std::string out;
  FormatMessage(ev, &out);
  EXPECT_EQ(out, "-|log|Scanner from 2001:db8::7 - (-) ua=-");
  ev.type = EventType::kMalformed;
  FormatMessage(ev, &out);
  EXPECT_EQ(out, "-|log|Bad Request/Body from 2001:db8::7 - (-),retcode=0");
}

TEST(EventTest, FormatMessageIsBounded) {
  const std::string huge(100000, '\n');  // every byte becomes a 4-byte escape
  Event ev = Sample(EventType::kScanner);
  ev.src_ip = Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
  ev.call_id = ev.method = ev.from_uri = ev.user_agent = huge;
  for (EventType type : kAllEventTypes) {
    ev.type = type;
    ev.retcode = -2147483647 - 1;
    ev.count = 4294967295u;
    std::string out;
    FormatMessage(ev, &out);
    EXPECT_LE(out.size(), kMaxMessageLen) << ToString(type);
  }
}

TEST(EventTest, JournalFieldsInOrder) {
  Event ev = Sample(EventType::kMalformed);
  const std::vector<std::string> expected = {
      "MESSAGE=a84b4c76e66710|log|Bad Request/Body from 203.0.113.5 INVITE "
      "(sip:100@example.com),retcode=-4",
      "MESSAGE_ID=dd6f9489a9fd44868f9db0bd1607bcb4",
      "PRIORITY=4",
      "SYSLOG_IDENTIFIER=sipguard-proxy",
      "SIPGUARD_EVENT=malformed",
      "SIPGUARD_SRC_IP=203.0.113.5",
      "SIPGUARD_SRC_PORT=5060",
      "SIPGUARD_TRANSPORT=udp",
      "SIPGUARD_METHOD=INVITE",
      "SIPGUARD_CALL_ID=a84b4c76e66710",
      "SIPGUARD_FROM_URI=sip:100@example.com",
      "SIPGUARD_USER_AGENT=friendly-scanner",
      "SIPGUARD_REPLY=400",
      "SIPGUARD_RETCODE=-4",
  };
  EXPECT_EQ(JournalFields(ev), expected);
}

TEST(EventTest, JournalFieldsDropRetcodeAndCount) {
  Event ev = Sample(EventType::kFlood);
  ev.reply = 0;
  ev.retcode = 0;
  ev.src_ip = Ip("::ffff:203.0.113.5");
  const std::vector<std::string> fields = JournalFields(ev);
  ASSERT_EQ(fields.size(), 14u);
  EXPECT_EQ(fields[5], "SIPGUARD_SRC_IP=203.0.113.5");
  EXPECT_EQ(fields[12], "SIPGUARD_REPLY=drop");
  EXPECT_EQ(fields[13], "SIPGUARD_COUNT=1200");  // flood only; no RETCODE since 0
  for (EventType type : kAllEventTypes) {
    ev.type = type;
    const auto f = JournalFields(ev);
    const bool has_count = f.back().rfind("SIPGUARD_COUNT=", 0) == 0;
    EXPECT_EQ(has_count, type == EventType::kFlood) << ToString(type);
  }
}

TEST(EventTest, JournalFieldsAreSanitizedAndBounded) {
  Event ev = Sample(EventType::kScanner);
  ev.transport = "udp\nSIPGUARD_SRC_IP=1.1.1.1";
  ev.method = "INV|ITE";
  const std::string long_call_id(1000, 'c');  // outlives the view in ev
  ev.call_id = long_call_id;
  ev.from_uri = "sip:a@b\r\nSIPGUARD_SRC_IP=6.6.6.6";
  ev.user_agent = std::string_view("\0\x7f", 2);
  const auto fields = JournalFields(ev);
  const std::vector<std::pair<std::string, size_t>> limits = {
      {"SIPGUARD_TRANSPORT=", kMaxTransportLen},
      {"SIPGUARD_METHOD=", kMaxMethodLen},
      {"SIPGUARD_CALL_ID=", kMaxCallIdLen},
      {"SIPGUARD_FROM_URI=", kMaxUriLen},
      {"SIPGUARD_USER_AGENT=", kMaxUserAgentLen}};
  for (const std::string& f : fields) {
    EXPECT_EQ(f.find_first_of(std::string("\r\n\0", 3)), std::string::npos) << f;
    for (const auto& [prefix, limit] : limits) {
      if (f.rfind(prefix, 0) == 0) {
        EXPECT_LE(f.size() - prefix.size(), limit) << f;
        EXPECT_EQ(f.find('|'), std::string::npos) << f;
      }
    }
  }
  EXPECT_EQ(fields[7], "SIPGUARD_TRANSPORT=udp...");
  EXPECT_EQ(fields[8], "SIPGUARD_METHOD=INV\\x7cITE");
  EXPECT_EQ(fields[11], "SIPGUARD_USER_AGENT=\\x00\\x7f");
  EXPECT_EQ(fields[5], "SIPGUARD_SRC_IP=203.0.113.5");
}

}  // namespace
}  // namespace sipguard
