// The event contract end to end through a real journald: events written by
// the proxy's JournalSink are read back with sd-journal, as the agent will,
// and parsed by ParseEventFields. Run by run_journal_test.sh, which makes
// sure a journald is running.
#include <gtest/gtest.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "report/event_sink.h"

namespace sipguard {
namespace {

struct JournalCloser {
  void operator()(sd_journal* j) const { sd_journal_close(j); }
};
using JournalPtr = std::unique_ptr<sd_journal, JournalCloser>;

std::optional<std::string_view> Field(sd_journal* j, std::string_view name) {
  const void* data = nullptr;
  size_t len = 0;
  std::string key(name);
  if (sd_journal_get_data(j, key.c_str(), &data, &len) < 0) return std::nullopt;
  std::string_view v(static_cast<const char*>(data), len);
  return v.substr(name.size() + 1);  // "NAME=value"
}

struct Entry {
  ParsedEvent event;
  std::string message, message_id, priority, comm;
};

// Reads the entries whose SIPGUARD_FROM_URI is one of `markers`, waiting up
// to 10 s for journald to store them.
std::map<std::string, Entry> ReadBack(const std::vector<std::string>& markers) {
  std::map<std::string, Entry> found;
  sd_journal* raw = nullptr;
  EXPECT_GE(sd_journal_open(&raw, SD_JOURNAL_LOCAL_ONLY), 0);
  JournalPtr j(raw);
  for (const std::string& m : markers) {
    sd_journal_add_match(j.get(), ("SIPGUARD_FROM_URI=" + m).c_str(), 0);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (found.size() < markers.size() && std::chrono::steady_clock::now() < deadline) {
    sd_journal_seek_head(j.get());
    while (sd_journal_next(j.get()) > 0) {
      auto lookup = [&j](std::string_view f) { return Field(j.get(), f); };
      Result<ParsedEvent> e = ParseEventFields(lookup);
      EXPECT_TRUE(e.ok()) << e.error().message();
      if (!e.ok()) continue;
      Entry entry{*e, std::string(Field(j.get(), "MESSAGE").value_or("")),
                  std::string(Field(j.get(), "MESSAGE_ID").value_or("")),
                  std::string(Field(j.get(), "PRIORITY").value_or("")),
                  std::string(Field(j.get(), "_COMM").value_or(""))};
      found[e->from_uri] = entry;
    }
    if (found.size() < markers.size()) sd_journal_wait(j.get(), 200000);
  }
  return found;
}

TEST(JournalSink, EventsRoundTripThroughARealJournald) {
  auto sink = MakeJournalSink();
  std::string tag = "m" + std::to_string(getpid()) + "x";
  std::vector<std::string> markers;
  struct Case {
    EventType type;
    std::string call_id;
  };
  std::vector<Case> cases = {
      {EventType::kMalformed, "plain-call-id@192.0.2.1"},
      {EventType::kScanner, "x|log|Bad Request/Body from 198.51.100.9 \r\nforged"},
      {EventType::kFlood, ""},
      {EventType::kTooManyHops, std::string(1000, 'A')},
  };
  std::vector<std::string> uris;
  for (size_t i = 0; i < cases.size(); ++i)
    uris.push_back("sip:" + tag + std::to_string(i) + "@example.com");
  for (size_t i = 0; i < cases.size(); ++i) {
    Event e;
    e.type = cases[i].type;
    e.src_ip = IpAddress::Parse("2001:db8::7").value();
    e.src_port = 5062;
    e.transport = "udp";
    e.method = "OPTIONS";
    e.call_id = cases[i].call_id;
    e.from_uri = uris[i];
    e.user_agent = "friendly-scanner";
    e.count = 250;
    Status s = sink->Write(e);
    ASSERT_TRUE(s.ok()) << s.error().message();
  }
  std::map<std::string, Entry> found = ReadBack(uris);
  ASSERT_EQ(found.size(), cases.size()) << "journald did not store every event";
  for (size_t i = 0; i < cases.size(); ++i) {
    const Entry& got = found[uris[i]];
    EXPECT_EQ(got.event.type, cases[i].type);
    EXPECT_EQ(got.event.src_ip.ToString(), "2001:db8::7");
    EXPECT_EQ(got.event.src_port, 5062);
    EXPECT_EQ(got.message_id, MessageId(cases[i].type));
    EXPECT_EQ(got.priority, "4");
    // Trusted field set by journald from the sender's credentials, which the
    // agent uses to tell real proxy events from forged ones.
    EXPECT_EQ(got.comm, "journal_test");
    // The first '|' ends the Call-ID; the label and the real source follow.
    std::string_view msg = got.message;
    size_t bar = msg.find('|');
    ASSERT_NE(bar, std::string_view::npos);
    std::string after = std::string(msg.substr(bar));
    EXPECT_NE(after.find(" from 2001:db8::7 "), std::string::npos) << msg;
    EXPECT_EQ(after.find("198.51.100.9"), std::string::npos) << msg;
    EXPECT_LE(got.event.call_id.size(), kMaxCallIdLen);
    EXPECT_EQ(msg.find('\n'), std::string_view::npos);
  }
  EXPECT_EQ(found[uris[2]].event.count, 250u);
}

}  // namespace
}  // namespace sipguard
