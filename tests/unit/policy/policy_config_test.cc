#include "policy/policy_config.h"

#include <gtest/gtest.h>

#include <string>

namespace sipguard::policy {
namespace {

using std::chrono::seconds;

Result<PolicyConfig> Apply(const std::string& text) {
  auto file = ConfigFile::Parse(text, "agent.conf");
  if (!file.ok()) return file.error();
  PolicyConfig c;
  if (Status s = ApplyPolicyConfig(*file, &c); !s.ok()) return s.error();
  return c;
}

TEST(PolicyConfigDefaults, AreValid) {
  PolicyConfig c;
  EXPECT_TRUE(ValidatePolicyConfig(c).ok());
  EXPECT_EQ(c.Weight(EventType::kMalformed), 2);
  EXPECT_EQ(c.Weight(EventType::kTooManyHops), 3);
  EXPECT_EQ(c.Weight(EventType::kLoop), 5);
  for (EventType t :
       {EventType::kScanner, EventType::kFlood, EventType::kAuthFailure, EventType::kEnumeration}) {
    EXPECT_EQ(c.Weight(t), 10) << ToString(t);
  }
  EXPECT_EQ(c.half_life, seconds(600));
  EXPECT_EQ(c.threshold, 30);
  EXPECT_EQ(c.ban_time, seconds(3600));
  EXPECT_EQ(c.ban_factor, 2);
  EXPECT_EQ(c.max_ban_time, seconds(7 * 86400));
  EXPECT_EQ(c.v6_prefix_len, 128);
  EXPECT_TRUE(c.whitelist.empty());
}

TEST(PolicyConfigParse, AllKeys) {
  auto c = Apply(
      "[agent]\n"
      "anything = is someone else's\n"
      "[score]\n"
      "weight.scanner = 12.5\n"
      "weight.too-many-hops = 0\n"
      "half-life = 1h\n"
      "threshold = 50\n"
      "[ban]\n"
      "ban-time = 30m\n"
      "ban-factor = 1.5\n"
      "max-ban-time = 30d\n"
      "v6-prefix = 64\n"
      "whitelist = 192.0.2.0/24\n"
      "whitelist = 2001:db8::7\n"
      "whitelist = 192.0.2.0/24\n");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->Weight(EventType::kScanner), 12.5);
  EXPECT_EQ(c->Weight(EventType::kTooManyHops), 0);
  EXPECT_EQ(c->Weight(EventType::kFlood), 10);
  EXPECT_EQ(c->half_life, seconds(3600));
  EXPECT_EQ(c->threshold, 50);
  EXPECT_EQ(c->ban_time, seconds(1800));
  EXPECT_EQ(c->ban_factor, 1.5);
  EXPECT_EQ(c->max_ban_time, seconds(30 * 86400));
  EXPECT_EQ(c->v6_prefix_len, 64);
  ASSERT_EQ(c->whitelist.size(), 2u);
  EXPECT_EQ(c->whitelist.entries()[1], *Cidr::Parse("2001:db8::7/128"));
}

TEST(PolicyConfigParse, Errors) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"[score]\nweigth.scanner = 3\n", "agent.conf:2: [score] weigth.scanner: unknown key"},
      {"[score]\nban-time = 1h\n", "agent.conf:2: [score] ban-time: unknown key"},
      {"[ban]\nthreshold = 3\n", "agent.conf:2: [ban] threshold: unknown key"},
      {"[score]\nweight.sipvicious = 3\n",
       "agent.conf:2: [score] weight.sipvicious: unknown event type"},
      {"[score]\nweight.flood = -1\n",
       "agent.conf:2: [score] weight.flood: expected a number, got \"-1\""},
      {"[score]\nweight.flood = 2000000\n",
       "agent.conf:2: [score] weight.flood: \"2000000\" is out of range 0..1000000"},
      {"[score]\nthreshold = x\n", "agent.conf:2: [score] threshold: expected a number, got \"x\""},
      {"[score]\nthreshold = 1.\n",
       "agent.conf:2: [score] threshold: expected a number, got \"1.\""},
      {"[score]\nthreshold = 1e3\n",
       "agent.conf:2: [score] threshold: expected a number, got \"1e3\""},
      {"[score]\nthreshold = nan\n",
       "agent.conf:2: [score] threshold: expected a number, got \"nan\""},
      {"[score]\nthreshold = 0\n", "agent.conf:2: [score] threshold: must be more than 0"},
      {"[score]\nhalf-life = 0s\n", "agent.conf:2: [score] half-life: must be at least 1s"},
      {"[ban]\nban-factor = 0.5\n",
       "agent.conf:2: [ban] ban-factor: \"0.5\" is out of range 1..100"},
      {"[ban]\nban-time = 3651d\n", "agent.conf:2: [ban] ban-time: longer than 3650d"},
      {"[ban]\nv6-prefix = 32\n",
       "agent.conf:2: [ban] v6-prefix: expected a prefix length from 48 to 128, got \"32\""},
      {"[ban]\nv6-prefix = 064\n",
       "agent.conf:2: [ban] v6-prefix: expected a prefix length from 48 to 128, got \"064\""},
      {"[ban]\nv6-prefix = 129\n",
       "agent.conf:2: [ban] v6-prefix: expected a prefix length from 48 to 128, got \"129\""},
      {"[ban]\n\nmax-ban-time = 30m\n",
       "agent.conf:3: [ban] max-ban-time: max-ban-time 30m is shorter than ban-time 1h"},
      {"[ban]\nmax-ban-time = 2h\nban-time = 3h\n",
       "agent.conf:3: [ban] ban-time: max-ban-time 2h is shorter than ban-time 3h"},
  };
  for (const Case& k : cases) {
    auto c = Apply(k.text);
    ASSERT_FALSE(c.ok()) << k.text;
    EXPECT_EQ(c.error().message(), k.error) << k.text;
  }
  // Messages of the shared parsers are passed on with file:line in front.
  auto bad_cidr = Apply("[ban]\nwhitelist = 192.0.2.0/33\n");
  ASSERT_FALSE(bad_cidr.ok());
  EXPECT_EQ(bad_cidr.error().message().rfind("agent.conf:2: [ban] whitelist: ", 0), 0u)
      << bad_cidr.error().message();
  auto bad_time = Apply("[ban]\nban-time = soon\n");
  ASSERT_FALSE(bad_time.ok());
  EXPECT_EQ(bad_time.error().message().rfind("agent.conf:2: [ban] ban-time: ", 0), 0u);
}

TEST(PolicyConfigValidate, CrossField) {
  PolicyConfig c;
  c.max_ban_time = seconds(60);
  EXPECT_EQ(ValidatePolicyConfig(c).error().message(),
            "max-ban-time 1m is shorter than ban-time 1h");
  c = {};
  c.v6_prefix_len = 16;
  EXPECT_EQ(ValidatePolicyConfig(c).error().message(), "v6-prefix is out of range 48..128");
}

}  // namespace
}  // namespace sipguard::policy
