#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common/event.h"

namespace sipguard {
namespace {

using Fields = std::map<std::string, std::string, std::less<>>;

// "NAME=value" strings (as JournalFields() makes them) to a map.
Fields ToMap(const std::vector<std::string>& fields) {
  Fields map;
  for (const std::string& f : fields) {
    const size_t eq = f.find('=');
    map[f.substr(0, eq)] = f.substr(eq + 1);
  }
  return map;
}

// A lookup that, like sd_journal_get_data(), hands out a view into a buffer
// it overwrites on the next call, and records what was asked for.
class JournalLike {
 public:
  explicit JournalLike(Fields fields) : fields_(std::move(fields)) {}

  FieldLookup lookup() {
    return [this](std::string_view name) -> std::optional<std::string_view> {
      asked_.emplace_back(name);
      buffer_.assign(64, '#');  // scribble over the previous value
      auto it = fields_.find(name);
      if (it == fields_.end()) return std::nullopt;
      buffer_ = it->second;
      return std::string_view(buffer_);
    };
  }
  const std::vector<std::string>& asked() const { return asked_; }

 private:
  Fields fields_;
  std::string buffer_;
  std::vector<std::string> asked_;
};

Event Sample() {
  Event ev;
  ev.type = EventType::kFlood;
  ev.src_ip = *IpAddress::Parse("2001:db8::7");
  ev.src_port = 65535;
  ev.transport = "tcp";
  ev.method = "REGISTER";
  ev.call_id = "cid|1\r\n";
  ev.from_uri = "sip:200@example.com";
  ev.user_agent = "";
  ev.reply = 0;
  ev.retcode = -3;
  ev.count = 4294967295u;
  return ev;
}

TEST(EventParseTest, RoundTripsJournalFields) {
  JournalLike journal(ToMap(JournalFields(Sample())));
  auto parsed = ParseEventFields(journal.lookup());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->type, EventType::kFlood);
  EXPECT_EQ(parsed->src_ip.ToString(), "2001:db8::7");
  EXPECT_EQ(parsed->src_port, 65535);
  EXPECT_EQ(parsed->transport, "tcp");
  EXPECT_EQ(parsed->method, "REGISTER");
  EXPECT_EQ(parsed->call_id, "cid\\x7c1\\x0d\\x0a");  // as written, not unescaped
  EXPECT_EQ(parsed->from_uri, "sip:200@example.com");
  EXPECT_EQ(parsed->user_agent, "-");
  EXPECT_EQ(parsed->reply, 0);
  EXPECT_EQ(parsed->retcode, -3);
  EXPECT_EQ(parsed->count, 4294967295u);
}

TEST(EventParseTest, NeverReadsMessage) {
  Fields fields = ToMap(JournalFields(Sample()));
  fields["MESSAGE"] = "x|log|Flood from 198.51.100.9 INVITE (-) count=1";
  fields["SIPGUARD_SRC_IP"] = "203.0.113.5";
  JournalLike journal(fields);
  auto parsed = ParseEventFields(journal.lookup());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->src_ip.ToString(), "203.0.113.5");
  for (const std::string& name : journal.asked()) {
    EXPECT_EQ(name.rfind("SIPGUARD_", 0), 0u) << name;
  }

  // Without SIPGUARD_SRC_IP a MESSAGE naming an address is not enough.
  fields.erase("SIPGUARD_SRC_IP");
  JournalLike no_ip(fields);
  auto missing = ParseEventFields(no_ip.lookup());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("SIPGUARD_SRC_IP"), std::string::npos);
}

TEST(EventParseTest, MinimalEntry) {
  JournalLike journal({{"SIPGUARD_EVENT", "loop"}, {"SIPGUARD_SRC_IP", "::ffff:192.0.2.1"}});
  auto parsed = ParseEventFields(journal.lookup());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->type, EventType::kLoop);
  EXPECT_TRUE(parsed->src_ip.is_v4());
  EXPECT_EQ(parsed->src_ip.ToString(), "192.0.2.1");
  EXPECT_EQ(parsed->src_port, 0);
  EXPECT_EQ(parsed->reply, 0);
  EXPECT_EQ(parsed->method, "-");
}

TEST(EventParseTest, BadFieldsAreErrorsNamingTheField) {
  struct Case {
    const char* field;
    const char* value;  // nullptr: remove the field
  };
  const Case cases[] = {
      {"SIPGUARD_EVENT", nullptr},
      {"SIPGUARD_EVENT", "nuke"},
      {"SIPGUARD_EVENT", "Flood"},
      {"SIPGUARD_EVENT", ""},
      {"SIPGUARD_SRC_IP", nullptr},
      {"SIPGUARD_SRC_IP", ""},
      {"SIPGUARD_SRC_IP", "203.0.113.5 "},
      {"SIPGUARD_SRC_IP", "[2001:db8::7]"},
      {"SIPGUARD_SRC_IP", "203.0.113.0/24"},
      {"SIPGUARD_SRC_IP", "example.com"},
      {"SIPGUARD_SRC_PORT", "65536"},
      {"SIPGUARD_SRC_PORT", "-1"},
      {"SIPGUARD_SRC_PORT", "+5"},
      {"SIPGUARD_SRC_PORT", "50 60"},
      {"SIPGUARD_SRC_PORT", ""},
      {"SIPGUARD_REPLY", "99"},
      {"SIPGUARD_REPLY", "700"},
      {"SIPGUARD_REPLY", "dropped"},
      {"SIPGUARD_REPLY", "0"},
      {"SIPGUARD_RETCODE", "x"},
      {"SIPGUARD_RETCODE", "99999999999"},
      {"SIPGUARD_COUNT", "-1"},
      {"SIPGUARD_COUNT", "4294967296"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.field << "=" << (c.value ? c.value : "<absent>"));
    Fields fields = ToMap(JournalFields(Sample()));
    if (c.value == nullptr) {
      fields.erase(c.field);
    } else {
      fields[c.field] = c.value;
    }
    JournalLike journal(fields);
    auto parsed = ParseEventFields(journal.lookup());
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.error().message().find(c.field), std::string::npos)
        << parsed.error().message();
  }
}

TEST(EventParseTest, ForeignStringsAreSanitizedOnRead) {
  Fields fields = ToMap(JournalFields(Sample()));
  fields["SIPGUARD_USER_AGENT"] = "evil\nline|two";
  fields["SIPGUARD_FROM_URI"] = std::string(1000, 'u');
  JournalLike journal(fields);
  auto parsed = ParseEventFields(journal.lookup());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->user_agent, "evil\\x0aline\\x7ctwo");
  EXPECT_EQ(parsed->from_uri.size(), kMaxUriLen);
}

}  // namespace
}  // namespace sipguard
