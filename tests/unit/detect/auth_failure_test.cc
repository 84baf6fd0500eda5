// AuthFailureDetector: table-driven sequences of backend answers.
#include "detect/auth_failure.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace sipguard::detect {
namespace {

using std::chrono::seconds;

const TimePoint t0 = TimePoint{} + seconds(5000);

IpAddress Ip(std::string_view text) { return *IpAddress::Parse(text); }

struct Step {
  int at_s;  // seconds after t0
  std::string_view method;
  int status;
  int repeat = 1;
};

struct Case {
  std::string name;
  std::vector<Step> steps;
  int events;  // expected reports over the whole sequence
};

// Defaults: window 60 s, 5 refusals, or 10 challenges then a refusal.
const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"five 403s fire once", {{0, "REGISTER", 403, 5}}, 1},
      {"four 403s do not fire", {{0, "REGISTER", 403, 4}}, 0},
      {"hundreds of 403s fire once per window", {{0, "REGISTER", 403, 300}}, 1},
      {"svcrack against a re-challenging backend",
       {{0, "REGISTER", 401, 10}, {1, "REGISTER", 403}},
       1},
      {"INVITE with 407 challenges then 403", {{0, "INVITE", 407, 12}, {2, "INVITE", 403}}, 1},
      {"challenges alone never fire (NAT of many phones)", {{0, "REGISTER", 401, 500}}, 0},
      {"nine challenges then one 403 does not fire",
       {{0, "REGISTER", 401, 9}, {1, "REGISTER", 403}},
       0},
      {"403 BEFORE the challenges is not the pattern",
       {{0, "REGISTER", 403}, {1, "REGISTER", 401, 20}},
       0},
      {"mistyped password: one challenge, one 403 a minute",
       {{0, "REGISTER", 401},
        {0, "REGISTER", 403},
        {61, "REGISTER", 401},
        {61, "REGISTER", 403},
        {122, "REGISTER", 401},
        {122, "REGISTER", 403},
        {183, "REGISTER", 401},
        {183, "REGISTER", 403},
        {244, "REGISTER", 401},
        {244, "REGISTER", 403}},
       0},
      {"403s spread over two windows do not add up",
       {{0, "REGISTER", 403, 4}, {60, "REGISTER", 403, 4}},
       0},
      {"a new window can fire again", {{0, "REGISTER", 403, 5}, {60, "REGISTER", 403, 5}}, 2},
      {"successes do not launder failures",
       {{0, "REGISTER", 403, 3}, {1, "REGISTER", 200, 3}, {2, "REGISTER", 403, 2}},
       1},
      {"other methods are ignored",
       {{0, "SUBSCRIBE", 403, 10}, {0, "OPTIONS", 403, 10}, {0, "register", 403, 10}},
       0},
      {"other failures are ignored", {{0, "REGISTER", 404, 50}, {0, "INVITE", 486, 50}}, 0},
  };
  return cases;
}

class AuthFailureSequence : public ::testing::TestWithParam<Case> {};

TEST_P(AuthFailureSequence, FiresAsExpected) {
  auto d = AuthFailureDetector::Create(AuthFailureConfig{});
  ASSERT_TRUE(d.ok());
  const IpAddress ip = Ip("203.0.113.9");
  int events = 0;
  for (const Step& s : GetParam().steps) {
    for (int i = 0; i < s.repeat; ++i) {
      const ResponseVerdict v = d->Observe({ip, s.method, s.status, "1001"}, t0 + seconds(s.at_s));
      if (v.report) {
        ++events;
        EXPECT_GE(v.count, 5u);
      }
    }
  }
  EXPECT_EQ(events, GetParam().events);
}

INSTANTIATE_TEST_SUITE_P(Sequences, AuthFailureSequence, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           std::string n;
                           for (char c : param.param.name) {
                             n += (std::isalnum(static_cast<unsigned char>(c)) != 0) ? c : '_';
                           }
                           return n;
                         });

TEST(AuthFailure, SourcesAreCountedSeparatelyAndTrustedIgnored) {
  AuthFailureConfig c;
  ASSERT_TRUE(c.trusted.Add(*Cidr::Parse("192.0.2.0/24")));
  auto d = AuthFailureDetector::Create(c);
  ASSERT_TRUE(d.ok());
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(d->Observe({Ip("203.0.113.1"), "REGISTER", 403, ""}, t0).report);
    EXPECT_FALSE(d->Observe({Ip("203.0.113.2"), "REGISTER", 403, ""}, t0).report);
  }
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(d->Observe({Ip("192.0.2.5"), "REGISTER", 403, ""}, t0).report);
  }
  EXPECT_EQ(d->tracked(), 2u);
  const ResponseVerdict v = d->Observe({Ip("203.0.113.1"), "REGISTER", 403, ""}, t0);
  EXPECT_TRUE(v.report);
  EXPECT_EQ(v.count, 5u);
}

TEST(AuthFailure, TableIsBoundedAndKeepsTheGuesser) {
  AuthFailureConfig c;
  c.capacity = 1024;
  auto d = AuthFailureDetector::Create(c);
  ASSERT_TRUE(d.ok());
  const IpAddress guesser = Ip("203.0.113.50");
  for (int i = 0; i < 4; ++i) (void)d->Observe({guesser, "REGISTER", 403, ""}, t0);
  for (uint32_t i = 0; i < 200000; ++i) {
    const std::array<uint8_t, 4> b = {10, static_cast<uint8_t>(i >> 16),
                                      static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    (void)d->Observe({IpAddress::FromV4Bytes(b), "REGISTER", 401, ""}, t0);
  }
  EXPECT_LE(d->tracked(), d->capacity());
  EXPECT_GT(d->evictions(), 0u);
  EXPECT_TRUE(d->Observe({guesser, "REGISTER", 403, ""}, t0 + seconds(1)).report);
}

TEST(AuthFailure, RejectsBadConfig) {
  AuthFailureConfig c;
  c.forbidden_limit = 0;
  EXPECT_FALSE(AuthFailureDetector::Create(c).ok());
  c = AuthFailureConfig{};
  c.challenge_limit = 0;
  EXPECT_FALSE(AuthFailureDetector::Create(c).ok());
  c = AuthFailureConfig{};
  c.window = -seconds(1);
  EXPECT_FALSE(AuthFailureDetector::Create(c).ok());
  c = AuthFailureConfig{};
  c.capacity = SourceTable<int>::kMaxCapacity + 1;
  EXPECT_FALSE(AuthFailureDetector::Create(c).ok());
}

}  // namespace
}  // namespace sipguard::detect
