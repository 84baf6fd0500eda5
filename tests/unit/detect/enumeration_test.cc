// EnumerationDetector: table-driven sequences of "not found" answers.
#include "detect/enumeration.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace sipguard::detect {
namespace {

using std::chrono::seconds;

const TimePoint t0 = TimePoint{} + seconds(7000);

IpAddress Ip(std::string_view text) { return *IpAddress::Parse(text); }

struct Probe {
  int at_s;
  int status;
  std::string user;
};

struct Case {
  std::string name;
  std::vector<Probe> probes;
  int events;
};

std::vector<Probe> Walk(int at_s, int status, int first, int n) {
  std::vector<Probe> out;
  for (int i = 0; i < n; ++i) out.push_back({at_s, status, std::to_string(first + i)});
  return out;
}

std::vector<Probe> Join(std::vector<std::vector<Probe>> parts) {
  std::vector<Probe> out;
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Defaults: 10 distinct users not found within 60 s.
const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"svwar walking 100..999 fires once", Walk(0, 404, 100, 900), 1},
      {"ten distinct users fire", Walk(0, 404, 100, 10), 1},
      {"nine distinct users do not", Walk(0, 404, 100, 9), 0},
      {"the same user again and again is not enumeration",
       Join({Walk(0, 404, 555, 1), Walk(1, 404, 555, 1), Walk(2, 404, 555, 1), Walk(3, 404, 555, 1),
             Walk(4, 404, 555, 1), Walk(5, 404, 555, 1), Walk(6, 404, 555, 1), Walk(7, 404, 555, 1),
             Walk(8, 404, 555, 1), Walk(9, 404, 555, 1), Walk(10, 404, 555, 1),
             Walk(11, 404, 555, 1)}),
       0},
      {"401 for existing users and 404 for the rest",
       Join({Walk(0, 401, 1000, 5), Walk(0, 404, 1005, 10), Walk(0, 401, 1015, 5)}), 1},
      {"401s alone are not enumeration (office of phones)", Walk(0, 401, 2000, 200), 0},
      {"484 and 604 count as not found", Join({Walk(0, 484, 10, 5), Walk(0, 604, 20, 5)}), 1},
      {"other failures do not count",
       Join({Walk(0, 403, 10, 50), Walk(0, 486, 100, 50), Walk(0, 480, 200, 50)}), 0},
      {"probes spread over two windows do not add up",
       Join({Walk(0, 404, 100, 9), Walk(60, 404, 200, 9)}), 0},
      {"each window can fire once", Join({Walk(0, 404, 100, 30), Walk(61, 404, 200, 30)}), 2},
      {"empty To user counts once", Join({Walk(0, 404, 0, 0), {{0, 404, ""}, {0, 404, ""}}}), 0},
  };
  return cases;
}

class EnumerationSequence : public ::testing::TestWithParam<Case> {};

TEST_P(EnumerationSequence, FiresAsExpected) {
  auto d = EnumerationDetector::Create(EnumerationConfig{});
  ASSERT_TRUE(d.ok());
  const IpAddress ip = Ip("203.0.113.77");
  int events = 0;
  for (const Probe& p : GetParam().probes) {
    const ResponseVerdict v = d->Observe({ip, "REGISTER", p.status, p.user}, t0 + seconds(p.at_s));
    if (v.report) {
      ++events;
      EXPECT_EQ(v.count, 10u);
    }
  }
  EXPECT_EQ(events, GetParam().events);
}

INSTANTIATE_TEST_SUITE_P(Sequences, EnumerationSequence, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           std::string n;
                           for (char c : param.param.name) {
                             n += (std::isalnum(static_cast<unsigned char>(c)) != 0) ? c : '_';
                           }
                           return n;
                         });

TEST(Enumeration, SourcesAreSeparateIpv6GroupedTrustedIgnored) {
  EnumerationConfig c;
  c.distinct_limit = 3;
  ASSERT_TRUE(c.trusted.Add(*Cidr::Parse("198.51.100.0/24")));
  auto d = EnumerationDetector::Create(c);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->Observe({Ip("2001:db8:1:2::1"), "INVITE", 404, "a"}, t0).report);
  EXPECT_FALSE(d->Observe({Ip("2001:db8:1:2::2"), "INVITE", 404, "b"}, t0).report);
  EXPECT_FALSE(d->Observe({Ip("2001:db8:1:3::1"), "INVITE", 404, "c"}, t0).report);
  EXPECT_TRUE(d->Observe({Ip("2001:db8:1:2::3"), "INVITE", 404, "c"}, t0).report);
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(d->Observe({Ip("198.51.100.9"), "INVITE", 404, std::to_string(i)}, t0).report);
  }
  EXPECT_EQ(d->tracked(), 2u);
}

TEST(Enumeration, TableIsBoundedAndKeepsTheWalker) {
  EnumerationConfig c;
  c.capacity = 2048;
  auto d = EnumerationDetector::Create(c);
  ASSERT_TRUE(d.ok());
  const IpAddress walker = Ip("203.0.113.78");
  for (int i = 0; i < 9; ++i) (void)d->Observe({walker, "REGISTER", 404, std::to_string(i)}, t0);
  for (uint32_t i = 0; i < 300000; ++i) {
    const std::array<uint8_t, 4> b = {10, static_cast<uint8_t>(i >> 16),
                                      static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    (void)d->Observe({IpAddress::FromV4Bytes(b), "REGISTER", 404, "x"}, t0);
  }
  EXPECT_LE(d->tracked(), d->capacity());
  EXPECT_GT(d->evictions(), 0u);
  EXPECT_TRUE(d->Observe({walker, "REGISTER", 404, "new"}, t0 + seconds(1)).report);
}

TEST(Enumeration, RejectsBadConfig) {
  EnumerationConfig c;
  c.distinct_limit = kMaxDistinctLimit + 1;
  EXPECT_FALSE(EnumerationDetector::Create(c).ok());
  c.distinct_limit = 1;
  EXPECT_FALSE(EnumerationDetector::Create(c).ok());
  c = EnumerationConfig{};
  c.window = Duration::zero();
  EXPECT_FALSE(EnumerationDetector::Create(c).ok());
  c = EnumerationConfig{};
  c.v6_prefix_len = 0;
  EXPECT_FALSE(EnumerationDetector::Create(c).ok());
}

TEST(UserHasher, KeyedBySeed) {
  const UserHasher a(1), b(2), a2(1);
  EXPECT_EQ(a("1001"), a2("1001"));
  EXPECT_NE(a("1001"), b("1001"));
  EXPECT_NE(a("1001"), a("1002"));
  EXPECT_NE(a(""), a(std::string_view("\0", 1)));
  EXPECT_NE(a("abcdefgh1"), a("abcdefgh2"));
}

}  // namespace
}  // namespace sipguard::detect
